import xml.etree.ElementTree as ET

import config
from helpline import menu
from helpline.telephony.twilio import twiml

MENU = menu.load(config.CONFIG_DIR / "menu.toml")
ENGLISH = MENU.language("en")


def parse(document: str) -> ET.Element:
    root = ET.fromstring(document)
    assert root.tag == "Response"
    return root


def test_menu_greets_then_gathers_one_key_with_a_fallback_after():
    root = parse(twiml.menu(ENGLISH, gather_url="/g?a=1", silence_url="/silence", timeout=6, greet=True))
    assert [child.tag for child in root] == ["Say", "Gather", "Redirect"]
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("action") == "/g?a=1" and gather.get("timeout") == "6"
    assert "press 9" in gather.find("Say").text
    assert root.find("Redirect").text == "/silence"
    assert root.find("Say").get("language") == "en-US"


def test_menu_again_says_the_choice_was_wrong_and_does_not_greet():
    root = parse(twiml.menu(ENGLISH, gather_url="/g?a=2", silence_url="/silence", timeout=6, greet=False))
    assert [child.tag for child in root] == ["Gather", "Redirect"]
    says = [say.text for say in root.find("Gather")]
    assert says[0] == ENGLISH.prompts["invalid_choice"].say


def test_enqueue_names_the_queue_action_and_wait_url():
    root = parse(twiml.enqueue(ENGLISH, queue_name="helpline", action_url="/done", wait_url="/wait"))
    enqueue = root.find("Enqueue")
    assert enqueue.text == "helpline"
    assert (enqueue.get("action"), enqueue.get("waitUrl"), enqueue.get("method")) == ("/done", "/wait", "POST")


def test_hold_tells_position_and_expected_wait_then_music():
    root = parse(twiml.hold(ENGLISH, position=3, expected_minutes=4, emergency=False, hold_music="https://m/x.mp3"))
    assert [child.tag for child in root] == ["Say", "Say", "Play"]
    assert "number 3" in root[0].text and "4 minutes" in root[1].text
    assert root[2].text == "https://m/x.mp3"


def test_hold_for_danger_now_reassures_instead_of_counting():
    root = parse(twiml.hold(ENGLISH, position=5, expected_minutes=9, emergency=True, hold_music="https://m/x.mp3"))
    assert root[0].text == ENGLISH.prompts["emergency_hold"].say
    assert "number" not in root[0].text


def test_recorded_prompts_play_instead_of_say():
    recorded = menu.Language("fa", "fa-IR", {**ENGLISH.prompts, "greeting": menu.Prompt(play="https://x/greeting.mp3")})
    root = parse(twiml.menu(recorded, gather_url="/g", silence_url="/s", timeout=5, greet=True))
    assert root[0].tag == "Play" and root[0].text == "https://x/greeting.mp3"


def test_persian_prompts_are_kept_intact():
    root = parse(twiml.menu(MENU.language("fa"), gather_url="/g", silence_url="/s", timeout=5, greet=True))
    assert "۱۴۸۰" in root[0].text


def test_provider_fallback_queues_into_the_same_queue_without_our_urls():
    root = parse(twiml.provider_fallback(ENGLISH, queue_name="helpline"))
    enqueue = root.find("Enqueue")
    assert enqueue.text == "helpline"
    assert enqueue.get("action") is None and enqueue.get("waitUrl") is None


def test_hang_up_and_nothing():
    assert [c.tag for c in parse(twiml.hang_up())] == ["Hangup"]
    assert len(parse(twiml.nothing())) == 0

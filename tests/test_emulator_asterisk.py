"""The ARI stand-in against the service's ARI client: authentication, the events socket, a
caller's channel through the menu, counselors' phones answering or not, bridges, and
Asterisk's errors."""

import base64

import pytest
import requests

from helpline.emulator.asterisk.model import Phone
from helpline.emulator.asterisk.parties import hang_up, place_call, press
from helpline.telephony.asterisk.ari_client import AriRefused
from tests.support.ari import ARI_APP, ARI_PASSWORD, ARI_USER, Events

CALLER = "+989121234567"


def test_every_request_needs_the_ari_users_credentials(ari_server, ari):
    anonymous = requests.get(f"{ari_server.base_url}/ari/channels", timeout=5)
    assert anonymous.status_code == 401 and anonymous.json() == {"message": "Authentication required"}
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="Asterisk REST Interface"'
    wrong = requests.get(f"{ari_server.base_url}/ari/channels", auth=(ARI_USER, "guess"), timeout=5)
    assert wrong.status_code == 401
    with_key = requests.get(f"{ari_server.base_url}/ari/channels", params={"api_key": f"{ARI_USER}:{ARI_PASSWORD}"}, timeout=5)
    assert with_key.status_code == 200 and with_key.json() == []
    assert ari.get("asterisk/ping")["ping"] == "pong"


def test_the_events_socket_needs_credentials_and_an_application(ari_server):
    address = f"{ari_server.base_url}/ari/events"
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode()}  # fmt: skip
    anonymous = requests.get(address, params={"app": ARI_APP}, headers=upgrade, timeout=5)
    assert anonymous.status_code == 401
    token = base64.b64encode(f"{ARI_USER}:{ARI_PASSWORD}".encode()).decode()
    no_app = requests.get(address, headers={**upgrade, "Authorization": f"Basic {token}"}, timeout=5)
    assert no_app.status_code == 400 and "app" in no_app.json()["message"]


def test_a_caller_reaches_the_application_only_while_it_is_connected(ari_server, ari):
    assert place_call(ari_server.asterisk, ARI_APP, CALLER) is None  # STASISSTATUS=FAILED: the fallback
    events = Events(ari)
    try:
        channel = place_call(ari_server.asterisk, ARI_APP, CALLER)
        start = events.wait_for("StasisStart")
        assert start["args"] == ["inbound", "1480"] and start["application"] == ARI_APP
        assert start["channel"]["id"] == channel.id and start["channel"]["state"] == "Ring"
        assert start["channel"]["caller"]["number"] == CALLER
        assert start["timestamp"][-5] in "+-" and ":" not in start["timestamp"][-5:]
    finally:
        events.close()


def test_the_menu_answer_play_a_key_and_hang_up(ari_server, ari, ari_events):
    channel = place_call(ari_server.asterisk, ARI_APP, CALLER)
    ari_events.wait_for("StasisStart")
    assert ari.post(f"channels/{channel.id}/answer") is None
    assert ari_events.wait_for("ChannelStateChange")["channel"]["state"] == "Up"
    playback = ari.post(f"channels/{channel.id}/play/menu-1", media=["sound:custom/welcome", "sound:custom/menu"])
    assert playback["id"] == "menu-1" and playback["target_uri"] == f"channel:{channel.id}"
    assert ari_events.wait_for("PlaybackStarted")["playback"]["id"] == "menu-1"
    press(ari_server.asterisk, channel.id, "9")
    assert ari_events.wait_for("ChannelDtmfReceived")["digit"] == "9"
    assert ari_events.wait_for("PlaybackFinished")["playback"]["state"] == "done"
    with pytest.raises(AriRefused) as finished:
        ari.delete("playbacks/menu-1")
    assert finished.value.status == 404 and finished.value.gone
    ari.post(f"channels/{channel.id}/moh", mohClass="default")
    hang_up(ari_server.asterisk, channel.id)
    ari_events.wait_for("StasisEnd")
    assert ari_events.wait_for("ChannelDestroyed")["cause"] == 16
    with pytest.raises(AriRefused) as gone:
        ari.post(f"channels/{channel.id}/answer")
    assert gone.value.status == 404


def test_a_counselor_who_answers_is_bridged_with_the_caller(ari_server, ari, ari_events):
    caller = place_call(ari_server.asterisk, ARI_APP, CALLER)
    ari_events.wait_for("StasisStart")
    ari.post(f"channels/{caller.id}/answer")
    ari_server.asterisk.phones["PJSIP/201"] = Phone(answers=True)
    counselor = ari.post("channels/counselor-1", endpoint="PJSIP/201", app=ARI_APP, appArgs="counselor,7", timeout=5)
    assert counselor["state"] == "Down" and counselor["name"].startswith("PJSIP/201-")
    assert ari_events.wait_for("Dial", dialstatus="RINGING")["peer"]["id"] == "counselor-1"
    started = ari_events.wait_for("StasisStart")
    assert started["channel"]["id"] == "counselor-1" and started["args"] == ["counselor", "7"]
    bridge = ari.post("bridges/call-1", type="mixing")
    assert bridge["bridge_type"] == "mixing" and bridge["channels"] == []
    ari.post("bridges/call-1/addChannel", channel=f"{caller.id},counselor-1")
    entered = {ari_events.wait_for("ChannelEnteredBridge")["channel"]["id"] for _ in range(2)}
    assert entered == {caller.id, "counselor-1"}
    assert set(ari.get("bridges/call-1")["channels"]) == {caller.id, "counselor-1"}
    hang_up(ari_server.asterisk, caller.id)
    assert ari_events.wait_for("ChannelLeftBridge")["channel"]["id"] == caller.id
    ari.delete("bridges/call-1")
    assert ari_events.wait_for("ChannelLeftBridge")["channel"]["id"] == "counselor-1"


def test_a_counselor_who_does_not_answer_times_out(ari_server, ari, ari_events):
    ari_server.asterisk.phones["PJSIP/202"] = Phone(answers=False)
    ari.post("channels/counselor-2", endpoint="PJSIP/202", app=ARI_APP, appArgs="counselor,8", timeout=0.2)
    with pytest.raises(AriRefused) as not_answered:
        ari.post("channels/counselor-2/play", media="sound:beep")
    assert not_answered.value.status == 409  # not in the application until it answers
    assert ari_events.wait_for("Dial", dialstatus="NOANSWER")["peer"]["id"] == "counselor-2"
    destroyed = ari_events.wait_for("ChannelDestroyed")
    assert destroyed["channel"]["id"] == "counselor-2" and destroyed["cause"] == 19


def test_asterisks_refusals(ari_server, ari, ari_events):
    caller = place_call(ari_server.asterisk, ARI_APP, CALLER)
    ari_events.wait_for("StasisStart")
    ari_server.asterisk.phones["PJSIP/203"] = Phone(answers=False)
    ari.post("channels/ringing-1", endpoint="PJSIP/203", app=ARI_APP, timeout=5)
    ari.post("bridges/call-2")

    def refused(method: str, path: str, **params) -> tuple[int, str]:
        with pytest.raises(AriRefused) as refusal:
            ari.request(method, path, **params)
        return refusal.value.status, refusal.value.message

    assert refused("GET", "channels/nobody") == (404, "Channel not found")
    assert refused("POST", "channels/ringing-1", endpoint="PJSIP/203", app=ARI_APP)[0] == 409
    assert refused("POST", "bridges/call-2/addChannel", channel="ringing-1") == (422, "Channel not in Stasis application")
    assert refused("POST", "bridges/call-2/removeChannel", channel=caller.id) == (422, "Channel not in this bridge")
    assert refused("DELETE", f"channels/{caller.id}", reason="bored")[0] == 400
    assert refused("POST", "channels", app=ARI_APP)[0] == 400
    assert refused("GET", "bridges/none")[0] == 404
    slash = requests.get(f"{ari_server.base_url}/ari/channels/", auth=(ARI_USER, ARI_PASSWORD), timeout=5)
    assert slash.status_code == 404


def test_a_second_socket_replaces_the_first(ari_server, ari, ari_events):
    newer = Events(ari)
    try:
        assert ari_events.wait_for("ApplicationReplaced")["application"] == ARI_APP
        place_call(ari_server.asterisk, ARI_APP, CALLER)
        assert newer.wait_for("StasisStart")["channel"]["caller"]["number"] == CALLER
    finally:
        newer.close()


def test_a_phone_nobody_registered_is_unavailable(ari, ari_events):
    ari.post("channels/counselor-3", endpoint="PJSIP/299", app=ARI_APP, timeout=5)
    assert ari_events.wait_for("Dial", dialstatus="CHANUNAVAIL")["peer"]["id"] == "counselor-3"
    assert ari_events.wait_for("ChannelDestroyed")["cause"] == 20


def test_after_a_reconnect_the_application_finds_its_channels_and_follows_them_again(ari_server, ari, ari_events):
    caller = place_call(ari_server.asterisk, ARI_APP, CALLER)
    ari_events.wait_for("StasisStart")
    ari_events.close()
    press(ari_server.asterisk, caller.id, "1")  # lost: no socket is connected
    again = Events(ari)
    try:
        assert [channel["id"] for channel in ari.get("channels")] == [caller.id]
        followed = ari.post(f"applications/{ARI_APP}/subscription", eventSource=f"channel:{caller.id}")
        assert followed["channel_ids"] == [caller.id]
        with pytest.raises(AriRefused) as missing:
            ari.post(f"applications/{ARI_APP}/subscription", eventSource="channel:gone")
        assert missing.value.status == 422
        hang_up(ari_server.asterisk, caller.id)
        assert again.wait_for("StasisEnd")["channel"]["id"] == caller.id
        assert all(event["type"] != "ChannelDtmfReceived" for event in again.seen)
    finally:
        again.close()


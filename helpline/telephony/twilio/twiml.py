"""TwiML documents for each step of a call, built with the twilio library.

Pure functions: they take the menu's prompts and the URLs to point at, and return XML.
Every `<Gather>` is followed by a fallback verb, so silence never ends a call.
"""

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from helpline.menu import Language, Prompt


def _speak(parent, prompt: Prompt, language: Language) -> None:
    if prompt.play:
        parent.play(prompt.play)
    else:
        parent.say(prompt.say, language=language.voice_language)


def menu(language: Language, *, gather_url: str, silence_url: str, timeout: int, greet: bool) -> str:
    """The menu (after the greeting on first hearing); silence falls through to `silence_url`."""
    response = VoiceResponse()
    if greet:
        _speak(response, language.prompts["greeting"], language)
    gather = Gather(action=gather_url, method="POST", num_digits=1, timeout=timeout, action_on_empty_result=False)
    if not greet:
        _speak(gather, language.prompts["invalid_choice"], language)
    _speak(gather, language.prompts["menu"], language)
    response.append(gather)
    response.redirect(silence_url, method="POST")
    return str(response)


def enqueue(language: Language, *, queue_name: str, action_url: str, wait_url: str, requeue: bool = False) -> str:
    response = VoiceResponse()
    _speak(response, language.prompts["requeue" if requeue else "connecting"], language)
    response.enqueue(queue_name, action=action_url, method="POST", wait_url=wait_url, wait_url_method="POST")
    return str(response)


def hold(
    language: Language, *, position: int | None, expected_minutes: int | None, emergency: bool, hold_music: str
) -> str:
    """What a waiting caller hears; the provider fetches it again when it ends."""
    response = VoiceResponse()
    if emergency:
        _speak(response, language.prompts["emergency_hold"], language)
    else:
        if position:
            _speak(response, language.prompts["position"].format(position=position), language)
        if expected_minutes:
            _speak(response, language.prompts["expected_wait"].format(minutes=expected_minutes), language)
    response.play(hold_music)
    return str(response)


def connect(language: Language, *, client_identity: str | None, number: str | None, action_url: str, timeout: int) -> str:
    """Bridge the caller to a counselor: their phone when they gave one, else their browser."""
    response = VoiceResponse()
    dial = Dial(action=action_url, method="POST", timeout=timeout)
    if number:
        dial.number(number)
    else:
        dial.client(client_identity)
    response.append(dial)
    return str(response)


def hang_up(language: Language | None = None) -> str:
    response = VoiceResponse()
    if language is not None:
        _speak(response, language.prompts["goodbye"], language)
    response.hangup()
    return str(response)


def nothing() -> str:
    """An empty document: the call is already elsewhere (redirected) or gone."""
    return str(VoiceResponse())


def provider_fallback(language: Language, *, queue_name: str) -> str:
    """Static TwiML for the provider's fallback URL: queue the caller while the service is down.

    It names no URL of ours, since the service is not answering: the provider's own hold
    music plays, and counselors dequeue from the same queue.
    """
    response = VoiceResponse()
    _speak(response, language.prompts["greeting"], language)
    _speak(response, language.prompts["connecting"], language)
    response.enqueue(queue_name)
    return str(response)

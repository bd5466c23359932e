"""The parties the emulator plays: a caller dialling in (the dialplan hands them to the
application with `Stasis(app,inbound,<exten>)`), pressing keys and hanging up; and counselors'
phones, which ring when the application originates a channel to them and answer or not."""

from helpline.emulator.asterisk.model import CAUSE_TEXTS, NO_ANSWER, NORMAL_CLEARING, SUBSCRIBER_ABSENT, Asterisk, Channel


def place_call(asterisk: Asterisk, app: str, caller_number: str, exten: str = "1480") -> Channel | None:
    """A caller reaches `Stasis(app,inbound,exten)`: their channel, in the application; None when
    the application is not connected (STASISSTATUS=FAILED: the dialplan's fallback takes them)."""
    with asterisk.lock:
        if not asterisk.active(app):
            return None
        number = asterisk.new_id()
        channel = Channel(id=number, name=f"PJSIP/trunk-{int(number.split('.')[1]):08x}", state="Ring",
                          caller_number=caller_number, exten=exten, app=app, args=["inbound", exten])  # fmt: skip
        asterisk.channels[channel.id] = channel
        asterisk.emit(app, "StasisStart", args=channel.args, channel=channel.as_json())
    return channel


def press(asterisk: Asterisk, channel_id: str, digit: str) -> None:
    with asterisk.lock:
        channel = asterisk.channel(channel_id)
        asterisk.emit(channel.app, "ChannelDtmfReceived", digit=digit, duration_ms=100, channel=channel.as_json())


def hang_up(asterisk: Asterisk, channel_id: str, cause: int = NORMAL_CLEARING) -> None:
    """The party hangs up (or the application hung them up): the channel leaves its bridge and
    the application, and is destroyed."""
    with asterisk.lock:
        channel = asterisk.channels.get(channel_id)
        if channel is None:
            return
        app = channel.app or channel.originated_by
        asterisk.emit(app, "ChannelHangupRequest", cause=cause, soft=False, channel=channel.as_json())
        if channel.bridge is not None:
            bridge = asterisk.bridges.get(channel.bridge)
            if bridge is not None and channel.id in bridge.channels:
                bridge.channels.remove(channel.id)
                asterisk.emit(app, "ChannelLeftBridge", bridge=bridge.as_json(), channel=channel.as_json())
            channel.bridge = None
        for playback_id in [p.id for p in asterisk.playbacks.values() if p.target == f"channel:{channel.id}"]:
            del asterisk.playbacks[playback_id]
        if channel.app is not None:
            channel.app = None
            asterisk.emit(app, "StasisEnd", channel=channel.as_json())
        del asterisk.channels[channel.id]
        asterisk.emit(app, "ChannelDestroyed", cause=cause, cause_txt=CAUSE_TEXTS.get(cause, "Unknown"), channel=channel.as_json())


def ring(asterisk: Asterisk, channel: Channel, app: str, app_args: list[str], timeout: float) -> None:
    """An originated channel rings its endpoint: the phone answers (the channel enters the
    application) or the call times out (NOANSWER, destroyed); an endpoint with no phone
    registered fails at once (CHANUNAVAIL)."""
    endpoint = channel.name.rsplit("-", 1)[0]
    phone = asterisk.phones.get(endpoint)
    asterisk.emit(app, "Dial", peer=channel.as_json(), dialstatus="", dialstring=endpoint.split("/", 1)[1])
    if phone is None:

        def unavailable() -> None:
            with asterisk.lock:
                asterisk.emit(app, "Dial", peer=channel.as_json(), dialstatus="CHANUNAVAIL")
                hang_up(asterisk, channel.id, SUBSCRIBER_ABSENT)

        asterisk.later(0.01, unavailable)
        return
    asterisk.emit(app, "Dial", peer=channel.as_json(), dialstatus="RINGING")

    def answer() -> None:
        with asterisk.lock:
            if channel.id not in asterisk.channels:
                return
            channel.state = "Up"
            asterisk.emit(app, "ChannelStateChange", channel=channel.as_json())
            asterisk.emit(app, "Dial", peer=channel.as_json(), dialstatus="ANSWER")
            channel.app, channel.args = app, app_args
            asterisk.emit(app, "StasisStart", args=app_args, channel=channel.as_json())

    def no_answer() -> None:
        with asterisk.lock:
            if channel.id not in asterisk.channels or channel.app is not None:
                return
            asterisk.emit(app, "Dial", peer=channel.as_json(), dialstatus="NOANSWER")
            hang_up(asterisk, channel.id, NO_ANSWER)

    if phone.answers and phone.after_seconds < timeout:
        asterisk.later(phone.after_seconds, answer)
    else:
        asterisk.later(timeout, no_answer)


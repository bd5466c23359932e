"""ARI's REST resources the helpline uses, with Asterisk's answers: 200 with JSON for reads and
creations, 201 with `Location` for a playback, 204 for every void operation, and errors as
JSON `{"message"}` (404 no such channel, bridge or playback; 409 a channel not in Stasis, an
originated one not answered yet among them, or an ID already taken; 422 a channel that is not in
the application or not in that bridge; 400 a missing or bad parameter). Parameters come from
the query string, a form body or a JSON body."""

from werkzeug.routing import Map, Rule

from helpline.emulator.asterisk.model import ASTERISK_ID, AriError, Asterisk, Bridge, Channel, Playback, new_uuid, timestamp
from helpline.emulator.asterisk.parties import hang_up, ring

ROUTES = Map(
    [
        Rule("/ari/asterisk/ping", endpoint="ping", methods=["GET"]),
        Rule("/ari/asterisk/info", endpoint="info", methods=["GET"]),
        Rule("/ari/applications/<app>", endpoint="application", methods=["GET"]),
        Rule("/ari/applications/<app>/subscription", endpoint="subscribe", methods=["POST"]),
        Rule("/ari/channels", endpoint="channels", methods=["GET"]),
        Rule("/ari/channels", endpoint="originate", methods=["POST"]),
        Rule("/ari/channels/<channel_id>", endpoint="channel", methods=["GET"]),
        Rule("/ari/channels/<channel_id>", endpoint="originate", methods=["POST"]),
        Rule("/ari/channels/<channel_id>", endpoint="hangup", methods=["DELETE"]),
        Rule("/ari/channels/<channel_id>/answer", endpoint="answer", methods=["POST"]),
        Rule("/ari/channels/<channel_id>/ring", endpoint="ring", methods=["POST", "DELETE"]),
        Rule("/ari/channels/<channel_id>/moh", endpoint="moh", methods=["POST"]),
        Rule("/ari/channels/<channel_id>/moh", endpoint="stop_moh", methods=["DELETE"]),
        Rule("/ari/channels/<channel_id>/play", endpoint="play", methods=["POST"]),
        Rule("/ari/channels/<channel_id>/play/<playback_id>", endpoint="play", methods=["POST"]),
        Rule("/ari/playbacks/<playback_id>", endpoint="playback", methods=["GET"]),
        Rule("/ari/playbacks/<playback_id>", endpoint="stop_playback", methods=["DELETE"]),
        Rule("/ari/bridges", endpoint="bridges", methods=["GET"]),
        Rule("/ari/bridges", endpoint="create_bridge", methods=["POST"]),
        Rule("/ari/bridges/<bridge_id>", endpoint="get_bridge", methods=["GET"]),
        Rule("/ari/bridges/<bridge_id>", endpoint="create_bridge", methods=["POST"]),
        Rule("/ari/bridges/<bridge_id>", endpoint="destroy_bridge", methods=["DELETE"]),
        Rule("/ari/bridges/<bridge_id>/addChannel", endpoint="add_channel", methods=["POST"]),
        Rule("/ari/bridges/<bridge_id>/removeChannel", endpoint="remove_channel", methods=["POST"]),
    ],
    merge_slashes=False,
)
HANGUP_REASONS = (
    "normal", "busy", "congestion", "no_answer", "timeout", "rejected", "unallocated", "normal_unspecified",
    "number_incomplete", "codec_mismatch", "interworking", "failure", "answered_elsewhere",
)  # fmt: skip
NO_CONTENT = (204, None)


def handle(asterisk: Asterisk, endpoint: str, params: dict[str, list[str]], **path) -> tuple[int, object]:
    """The status and JSON body (None: none) of one operation; AriError for Asterisk's refusals."""
    with asterisk.lock:
        return OPERATIONS[endpoint](asterisk, Params(params), **path)


class Params:
    def __init__(self, values: dict[str, list[str]]):
        self.values = values

    def get(self, name: str, default: str | None = None) -> str | None:
        found = self.values.get(name)
        return found[0] if found else default

    def required(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise AriError(400, f"{name}: Missing required parameter")
        return value

    def many(self, name: str) -> list[str]:
        """A multi-valued parameter: repeated, or a comma list."""
        return [item for value in self.values.get(name, []) for item in value.split(",") if item]


def ping(asterisk, params):
    return 200, {"asterisk_id": ASTERISK_ID, "ping": "pong", "timestamp": timestamp()}


def info(asterisk, params):
    return 200, {
        "build": {"os": "Linux", "kernel": "6.1", "machine": "x86_64", "options": "", "date": "", "user": ""},
        "system": {"version": "22.5.0", "entity_id": ASTERISK_ID},
        "config": {"name": "", "default_language": "en"},
        "status": {"startup_time": timestamp(), "last_reload_time": timestamp()},
    }


def application(asterisk, params, app):
    if not asterisk.active(app):
        raise AriError(404, "Application not found")
    return 200, {
        "name": app,
        "channel_ids": [c.id for c in asterisk.channels.values() if app in (c.app, c.originated_by)],
        "bridge_ids": [b.id for b in asterisk.bridges.values() if b.app == app],
        "endpoint_ids": [], "device_names": [], "events_allowed": [], "events_disallowed": [],
    }  # fmt: skip


def subscribe(asterisk, params, app):
    """Channels and bridges to follow (after a reconnect, those the application still owns)."""
    sources = params.many("eventSource")
    if not sources:
        raise AriError(400, "eventSource: Missing required parameter")
    for source in sources:
        kind, _, name = source.partition(":")
        known = {"channel": asterisk.channels, "bridge": asterisk.bridges}.get(kind)
        if known is None or name not in known:
            raise AriError(422, "Event source does not exist")
    return application(asterisk, params, app)


def channels(asterisk, params):
    return 200, [channel.as_json() for channel in asterisk.channels.values()]


def channel(asterisk, params, channel_id):
    return 200, asterisk.channel(channel_id).as_json()


def originate(asterisk, params, channel_id=None):
    """Only `app` targets are emulated (the helpline never sends a channel to a dialplan context)."""
    endpoint = params.required("endpoint")
    app = params.required("app")
    channel_id = channel_id or params.get("channelId") or asterisk.new_id()
    if channel_id in asterisk.channels:
        raise AriError(409, "Channel with given unique ID already exists")
    technology, _, resource = endpoint.partition("/")
    if technology != "PJSIP" or not resource:
        raise AriError(400, "Endpoint must be specified as tech/resource")
    try:
        timeout = float(params.get("timeout", "30"))
    except ValueError:
        raise AriError(400, "timeout: invalid value") from None
    number = channel_id.rsplit(".", 1)[-1]
    created = Channel(id=channel_id, name=f"{endpoint}-{int(number) if number.isdigit() else 1:08x}", state="Down",
                      caller_number="", exten="", originated_by=app)  # fmt: skip
    asterisk.channels[channel_id] = created
    ring(asterisk, created, app, params.many("appArgs"), timeout if timeout > 0 else 3600)
    return 200, created.as_json()


def hangup(asterisk, params, channel_id):
    asterisk.channel(channel_id)
    reason = params.get("reason")
    if reason is not None and reason not in HANGUP_REASONS:
        raise AriError(400, "Invalid reason for hangup provided")
    hang_up(asterisk, channel_id)
    return NO_CONTENT


def answer(asterisk, params, channel_id):
    channel = asterisk.in_stasis(channel_id)
    if channel.state != "Up":
        channel.state = "Up"
        asterisk.emit(channel.app, "ChannelStateChange", channel=channel.as_json())
    return NO_CONTENT


def ring_indication(asterisk, params, channel_id):
    asterisk.in_stasis(channel_id)
    return NO_CONTENT


def moh(asterisk, params, channel_id):
    asterisk.in_stasis(channel_id).moh = True
    return NO_CONTENT


def stop_moh(asterisk, params, channel_id):
    asterisk.in_stasis(channel_id).moh = False
    return NO_CONTENT


def play(asterisk, params, channel_id, playback_id=None):
    channel = asterisk.in_stasis(channel_id)
    media = params.many("media")
    if not media:
        raise AriError(400, "media: Missing required parameter")
    playback_id = playback_id or params.get("playbackId") or new_uuid()
    if playback_id in asterisk.playbacks:
        raise AriError(409, "A playback with the same ID already exists")
    playback = Playback(id=playback_id, media=media, target=f"channel:{channel.id}", state="playing")
    asterisk.playbacks[playback_id] = playback
    asterisk.emit(channel.app, "PlaybackStarted", playback=playback.as_json())

    def finish() -> None:
        with asterisk.lock:
            if asterisk.playbacks.get(playback_id) is playback:
                finished(asterisk, playback, channel.app)

    asterisk.later(asterisk.playback_seconds * len(media), finish)
    return 201, playback.as_json()


def finished(asterisk: Asterisk, playback: Playback, app: str | None) -> None:
    del asterisk.playbacks[playback.id]
    playback.state = "done"
    asterisk.emit(app, "PlaybackFinished", playback=playback.as_json())


def playback(asterisk, params, playback_id):
    found = asterisk.playbacks.get(playback_id)
    if found is None:
        raise AriError(404, "Playback not found")
    return 200, found.as_json()


def stop_playback(asterisk, params, playback_id):
    found = asterisk.playbacks.get(playback_id)
    if found is None:
        raise AriError(404, "Playback not found")
    channel = asterisk.channels.get(found.target.removeprefix("channel:"))
    finished(asterisk, found, channel.app if channel else None)
    return NO_CONTENT


def bridges(asterisk, params):
    return 200, [bridge.as_json() for bridge in asterisk.bridges.values()]


def get_bridge(asterisk, params, bridge_id):
    return 200, asterisk.bridge(bridge_id).as_json()


def create_bridge(asterisk, params, bridge_id=None):
    types = params.many("type") or ["mixing"]
    bridge_type = "holding" if "holding" in types else "mixing"
    bridge_id = bridge_id or params.get("bridgeId") or new_uuid()
    if bridge_id in asterisk.bridges:
        raise AriError(409, "Bridge with the same ID already exists")
    created = Bridge(id=bridge_id, bridge_type=bridge_type, app=params.get("app") or next(iter(asterisk.sockets), ""))
    asterisk.bridges[bridge_id] = created
    return 200, created.as_json()


def destroy_bridge(asterisk, params, bridge_id):
    bridge = asterisk.bridge(bridge_id)
    for channel_id in list(bridge.channels):
        leave(asterisk, bridge, asterisk.channels[channel_id])
    del asterisk.bridges[bridge_id]
    return NO_CONTENT


def add_channel(asterisk, params, bridge_id):
    bridge = asterisk.bridge(bridge_id)
    ids = params.many("channel")
    if not ids:
        raise AriError(400, "channel: Missing required parameter")
    found = [asterisk.channels.get(channel_id) for channel_id in ids]
    if any(channel is None for channel in found):
        raise AriError(400, "Channel not found")
    if any(channel.app is None for channel in found):
        raise AriError(422, "Channel not in Stasis application")
    for channel in found:
        if channel.bridge is not None and channel.bridge != bridge.id:
            leave(asterisk, asterisk.bridges[channel.bridge], channel)
        if channel.id not in bridge.channels:
            bridge.channels.append(channel.id)
            channel.bridge = bridge.id
            asterisk.emit(channel.app, "ChannelEnteredBridge", bridge=bridge.as_json(), channel=channel.as_json())
    return NO_CONTENT


def remove_channel(asterisk, params, bridge_id):
    bridge = asterisk.bridge(bridge_id)
    channel_id = params.required("channel")
    channel = asterisk.channels.get(channel_id)
    if channel is None:
        raise AriError(400, "Channel not found")
    if channel_id not in bridge.channels:
        raise AriError(422, "Channel not in this bridge")
    leave(asterisk, bridge, channel)
    return NO_CONTENT


def leave(asterisk: Asterisk, bridge: Bridge, channel: Channel) -> None:
    bridge.channels.remove(channel.id)
    channel.bridge = None
    asterisk.emit(channel.app, "ChannelLeftBridge", bridge=bridge.as_json(), channel=channel.as_json())


OPERATIONS = {
    "ping": ping, "info": info, "application": application, "subscribe": subscribe, "channels": channels, "channel": channel,
    "originate": originate, "hangup": hangup, "answer": answer, "ring": ring_indication, "moh": moh, "stop_moh": stop_moh, "play": play,
    "playback": playback, "stop_playback": stop_playback, "bridges": bridges, "get_bridge": get_bridge,
    "create_bridge": create_bridge, "destroy_bridge": destroy_bridge, "add_channel": add_channel,
    "remove_channel": remove_channel,
}  # fmt: skip

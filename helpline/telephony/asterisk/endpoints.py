"""A counselor's Asterisk endpoint: the channel technology and resource ARI originates to when
they take a caller (`PJSIP/201`, `PJSIP/+989121234567@trunk`). Only PJSIP: chan_sip is gone
from Asterisk 21 on."""

import re

from flask_babel import gettext as _

MAX_ENDPOINT = 80
ENDPOINT = re.compile(r"PJSIP/[A-Za-z0-9+][A-Za-z0-9_.+@:/-]*")


def checked_endpoint(value: object) -> str | None:
    """The endpoint, or None for none (an empty value is none); ValueError saying what one
    looks like."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value.strip()) > MAX_ENDPOINT or not ENDPOINT.fullmatch(value.strip()):
        raise ValueError(_("must be an Asterisk endpoint such as PJSIP/201"))
    return value.strip()

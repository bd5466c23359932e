"""Sessions end after an idle time and after an absolute lifetime, whatever the cookie says.

A session is signed by the service and kept by the browser, so a cookie left on a shared
computer, or copied, would sign its user in for as long as the secret key lasts. It therefore
records when its user logged in and when they were last seen: past `SESSION_IDLE_MINUTES`
without a request, or `SESSION_MAX_HOURS` after logging in, it is over, on the next request and
on the next Socket.IO connection alike, and its user logs in again. The defaults suit a
counselor's shift: a dashboard left for a break of three quarters of an hour asks again, and no
session outlives a long shift. (An open dashboard makes requests while it is used; a socket
left open receives the masked queue only until it reconnects.)
"""

from datetime import datetime, timedelta

from flask import Flask, current_app, session
from flask_login import logout_user

from helpline import clock

LOGGED_IN_AT, SEEN_AT = "logged_in_at", "seen_at"
# Seen again at most once a minute: a new cookie on every request would be churn for nothing.
SEEN_RESOLUTION = timedelta(minutes=1)
# Flask-Login's key in the session: present while someone is logged in.
USER_KEY = "_user_id"


def started(store, now: datetime) -> None:
    """A session just logged in."""
    store[LOGGED_IN_AT] = store[SEEN_AT] = now.timestamp()


def is_over(store, now: datetime, idle: timedelta, lifetime: timedelta) -> bool:
    """Idle too long, too old, or from before sessions recorded either (pure)."""
    logged_in_at, seen_at = store.get(LOGGED_IN_AT), store.get(SEEN_AT)
    if not isinstance(logged_in_at, (int, float)) or not isinstance(seen_at, (int, float)):
        return True
    moment = now.timestamp()
    return moment - seen_at > idle.total_seconds() or moment - logged_in_at > lifetime.total_seconds()


def limits() -> tuple[timedelta, timedelta]:
    settings = current_app.config
    return timedelta(minutes=settings["SESSION_IDLE_MINUTES"]), timedelta(hours=settings["SESSION_MAX_HOURS"])


def current_session_is_over() -> bool:
    """For Socket.IO's handlers: the session the connection was opened with."""
    return USER_KEY in session and is_over(session, clock.now(), *limits())


def end_or_touch() -> None:
    """Before each request: log an expired session out (the view then answers as to anyone
    anonymous: 401, or the login page), else note that its user was seen."""
    if USER_KEY not in session:
        return
    now = clock.now()
    if is_over(session, now, *limits()):
        logout_user()
        session.pop(LOGGED_IN_AT, None)
        session.pop(SEEN_AT, None)
    elif now.timestamp() - session[SEEN_AT] >= SEEN_RESOLUTION.total_seconds():
        session[SEEN_AT] = now.timestamp()


def init_app(app: Flask) -> None:
    app.before_request(end_or_touch)

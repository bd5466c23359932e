"""Security headers on every answer, through Flask-Talisman, and no caching of what callers said.

The Content-Security-Policy lets pages run only the service's own scripts and styles (no inline
script, style or handler: the templates keep data in `<script type="application/json">` and
styles in static files), connect only to the service itself (Socket.IO's websocket included),
and be framed by nobody. Referrer-Policy keeps the addresses of call pages (CallSids) from other
sites; X-Content-Type-Options stops browsers guessing types. HSTS is production's, where
gunicorn takes https from the proxy: elsewhere the service runs over plain HTTP. Talisman's own
redirect to https is off: nginx does it (docs/deploy.md), and health checks come over HTTP.

Every answer but the static files is `Cache-Control: no-store`: pages and the API carry call
data (notes, risk, masked numbers), which must not stay in a browser's or a proxy's cache on a
shared computer after the session ends.
"""

from flask import Flask, request
from flask_talisman import Talisman

SELF, NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "img-src": SELF,
    "font-src": SELF,
    "connect-src": SELF,
    "object-src": NONE,
    "base-uri": NONE,
    "form-action": SELF,
    "frame-ancestors": NONE,
}
# The browser features no page uses; the microphone stays the service's own, for counselors
# who answer in the browser.
PERMISSIONS_POLICY = {"camera": "()", "geolocation": "()", "payment": "()", "usb": "()", "microphone": "(self)"}
REFERRER_POLICY = "same-origin"
HSTS_MAX_AGE = 365 * 24 * 3600
# Files that are the same for everyone, and cached as Flask serves them.
CACHEABLE_ENDPOINTS = {"static", "pages.vendor"}

def no_store(response):
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    settings = app.config
    # An instance per app: Talisman keeps its options, and the app, on itself.
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        feature_policy={},
        frame_options="DENY",
        referrer_policy=REFERRER_POLICY,
        force_https=False,
        strict_transport_security=settings["ENV_NAME"] == "production",
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=False,
        # The cookie settings stay the service's own (Talisman would make the cookie Secure on
        # plain HTTP in development and tests).
        session_cookie_secure=settings.get("SESSION_COOKIE_SECURE", False),
        session_cookie_http_only=True,
        session_cookie_samesite=settings["SESSION_COOKIE_SAMESITE"],
    )
    app.after_request(no_store)

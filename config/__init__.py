"""Settings, read from the environment (and a `.env` file in the project root).

Pick a profile with `HELPLINE_ENV` (`development`, `testing` or `production`);
`config/gunicorn.conf.py` selects `production`. The variables are listed in the
README's settings table.
"""

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv
from redis.backoff import NoBackoff
from redis.retry import Retry

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"

load_dotenv(ROOT / ".env")


def as_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def as_key_map(value: str | None) -> dict[str, str]:
    """Parse `id=secret,id2=secret2` into a dict."""
    pairs = (part.partition("=") for part in (value or "").split(",") if part.strip())
    return {key.strip(): secret.strip() for key, _, secret in pairs}


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'helpline.db'}"
    )
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # How many proxies in front of the service append to X-Forwarded-For: rate limits then key
    # on the client's own address, not the proxy's. 0 trusts no such header (no proxy).
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # The Redis channel the processes of one service share; two services on one Redis need two.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "flask-socketio")

    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    # Secrets of the provider's webhook signing keys (the SHA-256 scheme), by key id.
    TWILIO_WEBHOOK_KEYS = as_key_map(os.environ.get("TWILIO_WEBHOOK_KEYS"))
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL") or None
    TWILIO_QUEUE_NAME = os.environ.get("TWILIO_QUEUE_NAME", "helpline")
    # Turning the signature check off is honoured by the development profile only.
    SKIP_SIGNATURE_CHECK = False

    # Keys protecting callers' numbers: a keyed hash to recognise repeat callers,
    # a Fernet key for the audited reveal.
    CALLER_HASH_KEY = os.environ.get("CALLER_HASH_KEY")
    CALLER_ENCRYPTION_KEY = os.environ.get("CALLER_ENCRYPTION_KEY")

    MENU_FILE = os.environ.get("MENU_FILE", str(CONFIG_DIR / "menu.toml"))
    TAXONOMY_FILE = os.environ.get("TAXONOMY_FILE", str(CONFIG_DIR / "taxonomy.toml"))
    REPEAT_CALLER_WINDOW_DAYS = int(os.environ.get("REPEAT_CALLER_WINDOW_DAYS", "30"))
    AGING_STEP_SECONDS = int(os.environ.get("AGING_STEP_SECONDS", "120"))
    # Supervisors are alerted when a danger-now caller has waited this long.
    DANGER_WAIT_ALERT_SECONDS = int(os.environ.get("DANGER_WAIT_ALERT_SECONDS", "60"))
    DANGER_WAIT_SWEEP_SECONDS = 5
    # Reports: service level is answered within SERVICE_LEVEL_SECONDS of reaching the queue,
    # against a target share; abandons shorter than SHORT_ABANDON_SECONDS are counted apart.
    SERVICE_LEVEL_SECONDS = int(os.environ.get("SERVICE_LEVEL_SECONDS", "20"))
    SERVICE_LEVEL_TARGET = float(os.environ.get("SERVICE_LEVEL_TARGET", "0.8"))
    SHORT_ABANDON_SECONDS = int(os.environ.get("SHORT_ABANDON_SECONDS", "5"))
    # Iran's time (no daylight saving since 2022); Tajikistan is +300. Reports' days and hours use it.
    HELPLINE_UTC_OFFSET_MINUTES = int(os.environ.get("HELPLINE_UTC_OFFSET_MINUTES", "210"))
    BABEL_DEFAULT_LOCALE = "fa"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "helpline" / "translations")
    # A session ends after this long without a request, and this long after logging in
    # (helpline/session_lifetime.py): a break away from the dashboard, a shift.
    SESSION_IDLE_MINUTES = float(os.environ.get("SESSION_IDLE_MINUTES", "45"))
    SESSION_MAX_HOURS = float(os.environ.get("SESSION_MAX_HOURS", "13"))
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Redis down or hung must not lock staff out of logging in: a Redis that has not answered
    # within a second (tried once, not again at once) counts as down, and meanwhile each process
    # counts the limits in memory, trying Redis again at a limited view's request now and then
    # (after 1, 2, 4 … 32 s, then from 1 s again) until it answers. A hung Redis so costs the
    # first login after it hangs two seconds, and a login now and then one; no other request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), 0)}

    # Werkzeug's password hashing: scrypt, which costs a login about a tenth of a second of
    # CPU and far more to anyone guessing offline. Only the test profile hashes cheaply.
    PASSWORD_HASH_METHOD = "scrypt"
    # The largest request body read, in bytes; a larger one is a 413 before it is parsed. The
    # provider's webhooks and the service's forms and JSON are a few kilobytes at most.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))

    # Where webhooks go while the database does not answer, until replayed.
    SPOOL_DIR = os.environ.get("SPOOL_DIR", str(ROOT / "instance" / "spool"))

    # How long a webhook waits on a busy or unreachable database before failing open.
    DATABASE_TIMEOUT_SECONDS = float(os.environ.get("DATABASE_TIMEOUT_SECONDS", "3"))
    SOCKETIO_ASYNC_MODE = "threading"

    # Logs: `json` (one object a line) or `text`; production defaults to json, the others to text.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    # Bearer token for `GET /metrics`; without one the endpoint does not exist (404).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    # Retention (`flask retention`): calls older than this many days are anonymised or purged
    # (unset or 0: not done), in batches of RETENTION_BATCH_SIZE calls, recorded in the audit log in
    # the name of the admin RETENTION_OPERATOR.
    RETENTION_ANONYMISE_DAYS = int(os.environ.get("RETENTION_ANONYMISE_DAYS") or 0) or None
    RETENTION_PURGE_DAYS = int(os.environ.get("RETENTION_PURGE_DAYS") or 0) or None
    RETENTION_BATCH_SIZE = int(os.environ.get("RETENTION_BATCH_SIZE", "1000"))
    RETENTION_OPERATOR = os.environ.get("RETENTION_OPERATOR") or None

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without the secrets a live service needs."""
        missing = [
            name
            for name in ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "CALLER_HASH_KEY", "CALLER_ENCRYPTION_KEY")
            if not getattr(cls, name)
        ]
        if missing:
            raise RuntimeError(f"missing settings for {cls.ENV_NAME}: {', '.join(missing)}")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # Random per start unless set: sessions do not survive a restart, which is fine here.
    SECRET_KEY = Config.SECRET_KEY or secrets.token_hex(32)
    TWILIO_AUTH_TOKEN = Config.TWILIO_AUTH_TOKEN or "development-auth-token"
    TWILIO_ACCOUNT_SID = Config.TWILIO_ACCOUNT_SID or "AC" + "0" * 32
    SKIP_SIGNATURE_CHECK = as_bool(os.environ.get("HELPLINE_SKIP_SIGNATURE_CHECK"))
    # Fixed development keys so a restarted demo still recognises its callers.
    CALLER_HASH_KEY = Config.CALLER_HASH_KEY or "development-caller-hash-key"
    CALLER_ENCRYPTION_KEY = Config.CALLER_ENCRYPTION_KEY or "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZHVjdCE="


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    TWILIO_AUTH_TOKEN = "testing-auth-token"
    TWILIO_WEBHOOK_KEYS = {"webhooks_sharedkey_test": "testing-shared-key-secret"}
    PUBLIC_BASE_URL = None
    CALLER_HASH_KEY = "testing-caller-hash-key"
    CALLER_ENCRYPTION_KEY = "dGVzdGluZy1rZXktMzItYnl0ZXMtbG9uZy0xMjM0NTY="
    # Tests log in many times a minute from one address; the rate-limit test turns it on.
    RATELIMIT_ENABLED = False
    # Thousands of users are created and logged in: one round of a fast hash each (never
    # outside the tests; production's scrypt is checked by a test).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = as_bool(os.environ.get("SESSION_COOKIE_SECURE", "1"))
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")


PROFILES = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def profile(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("HELPLINE_ENV", "development")
    try:
        return PROFILES[name]
    except KeyError:
        raise RuntimeError(f"HELPLINE_ENV must be one of {', '.join(PROFILES)}, not {name!r}") from None

"""Configuration read from the environment.

`create_app()` takes one of these classes (or any object with the same attributes).
Every setting can be overridden by an environment variable of the same name.
"""

import os


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default: str | None) -> str | None:
    url = _env("DATABASE_URL", default)
    if url is None:
        return None
    # Accept the URLs hosting providers hand out and use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    ENV_NAME = "production"
    SECRET_KEY = _env("SECRET_KEY")
    # Every file the app writes lives under DATA_DIR (outside the code): the SQLite
    # database (unless DATABASE_URL names another), member-import uploads and, unless
    # INVOICES_DIR says otherwise, the invoice archive. Unset: `instance/` beside the code
    # in a checkout (the demo and development), `<venv>/var/coop-instance` when installed.
    DATA_DIR = _env("DATA_DIR")
    # None: a SQLite file `coop.sqlite` in DATA_DIR.
    SQLALCHEMY_DATABASE_URI = _database_url(None)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
    # None: `invoices/` in DATA_DIR when that is set (or the app is installed), else the
    # checkout's `invoices/`.
    INVOICES_DIR = _env("INVOICES_DIR")
    # None: `member_imports/` in DATA_DIR. Uploads wait there between preview and confirm.
    MEMBER_IMPORT_DIR = _env("MEMBER_IMPORT_DIR")

    MOLLIE_API_KEY = _env("MOLLIE_API_KEY")
    MOLLIE_API_ENDPOINT = _env("MOLLIE_API_ENDPOINT", "https://api.mollie.com")
    # Where Mollie's hosted checkout lives: the donation and pay-now forms may send the
    # browser there (CSP form-action). Empty: the API endpoint's own origin (the fake).
    MOLLIE_CHECKOUT_ORIGIN = _env("MOLLIE_CHECKOUT_ORIGIN", "https://www.mollie.com")
    # A donor waits for these: connecting, then Mollie's answer.
    MOLLIE_CONNECT_TIMEOUT_SECONDS = float(_env("MOLLIE_CONNECT_TIMEOUT_SECONDS", "3"))
    MOLLIE_READ_TIMEOUT_SECONDS = float(_env("MOLLIE_READ_TIMEOUT_SECONDS", "10"))
    # A second visit to a pay-now link within this many minutes goes to the checkout of
    # the payment started before (Mollie's iDEAL and card checkouts expire after ~15).
    MOLLIE_CHECKOUT_REUSE_MINUTES = int(_env("MOLLIE_CHECKOUT_REUSE_MINUTES", "10"))
    # The expense account approved volunteer allowances and reimbursed costs book to
    # (against the payables account, payable to the volunteer).
    VOLUNTEER_ALLOWANCE_ACCOUNT = _env("VOLUNTEER_ALLOWANCE_ACCOUNT", "4000")
    # Hours of a full-time week, for the FTE of buurtbanen (36 in most Dutch CAOs).
    FULL_TIME_HOURS_PER_WEEK = float(_env("FULL_TIME_HOURS_PER_WEEK", "36"))
    # Activities: more participants than this in one activity is refused as implausible
    # (a typo such as 2000 for 20); a coop with a yearly festival raises it.
    ACTIVITY_MAX_PARTICIPANTS = int(_env("ACTIVITY_MAX_PARTICIPANTS", "1000"))
    # The donation form: the smallest and the largest gift accepted, suggested amounts.
    DONATION_MIN_CENTS = int(_env("DONATION_MIN_CENTS", "100"))
    DONATION_MAX_CENTS = int(_env("DONATION_MAX_CENTS", "1000000"))
    DONATION_SUGGESTED_CENTS = tuple(
        int(v) for v in _env("DONATION_SUGGESTED_CENTS", "1000,2500,5000,10000").split(","))
    # A campaign page shows its progress and donors as they were at most this many
    # seconds ago (per server process): a campaign shared widely is read far more often
    # than it is given to. The thank-you page and the board's pages always count afresh.
    DONATION_PROGRESS_CACHE_SECONDS = float(_env("DONATION_PROGRESS_CACHE_SECONDS", "5"))
    # Donors' names and emails are kept this many full calendar years after the year of
    # their last gift (`flask coop anonymise-donors`); never less than the fiscal 7.
    DONOR_RETENTION_YEARS = int(_env("DONOR_RETENTION_YEARS", "7"))

    # Mail: "smtp" sends through MAIL_SERVER; "outbox" stores mails in the database,
    # where an admin reads them in the UI (development and demo).
    MAIL_BACKEND = _env("MAIL_BACKEND", "smtp")
    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = int(_env("MAIL_PORT", "25"))
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_STARTTLS = _env_bool("MAIL_USE_STARTTLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = int(_env("MAIL_TIMEOUT", "10"))
    MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "coop@localhost")

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    # Relative to the package: the compiled catalogue ships inside it.
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = ("nl", "en")

    # Password hashing: "default" is argon2's RFC 9106 low-memory profile (~0.5 s);
    # "cheap" exists for tests only.
    ARGON2_PROFILE = _env("ARGON2_PROFILE", "default")

    # Login throttling (a back-off, never a lockout): failures of the last
    # LOGIN_WINDOW_SECONDS count; after the free ones for an account (or from an IP
    # address) each failure makes the next attempt wait, BASE seconds doubling per
    # further failure up to MAX, after which the right password works again.
    LOGIN_WINDOW_SECONDS = int(_env("LOGIN_WINDOW_SECONDS", str(15 * 60)))
    LOGIN_FREE_FAILURES_PER_ACCOUNT = int(_env("LOGIN_FREE_FAILURES_PER_ACCOUNT", "5"))
    LOGIN_FREE_FAILURES_PER_IP = int(_env("LOGIN_FREE_FAILURES_PER_IP", "20"))
    LOGIN_BACKOFF_BASE_SECONDS = int(_env("LOGIN_BACKOFF_BASE_SECONDS", "2"))
    LOGIN_BACKOFF_MAX_SECONDS = int(_env("LOGIN_BACKOFF_MAX_SECONDS", "60"))
    # Wrong two-factor codes (the password was right) count over a day and may make
    # the next code wait up to 15 minutes: only a password holder can cause them.
    LOGIN_TWO_FACTOR_WINDOW_SECONDS = int(_env("LOGIN_TWO_FACTOR_WINDOW_SECONDS",
                                               str(24 * 60 * 60)))
    LOGIN_TWO_FACTOR_BACKOFF_MAX_SECONDS = int(_env("LOGIN_TWO_FACTOR_BACKOFF_MAX_SECONDS",
                                                    str(15 * 60)))
    PASSWORD_RESET_MAX_AGE_SECONDS = 60 * 60
    INVITATION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60

    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock

    # The largest request body accepted (uploads: member CSV imports, bank statements).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Number of reverse proxies in front of the app (X-Forwarded-For/-Proto are trusted
    # from that many hops). Needed for per-IP login throttling behind a proxy: left at 0
    # there, every visitor has the proxy's address (a warning is logged when a request
    # arrives with X-Forwarded-For while this is 0).
    TRUSTED_PROXIES = int(_env("TRUSTED_PROXIES", "0"))

    # How many sessions may share one SQLite file without "database is locked".
    SQLITE_BUSY_TIMEOUT_SECONDS = 15


class DevelopmentConfig(Config):
    """The demo on http://127.0.0.1:5000: plain HTTP, mails in the outbox."""

    ENV_NAME = "development"
    SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")
    MAIL_BACKEND = _env("MAIL_BACKEND", "outbox")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # The demo pays through the fake Mollie that scripts/demo.sh starts on port 5001.
    MOLLIE_API_KEY = _env("MOLLIE_API_KEY", "test_demodemodemodemodemodemodemo")
    MOLLIE_API_ENDPOINT = _env("MOLLIE_API_ENDPOINT", "http://127.0.0.1:5001")
    MOLLIE_CHECKOUT_ORIGIN = _env("MOLLIE_CHECKOUT_ORIGIN", "")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    MAIL_BACKEND = "outbox"
    ARGON2_PROFILE = "cheap"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SERVER_NAME = None
    BASE_URL = "http://localhost"
    MOLLIE_API_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"  # Mollie's documented sample key
    MOLLIE_API_ENDPOINT = "http://127.0.0.1:9"  # tests that need Mollie start the fake
    MOLLIE_READ_TIMEOUT_SECONDS = 2
    MOLLIE_CHECKOUT_ORIGIN = ""
    DONATION_PROGRESS_CACHE_SECONDS = 0  # a test sees each gift at once


CONFIGS = {"production": Config, "development": DevelopmentConfig, "test": TestConfig}


def config_from_env() -> type[Config]:
    return CONFIGS.get(_env("COOP_ENV", "production"), Config)

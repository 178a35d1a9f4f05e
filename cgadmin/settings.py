"""Settings for cgadmin, from the environment (django-environ).

Two shapes, chosen by CGADMIN_ENV:
- "embedded" (the default, for `make run` on a laptop): SQLite and a Celery broker kept in folders,
  both inside the base directory; a secret key generated once and kept there too.
- "production": DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis) are required, and
  SECRET_KEY must come from the environment; nothing secret has a default.
"""

import os
import secrets
from pathlib import Path

import environ

from cgadmin.private import private_file, read_or_create_secret

PROJECT_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

CGADMIN_ENV = env.str("CGADMIN_ENV", default="embedded")
PRODUCTION = CGADMIN_ENV == "production"

# The CommuniGate base directory (spec/basedir.md): /var/CommuniGate for root, ./var/CommuniGate otherwise.
_default_base = "/var/CommuniGate" if os.geteuid() == 0 else str(PROJECT_DIR / "var" / "CommuniGate")
CGATE_BASE = Path(env.str("CGATE_BASE", default=_default_base)).absolute()
# cgadmin's own files in embedded mode (database, broker folders, keys) live beside CommuniGate's.
CGADMIN_STATE_DIR = CGATE_BASE / "cgadmin"
CGATE_APPLICATION = Path(env.str("CGATE_APPLICATION", default=str(PROJECT_DIR))).absolute()
CGATE_VERSION = "6.3.0"
CGADMIN_VERSION = "0.1.0"


def _embedded_secret_key() -> str:
    """A key made once per base directory, so embedded installs never share one from the code."""
    return read_or_create_secret(CGADMIN_STATE_DIR / "secret.key", lambda: secrets.token_urlsafe(50).encode()).decode()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    DEBUG = False
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "server",
    "realms",
    "domains",
    "accounts",
    "logs",
    "basedir",
    "cli",
    "directory",
    "mailqueue",
    "skins",
    "forwarders",
    "groups",
    "mailrules",
    "lists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cgadmin.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "realms.middleware.WebAdminAuthMiddleware",
    "realms.localization.AdministratorLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "realms.middleware.RealmAccessMiddleware",
]

ROOT_URLCONF = "cgadmin.urls"
WSGI_APPLICATION = "cgadmin.wsgi.application"

CSRF_FAILURE_VIEW = "realms.views.csrf_failure"  # an expired form explained on a WebAdmin page
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "realms.context_processors.webadmin",
                "skins.context_processors.skin",
            ],
        },
    },
]

EMBEDDED_DATABASE = CGADMIN_STATE_DIR / "cgadmin.sqlite3"
DATABASES = {"default": env.db_url("DATABASE_URL", default=None if PRODUCTION else f"sqlite:///{EMBEDDED_DATABASE}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if Path(DATABASES["default"]["NAME"]) == EMBEDDED_DATABASE:
        # made 0600 before SQLite creates it (its -wal and -shm files take its mode), in a 0700 folder
        private_file(EMBEDDED_DATABASE)
    # Several processes (web, worker, CLI) share the file: WAL lets readers go on while one writes,
    # and IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "cgadmin.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every process of one server, so login counters and alerts agree across workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CGADMIN_STATE_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = ["realms.auth.AccountBackend"]
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",  # the default (README "Passwords"); the others still verify
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.hashers.ACryptHasher",
    "accounts.hashers.ClearHasher",
]
# Argon2id's cost: OWASP's minimum by default (19 MiB, 2 passes, 1 lane); never below it.
PASSWORD_ARGON2_MEMORY_KIB = env.int("PASSWORD_ARGON2_MEMORY_KIB", default=19456)
PASSWORD_ARGON2_TIME_COST = env.int("PASSWORD_ARGON2_TIME_COST", default=2)
PASSWORD_ARGON2_PARALLELISM = env.int("PASSWORD_ARGON2_PARALLELISM", default=1)
# HTTP Basic: a verified name and password are remembered this long (realms.basic_cache); 0: never.
BASIC_AUTH_CACHE_SECONDS = env.int("BASIC_AUTH_CACHE_SECONDS", default=120)
PASSWORD_KEY = env.str("CGADMIN_PASSWORD_KEY", default="")  # A-crpt key; else kept in the state dir
LOGIN_URL = "/login/"
# auth.E003: Account.name is unique per domain, not server-wide; realms.auth resolves name@domain.
SILENCED_SYSTEM_CHECKS = ["auth.E003", "auth.W004"]

SESSION_COOKIE_AGE = 12 * 3600  # the absolute limit of a WebAdmin session
WEBADMIN_IDLE_TIMEOUT = 30 * 60
WEBADMIN_MAX_SESSION = SESSION_COOKIE_AGE  # from the login, however busy the session
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only our own origin: no inline scripts or style attributes, no frames, forms post back here only.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# TLS. In production the WebAdmin is served over HTTPS, by gunicorn itself or by a proxy in front
# that says so in X-Forwarded-Proto (BEHIND_TLS_PROXY=true). HSTS is sent on HTTPS responses only.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks probe over plain HTTP
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # security.W021: joining the browsers' preload list is a promise the operator makes to
    # hstspreload.org for the whole domain; it cannot be a default of ours.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

LANGUAGE_CODE = "en"
# The WebAdmin's catalogues (locale/); realms.localization picks one from the Language preference.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("ru", "Русский")]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Celery: the embedded broker is kombu's filesystem transport inside the base directory.
_broker_dir = CGADMIN_STATE_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=None if PRODUCTION else "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(CGADMIN_STATE_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

OS_SYSLOG_SOCKET = env.str("OS_SYSLOG_SOCKET", default="")  # the OS log's socket; empty: /dev/log

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2)

# DNS for "Using DNS A/MX Records" domains and mail-loop checks (server.dns); tests use a fixed table.
DNS_RESOLVER = env.str("DNS_RESOLVER", default="server.dns.SystemResolver")
# How long a queue worker holds a claimed message before another may take it over (it died).
MAILQUEUE_LEASE_SECONDS = env.int("MAILQUEUE_LEASE_SECONDS", default=60)

# The network CLI listener (cli.listener): worker threads doing the Django work of all sessions,
# the idle timeout (spec: 5 minutes), the longest command line, the most sessions at once, and the
# wait before answering the Nth failed login of a session (N x CLI_FAILURE_DELAY, at most 10 s).
CLI_WORKERS = env.int("CLI_WORKERS", default=8)
CLI_IDLE_TIMEOUT = env.float("CLI_IDLE_TIMEOUT", default=300.0)
CLI_MAX_LINE = env.int("CLI_MAX_LINE", default=4 * 1024 * 1024)
CLI_MAX_SESSIONS = env.int("CLI_MAX_SESSIONS", default=2000)
# after answering, a CLI worker with nothing else to do waits this long for the session's next line
CLI_LINGER = env.float("CLI_LINGER", default=0.002)
CLI_FAILURE_DELAY = env.float("CLI_FAILURE_DELAY", default=1.0)
CLI_RECHECK_SECONDS = env.float("CLI_RECHECK_SECONDS", default=1.0)  # re-read a session's account this often
# Skins: the bytes all skins of one domain, and all server-wide skins, may take together.
SKINS_MAX_DOMAIN_SIZE = env.int("SKINS_MAX_DOMAIN_SIZE", default=5 * 1024 * 1024)
SKINS_MAX_SERVER_SIZE = env.int("SKINS_MAX_SERVER_SIZE", default=20 * 1024 * 1024)
# Connections not logged in yet: the login deadline after connecting (no byte moves it), their
# longest line, how many may come from one address (an IPv6 /64) and how many in all (the rest of
# CLI_MAX_SESSIONS stays for logged-in sessions).
CLI_LOGIN_TIMEOUT = env.float("CLI_LOGIN_TIMEOUT", default=30.0)
CLI_LOGIN_MAX_LINE = env.int("CLI_LOGIN_MAX_LINE", default=4096)
CLI_LOGIN_PER_ADDRESS = env.int("CLI_LOGIN_PER_ADDRESS", default=16)
CLI_LOGIN_MAX = env.int("CLI_LOGIN_MAX", default=500)

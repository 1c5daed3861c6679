"""luoshi settings: one module, configured by environment variables.

The defaults run on a laptop with nothing installed (SQLite, the SQLite-backed queue, a generated
secret key). Production sets LUOSHI_SECRET_KEY, LUOSHI_ALLOWED_HOSTS, LUOSHI_DATABASE_URL,
LUOSHI_REDIS_URL and LUOSHI_HTTPS=1; see README.md and docs/operations.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LUOSHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The configured key, or one generated once per installation and kept in var/."""
    if key := os.environ.get("LUOSHI_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("LUOSHI_DEBUG")
ALLOWED_HOSTS = env_list("LUOSHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("LUOSHI_CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.environ.get("LUOSHI_SITE_NAME", "落实 · 专项行动管理平台")
DEMO_PASSWORD = "Luoshi@2022"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "luoshi.accounts",
    "luoshi.audit",
    "luoshi.org",
    "luoshi.files",
    "luoshi.workdays",
    "luoshi.campaigns",
    "luoshi.ledgers",
    "luoshi.heritage",
    "luoshi.study",
    "luoshi.outreach",
    "luoshi.rectification",
    "luoshi.meetings",
    "luoshi.media",
    "luoshi.learning",
    "luoshi.reports",
    "luoshi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page's unusable GET parameter (huge number, date outside 1900–2100, reversed range,
    # control character) is dropped with a message, never a 500 (lib/query.py).
    "luoshi.lib.query.QueryBoundsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "luoshi.audit.middleware.RequestContextMiddleware",
    "luoshi.accounts.middleware.PasswordPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luoshi.urls"
WSGI_APPLICATION = "luoshi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "luoshi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "luoshi.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite by default: WAL, a busy timeout and IMMEDIATE transactions so that concurrent writers
# queue instead of failing. LUOSHI_DATABASE_URL=postgres://… for PostgreSQL.
DATABASE_URL = os.environ.get("LUOSHI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'luoshi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            # 64 MB page cache and memory-mapped reads: overviews read whole indexes
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("LUOSHI_TEST_SQLITE_NAME")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Queue (huey behind django.tasks) -----------------------------------------------------------
REDIS_URL = os.environ.get("LUOSHI_REDIS_URL", "")
QUEUE_NAME = os.environ.get("LUOSHI_QUEUE_NAME", "luoshi")
if env_bool("LUOSHI_QUEUE_IMMEDIATE"):
    HUEY = {"name": QUEUE_NAME, "immediate": True}
elif REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": QUEUE_NAME,
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": int(os.environ.get("LUOSHI_WORKERS", "2"))},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": QUEUE_NAME,
        "filename": os.environ.get("LUOSHI_QUEUE_FILE", str(VAR_DIR / "queue.sqlite3")),
        "immediate": False,
        "consumer": {"workers": 1, "worker_type": "thread"},
    }
TASKS = {
    "default": {
        "BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend",
        "OPTIONS": {"enqueue_on_commit": True},
    }
}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and security (等保 baseline; see docs/security.md) ----------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "campaigns:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "luoshi.accounts.backends.AccessTokenBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "luoshi.accounts.validators.CharacterClassesValidator"},
    {"NAME": "luoshi.accounts.validators.NotContainingUsernameValidator"},
    {"NAME": "luoshi.accounts.validators.CommonBaseWordValidator"},
    {"NAME": "luoshi.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("LUOSHI_PASSWORD_MAX_AGE_DAYS", "90"))

# Lockout: 5 failures for the same account from the same address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout runs from the fifth failure; guesses while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("LUOSHI_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# X-Forwarded-For is trusted only with LUOSHI_PROXY_COUNT set, and read from the right (see there).
AXES_CLIENT_IP_CALLABLE = "luoshi.accounts.middleware.client_ip"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("LUOSHI_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the 30 minutes are idle time, not time since login
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if env_bool("LUOSHI_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LUOSHI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("LUOSHI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("LUOSHI_HSTS_PRELOAD")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Uploads ------------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("LUOSHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/files/"  # never served directly: every download goes through a permission check
UPLOAD_MAX_BYTES = int(os.environ.get("LUOSHI_UPLOAD_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# What an uploaded .xlsx/.docx may inflate to, and the most rows an import reads (luoshi.lib.office).
UPLOAD_MAX_UNZIPPED_BYTES = (
    int(os.environ.get("LUOSHI_UPLOAD_MAX_UNZIPPED_MB", "200")) * 1024 * 1024
)
UPLOAD_MAX_MEMBERS = int(os.environ.get("LUOSHI_UPLOAD_MAX_MEMBERS", "10000"))
UPLOAD_MAX_RATIO = int(os.environ.get("LUOSHI_UPLOAD_MAX_RATIO", "100"))
IMPORT_MAX_ROWS = int(os.environ.get("LUOSHI_IMPORT_MAX_ROWS", "500000"))

# --- Mail ---------------------------------------------------------------------------------------
SMTP_HOST = os.environ.get("LUOSHI_SMTP_HOST", "")
EMAIL_ENABLED = bool(SMTP_HOST)
DEFAULT_FROM_EMAIL = os.environ.get("LUOSHI_FROM_EMAIL", "luoshi@localhost")
if EMAIL_ENABLED:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": int(os.environ.get("LUOSHI_SMTP_PORT", "25")),
                "username": os.environ.get("LUOSHI_SMTP_USER", ""),
                "password": os.environ.get("LUOSHI_SMTP_PASSWORD", ""),
                "use_tls": env_bool("LUOSHI_SMTP_TLS"),
            },
        }
    }
else:
    # Mail is off (EMAIL_ENABLED is False: nothing is sent). The entry names a production backend
    # only so that `check --deploy` has no development backend to flag; tests use locmem anyway.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}

# --- Language, time, static ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "luoshi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_build"
STATICFILES_DIRS = [BASE_DIR / "luoshi" / "static", BASE_DIR / "static_npm"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LUOSHI_LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"level": "INFO"}},
}

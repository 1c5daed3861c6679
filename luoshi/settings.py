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


def _field_keys() -> tuple[str, str]:
    """The SM4 keys of the fields encrypted at rest (luoshi.lib.fieldcrypt), as `id:32 hex digits`
    entries separated by commas or lines, the first being the one new values are written with;
    and where they came from (named in backups, never copied into them): LUOSHI_FIELD_KEY, the
    file LUOSHI_FIELD_KEY_FILE, or a file generated once per installation in var/."""
    if keys := os.environ.get("LUOSHI_FIELD_KEY"):
        return keys, "env:LUOSHI_FIELD_KEY"
    key_file = Path(os.environ.get("LUOSHI_FIELD_KEY_FILE") or VAR_DIR / "field_key")
    if not key_file.exists():
        key_file.write_text(f"k1:{secrets.token_hex(16)}\n")
        key_file.chmod(0o600)
    return key_file.read_text(), f"file:{key_file}"


FIELD_KEYS, FIELD_KEY_SOURCE = _field_keys()
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
    "ninja",  # its Swagger UI files, served by luoshi itself (/api/docs)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "luoshi.accounts",
    "luoshi.audit",
    "luoshi.mfa",
    "luoshi.org",
    "luoshi.files",
    "luoshi.workdays",
    "luoshi.ops",
    "luoshi.campaigns",
    "luoshi.ledgers",
    "luoshi.heritage",
    "luoshi.study",
    "luoshi.outreach",
    "luoshi.rectification",
    "luoshi.meetings",
    "luoshi.media",
    "luoshi.learning",
    "luoshi.assessment",
    "luoshi.reports",
    "luoshi.volunteering",
    "luoshi.demo",
]

MIDDLEWARE = [
    # /healthz answered first: a SELECT 1 and a queue ping, no session or user (ops/health.py).
    "luoshi.ops.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "luoshi.accounts.middleware.SessionMiddleware",  # Django's, saving at most once a minute
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
    "luoshi.accounts.middleware.SessionTrackingMiddleware",
    "luoshi.accounts.middleware.AdminNetworkMiddleware",
    "luoshi.accounts.middleware.PasswordPolicyMiddleware",
    # After the password step: request.user.otp_device, then the second factor's enforcement.
    "django_otp.middleware.OTPMiddleware",
    "luoshi.mfa.middleware.MfaMiddleware",
    "axes.middleware.AxesMiddleware",
    # A write that found SQLite's lock taken past the busy timeout: 503 "系统繁忙", not a 500.
    "luoshi.lib.busy.BusyDatabaseMiddleware",
    # A bare 405 (require_POST) drawn as the luoshi error page (luoshi/errors.py).
    "luoshi.errors.ErrorPageMiddleware",
]
CSRF_FAILURE_VIEW = "luoshi.views.csrf_failure"

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
# How long (seconds) a write waits for SQLite's write lock before the request is answered
# "系统繁忙，请稍后重试" (503, luoshi.lib.busy) instead of waiting on.
SQLITE_BUSY_TIMEOUT = float(os.environ.get("LUOSHI_SQLITE_BUSY_TIMEOUT", "20"))
DATABASE_URL = os.environ.get("LUOSHI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'luoshi.sqlite3'}")
# Connections are kept between requests (a new SQLite connection runs five PRAGMAs, a PostgreSQL
# one a TCP and auth round trip) and checked before reuse after an error.
CONN_MAX_AGE = int(os.environ.get("LUOSHI_CONN_MAX_AGE", "300"))
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            # 64 MB page cache and memory-mapped reads: overviews read whole indexes
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("LUOSHI_TEST_SQLITE_NAME")}
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
# Every job is recorded in the database (luoshi.ops): a worker writes a heartbeat every
# JOBS_HEARTBEAT_SECONDS and sweeps; a job started by a worker silent for
# JOBS_WORKER_TIMEOUT_SECONDS (or whose process is gone, on the same host) is enqueued again, at
# most JOBS_MAX_ATTEMPTS times in all. Records are kept JOBS_KEEP_DAYS. See docs/operations.md.
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("LUOSHI_JOBS_HEARTBEAT_SECONDS", "15"))
JOBS_WORKER_TIMEOUT_SECONDS = float(os.environ.get("LUOSHI_JOBS_WORKER_TIMEOUT_SECONDS", "60"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("LUOSHI_JOBS_MAX_ATTEMPTS", "3"))
JOBS_KEEP_DAYS = int(os.environ.get("LUOSHI_JOBS_KEEP_DAYS", "30"))
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
# accounts: one address may fail this many logins (any accounts, known or not) within the lockout's
# 15 minutes; past that every login from it is refused until the window passes (ASVS 6.1.1: one
# address cannot lock out every account, and password spraying from it stops).
LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
# accounts: the networks (CIDRs, comma-separated) from which the three admin accounts log in and
# work, and from which /django-admin/ is reached (等保 入侵防范 c). Empty: no limit (the security
# admin's page warns). accounts.middleware.AdminNetworkMiddleware.
LUOSHI_ADMIN_ALLOWED_NETWORKS = env_list("LUOSHI_ADMIN_ALLOWED_NETWORKS")

# Two-factor authentication (等保 身份鉴别 d), luoshi/mfa): a TOTP code (django-otp, RFC 6238) or a
# one-time recovery code after the password; required for the three administrators and the
# campaign office, and for the units the 安全管理员 chooses. Wrong codes: at most
# MFA_FAILURE_LIMIT in MFA_FAILURE_WINDOW_MINUTES per account, then refused until the window
# has passed (django-otp's own growing delay is off so that the two do not add up).
MFA_FAILURE_LIMIT = int(os.environ.get("LUOSHI_MFA_FAILURE_LIMIT", "5"))
MFA_FAILURE_WINDOW_MINUTES = int(os.environ.get("LUOSHI_MFA_FAILURE_WINDOW_MINUTES", "10"))
MFA_RECOVERY_CODE_COUNT = 10
# Demo accounts (is_demo, made only by load_demo) are not made to enrol, as they are not made to
# change their password, so that a demonstration is not interrupted; LUOSHI_MFA_EXEMPT_DEMO=0
# shows the enforcement in the demo too. One that enrols of its own accord is asked for codes.
MFA_EXEMPT_DEMO_ACCOUNTS = env_bool("LUOSHI_MFA_EXEMPT_DEMO", True)
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_AGE = int(os.environ.get("LUOSHI_SESSION_IDLE_MINUTES", "30")) * 60
# The 30 minutes are idle time, not time since login: the session's expiry is pushed forward at
# most once a minute (accounts/sessions.py), not written on every request.
SESSION_ENGINE = "luoshi.accounts.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# accounts: besides the idle timeout, a session ends this many hours after the login however active
# (absolute lifetime; accounts.middleware.SessionTrackingMiddleware, accounts.models.LoginSession).
LUOSHI_SESSION_MAX_HOURS = float(os.environ.get("LUOSHI_SESSION_MAX_HOURS", "12"))
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

# --- Audit log (安全审计; see docs/security.md and luoshi/audit/chain.py) ------------------------
# The key of the log's HMAC-SM3 hash chain. Set LUOSHI_AUDIT_KEY in production and keep it apart
# from the database (without it the key is derived from SECRET_KEY); never change it afterwards.
AUDIT_CHAIN_KEY = os.environ.get("LUOSHI_AUDIT_KEY", "")
# Records are kept at least 184 days (six months, 网络安全法 §21); a lower value refuses to start.
AUDIT_MIN_RETENTION_DAYS = 184
AUDIT_RETENTION_DAYS = int(os.environ.get("LUOSHI_AUDIT_RETENTION_DAYS", "184"))

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
    # expected 403/404/405s are one line each, not a traceback (luoshi/errors.py)
    "filters": {"expected_errors": {"()": "luoshi.errors.ExpectedErrorFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["expected_errors"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LUOSHI_LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"level": "INFO"}},
}

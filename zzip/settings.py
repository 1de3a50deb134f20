"""Settings for zzip, read from the environment.

Defaults are the safe ones: DEBUG is off and there is no built-in SECRET_KEY. `make run`
and the test set-up export what local development needs (see Makefile and pyproject.toml).
"""

import datetime
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. `make run` sets a development key; production must set its own."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form (stale page, signed out elsewhere) explains itself in Chinese.
CSRF_FAILURE_VIEW = "districts.views.csrf_failure"

INSTALLED_APPS = [
    "zzip.apps.ZzipAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "districts",
    "indicators",
    "audit",
    "notices",
    "circulars",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "districts.middleware.AccountPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zzip.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "districts.context_processors.role",
                "districts.context_processors.wording",
                "notices.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "zzip.wsgi.application"

# PostgreSQL in production and CI (DATABASE_URL=postgres://...); SQLite in the project
# folder when nothing is configured, so a fresh clone runs with no set-up.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every app server (never one process's memory): Redis where REDIS_URL is
# set (redis://127.0.0.1:6379/0), else a table in the database (`manage.py createcachetable`,
# which `make setup` runs; the test database gets it by itself). Summaries are cached under
# the data version (indicators/selectors/summary_cache.py), so a save is seen at once.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zzip_cache"},
}
CACHES["default"]["KEY_PREFIX"] = "zzip"

# --- Identity (等保 2.0 身份鉴别) ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked account or address first
    "districts.backends.RoleBackend",  # user names ignore case; permissions come from the role
]
# Argon2id (zzip/hashers.py): stronger than PBKDF2 and half its CPU per sign-in
# (bench/password_hashers.py). The others only check old hashes, rehashed at sign-in.
PASSWORD_HASHERS = [
    "zzip.hashers.Argon2idPasswordHasher",
    # Only the one-time passwords the system generates (zzip.hashers); never a chosen one.
    "zzip.hashers.OneTimePasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "districts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "districts.passwords.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
]
# A new account, or one whose password an administrator set, changes it at first login;
# every password expires after PASSWORD_MAX_AGE_DAYS (0: never).
PASSWORD_CHANGE_AT_FIRST_LOGIN = env_bool("PASSWORD_CHANGE_AT_FIRST_LOGIN", True)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)

# Lockout (django-axes): 5 failures lock the account for 30 minutes. Locking a whole address
# as well (LOGIN_LOCK_BY_ADDRESS=1) suits a site reached from many addresses; behind one
# government NAT it would let one clerk's typing lock out everybody, the office included.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = (
    ["username", "ip_address"] if env_bool("LOGIN_LOCK_BY_ADDRESS", False) else ["username"]
)
# Its own admin pages are English and duplicate 「被锁定的账号」 and the audit log.
AXES_ENABLE_ADMIN = False
# axes.W006 warns that without the address an attacker could rotate user agents or cookies;
# locking by user name does not depend on either, and the address is left out on purpose
# (see above). With LOGIN_LOCK_BY_ADDRESS=1 the warning does not arise.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# The same, but with an enrolled second factor the failures are cleared by the code, not the
# password; failed codes count as failed sign-ins (districts.signin.second_factor_failed).
AXES_HANDLER = "districts.lockout.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "districts/locked_out.html"
AXES_USERNAME_CALLABLE = "districts.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "districts.lockout.client_ip"
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Second factor (TOTP, django-otp): roles listed here must use one, e.g. "office,sysadmin,auditor".
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", [])


def _otp_issuer(device):
    """The authenticator app names the system as the installation calls itself."""
    from districts.models import Wording

    return Wording.current().system_name


OTP_TOTP_ISSUER = _otp_issuer

# `python manage.py demo` creates accounts with a published password: only in development
# (DEBUG) or where explicitly allowed (the test suite), never under production settings.
ALLOW_DEMO = env_bool("ALLOW_DEMO", DEBUG)

# The key of the audit log's hash chain (HMAC-SHA256). Set it in production and never change
# it: records written under another key no longer verify. Defaults to SECRET_KEY.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
# The file outside the database where each committed audit record appends its id, the chain's
# length and its hash (audit.anchor), so `verify_audit` sees records cut off the end. It only
# grows; production keeps it in the service's state directory (deploy/zzip.env.example).
# Empty: no anchor (verify_audit warns).
AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE", str(BASE_DIR / "var" / "audit-anchor.log"))

# The admin's address; change it so that it is not where scanners look first.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "indicators:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # ECharts comes from npm (package.json) and is served as our own static file.
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# Without `collectstatic` (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
# Production serves the hashed, compressed copies that `collectstatic` writes (long-cached by
# nginx); that storage fails on any page until collectstatic has run, so development (DEBUG)
# and the tests (STATIC_MANIFEST=0 in pyproject.toml) keep the plain storage.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Upload limit for spreadsheets and forms (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- Spreadsheets in and out (django-import-export; indicators.resources, indicators.sheets) ---
# A spreadsheet larger than this is refused with a message, in the admin's imports, the
# target sheet and the district template alike (DATA_UPLOAD_MAX_MEMORY_SIZE does not count
# uploaded files). A proxy in front should allow a little more, so the message is ours.
SPREADSHEET_UPLOAD_MAX_BYTES = env_int("SPREADSHEET_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# An issued circular's PDF, by LibreOffice where installed (circulars.pdf); 0: never.
CIRCULAR_PDF = env_bool("CIRCULAR_PDF", True)
# An admin import waits here between its preview and its confirmation (at most an hour), in a
# folder of ours, never the shared temporary folder.
IMPORT_UPLOAD_DIR = Path(os.environ.get("IMPORT_UPLOAD_DIR", "") or BASE_DIR / "var" / "imports")
# Only xlsx and csv, for any admin using django-import-export; indicators.resources uses
# subclasses of these that also read GB18030 CSV and check formulas and merged cells.
from import_export.formats import base_formats  # noqa: E402  (settings stay one flat file)

IMPORT_EXPORT_FORMATS = [base_formats.XLSX, base_formats.CSV]
# An import is all or nothing: one transaction, rolled back on any bad row.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The audit log records imports; the admin's LogEntry would only repeat it.
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# A safety net for exports outside indicators.resources: the library drops a leading "=".
# The resources escape = + - @ themselves with an apostrophe and keep numbers as numbers.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# E-mail is optional: reminders always go to the in-app notices, and by e-mail as well only
# where an SMTP server is configured (EMAIL_HOST) or NOTIFY_BY_EMAIL=1 with another backend.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zzip@localhost")
NOTIFY_BY_EMAIL = env_bool("NOTIFY_BY_EMAIL", bool(EMAIL_HOST))

# The client address for the audit log and lockout comes from nginx's X-Real-IP only when
# the site is behind that proxy (deploy/zzip.env.example sets it); otherwise anybody could
# choose their own address with a header.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The REST API (api/): personal tokens, JSON only, pages of at most 500, a rate per token
# counted in the shared cache (CACHES above), so that every worker counts the same requests.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)
API_RATE = os.environ.get("API_RATE", "120/minute")
if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE):
    raise ImproperlyConfigured(f"API_RATE must be like 120/minute, not {API_RATE!r}")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.limits.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.limits.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zzip 知识产权指标数据接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Transport, headers and CSP
# Production is the default: with DEBUG off the site assumes TLS in front (nginx terminates it,
# deploy/nginx/zzip.conf). HTTPS=0 is for plain-http set-ups such as the browser tests.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A year, as `check --deploy` asks. "preload" in the header does not put the domain on the
# browsers' preload list; that takes a manual submission, which nobody should make lightly.
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# nginx overwrites this header on every request, so a client cannot forge it; never expose
# gunicorn directly, or a client could claim https on a plain connection.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Everything from our own origin, nothing inline: our JavaScript is in static/js/ and ECharts
# is served from our static files. The Django admin (5.2) needs no inline script or style.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "object-src": ["'none'"],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
    },
}

"""Django settings, all taken from the environment (see docs/configuration.md).

KIEUMAU_DATABASE_URL   database URL (default: SQLite file var/kieumau.sqlite3)
KIEUMAU_DEBUG          "1" for debug pages (default off)
KIEUMAU_SECRET_KEY     secret key (default: generated once into var/secret_key)
KIEUMAU_ALLOWED_HOSTS  comma-separated host names (default: 127.0.0.1,localhost)
KIEUMAU_SECURE         "1" behind HTTPS: secure cookies, HSTS, SSL redirect
KIEUMAU_EMAIL_URL      "smtp://host:port" or "console" (default: console)
KIEUMAU_EVIDENCE_MAX_BYTES        largest evidence file (default 20 MB)
KIEUMAU_EVIDENCE_STORAGE          storage backend of evidence files (default: var/evidence)
KIEUMAU_EVIDENCE_STORAGE_OPTIONS  JSON options of that backend
"""

import json
import os
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from kieumau.config.paths import project_root, var_dir
from kieumau.config.secret import load_or_create_secret_key


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


BASE_DIR = project_root()
VAR_DIR = var_dir()
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = load_or_create_secret_key(VAR_DIR)
DEBUG = _flag("KIEUMAU_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KIEUMAU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KIEUMAU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "kieumau.core",
    "kieumau.accounts",
    "kieumau.orgunits",
    "kieumau.audit",
    "kieumau.criteria",
    "kieumau.datavalues",
    "kieumau.evaluation",
    "kieumau.notifications",
    "kieumau.assessments",
    "kieumau.plans",
    "kieumau.workitems",
    "kieumau.feedback",
    "kieumau.reports",
    "kieumau.dashboards",
    "kieumau.web",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "django_htmx",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kieumau.core.middleware.RequestIdMiddleware",
    "kieumau.core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kieumau.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kieumau.config.urls"
WSGI_APPLICATION = "kieumau.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(PACKAGE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kieumau.web.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KIEUMAU_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kieumau.sqlite3'}",
        conn_max_age=int(os.environ.get("KIEUMAU_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("KIEUMAU_TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "kieumau.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["kieumau.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: this many failures per username (or 4x per client address) inside the window
# lock further attempts until the window has passed.
KIEUMAU_LOGIN_MAX_FAILURES = int(os.environ.get("KIEUMAU_LOGIN_MAX_FAILURES", "5"))
KIEUMAU_LOGIN_WINDOW_SECONDS = int(os.environ.get("KIEUMAU_LOGIN_WINDOW_SECONDS", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False
SECURE = _flag("KIEUMAU_SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [os.path.join(PACKAGE_DIR, "locale")]
FORMAT_MODULE_PATH = ["kieumau.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [os.path.join(PACKAGE_DIR, "static")]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)


def _evidence_storage() -> dict:
    """The "evidence" storage: files under var/evidence, or the backend the environment names.

    KIEUMAU_EVIDENCE_STORAGE is a Django storage class's dotted path (for S3-compatible object
    storage, django-storages' "storages.backends.s3.S3Storage"), KIEUMAU_EVIDENCE_STORAGE_OPTIONS
    a JSON object of its options. A malformed value stops the start-up with a clear message
    instead of silently writing evidence somewhere else.
    """
    backend = os.environ.get("KIEUMAU_EVIDENCE_STORAGE", "").strip()
    if not backend:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": VAR_DIR / "evidence",
                "file_permissions_mode": 0o640,
                "directory_permissions_mode": 0o750,
            },
        }
    raw = os.environ.get("KIEUMAU_EVIDENCE_STORAGE_OPTIONS", "").strip() or "{}"
    try:
        options = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"KIEUMAU_EVIDENCE_STORAGE_OPTIONS is not valid JSON: {exc}"
        ) from exc
    if not isinstance(options, dict):
        raise ImproperlyConfigured("KIEUMAU_EVIDENCE_STORAGE_OPTIONS must be a JSON object")
    return {"BACKEND": backend, "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "evidence": _evidence_storage(),
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Largest workbook accepted by the Excel import (web upload, background job, `kieumau data
# import`); bigger files are refused before they are read. A province workbook of 72,000 values
# is about 0.5 MB.
KIEUMAU_UPLOAD_MAX_BYTES = int(os.environ.get("KIEUMAU_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Largest evidence file (PDF, image, Word, Excel) a unit may upload; bigger files are refused
# before they are read.
KIEUMAU_EVIDENCE_MAX_BYTES = int(
    os.environ.get("KIEUMAU_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024))
)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kieumau_cache",
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

_email = os.environ.get("KIEUMAU_EMAIL_URL", "console")
if _email == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    _parsed = urlparse(_email)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _parsed.hostname or "localhost"
    EMAIL_PORT = _parsed.port or 25
    EMAIL_HOST_USER = _parsed.username or ""
    EMAIL_HOST_PASSWORD = _parsed.password or ""
    EMAIL_USE_TLS = _parsed.scheme == "smtp+tls"
DEFAULT_FROM_EMAIL = os.environ.get("KIEUMAU_FROM_EMAIL", "kieumau@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KIEUMAU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 100

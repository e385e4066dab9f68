"""Settings of the smart-city progress portal.

Everything that differs between the demo, the test suite and a ministry data
centre comes from environment variables (see README.md, "Configuration", and
.env.example). With none set, the portal runs as a self-contained demo on a
SQLite file under var/ with background tasks executed in-process.
"""
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from pythonjsonlogger.core import RESERVED_ATTRS

from smartcity_portal import env
from smartcity_portal.licences import LICENCES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# --- Core -------------------------------------------------------------------

DATABASE_URL = env.get_url(
    "DATABASE_URL", schemes={"postgres", "postgresql", "sqlite"}
)
# The demo (no DATABASE_URL) runs on SQLite with the demo key, but with DEBUG off like the
# portal itself: visitors see its own error pages, not Django's technical ones.
DEMO_DEFAULTS = DATABASE_URL is None
DEBUG = env.get_bool("DEBUG", default=False)

SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or DEMO_DEFAULTS):
        raise ImproperlyConfigured(
            "Environment variable SECRET_KEY must be set when DEBUG is off."
        )
    SECRET_KEY = "demo-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.get_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the portal that append to X-Forwarded-For; 0 = the header is
# ignored. Decides the client address of lock-outs, throttles and logs (clientaddress.py).
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "smartcity_portal.accounts",
    "provinces",
    "programmes",
    "indicators",
]

MIDDLEWARE = [
    "smartcity_portal.middleware.RequestIdMiddleware",
    # Anonymous visitors' public pages, answered whole from the cache before anything else runs.
    "smartcity_portal.pagecache.PublicPageCacheMiddleware",
    # ETag and 304 Not Modified for API reads (what a syncing client already has is not sent again).
    "smartcity_portal.middleware.ApiConditionalGetMiddleware",
    # 503 with a clear message, not 500, while PostgreSQL cannot be reached.
    "smartcity_portal.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form posted after the session ended reaches the sign-in page with "session=ended".
    "smartcity_portal.middleware.SessionEndedMiddleware",
    # An empty 405 on a page becomes the portal's page (templates/405.html).
    "smartcity_portal.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "smartcity_portal.middleware.RequestLogMiddleware",
    # After authentication, so that it sees the outcome for throttling.
    "axes.middleware.AxesMiddleware",
    # Signed-in visitors' public pages, one copy per account: last, so that only the view is skipped.
    "smartcity_portal.pagecache.SignedInPageCacheMiddleware",
]

ROOT_URLCONF = "smartcity_portal.urls"
WSGI_APPLICATION = "smartcity_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartcity_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

if DATABASE_URL:
    # Health checks: a persistent connection broken by a database restart is
    # replaced at the next request instead of failing it.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Fail fast (then 503) rather than hang when the server does not answer.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "demo.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo: readers must not block a sign-in (write-ahead log), and a write
    # waits its turn rather than failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ------------------------------------------

REDIS_URL = env.get_url("REDIS_URL", schemes={"redis", "rediss", "unix"})
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.get_str("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {
                # While Redis is down the cache behaves as an empty cache and the
                # portal serves everything from PostgreSQL (smartcity_portal/cache.py).
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the demo runs every task in-process, at once.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
# ... and a long import or export in a thread of its own, so that its page answers at once and
# shows the progress bar (indicators.jobs._enqueue), instead of a page frozen until the job ends.
JOBS_RUN_IN_THREAD = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A request must not hang on a down broker: one immediate reconnect, one publish
# retry, then the error; the event stays in the outbox and the sweep queues it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "connect_retries_timeout": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Background work (docs/background.md).
OUTBOX_SWEEP_AFTER_SECONDS = env.get_int("OUTBOX_SWEEP_AFTER_SECONDS", 120, minimum=0)
# The files of import and export jobs (the uploaded file, the export) are deleted this many
# days after the job finished; the job's record, message and row report stay.
JOB_FILES_KEEP_DAYS = env.get_int("JOB_FILES_KEEP_DAYS", 30, minimum=1)
# An import or export job is stopped after this many seconds (Celery's soft time limit: it
# fails with a reason and keeps nothing); its worker process is killed a minute later (the
# hard limit), and the sweep marks failed any job still "running" after that. At most 55
# minutes, so that Redis never hands a running job's task to a second worker (its visibility
# timeout is an hour).
JOB_TIME_LIMIT_SECONDS = env.get_int("JOB_TIME_LIMIT_SECONDS", 900, minimum=60, maximum=3300)
WEBHOOK_RETRY_BASE_SECONDS = env.get_float("WEBHOOK_RETRY_BASE_SECONDS", 30.0, minimum=0.0)
WEBHOOK_MAX_ATTEMPTS = env.get_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1, maximum=20)
WEBHOOK_TIMEOUT_SECONDS = 5
# Webhooks to loopback and private addresses are refused unless this is on (tests, labs).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.get_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
# Absolute links in e-mails and webhook events, e.g. https://portal.example.gov.vn
PORTAL_BASE_URL = env.get_str("PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")
# The licence of the open data (/data/, releases, the DCAT catalogue): an SPDX identifier
# of smartcity_portal/licences.py.
OPEN_DATA_LICENSE = env.get_choice("OPEN_DATA_LICENSE", "CC-BY-4.0", choices=LICENCES)
# Day of the week (0 = Monday) from which reviewers get the weekly digest.
REVIEWER_DIGEST_WEEKDAY = env.get_int("REVIEWER_DIGEST_WEEKDAY", 0, minimum=0, maximum=6)
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "programmes.tasks.sweep_outbox", "schedule": 60.0},
    "deadline-reminders": {
        "task": "programmes.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "delete-old-job-files": {
        "task": "indicators.tasks.delete_old_job_files",
        "schedule": crontab(hour=2, minute=30),
    },
    "fail-overdue-jobs": {"task": "indicators.tasks.fail_overdue_jobs", "schedule": 60.0},
}

# --- Authentication -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},  # OWASP ASVS 4.0 level 2, 2.1.1
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session ends this long after it was last written. Pages do not write it (no SESSION_SAVE_EVERY_REQUEST:
# a write per page); an officer typing in a long form keeps it alive through /accounts/session/, asked by
# static/js/drafts.js at most every few minutes, and written at most once a minute.
SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions are read from the cache and written through to the database, so a
# page costs no session query; with Redis down they are read from the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.get_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
# The pair: five failures lock that user name from that client only. A flat list would
# lock by either, and behind the proxy one person could lock out every colleague.
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "smartcity_portal.clientaddress.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Password reset e-mails per address and per client in a window; over either limit the
# page says so and sends nothing (accounts.services.count_password_reset).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.get_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.get_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = env.get_int("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)

# --- Internationalisation -------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
# Day first in both languages (smartcity_portal/formats): 15/10/2026 14:30.
FORMAT_MODULE_PATH = ["smartcity_portal.formats"]
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.get_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or DEMO_DEFAULTS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The demo and development serve the files of static/ as they are, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or DEMO_DEFAULTS
WHITENOISE_AUTOREFRESH = DEBUG or DEMO_DEFAULTS
UPLOAD_MAX_BYTES = env.get_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# All the evidence files of one report together, those already attached included.
EVIDENCE_MAX_BYTES_PER_REPORT = env.get_int("EVIDENCE_MAX_BYTES_PER_REPORT", 50 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The guard notes the files Django's parser would drop without a word (names
# that are not UTF-8), so that the form can refuse them with an error.
FILE_UPLOAD_HANDLERS = [
    "programmes.uploads.UnreadableNameGuard",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail -----------------------------------------------------------------

EMAIL_BACKEND = env.get_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.get_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.get_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "portal@localhost")
# Directory of the file-based e-mail backend (django.core.mail.backends.filebased.EmailBackend).
EMAIL_FILE_PATH = env.get_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Reporting rules ------------------------------------------------------------

REPORT_DUE_DAYS = env.get_int("REPORT_DUE_DAYS", 15, minimum=0, maximum=120)
# A value that moves by more than this factor from last quarter needs confirming.
REPORT_CHANGE_WARNING_FACTOR = env.get_float(
    "REPORT_CHANGE_WARNING_FACTOR", 3.0, minimum=1.0
)
REMINDER_DAYS_BEFORE_DUE = env.get_int("REMINDER_DAYS_BEFORE_DUE", 5, minimum=0)

# --- REST API -------------------------------------------------------------------

API_PAGE_SIZE = env.get_int("API_PAGE_SIZE", 50, minimum=1, maximum=1000)
API_MAX_PAGE_SIZE = env.get_int("API_MAX_PAGE_SIZE", 500, minimum=1, maximum=10000)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "smartcity_portal.accounts.api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        # First: a parameter the list does not know is a 400, not a silently wider answer.
        "smartcity_portal.api.strict.StrictQueryParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # DRF's three parsers, with JSON nested too deeply for Python answered as a parse error.
    "DEFAULT_PARSER_CLASSES": [
        "smartcity_portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "smartcity_portal.api.pagination.PortalPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "smartcity_portal.api.throttling.AnonWindowThrottle",
        "smartcity_portal.api.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.get_str("API_THROTTLE_ANON", "120/minute"),
        "user": env.get_str("API_THROTTLE_USER", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "smartcity_portal.api.exceptions.exception_handler",
}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vietnam smart-city progress portal API",
    "DESCRIPTION": "Reference data, quarterly progress reports and approved results.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The same document in every language: no names from translated labels (docs/integrators.md).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "smartcity_portal.api.schema.portal_postprocessing",
    ],
    "SERVERS": [{"url": "/", "description": "This portal"}],
    "CONTACT": {"name": "The portal's administrators (Ministry of Construction)"},
    "LICENSE": {"name": "Open data: CC-BY-4.0 (OPEN_DATA_LICENSE)", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: the docs page calls nothing outside the portal.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids by resource ("reports"), not by the common "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Three models have a "status" field with different choices; name each set.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "programmes.models.ReportStatus",
        "ProgressStatusEnum": "programmes.models.ProgressStatus",
        "ProgrammeStatusEnum": "programmes.models.ProgrammeStatus",
        "ProjectStatusEnum": "programmes.models.ProjectStatus",
        "FundingSourceEnum": "programmes.models.FundingSource",
        "NodeKindEnum": "indicators.models.NodeKind",
        "AnswerKindEnum": ["progress", "criterion"],
        "FrameworkStatusEnum": "indicators.models.FrameworkStatus",
        "CycleEnum": "indicators.models.Cycle",
    },
}

# --- Security -------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
HTTPS = env.get_bool("HTTPS", default=not DEBUG and not DEMO_DEFAULTS)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging --------------------------------------------------------------------

LOG_LEVEL = env.get_str("LOG_LEVEL", "INFO")
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"Environment variable LOG_LEVEL={LOG_LEVEL!r} is not a log level.")
LOG_FORMAT = env.get_str("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"Environment variable LOG_FORMAT={LOG_FORMAT!r} must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "smartcity_portal.logging.RequestIdFilter"},
        "redact": {"()": "smartcity_portal.logging.RedactFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Django passes the request to its records (django.request, django.security); written
            # out it is its repr, with the query string. The message already names the path.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Requests are logged once, by RequestLogMiddleware, without query strings.
        "django.server": {"level": "WARNING"},
    },
}

# Adds /_benchmark/baseline, a trivial view behind the same middleware (benchmarks/ only).
BENCHMARK = env.get_bool("BENCHMARK", False)

# --- Content-Security-Policy --------------------------------------------------------
# Every script and style is a file served by the portal: no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

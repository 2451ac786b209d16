"""Listening Post settings: one module, driven by the environment (see README.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import Env, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
env = Env()

# Safe by default: production behaviour unless DJANGO_DEBUG=true says otherwise. A host that
# forgets a variable refuses to start rather than run in debug mode or with a known key.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# HTTPS-only cookies, HSTS and the redirect to HTTPS: on unless VOC_HTTPS=false (make run serves
# plain http on 127.0.0.1) or in debug mode.
VOC_HTTPS = env.bool("VOC_HTTPS", not DEBUG)
SECRET_KEY = env.str("DJANGO_SECRET_KEY") or ""
_KEY_FILE = env.str("VOC_SECRET_KEY_FILE") or (str(VAR_DIR / "secret_key") if DEBUG else "")
if not SECRET_KEY and _KEY_FILE:
    SECRET_KEY = secret_key_from_file(Path(_KEY_FILE))
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set (or VOC_SECRET_KEY_FILE, a file the key is kept in, for a "
        "single-machine install; make run uses var/secret_key)."
    )
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "voc",
    "insights",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files answer here, before the headers below
    "voc.middleware.SecurityHeadersMiddleware",  # Cache-Control: no-store and Content-Security-Policy
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "voc.input_guard.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "voc.middleware.UserLanguageMiddleware",
    "voc.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "voc.context_processors.navigation",
                "insights.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env.str("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL (got {CACHE_URL!r}).")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# People
AUTH_USER_MODEL = "voc.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "voc.accounts.signin_limits.SignInLimitBackend",  # refuses before any password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: told of every password change (form, admin, add_user), it revokes API tokens.
    {"NAME": "voc.accounts.api_tokens.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("VOC_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("VOC_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "voc.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # the audit log records sign-ins
# How many reverse proxies in front add to X-Forwarded-For; the header is trusted that far only
# (axes, the limits below, DRF's throttles and the audit log all read the address the same way).
VOC_PROXY_COUNT = env.int("VOC_PROXY_COUNT", 0, minimum=0)
AXES_IPWARE_PROXY_COUNT = VOC_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "voc.accounts.signin_limits.client_address"
# And per address alone (password spraying: many usernames from one place; an office behind one
# NAT address shares it, hence higher) and per username alone (one username from many places),
# counted in the cache over the cool-off window (voc/signin_limits.py).
VOC_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("VOC_LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
VOC_LOGIN_USERNAME_FAILURE_LIMIT = env.int("VOC_LOGIN_USERNAME_FAILURE_LIMIT", 10, minimum=1)
# API tokens expire this many days after they were issued (a new one is issued on sign-in).
VOC_API_TOKEN_DAYS = env.int("VOC_API_TOKEN_DAYS", 90, minimum=1)

# Language and time
LANGUAGE_CODE = env.choice("VOC_DEFAULT_LANGUAGE", "en", ["en", "es", "gl"])
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("gl", _("Galician"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date and number formats where Django's differ from what our readers write
# (config/formats/en: day/month/year and 24-hour times as in the UK, not Django's US defaults;
# config/formats/gl: day/month/year with slashes). Spanish uses Django's own.
FORMAT_MODULE_PATH = ["config.formats"]
# Numbers are written without thousand separators in every language: they also appear in
# attributes, CSV cells and chart data, where "1.234" or "1,234" would be misread.
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = env.str("VOC_TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True

# Static files, shipped with the project and served by whitenoise
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names once collectstatic has written its manifest (production, make
        # run); a checkout that has not run it serves static/ as it is.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and (STATIC_ROOT / "staticfiles.json").exists()
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve files straight from static/ as well, so a checkout works before collectstatic has run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env.str("VOC_MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")

# E-mail (Django's own names)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Listening Post <listening-post@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: JSON only, time limits, schedules in the database so admins can edit them.
CELERY_BROKER_URL = env.broker("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    # An hour, on purpose: a task taken by a worker that died is handed out again after this,
    # but so would be a task still running (seed_demo_themes may take an hour) or waiting for
    # its countdown (deliver comes back up to 16 minutes later), which a shorter timeout would
    # run twice. Stopped work resumes sooner through the sweeps below, which are safe twice.
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    (BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 540, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Default schedules: created once (post-migrate) and then owned by admins in Django admin.
VOC_DEFAULT_SCHEDULES = {
    "Heartbeat (the admin's home page shows workers alive)": {"task": "voc.tasks.heartbeat", "crontab": "* * * * *"},
    "Purge expired sessions and login attempts": {
        "task": "voc.tasks.purge_expired",
        "crontab": "30 3 * * *",
    },
    "Embed notes that have no vector yet": {"task": "insights.tasks.backfill_vectors", "crontab": "0 2 * * *"},
    # Notes whose queued message was lost (e.g. a broker restarted without persistence).
    "Embed recent notes the queue missed": {"task": "insights.tasks.sweep_vectors", "crontab": "10 * * * *"},
    "Discover emerging themes": {"task": "insights.tasks.discover", "crontab": "15 2 * * *"},
    # Triggers keep the dashboard's roll-up exact; the nightly job checks it and recounts only if it drifted.
    "Check the dashboard's daily roll-up (recount if it drifted)": {
        "task": "insights.tasks.rebuild_dashboard_rollup",
        "crontab": "40 3 * * *",
    },
    "Refit the theme classifier": {"task": "insights.tasks.refit_classifier", "crontab": "45 2 * * *"},
    # A question asked or confirmed while no worker ran is matched to past notes here (a no-op otherwise).
    "Match past notes to new or changed questions": {
        "task": "insights.tasks.rescan_questions",
        "crontab": "*/10 * * * *",
    },
    "Detect rising themes (spikes)": {"task": "insights.tasks.detect_spikes", "crontab": "0 6 * * 1"},
    "Alert on bursts in the last hour": {"task": "insights.tasks.run_alerts", "crontab": "*/15 * * * *"},
    # Claims make each of these a no-op for what was sent; they resume what a dead worker left.
    "Send following e-mails and webhook calls that wait": {
        "task": "insights.tasks.send_waiting",
        "crontab": "*/5 * * * *",
    },
    "Daily digests of what people follow": {"task": "insights.tasks.daily_digests", "crontab": "0 7 * * *"},
    "Weekly digests and agents' 'what happened'": {"task": "insights.tasks.weekly_digests", "crontab": "30 7 * * 1"},
    "Draft the weekly newsletter": {"task": "newsletter.tasks.draft_weekly_issue", "crontab": "0 7 * * 1"},
    "Send approved newsletters whose time has come": {"task": "newsletter.tasks.send_due", "crontab": "*/10 * * * *"},
    # A send whose worker died resumes within minutes, not after the broker's visibility timeout.
    "Resume stalled newsletter sends": {"task": "newsletter.tasks.resume_deliveries", "crontab": "*/5 * * * *"},
    "Render and send the monthly head-office pack": {"task": "newsletter.tasks.monthly_pack", "crontab": "0 7 1 * *"},
    # Runs every weekday; it assigns only on the first working day of the month (and is safe twice).
    "Assign the monthly complaint cases": {"task": "voc.tasks.assign_cases", "crontab": "0 7 * * 1-5"},
    "Remind and escalate ageing complaint cases": {"task": "voc.tasks.case_reminders", "crontab": "0 8 * * 1-5"},
    "Nudge people behind on listening": {"task": "voc.tasks.listening_nudges", "crontab": "0 9 * * 1"},
    # Hourly: resumes imports whose worker died; deletes import files past VOC_IMPORT_RETENTION_DAYS.
    "Resume stalled imports and delete expired import files": {
        "task": "voc.tasks.import_housekeeping",
        "crontab": "20 * * * *",
    },
}

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call is answered 401 with WWW-Authenticate.
        "voc.accounts.authentication.TokenAuthentication",  # DRF's, in one lean query (no cache)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a depth limit, and forms, all without control characters (config.api).
    "DEFAULT_PARSER_CLASSES": [
        "config.api.StrictJSONParser",
        "config.api.StrictFormParser",
        "config.api.StrictMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # The token endpoint: per address and per username. X-Forwarded-For counts for VOC_PROXY_COUNT
    # proxies only (unset, DRF would key on the whole header, which a client rewrites at will).
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("VOC_API_LOGIN_RATE", "20/min"),
        "login_username": env.str("VOC_API_LOGIN_USERNAME_RATE", "10/min"),
    },
    "NUM_PROXIES": VOC_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Listening Post API",
    "DESCRIPTION": "Voice of the customer: notes, themes, newsletters and complaint cases.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # A note's language and a person's (or webhook's) interface language are one set since
        # the interface speaks Galician too (they were NoteLanguageEnum and InterfaceLanguageEnum).
        "LanguageEnum": "config.settings.LANGUAGES",
        "NoteStatusEnum": "voc.models.Insight.Status",
        "ThemeStatusEnum": "insights.models.Theme.Status",
        "KindEnum": "voc.models.Insight.Kind",  # the name it had before notifications came
        "NotificationKindEnum": "insights.following.models.Notification.Kind",
        "QuestionStatusEnum": "insights.questions.models.Question.Status",
        "ActionStatusEnum": "insights.actions.models.Action.Status",
    },
}

# Product settings
VOC_PUBLISH_THRESHOLD = env.int("VOC_PUBLISH_THRESHOLD", 3, minimum=1)
# Burst alerts (insights.following.alerts): the rolling window, and the fewest notes that make one.
VOC_ALERT_WINDOW_MINUTES = env.int("VOC_ALERT_WINDOW_MINUTES", 60, minimum=15)
VOC_ALERT_MIN_NOTES = env.int("VOC_ALERT_MIN_NOTES", 5, minimum=1)
# Webhooks call public addresses only; a test or an all-intranet install may allow private ones.
VOC_WEBHOOK_ALLOW_PRIVATE = env.bool("VOC_WEBHOOK_ALLOW_PRIVATE", False)
# Executive programme: working days to acknowledge a case, to escalate an unacknowledged one to
# the admins, days between reminders of an open case, and the oldest complaint worth assigning.
VOC_CASE_ACK_WORKING_DAYS = env.int("VOC_CASE_ACK_WORKING_DAYS", 2, minimum=1)
VOC_CASE_ESCALATE_WORKING_DAYS = env.int("VOC_CASE_ESCALATE_WORKING_DAYS", 4, minimum=1)
VOC_CASE_REMINDER_DAYS = env.int("VOC_CASE_REMINDER_DAYS", 7, minimum=1)
VOC_CASE_COMPLAINT_MAX_AGE_DAYS = env.int("VOC_CASE_COMPLAINT_MAX_AGE_DAYS", 60, minimum=1)
# Listening commitments, in minutes: executives each week, everyone each year.
VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES = env.int("VOC_LISTEN_EXECUTIVE_WEEKLY_MINUTES", 60, minimum=0)
VOC_LISTEN_YEARLY_MINUTES = env.int("VOC_LISTEN_YEARLY_MINUTES", 480, minimum=0)
# Absolute address of the intranet, for links in e-mails (unsubscribe, archive, PDFs); by default
# where `make run` serves it (VOC_PORT). A wrong one is a start-up warning and on the admins' home.
VOC_SITE_URL = env.str("VOC_SITE_URL", f"http://127.0.0.1:{env.int('VOC_PORT', 8000, minimum=1)}")
# CSV imports: the largest upload and the most rows one file may have (larger files are refused
# with a message; split them), and the days before files of rows to fix, and uploads of abandoned
# imports, are deleted.
VOC_IMPORT_MAX_BYTES = env.int("VOC_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
VOC_IMPORT_MAX_ROWS = env.int("VOC_IMPORT_MAX_ROWS", 200_000, minimum=1)
VOC_IMPORT_RETENTION_DAYS = env.int("VOC_IMPORT_RETENTION_DAYS", 30, minimum=1)
# The sentence encoder (insights/nlp.py). Changing it: run `themes backfill` to embed every note
# again; until then notes embedded by the other encoder are left out of grouping and assignment
# (English notes embedded by `minilm` already hold `pair`'s vector and are taken over as they are).
VOC_ENCODERS = ("pair", "minilm", "use-multilingual")
VOC_ENCODER = env.choice("VOC_ENCODER", "pair", list(VOC_ENCODERS))
VOC_ASSIGN_THRESHOLD = float(env.str("VOC_ASSIGN_THRESHOLD", "0.5") or "0.5")
VOC_SPIKE_MIN_COUNT = env.int("VOC_SPIKE_MIN_COUNT", 5, minimum=1)
VOC_SPIKE_RATIO = float(env.str("VOC_SPIKE_RATIO", "2.0") or "2.0")

# Security: strict over HTTPS (manage.py check --deploy is clean with the defaults).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("VOC_SESSION_HOURS", 12, minimum=1) * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The dashboard's covering index and its roll-up's unique keys (INCLUDE columns, NULLS NOT
# DISTINCT) are PostgreSQL's: the roll-up is kept and read on PostgreSQL only, and SQLite (the
# embedded default) counts from the notes, so these warnings say nothing a reader can act on.
SILENCED_SYSTEM_CHECKS = ["models.W039", "models.W040", "models.W047"]
if VOC_HTTPS:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", False)
    if env.bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; fontTools every subset.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

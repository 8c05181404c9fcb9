"""Settings for PMC Lifecycle, read from the environment.

Development defaults (a throw-away SECRET_KEY, localhost hosts, plain-HTTP cookies) apply
only when DEBUG is on. With DEBUG off every secret must come from the environment and the
HTTPS hardening is on unless explicitly switched off (for a plain-HTTP embedded run).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from pmc.env import env_bool, env_int, env_list, env_rate, env_str
from pmc.sso_settings import form_action_origins, sso_providers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PMC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))', or set DEBUG=1 "
            "for a local development run."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pmc",
    "proposals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person is who acted in the audit events of what the request changes
    # without naming an actor (the admin's forms for users and groups).
    "proposals.acting.ActingPersonMiddleware",
    # Single sign-on (django-allauth) and second factors (django-otp): see the end.
    "allauth.account.middleware.AccountMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The signed-in reader's time zone for the dates of every page.
    "proposals.time_zones.ReaderTimeZoneMiddleware",
    # A page asks about its reader's seats once (proposals.permissions).
    "proposals.permissions.SeatsReadOnceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: a chair's or staff member's POST without a second factor is
    # sent to set it up or confirm it (pmc.second_factor).
    "pmc.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in, even with the right password, while locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "pmc.urls"
WSGI_APPLICATION = "pmc.wsgi.application"

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
                "proposals.context_processors.outbox_backlog",
                "proposals.context_processors.audit_alert",
                "proposals.context_processors.unread_notifications",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if url is None:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite ignores SELECT ... FOR UPDATE: IMMEDIATE transactions take the write
        # lock up front, so two writers serialise instead of failing at commit time.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# dumpdata/loaddata keep times to the microsecond, as the audit log's hashes need.
SERIALIZATION_MODULES = {"json": "pmc.serializers.json", "jsonl": "pmc.serializers.jsonl"}

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Accounts (README "Accounts and seats"). A password-reset link works for
# PASSWORD_RESET_MINUTES (60) and once: Django's token covers the password hash and the
# last sign-in, so setting the password or signing in spends it. An e-mail change is
# confirmed from the new address within PMC_EMAIL_CHANGE_HOURS (24); an invitation to
# a committee is accepted within PMC_INVITATION_DAYS (14), once.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
if PASSWORD_RESET_TIMEOUT < 60:
    raise ImproperlyConfigured("PASSWORD_RESET_MINUTES: expected 1 or more.")
PMC_EMAIL_CHANGE_HOURS = env_int("PMC_EMAIL_CHANGE_HOURS", 24)
PMC_INVITATION_DAYS = env_int("PMC_INVITATION_DAYS", 14)
if PMC_EMAIL_CHANGE_HOURS < 1 or PMC_INVITATION_DAYS < 1:
    raise ImproperlyConfigured(
        "PMC_EMAIL_CHANGE_HOURS and PMC_INVITATION_DAYS: expected 1 or more."
    )

# Outgoing webhooks (README "Webhooks"): with this off (the default unless DEBUG) they go
# to https:// addresses on public networks only, never to this site's own network.
PMC_WEBHOOKS_ALLOW_PRIVATE = env_bool("PMC_WEBHOOKS_ALLOW_PRIVATE", DEBUG)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "proposals:home"
LOGOUT_REDIRECT_URL = "proposals:home"

# Public read, like the foundation's public notes; 0 makes every page members-only.
PMC_PUBLIC_READ = env_bool("PMC_PUBLIC_READ", True)
# Public pages served again to anonymous readers while nothing new is recorded, for at
# most this many seconds (proposals.page_cache); 0 turns it off.
PMC_PAGE_CACHE_SECONDS = env_int("PMC_PAGE_CACHE_SECONDS", 60)

# HTTPS hardening: on by default in production. SECURE_COOKIES=0 switches it off for a
# plain-HTTP run (e.g. the embedded default on localhost with DEBUG off).
_HTTPS = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
# Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client's address for
# login throttling from X-Forwarded-For (PROXY_COUNT proxies append to it; see
# pmc.security.client_ip). Without a proxy both headers come from the client: ignored.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if PROXY_COUNT < 1:
    raise ImproperlyConfigured(f"PROXY_COUNT={PROXY_COUNT}: expected 1 or more.")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): the pages load scripts, styles and fonts from this
# site only, with no inline code; images may also come from HTTPS (pictures in meeting
# notes) and data: URLs (the empty favicon). The admin needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:", "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT failed sign-ins for one user name
# from one address lock that pair out for LOGIN_COOLOFF_MINUTES, on the site's and the
# admin's login forms alike; the right password is refused too until then. A successful
# sign-in clears the count. `manage.py axes_reset_username NAME` unlocks earlier. Across
# user names, LOGIN_ADDRESS_FAILURE_LIMIT failures from one address within the cool-off
# lock the address out (one guess at each of many names); `manage.py axes_reset_ip ADDRESS`
# unlocks it earlier.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured(f"LOGIN_FAILURE_LIMIT={AXES_FAILURE_LIMIT}: expected 1 or more.")
_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if _COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(f"LOGIN_COOLOFF_MINUTES={_COOLOFF_MINUTES}: expected 1 or more.")
AXES_COOLOFF_TIME = timedelta(minutes=_COOLOFF_MINUTES)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
if LOGIN_ADDRESS_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured(
        f"LOGIN_ADDRESS_FAILURE_LIMIT={LOGIN_ADDRESS_FAILURE_LIMIT}: expected 1 or more."
    )
AXES_HANDLER = "pmc.security.LoginAttempts"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout are refused without extending it: it ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "pmc.security.client_ip"
AXES_LOCKOUT_CALLABLE = "pmc.security.lockout_response"
# No start-up banner in every management command's output.
AXES_VERBOSE = False

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pmc-lifecycle@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that hangs must not hold a worker or the embedded jobs thread.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes reports every sign-in at INFO; failures and lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background jobs: closing votes, reminders, digests and e-mail notifications.
# With REDIS_URL, Celery workers (`celery -A pmc worker`) and one `celery -A pmc beat` run
# them; without it the web process runs them itself (proposals.embedded). See README,
# "Background jobs".
REDIS_URL = env_str("REDIS_URL")
PMC_EMBEDDED_JOBS = env_bool("PMC_EMBEDDED_JOBS", REDIS_URL is None)
PMC_EMBEDDED_TICK_SECONDS = env_int("PMC_EMBEDDED_TICK_SECONDS", 30)
# Finished audit exports, shared by the web processes and the workers; kept for
# PMC_EXPORT_KEEP_HOURS, then deleted.
PMC_EXPORT_DIR = Path(env_str("PMC_EXPORT_DIR", str(VAR_DIR / "exports")))
PMC_EXPORT_KEEP_HOURS = env_int("PMC_EXPORT_KEEP_HOURS", 72)
PMC_REMINDER_HOURS = env_int("PMC_REMINDER_HOURS", 24)
PMC_CHECKLIST_OVERDUE_DAYS = env_int("PMC_CHECKLIST_OVERDUE_DAYS", 14)
PMC_OUTBOX_ALERT_MINUTES = env_int("PMC_OUTBOX_ALERT_MINUTES", 10)
PMC_SITE_URL = env_str("PMC_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The audit log's Ed25519 key (proposals/signing.py; README, Audit). The private half
# comes from the environment only, never from the database.
AUDIT_SIGNING_KEY = env_str("AUDIT_SIGNING_KEY", "")
AUDIT_SIGNING_KEY_FILE = env_str("AUDIT_SIGNING_KEY_FILE", "")
AUDIT_PUBLIC_KEY = env_str("AUDIT_PUBLIC_KEY", "")
AUDIT_TRUSTED_KEYS = env_str("AUDIT_TRUSTED_KEYS", "")
# How often the jobs sign a checkpoint while events are written, and how long events may
# wait for one before verification fails (a checkpoint deleted, or the jobs stopped).
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 5)
AUDIT_CHECKPOINT_MAX_AGE = env_int("AUDIT_CHECKPOINT_MAX_AGE", 60)
# The longest text rendered from a form (a proposal's body, its preview) and the longest
# meeting notes file imported, in characters (see pmc.markup and README "Security").
PMC_MARKDOWN_MAX_CHARS = env_int("PMC_MARKDOWN_MAX_CHARS", 100_000)
PMC_NOTES_MAX_CHARS = env_int("PMC_NOTES_MAX_CHARS", 1_000_000)
# Discussion: the longest comment, and whether signed-in people without a seat on the
# proposal's committee may comment too (shown as non-members).
PMC_COMMENT_MAX_CHARS = env_int("PMC_COMMENT_MAX_CHARS", 20_000)
PMC_NON_MEMBER_COMMENTS = env_bool("PMC_NON_MEMBER_COMMENTS", False)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A Redis that accepts connections and never answers must not hang a caller.
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "socket_keepalive": True,
    "retry_on_timeout": False,
    "health_check_interval": 25,
    # A task is redelivered when its worker has not acknowledged it within this time;
    # every task is short, so an hour only matters after a worker died mid-task.
    "visibility_timeout": 3600,
}
CELERY_TASK_ACKS_LATE = False  # set per task, on the idempotent ones only
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "pmc.celery:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Each entry expires before the next one is due, so beat does not pile up work
    # while the workers are down; the jobs themselves catch up on their next run.
    "close-expired-votes": {
        "task": "proposals.tasks.close_expired_votes",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "drain-outbox": {
        "task": "proposals.tasks.drain_outbox",
        "schedule": 5.0,
        "options": {"expires": 30},
    },
    # Retries whose time has come (new deliveries go out with the drain after their commit).
    "deliver-webhooks": {
        "task": "proposals.tasks.deliver_webhooks",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    "send-vote-reminders": {
        "task": "proposals.tasks.send_vote_reminders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "send-chair-digests": {
        "task": "proposals.tasks.send_chair_digests",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 3600},
    },
    "sign-audit-checkpoint": {
        "task": "proposals.tasks.sign_audit_checkpoint",
        "schedule": 60.0 * AUDIT_CHECKPOINT_MINUTES,
        "options": {"expires": 60.0 * AUDIT_CHECKPOINT_MINUTES - 10},
    },
    "sweep-audit-jobs": {
        "task": "proposals.tasks.sweep_audit_jobs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "verify-audit": {
        "task": "proposals.tasks.verify_audit",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3600},
    },
}

# Single sign-on (django-allauth): OpenID Connect and GitHub, each enabled only when its
# environment variables are set (pmc.sso_settings); who a person becomes is decided in
# pmc.sso. The site's password sign-in stays Django's LoginView; allauth's own account
# pages are not mounted (pmc.sso_urls).
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "pmc.oidc",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
SOCIALACCOUNT_PROVIDERS = sso_providers()
# Starting a single sign-on posts a form here that redirects to the provider.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += form_action_origins(SOCIALACCOUNT_PROVIDERS)
ACCOUNT_ADAPTER = "pmc.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "pmc.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
# Matching by e-mail is pmc.sso's (a verified address and one account only). allauth's own
# would also wipe the password of an account whose address it has no record of verifying,
# which is every account made by staff.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if _HTTPS else "http"

# Second factor (django-otp: TOTP, with single-use recovery codes). With PMC_REQUIRE_MFA
# (on by default when DEBUG is off), staff and chairs must have one, and have confirmed it
# in the current session, before any POST (pmc.second_factor). After each wrong code the
# next try waits 2^(n-1) seconds for the n-th failure in a row (1, 2, 4, ... 512 s after 10).
PMC_REQUIRE_MFA = env_bool("PMC_REQUIRE_MFA", not DEBUG)
OTP_TOTP_ISSUER = "PMC Lifecycle"  # what authenticator apps call the account
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# The API (Django REST framework, documented by drf-spectacular): personal tokens
# (`Authorization: Bearer <token>`) or the site's session; cursor pagination throughout.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "proposals.api.authentication.TokenAuthentication",
        "proposals.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["proposals.api.scopes.TokenScope"],
    "EXCEPTION_HANDLER": "proposals.api.problems.handle",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "proposals.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "proposals.api.paging.Cursor",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Each token, each signed-in person and each anonymous address has its own budget
    # of requests (proposals.api.throttles), counted in the shared cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "proposals.api.throttles.TokenRate",
        "proposals.api.throttles.SessionRate",
        "proposals.api.throttles.AddressRate",
    ],
}
PMC_API_RATE = env_rate("PMC_API_RATE", "600/minute")
PMC_API_SESSION_RATE = env_rate("PMC_API_SESSION_RATE", "300/minute")
PMC_API_ANONYMOUS_RATE = env_rate("PMC_API_ANONYMOUS_RATE", "60/minute")

# Caches. "default" is each process's own memory: what the pages keep there (the
# lifecycle figure, the timeline's times) is keyed so that a copy per process is safe,
# and reading it costs no query. "shared" is what every process must see the same: the
# API's rate limits. Redis with REDIS_URL (every machine); without it, files under
# PMC_VAR_DIR (every process on this machine).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pmc-shared",
            # A Redis that does not answer delays a request by a second, no more
            # (the limits are then not counted).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PMC Lifecycle API",
    "DESCRIPTION": "Committees, projects, meetings, proposals, votes and the audit log.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ProposalStateEnum": "proposals.states.State"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "proposals.api.schema.closed_request_bodies",
    ],
}

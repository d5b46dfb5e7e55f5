"""Settings for the portal, read from the environment.

Every variable is listed in .env.example. The defaults are the embedded ones
(SQLite, Celery on kombu's filesystem transport): nothing needs a server.
A malformed value stops start-up with a message that names the variable.
"""

import base64
import binascii
import hashlib
import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def envint(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in envstr(name, default).split(",") if part.strip()]


DEBUG = envbool("DEBUG", False)
# The embedded demo (make run): SQLite, the filesystem broker, demo data allowed.
PORTAL_EMBEDDED = envbool("PORTAL_EMBEDDED", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not PORTAL_EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development and the embedded demo only; production refuses to start without one.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
# Rotation: the new key in SECRET_KEY, the old ones here (comma-separated) until every
# session and signed link made with them has expired.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Staff sign-in with the council's own accounts (portal/oidc.py). Installed always, so
    # the migrations are the same everywhere; switched on only by the OIDC_* settings below.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "simple_history",
    "csp",
    # Request and database figures for /metrics (portal/metrics.py adds the portal's own).
    "django_prometheus",
    "portal",
    "feedback",
    "participation",
]

MIDDLEWARE = [
    # Health probes (and /metrics) first: they answer whatever Host a probe sends.
    "portal.middleware.health_probes",
    # Every other request has an id, on its response and on every line it logs, and
    # logs one line of its own (portal/request_id.py).
    "portal.request_id.middleware",
    # Counts and times every request but the probes: first and last of the rest.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.privacy_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Choosing a language per request (set below, only when LANGUAGES offers a choice).
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.known_device",
    "portal.middleware.staff_idle_timeout",
    # Who changed a route: only a signed-in person can, so other requests skip it.
    "portal.middleware.history_for_signed_in",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
                "feedback.context_processors.unread_notifications",
                "feedback.context_processors.staff_pages",
                "feedback.context_processors.states",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same, with a health check that asks the server only when its socket says so.
        DATABASES["default"]["ENGINE"] = "portal.postgresql"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / envstr("SQLITE_PATH", "db.sqlite3")),
            # Web, worker and beat share the file: wait for a lock rather than fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis that is down is a cache miss, not an error (portal/cache.py).
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast: a request must not hang on an unreachable Redis.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if envbool("PORTAL_FAST_PASSWORD_HASHER", False):
    # Tests only: hashing with a real work factor would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: sign in with username or email; no open sign-up (invitations only).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # A children's home or college signs many people in from one address.
    "login": "120/m/ip",
    # Per (address, username) pair, or per known device (the adapter's key): never per
    # username alone, so nobody can lock another person out; and never per address, as a
    # children's home or an office signs everyone in from one. The second factor's own
    # count (allauth's, per account) is under this name too.
    "login_failed": "5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
ACCOUNT_PREVENT_ENUMERATION = True
# How long a sign-in (or "confirm it is you") lasts before changing the second factor
# asks again: long enough to install an authenticator app after making the account,
# so first-time setup asks for the password once (see AccountAdapter).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "portal.adapters.MFAAdapter"
# The code forms say when a code was refused because it had just been used; the setup
# form shows the key in groups of four.
MFA_FORMS = {
    "authenticate": "portal.adapters.AuthenticateForm",
    "reauthenticate": "portal.adapters.ReauthenticateForm",
    "activate_totp": "portal.adapters.ActivateTOTPForm",
}
# Recovery codes are shown once, straight after setup; new ones can be made later.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# allauth refuses to set up an app while an added email address is unconfirmed, against
# someone signing up with another person's address; nobody can sign up here (accounts
# come from invitations), and addresses are never confirmed (ACCOUNT_EMAIL_VERIFICATION),
# so the check would only strand staff who added one before setting up the app.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# The key that encrypts second-factor secrets in the database: a Fernet key, made with
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
# Kept out of the database; derived from SECRET_KEY when not given.
# In production both keys below must be set on their own (portal.checks, portal.E103):
# derived from SECRET_KEY, rotating it would lock every member of staff out of their
# second factor and void every invitation and tracking code.
KEYS_DERIVED = [name for name in ("MFA_ENCRYPTION_KEY", "CODE_HASH_KEY") if not envstr(name)]
MFA_ENCRYPTION_KEY = (
    envstr("MFA_ENCRYPTION_KEY")
    or base64.urlsafe_b64encode(
        hashlib.sha256(f"mfa-secrets:{SECRET_KEY}".encode()).digest()
    ).decode()
)
try:
    if len(base64.urlsafe_b64decode(MFA_ENCRYPTION_KEY)) != 32:
        raise ValueError
except (ValueError, binascii.Error):
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEY must be a Fernet key: 32 bytes, url-safe base64"
    ) from None
MFA_TOTP_ISSUER = envstr("MFA_TOTP_ISSUER", "Your Voice portal")
# Staff sign-in with the council's own accounts (Microsoft Entra ID or any OpenID Connect
# server): on only when all three of server, client id and secret are set. Accounts are
# matched to invited staff by email, never made on the fly (portal/oidc.py).
OIDC_SERVER_URL = envstr("OIDC_SERVER_URL").rstrip("/")
OIDC_CLIENT_ID = envstr("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = envstr("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = envstr("OIDC_PROVIDER_NAME", "your council account")
# The council's own second factor stands for the portal's when the ID token says one was
# used (its `amr` claim); off, staff still use their authenticator app here too.
OIDC_TRUST_MFA = envbool("OIDC_TRUST_MFA", False)
# The server vouches for every email it gives (a council's tenant, whose addresses its own
# administrators set): Entra ID sends no `email_verified` claim.
OIDC_TRUST_EMAIL = envbool("OIDC_TRUST_EMAIL", False)
_oidc_given = [bool(OIDC_SERVER_URL), bool(OIDC_CLIENT_ID), bool(OIDC_CLIENT_SECRET)]
if any(_oidc_given) and not all(_oidc_given):
    raise ImproperlyConfigured(
        "OIDC_SERVER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together"
    )
SOCIALACCOUNT_ADAPTER = "portal.oidc.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
if all(_oidc_given):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "council",  # in the redirect URI: /accounts/oidc/council/...
                "name": OIDC_PROVIDER_NAME,
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_SERVER_URL, "oauth_pkce_enabled": True},
            }
        ]
    }
# No sign-up through the council's server, no tokens kept, no email sent on linking.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# The key of the keyed hash that invitation and tracking codes are stored as; kept
# out of the database (derived from SECRET_KEY when not given).
CODE_HASH_KEY = (
    envstr("CODE_HASH_KEY") or hashlib.sha256(f"codes:{SECRET_KEY}".encode()).hexdigest()
)

# CSRF tokens live in the session, so signing out (or Exit this page) kills every open form.
CSRF_USE_SESSIONS = True
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 8, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Staff are signed out after this long without a request; young people are not.
STAFF_IDLE_MINUTES = envint("STAFF_IDLE_MINUTES", 30, minimum=1)
# The queue refreshes every 30 seconds: the same list shown again to the same person
# within this many minutes is not put on the audit record again (0: record every one).
LIST_READ_REPEAT_MINUTES = envint("LIST_READ_REPEAT_MINUTES", 5, minimum=0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE = envbool(
    "SECURE_COOKIES", not DEBUG and bool(DATABASE_URL) and not envbool("PORTAL_TESTING")
)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# Behind a reverse proxy every request comes from the proxy: rate limits must read
# the client's address from X-Forwarded-For, trusting only this many hops.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
# Plain HTTP is redirected to HTTPS in production; the health check stays reachable
# over HTTP for the container's own probe.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0, minimum=0)
# Both commit every subdomain to HTTPS (preload, for years): the council decides.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
if OIDC_SERVER_URL:
    # The sign-in button posts here, and is redirected to the council's server: browsers
    # hold a form's redirect to form-action too.
    _oidc_origin = "/".join(OIDC_SERVER_URL.split("/")[:3])
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_oidc_origin)

LANGUAGE_CODE = "en-gb"
# Each language is named in itself, so a young person finds their own in the list
# (issue 24). A catalogue is read from locale/<code>/LC_MESSAGES: `make messages` extracts
# the strings, `make compilemessages` builds the .mo files (ignored by git, built by
# `make install`). Arabic is written right to left: base.html sets dir from Django's bidi.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg"), ("ar", "العربية")]
if len(LANGUAGES) > 1:
    # With one language there is nothing to choose: every request would parse
    # Accept-Language only to activate LANGUAGE_CODE, already the default.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
# The choice is remembered for the browser (Django's set_language view), not the person:
# it is no personal data and a shared phone keeps the language of whoever set it.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE
TIME_ZONE = "Europe/London"
# Every string is marked for translation, in British English as written. With no other
# language there is nothing to look up: translation switches on with the second language
# (a catalogue lookup for each of the two dozen strings on a page cost about 1 ms).
USE_I18N = len(LANGUAGES) > 1
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# STATIC_MANIFEST=1 (the image, `make run`): collectstatic has written hashed names, each
# with a .gz and a .br beside it (Brotli installed), and WhiteNoise serves those from
# STATIC_ROOT, compressed, hashed names for a year. Finders would serve the uncompressed
# sources in their place, so they serve only when nothing was collected (tests, a
# developer's DEBUG=1 server).
STATIC_MANIFEST = envbool("STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not envstr("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Outside the demo, mail written to the console is mail lost (reset links,
# safeguarding alerts): /healthz answers 503 until EMAIL_HOST (or a backend) is set.
MAIL_GOES_NOWHERE = (
    not DEBUG
    and not PORTAL_EMBEDDED
    and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Your Voice <no-reply@example.org>")
NOTIFICATION_RETRY_SECONDS = envint("NOTIFICATION_RETRY_SECONDS", 60, minimum=1)

# GOV.UK Notify (feedback/transports.py): texts, and email too when EMAIL_TRANSPORT is
# "notify". The templates live in Notify; templates/texts/ keeps a copy of each text's
# wording, and a test holds the two sets of placeholders equal.
NOTIFY_API_KEY = envstr("NOTIFY_API_KEY")
NOTIFY_BASE_URL = envstr("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = envint("NOTIFY_TIMEOUT", 10, minimum=1)
EMAIL_TRANSPORT = envstr("EMAIL_TRANSPORT", "smtp")
if EMAIL_TRANSPORT not in ("smtp", "notify"):
    raise ImproperlyConfigured(f"EMAIL_TRANSPORT must be smtp or notify; got {EMAIL_TRANSPORT!r}")
# One Notify email template that carries a subject and a body: ((subject)), ((body)).
NOTIFY_TEMPLATE_EMAIL = envstr("NOTIFY_TEMPLATE_EMAIL")
# A text template's id in Notify, by the name of its copy in templates/texts/.
NOTIFY_TEXT_TEMPLATES = {
    "item-urgent": envstr("NOTIFY_TEMPLATE_TEXT_URGENT"),
    "urgent-escalation": envstr("NOTIFY_TEMPLATE_TEXT_URGENT_ESCALATION"),
    "update": envstr("NOTIFY_TEMPLATE_TEXT_UPDATE"),
    # A young person's news in the language they used; without an id, the English one.
    "update-cy": envstr("NOTIFY_TEMPLATE_TEXT_UPDATE_CY"),
    "update-ar": envstr("NOTIFY_TEMPLATE_TEXT_UPDATE_AR"),
}
NOTIFY_TEXT_TEMPLATES_OPTIONAL = {"update-cy", "update-ar"}
# Texts go through Notify when it has a key; without one, to SMS_BACKEND (the log).
SMS_BACKEND = envstr("SMS_BACKEND", "feedback.sms.LogBackend")
# The duty team's phones hear of a child at risk by text, as well as by email. On by
# default when Notify has a key; with DEBUG off, on without what it needs stops start-up
# (portal/checks.py).
TEXT_ALERTS = envbool("TEXT_ALERTS", bool(NOTIFY_API_KEY))
# Staff who take the daily digest get it at this hour (Europe/London), every day.
DIGEST_HOUR = envint("DIGEST_HOUR", 8, minimum=0)
if DIGEST_HOUR > 23:
    raise ImproperlyConfigured(f"DIGEST_HOUR must be 0 to 23; got {DIGEST_HOUR}")

# Celery. Embedded default: kombu's filesystem transport, which needs no server.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_FILESYSTEM_DIR = Path(envstr("CELERY_FILESYSTEM_DIR", str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    # Minutes, not hours: an unacknowledged task returns this soon after a worker dies.
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 300, minimum=30),
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://")):
    # Take queues in the order the worker lists them (urgent, default,
    # notifications): a safeguarding item never waits behind a backlog of emails.
    CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] = "priority"
if CELERY_BROKER_URL.startswith("sentinel://"):
    # Redis with Sentinel (README, "Past one machine"): kombu asks the sentinels listed in
    # the URL (sentinel://:pw@s1:26379/0;sentinel://:pw@s2:26379/0) which Redis is the
    # master of this name, and asks again after a failover.
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = envstr("CELERY_SENTINEL_MASTER")
    if not CELERY_BROKER_TRANSPORT_OPTIONS["master_name"]:
        raise ImproperlyConfigured(
            "CELERY_SENTINEL_MASTER must name the Sentinel master when CELERY_BROKER_URL "
            "is sentinel://"
        )
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(CELERY_FILESYSTEM_DIR),
        data_folder_out=str(CELERY_FILESYSTEM_DIR),
        control_folder=str(CELERY_FILESYSTEM_DIR / "control"),
        store_processed=False,
    )
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery closes the database connection around every task unless this is set,
# and a new PostgreSQL connection costs more than routing an item.
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", 1000, minimum=0)

# Young people's words are kept this long after an item closes, then anonymised.
RETENTION_DAYS = envint("RETENTION_DAYS", 365 * 2, minimum=1)
# Per kind, where a council keeps some longer (complaints for the statutory record
# and the Ombudsman, say); a kind not set here keeps RETENTION_DAYS.
RETENTION_DAYS_BY_KIND = {
    kind: days
    for kind in ("compliment", "idea", "worry", "complaint")
    if (days := envint(f"RETENTION_DAYS_{kind.upper()}", 0, minimum=0))
}
INVITATION_DAYS = envint("INVITATION_DAYS", 14, minimum=1)
DUTY_TEAM_PHONE = envstr("DUTY_TEAM_PHONE", "0300 123 4567")
# Staff only: the emergency duty team's number when the office is closed.
DUTY_OUT_OF_HOURS_PHONE = envstr("DUTY_OUT_OF_HOURS_PHONE", "0300 123 9999")
# Flood limits hold a postcard for a person to check; they never discard one.
# Per account and per browser session: a person sending a lot.
SUBMISSION_RATE = envstr("SUBMISSION_RATE", "10/h")
# Per address, far higher: a children's home, school or college shares one address.
SUBMISSION_ADDRESS_RATE = envstr("SUBMISSION_ADDRESS_RATE", "300/h")
# A child at risk: acknowledged within this many minutes, any day, any hour;
# escalated to the duty team's managers when missed, then to the complaints
# manager this many minutes later.
URGENT_ACKNOWLEDGE_MINUTES = envint("URGENT_ACKNOWLEDGE_MINUTES", 60, minimum=1)
URGENT_ESCALATE_COMPLAINTS_AFTER_MINUTES = envint(
    "URGENT_ESCALATE_COMPLAINTS_AFTER_MINUTES", 60, minimum=1
)
# Working Together to Safeguard Children (2023): a decision on the response to a
# concern within one working day of its receipt. Once acknowledged, the duty worker
# who took it records the decision by the end of this working day after the day it
# came in; a missed one escalates as an unacknowledged one does.
SAFEGUARDING_DECISION_WORKING_DAYS = envint("SAFEGUARDING_DECISION_WORKING_DAYS", 1, minimum=0)
# A postcard not in English is read by the triage team within this many hours, any
# day (the same working day in practice); its service managers are told when missed.
NEEDS_READ_HOURS = envint("NEEDS_READ_HOURS", 4, minimum=1)
TRACKING_RATE = envstr("TRACKING_RATE", "10/10m")
COUNCIL_SUPPRESSION_THRESHOLD = envint("COUNCIL_SUPPRESSION_THRESHOLD", 5, minimum=1)
COUNCIL_REVIEW_REMIND_DAYS = envint("COUNCIL_REVIEW_REMIND_DAYS", 5, minimum=0)
ROUTING_SWEEP_AFTER_SECONDS = envint("ROUTING_SWEEP_AFTER_SECONDS", 60, minimum=0)
ROUTING_ALERT_AFTER_MINUTES = envint("ROUTING_ALERT_AFTER_MINUTES", 15, minimum=1)
POSTCARD_ACKNOWLEDGE_DAYS = envint("POSTCARD_ACKNOWLEDGE_DAYS", 2, minimum=1)
POSTCARD_REPLY_DAYS = envint("POSTCARD_REPLY_DAYS", 10, minimum=1)
REMIND_DAYS_BEFORE = envint("REMIND_DAYS_BEFORE", 2, minimum=0)
ESCALATE_TO_COMPLAINTS_MANAGER_AFTER_DAYS = envint(
    "ESCALATE_TO_COMPLAINTS_MANAGER_AFTER_DAYS", 5, minimum=1
)
PORTAL_REQUIRE_SERVICES = envbool("PORTAL_REQUIRE_SERVICES", False)

REST_FRAMEWORK = {
    # An app's token first, so a request with one is the token's whatever cookie comes
    # with it (portal.tokens); then the browser's session, with CSRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: no generic browsable page (tokens are made on /staff/tokens/, the docs
    # are /api/docs/, both in the portal's own design).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.Pages",
    # JSON only: what an app sends is typed, and the schema says so.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    # Errors in one shape: {"message": ..., "field": ...}.
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # Per person when signed in, and per address for everyone: a children's home or a
    # college shares one address, so that limit is the far higher one.
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttles.PersonThrottle",
        "portal.throttles.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "person": "300/min",
        "address": "1200/min",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Your Voice portal API",
    "VERSION": "1.0.0",
    # The schema and docs describe staff endpoints: staff who passed the second factor only.
    "SERVE_PERMISSIONS": ["feedback.api.StaffWithSecondFactor"],
    "SERVE_INCLUDE_SCHEMA": False,  # the schema describes the API, not itself
    "COMPONENT_SPLIT_REQUEST": True,
    # Importing this hook registers how app tokens are described (portal/schema.py).
    "PREPROCESSING_HOOKS": ["portal.schema.register_extensions"],
    # Rules that span fields (getting in touch, describing a change), said as choices.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "feedback.serializers.rules_across_fields",
    ],
    # Names for choice sets that share a field name, so a client's generated types read well.
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "feedback.models.Kind",
        "EventKindEnum": "feedback.models.EventKind",
        "ItemStatusEnum": "feedback.models.Status",
        "StaffStatusEnum": ["in_progress", "responded"],
        "ActionStatusEnum": "participation.models.ActionStatus",
        "YesNoEnum": ["yes", "no"],
        "AudienceEnum": "portal.models.Audience",
        "TopicAudienceEnum": "feedback.models.TopicAudience",
    },
}

# Logs: JSON lines in production (one object a line, for a log store to index), plain
# text for `make run` and DEBUG. Every record carries the request id (portal/request_id.py):
# the same id on a request's lines and on the lines of the tasks it sent.
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG or PORTAL_EMBEDDED else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text; got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.request_id.RequestIdFilter"},
        "no_query_strings": {"()": "portal.log_filters.NoQueryStrings"},
        "no_request_details": {"()": "portal.log_filters.NoRequestDetails"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "no_request_details"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # Request bodies can hold a young person's words: never log them. Nor the query strings
    # of the development server's request lines (a staff search may name a young person).
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {
            "handlers": ["console"],
            "filters": ["no_query_strings"],
            "propagate": False,
        },
    },
}

# /metrics (portal/metrics.py) answers a scrape that carries `Authorization: Bearer
# <METRICS_TOKEN>`, or comes straight (no X-Forwarded-For) from one of these addresses
# or networks; anyone else gets a 404.
METRICS_TOKEN = envstr("METRICS_TOKEN")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
try:
    METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network(a, strict=False) for a in METRICS_ALLOWED_IPS]
except ValueError:
    raise ImproperlyConfigured(
        f"METRICS_ALLOWED_IPS must be addresses or networks, comma-separated; got {METRICS_ALLOWED_IPS!r}"
    ) from None

# Errors to Sentry when a DSN is set, scrubbed of every young person's detail
# (portal/sentry.py). SENTRY_ENVIRONMENT and SENTRY_RELEASE are read by Sentry itself.
SENTRY_DSN = envstr("SENTRY_DSN")
if SENTRY_DSN:
    from portal import sentry

    sentry.init(SENTRY_DSN)

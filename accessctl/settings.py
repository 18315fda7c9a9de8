"""Settings, read from the environment through one ``environ.Env``. See README "Configuration"."""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"


def required(name: str) -> str:
    """The value of a variable production cannot run without; refuse to start, naming it, when it is unset."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"DJANGO_ENV=production needs {name}: set it in the environment.")
    return value


DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production runs with DEBUG off: unset DEBUG.")
    SECRET_KEY = required("SECRET_KEY")
    ALLOWED_HOSTS = required("ALLOWED_HOSTS").split(",")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        if not DEBUG:
            raise ImproperlyConfigured(
                "Set SECRET_KEY (or DEBUG=1 for local development with a throwaway key)."
            )
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ALLOWED_HOSTS = [h.strip() for h in ALLOWED_HOSTS if h.strip()]

# Encrypts webhook signing secrets at rest (accessctl/webhooks/fields.py). Production needs its own key, so
# that rotating SECRET_KEY (which ends sessions) leaves the stored secrets readable. Old keys only decrypt.
if PRODUCTION:
    WEBHOOK_SECRET_KEY = required("WEBHOOK_SECRET_KEY")
    if len(WEBHOOK_SECRET_KEY) < 32:
        raise ImproperlyConfigured("WEBHOOK_SECRET_KEY must be at least 32 random characters.")
else:
    WEBHOOK_SECRET_KEY = env.str("WEBHOOK_SECRET_KEY", default="") or SECRET_KEY
WEBHOOK_SECRET_OLD_KEYS = [k.strip() for k in env.list("WEBHOOK_SECRET_OLD_KEYS", default=[]) if k.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env.list("CSRF_TRUSTED_ORIGINS", default=[]) if o.strip()]

INSTALLED_APPS = [
    "accessctl",
    "teams",
    "apps.apps.AppsConfig",
    "reviews",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "accessctl.identity.sso",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accessctl.api.middleware.ApiRoutingMiddleware",
    "accessctl.api.limits.ApiLimitsMiddleware",
    "accessctl.faults.DatabaseFaultMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accessctl.web.middleware.BodyLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accessctl.web.middleware.RotateSessionOnAuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accessctl.web.middleware.SignInRequiredMiddleware",
    "accessctl.web.authz.AuthzMiddleware",
]

ROOT_URLCONF = "accessctl.urls"
WSGI_APPLICATION = "accessctl.wsgi.application"

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
                "accessctl.web.context.csp_nonce",
            ],
            "libraries": {"access": "accessctl.web.tags"},
        },
    }
]

# An empty DATABASE_URL means the default, as an unset one does.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock (BEGIN IMMEDIATE, waiting up to the busy timeout) instead of failing at once
    # with "database is locked" when a read turns into a write halfway through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20)}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Used TOTP codes and login rate limits live in the cache: share it (REDIS_URL) when running several processes.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background work (session expiry) lives in the database, so every web and worker process shares one queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accessctl.User"
AUTHENTICATION_BACKENDS = ["accessctl.access.backend.AccessBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: e-mail is the identity, there are no usernames.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up is closed unless ACCOUNT_ALLOW_REGISTRATION is on; where open, e-mail verification is mandatory and
# sign-up, login and password reset answer alike for known and unknown addresses (the account adapter refuses
# to open sign-up without mandatory verification).
ACCOUNT_ALLOW_REGISTRATION = env.bool("ACCOUNT_ALLOW_REGISTRATION", default=False)
ACCOUNT_EMAIL_VERIFICATION = "mandatory" if ACCOUNT_ALLOW_REGISTRATION else "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "accessctl"
MFA_TOTP_TOLERANCE = 1  # accept the codes of the neighbouring 30-second steps (clock drift)
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never link an SSO identity to an account by e-mail alone
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_ADAPTER = "accessctl.identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accessctl.identity.adapters.SocialAccountAdapter"

# EMAIL_URL (smtp+tls://user:password@host:587) sets the SMTP backend and server; EMAIL_BACKEND overrides.
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if EMAIL_URL:
    globals().update(env.email_url_config(EMAIL_URL))  # EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, ...
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="accessctl@localhost")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions are read from the cache and written through to the database, so a signed-in request pays no
# session query. A cache of its own per process is only safe while one process serves pages (runserver and the
# tests, both DEBUG): several gunicorn workers without REDIS_URL would each keep a copy, and a sign-out in one
# would linger in the others, so without a shared cache and outside DEBUG the database is read every request.
SESSION_ENGINE = (
    "accessctl.web.sessions"  # cached_db that survives an unreachable cache
    if REDIS_URL or DEBUG
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION or not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

if PRODUCTION:
    # TLS ends at the proxy in front of gunicorn (the platform's router), which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only consents to preloading; a domain joins the browsers' list by a separate submission.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy in every mode: scripts and styles only from our own files, inline ones never (the
# one <script> tag carries the request's nonce); htmx is told not to inject its indicator <style> (base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # data: for the TOTP QR code of the MFA set-up page
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# Limits (SPEC 20). Counters live in the cache (Redis with REDIS_URL, shared by every process).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=4500)  # calls per token per hour, as Heroku
AUTH_FAILURE_LIMIT = env.int("AUTH_FAILURE_LIMIT", default=100)  # failed API sign-ins per address per hour
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # bodies over 1 MB answer 413
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
API_MAX_JSON_DEPTH = 32
RETRY_AFTER_SECONDS = 5  # told to clients when the database is unavailable (503)

PAGE_SIZE = 50

# The dashboard's own address, for links in e-mails sent by the worker (no request to read it from).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# Webhooks (SPEC 19): receivers must be public https URLs unless this is on (development: local receivers).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=DEBUG)
WEBHOOKS_TIMEOUT_SECONDS = 5  # to connect, and for each read of the answer
WEBHOOKS_RETRY_BASE_SECONDS = (
    30.0  # sync hooks: first retry after about this long, then doubling (max 1 hour)
)

# A permission string the rules do not know raises instead of answering no (a misspelt `{% can %}`).
ACCESSCTL_STRICT_PERMISSIONS = DEBUG

# Shown in the API's app objects (web_url, git_url); accessctl itself serves neither.
APP_DOMAIN = env.str("APP_DOMAIN", default="apps.accessctl.test")
GIT_HOST = env.str("GIT_HOST", default="git.accessctl.test")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

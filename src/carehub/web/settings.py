"""Django settings. Everything a deployment changes comes from the environment (docs/operations.md)."""

from __future__ import annotations

import os

import dj_database_url

from carehub.paths import data_dir

DEBUG = os.environ.get("CAREHUB_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("CAREHUB_SECRET_KEY") or "carehub-embedded-demo-key-not-for-production-use-0000"
ALLOWED_HOSTS = os.environ.get("CAREHUB_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "carehub.apps.accounts",
    "carehub.apps.audit",
    "carehub.apps.members",
    "carehub.apps.providers",
    "carehub.apps.identification",
    "carehub.apps.referrals",
    "carehub.apps.authorizations",
    "carehub.apps.notices",
    "carehub.apps.assignments",
    "carehub.apps.notifications",
    "carehub.apps.engagement",
    "carehub.apps.consents",
    "carehub.apps.careplans",
    "carehub.apps.discontinuation",
    "carehub.web",
    "django_tasks",
    "django_tasks_db",  # background jobs in the database (notices/tasks.py); `carehub worker` runs them
    "ninja",  # after carehub.web (its ninja/swagger.html wins): API docs from our static files, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "carehub.web.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "carehub.web.middleware.LoginRequiredMiddleware",
    "carehub.web.middleware.IdOutOfRangeMiddleware",
]

ROOT_URLCONF = "carehub.web.urls"
WSGI_APPLICATION = "carehub.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carehub.web.navigation.navigation",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("CAREHUB_DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir() / "carehub.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while a load writes; IMMEDIATE serializes writers up front, which keeps the
        # hash-chained audit log consistent without a separate lock (docs/architecture.md).
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    config.setdefault("TEST", {})
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

# Idle timeout: the session ends after CAREHUB_SESSION_MINUTES without a request (HIPAA automatic logoff).
SESSION_COOKIE_AGE = int(os.environ.get("CAREHUB_SESSION_MINUTES", "15")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("CAREHUB_SECURE_COOKIES", "0") == "1"
X_FRAME_OPTIONS = "DENY"
OTP_TOTP_ISSUER = "CareHub"
# Failed sign-ins (password or code) lock the username for a while (carehub.apps.accounts.services).
CAREHUB_LOGIN_MAX_FAILURES = int(os.environ.get("CAREHUB_LOGIN_MAX_FAILURES", "5"))
CAREHUB_LOGIN_LOCK_MINUTES = int(os.environ.get("CAREHUB_LOGIN_LOCK_MINUTES", "15"))

# Authorization (carehub.apps.authorizations): the plan's default approval length in months (never under 6) and
# overrides of tunable clocks, e.g. {"decision-notice": 3} (carehub.domain.deadlines). Holidays: CAREHUB_HOLIDAYS_FILE.
CAREHUB_AUTHORIZATION_MONTHS = int(os.environ.get("CAREHUB_AUTHORIZATION_MONTHS", "12"))
CAREHUB_CLOCK_OVERRIDES: dict[str, int] = {}
# Notices (carehub.apps.notices): who the letters come from and where members call or write to appeal.
CAREHUB_PLAN = {
    "name": os.environ.get("CAREHUB_PLAN_NAME", "CareHub Demo Health Plan"),
    "address": os.environ.get("CAREHUB_PLAN_ADDRESS", "100 Example Street, Oakland, CA 94612"),
    "phone": os.environ.get("CAREHUB_PLAN_PHONE", "1-800-555-0100"),
    "tty": os.environ.get("CAREHUB_PLAN_TTY", "711"),
}
# ECM providers (organization NPIs) the plan designated to authorize ECM presumptively (seed 003 8.e).
CAREHUB_PRESUMPTIVE_NPIS = [n for n in os.environ.get("CAREHUB_PRESUMPTIVE_NPIS", "").split(",") if n]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = data_dir() / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start-up when it is missing

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAREHUB_LOG_LEVEL", "WARNING")},
    # Django logs every 404/403 with its path, and member URLs carry person_ids: keep those out of the logs
    # (denials are in the audit log instead).
    "loggers": {"django.request": {"level": "ERROR"}},
}
LOGIN_URL_PATH = "/accounts/login/"

# Background jobs (DESIGN.md stack): django-tasks with its database backend; `carehub worker` runs them (./run serve
# starts one beside the web server). The tests run jobs at once (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

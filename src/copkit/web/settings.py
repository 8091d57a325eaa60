"""Django settings, read from the environment.

| variable | meaning | default |
| --- | --- | --- |
| ``COPKIT_DATA_DIR`` | where the SQLite database, keys and uploads live | ``./copkit-data`` |
| ``DATABASE_URL`` | any database URL dj-database-url understands | SQLite in the data dir |
| ``SECRET_KEY`` | Django's secret key | generated once into the data dir |
| ``COPKIT_DEBUG`` | ``1`` for debug pages | off |
| ``COPKIT_ALLOWED_HOSTS`` | comma-separated host names | ``127.0.0.1,localhost`` |
| ``COPKIT_BASE_URL`` | public address in feeds, e-mails, badges | ``http://127.0.0.1:8000`` |
| ``COPKIT_EMAIL_BACKEND`` | Django e-mail backend | console |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

DATA_DIR = Path(os.environ.get("COPKIT_DATA_DIR", "copkit-data")).resolve()
BASE_DIR = Path(__file__).resolve().parent


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, else one generated once into the data dir."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("COPKIT_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("COPKIT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
BASE_URL = os.environ.get("COPKIT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# copkit's apps come first so that their templates (sign-in, password reset) win over the admin's.
INSTALLED_APPS = [
    "copkit.web",
    "copkit.accounts",
    "copkit.academy",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "copkit.attendance",
    "copkit.coursework",
    "copkit.credentials",
    "copkit.communities",
    "copkit.plans",
]

# Panels on the signed-in dashboard: each app contributes a function
# ``panel(request) -> tuple[template_name, context] | None`` (see copkit.web.views.dashboard).
COPKIT_DASHBOARD_PANELS: list[str] = [
    "copkit.academy.panels.panel",
    "copkit.attendance.views.dashboard_panel",
    "copkit.coursework.panels.panel",
    "copkit.credentials.views.panel",
    "copkit.communities.panels.panel",
    "copkit.plans.panels.panel",
]

# Main navigation: (label, URL name) pairs; apps add theirs here.
COPKIT_NAV: list[tuple[str, str]] = [
    ("Catalog", "academy:catalog"),
    ("Attendance", "attendance:home"),
    ("Coursework", "coursework:home"),
    ("Communities", "communities:list"),
    ("Plans", "plans:home"),
]

# Demo content builders, run in this order by `copkit demo`; each is
# ``build(*, now: datetime, out: Console) -> list[str]`` returning lines to print (logins, URLs).
COPKIT_DEMO_BUILDERS: list[str] = [
    "copkit.academy.demo.build",
    "copkit.attendance.demo.build",
    "copkit.coursework.demo.build",
    "copkit.credentials.demo.build",
    "copkit.communities.demo.build",
    "copkit.plans.demo.build",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "copkit.web.urls"
WSGI_APPLICATION = "copkit.web.wsgi.application"

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
                "copkit.web.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'copkit.sqlite3'}"),
        conn_max_age=60,
    )
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only needed for `collectstatic` behind a separate web server; WhiteNoise serves from the apps.
STATIC_ROOT = os.environ.get("COPKIT_STATIC_ROOT") or None
# WhiteNoise serves the app's static files straight from the installed packages, so that
# `copkit demo` and `copkit serve` need no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads are untrusted: keep them small in memory and bounded in size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "COPKIT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("COPKIT_FROM_EMAIL", "copkit <no-reply@copkit.invalid>")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"copkit": {"handlers": ["console"], "level": "INFO"}},
}

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_up(**env: str) -> subprocess.CompletedProcess[str]:
    """Load the real settings in a fresh interpreter, as manage.py would."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PORTAL_EMBEDDED"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("SECURE_COOKIES", "sometimes"),
        ("EMAIL_PORT", "twenty-five"),
        ("RETENTION_DAYS", "0"),
        ("MFA_ENCRYPTION_KEY", "not-a-fernet-key"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(name, value):
    result = start_up(PORTAL_EMBEDDED="1", **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.splitlines()[-1]


def test_without_debug_a_missing_secret_key_stops_start_up():
    result = start_up()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = start_up(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_deployment_checks_pass_with_production_like_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                # DJANGO_ALLOW_ASYNC_UNSAFE: set for the browser tests, never in production.
                if not k.startswith(("PORTAL_", "CELERY_", "DEBUG", "DJANGO_ALLOW_ASYNC"))
            },
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": "production-like-" + "k7Qz" * 15,
            "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "ALLOWED_HOSTS": "yourvoice.council.example",
            "SITE_URL": "https://yourvoice.council.example",
            "EMAIL_HOST": "smtp.council.example",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
            "SECURE_HSTS_PRELOAD": "1",
            # Set on their own, so SECRET_KEY can be rotated (portal.E103).
            "MFA_ENCRYPTION_KEY": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=",
            "CODE_HASH_KEY": "c" * 64,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

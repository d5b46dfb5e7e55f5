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

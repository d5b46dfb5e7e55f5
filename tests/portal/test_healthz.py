from tests.conftest import client_for


def test_healthz_reports_database_and_broker(db, settings, tmp_path):
    settings.CELERY_BROKER_URL = "memory://"
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("database", "broker", "mail")} == {
        "database": "ok",
        "broker": "ok",
        "mail": "ok",
    }
    assert set(body["channels"]) == {"email", "sms"}


def test_healthz_is_503_when_the_broker_is_unreachable(db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("down")


def test_healthz_is_503_when_mail_would_only_go_to_the_console(db, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.MAIL_GOES_NOWHERE = True
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["mail"].startswith("not configured")


def test_mail_goes_nowhere_only_outside_the_demo_without_a_mail_server():
    import os
    import subprocess
    import sys
    from pathlib import Path

    def flag(**env: str) -> str:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PORTAL_", "EMAIL_", "DEBUG", "CELERY_"))
        }
        return subprocess.run(
            [sys.executable, "-c",
             "import django; from django.conf import settings; django.setup();"
             " print(settings.MAIL_GOES_NOWHERE)"],
            cwd=Path(__file__).resolve().parents[2],
            env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "k" * 50, **env},
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout.strip()  # fmt: skip

    assert flag() == "True"
    assert flag(EMAIL_HOST="smtp.council.example") == "False"
    assert flag(PORTAL_EMBEDDED="1") == "False"

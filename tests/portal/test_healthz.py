from tests.conftest import client_for


def test_healthz_reports_database_and_broker(db, settings, tmp_path):
    settings.CELERY_BROKER_URL = "memory://"
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("down")

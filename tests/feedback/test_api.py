import pytest

from tests.conftest import client_for, make_staff

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_and_docs_are_for_staff_who_passed_the_second_factor(
    young_person, caseworker
):
    no_mfa = make_staff("nomfa", "leaving-care", mfa=False)
    assert client_for(None).get("/api/schema/").status_code == 403
    assert client_for(None).get("/api/docs/")["Location"].startswith("/accounts/login/")
    for path in ("/api/schema/", "/api/docs/"):
        assert client_for(young_person).get(path).status_code == 404
        assert client_for(no_mfa).get(path).status_code == 404
        assert client_for(caseworker, second_factor=False).get(path).status_code == 404
    response = client_for(caseworker).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/items/" in response.content
    # App tokens are described for clients (portal/schema.py, loaded only to make it).
    assert b"tokenAuth:\n      type: http\n      scheme: bearer" in response.content
    docs = client_for(caseworker).get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # served from here: this machine has no internet


def test_the_staff_api_is_closed_to_young_people_and_to_staff_without_a_second_factor(
    young_person, item, reference_data
):
    no_mfa = make_staff("nomfa", "leaving-care", mfa=False)
    for user in (young_person, no_mfa):
        client = client_for(user)
        assert client.get("/api/staff/items/").status_code == 404
        assert client.get(f"/api/staff/items/{item.reference}/").status_code == 404


def test_staff_read_their_services_items_with_the_words(caseworker, item):
    rows = client_for(caseworker).get("/api/staff/items/").json()["results"]
    assert [r["reference"] for r in rows] == [item.reference]
    assert rows[0]["words"] == item.words


def test_the_young_persons_api_never_shows_staff_only_fields(care_leaver, item):
    row = client_for(care_leaver).get(f"/api/items/{item.reference}/").json()
    assert row["reference"] == item.reference
    assert "safeguarding" not in row and "identity" not in row


def test_staff_cannot_list_young_peoples_own_items_endpoint(caseworker, item):
    assert client_for(caseworker).get("/api/items/").status_code == 404

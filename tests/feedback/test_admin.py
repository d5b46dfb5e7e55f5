import pytest

from feedback.admin import RouteForm
from feedback.models import Route, Topic
from portal.models import Service
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_route_to_an_inactive_service_is_refused_in_admin(reference_data):
    Service.objects.filter(slug="fostering").update(active=False)
    form = RouteForm(
        data={
            "kind": "idea",
            "topic": Topic.objects.get(slug="school").pk,
            "audience": "",
            "service": Service.objects.get(slug="fostering").pk,
            "order": 5,
            "active": "on",
        }
    )
    assert not form.is_valid()
    assert "not active" in form.errors["service"][0]


def test_route_changes_are_kept_with_who_and_when(reference_data, complaints_manager):
    complaints_manager.is_staff = complaints_manager.is_superuser = True
    complaints_manager.save()
    client = client_for(complaints_manager)
    route = Route.objects.get(topic__slug="school")
    response = client.post(
        f"/admin/feedback/route/{route.pk}/change/",
        {
            "kind": "",
            "topic": route.topic_id,
            "audience": "",
            "service": Service.objects.get(slug="iro").pk,
            "order": route.order,
            "active": "on",
        },
    )
    assert response.status_code == 302
    latest = route.history.latest()
    assert latest.history_user == complaints_manager
    assert latest.service.slug == "iro"
    assert route.history.count() == 2


def test_admin_never_shows_a_young_persons_words(item, complaints_manager):
    complaints_manager.is_staff = complaints_manager.is_superuser = True
    complaints_manager.save()
    client = client_for(complaints_manager)
    page = client.get(f"/admin/feedback/item/{item.pk}/change/").content.decode()
    assert item.reference in page
    assert item.words not in page


def test_a_password_only_session_gets_no_item_data_from_admin_or_staff_pages(
    item, complaints_manager
):
    complaints_manager.is_staff = complaints_manager.is_superuser = True
    complaints_manager.save()
    client = client_for(complaints_manager, second_factor=False)
    for url in (f"/admin/feedback/item/{item.pk}/change/", f"/staff/items/{item.reference}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert item.reference not in response.content.decode()
    assert client.get(f"/api/staff/items/{item.reference}/").status_code in (403, 404)


def test_admin_signs_in_through_allauth(db):
    from django.test import Client

    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_password_only_staff_session_is_sent_to_allauth_not_to_djangos_password_form(
    complaints_manager,
):
    complaints_manager.is_staff = True
    complaints_manager.save()
    client = client_for(complaints_manager, second_factor=False)
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def _admin_client(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return client_for(user)


def test_admin_never_says_who_sent_a_confidential_item(care_leaver, complaints_manager):
    from feedback import dispatch
    from tests.conftest import submit

    item = submit(care_leaver, identity="confidential").item
    dispatch.route_item(item.pk)
    page = _admin_client(complaints_manager).get(f"/admin/feedback/item/{item.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200 and item.reference in text
    assert care_leaver.username not in text and care_leaver.display_name not in text


def test_every_admin_look_at_an_item_is_recorded(item, complaints_manager):
    from feedback.models import StaffView

    _admin_client(complaints_manager).get(f"/admin/feedback/item/{item.pk}/change/")
    assert StaffView.objects.filter(item=item, user=complaints_manager).count() == 1


def test_admin_shows_no_young_persons_address_on_notifications(complaints_manager, young_person):
    from feedback.models import Notification

    note = Notification.objects.create(
        key="k1", channel="email", recipient=young_person, address="jade.secret@example.org",
        template="update", subject="Update on ABC-123", body="body",
    )  # fmt: skip
    client = _admin_client(complaints_manager)
    for url in (
        "/admin/feedback/notification/",
        f"/admin/feedback/notification/{note.pk}/change/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "jade.secret@example.org" not in page.content.decode(), url


def test_second_factor_secrets_are_not_in_admin(complaints_manager):
    client = _admin_client(complaints_manager)
    assert client.get("/admin/mfa/authenticator/").status_code == 404
    assert "authenticator" not in client.get("/admin/").content.decode().lower()


def test_item_admin_cannot_change_an_item(item, complaints_manager):
    client = _admin_client(complaints_manager)
    client.post(f"/admin/feedback/item/{item.pk}/change/", {"status": "closed"})
    item.refresh_from_db()
    assert item.status != "closed"
    assert (
        client.post(f"/admin/feedback/item/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    )

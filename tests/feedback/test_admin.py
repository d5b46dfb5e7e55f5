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

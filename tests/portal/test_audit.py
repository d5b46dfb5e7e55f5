"""The audit log: sign-ins and failures, second-factor changes, refusals, exports and
configuration changes, read by the complaints manager, and nothing of a young person's."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed, authenticator_added
from django.test import Client, RequestFactory
from django.urls import reverse

from feedback import dispatch
from feedback.models import Route
from portal import audit
from portal.models import AuditEntry, AuditKind, Service
from tests.conftest import PASSWORD, client_for, submit

pytestmark = pytest.mark.django_db


def entries(kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.named().filter(kind=kind))


def test_sign_ins_and_failures_are_recorded_without_naming_young_people(young_person, caseworker):
    Client(REMOTE_ADDR="198.51.100.5").post(
        reverse("account_login"), {"login": "jade", "password": PASSWORD}
    )
    Client().post(reverse("account_login"), {"login": "jade", "password": "wrong"})
    Client().post(reverse("account_login"), {"login": "casey", "password": "wrong"})
    Client().post(reverse("account_login"), {"login": "nobody-here", "password": "wrong"})

    [signed_in] = entries(AuditKind.SIGN_IN)
    assert signed_in.user_id == young_person.pk and signed_in.who is None
    assert signed_in.address == "198.51.100.5"
    failed = entries(AuditKind.SIGN_IN_FAILED)
    assert len(failed) == 3
    assert {e.who for e in failed} == {None, "casey"}
    assert {e.user_id for e in failed} == {None, caseworker.pk}


def test_second_factor_changes_and_refused_codes_are_recorded(caseworker):
    request = RequestFactory().get("/")
    request.user = caseworker
    authenticator = Authenticator.objects.get(user=caseworker, type=Authenticator.Type.TOTP)
    authenticator_added.send(
        sender=Authenticator, request=request, user=caseworker, authenticator=authenticator
    )
    authentication_failed.send(
        sender=Authenticator, request=request, user=caseworker, authenticator=authenticator
    )
    assert entries(AuditKind.SECOND_FACTOR_ADDED)[0].who == "casey"
    assert entries(AuditKind.SECOND_FACTOR_FAILED)[0].who == "casey"


def test_a_refused_item_is_recorded_with_its_reference(care_leaver, other_caseworker):
    item = submit(care_leaver).item
    dispatch.route_item(item.pk)
    response = client_for(other_caseworker).get(f"/staff/items/{item.reference}/")
    assert response.status_code == 404
    [denied] = entries(AuditKind.ACCESS_DENIED)
    assert denied.item_reference == item.reference and denied.who == "vic"


def test_exports_are_recorded(manager):
    response = client_for(manager).get(reverse("feedback:dashboard_csv"))
    assert response.status_code == 200
    [export] = entries(AuditKind.EXPORT)
    assert export.who == "morgan" and export.detail.startswith("dashboard-")


def test_configuration_changes_in_admin_are_recorded(complaints_manager):
    complaints_manager.is_staff = complaints_manager.is_superuser = True
    complaints_manager.save()
    route = Route.objects.get(topic__slug="school")
    response = client_for(complaints_manager).post(
        f"/admin/feedback/route/{route.pk}/change/",
        {
            "kind": "", "topic": route.topic_id, "audience": "",
            "service": Service.objects.get(slug="iro").pk, "order": route.order, "active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    [change] = entries(AuditKind.CONFIGURATION)
    assert change.detail == f"changed route {route.pk}" and change.who == "chris"


def test_the_complaints_manager_filters_the_log_by_person_item_and_date(
    care_leaver, caseworker, other_caseworker, complaints_manager
):
    item = submit(care_leaver).item
    dispatch.route_item(item.pk)
    client_for(caseworker).get(f"/staff/items/{item.reference}/")  # a read
    client_for(other_caseworker).get(f"/staff/items/{item.reference}/")  # refused
    log = client_for(complaints_manager)
    by_item = log.get(reverse("feedback:audit_log"), {"item": item.reference.lower()})
    rows = by_item.context["rows"]
    assert {(row.what, row.who) for row in rows} == {
        ("Opened an item", "casey"),
        ("Access refused", "vic"),
    }
    by_person = log.get(reverse("feedback:audit_log"), {"person": "vic"}).context["rows"]
    assert {row.who for row in by_person} == {"vic"}
    future = log.get(reverse("feedback:audit_log"), {"since": "2099-01-01"}).context["rows"]
    assert future == []
    wrong = log.get(reverse("feedback:audit_log"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert "The end date must be on or after the start date." in wrong.content.decode()


def test_only_the_complaints_manager_reads_the_log(caseworker, manager, young_person):
    for user in (caseworker, manager, young_person):
        assert client_for(user).get(reverse("feedback:audit_log")).status_code == 404


def test_a_refused_path_with_odd_bytes_is_on_record_readably(caseworker):
    assert client_for(caseworker).get("/staff/items/ABC%00DEF/").status_code == 404
    entry = AuditEntry.objects.get(kind="access_denied")
    assert "\x00" not in entry.detail and entry.detail.startswith("/staff/items/ABC")


def test_the_log_names_a_member_of_staff_only_while_their_account_exists(
    caseworker, complaints_manager
):
    audit.record(AuditKind.EXPORT, user=caseworker, detail="queue.csv")
    log = client_for(complaints_manager)
    page = log.get(reverse("feedback:audit_log"), {"person": "casey"}).content.decode()
    assert "queue.csv" in page and "casey" in page

    user_id = caseworker.pk
    caseworker.delete()
    page = log.get(reverse("feedback:audit_log")).content.decode()
    assert "queue.csv" in page and f"#{user_id}" in page
    assert "casey" not in page
    # Nor anywhere in the table itself: the entry holds the id alone.
    rows = AuditEntry.objects.values_list()
    assert not [row for row in rows if any("casey" in str(value) for value in row)]

"""A young person's invitation says which service works with them, so that service's
staff, and only theirs, may enter paper postcards in the young person's name."""

import pytest
from django.urls import reverse

from portal.models import Invitation, Service, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def invite(user, **answers):
    fields = {"kind": "young_person", "audience": "in_care", **answers}
    return client_for(user).post(reverse("invitation_new"), fields)


def test_staff_invite_a_young_person_their_service_works_with(caseworker):
    leaving = Service.objects.get(slug="leaving-care")
    assert invite(caseworker, service=leaving.pk).status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.service == leaving
    user = invitation.accept(username="river", password="a long enough passphrase 42")
    assert user is not None
    assert list(User.objects.get(username="river").young_person.services.all()) == [leaving]


def test_staff_cannot_link_a_young_person_to_a_service_they_do_not_work_in(caseworker):
    fostering = Service.objects.get(slug="fostering")
    page = invite(caseworker, service=fostering.pk)
    assert "Choose a service you work in." in page.content.decode()
    assert not Invitation.objects.exists()


def test_an_invitation_without_a_service_links_none(caseworker):
    invite(caseworker)
    user = Invitation.objects.get().accept(username="river", password="a long enough passphrase 42")
    assert user is not None and not user.young_person.services.exists()

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import dispatch, services
from feedback.models import Event, Item

pytestmark = pytest.mark.django_db


def test_closed_items_lose_their_words_and_author_after_the_retention_period(
    item, care_leaver, settings
):
    services.young_person_reply(item=item, by=care_leaver, text="my own words")
    services.withdraw(item=item, by=care_leaver)
    settings.RETENTION_DAYS = 30
    Item.objects.filter(pk=item.pk).update(closed_at=timezone.now() - timedelta(days=31))
    assert dispatch.anonymise_expired() == 1
    item.refresh_from_db()
    assert item.words == "" and item.author is None and item.anonymised_at
    assert not Event.objects.filter(item=item).exclude(body="").exists()
    assert dispatch.anonymise_expired() == 0


def test_open_and_recently_closed_items_are_kept(item, care_leaver, settings):
    settings.RETENTION_DAYS = 30
    assert dispatch.anonymise_expired() == 0
    services.withdraw(item=item, by=care_leaver)
    assert dispatch.anonymise_expired() == 0
    item.refresh_from_db()
    assert item.words


def test_anonymising_clears_notifications_and_change_descriptions(
    item, care_leaver, caseworker, settings
):
    from feedback.models import Notification

    services.staff_reply(
        item=item, by=caseworker, text="Done", change="made", change_description="Sam's flat"
    )
    services.answer_sorted(item=item, by=care_leaver, sorted_=True)
    settings.RETENTION_DAYS = 1
    Item.objects.filter(pk=item.pk).update(closed_at=timezone.now() - timedelta(days=2))
    dispatch.anonymise_expired()
    assert not Notification.objects.filter(item=item).exclude(address="", recipient=None).exists()
    assert "Sam's flat" not in str(
        list(Event.objects.filter(item=item).values_list("data", flat=True))
    )


def test_each_kind_keeps_its_own_retention_period(care_leaver, caseworker, settings):
    from tests.conftest import submit

    settings.RETENTION_DAYS = 30
    settings.RETENTION_DAYS_BY_KIND = {"complaint": 6 * 365}
    idea = submit(care_leaver).item
    complaint = submit(care_leaver, kind="complaint").item
    for item in (idea, complaint):
        services.withdraw(item=item, by=care_leaver)
    Item.objects.update(closed_at=timezone.now() - timedelta(days=400))
    assert dispatch.anonymise_expired() == 1
    idea.refresh_from_db()
    complaint.refresh_from_db()
    assert idea.words == "" and complaint.words

"""Daily jobs run once a day at their time, however often beat restarts (portal.daily)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from celery.beat import Scheduler
from django.utils import timezone

from feedback import tasks
from feedback.models import Item
from portal.celery import app
from portal.models import DailyRun
from tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_beat_asks_for_every_job_within_an_hour_of_starting():
    # Nothing waits a day: a beat deployed every day still asks for each job, the daily
    # ones within ten minutes.
    for name, entry in app.conf.beat_schedule.items():
        assert entry["schedule"] <= 3600, name
    for name in ("anonymise-expired", "daily-digest"):
        assert app.conf.beat_schedule[name]["schedule"] <= 600


@pytest.mark.travel("2027-03-01 12:00Z")  # the item is made on a fixed day, as the runs
def test_a_restarted_beat_asks_again_and_the_daily_job_still_runs_once(settings, care_leaver):
    settings.RETENTION_DAYS = 30
    item = submit(care_leaver).item
    Item.objects.filter(pk=item.pk).update(
        status="closed", closed_at=timezone.make_aware(_parse("2027-01-15 12:00"))
    )
    runs = []
    # Beat deployed three times on one day: at 01:00, at 02:35 and at 09:00.
    for at in ("2027-03-02 01:00", "2027-03-02 02:35", "2027-03-02 09:00"):
        with time_machine.travel(timezone.make_aware(_parse(at)), tick=False):
            beat = Scheduler(app=app, lazy=False)  # a fresh beat: no schedule kept
            entry = beat.schedule["anonymise-expired"]
            due, wait = entry.is_due()
            assert not due and wait <= 600  # asked within ten minutes of starting
        with time_machine.travel(timezone.make_aware(_parse(at)) + timedelta(seconds=wait)):
            runs.append(tasks.anonymise_expired())
    assert runs == [0, 1, 0]  # not before 02:30; once after; not again that day
    assert list(DailyRun.objects.values_list("job", "day")) == [
        ("anonymise-expired", _parse("2027-03-02 00:00").date())
    ]
    item.refresh_from_db()
    assert item.anonymised_at is not None
    with time_machine.travel(timezone.make_aware(_parse("2027-03-03 02:40")), tick=False):
        tasks.anonymise_expired()
    assert DailyRun.objects.filter(job="anonymise-expired").count() == 2  # the next day


def test_a_daily_run_that_fails_is_tried_again_at_the_next_ask(monkeypatch):
    def broken() -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks.dispatch, "anonymise_expired", broken)
    with time_machine.travel(timezone.make_aware(_parse("2027-03-02 03:00")), tick=False):
        with pytest.raises(RuntimeError):
            tasks.anonymise_expired()
        assert not DailyRun.objects.exists()
        monkeypatch.setattr(tasks.dispatch, "anonymise_expired", lambda: 0)
        tasks.anonymise_expired()
        assert DailyRun.objects.count() == 1


def test_the_digest_goes_once_a_day_from_the_digest_hour(settings):
    settings.DIGEST_HOUR = 8
    sent = []
    for at in ("2027-03-02 07:55", "2027-03-02 08:05", "2027-03-02 12:00", "2027-03-03 08:01"):
        with time_machine.travel(timezone.make_aware(_parse(at)), tick=False):
            tasks.send_daily_digests()
            sent.append(DailyRun.objects.filter(job="daily-digest").count())
    assert sent == [0, 1, 1, 2]


def _parse(text: str):
    from datetime import datetime

    return datetime.strptime(text, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - made aware by the caller

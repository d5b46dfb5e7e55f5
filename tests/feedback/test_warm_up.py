"""Web workers make what a first postcard needs as they start."""

from __future__ import annotations

import importlib
import sys
from datetime import date

import pytest

from feedback import triage


@pytest.mark.django_db
def test_starting_a_web_worker_compiles_the_rules() -> None:
    triage._rules.cache_clear()
    sys.modules.pop("portal.wsgi", None)
    importlib.import_module("portal.wsgi")
    assert triage._rules.cache_info().currsize == 1


@pytest.mark.django_db
def test_starting_a_web_worker_builds_the_bank_holidays_of_this_year_and_next() -> None:
    from django.utils import timezone

    from feedback import workdays

    workdays._statutory_holidays.cache_clear()
    sys.modules.pop("portal.wsgi", None)
    importlib.import_module("portal.wsgi")
    year = timezone.localdate().year
    assert workdays._statutory_holidays.cache_info().currsize == 2
    assert date(year, 12, 25) in workdays._statutory_holidays(year)


@pytest.mark.django_db
def test_starting_a_web_worker_hides_what_it_loaded_from_the_garbage_collector() -> None:
    import gc

    gc.unfreeze()
    sys.modules.pop("portal.wsgi", None)
    try:
        importlib.import_module("portal.wsgi")
        assert gc.get_freeze_count() > 10_000  # Django, the apps, the compiled rules
    finally:
        gc.unfreeze()


def test_each_celery_worker_process_does_the_same_as_it_starts() -> None:
    import gc

    from celery import signals

    gc.unfreeze()
    try:
        signals.worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()

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

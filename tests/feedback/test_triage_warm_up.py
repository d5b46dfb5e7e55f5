"""Web workers compile the safeguarding rules as they start."""

from __future__ import annotations

import importlib
import sys

import pytest

from feedback import triage


@pytest.mark.django_db
def test_starting_a_web_worker_compiles_the_rules() -> None:
    triage._rules.cache_clear()
    sys.modules.pop("portal.wsgi", None)
    importlib.import_module("portal.wsgi")
    assert triage._rules.cache_info().currsize == 1

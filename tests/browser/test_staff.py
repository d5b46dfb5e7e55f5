"""Managers' pages on a laptop and a phone: the dashboard and the annual report pass axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from feedback.models import Item
from portal.models import User
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_dashboard_and_it_passes_axe(
    page: Page, axe: Callable[..., None], item: Item, manager: User
) -> None:
    sign_in(page, "morgan", second_factor=True)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Leaving Care Team").first).to_be_visible()
    axe(page, "the manager's dashboard")
    page.goto("/staff/")
    expect(page.get_by_role("link", name=item.reference)).to_be_visible()
    axe(page, "the manager's queue")


def test_the_complaints_manager_reads_the_annual_report_and_it_passes_axe(
    page: Page, axe: Callable[..., None], item: Item, complaints_manager: User
) -> None:
    sign_in(page, "chris", second_factor=True)
    page.get_by_role("link", name="Dashboard").click()
    axe(page, "the complaints manager's dashboard")
    page.get_by_role("link", name="Complaints report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page, "the annual complaints report")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/staff/reports/complaints/?year=nope")
    axe(page, "the annual report with a bad year")

"""Thin Celery wrappers around participation.services. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from participation import rollup, services


@shared_task(name="participation.tasks.remind_review_leads")
def remind_review_leads() -> int:
    # New topics become themes here too, so the council's figures never miss one.
    services.ensure_topic_themes()
    return services.remind_leads()


@shared_task(name="participation.tasks.refresh_rollup")
def refresh_rollup() -> int:
    return rollup.refresh()

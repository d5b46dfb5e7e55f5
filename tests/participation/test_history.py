"""Every participation service that takes the person acting records them: where the row
changed keeps no name of its own, a Change says who did what (ids and kinds only)."""

from __future__ import annotations

from datetime import date

import pytest

from participation import services
from participation.models import Change, ChangeKind, MeetingKind
from portal.models import Service
from portal.refusals import Refused
from tests.participation.conftest import theme_of

pytestmark = [pytest.mark.django_db, pytest.mark.travel("2026-11-20 12:00Z")]


def _changes() -> list[tuple[str, int | None]]:
    return [(c.kind, c.by_id) for c in Change.objects.order_by("pk")]


def test_merging_untagging_withdrawing_and_linking_record_who_did_it(
    story, participation_officer, manager, complaints_manager
):
    housing = theme_of("housing")
    services.tag_item(item=story["sam_item"], theme=housing, by=manager)
    services.untag_item(item=story["sam_item"], theme=housing, by=manager)
    merged = services.propose_theme(name="Buses", by=participation_officer, agreed=True)
    services.merge_themes(theme=merged, into=theme_of("school"), by=complaints_manager)
    services.withdraw_excerpt(excerpt=story["excerpt"], by=participation_officer)
    services.link_items(action=story["action"], items=[story["sam_item"]], by=manager)
    assert _changes() == [
        (ChangeKind.ITEM_UNTAGGED, manager.pk),
        (ChangeKind.THEME_MERGED, complaints_manager.pk),
        (ChangeKind.EXCERPT_WITHDRAWN, participation_officer.pk),
        (ChangeKind.ITEM_LINKED, manager.pk),
    ]
    linked = Change.objects.get(kind=ChangeKind.ITEM_LINKED)
    assert (linked.action, linked.item) == (story["action"], story["sam_item"])
    assert Change.objects.get(kind=ChangeKind.THEME_MERGED).theme == merged


def test_a_meeting_s_agenda_minutes_and_questions_record_who_did_it(participation_officer):
    meeting = services.create_meeting(
        kind=MeetingKind.TAKEOVER,
        title="Takeover day",
        on=date(2026, 11, 20),
        by=participation_officer,
    )
    services.add_agenda_item(meeting=meeting, title="Buses", by=participation_officer)
    services.record_minutes(
        meeting=meeting, by=participation_officer, minutes="Talked", attendees="3 members"
    )
    services.add_takeover_question(
        meeting=meeting,
        service=Service.objects.get(slug="fostering"),
        question="How fast do you answer?",
        finding="",
        by=participation_officer,
    )
    assert _changes() == [
        (ChangeKind.AGENDA_ADDED, participation_officer.pk),
        (ChangeKind.MINUTES_SAVED, participation_officer.pk),
        (ChangeKind.QUESTION_ADDED, participation_officer.pk),
    ]
    assert {c.meeting for c in Change.objects.all()} == {meeting}


def test_a_refused_change_records_nobody(participation_officer):
    theme = theme_of("housing")
    with pytest.raises(Refused):
        services.merge_themes(theme=theme, into=theme, by=participation_officer)
    assert _changes() == []

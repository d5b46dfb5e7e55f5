"""Every change in participation happens here, in a transaction. Views and tasks call these.

Invariants live here once: a theme name is not used twice, an excerpt comes
only from a consenting item, a done action says what was done, a review date
is not in the past, progress is 0 to 100. Each refusal is portal's Refused, naming
the field when it is about an answer, so a page or the API shows it beside that
field, and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import Item, Notification, Status, Topic
from feedback.months import months_after
from feedback.notifications import Batch, site_link, tell_young_person
from feedback.workdays import add_working_days
from participation import marks
from participation.models import (
    AUTOMATIC_TEXTS,
    DEFAULT_PROGRESS,
    REVIEW_AFTER_MONTHS,
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Change,
    ChangeKind,
    Excerpt,
    ItemTheme,
    Meeting,
    TakeoverQuestion,
    Theme,
    ThemeState,
)
from portal.models import Service, User
from portal.refusals import Refused


def _stored(message: str, **values: str) -> str:
    """An action update's own text as it is stored, in the site's language whoever wrote
    it: everyone reads the record, and a council member's Welsh page must not write Welsh
    into it (nor a test's pseudo-locale, which found this)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % values


def _record(kind: ChangeKind, *, by: User, **about: object) -> None:
    """Who made a change whose row keeps no name of its own (participation.models.Change)."""
    Change.objects.create(kind=kind, by=by, **about)


# --- Themes ---------------------------------------------------------------------------


def _check_name_free(name: str, *, but: Theme | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise Refused(_("Give the theme a name."), field="name")
    taken = Theme.objects.named(name)
    if but is not None:
        taken = taken.exclude(pk=but.pk)
    if taken.exists():
        raise Refused(_("There is already a theme called that. Use it instead."), field="name")
    return name


def ensure_topic_themes() -> int:
    """Every topic is a theme to start with. Returns how many were made."""
    made = 0
    for topic in Topic.objects.filter(theme__isnull=True):
        name = topic.name
        if Theme.objects.named(name).exists():
            name = f"{name} ({topic.slug})"
        Theme.objects.create(name=name, topic=topic, state=ThemeState.AGREED)
        made += 1
    return made


def propose_theme(*, name: str, by: User, agreed: bool = False) -> Theme:
    with transaction.atomic():
        name = _check_name_free(name)
        return Theme.objects.create(
            name=name,
            proposed_by=by,
            state=ThemeState.AGREED if agreed else ThemeState.PROPOSED,
            agreed_by=by if agreed else None,
        )


def agree_theme(*, theme: Theme, by: User) -> Theme:
    with transaction.atomic():
        Theme.objects.filter(pk=theme.pk).update(state=ThemeState.AGREED, agreed_by=by)
        theme.refresh_from_db()
        return theme


def merge_themes(*, theme: Theme, into: Theme, by: User) -> Theme:
    """`theme` joins `into`: its tags move there (noting where from), it stays as history."""
    if theme.pk == into.pk or into.merged_into_id is not None:
        raise Refused(_("Choose another theme to merge into."), field="into")
    with transaction.atomic():
        theme = Theme.objects.select_for_update().get(pk=theme.pk)
        if theme.merged_into_id is not None:
            raise Refused(_("This theme was merged already."), field="into")
        already = ItemTheme.objects.filter(theme=into).values("item_id")
        ItemTheme.objects.filter(theme=theme, item_id__in=already).delete()
        ItemTheme.objects.filter(theme=theme).update(theme=into, moved_from=theme)
        for action in theme.actions.all():
            action.themes.add(into)
        Excerpt.objects.filter(theme=theme).update(theme=into)
        # Themes merged into this one earlier now point straight at the new home.
        Theme.objects.filter(merged_into=theme).update(merged_into=into)
        theme.merged_into = into
        theme.merged_at = timezone.now()
        theme.save(update_fields=["merged_into", "merged_at"])
        _record(ChangeKind.THEME_MERGED, by=by, theme=theme)
        return into


def tag_item(*, item: Item, theme: Theme, by: User) -> ItemTheme:
    if theme.merged_into_id is not None:
        theme = theme.final()
    with transaction.atomic():
        tag, _created = ItemTheme.objects.get_or_create(
            item=item, theme=theme, defaults={"tagged_by": by}
        )
        return tag


def untag_item(*, item: Item, theme: Theme, by: User) -> None:
    with transaction.atomic():
        if ItemTheme.objects.filter(item=item, theme=theme).delete()[0]:
            _record(ChangeKind.ITEM_UNTAGGED, by=by, item=item, theme=theme)


# --- Excerpts -------------------------------------------------------------------------


def _names_in(item: Item) -> list[str]:
    user = item.author
    if user is None:
        return []
    names = [user.username, user.first_name, user.last_name, *user.display_name.split()]
    return [n for n in names if len(n) > 1]


def known_names() -> list[tuple[str, str]]:
    """The portal's own names a quote must not carry: its services."""
    return [(name, "service") for name in Service.objects.values_list("name", flat=True)]


def marks_in(text: str, known: list[tuple[str, str]] | None = None) -> list[marks.Mark]:
    """What could identify anyone in these words (never logged)."""
    return marks.find(text, known=known_names() if known is None else known)


def marked(
    text: str, known: list[tuple[str, str]] | None = None
) -> list[tuple[str, marks.Mark | None]]:
    """The words in plain and marked pieces, for a moderation page to highlight."""
    return marks.pieces(text, marks_in(text, known))


def approve_excerpt(*, item: Item, text: str, by: User, theme: Theme | None = None) -> Excerpt:
    """Refused for an item without consent, or when the text still carries the author's name.

    Words with nothing marked are approved at once. Words with a mark left in (a
    teacher's name, a school, a phone number) wait for a second, different moderator
    (approve_excerpt_again); taking the marked words out lets one moderator approve.
    """
    text = text.strip()
    fully = not marks_in(text)
    with transaction.atomic():
        # Read consent under a lock: a young person stopping sharing just now wins.
        item = Item.objects.select_for_update(of=("self",)).select_related("author").get(pk=item.pk)
        if not item.consent_to_share or item.status == Status.WITHDRAWN:
            raise Refused(
                _("The young person did not agree to share these words. It cannot be used."),
                field="text",
            )
        if not text:
            raise Refused(
                _("Write the words to share, with names and places taken out."), field="text"
            )
        for name in _names_in(item):
            if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE):
                raise Refused(_("Take out the young person's name before approving."), field="text")
        return Excerpt.objects.create(
            item=item,
            text=text,
            theme=theme,
            approved_by=by,
            approved_at=timezone.now() if fully else None,
        )


def approve_excerpt_again(*, excerpt: Excerpt, by: User) -> Excerpt:
    """The second approval of words with marks left in; never by the first moderator."""
    with transaction.atomic():
        excerpt = Excerpt.objects.select_for_update().get(pk=excerpt.pk)
        if excerpt.approved_at is not None or excerpt.withdrawn_at is not None:
            raise Refused(_("This excerpt is not waiting for a second approval."))
        if excerpt.approved_by_id == by.pk:
            raise Refused(_("Another moderator must approve it. You approved it first."))
        excerpt.second_approved_by = by
        excerpt.approved_at = timezone.now()
        excerpt.save(update_fields=["second_approved_by", "approved_at"])
        return excerpt


def withdraw_excerpt(*, excerpt: Excerpt, by: User) -> None:
    with transaction.atomic():
        if Excerpt.objects.filter(pk=excerpt.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        ):
            _record(ChangeKind.EXCERPT_WITHDRAWN, by=by, excerpt=excerpt)


# --- Actions --------------------------------------------------------------------------


def _check_progress(progress: int | None) -> None:
    if progress is not None and not 0 <= progress <= 100:
        raise Refused(_("Progress is a number from 0 to 100."), field="progress")


def _check_review_on(review_on: date | None, today: date) -> None:
    if review_on is not None and review_on < today:
        raise Refused(_("The review date cannot be in the past."), field="review_on")


def propose_action(
    *,
    you_said: str,
    by: User,
    themes: Iterable[Theme] = (),
    we_will: str = "",
    service: Service | None = None,
    from_meeting: Meeting | None = None,
) -> Action:
    if not you_said.strip():
        raise Refused(_("Say what young people said."), field="you_said")
    with transaction.atomic():
        action = Action.objects.create(
            you_said=you_said.strip(),
            we_will=we_will.strip(),
            service=service,
            proposed_by=by,
            from_meeting=from_meeting,
            status=ActionStatus.PROPOSED,
            progress=DEFAULT_PROGRESS[ActionStatus.PROPOSED],
        )
        action.themes.set(list(themes))
        return action


def _default_review_on(action: Action, today: date) -> date:
    takeover = action.from_meeting
    if takeover is not None and takeover.is_takeover:
        after_takeover = months_after(takeover.date, REVIEW_AFTER_MONTHS)
        if after_takeover >= today:
            return after_takeover
    return months_after(today, REVIEW_AFTER_MONTHS)


def agree_action(
    *,
    action: Action,
    by: User,
    service: Service,
    we_will: str,
    lead: User | None = None,
    due_on: date | None = None,
    review_on: date | None = None,
    public: bool = False,
    progress: int | None = None,
    today: date | None = None,
) -> Action:
    """Proposed becomes agreed; the review is six months on unless another date is given:
    six months after the takeover day for an action from one's finding (while that date is
    still ahead), so it comes up at the review that follows the takeover."""
    today = today or timezone.localdate()
    _check_review_on(review_on, today)
    _check_progress(progress)
    if not we_will.strip():
        raise Refused(_("Say what the service will do."), field="we_will")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.status != ActionStatus.PROPOSED:
            raise Refused(_("This action was agreed already."))
        action.service = service
        action.lead = lead
        action.we_will = we_will.strip()
        action.due_on = due_on
        action.review_on = review_on or _default_review_on(action, today)
        action.public = public
        action.status = ActionStatus.AGREED
        action.progress = progress if progress is not None else DEFAULT_PROGRESS[action.status]
        action.agreed_by = by
        action.agreed_at = timezone.now()
        action.save()
        update = ActionUpdate.objects.create(
            action=action,
            text=_stored(AUTOMATIC_TEXTS[ActionStatus.AGREED], service=service.name),
            status=action.status,
            progress=action.progress,
            status_changed=True,
            by=by,
        )
        _tell_young_people(action, update)
        _tell_proposer(action, update)
        return action


def decline_action(*, action: Action, by: User, reason: str) -> ActionUpdate:
    """A proposal that cannot be done is declined with a reason the proposer is told of."""
    if not reason.strip():
        raise Refused(_("Say why it is not possible."), field="reason")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.status != ActionStatus.PROPOSED:
            raise Refused(_("Only a proposal can be declined. Post progress instead."))
        action.status = ActionStatus.NOT_POSSIBLE
        action.not_possible_reason = reason.strip()
        action.save()
        update = ActionUpdate.objects.create(
            action=action,
            text=_stored(
                AUTOMATIC_TEXTS[ActionStatus.NOT_POSSIBLE], reason=action.not_possible_reason
            ),
            status=action.status,
            progress=action.progress,
            status_changed=True,
            by=by,
        )
        _tell_proposer(action, update)
        return update


def update_action(
    *,
    action: Action,
    by: User,
    text: str,
    status: str | None = None,
    progress: int | None = None,
    we_did: str = "",
    reason: str = "",
    step_back_reason: str = "",
    meeting: Meeting | None = None,
    public: bool | None = None,
    review_on: date | None = None,
    today: date | None = None,
) -> ActionUpdate:
    """A dated update. Status and progress change only when given: a decision that
    chooses neither is a note. An earlier status or less progress is a step back and needs
    a reason. Every update tells the young people whose items the action answers; a step
    back is told plainly as a change of plan, never as good news."""
    today = today or timezone.localdate()
    _check_progress(progress)
    _check_review_on(review_on, today)
    if not text.strip():
        raise Refused(_("Say what happened."), field="text")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.status == ActionStatus.PROPOSED:
            raise Refused(_("Agree the action before posting progress."))
        new_status = status or action.status
        if new_status not in (
            ActionStatus.IN_PROGRESS,
            ActionStatus.DONE,
            ActionStatus.NOT_POSSIBLE,
            ActionStatus.AGREED,
        ):
            raise Refused(_("Choose a status from the list."), field="status")
        if new_status == ActionStatus.DONE and not (we_did.strip() or action.we_did):
            raise Refused(_("Say what was done before marking it done."), field="we_did")
        if new_status == ActionStatus.NOT_POSSIBLE and not (
            reason.strip() or action.not_possible_reason
        ):
            raise Refused(_("Say why it is not possible."), field="reason")
        changed = new_status != action.status
        back = ActionStatus.is_back(action.status, new_status) or (
            progress is not None and progress < action.progress
        )
        if back and not step_back_reason.strip():
            raise Refused(_("This goes back from where it was. Say why."), field="step_back_reason")
        if we_did.strip():
            action.we_did = we_did.strip()
        if reason.strip():
            action.not_possible_reason = reason.strip()
        action.status = new_status
        if progress is not None:
            action.progress = progress
        elif changed and not back:
            # A chosen move forward shows at least the usual figure; it never lowers it.
            action.progress = max(action.progress, DEFAULT_PROGRESS[new_status])
        if public is not None:
            action.public = public
        if review_on is not None:
            action.review_on = review_on
        action.save()
        update = ActionUpdate.objects.create(
            action=action,
            text=text.strip(),
            status=action.status,
            progress=action.progress,
            status_changed=changed,
            step_back_reason=step_back_reason.strip() if back else "",
            meeting=meeting,
            by=by,
        )
        if back:
            what = "action_back"
        elif changed:
            what = "action"
        else:
            what = "action_update"
        _tell_young_people(action, update, what=what)
        _tell_proposer(action, update)
        return update


def link_items(*, action: Action, items: Iterable[Item], by: User) -> int:
    """Each young person whose item is newly linked to an agreed action is told, once
    (a proposed action is not shown to young people, so it tells nobody yet)."""
    items = list(items)
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        already = set(action.items.values_list("pk", flat=True))
        action.items.add(*items)
        batch = Batch()
        for item in items:
            _record(ChangeKind.ITEM_LINKED, by=by, action=action, item=item)
            if item.pk not in already and action.status != ActionStatus.PROPOSED:
                key = f"action-linked:{action.pk}:{item.pk}"
                tell_young_person(batch, item, what="action_linked", key=key)
        batch.queue()
    return len(items)


def _tell_young_people(action: Action, update: ActionUpdate, *, what: str = "action") -> None:
    """Each young person whose item the action answers, once per update (the update's key)."""
    batch = Batch()
    for item in action.items.select_related("topic", "author", "service"):
        key = f"action:{action.pk}:{update.pk}:{item.pk}"
        tell_young_person(batch, item, what=what, key=key)
    batch.queue()


def _tell_proposer(action: Action, update: ActionUpdate) -> None:
    """The person who proposed the action hears in the portal of each decision on it
    (not of their own). A reference and a link only."""
    proposer = action.proposed_by
    if proposer is None or proposer.pk == update.by_id:
        return
    batch = Batch()
    batch.add(
        key=f"proposal:{action.pk}:{update.pk}",
        template="proposal-decision",
        channel=Notification.Channel.PORTAL,
        recipient=proposer,
        context={
            "number": action.pk,
            "status": action.get_status_display(),
            "link": site_link("participation:action", action.pk),
            "site_url": settings.SITE_URL,
        },
    )
    batch.queue()


# --- Meetings -------------------------------------------------------------------------


def create_meeting(
    *,
    kind: str,
    title: str,
    on: date,
    by: User,
    attendees: str = "",
    period_months: int = 12,
    invitees: Iterable[User] = (),
) -> Meeting:
    if not title.strip():
        raise Refused(_("Give the meeting a title."), field="title")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=title.strip(),
            date=on,
            attendees=attendees.strip(),
            period_months=period_months,
            created_by=by,
        )
        meeting.invitees.set(invitees)
        return meeting


def add_agenda_item(*, meeting: Meeting, title: str, by: User) -> AgendaItem:
    if not title.strip():
        raise Refused(_("Write the agenda item."), field="title")
    with transaction.atomic():
        order = meeting.agenda_items.count()
        _record(ChangeKind.AGENDA_ADDED, by=by, meeting=meeting)
        return AgendaItem.objects.create(meeting=meeting, title=title.strip(), order=order)


def record_minutes(*, meeting: Meeting, by: User, minutes: str, attendees: str) -> Meeting:
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            minutes=minutes.strip(), attendees=attendees.strip()
        )
        _record(ChangeKind.MINUTES_SAVED, by=by, meeting=meeting)
        meeting.refresh_from_db()
        return meeting


def add_takeover_question(
    *, meeting: Meeting, service: Service, question: str, finding: str, by: User
) -> TakeoverQuestion:
    if not meeting.is_takeover:
        raise Refused(_("Questions to teams are for takeover days."))
    if not question.strip():
        raise Refused(_("Write the question the young people asked."), field="question")
    with transaction.atomic():
        _record(ChangeKind.QUESTION_ADDED, by=by, meeting=meeting)
        return TakeoverQuestion.objects.create(
            meeting=meeting, service=service, question=question.strip(), finding=finding.strip()
        )


def finding_to_action(*, question: TakeoverQuestion, by: User) -> Action:
    """A takeover day's finding becomes a proposed action for the team it was about."""
    if not question.finding:
        raise Refused(_("Write down what they found first."))
    with transaction.atomic():
        question = TakeoverQuestion.objects.select_for_update().get(pk=question.pk)
        if question.action is not None:
            return question.action
        action = propose_action(
            you_said=question.finding,
            by=by,
            service=question.service,
            from_meeting=question.meeting,
        )
        question.action = action
        question.save(update_fields=["action"])
        return action


def remind_leads(*, today: date | None = None) -> int:
    """Leads of actions due for review hear of it a set number of working days before the
    review meeting, once per meeting (claimed by a conditional update)."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, settings.COUNCIL_REVIEW_REMIND_DAYS)
    sent = 0
    for meeting in Meeting.objects.filter(
        kind__in=["review", "corporate_parenting", "council"],
        date__gte=today,
        date__lte=horizon,
        leads_reminded_at__isnull=True,
    ):
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, leads_reminded_at__isnull=True).update(
                leads_reminded_at=timezone.now()
            )
            if not claimed:
                continue
            batch = Batch()
            leads = {
                action.lead
                for action in meeting.actions_for_review().exclude(
                    status__in=["done", "not_possible"]
                )
                if action.lead is not None
            }
            context = {
                "meeting": meeting.get_kind_display(),
                "date": meeting.date,
                "link": site_link("participation:meeting", meeting.pk),
                "site_url": settings.SITE_URL,
            }
            batch.email_staff(
                sorted(leads, key=lambda u: u.pk),
                "review-reminder",
                f"review-reminder:{meeting.pk}",
                context,
            )
            batch.queue()
            sent += len(leads)
    return sent

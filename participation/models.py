"""Themes, approved excerpts, "You Said, We Did" actions and the meetings that review them.

Nothing here holds a young person's words: an excerpt is the redacted text a
staff member approved, and the council sees only that and suppressed counts.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from feedback.models import Item, Status, Topic
from portal.models import Service
from portal.translation import stored_text

# A review six months on, as councils' "You Said, We Did" reviews usually are.
REVIEW_AFTER_MONTHS = 6


class ThemeState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")


class ThemeQuerySet(models.QuerySet["Theme"]):
    def live(self) -> ThemeQuerySet:
        """Not merged into another theme."""
        return self.filter(merged_into__isnull=True)

    def agreed(self) -> ThemeQuerySet:
        return self.live().filter(state=ThemeState.AGREED)

    def named(self, name: str) -> ThemeQuerySet:
        return self.filter(name__iexact=name.strip())


class Theme(models.Model):
    """A group of feedback: each topic is one to start with; the council and staff add more."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    topic = models.OneToOneField(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="theme",
        verbose_name=_("topic"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ThemeState, default=ThemeState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Merging keeps the theme and points it at the one it became; its tags move there.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: a theme made from a topic has the topic's name,
        which the catalogues carry (feedback/seed.py); one the council names is as typed."""
        return stored_text(self.name)

    @property
    def is_agreed(self) -> bool:
        return self.state == ThemeState.AGREED

    def final(self) -> Theme:
        """The theme this one ended up in after any merges."""
        theme = self
        # No query when merged_into_id is None: the descriptor then returns None.
        while (into := theme.merged_into) is not None:
            theme = into
        return theme


class ItemTheme(models.Model):
    """One item tagged with one theme: who tagged it and when."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="theme_tags")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tags")
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tagged_at = models.DateTimeField(default=timezone.now)
    # Set when the tag came from a theme merged into this one.
    moved_from = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "theme"], name="one_tag_per_item_theme")
        ]
        verbose_name = _("theme tag")
        verbose_name_plural = _("theme tags")

    def __str__(self) -> str:
        return f"{self.item_id} #{self.theme_id}"


class ExcerptQuerySet(models.QuerySet["Excerpt"]):
    def live(self) -> ExcerptQuerySet:
        """Not withdrawn, from an item whose author still agrees to share and has not
        withdrawn it: the moment either changes, every quote from it leaves every page."""
        return self.filter(withdrawn_at__isnull=True, item__consent_to_share=True).exclude(
            item__status=Status.WITHDRAWN
        )

    def approved(self) -> ExcerptQuerySet:
        """Fully approved and live: the only excerpts the council, packs and board read."""
        return self.live().filter(approved_at__isnull=False)

    def awaiting_second(self) -> ExcerptQuerySet:
        """Approved once, but with marks left in, so waiting for a second moderator."""
        return self.live().filter(approved_at__isnull=True, approved_by__isnull=False)

    def received_between(self, start: object, end: object) -> ExcerptQuerySet:
        return self.filter(item__created_at__gte=start, item__created_at__lt=end)


class Excerpt(models.Model):
    """Words from a consenting item, with anything identifying removed, approved by staff.

    Only this text reaches the council, never the item's own words.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="excerpts")
    text = models.TextField(_("words to share, with names and places removed"), max_length=600)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="excerpts",
        verbose_name=_("theme"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Set when fully approved: by one moderator when nothing in the words is marked,
    # else when a second, different moderator approves too (second_approved_by).
    approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ExcerptQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("excerpt")
        verbose_name_plural = _("excerpts")

    def __str__(self) -> str:
        return f"excerpt {self.pk}"


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("Being done")
    DONE = "done", _("Done")
    NOT_POSSIBLE = "not_possible", _("Not possible")

    @classmethod
    def is_back(cls, old: str, new: str) -> bool:
        """Moving from `old` to `new` goes back along the way to done. "Not possible" is an
        end, not a step on the way: leaving it for an earlier status goes back, reaching it
        does not."""
        way = [cls.PROPOSED, cls.AGREED, cls.IN_PROGRESS, cls.DONE]
        if old == cls.NOT_POSSIBLE:
            return new != cls.NOT_POSSIBLE
        if new == cls.NOT_POSSIBLE:
            return False
        return way.index(cls(new)) < way.index(cls(old))


# The progress an action shows when it reaches a status, unless staff set another.
# Keyed by the status value: a model's status field holds a plain str.
DEFAULT_PROGRESS: dict[str, int] = {
    ActionStatus.PROPOSED: 0,
    ActionStatus.AGREED: 10,
    ActionStatus.IN_PROGRESS: 50,
    ActionStatus.DONE: 100,
    ActionStatus.NOT_POSSIBLE: 0,
}


class ActionQuerySet(models.QuerySet["Action"]):
    def public(self) -> ActionQuerySet:
        return self.filter(public=True).exclude(status=ActionStatus.PROPOSED)

    def live(self) -> ActionQuerySet:
        return self.exclude(status__in=[ActionStatus.DONE, ActionStatus.NOT_POSSIBLE])

    def due_for_review(self, by: date) -> ActionQuerySet:
        """Agreed actions whose review date has come by `by`, not yet reviewed since."""
        return self.exclude(status=ActionStatus.PROPOSED).filter(review_on__lte=by)

    def answering_items(self, item_ids: object) -> ActionQuerySet:
        return self.filter(items__in=item_ids).exclude(status=ActionStatus.PROPOSED).distinct()

    def with_updates(self) -> ActionQuerySet:
        """With what a list of actions shows: the service, the themes, and the updates
        newest first (so `latest_update` asks nothing more)."""
        return self.select_related("service").prefetch_related(
            models.Prefetch(
                "updates", queryset=ActionUpdate.objects.order_by("-created_at", "-id")
            ),
            "themes",
        )


class Action(models.Model):
    """A "You Said, We Did" action: what young people said and what the service does about it."""

    you_said = models.TextField(_("what young people said"), max_length=1000)
    we_will = models.TextField(_("what the service will do"), max_length=1000, blank=True)
    we_did = models.TextField(_("what the service did"), max_length=1000, blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("service"),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
        verbose_name=_("lead"),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="actions")
    items = models.ManyToManyField(Item, blank=True, related_name="actions")
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus, default=ActionStatus.PROPOSED
    )
    not_possible_reason = models.TextField(_("why it is not possible"), max_length=1000, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    due_on = models.DateField(_("due"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    public = models.BooleanField(_("show on the public board"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    # The takeover day whose finding this action came from, if any.
    from_meeting = models.ForeignKey(
        "Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="action_progress_0_to_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(we_did=""), name="done_action_says_what_was_done"
            ),
            models.CheckConstraint(
                condition=~Q(status="not_possible") | ~Q(not_possible_reason=""),
                name="not_possible_action_says_why",
            ),
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"action {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ActionStatus.DONE, ActionStatus.NOT_POSSIBLE)

    def latest_update(self) -> ActionUpdate | None:
        updates = getattr(self, "_prefetched_objects_cache", {}).get("updates")
        if updates is not None:
            return max(updates, key=lambda u: (u.created_at, u.pk), default=None)
        return self.updates.order_by("-created_at", "-pk").first()


class ActionUpdate(models.Model):
    """A dated note of progress on an action; decisions at meetings are recorded as these."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("what happened"), max_length=2000)
    status = models.CharField(max_length=20, choices=ActionStatus)
    progress = models.PositiveSmallIntegerField()
    # Set when the update moved the action's status: young people are told once per change.
    status_changed = models.BooleanField(default=False)
    # Why the action went back (an earlier status or less progress); empty when it did not.
    step_back_reason = models.TextField(_("why it went back"), max_length=1000, blank=True)
    meeting = models.ForeignKey(
        "Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")

    def __str__(self) -> str:
        return f"update {self.pk} on action {self.action_id}"

    @property
    def shown_text(self) -> str:
        """The text in the reader's language when the portal wrote it (an action agreed or
        declined: stored in the site's language, as the record is); a person's own update
        exactly as they wrote it."""
        message = AUTOMATIC_TEXTS.get(self.status) if self.status_changed else None
        if message is None:
            return self.text
        service = self.action.service
        stored = {
            "service": service.name if service else "",
            "reason": self.action.not_possible_reason,
        }
        with translation.override(settings.LANGUAGE_CODE):
            as_stored = gettext(message) % stored
        if self.text != as_stored:
            return self.text
        shown = {**stored, "service": service.display_name if service else ""}
        return gettext(message) % shown

    @property
    def is_step_back(self) -> bool:
        return bool(self.step_back_reason)


# What the portal writes on an action's timeline itself (participation/services.py), stored
# in the site's language and shown in the reader's (ActionUpdate.shown_text).
AUTOMATIC_TEXTS: dict[str, str] = {
    ActionStatus.AGREED: gettext_noop("Agreed: %(service)s will do this."),
    ActionStatus.NOT_POSSIBLE: gettext_noop("Declined: %(reason)s"),
}


class MeetingKind(models.TextChoices):
    COUNCIL = "council", _("Council meeting")
    TAKEOVER = "takeover", _("Takeover day")
    REVIEW = "review", _("You Said, We Did review")
    CORPORATE_PARENTING = "corporate_parenting", _("Corporate Parenting Board")
    PRESENTATION = "presentation", _("Presentation to the Safeguarding Children Board or Council")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self, today: date | None = None) -> MeetingQuerySet:
        return self.filter(date__gte=today or timezone.localdate()).order_by("date")


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind)
    title = models.CharField(_("title"), max_length=120)
    date = models.DateField(_("date"))
    # By role only ("3 council members, Head of Leaving Care"): never young people's names.
    attendees = models.TextField(_("who came, by role"), max_length=1000, blank=True)
    minutes = models.TextField(_("minutes"), max_length=10000, blank=True)
    # The figures a board pack shows: the months before the meeting.
    period_months = models.PositiveSmallIntegerField(_("months of figures"), default=12)
    leads_reminded_at = models.DateTimeField(null=True, blank=True)
    # Staff asked to come: with the council and the participation officer, the only
    # people who open the meeting's page (participation.access.meeting_for).
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meetings_invited_to",
        verbose_name=_("staff invited"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    @property
    def is_takeover(self) -> bool:
        return self.kind == MeetingKind.TAKEOVER

    @property
    def is_board(self) -> bool:
        return self.kind == MeetingKind.CORPORATE_PARENTING

    @property
    def has_happened(self) -> bool:
        return self.date <= timezone.localdate()

    def actions_for_review(self) -> ActionQuerySet:
        """Actions whose review date has come by the meeting, and, at a review, every action
        from an earlier takeover day not yet finished (proposed ones too, to decide on)."""
        due = Q(pk__in=Action.objects.due_for_review(by=self.date).values("pk"))
        if self.kind == MeetingKind.REVIEW:
            due |= Q(
                pk__in=Action.objects.live()
                .filter(from_meeting__kind=MeetingKind.TAKEOVER, from_meeting__date__lt=self.date)
                .values("pk")
            )
        return Action.objects.filter(due).select_related("service", "lead")


class AgendaItem(models.Model):
    """An agenda line added by hand; actions due for review are listed without one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("agenda item"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class TakeoverQuestion(models.Model):
    """On a takeover day: what young people asked a team, and what they found."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    question = models.TextField(_("question asked"), max_length=1000)
    finding = models.TextField(_("what they found"), max_length=2000, blank=True)
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("takeover question")
        verbose_name_plural = _("takeover questions")

    def __str__(self) -> str:
        return f"question {self.pk}"


class ChangeKind(models.TextChoices):
    THEME_MERGED = "theme_merged", _("Theme merged")
    ITEM_UNTAGGED = "item_untagged", _("Theme taken off an item")
    EXCERPT_WITHDRAWN = "excerpt_withdrawn", _("Excerpt withdrawn")
    ITEM_LINKED = "item_linked", _("Item linked to an action")
    AGENDA_ADDED = "agenda_added", _("Agenda item added")
    MINUTES_SAVED = "minutes_saved", _("Minutes saved")
    QUESTION_ADDED = "question_added", _("Takeover question added")


class Change(models.Model):
    """Who did what in participation where the thing changed keeps no name of its own:
    a merge, a withdrawal, a link, an untag, minutes. (Proposing, agreeing, tagging,
    approving and updating keep theirs on the row: proposed_by, tagged_by, ActionUpdate.by.)
    One row per change, written by participation.services and never edited; ids and
    kinds only, never anyone's words."""

    kind = models.CharField(_("what"), max_length=20, choices=ChangeKind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, related_name="+")
    excerpt = models.ForeignKey(Excerpt, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("participation change")
        verbose_name_plural = _("participation changes")

    def __str__(self) -> str:
        return f"{self.kind} by {self.by_id}"


class RolledUpMonth(models.Model):
    """A finished month whose counts are in the roll-up; other months are counted live."""

    month = models.DateField(unique=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlyCount(models.Model):
    """Items received in a finished month (London), by audience, topic, kind, mood and
    theme tags: the council figures' cells (participation.figures)."""

    month = models.DateField()
    audience = models.CharField(max_length=20, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    mood = models.PositiveSmallIntegerField(null=True)
    # The ids of the themes the items are tagged with, sorted, joined by commas.
    themes = models.CharField(max_length=500, blank=True, default="")
    # What happened (participation.figures.OUTCOMES): the first answer ("on_time", "late"
    # or ""), what the young person said of it ("sorted", "not_sorted" or ""), and
    # whether an action they led to is done. These can change after the month ends.
    answered = models.CharField(max_length=10, blank=True, default="")
    said = models.CharField(max_length=12, blank=True, default="")
    changed = models.BooleanField(default=False)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "audience"], name="monthly_count_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.topic_id} {self.kind}: {self.n}"

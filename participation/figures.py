"""The council's figures: items by theme, kind, mood and month, with small numbers protected.

Finished months only: a figure never moves while a month is open, so nobody can send
postcards one at a time and watch a small count change. The counts are cells, items by
(month, audience, topic, kind, mood, theme tags), from two queries whatever the number
of items (or the roll-up, participation.rollup). Each cell is adjusted on its own
(`suppression.adjust`) and every figure published is a sum of adjusted cells, so nothing
published together can be undone (participation/suppression.py says why). Every topic is
a theme; a tag puts an item under another theme as well. Nothing here reads words, names,
references or authors.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from feedback.models import Event, EventKind, Item, Kind, Mood
from feedback.months import midnight, month_start, month_starts, next_month, previous_month
from participation.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ItemTheme,
    MonthlyCount,
    RolledUpMonth,
    Theme,
)
from participation.suppression import Shown, adjust, shown
from portal.models import Audience

# The periods the page offers: the last N finished months.
PERIODS: dict[str, tuple[int, Promise]] = {
    "3": (3, _("Last 3 months")),
    "6": (6, _("Last 6 months")),
    "12": (12, _("Last 12 months")),
    "24": (24, _("Last 24 months")),
}
DEFAULT_PERIOD = "12"
AUDIENCES: dict[str, Promise] = {
    "": _("Everyone"),
    Audience.IN_CARE: _("Children in care"),
    Audience.CARE_LEAVER: _("Care leavers"),
}
KINDS = tuple(Kind)
MOODS = tuple(Mood)
NO_MOOD = _("No mood given")
THEMES_OVERLAP = _(
    "An item can be under more than one theme, so the themes can add up to more than all items."
)

# A cell: (month index, audience, topic id, kind, mood, the ids of the other themes an
# item is tagged with, and what happened to it: its first answer, "on_time", "late" or ""
# for none yet; what the young person said of the answer, "sorted", "not_sorted" or "";
# whether an action it led to is done). Raw cells carry the tags as stored: sorted ids
# joined by commas.
Cell = tuple[int, str, int, str, int | None, frozenset[int], str, str, bool]
RawCell = tuple[int, str, int, str, int | None, str, str, str, bool]
OUTCOMES: dict[str, tuple[Promise, int, object]] = {
    # name: (label, where in a cell it is read, the value it counts)
    "on_time": (_("Answered on time"), 6, "on_time"),
    "late": (_("Answered late"), 6, "late"),
    "unanswered": (_("Not answered yet"), 6, ""),
    "sorted": (_("Said the answer sorted it"), 7, "sorted"),
    "not_sorted": (_("Said the answer did not sort it"), 7, "not_sorted"),
    "changed": (_("Led to a change (an action done)"), 8, True),
}


def _midnight(day: date) -> datetime:
    return midnight(day, timezone.get_default_timezone())


def period_bounds(months: list[date]) -> tuple[datetime, datetime]:
    """From London midnight on the first month's first day to the day after the last month."""
    return _midnight(months[0]), _midnight(next_month(months[-1]))


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Shown]
    key: str = ""

    @property
    def total(self) -> Shown:
        return self.cells[-1]


@dataclass(frozen=True)
class Table:
    """One set of figures: the chart, the table under it and the CSV all read this."""

    slug: str
    title: str
    row_heading: str
    columns: list[str]
    rows: list[Row]
    note: str = ""  # why its figures do not add up to all items, when they do not
    chart_column: int = -1  # the column the chart draws: the total, or this period's
    summary: str = ""  # one line in plain words under the chart


@dataclass
class Counts:
    """True counts by cell, before protection. Kept apart so nothing unprotected reaches a page."""

    months: list[date]
    cells: Counter[Cell] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def _month_of(field: str, months: list[date]) -> Case:
    return Case(
        *(
            When(**{f"{field}__gte": _midnight(month)}, then=Value(index))
            for index, month in reversed(list(enumerate(months)))
        ),
        output_field=IntegerField(),
    )


def _with_outcome(items: QuerySet[Item], months: list[date]) -> QuerySet[Item]:
    said = (
        Event.objects.filter(item=OuterRef("pk"), kind__in=[EventKind.SORTED, EventKind.NOT_SORTED])
        .order_by("-created_at", "-id")
        .values("kind")[:1]
    )
    done = Action.items.through.objects.filter(
        item_id=OuterRef("pk"), action__status=ActionStatus.DONE
    )
    return items.annotate(
        month=_month_of("created_at", months),
        answered=Case(
            When(first_response_on_time=True, then=Value("on_time")),
            When(first_response_on_time=False, then=Value("late")),
            default=Value(""),
            output_field=CharField(),
        ),
        said=Coalesce(Subquery(said), Value(""), output_field=CharField()),
        changed=Exists(done),
    )


CELL_FIELDS = ("month", "audience", "topic_id", "kind", "mood")
OUTCOME_FIELDS = ("answered", "said", "changed")


def grouped(months: list[date], audience: str = "") -> list[tuple[RawCell, int]]:
    """Live cells for a run of consecutive months, with their counts: items without theme
    tags grouped in the database, tagged ones (the few the council tags) one by one, as
    their cell needs the whole set of their tags. Three queries."""
    start, end = period_bounds(months)
    items = Item.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if audience:
        items = items.filter(audience=audience)
    tagged = ItemTheme.objects.filter(item_id=OuterRef("pk"))
    untagged = (
        _with_outcome(items.filter(~Exists(tagged)), months)
        .values_list(*CELL_FIELDS, *OUTCOME_FIELDS)
        .annotate(n=Count("pk"))
    )
    cells: list[tuple[RawCell, int]] = [
        ((month, who, topic, kind, mood, "", answered, said, changed), n)
        for month, who, topic, kind, mood, answered, said, changed, n in untagged
    ]
    tags: defaultdict[int, set[int]] = defaultdict(set)
    for item_id, theme_id in ItemTheme.objects.filter(item__in=items).values_list(
        "item_id", "theme_id"
    ):
        tags[item_id].add(theme_id)
    by_tags: Counter[RawCell] = Counter()
    for pk, month, who, topic, kind, mood, answered, said, changed in _with_outcome(
        items.filter(Exists(tagged)), months
    ).values_list("pk", *CELL_FIELDS, *OUTCOME_FIELDS):
        themes = ",".join(map(str, sorted(tags[pk])))
        by_tags[month, who, topic, kind, mood, themes, answered, said, changed] += 1
    return cells + list(by_tags.items())


def _runs(months: list[date], skip: set[date]) -> list[list[tuple[int, date]]]:
    """The months not in `skip`, as runs of consecutive (index, month)."""
    runs: list[list[tuple[int, date]]] = []
    for index, month in enumerate(months):
        if month in skip:
            continue
        if runs and runs[-1][-1][0] == index - 1:
            runs[-1].append((index, month))
        else:
            runs.append([(index, month)])
    return runs


def count_items(
    *, months: list[date], audience: str = "", themes: list[Theme] | None = None
) -> Counts:
    """True counts by cell for the months: rolled-up months from the roll-up
    (participation.rollup, refreshed by Celery beat), the rest live. The two give the
    same numbers. A tag on a merged theme counts for the theme it was merged into; a
    tag on the item's own topic's theme adds nothing."""
    counts = Counts(months)
    themes = themes if themes is not None else list(Theme.objects.all())
    final = _final_ids(themes)
    theme_of_topic = {t.topic_id: final[t.pk] for t in themes if t.topic_id is not None}
    index_of = {month: index for index, month in enumerate(months)}
    rolled = set(RolledUpMonth.objects.filter(month__in=months).values_list("month", flat=True))
    raw: list[tuple[RawCell, int]] = []
    if rolled:
        stored = MonthlyCount.objects.filter(month__in=rolled)
        if audience:
            stored = stored.filter(audience=audience)
        raw += [
            ((index_of[month], who, topic, kind, mood, tags, answered, said, changed), n)
            for month, who, topic, kind, mood, tags, answered, said, changed, n in (
                stored.values_list(*CELL_FIELDS, "themes", *OUTCOME_FIELDS, "n")
            )
        ]
    for run in _runs(months, rolled):
        offset = run[0][0]
        raw += [
            ((offset + m, who, topic, kind, mood, tags, answered, said, changed), n)
            for (m, who, topic, kind, mood, tags, answered, said, changed), n in grouped(
                [month for _i, month in run], audience
            )
        ]
    for (month, who, topic, kind, mood, tags, answered, said, changed), n in raw:
        own = theme_of_topic.get(topic)
        others = frozenset({final.get(int(t), int(t)) for t in tags.split(",") if t} - {own})
        counts.cells[month, who, topic, kind, mood, others, answered, said, changed] += n
    return counts


def _final_ids(themes: list[Theme]) -> dict[int, int]:
    by_id = {t.pk: t for t in themes}
    final = {}
    for theme in themes:
        current = theme
        seen = {current.pk}
        while current.merged_into_id is not None and current.merged_into_id not in seen:
            current = by_id[current.merged_into_id]
            seen.add(current.pk)
        final[theme.pk] = current.pk
    return final


def draw(key: str) -> float:
    """A cell's fixed random draw in [0, 1): keyed with the site's secret, so it cannot be
    worked out from outside, and the same for the same cell and count on every page."""
    digest = salted_hmac("participation.figures.cell", key).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def adjusted_cells(counts: Counts, threshold: int) -> dict[Cell, int]:
    """Each cell's published figure (suppression.adjust), the draw keyed on the whole cell
    (month, audience, topic, kind, mood, tags, outcome) and its count."""
    out = {}
    for cell, n in counts.cells.items():
        month, who, topic, kind, mood, tags, *outcome = cell
        key = "|".join(
            map(str, (counts.months[month], who, topic, kind, mood, sorted(tags), *outcome, n))
        )
        out[cell] = adjust(n, draw(key), threshold)
    return out


@dataclass(frozen=True)
class Figures:
    months: list[date]
    audience: str
    period: str
    threshold: int
    total: Shown
    tables: list[Table]

    def table(self, slug: str) -> Table:
        return next(t for t in self.tables if t.slug == slug)


def last_finished_month(today: date) -> date:
    return month_start(today) - timedelta(days=1)


def figures(
    *,
    period: str = DEFAULT_PERIOD,
    audience: str = "",
    today: date | None = None,
    threshold: int | None = None,
) -> Figures:
    """The dashboard's figures for the finished months of the period, protected. Unknown
    filters fall back to the defaults."""
    period = period if period in PERIODS else DEFAULT_PERIOD
    audience = audience if audience in AUDIENCES else ""
    threshold = threshold if threshold is not None else settings.COUNCIL_SUPPRESSION_THRESHOLD
    count = PERIODS[period][0]
    months = month_starts(last_finished_month(today or timezone.localdate()), count)
    before = month_starts(previous_month(months[0]), count)
    themes = list(Theme.objects.all())
    counts = count_items(months=months, audience=audience, themes=themes)
    previous = count_items(months=before, audience=audience, themes=themes)
    return protect_counts(
        counts,
        themes,
        audience=audience,
        period=period,
        threshold=threshold,
        previous=previous,
        actions=(actions_ended(months), actions_ended(before)),
    )


def actions_ended(months: list[date]) -> dict[str, int]:
    """How many actions were done, and found not possible, in the months (by the update
    that ended them). Actions are the council's and services' own, shown by name on the
    council's pages and often the public board: exact counts tell nobody's story."""
    start, end = period_bounds(months)
    ended = (
        ActionUpdate.objects.filter(
            status_changed=True,
            status__in=[ActionStatus.DONE, ActionStatus.NOT_POSSIBLE],
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("status")
        .annotate(n=Count("action_id", distinct=True))
        .order_by()
    )
    return {row["status"]: row["n"] for row in ended}


class _Sums:
    """Adjusted and true sums by key: the adjusted is what is shown, the true only says
    whether a 0 is "0" or "fewer than 5"."""

    def __init__(self) -> None:
        self.adjusted: Counter[tuple[object, ...]] = Counter()
        self.true: Counter[tuple[object, ...]] = Counter()

    def add(self, key: tuple[object, ...], adjusted: int, true: int) -> None:
        self.adjusted[key] += adjusted
        self.true[key] += true

    def __getitem__(self, key: tuple[object, ...]) -> Shown:
        return shown(self.adjusted[key], self.true[key])


def _sums(counts: Counts, threshold: int, theme_of_topic: Mapping[int, int]) -> _Sums:
    """Every published figure of these counts, by key, each the sum of its cells'."""
    sums = _Sums()
    for cell, figure in adjusted_cells(counts, threshold).items():
        month, _who, topic, kind, mood, tags, *_outcome = cell
        n = counts.cells[cell]
        for key in (("month", month, kind), ("month", month), ("kind", kind), ("mood", mood)):
            sums.add(key, figure, n)
        sums.add(("total",), figure, n)
        own = theme_of_topic.get(topic)
        for theme in tags | ({own} if own is not None else set()):
            sums.add(("theme", theme, kind), figure, n)
            sums.add(("theme", theme), figure, n)
        for name, (_label, position, value) in OUTCOMES.items():
            if cell[position] == value:
                sums.add(("outcome", name), figure, n)
    return sums


def protect_counts(
    counts: Counts,
    themes: list[Theme],
    *,
    audience: str,
    period: str,
    threshold: int,
    previous: Counts | None = None,
    actions: tuple[dict[str, int], dict[str, int]] = ({}, {}),
) -> Figures:
    final = _final_ids(themes)
    theme_of_topic = {t.topic_id: final[t.pk] for t in themes if t.topic_id is not None}
    sums = _sums(counts, threshold, theme_of_topic)
    before = _sums(previous or Counts(counts.months), threshold, theme_of_topic)

    def by_kind(*key: object) -> list[Shown]:
        return [sums[(*key, kind.value)] for kind in KINDS] + [sums[key]]

    kind_columns = [str(kind.label) for kind in KINDS] + [str(_("All"))]
    live = sorted(
        (t for t in themes if t.merged_into_id is None and t.is_agreed), key=lambda t: t.name
    )
    by_theme = Table(
        "themes",
        str(_("Items by theme")),
        str(_("Theme")),
        kind_columns,
        [Row(t.display_name, by_kind("theme", t.pk), str(t.pk)) for t in live],
        note=str(THEMES_OVERLAP),
    )
    by_month = Table(
        "months",
        str(_("Items by month")),
        str(_("Month")),
        kind_columns,
        [
            Row(date_format(month, "M Y"), by_kind("month", index), month.isoformat()[:7])
            for index, month in enumerate(counts.months)
        ],
    )
    by_kind_table = Table(
        "kinds",
        str(_("Items by kind")),
        str(_("Kind")),
        [str(_("Items"))],
        [Row(str(kind.label), [sums["kind", kind.value]], kind.value) for kind in KINDS],
    )
    by_mood = Table(
        "moods",
        str(_("Items by mood")),
        str(_("Mood")),
        [str(_("Items"))],
        [Row(str(mood.label), [sums["mood", mood.value]], str(mood.value)) for mood in MOODS]
        + [Row(str(NO_MOOD), [sums["mood", None]], "none")],
    )
    periods = [str(_("These months")), str(_("The months before"))]
    outcomes = Table(
        "outcomes",
        str(_("What happened")),
        str(_("Items")),
        periods,
        [Row(str(_("All items")), [sums[("total",)], before[("total",)]], "total")]
        + [
            Row(str(label), [sums["outcome", name], before["outcome", name]], name)
            for name, (label, _position, _value) in OUTCOMES.items()
        ],
        chart_column=0,
    )
    done, before_done = actions
    ended = Table(
        "actions",
        str(_("You Said, We Did actions")),
        str(_("Actions")),
        periods,
        [
            Row(str(label), [Shown(done.get(status, 0)), Shown(before_done.get(status, 0))], status)
            for status, label in (
                (ActionStatus.DONE, _("Done")),
                (ActionStatus.NOT_POSSIBLE, _("Found not possible")),
            )
        ],
        chart_column=0,
        note=str(_("Actions are counted exactly: they are the services' own, not anyone's story.")),
    )
    tables = [by_theme, by_month, by_kind_table, by_mood, outcomes, ended]
    return Figures(
        months=counts.months,
        audience=audience,
        period=period,
        threshold=threshold,
        total=sums[("total",)],
        tables=[replace(t, summary=summary(t)) for t in tables],
    )


def _names(rows: list[Row], column: int) -> tuple[int, list[str]]:
    """The largest shown figure in the column and the rows that have it."""
    values = [(row.cells[column].value or 0, row.label) for row in rows]
    top = max((v for v, _label in values), default=0)
    return top, [label for v, label in values if v == top and top > 0]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {_('and')} {names[-1]}"


def _change(now: Shown, before: Shown) -> str:
    if now.hidden or before.hidden:
        return str(_("too few to compare with the months before"))
    difference = (now.value or 0) - (before.value or 0)
    if difference > 0:
        return str(_("up %(n)s on the months before") % {"n": difference})
    if difference < 0:
        return str(_("down %(n)s on the months before") % {"n": -difference})
    return str(_("the same as the months before"))


def summary(table: Table) -> str:
    """One line in plain words under a chart, from the protected figures only."""
    rows = table.rows
    if table.slug == "outcomes":
        by = {row.key: row.cells for row in rows}
        on_time, late = by["on_time"][0], by["late"][0]
        if on_time.hidden or late.hidden or not (on_time.value or late.value):
            return str(_("Too few items were answered to say how many were on time."))
        answered = (on_time.value or 0) + (late.value or 0)
        return str(
            _("About %(on_time)s of %(answered)s answered items were answered on time; %(change)s.")
            % {
                "on_time": on_time.value,
                "answered": answered,
                "change": _change(by["on_time"][0], by["on_time"][1]),
            }
        )
    if table.slug == "actions":
        by = {row.key: row.cells for row in rows}
        return str(
            _("Actions done: %(done)s; found not possible: %(not_possible)s; done %(change)s.")
            % {
                "done": by[ActionStatus.DONE][0].value,
                "not_possible": by[ActionStatus.NOT_POSSIBLE][0].value,
                "change": _change(by[ActionStatus.DONE][0], by[ActionStatus.DONE][1]),
            }
        )
    top, names = _names(rows, table.chart_column)
    if not names:
        return str(_("Too few items to say more."))
    sentence = {
        "themes": _("The most items were about %(names)s (about %(n)s)."),
        "months": _("The busiest month was %(names)s (about %(n)s items)."),
        "kinds": _("Most items were: %(names)s (about %(n)s)."),
        "moods": _("The mood given most was: %(names)s (about %(n)s)."),
    }.get(table.slug, _("The largest figure: %(names)s (about %(n)s)."))
    return str(sentence % {"names": _and(names), "n": top})


def csv_rows(result: Figures) -> list[list[str]]:
    """The same figures as the page, one table after another; hidden ones as "fewer than N"."""
    hidden = str(_("fewer than %(n)s") % {"n": result.threshold})
    first, last = result.months[0], result.months[-1]
    rows: list[list[str]] = [
        [str(_("Period")), str(PERIODS[result.period][1])],
        [str(_("Months")), f"{date_format(first, 'M Y')} to {date_format(last, 'M Y')}"],
        [str(_("Who")), str(AUDIENCES[result.audience])],
        [str(_("All items")), hidden if result.total.hidden else str(result.total.value)],
    ]
    for table in result.tables:
        rows.append([])
        rows.append([table.title])
        rows.append([table.row_heading, *table.columns])
        for row in table.rows:
            rows.append(
                [row.label, *(hidden if cell.hidden else str(cell.value) for cell in row.cells)]
            )
        if table.note:
            rows.append([str(_("Note")), table.note])
    return rows

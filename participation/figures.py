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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from feedback.models import Item, Kind, Mood
from feedback.months import midnight, month_start, month_starts, next_month
from participation.models import ItemTheme, MonthlyCount, RolledUpMonth, Theme
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
# item is tagged with). Raw cells carry the tags as stored: sorted ids joined by commas.
Cell = tuple[int, str, int, str, int | None, frozenset[int]]
RawCell = tuple[int, str, int, str, int | None, str]


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


def grouped(months: list[date], audience: str = "") -> list[tuple[RawCell, int]]:
    """Live cells for a run of consecutive months, with their counts: items without theme
    tags grouped in the database, tagged ones (the few the council tags) one by one, as
    their cell needs the whole set of their tags."""
    start, end = period_bounds(months)
    items = Item.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if audience:
        items = items.filter(audience=audience)
    tagged = ItemTheme.objects.filter(item_id=OuterRef("pk"))
    untagged = (
        items.filter(~Exists(tagged))
        .annotate(month=_month_of("created_at", months))
        .values_list("month", "audience", "topic_id", "kind", "mood")
        .annotate(n=Count("pk"))
    )
    cells: list[tuple[RawCell, int]] = [
        ((month, who, topic, kind, mood, ""), n) for month, who, topic, kind, mood, n in untagged
    ]
    of_item: dict[int, tuple[int, str, int, str, int | None]] = {}
    tags: defaultdict[int, set[int]] = defaultdict(set)
    for item_id, month, who, topic, kind, mood, theme_id in (
        ItemTheme.objects.filter(item__in=items)
        .order_by()
        .annotate(month=_month_of("item__created_at", months))
        .values_list(
            "item_id",
            "month",
            "item__audience",
            "item__topic_id",
            "item__kind",
            "item__mood",
            "theme_id",
        )
    ):
        of_item[item_id] = (month, who, topic, kind, mood)
        tags[item_id].add(theme_id)
    by_tags = Counter(
        (*of_item[item_id], ",".join(map(str, sorted(themes)))) for item_id, themes in tags.items()
    )
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
            ((index_of[month], who, topic, kind, mood, tags), n)
            for month, who, topic, kind, mood, tags, n in stored.values_list(
                "month", "audience", "topic_id", "kind", "mood", "themes", "n"
            )
        ]
    for run in _runs(months, rolled):
        offset = run[0][0]
        raw += [
            ((offset + m, who, topic, kind, mood, tags), n)
            for (m, who, topic, kind, mood, tags), n in grouped(
                [month for _i, month in run], audience
            )
        ]
    for (month, who, topic, kind, mood, tags), n in raw:
        own = theme_of_topic.get(topic)
        others = {final.get(int(t), int(t)) for t in tags.split(",") if t} - {own}
        counts.cells[month, who, topic, kind, mood, frozenset(others)] += n
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
    """Each cell's published figure (suppression.adjust), the draw keyed on the cell's
    month, audience, topic, kind, mood, tags and count."""
    out = {}
    for cell, n in counts.cells.items():
        month, who, topic, kind, mood, tags = cell
        key = "|".join(map(str, (counts.months[month], who, topic, kind, mood, sorted(tags), n)))
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
    months = month_starts(last_finished_month(today or timezone.localdate()), PERIODS[period][0])
    themes = list(Theme.objects.all())
    counts = count_items(months=months, audience=audience, themes=themes)
    return protect_counts(counts, themes, audience=audience, period=period, threshold=threshold)


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


def protect_counts(
    counts: Counts, themes: list[Theme], *, audience: str, period: str, threshold: int
) -> Figures:
    final = _final_ids(themes)
    theme_of_topic = {t.topic_id: final[t.pk] for t in themes if t.topic_id is not None}
    sums = _Sums()
    for cell, figure in adjusted_cells(counts, threshold).items():
        month, _who, topic, kind, mood, tags = cell
        n = counts.cells[cell]
        for key in (("month", month, kind), ("month", month), ("kind", kind), ("mood", mood)):
            sums.add(key, figure, n)
        sums.add(("total",), figure, n)
        own = theme_of_topic.get(topic)
        for theme in tags | ({own} if own is not None else set()):
            sums.add(("theme", theme, kind), figure, n)
            sums.add(("theme", theme), figure, n)

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
        [Row(t.name, by_kind("theme", t.pk), str(t.pk)) for t in live],
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
    return Figures(
        months=counts.months,
        audience=audience,
        period=period,
        threshold=threshold,
        total=sums[("total",)],
        tables=[by_theme, by_month, by_kind_table, by_mood],
    )


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

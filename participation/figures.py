"""The council's figures: items by theme, kind, mood and month, with small numbers protected.

Two grouped queries whatever the number of items: items by (month, topic, kind,
mood), and theme tags by (theme, topic, kind). Every topic is a theme; a tag
counts an item under a theme only when its topic does not already, so each
theme counts each item once. Everything the council reads passes through
`suppression.protect`; nothing here reads words, names, references or authors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from feedback.models import Item, Kind, Mood
from feedback.months import midnight, month_starts, next_month
from participation.models import (
    ItemTheme,
    MonthlyCount,
    MonthlyTagCount,
    RolledUpMonth,
    Theme,
)
from participation.suppression import Shown, protect
from portal.models import Audience

# The periods the page offers: the last N months, this one included.
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


@dataclass
class Counts:
    """True counts, before protection. Kept apart so nothing unprotected reaches a page."""

    months: list[date]
    by_month_kind: Counter[tuple[int, str]] = field(default_factory=Counter)
    by_mood: Counter[int | None] = field(default_factory=Counter)
    by_theme_kind: Counter[tuple[int, str]] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_month_kind.values())


def grouped(
    months: list[date], audience: str = ""
) -> tuple[
    list[tuple[int, str, int, str, int | None, int]], list[tuple[int, str, int, int, str, int]]
]:
    """Live counts for a run of consecutive months: items by (month index, audience, topic,
    kind, mood), and tags by (month index, audience, theme, topic, kind)."""
    start, end = period_bounds(months)
    items = Item.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if audience:
        items = items.filter(audience=audience)

    def month_of(field: str) -> Case:
        return Case(
            *(
                When(**{f"{field}__gte": _midnight(month)}, then=Value(index))
                for index, month in reversed(list(enumerate(months)))
            ),
            output_field=IntegerField(),
        )

    rows = list(
        items.annotate(month=month_of("created_at"))
        .values_list("month", "audience", "topic_id", "kind", "mood")
        .annotate(n=Count("pk"))
    )
    tags = list(
        ItemTheme.objects.filter(item__in=items)
        .order_by()
        .annotate(month=month_of("item__created_at"))
        .values_list("month", "item__audience", "theme_id", "item__topic_id", "item__kind")
        .annotate(n=Count("pk"))
    )
    return rows, tags


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
    """True counts for the months: finished months from the roll-up (participation.rollup,
    refreshed by Celery beat), the rest live. The two give the same numbers."""
    counts = Counts(months)
    themes = themes if themes is not None else list(Theme.objects.all())
    final = _final_ids(themes)
    theme_of_topic = {t.topic_id: final[t.pk] for t in themes if t.topic_id is not None}
    index_of = {month: index for index, month in enumerate(months)}
    rolled = set(RolledUpMonth.objects.filter(month__in=months).values_list("month", flat=True))
    rows: list[tuple[int, int, str, int | None, int]] = []
    tags: list[tuple[int, int, str, int]] = []
    if rolled:
        stored = MonthlyCount.objects.filter(month__in=rolled)
        stored_tags = MonthlyTagCount.objects.filter(month__in=rolled)
        if audience:
            stored = stored.filter(audience=audience)
            stored_tags = stored_tags.filter(audience=audience)
        rows += [
            (index_of[month], topic_id, kind, mood, n)
            for month, topic_id, kind, mood, n in stored.values_list(
                "month", "topic_id", "kind", "mood", "n"
            )
        ]
        tags += list(stored_tags.values_list("theme_id", "topic_id", "kind", "n"))
    for run in _runs(months, rolled):
        offset = run[0][0]
        live, live_tags = grouped([month for _i, month in run], audience)
        rows += [(offset + m, topic_id, kind, mood, n) for m, _a, topic_id, kind, mood, n in live]
        tags += [(theme_id, topic_id, kind, n) for _m, _a, theme_id, topic_id, kind, n in live_tags]

    for month, topic_id, kind, mood, n in rows:
        counts.by_month_kind[month, kind] += n
        counts.by_mood[mood] += n
        theme_id = theme_of_topic.get(topic_id)
        if theme_id is not None:
            counts.by_theme_kind[theme_id, kind] += n
    for theme_id, topic_id, kind, n in tags:
        theme_id = final.get(theme_id, theme_id)
        if theme_of_topic.get(topic_id) != theme_id:  # else its topic counted it already
            counts.by_theme_kind[theme_id, kind] += n
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


def _kind_cells(counter: Counter, key: object, threshold: int) -> list[Shown]:
    values = [counter[key, kind.value] for kind in KINDS]
    return [protect(v, threshold) for v in values] + [protect(sum(values), threshold)]


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


def figures(
    *,
    period: str = DEFAULT_PERIOD,
    audience: str = "",
    today: date | None = None,
    threshold: int | None = None,
) -> Figures:
    """The dashboard's figures, protected. Unknown filters fall back to the defaults."""
    period = period if period in PERIODS else DEFAULT_PERIOD
    audience = audience if audience in AUDIENCES else ""
    threshold = threshold if threshold is not None else settings.COUNCIL_SUPPRESSION_THRESHOLD
    months = month_starts(today or timezone.localdate(), PERIODS[period][0])
    themes = list(Theme.objects.all())
    counts = count_items(months=months, audience=audience, themes=themes)
    return protect_counts(counts, themes, audience=audience, period=period, threshold=threshold)


def protect_counts(
    counts: Counts, themes: list[Theme], *, audience: str, period: str, threshold: int
) -> Figures:
    kind_columns = [str(kind.label) for kind in KINDS] + [str(_("All"))]
    live = sorted(
        (t for t in themes if t.merged_into_id is None and t.is_agreed), key=lambda t: t.name
    )
    by_theme = Table(
        "themes",
        str(_("Items by theme")),
        str(_("Theme")),
        kind_columns,
        [Row(t.name, _kind_cells(counts.by_theme_kind, t.pk, threshold), str(t.pk)) for t in live],
    )
    by_month = Table(
        "months",
        str(_("Items by month")),
        str(_("Month")),
        kind_columns,
        [
            Row(
                date_format(month, "M Y"),
                _kind_cells(counts.by_month_kind, index, threshold),
                month.isoformat()[:7],
            )
            for index, month in enumerate(counts.months)
        ],
    )
    kind_totals = [
        sum(counts.by_month_kind[index, kind.value] for index in range(len(counts.months)))
        for kind in KINDS
    ]
    by_kind = Table(
        "kinds",
        str(_("Items by kind")),
        str(_("Kind")),
        [str(_("Items"))],
        [
            Row(str(kind.label), [protect(n, threshold)], kind.value)
            for kind, n in zip(KINDS, kind_totals, strict=True)
        ],
    )
    by_mood = Table(
        "moods",
        str(_("Items by mood")),
        str(_("Mood")),
        [str(_("Items"))],
        [
            Row(str(mood.label), [protect(counts.by_mood[mood.value], threshold)], str(mood.value))
            for mood in MOODS
        ]
        + [Row(str(NO_MOOD), [protect(counts.by_mood[None], threshold)], "none")],
    )
    return Figures(
        months=counts.months,
        audience=audience,
        period=period,
        threshold=threshold,
        total=protect(counts.total, threshold),
        tables=[by_theme, by_month, by_kind, by_mood],
    )


def csv_rows(result: Figures) -> list[list[str]]:
    """The same figures as the page, one table after another; hidden ones as "fewer than N"."""
    hidden = str(_("fewer than %(n)s") % {"n": result.threshold})
    rows: list[list[str]] = [
        [str(_("Period")), str(PERIODS[result.period][1])],
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
    return rows

"""The council's dashboard: figures with small counts hidden, charts, approved quotes."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from participation import access, figures
from participation.charts import horizontal
from participation.models import Excerpt, Theme
from portal.exports import csv_download
from portal.permissions import SignedInRequest


def figures_asked(request: HttpRequest) -> figures.Figures:
    """The figures for the period and audience in the address (the defaults otherwise)."""
    return figures.figures(
        period=request.GET.get("period", figures.DEFAULT_PERIOD),
        audience=request.GET.get("who", ""),
    )


def charts(result: figures.Figures) -> list[dict[str, object]]:
    return [
        {
            "table": table,
            "chart": horizontal(
                [(row.label, row.cells[table.chart_column].value) for row in table.rows]
            ),
        }
        for table in result.tables
    ]


def quotes(result: figures.Figures, limit: int = 6, until: date | None = None) -> list[Excerpt]:
    """Approved excerpts from items received from the figures' first month to the end of
    `until` (today): words are not counts, so this month's show at once."""
    start, _end = figures.period_bounds(result.months)
    end = figures.period_bounds([(until or timezone.localdate()) + timedelta(days=1)])[0]
    found = Excerpt.objects.approved().received_between(start, end).select_related("theme")
    if result.audience:
        found = found.filter(item__audience=result.audience)
    return list(found[:limit])


@access.council_required
def council(request: SignedInRequest) -> HttpResponse:
    result = figures_asked(request)
    return render(
        request,
        "participation/council.html",
        {
            "figures": result,
            "charts": charts(result),
            "quotes": quotes(result),
            "periods": [(key, label) for key, (_n, label) in figures.PERIODS.items()],
            "audiences": list(figures.AUDIENCES.items()),
            "proposed_themes": Theme.objects.live().filter(state="proposed"),
            "may_moderate": access.is_moderator(request.user),
        },
    )


@access.council_required
def council_csv(request: SignedInRequest) -> HttpResponse:
    result = figures_asked(request)
    first, last = result.months[0], result.months[-1]
    name = f"council-{first:%Y-%m}-{last:%Y-%m}-{result.audience or 'all'}.csv"
    return csv_download(request, name, figures.csv_rows(result))

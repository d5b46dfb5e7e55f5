"""Staff figures: the managers' dashboard and the annual complaints report, as pages and CSV.

Each view asks feedback.access first: `dashboard_scope` starts from the same
gate as the queue and narrows it to the services a manager manages (every
service for the complaints manager); only the complaints manager reads the
annual report. Anyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback import access, reports
from feedback.models import ListRead, StaffView
from portal.exports import csv_response
from portal.forms import AuditFilterForm
from portal.models import AuditEntry, AuditKind, User
from portal.permissions import SignedInRequest, staff_required

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _dashboard_for(user: User, *, page: bool = False) -> reports.Dashboard:
    scope = access.dashboard_scope(user)
    return reports.dashboard(
        scope.items,
        scope.services,
        include_unrouted=scope.whole_council,
        include_stages=scope.whole_council,
        # The duty team's managers and the complaints manager: how fast children at risk
        # were acknowledged and decided on.
        include_at_risk=page
        and (scope.whole_council or any(s.is_duty_team for s in scope.services)),
    )


@staff_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "feedback/staff/dashboard.html",
        {
            "dashboard": _dashboard_for(request.user, page=True),
            "kind_columns": reports.KIND_COLUMNS,
        },
    )


def _dashboard_header() -> list[str]:
    return [
        _("Service"),
        _("Month received"),
        *(str(label) for _kind, label in reports.KIND_COLUMNS),
        _("Received"),
        _("First responses"),
        _("First responses within target"),
        _("Within target (%)"),
        _("Open now"),
        _("Overdue now"),
        _("Median working days to first response"),
        _("Median working days to close"),
        _("Escalated"),
    ]


def _dashboard_row(name: str, month: str, figures: reports.Figures) -> list[object]:
    return [
        name,
        month,
        *figures.by_kind,
        figures.total,
        figures.responded,
        figures.on_time,
        _number(figures.on_time_percent),
        figures.open,
        figures.overdue,
        _number(figures.median_to_first_response),
        _number(figures.median_to_close),
        figures.escalated,
    ]


@staff_required
def dashboard_csv(request: SignedInRequest) -> HttpResponse:
    """The dashboard's figures in up to three tables, each with its own header row,
    separated by a blank line: by service and month (with a total row per
    service); open and overdue items of any age by service; for the complaints
    manager, open complaints by stage.
    """
    figures = _dashboard_for(request.user)
    response, writer = csv_response(request, f"dashboard-{figures.today.isoformat()}.csv")
    writer.writerow(_dashboard_header())
    period = _("Last 12 months")
    for section in figures.sections:
        for row in section.rows:
            writer.writerow(_dashboard_row(section.name, f"{row.month:%Y-%m}", row))
        writer.writerow(_dashboard_row(section.name, period, section.total))
    writer.writerow([])
    writer.writerow([_("Service"), _("Open now, any age"), _("Overdue now, any age")])
    for section in figures.sections:
        writer.writerow([section.name, section.open_now, section.overdue_now])
    if figures.stages is not None:
        writer.writerow([])
        writer.writerow([_("Complaint stage"), _("Open now"), _("Overdue now"), _("Extended")])
        for stage in figures.stages:
            writer.writerow([stage.stage, stage.open, stage.overdue, stage.extended])
    return response


def _year(request: HttpRequest) -> tuple[int | None, str]:
    """The year asked for (this year if none), or None and what to fix."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return timezone.localdate().year, raw
    # isascii: str.isdigit() accepts digits such as "²" that int() then refuses.
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw), raw
    return None, raw


def _report_or_404(request: SignedInRequest) -> tuple[reports.ComplaintsReport | None, str]:
    access.require(access.can_read_annual_report(request.user))
    year, raw = _year(request)
    if year is None:
        return None, raw
    return reports.complaints_report(access.items_for_staff(request.user), year), raw


@staff_required
def complaints_report(request: SignedInRequest) -> HttpResponse:
    report, raw = _report_or_404(request)
    context = {"report": report, "year_value": raw or (report.year if report else "")}
    if report is None:
        context["error"] = _(
            "Enter a year from %(first)d to %(last)d, for example %(example)d."
        ) % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
            "example": timezone.localdate().year,
        }
        return render(request, "feedback/staff/complaints_report.html", context, status=400)
    return render(request, "feedback/staff/complaints_report.html", context)


@staff_required
def complaints_report_csv(request: SignedInRequest) -> HttpResponse:
    """One table: section, measure, value. Counts only; nothing that identifies anyone."""
    report, _raw = _report_or_404(request)
    if report is None:
        return HttpResponse(
            _("Enter a year from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response, writer = csv_response(request, f"complaints-{report.year}.csv")
    writer.writerow([_("Section"), _("Measure"), _("Value")])
    writer.writerows(_report_rows(report))
    return response


def _report_rows(report: reports.ComplaintsReport) -> Iterable[list[object]]:
    yield [
        _("Received"),
        _("Complaints received in %(year)d") % {"year": report.year},
        report.received,
    ]
    for stage in report.stages:
        yield [_("Highest stage reached"), _("Stage %(n)d") % {"n": stage.stage}, stage.reached]
    for line in report.topics:
        yield [_("Topic"), line.label, line.count]
    for line in report.outcomes:
        yield [_("Outcome"), line.label, line.count]
    for stage in report.stages:
        section = _("Answers at stage %(n)d") % {"n": stage.stage}
        yield [section, _("Answers given"), stage.answers]
        yield [section, _("Within the timescale"), stage.within]
        yield [section, _("Within the timescale after an extension"), stage.within_after_extension]
        yield [section, _("Late"), stage.late]
        yield [section, _("Extended"), stage.extended]
    yield [_("Advocacy"), _("Offered"), report.advocacy_offered]
    yield [_("Advocacy"), _("Taken up"), report.advocacy_taken_up]


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# --- The audit log ----------------------------------------------------------------

AUDIT_PAGE_SIZE = 50
ITEM_READ, LIST_READ = "item_read", "list_read"


class AuditLogForm(AuditFilterForm):
    """The log's filters, and what kind of entry: a read of one item or of a list, or
    one of the portal's own kinds."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[
            ("", gettext_lazy("Anything")),
            (ITEM_READ, gettext_lazy("Opened an item")),
            (LIST_READ, gettext_lazy("Read a list of items")),
            *AuditKind.choices,
        ],
    )


@dataclass(frozen=True)
class AuditRow:
    when: datetime
    what: str
    who: str
    item: str
    address: str
    detail: str


@staff_required
def audit_log(request: SignedInRequest) -> HttpResponse:
    """Everything the log holds, newest first, a page at a time, filtered by person, item,
    kind and date: sign-ins, refusals, exports and configuration changes, every staff read
    of an item's page, and every list of items shown to staff, once (not each refresh)."""
    access.require(access.can_read_audit(request.user))
    form = AuditLogForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        found = _keyed(AuditEntry.objects.none(), "e", "created_at")
    else:
        found = _audit_found(filters)
    page = Paginator(found, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/staff/audit_log.html",
        {"form": form, "page": page, "rows": _audit_rows(page), "query": query.urlencode()},
    )


def _audit_found(filters: dict[str, Any]) -> QuerySet[Any, tuple[str, int, datetime]]:
    """Which entries match, newest first, as (source, id, when): the log's three sources
    filtered in the database and merged in one query, so a page costs one page."""
    entries = AuditEntry.objects.all()
    views = StaffView.objects.filter(list_read__isnull=True)
    lists = ListRead.objects.all()
    if person := filters.get("person"):
        entries = entries.for_person(str(person))
        views = views.filter(user__username__iexact=person)
        lists = lists.filter(user__username__iexact=person)
    if item := filters.get("item"):
        entries = entries.filter(item_reference=item)
        views = views.filter(item__reference=item)
        lists = lists.filter(views__item__reference=item)
    if since := filters.get("since"):
        entries = entries.filter(created_at__gte=_local_midnight(since))
        views = views.filter(viewed_at__gte=_local_midnight(since))
        lists = lists.filter(at__gte=_local_midnight(since))
    if until := filters.get("until"):
        end = _local_midnight(until + timedelta(days=1))
        entries = entries.filter(created_at__lt=end)
        views = views.filter(viewed_at__lt=end)
        lists = lists.filter(at__lt=end)
    kind = filters.get("kind")
    sources = []
    if kind in ("", None) or kind in AuditKind.values:
        sources.append(_keyed(entries.filter(kind=kind) if kind else entries, "e", "created_at"))
    if kind in ("", None, ITEM_READ):
        sources.append(_keyed(views, "v", "viewed_at"))
    if kind in ("", None, LIST_READ):
        sources.append(_keyed(lists, "l", "at"))
    first, *others = sources
    return first.union(*others, all=True).order_by("-when", "-key")


def _keyed(rows: QuerySet[Any], source: str, when: str) -> QuerySet[Any, tuple[str, int, datetime]]:
    return (
        rows.order_by()
        .annotate(source=Value(source), key=F("pk"), when=F(when))
        .values_list("source", "key", "when")
    )


def _audit_rows(page: Page[tuple[str, int, datetime]]) -> list[AuditRow]:
    """The page's entries, readable: a list read says who read how many items' words,
    where, and names each item."""
    wanted: dict[str, list[int]] = {"e": [], "v": [], "l": []}
    for source, key, _when in page.object_list:
        wanted[source].append(key)
    entries = AuditEntry.objects.named().in_bulk(wanted["e"])
    views = StaffView.objects.select_related("user", "item").in_bulk(wanted["v"])
    lists = ListRead.objects.select_related("user").in_bulk(wanted["l"])
    shown: dict[int, list[str]] = {}
    for list_id, reference in (
        StaffView.objects.filter(list_read__in=wanted["l"])
        .order_by("item__reference")
        .values_list("list_read_id", "item__reference")
    ):
        shown.setdefault(list_id, []).append(reference)
    rows = []
    for source, key, _when in page.object_list:
        if source == "e":
            e = entries[key]
            who = e.who_shown
            rows.append(
                AuditRow(
                    e.created_at, e.get_kind_display(), who, e.item_reference, e.address, e.detail
                )
            )
        elif source == "v":
            v = views[key]
            rows.append(
                AuditRow(
                    v.viewed_at, str(_("Opened an item")), v.user.username, v.item.reference, "", ""
                )
            )
        else:
            read = lists[key]
            rows.append(
                AuditRow(
                    read.at,
                    str(_("Read a list of items")),
                    read.user.username,
                    "",
                    "",
                    _list_sentence(read, shown.get(read.pk, [])),
                )
            )
    return rows


def _list_sentence(read: ListRead, references: list[str]) -> str:
    return ngettext(
        "%(name)s read the words of %(count)d item on %(where)s: %(references)s",
        "%(name)s read the words of %(count)d items on %(where)s: %(references)s",
        read.item_count,
    ) % {
        "name": read.user.shown_name,
        "count": read.item_count,
        "where": read.get_on_display(),
        "references": ", ".join(references),
    }


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))

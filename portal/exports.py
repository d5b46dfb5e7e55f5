"""CSV exports: the one writer every download uses, for both apps.

Two things every export owes: no cell a spreadsheet would run as a formula (a cell
starting = + - @, a tab or a carriage return gets a leading apostrophe: OWASP's
"CSV injection" advice; names and summaries are typed by people), and an entry in
the audit log naming the file and who took it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse

from portal import audit
from portal.models import AuditKind

# What a spreadsheet reads as the start of a formula, tab and carriage return included
# (a cell "\t=HYPERLINK(...)" runs in some of them once the tab is trimmed).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """The value as a cell that shows as written and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer with every text cell passed through `cell`."""

    def __init__(self, response: HttpResponse) -> None:
        self._writer = csv.writer(response)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(request: HttpRequest, filename: str) -> tuple[HttpResponse, CsvWriter]:
    """A download named `filename`, on record in the audit log by that name."""
    audit.record(AuditKind.EXPORT, request=request, detail=filename)
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return response, CsvWriter(response)


def csv_download(
    request: HttpRequest, filename: str, rows: Iterable[Iterable[object]]
) -> HttpResponse:
    """The whole export at once: a response holding `rows`."""
    response, writer = csv_response(request, filename)
    writer.writerows(rows)
    return response

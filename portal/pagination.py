"""The API's page numbers. Apart from portal.api because DRF reads the default
pagination class while defining its own generic views."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.request import Request


class Pages(pagination.PageNumberPagination):
    """DRF's page numbers, but a page that is not one number is not found: DRF would
    read an empty one, or "last", as a page."""

    def get_page_number(self, request: Request, paginator: Any) -> int:
        asked = request.query_params.getlist(self.page_query_param)
        if not asked:
            return 1
        if len(asked) > 1 or not (asked[0].isascii() and asked[0].isdigit()):
            raise exceptions.NotFound(_("That page does not exist."))
        return int(asked[0])

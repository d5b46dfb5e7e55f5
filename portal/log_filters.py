"""Logging filters: what the portal's logs may not keep."""

from __future__ import annotations

import logging
import re

QUERY_STRING = re.compile(r"\?[^ \"]*")


class NoQueryStrings(logging.Filter):
    """The development server logs each request line ("GET /staff/?q=... HTTP/1.1"): the
    query string goes, as gunicorn's access log leaves it out, since a staff search or a
    filter may name a young person."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = QUERY_STRING.sub("?…", record.msg) if not record.args else record.msg
        return True


class NoRequestDetails(logging.Filter):
    """Django's own loggers (django.request on a server error, django.security on a refused
    form) put the request on the record and its path in the message. A JSON formatter
    writes every attribute of a record, so the request's text (its path and query string)
    would be logged whole; and a path can name a young person (/staff/people/<username>/)
    or hold an invitation token or a password reset key. On the handler: the request comes
    off the record, and its path in the message becomes the view's name."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.pop("request", None)
        if request is None or not isinstance(record.args, tuple):
            return True
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "-"
        paths = {getattr(request, "path", None), getattr(request, "path_info", None)}
        full_path = getattr(request, "get_full_path", None)
        if callable(full_path):
            paths.add(full_path())
        paths.discard(None)
        record.args = tuple(view if arg in paths else arg for arg in record.args)
        return True

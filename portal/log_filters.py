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

"""The API's limits: per person when signed in, and per address for everyone.

Kept apart from portal.api because DRF reads these while defining APIView itself.
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling
from rest_framework.request import Request


class PersonThrottle(throttling.UserRateThrottle):
    scope = "person"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None  # the address limit counts visitors
        return super().get_cache_key(request, view)


class AddressThrottle(throttling.SimpleRateThrottle):
    # A children's home or a college shares one address: this limit is the far higher one.
    scope = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

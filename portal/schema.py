"""What the API schema needs beyond the views: loaded by drf-spectacular only when it
generates the schema (a preprocessing hook), so requests and Celery workers never import
its generator machinery (which brings Django's test tools with it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema's name for app tokens, so clients (and schemathesis) know how to send
    them. Defining the class registers it with drf-spectacular."""

    target_class = "portal.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


def register_extensions(endpoints: list[Any]) -> list[Any]:
    """A preprocessing hook whose import is the point: the endpoints pass unchanged."""
    return endpoints

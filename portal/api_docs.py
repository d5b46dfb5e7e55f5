"""The API's docs: the OpenAPI schema, read into a plain page in the portal's design.

Swagger UI drew the schema with a script and broke more than a hundred accessibility rules
(contrast, names, landmarks); this page is server-rendered GOV.UK markup from the same
schema drf-spectacular serves at /api/schema/: each endpoint, its method, parameters, body
and answers, and each shape's fields. Staff who passed the second factor only, as the
schema itself (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] asks the same rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings

from portal.permissions import is_staff_with_second_factor

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


@dataclass(frozen=True)
class Shape:
    """A type in words, and the shape it names (a link to it on the page), if any."""

    words: str
    ref: str = ""


@dataclass(frozen=True)
class Field:
    name: str
    shape: Shape
    required: bool
    description: str = ""


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    shape: Shape | None


@dataclass(frozen=True)
class Endpoint:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body: Shape | None
    answers: list[Answer]


@dataclass
class Group:
    name: str
    endpoints: list[Endpoint] = field(default_factory=list)


@dataclass(frozen=True)
class Component:
    name: str
    description: str
    fields: list[Field]
    choices: list[str]


@dataclass(frozen=True)
class Docs:
    title: str
    version: str
    description: str
    groups: list[Group]
    components: list[Component]


def describe(schema: Mapping[str, Any]) -> Shape:
    """A schema in a few words: "string (date-time)", "list of", Item; "or null" when nullable."""
    if "$ref" in schema:
        return Shape("", schema["$ref"].removeprefix(REF_PREFIX))
    for combiner in ("allOf", "oneOf", "anyOf"):
        parts = [part for part in schema.get(combiner, []) if part != {"enum": [None]}]
        if len(parts) == 1:
            inner = describe(parts[0])
            return _nullable(schema, inner)
        if parts:
            words = " or ".join(describe(part).words or describe(part).ref for part in parts)
            return _nullable(schema, Shape(words))
    kind = schema.get("type", "")
    if kind == "array":
        inner = describe(schema.get("items", {}))
        return _nullable(schema, Shape(f"list of {inner.words}".strip(), inner.ref))
    words = kind or "any"
    if "format" in schema:
        words += f" ({schema['format']})"
    if "enum" in schema:
        words += ": one of " + ", ".join(repr(choice) for choice in schema["enum"])
    return _nullable(schema, Shape(words))


def _nullable(schema: Mapping[str, Any], shape: Shape) -> Shape:
    if schema.get("nullable"):
        return Shape(f"{shape.words} or null".strip() if shape.words else "or null", shape.ref)
    return shape


def _json_schema(content: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not content:
        return None
    first = content.get("application/json") or next(iter(content.values()))
    return first.get("schema")


def _endpoint(path: str, method: str, operation: Mapping[str, Any]) -> Endpoint:
    parameters = [
        Field(
            name=f"{one['name']} (in the {one['in']})",
            shape=describe(one.get("schema", {})),
            required=bool(one.get("required")),
            description=one.get("description", ""),
        )
        for one in operation.get("parameters", [])
    ]
    body_schema = _json_schema(operation.get("requestBody", {}).get("content"))
    answers = []
    for status, answer in operation.get("responses", {}).items():
        schema = _json_schema(answer.get("content"))
        answers.append(
            Answer(str(status), answer.get("description", ""), describe(schema) if schema else None)
        )
    return Endpoint(
        anchor=operation.get("operationId", f"{method}-{path}"),
        method=method.upper(),
        path=path,
        summary=operation.get("summary", ""),
        description=operation.get("description", ""),
        parameters=parameters,
        body=describe(body_schema) if body_schema else None,
        answers=answers,
    )


def _component(name: str, schema: Mapping[str, Any]) -> Component:
    required = set(schema.get("required", []))
    fields = [
        Field(
            name=prop,
            shape=describe(inner),
            required=prop in required,
            description=inner.get("description", ""),
        )
        for prop, inner in schema.get("properties", {}).items()
    ]
    choices = [repr(choice) for choice in schema.get("enum", [])]
    return Component(name, schema.get("description", ""), fields, choices)


def read(schema: Mapping[str, Any]) -> Docs:
    """The schema as the page lists it: endpoints by tag, in the schema's order, and shapes."""
    groups: dict[str, Group] = {}
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            if method not in operations:
                continue
            operation = operations[method]
            tag = (operation.get("tags") or ["other"])[0]
            groups.setdefault(tag, Group(tag)).endpoints.append(_endpoint(path, method, operation))
    components = [
        _component(name, inner)
        for name, inner in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]
    info = schema.get("info", {})
    return Docs(
        title=info.get("title", ""),
        version=info.get("version", ""),
        description=info.get("description", ""),
        groups=list(groups.values()),
        components=components,
    )


@cache
def docs() -> Docs:
    """Made once a process: the schema changes only with the code."""
    generator: SchemaGenerator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    return read(generator.get_schema(request=None, public=True))


def api_docs(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_staff_with_second_factor(request):
        raise Http404
    return render(request, "portal/api_docs.html", {"docs": docs()})

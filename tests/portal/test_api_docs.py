"""The API docs: a server-rendered page of the OpenAPI schema (not Swagger UI), for staff
who passed the second factor, as the schema is."""

from __future__ import annotations

import html

import pytest
import yaml

from portal.api_docs import describe
from portal.models import User
from tests.conftest import client_for, make_staff

pytestmark = pytest.mark.django_db

DOCS = "/api/docs/"


def test_the_docs_list_every_endpoint_of_the_schema_with_its_parameters_and_answers(
    caseworker: User,
) -> None:
    client = client_for(caseworker)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    response = client.get(DOCS)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert f"<code>{method.upper()} {path}</code>" in page, (method, path)
            assert f'id="{operation["operationId"]}"' in page
    assert "<code>reference (in the path)</code> (required): string" in page
    assert '<strong>200</strong>: <a class="govuk-link" href="#shape-StaffItemDetail">' in page
    assert 'id="shape-StaffItemDetail"' in page
    # No viewer's script: only the portal's own.
    assert "swagger" not in page.lower()
    assert page.count("<script") == 1


def test_the_docs_are_for_staff_who_passed_the_second_factor_only(
    young_person: User, caseworker: User, advocate: User
) -> None:
    no_mfa = make_staff("nomfa", "leaving-care", mfa=False)
    assert client_for(young_person).get(DOCS).status_code == 404
    assert client_for(no_mfa).get(DOCS).status_code == 404
    assert client_for(caseworker, second_factor=False).get(DOCS).status_code == 404
    assert client_for(None).get(DOCS)["Location"].startswith("/accounts/login/")
    # The schema's rule: any member of staff, an advocate too.
    assert client_for(advocate).get(DOCS).status_code == 200


@pytest.mark.parametrize(
    ("schema", "words", "ref"),
    [
        ({"$ref": "#/components/schemas/Item"}, "", "Item"),
        ({"type": "array", "items": {"$ref": "#/components/schemas/Event"}}, "list of", "Event"),
        ({"type": "string", "format": "date-time", "nullable": True}, "string (date-time) or null", ""),
        ({"allOf": [{"$ref": "#/components/schemas/KindEnum"}]}, "", "KindEnum"),
        ({"oneOf": [{"$ref": "#/components/schemas/BlankEnum"}, {"$ref": "#/components/schemas/KindEnum"}]}, "BlankEnum or KindEnum", ""),
        ({"type": "string", "enum": ["yes", "no"]}, "string: one of 'yes', 'no'", ""),
        ({}, "any", ""),
    ],
)  # fmt: skip
def test_a_type_is_said_in_a_few_words(schema: dict, words: str, ref: str) -> None:
    shape = describe(schema)
    assert (shape.words, shape.ref) == (words, ref)

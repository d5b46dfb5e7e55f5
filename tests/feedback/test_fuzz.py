"""Whatever arrives, every form and endpoint answers with a page or a 404, never an error.

Hypothesis sends arbitrary text (any language, control characters, huge values)
where people and scripts might put it; nothing is half-saved.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import Event, Item
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Short text of any characters, or one character repeated around the 5,000 limit.
# No lone surrogates: they cannot be encoded as UTF-8, so no browser can send one
# (st.text leaves them out already; st.characters does not).
ANY_TEXT = st.text(max_size=300) | st.builds(
    lambda ch, n: ch * n, st.characters(exclude_categories=("Cs",)), st.integers(4990, 5010)
)
FIELD_NAMES = [
    "kind", "topic", "words", "mood", "identity", "audience", "consent_to_share",
    "contact_wanted", "contact_method", "contact_detail", "advocate_requested", "submission_key",
]  # fmt: skip
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_nul(text: str) -> str:
    # The test client cannot put NUL in a form body; browsers never send one.
    return text.replace("\x00", "")


@FUZZ
@given(
    data=st.dictionaries(st.sampled_from(FIELD_NAMES), ANY_TEXT),
    step=st.sampled_from(["check", "send", "change", ""]),
)
def test_the_submission_form_never_errors_on_any_input(young_person, data, step):
    before = Item.objects.count(), Event.objects.count()
    response = client_for(young_person).post(
        "/postcards/new/", {k: no_nul(v) for k, v in data.items()} | {"step": step}
    )
    assert response.status_code in (200, 302, 400, 429)
    if response.status_code != 302:
        assert (Item.objects.count(), Event.objects.count()) == before


@FUZZ
@given(reference=ANY_TEXT, code=ANY_TEXT)
def test_tracking_never_errors_on_any_input(reference_data, reference, code):
    response = client_for(None).post(
        "/track/", {"reference": no_nul(reference), "code": no_nul(code)}
    )
    assert response.status_code in (400, 404, 429)


@FUZZ
@given(
    reference=st.text(min_size=1, max_size=40).filter(
        lambda s: "/" not in s and s not in (".", "..")
    )
)
def test_item_urls_never_error_on_any_reference(caseworker, care_leaver, reference):
    from urllib.parse import quote

    path = quote(reference, safe="")
    for user, url in [
        (care_leaver, f"/postcards/{path}/"),
        (caseworker, f"/staff/items/{path}/"),
        (caseworker, f"/api/staff/items/{path}/"),
        (care_leaver, f"/api/items/{path}/"),
    ]:
        assert client_for(user).get(url).status_code == 404, url


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["status", "kind", "topic", "overdue", "urgent", "assigned", "sort", "page"]
        ),
        st.text(max_size=30),
    )
)
def test_the_queue_never_errors_on_any_filter(caseworker, item, params):
    response = client_for(caseworker).get("/staff/", {k: no_nul(v) for k, v in params.items()})
    assert response.status_code == 200

"""schemathesis against a live server, from the schema, with every check it has, as a
young person, a caseworker, a council member and signed out.

Slow (minutes), so `make test` leaves it out (the `schemathesis` marker) and
`.ci/run` calls `.ci/schemathesis`, which selects it and runs the four personas at once, each on a PostgreSQL test database of its own. Each
persona's run prints its figures (cases generated, time) to the report directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from feedback import dispatch
from portal import throttles
from portal.models import User
from tests.conftest import client_for, make_staff, make_young_person, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.schemathesis,
]

CSRF = "s" * 32  # the session's CSRF secret (CSRF_USE_SESSIONS), sent back as the header
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
# A failing run prints its seed: SCHEMATHESIS_SEED=... .ci/schemathesis runs it again.
SEED = ["--seed", os.environ["SCHEMATHESIS_SEED"]] if os.environ.get("SCHEMATHESIS_SEED") else []


def _config(user: User | None, reference: str, path: Path) -> tuple[list[str], list[str]]:
    """The persona's session as the schema's cookieAuth, so schemathesis knows it is the
    credential (and checks that leaving it out is refused); and an item of theirs as the
    reference, so the actions reach the services rather than a 404."""
    if user is None:
        return [], []
    client = client_for(user)
    session = client.session
    session["_csrftoken"] = CSRF
    session.save()
    path.write_text(
        f'[auth.openapi.cookieAuth]\napi_key = "{session.session_key}"\n\n'
        f'[parameters]\n"path.reference" = "{reference}"\n'
    )
    return ["--config-file", str(path)], ["-H", f"X-CSRFToken: {CSRF}"]


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    schema = SchemaGenerator().get_schema(request=None, public=True)
    path.write_text(json.dumps(schema, default=str))
    return path


@pytest.mark.parametrize("persona", ["young_person", "caseworker", "council_member", "signed_out"])
def test_schemathesis_finds_nothing(
    persona: str,
    schema_file: Path,
    live_server: Any,
    reference_data: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # The limits are tested on their own; here they would only stop the fuzzing early.
    monkeypatch.setattr(throttles.PersonThrottle, "THROTTLE_RATES", {"person": "100000/min"})
    monkeypatch.setattr(throttles.AddressThrottle, "THROTTLE_RATES", {"address": "100000/min"})
    young = make_young_person("jade")
    for _ in range(3):
        dispatch.route_item(submit(young, topic="school", audience="in_care").item.pk)
    # A care leaver's idea about housing: the caseworker's Leaving Care Team's.
    theirs = submit(make_young_person("kim", audience="care_leaver")).item
    dispatch.route_item(theirs.pk)
    mine = young.items.order_by("id").first()
    references = {"young_person": mine.reference if mine else "", "caseworker": theirs.reference}
    users: dict[str, User | None] = {
        "young_person": young,
        "caseworker": make_staff("casey", "leaving-care"),
        "council_member": make_young_person("alex", council=True),
        "signed_out": None,
    }
    reports = Path(os.environ.get("SCHEMATHESIS_REPORT_DIR", tmp_path)).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    report = reports / f"{persona}.ndjson"
    config, headers = _config(
        users[persona], references.get(persona, "AAA-AAA"), tmp_path / "schemathesis.toml"
    )
    started = time.monotonic()
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            *config,
            "run",
            str(schema_file),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            *SEED,
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            *headers,
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        cwd=tmp_path,  # schemathesis keeps its replay data in .schemathesis/ here
    )
    seconds = time.monotonic() - started
    summary = result.stdout if result.returncode else result.stdout[-1500:]
    print(f"schemathesis as {persona}: {seconds:.0f}s\n{summary}")  # noqa: T201 - the figures
    assert result.returncode == 0, summary

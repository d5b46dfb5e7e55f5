"""Page weight: each young person's page, compressed (gzip -9), HTML plus its CSS and JS.

Run: .venv/bin/python -m bench.pages
"""

import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
db = Path(tempfile.mkdtemp()) / "pages.sqlite3"
os.environ.update(
    DJANGO_SETTINGS_MODULE="tests.settings", SQLITE_PATH=str(db), DATABASE_URL="", REDIS_URL=""
)

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)


def main() -> None:
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the check page's form key is read from the response context
    call_command("migrate", verbosity=0)
    from feedback import dispatch
    from feedback.models import Topic
    from feedback.seed import seed_reference_data
    from portal.models import Audience, User, YoungPerson
    from tests.conftest import submit

    seed_reference_data()
    user = User.objects.create_user("pages", password="x")
    YoungPerson.objects.create(user=user, audience=Audience.IN_CARE)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    item = submit(user, topic="school").item
    dispatch.route_item(item.pk)
    topic = Topic.objects.get(slug="school").pk
    answers = {
        "kind": "idea",
        "topic": topic,
        "words": "A homework club please",
        "identity": "named",
        "contact_wanted": "no",
    }
    check = client.post("/postcards/new/", {**answers, "step": "check"})
    sent = client.post(
        "/postcards/new/",
        {**answers, "step": "send", "submission_key": str(check.context["submission_key"])},
    )
    pages = [
        ("home (signed out)", Client().get("/")),
        ("sign in", Client().get("/accounts/login/")),
        ("send a postcard", client.get("/postcards/new/")),
        ("check your answers", check),
        ("confirmation", client.get(sent["Location"])),
        ("my postcards", client.get("/postcards/")),
        ("item and timeline", client.get(f"/postcards/{item.reference}/")),
        ("track (signed out)", Client().get("/track/")),
    ]
    print(f"{'page':<22}{'HTML gz':>9}{'CSS+JS gz':>11}{'total gz':>10}")
    for name, response in pages:
        html = response.content
        extra = sum(
            gz(Path(str(finders.find(path))).read_bytes()) for path in assets(html.decode())
        )
        print(f"{name:<22}{gz(html):>9}{extra:>11}{gz(html) + extra:>10}")
    print("bytes, gzip -9; CSS and JS are cached after the first page")


if __name__ == "__main__":
    main()

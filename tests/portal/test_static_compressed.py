"""Static files go out compressed, as production (and `make run`) serve them: collected with
hashed names and gzip and Brotli copies, served by WhiteNoise through the WSGI stack."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import override_settings

# A WSGI request starts with request_started, which checks the open database connections.
pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "static" / "css"
MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def production_static(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WSGIHandler]:
    """The portal's stylesheets collected as the image collects them (only those: the
    admin's and DRF's files take seconds to compress), and a WSGI application that serves
    them."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STATIC_ROOT=root,
        STATICFILES_DIRS=[("css", CSS)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={**settings.STORAGES, "staticfiles": MANIFEST},
        WHITENOISE_USE_FINDERS=False,
        DEBUG=False,
    ):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield WSGIHandler()  # WhiteNoise reads STATIC_ROOT when the stack is built


def get(app: WSGIHandler, path: str, encoding: str = "") -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, object] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    if encoding:
        environ["HTTP_ACCEPT_ENCODING"] = encoding
    setup_testing_defaults(environ)
    environ["wsgi.errors"] = io.StringIO()
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = {name.lower(): value for name, value in headers}

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return answer["status"], answer["headers"], body  # type: ignore[return-value]


def hashed_url() -> str:
    return staticfiles_storage.url("css/portal.css")


def test_a_stylesheet_has_a_hashed_name_in_production(production_static):
    url = hashed_url()
    assert url.startswith("/static/css/portal.") and url.endswith(".css")
    assert url != "/static/css/portal.css"


def test_a_browser_that_takes_gzip_gets_the_stylesheet_gzipped_and_far_smaller(
    production_static,
):
    import gzip

    status, headers, plain = get(production_static, hashed_url())
    assert status == 200 and "content-encoding" not in headers
    status, headers, body = get(production_static, hashed_url(), "gzip")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain) / 4


def test_a_browser_that_takes_brotli_gets_it_smaller_still(production_static):
    import brotli

    _status, _headers, plain = get(production_static, hashed_url())
    _status, _headers, gzipped = get(production_static, hashed_url(), "gzip")
    status, headers, body = get(production_static, hashed_url(), "gzip, deflate, br")
    assert status == 200
    assert headers["content-encoding"] == "br"
    assert brotli.decompress(body) == plain
    assert len(body) < len(gzipped)


def test_a_hashed_name_is_kept_for_a_year_and_the_plain_name_briefly(production_static):
    _status, headers, _body = get(production_static, hashed_url(), "br")
    assert "max-age=315360000" in headers["cache-control"]
    assert "immutable" in headers["cache-control"]
    status, headers, _body = get(production_static, "/static/css/portal.css", "gzip")
    assert status == 200
    assert headers["content-encoding"] == "gzip"  # served from STATIC_ROOT, not the source
    assert "max-age=60" in headers["cache-control"]


def test_with_a_manifest_whitenoise_serves_the_collected_files_not_the_sources():
    """STATIC_MANIFEST=1 (the image, `make run`) turns the finders off: they would serve
    the uncompressed sources under the plain names. Without it (tests, DEBUG=1) they serve."""
    code = "from django.conf import settings as s; print(s.WHITENOISE_USE_FINDERS)"
    for manifest, expected in (("1", "False"), ("0", "True")):
        env = {
            **os.environ,
            "STATIC_MANIFEST": manifest,
            "PORTAL_EMBEDDED": "1",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        env.pop("DATABASE_URL", None)
        out = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + code],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected

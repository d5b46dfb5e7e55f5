"""The committed CSS and JS are built from static/src: `make assets` after changing a source."""

import hashlib
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HASHES = ROOT / "static" / "build.sha256"
SASS = ROOT / "node_modules" / ".bin" / "sass"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"


def recorded() -> dict[str, str]:
    rows = (line.split() for line in HASHES.read_text().splitlines() if line.strip())
    return {path: digest for digest, path in rows}


def test_the_built_files_were_made_from_the_sources_as_they_are_now() -> None:
    sources = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "static/src").iterdir())
    now = {
        path: hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
        for path in [*sources, "package-lock.json"]
    }
    assert recorded() == now, "static/src or package-lock.json changed: run `make assets`"


@pytest.mark.skipif(
    not (SASS.exists() and ESBUILD.exists()),
    reason="node_modules has no sass or esbuild (run `npm ci`) to rebuild the assets with",
)
def test_rebuilding_the_sources_gives_the_committed_files(tmp_path: Path) -> None:
    css, js = tmp_path / "portal.css", tmp_path / "portal.js"
    subprocess.run(
        [SASS, "--load-path=node_modules", "--no-source-map", "--style=compressed",
         "--quiet-deps", "static/src/portal.scss", css],
        cwd=ROOT, check=True,
    )  # fmt: skip
    subprocess.run(
        [ESBUILD, "static/src/portal.js", "--bundle", "--minify", "--format=esm",
         "--target=es2020", "--legal-comments=none", "--log-level=warning", f"--outfile={js}"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    assert css.read_bytes() == (ROOT / "static/css/portal.css").read_bytes()
    assert js.read_bytes() == (ROOT / "static/js/portal.js").read_bytes()

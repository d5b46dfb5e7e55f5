"""gunicorn's settings (portal/gunicorn_conf.py): no access log, and /metrics' folder for
several workers emptied at each start."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from portal import gunicorn_conf


def test_gunicorn_writes_no_access_log_whose_paths_could_name_someone() -> None:
    assert gunicorn_conf.accesslog is None


def test_a_start_empties_the_metrics_folder_of_figures_from_the_last_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1234.db").write_bytes(b"old figures")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn_conf.on_starting(server=None)
    assert folder.is_dir() and not list(folder.iterdir())
    (folder / "gauge_livesum_4321.db").write_bytes(b"a live gauge")
    gunicorn_conf.child_exit(server=None, worker=SimpleNamespace(pid=4321))
    assert not (folder / "gauge_livesum_4321.db").exists()

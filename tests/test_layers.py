"""The house's shape, read from the imports themselves: participation -> feedback -> portal,
never back, and no circle anywhere (imports inside functions count too)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "feedback", "participation")
LAYER = {"portal": 0, "feedback": 1, "participation": 2}
# The composition root: the only modules of portal/ that may know the apps.
COMPOSITION_ROOT = {"portal.urls", "portal.celery", "portal.wsgi"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules this one imports, anywhere in its body."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            # The longest known module the target names (a module, or a name in one).
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_the_imports_it_should():
    edges = graph()
    assert "feedback.models" in edges["feedback.services"]
    assert "portal.models" in edges["feedback.models"]


def test_there_is_no_circle_of_imports():
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down_the_layers_only(package):
    wrong = []
    for name, targets in graph().items():
        if name.split(".")[0] != package or name in COMPOSITION_ROOT:
            continue
        for target in targets:
            if LAYER[target.split(".")[0]] > LAYER[package]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_a_circle_is_found_when_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_a_celery_worker_loads_no_view_api_or_schema_code_to_run_its_tasks() -> None:
    """Routing and mail need the models and services, not the site's views or the API
    schema's generator (which brings Django's test tools): each is megabytes in every
    worker process. Checked in a fresh interpreter, as a worker starts."""
    import subprocess
    import sys

    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings'); "
        "from portal.celery import app; import django; django.setup(); "
        "app.loader.import_default_modules(); "
        "print(sorted(m for m in ('drf_spectacular.plumbing', 'django.test', 'feedback.views', "
        "'feedback.staff_views', 'portal.urls') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "CELERY_SKIP_CHECKS"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"

"""The house's shape, read from the imports themselves: participation -> feedback -> portal,
never back, and no circle anywhere (imports inside functions count too)."""

from __future__ import annotations

import ast
import os
import re
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


# --- What both apps share has one owner ------------------------------------------------


def test_no_module_imports_another_module_s_private_names():
    """A name with a leading underscore is its module's own: a second module that needs it
    needs it moved down a floor, under a public name (as the API kit moved to portal.api)."""
    modules = project_modules()
    known = set(modules)
    wrong = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "") in known:
                wrong += [
                    f"{name} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and node.module != name
                ]
    assert wrong == []


def defined_at_top(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


# Each shared piece, and the one module that defines it (DESIGN.md: a floor down).
OWNERS = {
    "Refused": "portal.refusals",
    "exception_handler": "portal.api",
    "FieldError": "portal.api",
    "PersonThrottle": "portal.throttles",
    "second_factor_gate": "portal.permissions",
    "csv_response": "portal.exports",
    "tell_young_person": "feedback.notifications",
    "month_starts": "feedback.months",
    "months_after": "feedback.months",
    "next_month": "feedback.months",
    "remember_tracked": "feedback.browser",
    "tracking_code_for": "feedback.codes",
}


@pytest.mark.parametrize(("name", "owner"), sorted(OWNERS.items()))
def test_a_shared_piece_is_defined_by_its_owner_only(name, owner):
    defined_in = sorted(
        module for module, path in project_modules().items() if name in defined_at_top(path)
    )
    assert defined_in == [owner]


def test_only_portal_exports_writes_csv_and_only_portal_asks_for_the_second_factor():
    users: dict[str, set[str]] = {"csv": set(), "is_mfa_enabled": set()}
    for module, path in project_modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                users["csv"] |= {module for alias in node.names if alias.name == "csv"}
            elif isinstance(node, ast.ImportFrom):
                names = {alias.name for alias in node.names}
                if "is_mfa_enabled" in names:
                    users["is_mfa_enabled"].add(module)
    assert users["csv"] == {"portal.exports"}
    assert {m.split(".")[0] for m in users["is_mfa_enabled"]} == {"portal"}


# --- Templates: the same layers ---------------------------------------------------------

TEMPLATES = ROOT / "templates"
LOAD_RE = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
INCLUDE_RE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
# Where a page of a lower layer shows a piece of participation, through the hooks
# participation offers (its template tags and fragments). Declared, so a new crossing
# is a decision, not an accident.
DECLARED_CROSSINGS = {
    ("feedback/item.html", "participation"),  # {% item_actions %}: actions an item fed
    ("feedback/my_items.html", "participation"),  # {% participation_home %}
    ("feedback/staff/item.html", "participation"),  # _item_themes.html: tags and links
    ("portal/home.html", "participation"),  # {% participation_home %}
}


def template_layer(relative: str) -> str:
    top = relative.split("/")[0]
    return top if top in LAYER else "portal"  # base.html, account/, emails/: the site's


def tag_libraries() -> dict[str, str]:
    return {
        path.stem: package
        for package in PACKAGES
        for path in (ROOT / package).glob("templatetags/*.py")
        if path.stem != "__init__"
    }


def template_crossings() -> set[tuple[str, str]]:
    libraries = tag_libraries()
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        relative = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        reached = {
            libraries[name]
            for names in LOAD_RE.findall(text)
            for name in names.split()
            if name in libraries
        } | {template_layer(included) for included in INCLUDE_RE.findall(text)}
        found |= {
            (relative, app) for app in reached if LAYER[app] > LAYER[template_layer(relative)]
        }
    return found


def test_templates_reach_up_the_layers_only_where_declared():
    assert template_crossings() == DECLARED_CROSSINGS

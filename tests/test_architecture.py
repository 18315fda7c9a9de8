"""The layout's rules, checked on the source: imports go down the layers only, and modules stay small.

The layers, bottom to top (docs/architecture.md): the pure rules; models; facts and the backend; reads
(selectors, sign-in facts, exports); services (every write); entry points (pages, API, admin, commands, allauth
hooks, settings and URLs). A module may import from its own layer and the ones below, never above.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accessctl", "teams", "apps", "reviews")
MAX_LINES = 300

# (layer, patterns of dotted module names), bottom first; the first matching pattern decides.
LAYERS = [
    ("rules", [r"accessctl\.access\.(policy|roles|catalog|signin|errors|names|expiry|reviews|transfers)"]),
    (
        "models",
        [
            r"accessctl\.access\.fields",
            r"accessctl\.models",
            r"accessctl\.(audit|identity|webhooks)\.models",
            r"accessctl\.webhooks\.fields",
            r"(teams|apps|reviews)\.models",
            r"accessctl\.identity\.sso\.(provider|apps)",
            r"(teams|apps|reviews)\.apps",
        ],
    ),
    ("facts", [r"accessctl\.access\.(facts|prepared|backend)"]),
    (
        "reads",
        [
            r"(teams|apps|reviews)\.selectors(_\w+)?",
            r"reviews\.(matrix|usage|evidence)",
            r"accessctl\.identity\.signin",
            r"accessctl\.audit\.export",
            r"accessctl\.webhooks\.(payloads|selectors|targets)",
        ],
    ),
    (
        "services",
        [
            r"accessctl\.audit\.log",
            r"(teams|apps)\.(services|collaborators|transfers|operations|temporary|access_requests|expiry|invitations)",
            r"accessctl\.identity\.(accounts|tokens)",
            r"accessctl\.identity\.sso\.services",
            r"accessctl\.tasks",
            r"reviews\.(services|closing|tasks)",
            r"accessctl\.webhooks\.(outbox|delivery|tasks|services)",
        ],
    ),
    ("entry points", [r".*"]),
]
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def layer_of(module: str) -> str:
    for name, patterns in LAYERS:
        if any(re.fullmatch(pattern, module) for pattern in patterns):
            return name
    raise AssertionError(module)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


MODULES = project_modules()


def imports_of(name: str, source: str, *, is_package: bool = False) -> set[str]:
    """Project modules that ``name`` imports, at any depth of the file (function-level imports included)."""
    found = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]).strip(".")
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = submodules if all(t in MODULES for t in submodules) else [*submodules, base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def upward_imports(name: str, targets: set[str]) -> list[str]:
    return [
        f"{name} ({layer_of(name)}) imports {target} ({layer_of(target)})"
        for target in sorted(targets)
        if RANK[layer_of(target)] > RANK[layer_of(name)]
    ]


GRAPH = {
    name: imports_of(name, path.read_text(), is_package=path.name == "__init__.py")
    for name, path in MODULES.items()
}


def test_every_module_has_a_layer():
    assert {name: layer_of(name) for name in MODULES}


def test_imports_go_down_the_layers_only():
    assert [line for name, targets in GRAPH.items() for line in upward_imports(name, targets)] == []


def test_the_pure_rules_import_nothing_of_the_project_but_the_rules():
    rules = [name for name in MODULES if layer_of(name) == "rules"]
    assert rules
    assert {name: GRAPH[name] - set(rules) for name in rules} == {name: set() for name in rules}


def test_below_the_entry_points_no_module_imports_itself_back():
    """No import cycle among the layers below the entry points (a cycle hides which layer a module is in)."""
    lower = {name for name in MODULES if layer_of(name) != "entry points"}

    def reaches(start, goal, seen):
        for target in GRAPH[start] & lower:
            if target == goal or (target not in seen and (seen.add(target) or reaches(target, goal, seen))):
                return True
        return False

    assert sorted(name for name in lower if reaches(name, name, set())) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_under_300_lines(module):
    assert len(MODULES[module].read_text().splitlines()) <= MAX_LINES


def test_the_walker_reports_an_upward_import_even_inside_a_function():
    source = "def f():\n    from teams.services import team_member_add\n    from . import catalog\n"
    targets = imports_of("accessctl.access.policy", source)
    assert targets == {"teams.services", "accessctl.access.catalog"}
    assert upward_imports("accessctl.access.policy", targets) == [
        "accessctl.access.policy (rules) imports teams.services (services)"
    ]


def test_tests_import_from_the_code_and_support_modules_never_from_other_tests():
    tests = ROOT / "tests"
    offenders = sorted(
        f"{path.name} imports {node.module}"
        for path in tests.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and node.module
        and re.match(r"tests(\.\w+)*\.test_\w+$", node.module)
    )
    assert offenders == []

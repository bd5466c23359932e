"""The package's dependencies run one way: no module imports another that imports it back
(imports inside functions count), nothing imports the app factory, and only the administration's
own modules and the list of routes import the administration."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "helpline"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(name: str, path: Path) -> set[str]:
    """The package's modules this one imports, wherever in the module the import stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                base = f"{parent}.{base}" if base else parent
            # `from package import module` imports the module; `from module import name`, the module.
            candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(candidate for candidate in candidates if candidate in MODULES and candidate != name)
    return found


IMPORTS = {name: imported(name, path) for name, path in MODULES.items()}


def test_no_module_imports_another_that_imports_it_back():
    try:
        tuple(TopologicalSorter(IMPORTS).static_order())
    except CycleError as cycle:
        pytest.fail("modules import each other: " + " -> ".join(cycle.args[1]))


def test_nothing_imports_the_app_factory():
    assert [name for name, imports in IMPORTS.items() if "helpline" in imports] == []


def test_only_the_administration_and_the_routes_import_the_administration():
    outside = {
        name: sorted(target for target in imports if target.startswith("helpline.admin"))
        for name, imports in IMPORTS.items()
        if not name.startswith("helpline.admin") and name not in {"helpline.routes"}
    }
    assert {name: targets for name, targets in outside.items() if targets} == {}


def test_imports_inside_functions_count(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("def later():\n    from helpline import live\n    from helpline.db import db\n", "utf-8")
    assert imported("helpline.example", module) == {"helpline.live", "helpline.db"}

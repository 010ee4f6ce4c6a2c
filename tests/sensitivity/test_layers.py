"""The package's shape (model/sensitivity/): modules in layers that import only downward, counting imports
inside functions and under TYPE_CHECKING; none over 500 lines; every public function and class documented;
what a worker imports stays light (no plotting, no SALib, no Dask, no model.charts)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .common import ROOT

PACKAGE = ROOT / "model" / "sensitivity"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
#: the layers, lowest first: a module may import only modules of lower layers
LAYERS = [["schema", "userfunction", "testfunctions", "parts"], ["factors"], ["plan"], ["evaluate"], ["pool"], ["cluster"],
          ["sweep", "analysis"], ["study"]]
LEVEL = {m: i for i, layer in enumerate(LAYERS) for m in layer}


def sibling_imports(module: str) -> set[str]:
    """The modules of this package that ``module`` imports anywhere in its source."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level == 1:
                names = [target.split(".")[0]] if target else [a.name for a in node.names]
            elif target.startswith("model.sensitivity."):
                names = [target.split(".")[2]]
            elif target == "model.sensitivity" or (node.level == 2 and target == "sensitivity"):
                names = [a.name for a in node.names]
            else:
                names = []
            found.update(n for n in names if n in MODULES)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("model.sensitivity."))
    return found - {module}


def test_every_module_has_a_layer():
    assert set(MODULES) <= set(LEVEL), set(MODULES) - set(LEVEL)


@pytest.mark.parametrize("module", MODULES)
def test_modules_import_only_lower_layers(module):
    upward = sorted(m for m in sibling_imports(module) if LEVEL[m] >= LEVEL[module])
    assert not upward, f"{module} imports {upward} (same or higher layer)"


@pytest.mark.parametrize("module", MODULES)
def test_modules_are_short_and_documented(module):
    source = (PACKAGE / f"{module}.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 500
    tree = ast.parse(source)
    assert ast.get_docstring(tree), module
    missing = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            if not ast.get_docstring(node):
                missing.append(node.name)
            if isinstance(node, ast.ClassDef):
                missing += [f"{node.name}.{m.name}" for m in node.body if isinstance(m, ast.FunctionDef)
                            and not m.name.startswith("_") and not ast.get_docstring(m)]
    assert not missing, f"{module}: no docstring: {missing}"


def test_what_a_worker_imports_stays_light():
    code = ("import sys, model.sensitivity.evaluate, model.sensitivity.pool, model.sensitivity.cluster; "
            "heavy = ('matplotlib', 'SALib', 'distributed', 'model.charts', 'model.sensitivity.plan', 'pandas'); "
            "print(sorted(m for m in sys.modules if m.startswith(heavy)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stdout

"""The house rules of the package, checked on its source: imports only run downward and never in a
circle (counting imports inside functions and under TYPE_CHECKING), no module defines a function or class
under a name it imports, no module is over 500 lines, every public function and class has a docstring, and
the tests mirror the package's folders."""

import ast
import importlib
import inspect
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "model"
MAX_LINES = 500

#: layers from the bottom up: a module may import its own layer and those below, never above
LAYERS = (
    # foundations: errors, schema base, reading files, the parameter table, stages, the outcome catalogue
    ("model.errors", "model.strict", "model.yamlio", "model.names", "model.parameters", "model.stages", "model.kernelcall",
     "model.results", "model.folders", "model.processes", "model.environment", "model.mesa_import", "model.outcomes.catalogue",
     "model.outcomes.intervals", "model.outcomes.metrics", "model.version", "model.economy"),
    ("model.world", "model.effects"),  # the world: organisations, ties, agents; what levers may change
    ("model.context",),  # what a run's dynamics and levers share
    ("model.dynamics", "model.levers"),  # the dynamics and the levers, typed against the context
    ("model.scenario",),  # scenario files (validates lever entries through the lever registry)
    ("model.model",),  # InnovationModel builds a run
    ("model.outcomes",),  # outcomes of a finished run
    ("model.runner",),  # runs: one run, replications on worker processes
    ("model.charts",),  # presentation: charts and maps of results
    ("model.batch", "model.compare", "model.sensitivity", "model.calibrate",  # folders, comparisons, sweeps, fits,
     "model.report", "model.dashboard", "model.robust"),  # reports of folders, the live dashboard, robustness
    ("model.cli", "model"),  # the command line and the package's lazy API
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer_of(name: str) -> int:
    best, found = -1, None
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), i
    assert found is not None, f"{name} is in no layer of tests/test_architecture.py"
    return found


def imports_of(name: str) -> set[str]:
    """Every package module ``name`` imports, anywhere in its source."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem
                       for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = nx.DiGraph([(name, target) for name in MODULES for target in imports_of(name)])
GRAPH.add_nodes_from(MODULES)


def test_no_import_circles():
    cycles = list(nx.simple_cycles(GRAPH))
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_run_downward(name):
    upward = [t for t in GRAPH.successors(name) if layer_of(t) > layer_of(name)]
    assert not upward, f"{name} (layer {layer_of(name)}) imports upward: {upward}"


def test_levers_dynamics_and_agents_never_import_the_model():
    lower = [n for n in MODULES if n.startswith(("model.levers", "model.dynamics", "model.world"))]
    offenders = {n: sorted(nx.descendants(GRAPH, n) & {"model.model", "model.runner"}) for n in lower}
    assert not {n: v for n, v in offenders.items() if v}


def _module_level(body: list) -> list:
    """The statements of a module's top level, also those inside its top-level ``if`` and ``try`` blocks."""
    found = []
    for node in body:
        found.append(node)
        if isinstance(node, ast.If):
            found += _module_level(node.body) + _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            found += _module_level(node.body) + _module_level(node.orelse) + _module_level(node.finalbody)
            for handler in node.handlers:
                found += _module_level(handler.body)
    return found


def imported_names_redefined(source: str) -> dict[str, tuple[int, int]]:
    """Names a module's ``source`` both imports and defines (``def``, ``class``) at its top level, with the
    two lines: whichever comes last hides the other from the whole module."""
    imported, defined = {}, {}
    for node in _module_level(ast.parse(source).body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                imported[(alias.asname or alias.name).split(".")[0]] = node.lineno
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined[node.name] = node.lineno
    return {n: (imported[n], defined[n]) for n in sorted(imported.keys() & defined.keys())}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_defines_a_name_it_imports(name):
    """calibrate/ensemble.py once imported a helper from model.runner and defined a context manager of the
    same name further down, which replaced it for the whole module: its ensemble runs failed with a
    TypeError that only a slow test reached."""
    clashes = imported_names_redefined(MODULES[name].read_text(encoding="utf-8"))
    assert not clashes, f"{name}: name -> (line imported, line defined) {clashes}"


def test_a_name_both_imported_and_defined_is_found():
    source = ("from .runner import helper, other\n\ntry:\n    import numba\nexcept ImportError:\n"
              "    class numba:\n        pass\n\ndef helper():\n    pass\n")
    assert imported_names_redefined(source) == {"helper": (1, 9), "numba": (4, 6)}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_500_lines(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def public_definitions_without_docstring(name: str) -> list[str]:
    """Public classes without a docstring of their own, and public functions, methods and properties
    without one (an override documented by the method it overrides counts, as ``inspect.getdoc`` says)."""
    module = importlib.import_module(name)
    missing = []
    for attr, obj in vars(module).items():
        if attr.startswith("_") or getattr(obj, "__module__", None) != name:
            continue
        if inspect.isclass(obj):
            if not vars(obj).get("__doc__"):
                missing.append(attr)
            for member, value in vars(obj).items():
                if member.startswith("_") or not (inspect.isfunction(value) or isinstance(value, property)):
                    continue
                if not inspect.getdoc(getattr(obj, member) if inspect.isfunction(value) else value) and \
                        not _documented_in_base(obj, member):
                    missing.append(f"{attr}.{member}")
        elif inspect.isfunction(obj) and not inspect.getdoc(obj):
            missing.append(attr)
    return missing


def _documented_in_base(cls, member: str) -> bool:
    return any(getattr(vars(base).get(member), "__doc__", None) for base in cls.__mro__[1:])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.endswith("__main__")))
def test_every_public_definition_has_a_docstring(name):
    assert not public_definitions_without_docstring(name)


def test_tests_mirror_the_package_folders():
    tests = Path(__file__).resolve().parent
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    mirrored = {p.name for p in tests.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders - {"data"} <= mirrored, f"package folders without a test folder: {folders - mirrored}"

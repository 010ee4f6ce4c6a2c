"""What a command loads before it does anything: ``spridning validate`` reads YAML and checks it, and loads
none of the libraries that run, draw or compute (Mesa, Matplotlib, SciPy, numba); Mesa is imported with its
loggers named as Mesa names them, without leaving the standard library changed."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

PROBE = """
import os, runpy, sys


def _exit(status):  # the command ends its process with os._exit (model.cli.end_process): report instead
    raise SystemExit(status)


os._exit = _exit
sys.argv = ["spridning", "validate", "scenarios/baseline.yaml", "scenarios/portfolio_sustaingov.yaml"]
try:
    runpy.run_module("model", run_name="__main__", alter_sys=True)
except SystemExit as exit:
    status = exit.code
print("STATUS", status)
print("LOADED", " ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.slow  # a subprocess: the modules loaded by a fresh command
def test_validate_loads_neither_mesa_matplotlib_scipy_nor_numba():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("STATUS", "LOADED")))
    assert lines["STATUS"] == "0", done.stdout + done.stderr
    loaded = set(lines["LOADED"].split())
    assert "model" in loaded and "pydantic" in loaded  # it did validate
    assert loaded.isdisjoint({"mesa", "matplotlib", "scipy", "numba", "llvmlite", "pandas", "pyarrow",
                              "networkx"}), loaded


def test_mesa_is_imported_with_its_loggers_named_and_inspect_left_as_it_was():
    import logging

    from model.mesa_import import mesa  # noqa: F401

    assert inspect.stack.__module__ == "inspect" and inspect.getouterframes.__module__ == "inspect"
    assert "MESA.mesa.model" in logging.root.manager.loggerDict  # named after the module that asked
    from mesa.model import Model

    assert Model.__init__.__module__ == "mesa.model"


@pytest.mark.slow  # a subprocess: a fresh import of Mesa
def test_mesa_loads_its_optional_parts_only_when_asked_and_then_whole():
    probe = """
import sys, multiprocessing
from model.mesa_import import mesa
print(sorted({m.split(".")[0] for m in sys.modules} & {"scipy", "networkx", "tqdm"}), mesa.Model.__module__)
from mesa import batch_run
import mesa.experimental
print("scipy" in sys.modules, mesa.DataCollector.__module__, mesa.__version__ == mesa.__dict__["__version__"],
      multiprocessing.get_start_method(allow_none=True))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    import mesa  # in this process only for its version: Mesa >= 3.5's mesa.model itself imports SciPy,
    #              so there only NetworkX and tqdm (the package __init__'s parts) are spared
    spared = "[]" if tuple(int(x) for x in mesa.__version__.split(".")[:2]) < (3, 5) else "['scipy']"
    assert done.stdout.split("\n")[:2] == [f"{spared} mesa.model", "True mesa.datacollection True None"], done.stdout


LEVER_SCHEMAS = """
import os, runpy, sys

os._exit = lambda status: (_ for _ in ()).throw(SystemExit(status))  # report instead of ending the process
sys.argv = ["spridning", "validate", sys.argv[1]]
try:
    runpy.run_module("model", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
from model.levers.registry import REGISTRY

print("BUILT", " ".join(sorted(name for name, lever in REGISTRY.items() if lever.Params.__pydantic_complete__)))
"""


@pytest.mark.slow  # subprocesses: what a fresh command builds
@pytest.mark.parametrize("scenario, built", [("scenarios/baseline.yaml", ""),
                                             ("scenarios/lever_pilot_grants.yaml", "pilot_grants")])
def test_validate_builds_the_schemas_of_the_levers_a_scenario_has_and_no_others(scenario, built):
    done = subprocess.run([sys.executable, "-c", LEVER_SCHEMAS, scenario], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("BUILT")]
    assert line.removeprefix("BUILT").strip() == built, done.stdout + done.stderr

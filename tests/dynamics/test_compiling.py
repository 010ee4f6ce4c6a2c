"""Compiling the life cycle in a forked process: the types it compiles for are the ones the quarter loop
passes, the forked process compiles and exits without touching this process, and nothing is forked when
the compiled code is cached."""

import os
import time
from pathlib import Path

import pytest
from numba import typeof

import model
from model.dynamics import compiling, lifecycle, quarters
from model.model import InnovationModel
from model.world import networks

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.fixture
def fresh_state():
    """The module's once-per-process state, restored after the test."""
    saved = compiling._child, compiling._parent
    compiling._child = compiling._parent = None
    yield
    compiling._child, compiling._parent = saved


@pytest.fixture(scope="module")
def loop():
    """The quarter loop compiled anew in this process (not loaded from the cache, which holds the life
    cycle inside it): typing it makes numba compile or load the life cycle for the types the loop passes."""
    from numba import njit

    return njit(error_model="numpy")(quarters._quarters.py_func)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_life_cycle_is_compiled_ahead_for_the_types_the_quarter_loop_passes(path, loop):
    m = InnovationModel(model.load_scenario(path), seed=1)
    loop(0, 1, quarters.arguments(m.context))
    types = tuple(typeof(a) for a in quarters.life_cycle_arguments(m.context))
    assert types in lifecycle._advance.signatures


@pytest.mark.parametrize("name", ["baseline", "portfolio_sustaingov"])
def test_a_forked_process_compiles_the_life_cycle_and_exits_leaving_this_one_as_it_was(name):
    scenario = model.load_scenario(SCENARIOS[0].parent / f"{name}.yaml")
    kernel = networks.signals_kernel
    pid = compiling.fork(lifecycle._advance,
                         lambda: quarters.life_cycle_arguments(InnovationModel(scenario, seed=0).context))
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert networks.signals_kernel is kernel  # only the forked process replaced the kernels with no-ops


def test_a_forked_process_that_fails_exits_with_an_error_status():
    def broken():
        raise RuntimeError("no run")

    pid = compiling.fork(lifecycle._advance, broken)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1


def test_a_forked_process_that_takes_too_long_is_stopped(fresh_state):
    pid = compiling.fork(lifecycle._advance, lambda: time.sleep(60))
    compiling._child, compiling._parent = pid, os.getpid()
    assert compiling.wait(timeout=0.2) is False
    with pytest.raises(ChildProcessError):  # stopped and reaped
        os.waitpid(pid, os.WNOHANG)


def test_nothing_is_forked_when_the_compiled_code_is_cached(baseline, fresh_state):
    model.run(baseline, seed=1)  # compiles or loads: the cache is warm after this
    assert quarters.is_compiled()

    def build():
        raise AssertionError("a run was built for compiling although the cache is warm")

    quarters.compile_ahead(build)
    assert compiling._child == 0
    assert compiling.wait() is False


def test_wait_returns_at_once_when_no_process_was_forked(fresh_state):
    assert compiling.wait() is False


def test_nothing_is_compiled_ahead_when_numba_can_cache_nowhere(monkeypatch, fresh_state):
    """Compiled in memory (model.environment found nowhere to write the cache), a forked process could not
    hand its work over: none is started."""
    from numba import njit

    monkeypatch.setattr(quarters, "_quarters", njit(cache=False)(quarters._quarters.py_func))
    assert quarters.is_compiled()

    def build():
        raise AssertionError("a run was built for compiling ahead although nothing can be cached")

    quarters.compile_ahead(build)
    assert compiling._child == 0


@pytest.mark.slow  # compiles the life cycle from nothing in a forked process (4-10 s)
def test_the_forked_process_compiles_the_life_cycle_from_nothing_calling_the_real_hazards():
    """A kernel not yet compiled in this process (a fresh dispatcher of the life cycle, never cached): the
    forked process must type it with the hazard kernels it calls, not with the no-ops that stand in for the
    kernels while it builds the run (it compiled nothing, silently, while they stood in during typing)."""
    from numba import njit

    fresh = njit(error_model="numpy", no_cfunc_wrapper=True)(lifecycle._advance.py_func)
    scenario = model.load_scenario(SCENARIOS[0].parent / "baseline.yaml")
    pid = compiling.fork(fresh, lambda: quarters.life_cycle_arguments(InnovationModel(scenario, seed=0).context))
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

"""Compiling the life cycle in a forked process: the types it compiles for are the ones the quarter loop
calls it with (by address: a loop handed a life cycle got for other types does nothing, and the run gets it
again), the forked process compiles and exits without touching this process, and nothing is forked when
the compiled code is cached."""

import os
import time
from pathlib import Path

import pytest
import model
from model.dynamics import compiling, lifecycle, native, packed, quarters
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


def life_cycle_types(scenario):
    """The types a forked process compiles the life cycle for, in a run of ``scenario``."""
    return lambda: quarters.life_cycle_types(quarters.arguments(InnovationModel(scenario, seed=0).context))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_quarter_loop_calls_the_life_cycle_with_the_types_it_is_compiled_ahead_for(path):
    """The loop runs a quarter only if the life cycle it was handed was got for the types it calls it with
    (native.matches); the types are those compile_ahead's process compiles the life cycle for."""
    m = InnovationModel(model.load_scenario(path), seed=1)
    arguments = quarters.arguments(m.context)
    call = native.address_of(lifecycle._advance, quarters.life_cycle_types(arguments))
    m.context.record.stage_history[1] = -1
    assert quarters._quarters(0, 1, packed.pack(*arguments._replace(life_cycle=call))) is True
    assert (m.context.record.stage_history[1] == m.state.stage).all()  # the quarter ran


def test_the_loop_does_nothing_when_its_life_cycle_was_got_for_other_types(baseline):
    m = InnovationModel(baseline, seed=1)
    arguments = quarters.arguments(m.context)
    call = native.address_of(lifecycle._advance, quarters.life_cycle_types(arguments))
    stage = m.state.stage.copy()
    m.context.record.stage_history[1] = -1
    for wrong in (native.NO_CALL, call._replace(digest=call.digest + 1)):
        assert quarters._quarters(0, 4, packed.pack(*arguments._replace(life_cycle=wrong))) is False
        assert (m.state.stage == stage).all() and (m.context.record.stage_history[1] == -1).all()


def test_a_run_gets_the_life_cycle_again_when_the_one_it_has_was_got_for_other_types(baseline, monkeypatch):
    expected = model.run(baseline, seed=3).summary
    got = quarters.life_cycle_call(quarters.arguments(InnovationModel(baseline, seed=3).context))
    monkeypatch.setattr(quarters, "_life_cycle", got._replace(digest=got.digest + 1))
    assert model.run(baseline, seed=3).summary == expected
    assert quarters._life_cycle == got  # got again, for the run's types


@pytest.mark.parametrize("name", ["baseline", "portfolio_sustaingov"])
def test_a_forked_process_compiles_the_life_cycle_and_exits_leaving_this_one_as_it_was(name):
    scenario = model.load_scenario(SCENARIOS[0].parent / f"{name}.yaml")
    kernel = networks.signals_kernel
    pid = compiling.fork(lifecycle._advance, life_cycle_types(scenario))
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
    pid = compiling.fork(fresh, life_cycle_types(scenario))
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.fixture
def fresh_run_state():
    """:func:`compiling.start_run`'s once-per-process state, restored after the test."""
    saved = compiling._run_child, compiling._run_parent
    compiling._run_child = compiling._run_parent = None
    yield
    compiling._run_child, compiling._run_parent = saved


#: the check below, run in a process of its own: compiling.start_run does not fork while other threads run,
#: and earlier tests in a pytest process may leave some (a Dask client's, a server's)
LEVERS_ALONE = """
import model
from model import runner
from model.dynamics import compiling, quarters
from model.model import InnovationModel

m = InnovationModel(model.load_scenario({path!r}), seed=1)
stage, advance = m.state.stage.copy(), quarters.advance
compiling.start_run(lambda: runner._levers_only(m), lambda: True)
assert compiling._run_child > 0 and compiling.wait_run() is True
assert quarters.advance is advance and (m.state.stage == stage).all()  # the fork's changes only
assert compiling.wait_run() is False  # once
print("ok")
"""


def test_a_forked_process_runs_the_levers_alone_and_leaves_this_one_as_it_was():
    import subprocess
    import sys

    code = LEVERS_ALONE.format(path=str(SCENARIOS[0].parent / "portfolio_sustaingov.yaml"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_a_forked_run_that_fails_exits_with_an_error_status_and_none_is_forked_when_not_needed(fresh_run_state):
    compiling.start_run(lambda: 1 / 0, lambda: True)
    assert compiling.wait_run() is False
    compiling._run_child = None
    compiling.start_run(lambda: 1 / 0, lambda: False)
    assert compiling._run_child == 0 and compiling.wait_run() is False


@pytest.mark.parametrize("name", ["portfolio_sustaingov", "lever_peer_review"])
def test_a_run_compiling_its_loop_before_its_levers_gives_the_same_outcomes(name, monkeypatch, fresh_run_state):
    """The first run in a fresh environment compiles the loop first and the levers in a forked process
    (model.runner._compile_loop_first); its results are those of any run."""
    from model import runner

    scenario = model.load_scenario(SCENARIOS[0].parent / f"{name}.yaml")
    usual = runner.run_model(scenario, seed=3).stage_history.copy()
    monkeypatch.setattr(runner, "compile_ahead", lambda scenario, seed=None: True)  # as if the cache were empty
    first = runner.run_model(scenario, seed=3)
    assert compiling._run_child == 0  # the forked process was started and waited for
    assert (first.stage_history == usual).all()

"""The bound kernels: the same results as numba's dispatcher, and argument types that stay the same within a
run (else the entry point would misread them), for every shipped scenario."""

from pathlib import Path

import numpy as np
import pytest
from numba import njit

import model
from model import kernelcall
from model.kernelcall import BoundKernel, KeyedKernel

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@njit(cache=False)
def _scaled_sum(values, factor):
    return values.sum() * factor


def test_a_bound_kernel_returns_what_the_dispatcher_returns():
    bound = BoundKernel(_scaled_sum)
    values = np.arange(5.0)
    assert bound(values, 2.0) == _scaled_sum(values, 2.0) == 20.0
    assert bound(values + 1, 3.0) == 45.0  # the second call goes through the entry point


def test_with_check_a_change_of_argument_types_is_refused():
    bound = BoundKernel(_scaled_sum, check=True)
    bound(np.arange(5.0), 2.0)
    with pytest.raises(TypeError, match="argument types changed within a run"):
        bound(np.arange(5), 2.0)  # int64 where float64 was bound


def test_a_keyed_kernel_finds_its_version_by_the_key_and_with_check_refuses_a_key_that_does_not_decide_types():
    keyed = KeyedKernel(_scaled_sum, key=lambda args: args[0].dtype.char, check=True)
    assert keyed(np.arange(5.0), 2.0) == 20.0  # through the dispatcher: its version noted for key "d"
    assert keyed(np.arange(4.0), 3.0) == 18.0  # by the version noted
    assert keyed(np.arange(5), 2.0) == 20.0  # another key ("l"): another version
    assert len(keyed._found) == 2
    with pytest.raises(TypeError, match="not .* as before"):
        keyed(np.arange(5.0).reshape(1, 5), 2.0)  # key "d", but a 2-d array


def test_the_levers_loop_keeps_its_argument_types_for_each_set_of_lever_kinds(monkeypatch):
    """The compiled levers' structures (model.levers.held) are made by a version found by their named tuples'
    classes, and the loop (model.levers.compiled) by theirs: runs of every shipped scenario whose levers all
    run compiled, with every call's types checked, give the same results (a class that did not decide its
    tuple's types would raise)."""
    compiled = ("lever_change_teams", "lever_peer_review", "lever_procurement", "lever_infrastructure",
                "lever_training_networks", "lever_learning_networks", "lever_job_shadowing", "lever_small_actor_grants",
                "portfolio_sustaingov", "portfolio_infrastructure_first", "portfolio_equality_first")
    scenarios = [model.load_scenario(path) for path in SCENARIOS if path.stem in compiled]
    assert len(scenarios) == len(compiled)
    fast = [model.run(scenario, seed=4).summary for scenario in scenarios]
    monkeypatch.setattr(kernelcall, "CHECK_TYPES", True)
    assert [model.run(scenario, seed=4).summary for scenario in scenarios] == fast


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_keeps_its_kernel_argument_types_and_results(path, monkeypatch):
    scenario = model.load_scenario(path)
    fast = model.run(scenario, seed=3)
    monkeypatch.setattr(kernelcall, "CHECK_TYPES", True)  # every call's types compared with the first's
    checked = model.run(scenario, seed=3)
    assert fast.summary == checked.summary


def test_a_lever_binds_a_kernel_once_per_run_and_the_run_views_are_made_once():
    """Lever.kernel binds a kernel on first use and keeps it for the run (a new run binds its own); the
    named tuples of the run's arrays levers hand their kernels every quarter are made once per run and hold
    the run's own arrays."""
    from model.levers import cost_kernel
    from model.levers.knowhow_kernel import development
    from model.levers.targeting_kernel import loads
    from model.model import InnovationModel

    scenario = model.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "lever_procurement.yaml")
    runs = [InnovationModel(scenario, seed=1), InnovationModel(scenario, seed=1)]
    kernels = [m.acting_levers[0].kernel("cost_kernel", "call_off") for m in runs]
    assert isinstance(kernels[0], BoundKernel) and kernels[0].dispatcher is cost_kernel.call_off
    assert runs[0].acting_levers[0].kernel("cost_kernel", "call_off") is kernels[0] is not kernels[1]
    ctx = runs[0].context
    assert development(ctx) is development(ctx) and loads(ctx) is loads(ctx)
    assert development(ctx).stage is ctx.state.stage and loads(ctx).pilot_age is ctx.state.pilot_age
    assert development(runs[1].context) is not development(ctx)

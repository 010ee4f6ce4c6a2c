"""The quarter loop's arguments packed in one structure (model.dynamics.packed): the run's own arrays, not
copies, which the run changes in place (the lever ties and the effects' numbers too), so the structure is
made once; and the type a first run compiles the loop for before packing (packed.type_of) is the type pack
makes, so the loop is compiled once."""

from pathlib import Path

import numpy as np
from numba import njit

import model
from model.dynamics import packed, quarters
from model.model import InnovationModel
from model.scenario import with_overrides

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@njit(cache=False)
def _read(arguments):
    return arguments.pilots.stage, arguments.effects.infrastructure_gain, arguments.ties.lever_indices


def test_packed_arguments_hold_the_runs_arrays_and_see_its_ties_and_effects_change():
    m = InnovationModel(model.load_scenario(SCENARIOS / "lever_peer_review.yaml"), seed=1)
    arguments = quarters.arguments(m.context)
    handle = packed.pack(*arguments)
    stage, gain, indices = _read(handle)
    assert np.shares_memory(stage, m.state.stage) and stage.shape == m.state.stage.shape  # not a copy
    m.state.stage[3, 1] = 2
    assert _read(handle)[0][3, 1] == 2
    assert gain == 0.0
    m.effects.infrastructure_gain += 0.25  # as the infrastructure lever adds its gain
    assert _read(handle)[1] == 0.25 == m.effects.infrastructure_gain
    before = m.ties.kernel_arguments()
    m.effects.add_ties(np.array([0, 5]), np.array([7, 9]), 1.0)  # as a lever makes the run's first ties
    ties = m.ties.kernel_arguments()
    assert ties is not before and len(ties.lever_indices) == m.n * m.n  # made once, with room for every tie
    handle = packed.pack(*arguments._replace(ties=ties))  # packed again, as the loop does then
    m.effects.add_ties(np.array([1]), np.array([2]), 1.0)  # later ties: in place, the same arrays
    assert m.ties.kernel_arguments() is ties
    indices = _read(handle)[2]
    assert np.shares_memory(indices, m.ties.lever_indices) and list(m.ties.lever_indices) == [7, 2, 1, 9, 0, 5]


def test_the_loop_packs_again_once_when_levers_first_tie_after_its_first_quarter():
    scenario = model.load_scenario(SCENARIOS / "lever_peer_review.yaml")
    scenario = with_overrides(scenario, {"levers.0.start_year": 2027})  # no tie in the first year
    m = InnovationModel(scenario, seed=3)
    m.step()
    loop = m.context.kernels["quarters"]
    first = loop.packed
    assert not m.effects.has_lever_ties and len(m.ties.lever_indices) == 0
    handles = [first]
    for _ in range(12):
        m.step()
        if loop.packed is not handles[-1]:
            handles.append(loop.packed)
    assert m.effects.has_lever_ties and len(handles) == 2  # packed again once, when the reviews began
    assert np.shares_memory(_read(handles[1])[2], m.ties.lever_indices)


def test_the_type_a_first_run_compiles_the_loop_for_is_the_type_pack_makes():
    m = InnovationModel(model.load_scenario(SCENARIOS / "baseline.yaml"), seed=2)
    arguments = quarters.arguments(m.context)
    typeof = quarters._quarters.typeof_pyval
    expected = packed.type_of(arguments, typeof)
    assert typeof(packed.pack(*arguments)) == expected
    assert [name for name, _ in expected.field_dict.items()] == list(quarters.QuarterArguments._fields)

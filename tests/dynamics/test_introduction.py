"""Innovations introduced during the run (``start_year``) and their first users (``initial_adopters``,
``initial_pilots``): nobody knows of an innovation before it is introduced, its first users appear at its
introduction, and a scenario without these fields runs exactly as before."""

import numpy as np
import pytest

import model
from model.model import InnovationModel
from model.stages import ADOPTED, PILOTING, UNAWARE

from ..support import MINIMAL
from ..support import assert_scenario_rejected as bad


def _innovation(baseline, name):
    return next(j for j, i in enumerate(baseline.innovations) if i.name == name)


def test_nobody_knows_of_an_innovation_before_its_start_year_and_its_first_users_appear_then(baseline):
    name = baseline.innovations[0].name
    scenario = model.with_overrides(baseline, {
        f"innovations.{name}.start_year": 2028, f"innovations.{name}.initial_adopters": 5,
        f"innovations.{name}.initial_pilots": 7, "parameters.p_external": 0.3, "horizon_years": 5})
    m = InnovationModel(scenario, seed=3)
    m.run_model()
    history = m.stage_history[:, :, 0]
    introduced = 4 * (2028 - 2026)
    assert (history[:introduced + 1 - 1] == UNAWARE).all()  # quarter boundaries 0..7: nobody, not even aware
    at = history[introduced]
    assert (at == ADOPTED).sum() == 5 and (at == PILOTING).sum() == 7
    assert ((at != UNAWARE) == np.isin(at, (ADOPTED, PILOTING))).all()  # only the first users, nobody aware
    assert (history[introduced + 1] != UNAWARE).sum() > 12  # then it spreads (p_external 0.3)
    # the other innovations, without a start year, have their first users at once
    wanted = [i.initial_adopters for i in scenario.innovations[1:]]
    assert list((m.stage_history[0, :, 1:] == ADOPTED).sum(axis=0)) == wanted


def test_first_users_of_an_innovation_available_from_the_start_are_there_at_once(baseline):
    name = baseline.innovations[1].name
    scenario = model.with_overrides(baseline, {f"innovations.{name}.initial_adopters": 30,
                                               f"innovations.{name}.initial_pilots": 20, "horizon_years": 1})
    m = InnovationModel(scenario, seed=4)
    first = m.stage_history[0, :, 1]
    assert (first == ADOPTED).sum() == 30 and (first == PILOTING).sum() == 20
    assert (m.state.pilot_start[first == PILOTING, 1] == 0).all()
    # the same draw picks them as the global parameter would: the first 30 adopters of a count of 50
    everyone = model.with_overrides(baseline, {f"innovations.{name}.initial_adopters": 50, "horizon_years": 1})
    chosen = InnovationModel(everyone, seed=4).stage_history[0, :, 1] == ADOPTED
    assert (chosen == (first != UNAWARE)).all()


def test_a_scenario_with_a_start_year_equal_to_its_first_year_runs_exactly_as_without_it(baseline):
    name = baseline.innovations[0].name
    same = model.with_overrides(baseline, {f"innovations.{name}.start_year": 2026, "horizon_years": 3})
    plain = model.with_overrides(baseline, {"horizon_years": 3})
    a, b = model.run(same, 11), model.run(plain, 11)
    assert np.array_equal(a.stage_history, b.stage_history)


def test_a_start_year_outside_the_simulated_years_is_refused_with_its_line(tmp_path, capsys):
    message = bad(tmp_path, capsys, MINIMAL + "    start_year: 2031\n",
                  "bad.yaml:5: innovations[0].start_year", "2031 is outside the simulated years 2026-2030")
    assert "leave start_year out" in message
    bad(tmp_path, capsys, MINIMAL + "    start_year: 2025\n", "2025 is outside the simulated years 2026-2030")
    bad(tmp_path, capsys, MINIMAL + "    initial_pilots: -1\n", "initial_pilots")
    bad(tmp_path, capsys, MINIMAL + "    initial_adopters: many\n", "initial_adopters")
    bad(tmp_path, capsys, MINIMAL + "    start_year: soon\n", "start_year")


@pytest.mark.parametrize("year", [2026, 2030])
def test_a_start_year_inside_the_simulated_years_is_accepted(tmp_path, year):
    path = tmp_path / "ok.yaml"
    path.write_text(MINIMAL + f"    start_year: {year}\n", encoding="utf-8")
    assert model.load_scenario(path).innovations[0].start_year == year

"""The dashboard's model and inputs without a browser: slider grids on which the scenario's values lie
exactly, a moved-and-back slider meaning the scenario's own value, the quarter as ``2026 Q1``, Swedish
numbers and words."""

from __future__ import annotations

import pytest

from model.dashboard.live import (PARAMETERS, Control, DashboardModel, controls, grid_step, model_arguments, snap,
                                  stage_map)
from model.dashboard.words import ENGLISH_LABELS, WORDS, number, percent, quarter_text, say


@pytest.mark.parametrize("value, low, high, step", [(0.02, 0.0, 0.08, 0.001), (0.08, 0.0, 0.32, 0.005),
                                                     (1.0, 0.1, 4.0, 0.05), (0.3, 0.0, 1.2, 0.02),
                                                     (0.107, 0.0, 0.428, 0.001)])
def test_the_scenarios_value_lies_on_the_sliders_grid(value, low, high, step):
    found = grid_step(value, low, high)
    assert found == step
    k = (value - low) / found
    assert abs(k - round(k)) < 1e-9 and 50 <= (high - low) / found <= 1000


def test_every_shipped_scenarios_parameters_lie_on_their_grids_or_snap_back_exactly():
    for name in ("baseline", "bass", "portfolio_sustaingov"):
        for control in controls(name).values():
            # the browser rounds a value to its grid: rounding and moving back yields the exact value
            shown = round(round((control.value - control.low) / control.step) * control.step + control.low, 10)
            assert snap(shown, control) == control.value


def test_a_slider_moved_a_step_is_the_moved_value_and_moved_back_is_the_scenarios_exact_value():
    control = Control("p_external", 0.003992010656009, 0.0, 0.08, 0.001)
    assert snap(0.004, control) == 0.003992010656009
    assert snap(0.005, control) == 0.005
    assert snap(7.0, Control("seed", 1, 1, 50, 1, whole=True)) == 7


def test_reset_with_nothing_moved_builds_the_scenario_file_exactly():
    from model.parameters import BY_NAME

    p_external, capacity = BY_NAME["p_external"].default, BY_NAME["capacity_scale"].default  # the calibrated
    arguments = model_arguments("baseline", {"p_external": p_external, "capacity_scale": capacity})
    assert all(arguments[name] is None for name in PARAMETERS) and arguments["seed"] == 1
    model = DashboardModel(**arguments)
    assert model.settings == {} and model.status().endswith("the scenario's own settings")
    assert model.params.p_external == p_external and model.params.capacity_scale == capacity
    moved = DashboardModel(**model_arguments("baseline", {"p_external": 0.023, "change_teams": 50}))
    assert moved.params.p_external == 0.023
    assert moved.status().endswith("p_external=0.023, change_teams MSEK/yr=50")


def test_the_quarter_reads_as_year_and_quarter():
    assert [quarter_text(2026, q) for q in (0, 1, 3, 4, 20, 39)] == \
        ["2026 Q1", "2026 Q2", "2026 Q4", "2027 Q1", "2031 Q1", "2035 Q4"]
    model = DashboardModel()
    model.step()
    assert "quarter 1 of 40 · 2026 Q2 · adoption " in model.status()
    assert "kvartal 1 av 40 · 2026 Q2 · spridning " in model.status("sv") and " %" in model.status("sv")


def test_swedish_numbers_and_every_label_translated():
    assert number(0.02, "sv", 3) == "0,020" and percent(0.195, "sv") == "19,5 %" and percent(0.195) == "19.5%"
    for name in ENGLISH_LABELS:
        assert say(name, "sv") == WORDS[name] and say(name) == ENGLISH_LABELS[name]
    fig = stage_map(DashboardModel(), "sv")
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert "infört minst en" in texts and any(t.startswith("Kommuner efter steg, 2026 Q1") for t in texts)

"""The dashboard's model and figures in-process (the fast tier's cover of model/dashboard; the browser tests
beside this file are in the slow tier)."""

import numpy as np
from matplotlib.figure import Figure

from model.dashboard.live import LEVERS, PARAMETERS, DashboardModel, history_figure, slider_parameters, stage_map
from model.outcomes.metrics import gini


def test_a_step_records_a_quarter_with_its_adoption_gap_and_gini():
    m = DashboardModel("baseline", seed=3)
    assert len(m.history) == 1 and m.history[0]["quarter"] == 0
    for _ in range(4):
        m.step()
    assert [h["quarter"] for h in m.history] == [0, 1, 2, 3, 4]
    assert m.history[-1]["gini"] == gini(m.municipal_shares())
    assert 0 <= m.history[-1]["adoption_share"] <= 1
    assert m.status().startswith("Scenario baseline · quarter 4 of ")
    classes = m.stage_classes()
    assert len(classes) == 290 and set(np.unique(classes)) <= {0.0, 1.0, 2.0, 3.0}


def test_sliders_set_parameters_and_lever_budgets_and_the_figures_draw():
    params = slider_parameters()
    assert set(PARAMETERS) | set(LEVERS) | {"scenario_file", "seed"} <= set(params)
    m = DashboardModel("baseline", seed=1, p_external=0.05, peer_review=20)
    assert m.settings == {"p_external": 0.05, "peer_review MSEK/yr": 20}
    assert "p_external=0.05" in m.status()
    m.step()
    for figure in (stage_map(m), history_figure(m, "diffusion"), history_figure(m, "equality")):
        assert isinstance(figure, Figure) and figure.axes

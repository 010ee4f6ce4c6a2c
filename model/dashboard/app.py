"""The dashboard page: Mesa's SolaraViz over :class:`~model.dashboard.live.DashboardModel`.

Served by Solara (``spridning dashboard`` runs ``solara run model.dashboard.app`` on 127.0.0.1). The
left column holds Mesa's controls — *Step*, *Play*, *Reset* — and the inputs: the scenario picker, the
seed, the main levers' extra budgets and key parameters; a changed input takes effect at *Reset*. The
page shows the status line, the map of municipalities coloured by stage and the diffusion and equality
plots, redrawn after every step.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from .live import DashboardModel, history_figure, slider_parameters, stage_map


@solara.component
def Status(model):
    """The status line: scenario, quarter, adoption, settings."""
    update_counter.get()
    # plain text, not Markdown: Markdown would load a maths renderer the page does not need
    solara.Text(model.status(), style={"font-weight": "bold"}, classes=["spridning-status"])


@solara.component
def StageMap(model):
    """Municipalities coloured by stage."""
    update_counter.get()
    solara.FigureMatplotlib(stage_map(model), format="png", dependencies=[model, model.quarter])


@solara.component
def Diffusion(model):
    """Adoption share over the quarters so far."""
    update_counter.get()
    solara.FigureMatplotlib(history_figure(model, "diffusion"), format="png", dependencies=[model, model.quarter])


@solara.component
def Equality(model):
    """The small–large gap and the Gini coefficient over the quarters so far."""
    update_counter.get()
    solara.FigureMatplotlib(history_figure(model, "equality"), format="png", dependencies=[model, model.quarter])


def make_page():
    """The SolaraViz page with a model built from the inputs' starting values."""
    params = slider_parameters()
    start = DashboardModel(**{k: v["value"] for k, v in params.items()})
    return SolaraViz(start, components=[(Status, 0), (StageMap, 0), (Diffusion, 0), (Equality, 0)],
                     model_params=params, name="spridning: innovations spreading across Sweden's public sector",
                     play_interval=300)


page = make_page()

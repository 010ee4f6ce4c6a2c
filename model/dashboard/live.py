"""The model behind the dashboard, what it records each quarter and the figures drawn from it.

:class:`DashboardModel` is :class:`model.model.InnovationModel` built from keyword arguments, as Mesa's
SolaraViz builds a model when *Reset* is pressed: a scenario file picked by name, an extra budget (MSEK a
year) for each of the main levers on top of the scenario's own levers, and a few key parameters. It
records, at the start and after every quarter, the adoption share, the gap between large and small
municipalities and the Gini coefficient of municipal adoption, so the plots grow as the model steps.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..charts.maps import adoption_map
from ..charts.style import new_figure, percent_axis, points_axis, styled
from ..model import InnovationModel
from ..outcomes.metrics import gini
from ..parameters import BY_NAME
from ..scenario import load_scenario, parse_scenario
from ..stages import ADOPTED, AWARE, PILOTING, STALLED
from ..world.organisations import MUNICIPALITY, SIZE_BANDS

#: levers with a budget slider (extra MSEK a year on top of the scenario's own levers)
LEVERS = ("peer_review", "change_teams", "small_actor_grants", "learning_networks", "training_networks")
#: parameters with a slider
PARAMETERS = ("p_external", "enthusiast_leave_rate", "capacity_scale")
#: the stage a municipality is shown in: the furthest it has come with any innovation
STAGE_CLASSES = ("no innovation yet", "aware", "piloting", "adopted at least one")
STAGE_COLORS = ("#e8e8e8", "#9ecae1", "#fdae6b", "#2171b5")
SCENARIOS_ENV = "SPRIDNING_SCENARIOS"


def scenarios_folder() -> Path:
    """Where the dashboard's scenario files are: ``$SPRIDNING_SCENARIOS``, else ``scenarios/`` in the
    current folder, else the one beside the package."""
    if os.environ.get(SCENARIOS_ENV):
        return Path(os.environ[SCENARIOS_ENV])
    here = Path.cwd() / "scenarios"
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "scenarios"


def scenario_names() -> list[str]:
    """The scenario files the picker offers, by file name without ``.yaml`` (``baseline`` first)."""
    names = sorted(p.stem for p in scenarios_folder().glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline", n))


def dashboard_scenario(name: str, budgets: dict[str, float], parameters: dict[str, float | None]):
    """The scenario file ``name`` with an extra lever for each positive budget (no portfolio budget cap:
    the sliders add money) and the given parameters set (None: the file's value)."""
    scenario = load_scenario(scenarios_folder() / f"{name}.yaml")
    data = scenario.model_dump(mode="json")
    data["budget_msek_per_year"] = None
    data["levers"] = list(data.get("levers") or []) + [
        {"type": lever, "name": f"dashboard {lever}", "budget_msek_per_year": float(budget)}
        for lever, budget in budgets.items() if budget and budget > 0]
    data["parameters"] = {**data.get("parameters", {}), **{k: v for k, v in parameters.items() if v is not None}}
    return parse_scenario(data, f"dashboard ({name})")


class DashboardModel(InnovationModel):
    """One run for the dashboard, built from keyword arguments (see the module's docstring)."""

    def __init__(self, scenario_file: str = "baseline", seed: int = 1, p_external: float | None = None,
                 enthusiast_leave_rate: float | None = None, capacity_scale: float | None = None,
                 peer_review: float = 0.0, change_teams: float = 0.0, small_actor_grants: float = 0.0,
                 learning_networks: float = 0.0, training_networks: float = 0.0) -> None:
        budgets = dict(peer_review=peer_review, change_teams=change_teams, small_actor_grants=small_actor_grants,
                       learning_networks=learning_networks, training_networks=training_networks)
        values = dict(p_external=p_external, enthusiast_leave_rate=enthusiast_leave_rate,
                      capacity_scale=capacity_scale)
        # not "scenario": Mesa >= 3.4 gives that name to its own scenario objects
        super().__init__(dashboard_scenario(scenario_file, budgets, values), seed=int(seed))
        self.picked = scenario_file
        self.settings = {**{k: v for k, v in values.items() if v is not None},
                         **{f"{k} MSEK/yr": v for k, v in budgets.items() if v}}
        self.history: list[dict[str, float]] = []
        self._record()

    def step(self) -> None:
        """One quarter, then record it (nothing after the horizon)."""
        if self.quarter >= self.n_steps:
            self.running = False
            return
        super().step()
        self._record()

    def municipal_shares(self) -> np.ndarray:
        """Each municipality's share of its applicable innovations adopted now."""
        muni = self.orgs.kind == MUNICIPALITY
        app = self.applicable[muni]
        adopted = ((self.state.stage[muni] == ADOPTED) & app).sum(1)
        return np.divide(adopted, app.sum(1), out=np.zeros(len(adopted)), where=app.sum(1) > 0)

    def _record(self) -> None:
        level = self.municipal_shares()
        band = self.orgs.size_band[self.orgs.kind == MUNICIPALITY]
        adopted = (self.state.stage == ADOPTED) & self.applicable
        self.history.append({
            "quarter": self.quarter, "year": self.spec.start_year + self.quarter / 4,
            "adoption_share": float(adopted.sum() / max(self.applicable.sum(), 1)),
            "gap_small_large": float(level[band == len(SIZE_BANDS) - 1].mean() - level[band == 0].mean()),
            "gini": float(gini(level)),
        })

    def stage_classes(self) -> pd.Series:
        """Each municipality's furthest stage over its innovations (index into :data:`STAGE_CLASSES`), by code."""
        muni = np.flatnonzero(self.orgs.kind == MUNICIPALITY)
        stage = np.where(self.applicable[muni], self.state.stage[muni], -1)
        furthest = np.select([(stage == ADOPTED).any(1), (stage == PILOTING).any(1),
                              ((stage == AWARE) | (stage == STALLED)).any(1)], [3, 2, 1], 0)
        return pd.Series(furthest.astype(float), index=[self.orgs.code[i] for i in muni])

    def status(self) -> str:
        """One line: scenario, quarter and year, settings, adoption now."""
        now = self.history[-1]
        settings = ", ".join(f"{k}={v:g}" for k, v in self.settings.items()) or "the file's own settings"
        return (f"Scenario {self.picked} · quarter {self.quarter} of {self.n_steps} ({now['year']:.2f}) · "
                f"adoption {now['adoption_share']:.1%} · {settings}")


def slider_parameters() -> dict[str, dict]:
    """SolaraViz ``model_params``: the scenario picker, the seed, lever budget and parameter sliders."""
    names = scenario_names()
    params: dict[str, dict] = {
        "scenario_file": {"type": "Select", "value": "baseline" if "baseline" in names else names[0], "values": names,
                     "label": "Scenario"},
        "seed": {"type": "SliderInt", "value": 1, "min": 1, "max": 50, "step": 1, "label": "Seed"},
    }
    given = load_scenario(scenarios_folder() / f"{params['scenario_file']['value']}.yaml").parameters.model_dump()
    for name in PARAMETERS:
        p = BY_NAME[name]
        start = float(given.get(name, p.default))
        high = min(p.high, max(start * 4, p.default * 4, p.low + 0.01))
        params[name] = {"type": "SliderFloat", "value": start, "min": p.low, "max": high,
                        "step": round((high - p.low) / 50, 4) or 0.001, "label": f"{name} ({p.unit})"}
    for lever in LEVERS:
        params[lever] = {"type": "SliderInt", "value": 0, "min": 0, "max": 200, "step": 5,
                         "label": f"{lever.replace('_', ' ')}: extra MSEK a year"}
    return params


@styled
def stage_map(model: DashboardModel) -> Figure:
    """Sweden's municipalities coloured by the furthest stage each has reached."""
    fig = new_figure(3.6, 5.0)
    ax = fig.add_subplot()
    adoption_map(model.stage_classes(), ax=ax, cmap=ListedColormap(STAGE_COLORS), vmin=-0.5, vmax=3.5,
                 colorbar=False, stockholm_inset=False)
    ax.legend(handles=[Patch(facecolor=c, label=s) for c, s in zip(STAGE_COLORS, STAGE_CLASSES)],
              loc="lower right", fontsize=7)
    ax.set_title(f"Municipalities by stage, quarter {model.quarter}", loc="left", fontsize=10)
    return fig


@styled
def history_figure(model: DashboardModel, what: str) -> Figure:
    """The recorded ``diffusion`` (adoption share) or ``equality`` (gap and Gini) over the quarters so far."""
    frame = pd.DataFrame(model.history)
    fig = new_figure(5.6, 3.4)
    ax = fig.add_subplot()
    if what == "diffusion":
        ax.plot(frame["year"], frame["adoption_share"], color="#0072B2", linewidth=2, marker=".")
        percent_axis(ax)
        ax.set_ylim(0, max(0.05, frame["adoption_share"].max() * 1.15))
        ax.set_ylabel("Adoption share")
        ax.set_title("Diffusion", loc="left", fontsize=10)
    else:
        ax.plot(frame["year"], frame["gap_small_large"] * 100, color="#A0457E", linewidth=2, marker=".",
                label="gap large − small (pp)")
        points_axis(ax)
        ax.set_ylabel("Gap (pp)")
        twin = ax.twinx()
        twin.plot(frame["year"], frame["gini"], color="#E69F00", linewidth=1.6, linestyle="--", label="Gini")
        twin.set_ylabel("Gini")
        twin.grid(False)
        ax.legend(handles=ax.get_lines() + twin.get_lines(), loc="upper left", fontsize=8)
        ax.set_title("Equality", loc="left", fontsize=10)
    start = model.spec.start_year
    ax.set_xlim(start, start + model.n_steps / 4)
    ax.set_xlabel("Year")
    return fig

"""The model behind the dashboard, what it records each quarter and the figures drawn from it.

:class:`DashboardModel` is :class:`model.model.InnovationModel` built from keyword arguments, as Mesa's
SolaraViz builds a model when *Reset* is pressed: a scenario file picked by name, an extra budget (MSEK a
year) for each of the main levers on top of the scenario's own levers, and a few key parameters. It
records, at the start and after every quarter, the adoption share, the gap between large and small
municipalities and the Gini coefficient of municipal adoption, so the plots grow as the model steps.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter

from ..charts.maps import adoption_map
from ..charts.style import new_figure, percent_axis, points_axis, styled
from ..model import InnovationModel
from ..outcomes.metrics import gini
from ..parameters import BY_NAME
from ..scenario import load_scenario, parse_scenario
from ..stages import ADOPTED, AWARE, PILOTING, QUARTERS_PER_YEAR, STALLED
from ..world.organisations import MUNICIPALITY, SIZE_BANDS
from .words import number, percent, quarter_text, say

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
            "quarter": self.quarter, "year": self.spec.start_year + self.quarter / QUARTERS_PER_YEAR,
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

    def when(self) -> str:
        """The quarter the model has reached, as ``2031 Q1``."""
        return quarter_text(self.spec.start_year, self.quarter)

    def status(self, lang: str = "en") -> str:
        """One line: scenario, quarter (``quarter 20 of 40 · 2031 Q1``), adoption now, settings changed
        from the scenario's own (in ``lang``)."""
        now = self.history[-1]
        settings = ", ".join(f"{k}={number(v, lang)}" for k, v in self.settings.items()) or \
            say("the scenario's own settings", lang)
        return (f"{say('Scenario', lang)} {self.picked} · {say('quarter', lang)} {self.quarter} {say('of', lang)} "
                f"{self.n_steps} · {self.when()} · {say('adoption', lang)} {percent(now['adoption_share'], lang)}"
                f" · {settings}")


@dataclass(frozen=True)
class Control:
    """One slider: ``name`` (a keyword of :class:`DashboardModel`), its start ``value`` (the scenario's
    own value, exact), ``low``/``high``/``step``; ``whole`` for an integer slider. ``low`` and ``value`` lie
    on the slider's grid where the value allows it (see :func:`grid_step`)."""

    name: str
    value: float
    low: float
    high: float
    step: float
    whole: bool = False


def grid_step(value: float, low: float, high: float, most: int = 1000) -> float:
    """A step of 1, 2 or 5 times a power of ten on whose grid from ``low`` the ``value`` lies exactly (the
    browser's slider rounds to its grid: a value off it would move when the slider is drawn): the
    coarsest such step that still gives at least 50 positions across ``low``-``high``, and no finer than
    ``most`` positions (1 000: a posterior median such as 0.107 needs a step of 0.001 on 0-0.43). A value no
    such step reaches (0.003992…) gets the step nearest (high - low) / 50;
    :func:`snap` keeps it exact."""
    span = high - low
    steps = sorted((m * 10.0 ** e for e in range(-6, 4) for m in (1, 2, 5)), reverse=True)
    for step in steps:
        if span / step < 50 or span / step > most:
            continue
        k = (value - low) / step
        if abs(k - round(k)) < 1e-9:
            return step
    return next(step for step in steps if span / step >= 50)


def decimals(step: float) -> int:
    """How many decimals show a value on a grid of ``step`` (0.005 -> 3, 5 -> 0)."""
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def snap(moved: float, control: Control) -> float:
    """The value a slider move means: the scenario's exact value when ``moved`` is within half a step of it
    (the browser rounds to the grid), else ``moved`` rounded to the step's decimals."""
    if abs(moved - control.value) <= control.step / 2:
        return control.value
    return int(round(moved)) if control.whole else round(moved, 10)


def controls(scenario_file: str) -> dict[str, Control]:
    """The sliders for the scenario file ``scenario_file`` (name without ``.yaml``): the seed, the key
    parameters starting at the file's values (the catalogue's default where the file has none) and the
    main levers' extra budgets starting at 0 MSEK a year."""
    given = load_scenario(scenarios_folder() / f"{scenario_file}.yaml").parameters.model_dump()
    found = {"seed": Control("seed", 1, 1, 50, 1, whole=True)}
    for name in PARAMETERS:
        p = BY_NAME[name]
        start = float(given.get(name, p.default))
        high = min(p.high, max(start * 4, p.default * 4, p.low + 0.01))
        found[name] = Control(name, start, p.low, high, grid_step(start, p.low, high))
    for lever in LEVERS:
        found[lever] = Control(lever, 0, 0, 200, 5, whole=True)
    return found


def model_arguments(scenario_file: str, values: dict[str, float]) -> dict[str, Any]:
    """:class:`DashboardModel`'s keywords for ``values`` (control name -> value): a parameter equal to the
    scenario's own value is left out (None), so the model is the file's scenario exactly."""
    start = controls(scenario_file)
    arguments: dict[str, Any] = {"scenario_file": scenario_file}
    for name, control in start.items():
        value = values.get(name, control.value)
        arguments[name] = None if name in PARAMETERS and value == control.value else value
    return arguments


@styled
def stage_map(model: DashboardModel, lang: str = "en") -> Figure:
    """Sweden's municipalities coloured by the furthest stage each has reached, the legend inside the
    figure (below the map), sized to be shown in a tall box (4.4 × 7 inches)."""
    fig = new_figure(4.4, 7.0)
    ax = fig.add_subplot()
    adoption_map(model.stage_classes(), ax=ax, cmap=ListedColormap(STAGE_COLORS), vmin=-0.5, vmax=3.5,
                 colorbar=False, stockholm_inset=False)
    fig.legend(handles=[Patch(facecolor=c, edgecolor="0.5", label=say(s, lang))
                        for c, s in zip(STAGE_COLORS, STAGE_CLASSES)],
               loc="outside lower center", ncols=2, fontsize=11, frameon=False)
    ax.set_title(f"{say('Municipalities by stage', lang)}, {model.when()}", loc="left", fontsize=14)
    return fig


@styled
def history_figure(model: DashboardModel, what: str, lang: str = "en") -> Figure:
    """The recorded ``diffusion`` (adoption share) or ``equality`` (gap and Gini) over the quarters so far."""
    frame = pd.DataFrame(model.history)
    fig = new_figure(6.4, 3.4)
    ax = fig.add_subplot()
    if what == "diffusion":
        ax.plot(frame["year"], frame["adoption_share"], color="#0072B2", linewidth=2.5, marker=".")
        percent_axis(ax)
        ax.set_ylim(0, max(0.05, frame["adoption_share"].max() * 1.15))
        ax.set_ylabel(say("Adoption share", lang))
        ax.set_title(say("Diffusion", lang), loc="left", fontsize=14)
    else:
        ax.plot(frame["year"], frame["gap_small_large"] * 100, color="#A0457E", linewidth=2.5, marker=".",
                label=say("Gap large − small (pp)", lang))
        points_axis(ax)
        ax.set_ylabel(say("Gap (pp)", lang))
        twin = ax.twinx()
        twin.plot(frame["year"], frame["gini"], color="#E69F00", linewidth=2, linestyle="--", label="Gini")
        twin.set_ylabel("Gini")
        twin.grid(False)
        ax.legend(handles=ax.get_lines() + twin.get_lines(), loc="upper left", fontsize=10)
        ax.set_title(say("Equality", lang), loc="left", fontsize=14)
    start = model.spec.start_year
    ax.set_xlim(start, start + model.n_steps / QUARTERS_PER_YEAR)
    ax.set_xlabel(say("Year", lang))
    if lang == "sv":  # decimal commas on the axes
        for axis in fig.axes:
            axis.yaxis.set_major_formatter(DecimalComma(axis.yaxis.get_major_formatter()))
    return fig


class DecimalComma(Formatter):
    """Another tick formatter's labels with a decimal comma and a space before % (Swedish)."""

    def __init__(self, inner: Formatter):
        self.inner = inner

    def set_axis(self, axis) -> None:
        """Both formatters label ``axis``."""
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs) -> None:
        """The inner formatter sees the ticks about to be labelled (its decimals follow them)."""
        self.inner.set_locs(locs)

    def __call__(self, value, pos=None) -> str:
        """The inner formatter's label, Swedish."""
        return self.inner(value, pos).replace(".", ",").replace("%", " %")

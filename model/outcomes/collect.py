"""What every run reports: diffusion, equality and durability (cost comes from the levers).

:func:`collect` turns a finished model into an :class:`Outcomes`: scalar ``summary`` outcomes computed at
once (what sweeps need), and the per-quarter ``timeseries`` and the final state of each municipality built
as pandas frames only when asked for. Outcomes hold no reference to the model, so they pickle cheaply
between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from ..stages import ADOPTED, AWARE, DROPPED, PILOTING, QUARTERS_PER_YEAR, STAGES, STALLED
from ..world.organisations import (
    AGENCY, KIND_NAMES, MUNICIPALITY, SIZE_BANDS, SKR_GROUPS, Organisations, load_organisations,
)
from ..dynamics.lifecycle import TALLY
from .metrics import gini, theil_decomposition

if TYPE_CHECKING:
    from ..model import InnovationModel

SMALL_BAND, LARGE_BAND = 0, len(SIZE_BANDS) - 1  # < 10 000 and > 100 000 inhabitants
EVENTS = {  # name -> (from, to)
    "pilots_started": (AWARE, PILOTING),
    "pilots_scaled": (PILOTING, ADOPTED),
    "pilots_stalled": (PILOTING, STALLED),
    "adoptions_dropped": (ADOPTED, DROPPED),
}


@lru_cache(maxsize=8)
def groups(regions: bool, agencies: bool, without: tuple[str, ...] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """The groups outcomes are reported for, and a (groups x organisations) 0/1 membership matrix."""
    orgs = load_organisations(regions, agencies, without)
    rows, members = [], []

    def add(kind: str, label: str, mask: np.ndarray) -> None:
        if mask.any():
            rows.append((kind, label))
            members.append(mask.astype(float))

    add("overall", "all", np.ones(orgs.n, dtype=bool))
    for k, name in enumerate(KIND_NAMES):
        add("kind", name, orgs.kind == k)
    muni = orgs.kind == MUNICIPALITY
    for b, name in enumerate(SIZE_BANDS):
        add("size_band", name, muni & (orgs.size_band == b))
    for g, name in enumerate(SKR_GROUPS):
        add("skr_group", name, muni & (orgs.skr_group == g))
    for c, name in enumerate(orgs.counties):
        add("region", name, muni & (orgs.county == c))
    member = np.array(members)
    member.setflags(write=False)  # shared by every run (and remembered as whole numbers: _whole_weights)
    return pd.DataFrame(rows, columns=["group_type", "group"]), member


@dataclass
class Outcomes:
    """The outcomes of one run."""

    scenario_name: str
    start_year: int
    innovation_names: tuple[str, ...]
    world_flags: tuple  # (regions, agencies, agencies left out): the arguments of load_organisations
    stage_history: np.ndarray  # (steps + 1, n, k) int8
    applicable: np.ndarray  # (n, k) bool
    summary: dict[str, float] = field(default_factory=dict)
    spend_records: list = field(default_factory=list)  # (lever, year, MSEK used) per lever and year
    usage_records: list = field(default_factory=list)  # one dict per lever and year (see lever_usage)
    evidence_history: np.ndarray | None = None  # (steps + 1, k) each innovation's evidence

    @property
    def orgs(self) -> Organisations:
        """The organisations of the run's world (cached, shared by every run)."""
        return load_organisations(*self.world_flags)

    @cached_property
    def spend(self) -> pd.DataFrame:
        """MSEK used per lever and year (money placed with a taker; see :attr:`lever_usage`)."""
        if not self.spend_records:  # most runs of a scenario without levers: the empty table, made once
            return _no_spend().copy()
        frame = pd.DataFrame(self.spend_records, columns=["lever", "year", "msek"])
        return frame.groupby(["lever", "year"], as_index=False)["msek"].sum()

    @cached_property
    def lever_usage(self) -> pd.DataFrame:
        """Per lever and year: its operator and unit, MSEK budgeted, delivered, used, returned and unplaced
        (beyond capacity, no taker), units bought and placed, applications (grants), and takers in all and by
        kind and size band."""
        return self._usage_frames[0]

    @cached_property
    def lever_takers(self) -> pd.DataFrame:
        """Per lever, year and group (kind, size band, county): the organisations the lever reached."""
        return self._usage_frames[1]

    @cached_property
    def _usage_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return usage_frame(self.usage_records, self.orgs)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Per quarter, innovation (and ``all``) and group: adoption shares and pilot events."""
        return columns_frame(self.timeseries_columns())

    def timeseries_columns(self) -> dict[str, np.ndarray | Labels]:
        """The columns of :attr:`timeseries`, built with NumPy: one row per innovation (then ``all``), quarter
        and group, in that order, rows without a share (no applicable member) left out."""
        table, member = groups(*self.world_flags)
        hist, app = self.stage_history, self.applicable
        steps, n_groups, n_names = hist.shape[0], len(table), len(self.innovation_names) + 1
        pop_member = _pop_member(self.world_flags)
        # every count in one product: (t, n, what, k) 0/1, what = adopted, piloting, stalled and the events
        # (from the quarter before; none in the first)
        counted = np.zeros(hist.shape[:2] + (3 + len(EVENTS), app.shape[1]), dtype=bool)
        for j, stage in enumerate((ADOPTED, PILOTING, STALLED)):
            np.logical_and(hist == stage, app, out=counted[:, :, j])
        for j, (a, b) in enumerate(EVENTS.values()):
            np.logical_and(hist[:-1] == a, hist[1:] == b, out=counted[1:, :, 3 + j])
        summed = _group_sums(member, counted.reshape(steps, hist.shape[1], -1)).reshape(steps, n_groups, -1,
                                                                                         app.shape[1])
        sums = {name: _with_all(summed[:, :, j]) for j, name in enumerate(("adopted", "piloting", "stalled",
                                                                            *EVENTS))}
        sums["adopted_pop"] = _with_all(_group_sums(pop_member, counted[:, :, 0]))  # (t, groups, k + 1) each
        den, den_pop = (_with_all(member @ app.astype(float)), _with_all(pop_member @ app.astype(float)))
        with np.errstate(divide="ignore", invalid="ignore"):
            values = {
                "adoption_share": sums["adopted"] / den,
                "adoption_share_pop": sums["adopted_pop"] / den_pop,  # no population-weighted share of agencies
                "piloting_share": sums["piloting"] / den,
                "stalled_share": sums["stalled"] / den,
            }
        values.update({ev: sums[ev] for ev in EVENTS})
        # (t, groups, names) -> rows by name, then quarter, then group; rows without a share dropped
        keep = np.flatnonzero(~np.isnan(values["adoption_share"].transpose(2, 0, 1).ravel()))
        row_step = np.tile(np.repeat(np.arange(steps), n_groups), n_names)[keep]
        labels = _timeseries_labels(self.world_flags, tuple(self.innovation_names))
        years = self.start_year + np.arange(steps) / QUARTERS_PER_YEAR
        group = np.tile(np.arange(n_groups), steps * n_names)[keep]
        return {
            "step": row_step,
            "year": years[row_step],
            "innovation": Labels(labels[0], keep // (steps * n_groups)),
            "group_type": Labels(labels[1], group),
            "group": Labels(labels[2], group),
            **{c: v.transpose(2, 0, 1).ravel()[keep] for c, v in values.items()},
        }

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        """The final state of each municipality."""
        return columns_frame(self.municipality_columns())

    def municipality_columns(self) -> dict[str, np.ndarray | Labels]:
        """The columns of :attr:`municipalities`, built with NumPy (the municipalities' own, cached)."""
        static = _municipality_static(self.world_flags)
        muni = static["index"]
        final = self.stage_history[-1][muni]
        app = self.applicable[muni]
        adopted = ((final == ADOPTED) & app).sum(1)
        n_app = app.sum(1)
        columns = {**static["columns"], "adopted": adopted, "applicable": n_app,
                   "adoption_share": np.divide(adopted, n_app, out=np.zeros(len(muni)), where=n_app > 0)}
        first = first_adoption_step(self.stage_history[:, muni])
        stage_labels = np.array(STAGES + ("not_applicable",), dtype=object)
        for k, name in enumerate(self.innovation_names):
            columns[f"stage_{name}"] = Labels(stage_labels, np.where(app[:, k], final[:, k], len(STAGES)))
            columns[f"first_adopted_{name}"] = np.where(first[:, k] >= 0,
                                                        self.start_year + first[:, k] / QUARTERS_PER_YEAR, np.nan)
        return columns


class Labels(NamedTuple):
    """A column of strings as its distinct ``labels`` (object array) and each row's index into them."""

    labels: np.ndarray
    codes: np.ndarray

    def values(self) -> np.ndarray:
        """The column as an object array of strings."""
        return self.labels[self.codes]


def columns_frame(columns: dict[str, np.ndarray | Labels]) -> pd.DataFrame:
    """A pandas frame of :meth:`Outcomes.timeseries_columns`-like columns (strings as pandas makes them of
    object arrays of ``str``)."""
    return pd.DataFrame({c: v.values() if isinstance(v, Labels) else v for c, v in columns.items()})


def _with_all(values: np.ndarray) -> np.ndarray:
    """``values`` (..., k) with a last column, their sum over innovations (whole numbers: exact)."""
    return np.concatenate([values, values.sum(-1, keepdims=True)], axis=-1)


@lru_cache(maxsize=8)
def _pop_member(world_flags: tuple) -> np.ndarray:
    """The (groups x organisations) membership matrix of :func:`groups` weighted by each organisation's
    inhabitants (:func:`population_weights`)."""
    weights = groups(*world_flags)[1] * population_weights(load_organisations(*world_flags))
    weights.setflags(write=False)
    return weights


@lru_cache(maxsize=32)
def _timeseries_labels(world_flags: tuple, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The labels of :meth:`Outcomes.timeseries_columns`' string columns: innovations (and ``all``), group
    types and groups."""
    table = groups(*world_flags)[0]
    return (np.array(names + ("all",), dtype=object), table["group_type"].to_numpy(dtype=object),
            table["group"].to_numpy(dtype=object))


@lru_cache(maxsize=8)
def _municipality_static(world_flags: tuple) -> dict:
    """The municipalities' indices among the organisations and their columns of :attr:`Outcomes.municipalities`
    that no run changes."""
    orgs = load_organisations(*world_flags)
    muni = np.flatnonzero(orgs.kind == MUNICIPALITY)
    columns = {
        "code": np.array([orgs.code[i] for i in muni], dtype=object),
        "name": np.array([orgs.name[i] for i in muni], dtype=object),
        "county": np.array([orgs.counties[orgs.county[i]] for i in muni], dtype=object),
        "population": orgs.population[muni],
        "size_band": np.array([SIZE_BANDS[orgs.size_band[i]] for i in muni], dtype=object),
        "skr_group": np.array([SKR_GROUPS[orgs.skr_group[i]] for i in muni], dtype=object),
    }
    for values in columns.values():
        values.setflags(write=False)
    return {"index": muni, "columns": columns}


@lru_cache(maxsize=1)
def _no_spend() -> pd.DataFrame:
    """The spend table of a run without spending (as the grouping of no records gives it)."""
    return pd.DataFrame([], columns=["lever", "year", "msek"]).groupby(["lever", "year"], as_index=False)["msek"].sum()


def _group_sums(member: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sums over each group's members: (groups, n) weights and (t, n, k) 0/1 values (bool: states, events)
    give (t, groups, k).

    Weights here are whole numbers (0/1 memberships, populations) and values 0 or 1, so every product and
    sum is exact in any order and one matrix product gives the same bits as summing member by member;
    anything else is summed per group, each group over its own members' slice in NumPy's pairwise order.
    """
    t, n, k = values.shape
    if n < 2 ** 20 and _whole_weights(member) and (values.dtype == bool or np.all((values == 0) | (values == 1))):
        # quarter by quarter: small products, which BLAS does not spread over threads (one (groups x n) @
        # (n x t.k) product costs a hundred times more CPU on a busy machine, in threads that wait)
        return np.matmul(member, values.astype(float))
    out = np.empty((t, member.shape[0], k))
    for g, weights in enumerate(member):
        idx = np.flatnonzero(weights)
        part = values[:, idx, :]
        if not np.all(weights[idx] == 1.0):
            part = part * weights[idx][None, :, None]
        out[:, g, :] = part.sum(axis=1)
    return out


#: whether each weight matrix (by identity: the cached ones of groups and _pop_member) is whole numbers
_WHOLE: dict[int, tuple[np.ndarray, bool]] = {}


def _whole_weights(member: np.ndarray) -> bool:
    """:func:`_whole` of ``member``, remembered for the cached matrices (they are never changed)."""
    seen = _WHOLE.get(id(member))
    if seen is not None and seen[0] is member:
        return seen[1]
    whole = _whole(member)
    if not member.flags.writeable:
        _WHOLE[id(member)] = (member, whole)
    return whole


def _whole(values: np.ndarray) -> bool:
    """Whether every value is a non-negative whole number of at most 2**32 (so a float sum of up to 2**20
    of them stays below 2**53, exact)."""
    return bool(np.all(values >= 0) and np.all(values <= 2.0 ** 32) and np.all(values == np.floor(values)))


def population_weights(orgs: Organisations) -> np.ndarray:
    """Inhabitants each organisation serves: a municipality's or a region's population; agencies, which
    serve everyone, weigh nothing. Every inhabitant is served by one municipality and one region, so for
    an innovation that applies to both the weighted share is the mean of the municipal and the regional
    coverage (the share of inhabitants whose municipality, and whose region, has adopted)."""
    return np.where(orgs.kind == AGENCY, 0.0, orgs.population)


def population_weighted_share(orgs: Organisations, applicable: np.ndarray, adopted: np.ndarray) -> float:
    """Share of inhabitants served by an organisation that has adopted, pooled over innovations (see
    :func:`population_weights`)."""
    weight = population_weights(orgs)[:, None] * applicable
    total = weight.sum()
    return float((weight * adopted).sum() / total) if total else np.nan


def first_adoption_step(history: np.ndarray) -> np.ndarray:
    """First quarter index at which each (organisation, innovation) was adopted, or -1."""
    adopted = history == ADOPTED
    ever = adopted.any(0)
    return np.where(ever, adopted.argmax(0), -1)


def usage_frame(records: list, orgs: Organisations) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lever-usage table (one row per lever and year) and the takers table (one row per lever, year and
    group) of a run's usage records."""
    rows, takers = [], []
    counted, groups = _taker_groups(orgs.key)
    for r in records:
        mask = r["takers"]
        row = {key: r[key] for key in ("lever", "year", "operator", "unit", "budget_msek", "delivered_msek",
                                       "used_msek", "returned_msek", "unplaced_capacity_msek",
                                       "unplaced_no_taker_msek", "bought", "placed", "applications")}
        row["takers"] = int(mask.sum())
        for name, members in counted:
            row[f"takers_{name}"] = int((mask & members).sum())
        rows.append(row)
        for kind, name, members in groups:
            count = int((mask & members).sum())
            if count:
                takers.append({"lever": r["lever"], "year": r["year"], "group_type": kind, "group": name,
                               "takers": count})
    usage_columns = ["lever", "year", "operator", "unit", "budget_msek", "delivered_msek", "used_msek",
                     "returned_msek", "unplaced_capacity_msek", "unplaced_no_taker_msek", "bought", "placed",
                     "applications", "takers"] + [f"takers_{n}" for n in KIND_NAMES + SIZE_BANDS]
    return (pd.DataFrame(rows, columns=usage_columns),
            pd.DataFrame(takers, columns=["lever", "year", "group_type", "group", "takers"]))


@lru_cache(maxsize=8)
def _taker_groups(world_flags: tuple) -> tuple[list, list]:
    """The masks :func:`usage_frame` counts takers in: (column, mask) by kind and municipal size band, and
    (group type, group, mask) by kind, size band and county."""
    orgs = load_organisations(*world_flags)
    muni = orgs.kind == MUNICIPALITY
    kinds = [(name, orgs.kind == k) for k, name in enumerate(KIND_NAMES)]
    bands = [(name, muni & (orgs.size_band == b)) for b, name in enumerate(SIZE_BANDS)]
    groups = [("kind", name, mask) for name, mask in kinds] + [("size_band", name, mask) for name, mask in bands]
    groups += [("county", name, orgs.county == c) for c, name in enumerate(orgs.counties)]
    return kinds + bands, groups


def _usage_records(ledger) -> list[dict]:
    return [{"lever": u.lever, "year": u.year, "operator": u.operator, "unit": u.unit, "budget_msek": u.budget,
             "delivered_msek": u.delivered, "used_msek": u.used, "returned_msek": u.returned,
             "unplaced_capacity_msek": u.unplaced_capacity, "unplaced_no_taker_msek": u.unplaced_no_taker,
             "bought": u.bought, "placed": u.placed, "applications": u.applications, "takers": u.takers.copy()}
            for u in ledger.usage.values()]


def collect(model: "InnovationModel") -> Outcomes:
    """Outcomes of a finished (or stopped) model run."""
    hist = model.stage_history[: model.quarter + 1]
    out = Outcomes(
        scenario_name=model.spec.name,
        start_year=model.spec.start_year,
        innovation_names=model.innovation_names,
        world_flags=model.orgs.key,
        stage_history=hist,
        applicable=model.applicable,
    )
    out.summary = summarise(model, hist)
    ledger = model.context.ledger
    out.spend_records = list(ledger.records)
    out.usage_records = _usage_records(ledger)
    out.evidence_history = model.context.record.evidence[: model.quarter + 1].copy()
    out.summary["spend_msek"] = ledger.total()
    out.summary["budget_msek"] = ledger.budget_total()
    capacity, no_taker = ledger.unplaced_totals()
    out.summary["unplaced_capacity_msek"] = capacity
    out.summary["unplaced_no_taker_msek"] = no_taker
    out.summary["unplaced_msek"] = capacity + no_taker
    return out


def summarise(model: "InnovationModel", hist: np.ndarray) -> dict[str, float]:
    """Scalar outcomes of one run (the columns of ``summary.csv`` and what sweeps analyse)."""
    orgs, app = model.orgs, model.applicable
    final = hist[-1]
    adopted_final = (final == ADOPTED) & app
    n_app = app.sum()
    s: dict[str, float] = {}

    # diffusion (counts from the life cycle's tally, see model.dynamics.lifecycle.TALLY)
    record = model.context.record
    tally = dict(zip(TALLY, record.tally[: len(hist) - 1].T))
    n_initial = float(((hist[0] == ADOPTED) & app).sum())
    share_t = np.concatenate([[n_initial], tally["adopted"]]) / n_app
    s["final_adoption"] = float(share_t[-1])
    s["adoptions_final"] = float(adopted_final.sum())
    s["final_adoption_pop"] = population_weighted_share(orgs, app, adopted_final)
    reached = np.flatnonzero(share_t >= 0.5)
    s["time_to_50_years"] = float(reached[0] / QUARTERS_PER_YEAR) if len(reached) else np.nan
    for k, name in enumerate(model.innovation_names):
        s[f"final_adoption.{name}"] = float(adopted_final[:, k].sum() / max(app[:, k].sum(), 1))
    for name in EVENTS:
        s[name] = float(tally[name].sum())
    finished = s["pilots_scaled"] + s["pilots_stalled"]
    s["pilot_to_scale_rate"] = s["pilots_scaled"] / finished if finished else np.nan
    count = record.scale_count.sum()
    s["mean_years_pilot_to_scale"] = (float(record.scale_durations.sum() / count / QUARTERS_PER_YEAR) if count
                                      else np.nan)

    for name in ("pilots_disappointed", "pilots_stalled_no_champion", "pilots_stalled_reprioritised",
                 "pilots_stalled_no_money", "pilots_funded", "money_waiting_pilot_quarters",
                 "money_waiting_adoption_quarters", "money_blocked_pilot_starts", "money_own_msek",
                 "money_grant_msek", "money_state_grant_msek", "money_event_msek"):
        s[name] = float(tally[name].sum())

    # durability: drops in quarters when the organisation had no enthusiast / no protector / no money
    for name in ("adoptions_lost_no_enthusiast", "adoptions_lost_no_protector", "adoptions_lost_no_money",
                 "adoptions_lost_disappointed"):
        s[name] = float(tally[name].sum())

    # equality across municipalities: share of applicable innovations adopted at the end
    muni = orgs.kind == MUNICIPALITY
    n_app_m = app[muni].sum(1)
    level = np.divide(adopted_final[muni].sum(1), n_app_m, out=np.zeros(muni.sum()), where=n_app_m > 0)
    band = orgs.size_band[muni]
    s["final_adoption_municipalities"] = float(level.mean())
    s["adoption_small"] = float(level[band == SMALL_BAND].mean())
    s["adoption_large"] = float(level[band == LARGE_BAND].mean())
    s["gap_small_large"] = s["adoption_large"] - s["adoption_small"]
    main_group = orgs.skr_main_group[muni]
    s["gap_skr_a_c"] = float(level[main_group == "A"].mean() - level[main_group == "C"].mean())
    s["gini"] = gini(level)
    total, between, within = theil_decomposition(level, orgs.county[muni])
    s["theil"], s["theil_between_regions"], s["theil_within_regions"] = total, between, within
    s["share_no_adoption"] = float((level == 0).mean())
    return s

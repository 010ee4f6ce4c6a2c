"""For whom: each portfolio's paired difference from the baseline by county, size band, SKR group and in
each lever's target group.

The measure is the one the equality outcomes use: each municipality's share of its applicable innovations
adopted at the horizon, averaged over the municipalities of a group (unweighted). Per replication the
group's mean in the portfolio minus that in the baseline's same replication (common random numbers)
gives a paired difference, summarised by its mean and t-based 95 % interval
(:func:`model.outcomes.intervals.mean_interval`). Identical scenarios therefore differ by exactly zero
in every group.

A lever's *target group* is the municipalities its ``target`` admits (kinds, size bands, counties:
:func:`model.levers.targeting.eligible_mask`): those it could reach, whether or not it reached each one
in a given run (who was reached is in ``lever_usage.csv`` where a run writes it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ..charts.language import tr
from ..charts.numbers import share
from ..levers.targeting import Target, eligible_mask
from ..outcomes.intervals import mean_interval
from ..world.organisations import MUNICIPALITY, SIZE_BANDS, SKR_GROUPS, load_organisations

#: the fixed groupings, in the order the tables and charts show them: (group_type, column of municipalities)
GROUPINGS = (("county", "county"), ("size_band", "size_band"), ("skr_group", "skr_group"))
TARGET = "target"
COLUMNS = ("scenario", "group_type", "group", "label", "municipalities", "baseline_mean", "mean", "diff",
           "diff_ci95_low", "diff_ci95_high")


@lru_cache(maxsize=1)
def skr_group_names() -> dict[str, str]:
    """SKR municipality group code -> its name as in the data (``"A1"`` -> ``"Storstäder"``)."""
    text = resources.files("model").joinpath("data", "municipalities.csv").read_text(encoding="utf-8")
    return {row["skr_group_code"]: row["skr_group_name"] for row in csv.DictReader(text.splitlines())}


def group_label(group_type: str, group: str) -> str:
    """How a group is named in tables: counties and size bands as given, SKR groups with their name."""
    if group_type == "skr_group":
        return f"{group} {skr_group_names().get(group, '')}".strip()
    return str(group)


#: size bands as a reader says them (inhabitants), English and Swedish
BAND_TEXT = {"<10k": ("under 10 000", "under 10 000"), "10-20k": ("10 000–20 000", "10 000–20 000"),
             "20-50k": ("20 000–50 000", "20 000–50 000"), "50-100k": ("50 000–100 000", "50 000–100 000"),
             ">100k": ("over 100 000", "över 100 000")}


def band_text(band: str, lang: str = "en") -> str:
    """A size band in words (``<10k`` -> ``under 10 000``), without the word for inhabitants."""
    return BAND_TEXT.get(band, (band, band))[lang == "sv"]


def _order(group_type: str, groups: Iterable[str]) -> list[str]:
    groups = list(dict.fromkeys(groups))
    fixed = {"size_band": SIZE_BANDS, "skr_group": SKR_GROUPS}.get(group_type)
    if fixed:
        return [g for g in fixed if g in groups] + [g for g in groups if g not in fixed]
    if group_type == "county":
        counties = load_organisations(True, False).counties
        return [c for c in counties if c in groups] + sorted(g for g in groups if g not in counties)
    return groups


def target_codes(target: Target | Mapping[str, Any]) -> list[str]:
    """Codes of the municipalities a lever's ``target`` admits (empty when it admits none)."""
    target = target if isinstance(target, Target) else Target.model_validate(dict(target))
    orgs = load_organisations(True, True)
    mask = eligible_mask(target, orgs) & (orgs.kind == MUNICIPALITY)
    return [orgs.code[i] for i in np.flatnonzero(mask)]


def target_text(target: Target | Mapping[str, Any], lang: str = "en") -> str:
    """A lever's target in words: ``municipalities <10k, 10-20k; need first (capacity); 150 of them``
    (``kommuner <10k, 10-20k; störst behov först (lägst kapacitet); 150 av dem`` in Swedish)."""
    target = target if isinstance(target, Target) else Target.model_validate(dict(target))
    parts = [", ".join(tr(kind, lang) for kind in target.kinds)]
    if target.size_bands:
        parts[0] += " " + ", ".join(target.size_bands)
    if target.regions:
        parts.append(tr("counties", lang) + " " + ", ".join(str(r) for r in target.regions))
    parts.append(tr({"all": "everyone eligible", "size_band": "by size band", "region": "by county",
                     "random": "at random", "capacity": "need first (lowest capacity)",
                     "application": "competitive call"}[target.by], lang))
    of_them = tr("of them", lang)
    if target.count is not None:
        parts.append(f"{target.count} {of_them}")
    if target.share is not None:
        parts.append(f"{share(target.share, lang) if lang == 'sv' else f'{target.share:.0%}'} {of_them}")
    return "; ".join(parts)


def _group_means(municipalities: pd.DataFrame, column: str | None, codes: Sequence[str] | None = None
                 ) -> pd.DataFrame:
    """Per replication and group: the mean adoption share (``column`` None: one group of ``codes``)."""
    frame = municipalities if "replication" in municipalities.columns else municipalities.assign(replication=0)
    if column is None:
        frame = frame[frame["code"].astype(str).str.zfill(4).isin(set(codes or ()))].assign(group=TARGET)
        column = "group"
    grouped = frame.groupby(["replication", column])["adoption_share"]
    out = grouped.mean().rename("share").reset_index().rename(columns={column: "group"})
    counts = frame[frame["replication"] == frame["replication"].min()].groupby(column).size()
    return out.assign(municipalities=out["group"].map(counts))


def _paired(scenario: str, base: pd.DataFrame, mine: pd.DataFrame, group_type: str, label_of) -> list[dict]:
    rows = []
    both = mine.merge(base, on=["replication", "group"], suffixes=("", "_base"))
    for group in _order(group_type, both["group"]):
        part = both[both["group"] == group].sort_values("replication")
        diff, low, high = mean_interval(part["share"].to_numpy() - part["share_base"].to_numpy())
        rows.append(dict(scenario=scenario, group_type=group_type, group=str(group), label=label_of(group),
                         municipalities=int(part["municipalities"].iloc[0]), baseline_mean=part["share_base"].mean(),
                         mean=part["share"].mean(), diff=diff, diff_ci95_low=low, diff_ci95_high=high))
    return rows


def group_differences(municipalities: Mapping[str, pd.DataFrame], baseline: str,
                      targets: Mapping[str, Sequence[tuple[str, Any]]] | None = None) -> pd.DataFrame:
    """Paired differences from ``baseline`` of every other scenario, by county (all 21), size band, SKR
    group and, for each scenario's levers, in the lever's target group.

    ``municipalities``: scenario name -> its stacked ``municipalities`` frame (``replication``, ``code``,
    ``county``, ``size_band``, ``skr_group``, ``adoption_share``); ``targets``: scenario name -> its
    levers as ``(lever name, target)`` pairs. Returns the columns :data:`COLUMNS`; target groups have
    ``group_type`` ``target`` and ``group`` the lever's name.
    """
    if baseline not in municipalities:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios: {', '.join(municipalities)}")
    rows: list[dict] = []
    base_frame = municipalities[baseline]
    for name, frame in municipalities.items():
        if name == baseline:
            continue
        for group_type, column in GROUPINGS:
            rows += _paired(name, _group_means(base_frame, column), _group_means(frame, column), group_type,
                            lambda g, t=group_type: group_label(t, g))
        for lever, target in (targets or {}).get(name, ()):
            codes = target_codes(target)
            if not codes:
                continue
            base, mine = _group_means(base_frame, None, codes), _group_means(frame, None, codes)
            for row in _paired(name, base, mine, TARGET, lambda _g: ""):
                row.update(group=lever, label=f"{lever}: {target_text(target)}")
                rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))

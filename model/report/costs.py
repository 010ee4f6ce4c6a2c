"""What a portfolio costs for what it adds: cost per extra adoption with a bootstrap interval, and the
cost-effectiveness frontier.

Every portfolio is measured against the comparison's baseline on common random numbers: replication *r*
of a portfolio is paired with replication *r* of the baseline, so its *extra adoptions* (organisation–
innovation pairs adopted at the horizon) and its *incremental cost* (MSEK used over the run) are paired
differences. With a baseline that spends nothing, the incremental cost is the portfolio's own spend;
with a portfolio as the baseline, every figure is head to head against it.

*Cost per extra adoption* is mean incremental cost over mean extra adoptions. Its interval comes from a
percentile bootstrap over replications (the same resampled replications for cost and effect, so the
pairing is kept): :func:`bootstrap_ratio`.

The *frontier* (:func:`frontier`) orders the portfolios by cost, with the baseline at (0, 0). A
portfolio is *dominated* when another costs no more and adds at least as much (one of them strictly);
it is *extendedly dominated* when a mix of two cheaper and dearer frontier neighbours would add more for
the money, i.e. its incremental cost per extra adoption is higher than the next one's (the standard rule
of cost-effectiveness analysis). Between neighbours on the frontier, the incremental cost-effectiveness
ratio (ICER) is the extra cost per extra adoption of moving from the cheaper to the dearer one.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..outcomes.intervals import mean_interval

#: bootstrap resamples behind every cost interval, and the generator's seed (results are reproducible)
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20261123
FRONTIER = "frontier"
DOMINATED = "dominated"
EXTENDED = "extendedly dominated"
BASELINE = "baseline"


def bootstrap_ratio(cost: np.ndarray, effect: np.ndarray, resamples: int = BOOTSTRAP,
                    seed: int = BOOTSTRAP_SEED, level: float = 0.95) -> tuple[float, float, float]:
    """``mean(cost) / mean(effect)`` and its percentile bootstrap interval over the paired replications.

    A resample whose mean effect is not positive buys nothing for its money and counts as an infinite
    ratio, so an upper bound may be ``inf`` ("no extra adoption is within the interval"). With a mean
    effect that is not positive the ratio is NaN; with fewer than two replications the interval is NaN.
    """
    cost, effect = np.asarray(cost, dtype=float), np.asarray(effect, dtype=float)
    ok = ~(np.isnan(cost) | np.isnan(effect))
    cost, effect = cost[ok], effect[ok]
    if not len(cost) or effect.mean() <= 0:
        return np.nan, np.nan, np.nan
    ratio = float(cost.mean() / effect.mean())
    if len(cost) < 2:
        return ratio, np.nan, np.nan
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(cost), size=(resamples, len(cost)))
    c, e = cost[picks].mean(1), effect[picks].mean(1)
    ratios = np.sort(np.where(e > 0, c / np.where(e > 0, e, 1.0), np.inf))
    tail = (1 - level) / 2
    low = ratios[int(np.floor(tail * (resamples - 1)))]
    high = ratios[int(np.ceil((1 - tail) * (resamples - 1)))]
    return ratio, float(low), float(high)


def cost_effectiveness(adoptions: Mapping[str, np.ndarray], costs: Mapping[str, np.ndarray], baseline: str,
                       budgeted: Mapping[str, float] | None = None, paid: Mapping[str, np.ndarray] | None = None
                       ) -> pd.DataFrame:
    """One row per scenario (the baseline first): what it used and added against the baseline.

    ``adoptions`` and ``costs`` hold each scenario's adoptions at the horizon and MSEK used, one value per
    replication in replication order; ``budgeted`` the MSEK its levers were given over the simulated
    years, ``paid`` the MSEK its programmes paid out per replication (when it differs from what was used).
    Columns: ``scenario``, ``budgeted_msek``, ``paid_msek``, ``used_msek`` (means), ``incremental_cost_msek``
    with ``_low``/``_high`` (paired 95 % interval), ``extra_adoptions`` with ``_low``/``_high``,
    ``cost_per_extra_adoption_msek`` with ``_low``/``_high`` (bootstrap), then the frontier's ``status``,
    ``dominated_by`` and ``icer_msek`` (see :func:`frontier`).
    """
    if baseline not in adoptions:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios: {', '.join(adoptions)}")
    base_adopt = np.asarray(adoptions[baseline], dtype=float)
    base_cost = np.asarray(costs[baseline], dtype=float)
    rows = []
    for name in [baseline] + [n for n in adoptions if n != baseline]:
        extra = np.asarray(adoptions[name], dtype=float) - base_adopt
        more = np.asarray(costs[name], dtype=float) - base_cost
        c, c_low, c_high = mean_interval(more)
        e, e_low, e_high = mean_interval(extra)
        ratio = bootstrap_ratio(more, extra) if name != baseline else (np.nan,) * 3
        own_paid = paid[name] if paid is not None and name in paid else costs[name]
        rows.append(dict(scenario=name, budgeted_msek=(budgeted or {}).get(name, np.nan),
                         paid_msek=float(np.mean(own_paid)), used_msek=float(np.mean(costs[name])),
                         incremental_cost_msek=c, incremental_cost_msek_low=c_low, incremental_cost_msek_high=c_high,
                         extra_adoptions=e, extra_adoptions_low=e_low, extra_adoptions_high=e_high,
                         cost_per_extra_adoption_msek=ratio[0], cost_per_extra_adoption_msek_low=ratio[1],
                         cost_per_extra_adoption_msek_high=ratio[2]))
    table = pd.DataFrame(rows)
    marks = frontier(table.set_index("scenario")["incremental_cost_msek"],
                     table.set_index("scenario")["extra_adoptions"], baseline)
    return table.merge(marks.drop(columns=["cost", "effect"]), on="scenario", how="left")


def frontier(cost: Mapping[str, float] | pd.Series, effect: Mapping[str, float] | pd.Series,
             baseline: str | None = None) -> pd.DataFrame:
    """Mark each option ``frontier``, ``dominated`` or ``extendedly dominated`` (the ``baseline`` is
    ``baseline`` and anchors the frontier at its own cost and effect).

    Returns one row per option, ordered by cost (then by effect, best first): ``scenario``, ``cost``,
    ``effect``, ``status``, ``dominated_by`` (the option that dominates it, strictly or by extension: for
    an extendedly dominated option, the dearer frontier option that makes it so) and ``icer_msek``,
    the incremental cost per extra unit of effect against the previous option on the frontier (NaN off
    the frontier and for the first).
    """
    cost, effect = pd.Series(cost, dtype=float), pd.Series(effect, dtype=float)
    frame = pd.DataFrame({"scenario": cost.index, "cost": cost.to_numpy(), "effect": effect.reindex(cost.index)})
    frame = frame.sort_values(["cost", "effect"], ascending=[True, False], kind="stable").reset_index(drop=True)
    status = {n: FRONTIER for n in frame["scenario"]}
    by: dict[str, str] = {}
    rows = list(frame.itertuples(index=False))
    for r in rows:  # strict dominance: another costs no more and adds no less, one strictly
        if not (np.isfinite(r.cost) and np.isfinite(r.effect)):
            status[r.scenario] = "not comparable"
            continue
        for o in rows:
            if o.scenario != r.scenario and o.cost <= r.cost and o.effect >= r.effect and \
                    (o.cost < r.cost or o.effect > r.effect):
                status[r.scenario], by[r.scenario] = DOMINATED, o.scenario
                break
    if baseline in status:
        status[baseline] = BASELINE
    # extended dominance: drop the option whose ICER exceeds the next one's, until the ICERs rise
    on = [r for r in rows if status[r.scenario] in (FRONTIER, BASELINE)]
    changed = True
    while changed and len(on) > 2:
        changed = False
        icers = [(b.cost - a.cost) / (b.effect - a.effect) if b.effect > a.effect else np.inf
                 for a, b in zip(on, on[1:])]
        for i in range(len(icers) - 1):
            middle = on[i + 1]
            if icers[i] > icers[i + 1] and status[middle.scenario] != BASELINE:
                status[middle.scenario], by[middle.scenario] = EXTENDED, on[i + 2].scenario
                on.pop(i + 1)
                changed = True
                break
    icer = {}
    for a, b in zip(on, on[1:]):
        icer[b.scenario] = (b.cost - a.cost) / (b.effect - a.effect) if b.effect != a.effect else np.nan
    frame["status"] = frame["scenario"].map(status)
    frame["dominated_by"] = frame["scenario"].map(by)
    frame["icer_msek"] = frame["scenario"].map(icer).astype(float)
    return frame[["scenario", "status", "dominated_by", "icer_msek"]].assign(
        cost=frame["cost"], effect=frame["effect"])

"""Where peer reviews and change teams land, and what their scaling mechanism carries (issue 20, point 2).

For ``scenarios/lever_peer_review.yaml`` and ``scenarios/lever_change_teams.yaml`` against
``scenarios/baseline.yaml`` in the calibrated world (the shipped defaults), paired on common random numbers
(replication r of every scenario shares replication r's seed):

- of the reviews / visits started, the share whose organisation was running a pilot when it started, and
  the share that found a pilot *reaching its decision* (running, ``pilot_age + 1 >= pilot_quarters``: the
  quarter its scale decision falls in) while the review's advice or the team was present;
- the lever's effect on final adoption and the pilot-to-scale rate (mean ± half the 95 % interval), the
  same with its scale bonus switched off (``scale_bonus: 0``), and the MSEK used per extra adoption.

It watches the lever from outside (its ``until`` array: present while ``t < until``), so it measures the
levers before and after a change of their rules alike.

    python benchmarks/scaling_levers.py [--reps 40] [--factor 1] [--set PATH=VALUE ...]

``--factor`` multiplies each lever's shipped budget; ``--set`` overrides a scenario value in all three
scenarios (e.g. ``parameters.scale_base_logit=-3.6``, ``levers.change_teams.capacity_left=0.1``: a path
under ``levers.`` only in its lever's scenario).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import yaml

import model
from model.model import InnovationModel
from model.outcomes.collect import collect
from model.runner import replication_seed
from model.stages import PILOTING

ROOT = Path(__file__).resolve().parent.parent
LEVERS = ("peer_review", "change_teams")


def watched(scenario, seed) -> tuple[dict, list[tuple[bool, bool]]]:
    """The run's summary and, per review or visit started, (piloting when it started, saw a decision)."""
    m = InnovationModel(scenario, seed=seed)
    lever = m.levers[0]
    visits: dict[tuple[int, int], list[bool]] = {}
    open_: dict[int, tuple[int, int]] = {}  # organisation -> its visit now present
    step = lever.step

    def spy(ctx, t, year, quarter, active):
        before = lever.until.copy()
        step(ctx, t, year, quarter, active)
        s = ctx.state
        running = (s.stage == PILOTING) & ctx.applicable
        due = (running & (s.pilot_age + 1 >= ctx.innovations.pilot_quarters[None, :])).any(1)
        for i in np.flatnonzero(lever.until > before):
            open_[i] = (i, t)
            visits[(i, t)] = [bool(running[i].any()), False]
        for i in np.flatnonzero((lever.until > t) & due):
            if i in open_:
                visits[open_[i]][1] = True

    lever.step = spy
    m.run_model()
    return collect(m).summary, [tuple(v) for v in visits.values()]


def cell(values: np.ndarray) -> str:
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    return f"{values.mean():+.4f} ± {half:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    sets = dict(item.split("=", 1) for item in args.set)
    sets = {k: yaml.safe_load(v) for k, v in sets.items()}
    world = {k: v for k, v in sets.items() if not k.startswith("levers.")}
    base_s = model.with_overrides(model.load_scenario(ROOT / "scenarios" / "baseline.yaml"), world)
    seeds = [replication_seed(base_s.seed, r) for r in range(args.reps)]
    base = [model.run(base_s, s).summary for s in seeds]
    for name in LEVERS:
        scen = model.with_overrides(model.load_scenario(ROOT / "scenarios" / f"lever_{name}.yaml"), world)
        budget = scen.levers[0].budget_msek_per_year * args.factor
        mine = {k: v for k, v in sets.items() if k.startswith(f"levers.{name}.")}
        scen = model.with_overrides(scen, {f"levers.{name}.budget_msek_per_year": budget, **mine})
        off = model.with_overrides(scen, {f"levers.{name}.scale_bonus": 0.0})
        rows, seen = {}, []
        for label, s in (("lever", scen), ("scale_bonus 0", off)):
            runs = []
            for seed in seeds:
                summary, visits = watched(s, seed)
                runs.append(summary)
                if label == "lever":
                    seen += visits
            rows[label] = runs
        seen = np.array(seen, dtype=float).reshape(-1, 2)
        print(f"## {name}: {len(seen) / args.reps:.0f} started per run; piloting when started "
              f"{seen[:, 0].mean():.1%}; a pilot reached its decision while present {seen[:, 1].mean():.1%}")
        for label, runs in rows.items():
            diff = {o: np.array([r[o] - b[o] for r, b in zip(runs, base)])
                    for o in ("final_adoption", "pilot_to_scale_rate", "adoptions_final")}
            extra = diff["adoptions_final"].mean()
            used = np.mean([r["spend_msek"] for r in runs])
            cost = f"{used / extra:.1f}" if extra > 0 else "no gain"
            print(f"  {label:14s} Δ final_adoption {cell(diff['final_adoption'])}  Δ pilot_to_scale_rate "
                  f"{cell(diff['pilot_to_scale_rate'])}  extra adoptions {extra:.1f}  MSEK used {used:.0f}  "
                  f"MSEK per extra adoption {cost}")


if __name__ == "__main__":
    main()

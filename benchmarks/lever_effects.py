"""Measure each lever's, portfolio's and event's effect against the baseline: the table in docs/levers.md.

Paired differences over 40 replications on common random numbers (the baseline's root seed, replication r
of every scenario sharing replication r's seed), at the end of the run, as mean ± half the 95 % interval;
the money the programmes were given (budgeted) and placed with a taker (used), and the MSEK used — and,
beside it, budgeted — per extra adoption. Prints the Markdown table.

    python benchmarks/lever_effects.py [--reps 40] [--workers N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import model

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [("final_adoption", "Δ final adoption"), ("pilot_to_scale_rate", "Δ pilot-to-scale rate"),
           ("adoption_small", "Δ adoption < 10k"), ("gap_small_large", "Δ gap small–large"),
           ("share_no_adoption", "Δ share with no adoption")]
PORTFOLIOS = ("status_quo", "sustaingov", "equality_first", "scale_up", "infrastructure_first")


def summaries(path: Path, reps: int, seed: int, workers: int | None) -> dict[str, np.ndarray]:
    """Each outcome of the scenario at ``path``, one value per replication of root ``seed``."""
    outs = model.replicate(model.load_scenario(path), reps, seed, workers)
    return {key: np.array([o.summary[key] for o in outs], dtype=float) for key in outs[0].summary}


def cell(values: np.ndarray) -> str:
    """Mean ± half the 95 % interval, with a true minus sign."""
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    return f"{values.mean():+.3f} ± {half:.3f}".replace("-", "−")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    scenarios = sorted((ROOT / "scenarios").glob("lever_*.yaml"))
    scenarios += [ROOT / "scenarios" / f"portfolio_{name}.yaml" for name in PORTFOLIOS]
    scenarios += sorted((ROOT / "scenarios").glob("event_*.yaml"))
    baseline_path = ROOT / "scenarios" / "baseline.yaml"
    seed = model.load_scenario(baseline_path).seed
    base = summaries(baseline_path, args.reps, seed, args.workers)
    print("baseline: " + ", ".join(f"{o} {base[o].mean():.3f}" for o, _ in COLUMNS))
    print("| scenario | MSEK budgeted | MSEK used | " + " | ".join(label for _, label in COLUMNS)
          + " | MSEK used (budgeted) per extra adoption |")
    print("|---" * (len(COLUMNS) + 4) + "|")
    for path in scenarios:
        runs = summaries(path, args.reps, seed, args.workers)
        cells = [cell(runs[o] - base[o]) for o, _ in COLUMNS]
        extra = (runs["adoptions_final"] - base["adoptions_final"]).mean()
        used, budgeted = runs["spend_msek"].mean(), runs["budget_msek"].mean()
        cost = f"{used / extra:.0f} ({budgeted / extra:.0f})" if extra > 0 and budgeted > 0 else (
            "no gain" if budgeted > 0 else "–")
        print(f"| `{path.stem}` | {budgeted:.0f} | {used:.0f} | " + " | ".join(cells) + f" | {cost} |")


if __name__ == "__main__":
    main()

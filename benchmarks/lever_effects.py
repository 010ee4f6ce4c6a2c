"""Measure each lever's and portfolio's effect against the baseline: the table in docs/levers.md.

Paired differences over 40 replications on common random numbers (the baseline's root seed), at the end
of the run, as mean ± half the 95 % interval, and MSEK per extra adoption. Prints the Markdown table.

    python benchmarks/lever_effects.py [--reps 40] [--workers N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from model.compare import compare

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [("final_adoption", "Δ final adoption"), ("pilot_to_scale_rate", "Δ pilot-to-scale rate"),
           ("adoption_small", "Δ adoption < 10k"), ("gap_small_large", "Δ gap small–large"),
           ("share_no_adoption", "Δ share with no adoption")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    scenarios = sorted(str(p) for p in (ROOT / "scenarios").glob("lever_*.yaml"))
    scenarios += [str(ROOT / "scenarios" / f"portfolio_{name}.yaml")
                  for name in ("status_quo", "sustaingov", "equality_first", "scale_up", "infrastructure_first")]
    with tempfile.TemporaryDirectory() as tmp:
        table, _ = compare(scenarios, str(ROOT / "scenarios" / "baseline.yaml"), Path(tmp), args.reps, None,
                           args.workers, progress=False)
    row = table.set_index(["scenario", "outcome"])
    base = row.loc["baseline"]
    print("baseline: " + ", ".join(f"{o} {base.loc[o, 'mean']:.3f}" for o, _ in COLUMNS))
    print("| scenario | MSEK in all | " + " | ".join(label for _, label in COLUMNS) + " | MSEK per extra adoption |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    for name in dict.fromkeys(table.scenario):
        if name == "baseline":
            continue
        r = row.loc[name]
        cells = []
        for outcome, _ in COLUMNS:
            d, low, high = r.loc[outcome, ["diff_vs_baseline", "diff_ci95_low", "diff_ci95_high"]]
            cells.append(f"{d:+.3f} ± {(high - low) / 2:.3f}".replace("-", "−"))
        cost = r.loc["cost_per_extra_adoption_msek", "mean"]
        spend = r.loc["spend_msek", "mean"]
        print(f"| `{name}` | {spend:.0f} | " + " | ".join(cells) + f" | {'no gain' if cost != cost else f'{cost:.0f}'} |")


if __name__ == "__main__":
    main()

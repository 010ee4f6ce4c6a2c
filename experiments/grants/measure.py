"""Why pilot and scale-up grants did (not) work in the calibrated world (issue 20, the grants' application
overhead): paired runs on common random numbers, 40 replications of the full scenarios (2026-2035) against
scenarios/baseline.yaml, each lever with the application overhead it had before (0.05 MSEK from own money and
0.05 capacity units for a quarter per application) and as booked now (people's time only, the Target
defaults). Usage: python experiments/grants/measure.py [reps] [horizon_years] > experiments/grants/measure.txt
(shipped: 40 reps at the scenarios' ten years, measure.txt, and at six, measure_6y.txt)"""

import sys

import numpy as np

import model
from model.runner import replication_seed

SEED = 20261123
BASE = model.load_scenario("scenarios/baseline.yaml")
BEFORE = {"application_overhead_msek": 0.05, "application_overhead_capacity": 0.05}
KEYS = ("final_adoption", "pilot_to_scale_rate", "adoptions_final", "pilots_started", "pilots_scaled",
        "money_blocked_pilot_starts", "pilots_stalled_no_money")


def variant(name: str, overhead: dict | None, **fields) -> model.Scenario:
    """Lever scenario ``name`` with its target's overhead set to ``overhead`` (None: as shipped now) and its
    lever's ``fields`` changed."""
    scenario = model.load_scenario(f"scenarios/{name}.yaml")
    levers = scenario.model_dump(mode="python")["levers"]
    for lever in levers:
        lever["target"] = {**lever["target"], **(overhead or {})}  # used only by calls (by: application)
        if lever["type"] in ("pilot_grants", "scale_up_grants"):
            lever.update(fields)
    return model.with_overrides(scenario, {"levers": levers})


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    horizon = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    seeds = [replication_seed(SEED, r) for r in range(reps)]
    base_scenario = model.with_overrides(BASE, {"horizon_years": horizon})
    base = [model.run(base_scenario, s).summary for s in seeds]
    print(f"{reps} paired replications, calibrated world (shipped defaults), {horizon} years from 2026, "
          "against baseline.yaml")
    print("mean (standard error) of the paired difference; MSEK per extra adoption = lever money used / "
          "extra adoptions (organisation-innovation pairs at the horizon)")
    for name in ("lever_pilot_grants", "lever_scale_up_grants", "portfolio_status_quo", "portfolio_scale_up"):
        for label, overhead, fields in (("before: 0.05 MSEK + 0.05 cap", BEFORE, {}), ("after: time only", None, {}),
                                        ("after, selection: need", None, {"selection": "need"})):
            scenario = model.with_overrides(variant(name, overhead, **fields), {"horizon_years": horizon})
            runs = [model.run(scenario, s) for s in seeds]
            line = [f"{name:22s} {label:30s}"]
            for key in KEYS:
                d = np.array([o.summary[key] - b[key] for o, b in zip(runs, base)])
                line.append(f"d{key} {d.mean():+.4g} ({d.std(ddof=1) / np.sqrt(reps):.2g})")
            used = np.mean([o.lever_usage.used_msek.sum() for o in runs])
            gain = np.array([o.summary["adoptions_final"] - b["adoptions_final"] for o, b in zip(runs, base)])
            extra, se = gain.mean(), gain.std(ddof=1) / np.sqrt(reps)
            apps = np.mean([o.lever_usage.applications.sum() for o in runs])
            per = f"{used / extra:.0f}" if extra > 2 * se else "- (no gain above 2 se)"
            line.append(f"used {used:.0f} MSEK; applications {apps:.0f}; MSEK per extra adoption {per}")
            print("\n  ".join(line), flush=True)


if __name__ == "__main__":
    main()

"""Paired measurements for issue 20 point 1 (one economy): funding levers, events, own money, mandate
compliance, on the calibrated world (shipped defaults, the point), 40 replications on common random numbers
against scenarios/baseline.yaml. Usage: python experiments/economy/measure.py OUT.csv [reps] [names...]"""

import sys
import time

import numpy as np
import pandas as pd

import model
from model.runner import replication_seed
from model.stages import ADOPTED
from model.world.organisations import MUNICIPALITY

SEED = 20261123
BASE = model.load_scenario("scenarios/baseline.yaml")
SCENARIOS = {
    "baseline": BASE,
    "own_money_x10": model.with_overrides(BASE, {"parameters.slack_msek_per_10k": 10.0}),
    "own_money_0.3": model.with_overrides(BASE, {"parameters.slack_msek_per_10k": 0.3}),
    "own_money_+200msek": model.with_overrides(BASE, {"parameters.slack_msek_per_10k": 1.0 + 200 / 2185.942}),
    "own_money_3": model.with_overrides(BASE, {"parameters.slack_msek_per_10k": 3.0}),
    "portfolio_status_quo": model.load_scenario("scenarios/portfolio_status_quo.yaml"),
    "portfolio_scale_up": model.load_scenario("scenarios/portfolio_scale_up.yaml"),
    "lever_pilot_grants": model.load_scenario("scenarios/lever_pilot_grants.yaml"),
    "lever_scale_up_grants": model.load_scenario("scenarios/lever_scale_up_grants.yaml"),
    "lever_small_actor_grants": model.load_scenario("scenarios/lever_small_actor_grants.yaml"),
    "event_mandate": model.load_scenario("scenarios/event_mandate.yaml"),
    "event_earmarked_grant": model.load_scenario("scenarios/event_earmarked_grant.yaml"),
    "event_crisis": model.load_scenario("scenarios/event_crisis.yaml"),
}
mandate = model.load_scenario("scenarios/event_mandate.yaml")
ev = mandate.model_dump(mode="python")["events"]
SCENARIOS["event_target_0.5"] = model.with_overrides(mandate, {"events": [{**ev[0], "pressure": 0.5}]})
SCENARIOS["event_target_0.5_unfunded"] = model.with_overrides(
    mandate, {"events": [{**ev[0], "pressure": 0.5, "funded": False}]})


def row(name, r, out):
    s = out.summary
    j = 0  # digital_home_care
    muni = out.orgs.kind == MUNICIPALITY
    deadline = 4 * (2030 + 1 - 2026)
    h = out.stage_history
    comp = float((h[min(deadline, len(h) - 1)][muni, j] == ADOPTED).mean())
    comp_end = float((h[-1][muni, j] == ADOPTED).mean())
    keys = ["final_adoption", "adoptions_final", "spend_msek", "budget_msek", "pilots_started", "pilots_scaled",
            "pilots_stalled", "pilots_stalled_no_money", "adoptions_lost_no_money", "pilots_funded"]
    extra = [k for k in s if k.startswith(("waiting_", "money_", "state_", "mandate_"))]
    d = {"scenario": name, "rep": r, "compliance_2030": comp, "dhc_muni_end": comp_end}
    for k in keys + extra:
        d[k] = float(s[k]) if k in s else np.nan
    return d


def main():
    out_path = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    names = sys.argv[3:] or list(SCENARIOS)
    rows = []
    for name in names:
        t0 = time.time()
        for r in range(reps):
            rows.append(row(name, r, model.run(SCENARIOS[name], replication_seed(SEED, r))))
        print(name, f"{time.time() - t0:.0f}s", flush=True)
        pd.DataFrame(rows).to_csv(out_path, index=False)


if __name__ == "__main__":
    main()

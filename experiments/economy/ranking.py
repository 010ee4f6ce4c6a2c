"""Does the ranking of money levers against capacity levers switch with own money (issue 20)? Paired
effects (40 replications, common random numbers) of single levers in worlds with slack_msek_per_10k 0.3, 1
and 3, with flexible_staff_share 0 (own money only pays costs, as before issue 20; the shipped lever files
set small_actor_grants' staff_share 0.5 themselves) and 0.5 (after). Usage: python ranking.py [reps]"""

import sys

import numpy as np

import model
from model.runner import replication_seed

SEED = 20261123
LEVERS = ["lever_small_actor_grants", "lever_pilot_grants", "lever_scale_up_grants", "lever_training_networks",
          "lever_change_teams", "lever_peer_review", "portfolio_status_quo"]


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    base = model.load_scenario("scenarios/baseline.yaml")
    for share in (0.0, 0.5):
        for slack in (0.3, 1.0, 3.0):
            over = {"parameters.slack_msek_per_10k": slack, "parameters.flexible_staff_share": share}
            seeds = [replication_seed(SEED, r) for r in range(reps)]
            b = np.array([model.run(model.with_overrides(base, over), s).summary["adoptions_final"] for s in seeds])
            rows = []
            for name in LEVERS:
                sc = model.with_overrides(model.load_scenario(f"scenarios/{name}.yaml"), over)
                out = [model.run(sc, s).summary for s in seeds]
                extra = np.array([o["adoptions_final"] for o in out]) - b
                spend = np.mean([o["spend_msek"] for o in out])
                rows.append((name, extra.mean(), 1.96 * extra.std(ddof=1) / np.sqrt(reps), spend))
            rows.sort(key=lambda r: -(r[1] / r[3]) if r[1] > 0 else float("inf"))
            print(f"share {share} slack {slack}: " + "; ".join(
                f"{n.replace('lever_', '')} {e:+.1f}±{h:.1f} ({s / e:.0f})" if e > 0 else
                f"{n.replace('lever_', '')} {e:+.1f}±{h:.1f} (-)" for n, e, h, s in rows), flush=True)


if __name__ == "__main__":
    main()

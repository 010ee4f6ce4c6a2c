"""Compliance with a mandate against development capacity and own money in the calibrated world (shipped
defaults), 40 paired replications: share of municipalities with digital home care at the end of the
deadline year (2030) of scenarios/event_mandate.yaml, as a funded law and as an unfunded national target
(pressure 0.5). Usage: python experiments/economy/compliance.py"""

import numpy as np

import model
from model.runner import replication_seed
from model.stages import ADOPTED
from model.world.organisations import MUNICIPALITY

law = model.load_scenario("scenarios/event_mandate.yaml")
event = law.model_dump(mode="python")["events"][0]
target = model.with_overrides(law, {"events": [{**event, "pressure": 0.5, "funded": False}]})
none = model.load_scenario("scenarios/baseline.yaml")
capacity = float(law.parameters.capacity_scale)
seeds = [replication_seed(20261123, r) for r in range(40)]


def compliance(s):
    out = [model.run(s, seed) for seed in seeds]
    return np.array([(o.stage_history[20][o.orgs.kind == MUNICIPALITY, 0] == ADOPTED).mean() for o in out])


for label, over in [("capacity x0.5", {"parameters.capacity_scale": 0.5 * capacity}), ("shipped", {}),
                    ("capacity x1.2", {"parameters.capacity_scale": 1.2 * capacity}),
                    ("own money x0.3", {"parameters.slack_msek_per_10k": 0.3}),
                    ("own money x3", {"parameters.slack_msek_per_10k": 3.0})]:
    row = [compliance(model.with_overrides(s, over)) for s in (none, target, law)]
    print(f"{label:15s} no mandate {row[0].mean():.3f}  national target {row[1].mean():.3f}  "
          f"funded law {row[2].mean():.3f} (max {row[2].max():.3f})")

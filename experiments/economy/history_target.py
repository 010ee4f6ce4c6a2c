"""The safety-alarm target (scenarios/history_welfare_technology.yaml, event trygghetslarm_2016) against the
record: share of municipalities whose alarms are all digital at the end of 2013-2018, 40 replications.
Usage: python experiments/economy/history_target.py [pressure ...]"""
import sys, numpy as np, model
from model.runner import replication_seed
from model.stages import ADOPTED, PILOTING
from model.world.organisations import MUNICIPALITY
s = model.load_scenario("scenarios/history_welfare_technology.yaml")
names = [i.name for i in s.innovations]
j = names.index("trygghetslarm_enbart_digitala")
pressures = [float(a) for a in sys.argv[1:]] or [None]
for pr in pressures:
    sc = s
    if pr is not None:
        ev = s.model_dump(mode="python")["events"]
        ev[0]["pressure"] = pr
        sc = model.with_overrides(s, {"events": ev})
    rows = []
    for r in range(40):
        o = model.run(sc, replication_seed(20261123, r))
        mu = o.orgs.kind == MUNICIPALITY
        # quarter boundaries: end of 2014, 2015, 2016, 2018 (start 2010)
        rows.append([(o.stage_history[4 * (y + 1 - 2010)][mu, j] == ADOPTED).mean() for y in (2013, 2014, 2015, 2016, 2018)]
                    + [o.summary["final_adoption"], o.summary.get("spend_msek", 0)])
    print("pressure", pr if pr is not None else "shipped", "safety alarms all digital, end of 2013/2014/2015/2016/2018:",
          np.round(np.mean(rows, 0)[:5], 3), "final adoption", round(np.mean(rows, 0)[5], 4))

"""Paired differences against the baseline from measure.py's CSV: effect on final adoption (mean, 95 %
interval), extra adoptions, spend and cost per extra adoption. Usage: python experiments/economy/table.py CSV"""

import sys

import numpy as np
import pandas as pd

d = pd.read_csv(sys.argv[1])
base = d[d.scenario == "baseline"].set_index("rep")
rows = []
for name, g in d.groupby("scenario", sort=False):
    g = g.set_index("rep")
    reps = g.index.intersection(base.index)
    diff = g.loc[reps, "final_adoption"] - base.loc[reps, "final_adoption"]
    extra = g.loc[reps, "adoptions_final"] - base.loc[reps, "adoptions_final"]
    spend = g.loc[reps, "spend_msek"].mean()
    half = 1.96 * diff.std(ddof=1) / np.sqrt(len(reps)) if len(reps) > 1 else np.nan
    rows.append({"scenario": name, "n": len(reps), "effect": diff.mean(), "half95": half,
                 "extra_adoptions": extra.mean(), "spend_msek": spend,
                 "msek_per_extra": spend / extra.mean() if extra.mean() > 0 else np.nan,
                 "compliance_2030": g["compliance_2030"].mean(), "dhc_muni_end": g["dhc_muni_end"].mean(),
                 "stalled_no_money": g["pilots_stalled_no_money"].mean(),
                 **{c: g[c].mean() for c in g.columns if c.startswith(("waiting_", "money_", "state_"))}})
pd.set_option("display.width", 250)
print(pd.DataFrame(rows).round(4).to_string(index=False))

"""Golden outputs: what every shipped scenario and two small sensitivity experiments give for a fixed seed.

``python tests/golden/record.py`` rewrites ``tests/golden/golden.json``; ``tests/test_golden.py`` checks
that the code reproduces it bit for bit. Regenerate it only in a commit that changes the dynamics on
purpose, and say why in that commit's message.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden.json")
SEED = 7
#: small experiments: every factor kind the shipped ones use, a few hundred runs each
EXPERIMENTS = {
    "sobol": """
name: golden_sobol
scenario: {root}/scenarios/portfolio_sustaingov.yaml
overrides: {{horizon_years: 4}}
factors:
  - parameters.p_external
  - {{path: parameters.pilot_start_rate, bounds: [0.05, 0.4]}}
  - {{path: levers.peer_review.budget_msek_per_year, name: peer_review, bounds: [0, 20]}}
method: sobol
N: 8
replications: 2
seed: 11
outcomes: [final_adoption, gap_small_large, {{name: time_to_50_years, fill_nan: 4}}]
""",
    "morris": """
name: golden_morris
scenario: {root}/scenarios/baseline.yaml
overrides: {{horizon_years: 4}}
factors:
  - parameters.p_external
  - parameters.scale_base_logit
  - {{path: parameters.enthusiast_leave_rate, dist: triang, bounds: [0.02, 0.2, 0.3]}}
method: morris
N: 6
levels: 4
replications: 2
seed: 12
outcomes: [final_adoption, gini]
""",
}


def frame_digest(frame: pd.DataFrame) -> str:
    """sha256 of a frame written with every digit of every float."""
    text = frame.to_csv(index=False, float_format="%.17g", lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()


def _exact(value):
    return None if isinstance(value, float) and np.isnan(value) else float(value).hex()


def scenario_record(path: Path) -> dict:
    import model

    scenario = model.load_scenario(path)
    out = model.run(scenario, seed=SEED)
    return {
        "summary": {k: _exact(v) for k, v in sorted(out.summary.items())},
        "timeseries": frame_digest(out.timeseries),
        "municipalities": frame_digest(out.municipalities),
        "spend": frame_digest(out.spend),
        "stage_history": hashlib.sha256(np.ascontiguousarray(out.stage_history).tobytes()).hexdigest(),
    }


def experiment_record(kind: str) -> dict:
    from model.sensitivity import run_experiment

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"golden_{kind}.yaml"
        path.write_text(EXPERIMENTS[kind].format(root=ROOT))
        run_experiment(path, out=Path(tmp) / "out", workers=1, progress=False, plots=False)
        table = pd.read_csv(Path(tmp) / "out" / "indices.csv")
    return {"indices": frame_digest(table), "rows": len(table)}


def record() -> dict:
    scenarios = sorted((ROOT / "scenarios").glob("*.yaml"))
    return {
        "seed": SEED,
        "scenarios": {p.stem: scenario_record(p) for p in scenarios},
        "experiments": {kind: experiment_record(kind) for kind in EXPERIMENTS},
    }


if __name__ == "__main__":
    data = record()
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}: {len(data['scenarios'])} scenarios, {len(data['experiments'])} experiments",
          file=sys.stderr)

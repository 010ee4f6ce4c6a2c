"""Golden outputs: what every shipped scenario and two small sensitivity experiments give for a fixed seed.

``make golden`` (``python -m tests.golden.record``) rewrites the record from the current code;
``tests/test_golden.py`` checks that the code reproduces it (tests/golden/compare.py says how closely).
Regenerate it only in a commit that changes the dynamics on purpose, and say why in that commit's message.

The record is numbers, not digests, so a failure says what changed (about 0.3 MB in all):

- ``golden.json``: per scenario the summary (every scalar outcome; NaN as null), the spend table, the
  stage history's shape and the scenario's columns of each table; per experiment the indices table.
- ``timeseries.parquet``: per scenario, quarter and innovation (and "all") the overall aggregate series.
- ``municipalities.parquet``: per scenario the final state of each municipality (numbers and stages).
- ``stages.parquet``: per scenario the stage history (quarter, organisation, innovation) -> stage code,
  stored as the initial quarter plus every change, so a few thousand rows per scenario.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
GOLDEN = HERE / "golden.json"
TABLES = {name: HERE / f"{name}.parquet" for name in ("timeseries", "municipalities", "stages")}
SEED = 7
#: the row keys of each table besides "scenario" (what a failure names the differing row by)
KEYS = {
    "timeseries": ["step", "innovation"],
    "municipalities": ["code"],
    "spend": ["lever", "year"],
    "indices": ["outcome", "factor"],
}
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


def _number(value):
    """A summary value as JSON holds it: a float (repr round-trips every bit) or None for NaN."""
    value = float(value)
    return None if np.isnan(value) else value


def table_json(frame: pd.DataFrame) -> dict:
    """A small frame as JSON holds it, columns in order: {"columns": [...], "rows": [[...], ...]}; NaN as null."""
    cells = frame.astype(object).where(frame.notna(), None)
    return {"columns": list(frame.columns), "rows": cells.to_numpy().tolist()}


def json_table(data: dict) -> pd.DataFrame:
    """The inverse of ``table_json`` (null as NaN in number columns)."""
    return pd.DataFrame(data["rows"], columns=data["columns"]).fillna(np.nan).infer_objects()


def stage_changes(history: np.ndarray) -> pd.DataFrame:
    """(quarters, organisations, innovations) stage codes -> rows (quarter, org, innovation, stage) for the
    first quarter and every change after it."""
    changed = np.ones(history.shape, dtype=bool)
    changed[1:] = history[1:] != history[:-1]
    quarter, org, innovation = np.nonzero(changed)
    return pd.DataFrame({"quarter": quarter.astype("int16"), "org": org.astype("int16"),
                         "innovation": innovation.astype("int16"),
                         "stage": history[quarter, org, innovation].astype("int8")})


def stage_history(changes: pd.DataFrame, shape) -> np.ndarray:
    """The inverse of ``stage_changes``: the full int8 history of the given shape."""
    history = np.full(tuple(shape), -1, dtype=np.int16)
    history[changes["quarter"], changes["org"], changes["innovation"]] = changes["stage"]
    for q in range(1, history.shape[0]):  # carry each stage forward to the next change
        history[q] = np.where(history[q] < 0, history[q - 1], history[q])
    return history.astype(np.int8)


def run_scenario(path: Path) -> dict:
    """One run of a scenario at SEED, as the record keeps it: {"summary", "spend", "shape", "timeseries",
    "municipalities", "stages"} (the last three frames without a scenario column)."""
    import model

    out = model.run(model.load_scenario(path), seed=SEED)
    series = out.timeseries[out.timeseries["group_type"] == "overall"]
    series = series.drop(columns=["group_type", "group"]).reset_index(drop=True)
    municipalities = out.municipalities.drop(columns=["name", "county", "size_band", "skr_group"])
    return {
        "summary": {k: _number(v) for k, v in sorted(out.summary.items())},
        "spend": table_json(out.spend.astype({"year": int, "msek": float})),
        "shape": list(out.stage_history.shape),
        "timeseries": series,
        "municipalities": municipalities.reset_index(drop=True),
        "stages": stage_changes(out.stage_history),
    }


def run_experiment(kind: str) -> pd.DataFrame:
    """The indices table of one of EXPERIMENTS (a few hundred runs on one worker)."""
    from model.sensitivity import run_experiment as run

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"golden_{kind}.yaml"
        path.write_text(EXPERIMENTS[kind].format(root=ROOT))
        run(path, out=Path(tmp) / "out", workers=1, progress=False, plots=False)
        return pd.read_csv(Path(tmp) / "out" / "indices.csv")


def shipped_scenarios() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml"))


def load() -> tuple[dict, dict[str, pd.DataFrame]]:
    """The record: (golden.json as a dict, {table name: frame with a "scenario" column})."""
    return json.loads(GOLDEN.read_text()), {name: pd.read_parquet(path) for name, path in TABLES.items()}


def record() -> tuple[dict, dict[str, pd.DataFrame]]:
    """Run everything and return the record in the shape ``load`` gives."""
    data = {"seed": SEED, "scenarios": {}, "experiments": {}}
    tables = {name: [] for name in TABLES}
    for path in shipped_scenarios():
        got = run_scenario(path)
        data["scenarios"][path.stem] = {k: got[k] for k in ("summary", "spend", "shape")}
        # the tables hold every scenario's columns; these are this scenario's (its innovations differ)
        data["scenarios"][path.stem]["columns"] = {name: list(got[name].columns) for name in TABLES}
        for name in TABLES:
            tables[name].append(got[name].assign(scenario=path.stem))
        print(f"  {path.stem}", file=sys.stderr)
    for kind in EXPERIMENTS:
        data["experiments"][kind] = {"indices": table_json(run_experiment(kind))}
        print(f"  experiment {kind}", file=sys.stderr)
    frames = {}
    for name, parts in tables.items():
        frame = pd.concat(parts, ignore_index=True)
        frames[name] = frame[["scenario", *[c for c in frame.columns if c != "scenario"]]]
    return data, frames


def write(data: dict, frames: dict[str, pd.DataFrame]) -> None:
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n")
    for name, frame in frames.items():
        frame.to_parquet(TABLES[name], index=False, compression="zstd")


if __name__ == "__main__":
    print("recording golden outputs (seed 7) ...", file=sys.stderr)
    data, frames = record()
    write(data, frames)
    size = sum(p.stat().st_size for p in [GOLDEN, *TABLES.values()])
    print(f"wrote {GOLDEN.parent}: {len(data['scenarios'])} scenarios, {len(data['experiments'])} experiments, "
          f"{size / 1e6:.2f} MB", file=sys.stderr)

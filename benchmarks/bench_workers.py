"""Replications on 1 and on 2 worker processes, pool start-up included, measured in one run.

    python benchmarks/bench_workers.py

Prints the rate (runs per second) of ``model.replicate`` and of the whole ``spridning run --reps 40``
command (warm: the compiled code is cached), and the ratio 2 workers ÷ 1 worker. Small jobs choose one
worker by themselves (``model.runner.POOL_WORTH_SECONDS``), so their ratio is about 1.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import model

ROOT = Path(__file__).resolve().parent.parent
JOBS = (("baseline", 40), ("baseline", 400), ("portfolio_sustaingov", 40), ("portfolio_sustaingov", 400))


def rate(scenario, reps: int, workers: int) -> float:
    start = time.perf_counter()
    model.replicate(scenario, replications=reps, seed=1, workers=workers)
    return reps / (time.perf_counter() - start)


def command_seconds(workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "model", "run", str(ROOT / "scenarios/baseline.yaml"), "--reps", "40",
                        "--workers", str(workers), "--quiet", "--out", str(Path(tmp) / "r")], check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    model.run(model.load_scenario(ROOT / "scenarios/baseline.yaml"), seed=0)  # compile or load once
    print(f"{'scenario':24s} {'reps':>5s} {'1 worker':>12s} {'2 workers':>12s} {'ratio':>6s}")
    for name, reps in JOBS:
        scenario = model.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        one, two = rate(scenario, reps, 1), rate(scenario, reps, 2)
        print(f"{name:24s} {reps:5d} {one:9.0f} r/s {two:9.0f} r/s {two / one:6.2f}")
    one, two = command_seconds(1), command_seconds(2)
    print(f"spridning run baseline --reps 40 (whole command, charts included): {one:.2f} s on 1 worker, "
          f"{two:.2f} s on 2 workers")


if __name__ == "__main__":
    main()

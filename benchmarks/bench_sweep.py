"""Speed and memory of sensitivity sweeps. Prints figures only (no pass/fail).

1. The shipped Sobol' experiment (``experiments/sobol_main.yaml``) at a reduced N, 1 replication:
   - single runs: ``model.run()`` called directly at the sweep's own sample points, in this process;
   - the sweep on one worker (in this process) and on all cores (local processes);
   - runs per second, the sweep's time per run against the single-run time (a run inside a sweep must not
     be slower), and parallel efficiency = rate_all / (cores x rate_one).
2. Peak memory (maximum resident set size) of sweeps of the cheap Ishigami function, each in a fresh
   process: the same sample with 1 and 32 replications. Results stream to disk, so the peak should hardly
   grow with the number of runs (the sample itself, and SALib's bootstrap, grow with N).

    python benchmarks/bench_sweep.py [--n 16] [--memory-n 8192] [--memory-reps 1 32] [--skip-memory] [--skip-model]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOBOL = ROOT / "experiments" / "sobol_main.yaml"


def reduced_sobol(tmp: Path, n: int) -> Path:
    data = yaml.safe_load(SOBOL.read_text(encoding="utf-8"))
    data.update({"N": n, "replications": 1, "scenario": str(ROOT / "scenarios" / "baseline.yaml")})
    path = tmp / "sobol_bench.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def single_runs(plan, values, limit: int) -> float:
    """Seconds per direct ``model.run()`` at the first ``limit`` sample points (same seed as the sweep)."""
    from model.runner import run
    from model.scenario import with_overrides
    from model.sensitivity.evaluate import fresh, plan_seeds

    seed = plan_seeds(plan)[0]
    scenarios = []
    for row in values[:limit]:
        overrides = {f.path: (int(round(v)) if f.integer else float(v)) for f, v in zip(plan.factors, row)}
        scenarios.append(with_overrides(plan.scenario, overrides))
    run(scenarios[0], fresh(seed))  # warm caches
    start = time.perf_counter()
    for scenario in scenarios:
        run(scenario, fresh(seed))
    return (time.perf_counter() - start) / len(scenarios)


def sweep_evaluations(plan, values, limit: int) -> float:
    """Seconds per run as a sweep's worker makes it: ``evaluate(row, seed)`` builds the scenario from the
    sample row and runs it (chunk bookkeeping and writing to Parquet are not included)."""
    from model.sensitivity.evaluate import evaluator, make_job, plan_seeds

    job = make_job(plan, "bench")
    evaluate = evaluator(job)
    seed = plan_seeds(plan)[0]
    evaluate(values[0], seed)  # warm caches
    start = time.perf_counter()
    for row in values[:limit]:
        evaluate(row, seed)
    return (time.perf_counter() - start) / limit


def sweep_rate(experiment: Path, workers: int, out: Path) -> tuple[float, int]:
    from model.sensitivity import run_experiment

    result = run_experiment(experiment, out, workers=workers, progress=False, plots=False)
    return result.stats.rate, result.stats.n_runs


def model_benchmark(n: int) -> None:
    from model.sensitivity import load_experiment

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        experiment = reduced_sobol(tmp, n)
        plan = load_experiment(experiment)
        X, _ = plan.sample()
        values = plan.model_inputs(X)
        points = values.shape[0]
        print(f"Sobol' experiment {SOBOL.name} at N={n}, 1 replication: {len(plan.factors)} factors, "
              f"{points} runs per sweep, {plan.scenario.horizon_years}-year horizon")
        single = single_runs(plan, values, points)
        in_sweep = sweep_evaluations(plan, values, points)
        rate_one, runs = sweep_rate(experiment, 1, tmp / "one")
        rate_all, _ = sweep_rate(experiment, cores, tmp / "all")
    print(f"  single run, model.run() at the same points:  {single * 1e3:8.2f} ms/run  ({1 / single:7.1f} runs/s)")
    print(f"  one run as the sweep makes it (scenario built from the sample row, then run): "
          f"{in_sweep * 1e3:.2f} ms/run = {in_sweep / single:.2f} x single-run time")
    print(f"  sweep, 1 worker (in process):               {1e3 / rate_one:8.2f} ms/run  ({rate_one:7.1f} runs/s)"
          f"  = {(1 / rate_one) / single:.2f} x single-run time")
    print(f"  sweep, {cores} workers (local processes):       {1e3 / rate_all:8.2f} ms/run  ({rate_all:7.1f} runs/s)")
    print(f"  parallel efficiency rate_all / (cores x rate_one) = {rate_all / (cores * rate_one):.2f} "
          f"on {cores} cores")


MEMORY_CHILD = """
import json, resource, sys, time
from pathlib import Path
import yaml

def peak_mb(who=resource.RUSAGE_SELF):
    # VmHWM is this process's own peak (ru_maxrss also counts what a parent held when it forked this one)
    if who == resource.RUSAGE_SELF:
        try:
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
    return resource.getrusage(who).ru_maxrss / 1024

n, reps, out, workers = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
from model.sensitivity import load_experiment
from model.sensitivity.analysis import analyse
from model.sensitivity.sweep import execute, read_runs
exp = {"model": "model.sensitivity.testfunctions:ishigami", "method": "sobol", "N": n, "seed": 1, "replications": reps,
       "factors": [{"path": f"x{i}", "bounds": [-3.141592653589793, 3.141592653589793]} for i in (1, 2, 3)],
       "outcomes": ["y"]}
path = out.parent / f"ishigami_{n}_{reps}.yaml"
path.write_text(yaml.safe_dump(exp))
imported = peak_mb()
plan = load_experiment(path)
X, _ = plan.sample()
values = plan.model_inputs(X)
sampled = peak_mb()
start = time.perf_counter()
layout, _, stats, _ = execute(plan, X, values, out, workers, progress=False)
sweep = peak_mb()
seconds = time.perf_counter() - start
analyse(plan, X, read_runs(out, layout, ["y"]))
print(json.dumps({"runs": stats.n_runs, "chunks": stats.n_chunks, "rate": stats.rate, "seconds": seconds,
                  "imported_mb": imported, "sampled_mb": sampled, "sweep_mb": sweep, "analysis_mb": peak_mb(),
                  "worker_mb": peak_mb(resource.RUSAGE_CHILDREN)}))
"""


def memory_benchmark(n: int, replications: list[int]) -> None:
    cores = os.cpu_count() or 1
    print(f"Peak memory (max RSS) of Ishigami sweeps (Sobol', 3 factors, N={n}, {cores} workers), each in a "
          "fresh process; the same sample, more replications = more runs:")
    with tempfile.TemporaryDirectory() as tmp:
        for reps in replications:
            out = Path(tmp) / f"out_{reps}"
            proc = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(n), str(reps), str(out), str(cores)],
                                  capture_output=True, text=True, check=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"  {reps:>3} replications: {r['runs']:>8} runs in {r['chunks']:>3} chunks, {r['seconds']:5.1f} s "
                  f"({r['rate']:7.0f} runs/s)\n"
                  f"    main process: {r['imported_mb']:5.0f} MB after imports, {r['sampled_mb']:5.0f} MB with the "
                  f"sample drawn, {r['sweep_mb']:5.0f} MB after the sweep, {r['analysis_mb']:5.0f} MB after the "
                  f"analysis; largest worker {r['worker_mb']:5.0f} MB (forked from the "
                  "main process: counts the pages it shares with it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16, help="Sobol' N of the reduced experiment (default 16)")
    parser.add_argument("--memory-n", type=int, default=8192, help="Sobol' N of the Ishigami sweeps")
    parser.add_argument("--memory-reps", type=int, nargs="+", default=[1, 32],
                        help="replications of the Ishigami sweeps (runs = 5 N x replications)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args()
    if not args.skip_model:
        model_benchmark(args.n)
    if not args.skip_memory:
        memory_benchmark(args.memory_n, args.memory_reps)


if __name__ == "__main__":
    main()

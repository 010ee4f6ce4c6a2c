"""Speed and memory of sensitivity sweeps. Prints figures only (no pass/fail).

1. The shipped Sobol' experiment (``experiments/sobol_main.yaml``: 15 factors, 7 levers) at a reduced N
   with its own 4 replications:
   - direct runs: ``model.run()`` at the sweep's own sample points and seeds, in this process, the
     scenarios built beforehand (the reference: the model's own time);
   - the sweep (``execute``: chunks, workers, Parquet parts) on one worker (in this process) and on all
     cores (local processes, forked as ``spridning sensitivity`` forks them);
   - the sweep's time per run against the direct run (what the sweep adds), wall and CPU; parallel
     efficiency = rate_all / (cores x rate_one), beside the CPU per run on all workers against one, how
     busy the workers were and how idle the machine's cores (busy workers below 100 % with no idle core
     mean other processes on the machine had the CPU, not that the pool wasted it);
   - the fixed costs of a whole ``run_experiment`` outside its sweep (loading with the trial run; reading,
     analysis, tables, plots, manifest), measured at N=2;
   - the whole shipped experiment (17 408 runs) and a 100 000-run sweep of the same experiment
     *extrapolated* (not run) from the all-cores rate as measured and as it would be with the cores to
     itself (cores / CPU per run), plus the fixed costs and the analysis at the full N on synthetic
     outcomes, each beside its target (issue 21).
2. Peak memory (maximum resident set size) of sweeps of the cheap Ishigami function, each in a fresh
   process: the same sample with 1 and 32 replications. Results stream to disk, so the peak should hardly
   grow with the number of runs (the sample itself, and SALib's bootstrap, grow with N).

    python benchmarks/bench_sweep.py [--n 8] [--reps 4] [--memory-n 8192] [--memory-reps 1 32]
                                     [--skip-memory] [--skip-model]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
SOBOL = ROOT / "experiments" / "sobol_main.yaml"
#: runs and the seconds they may take on 2 cores (issue 21's goals)
TARGETS = {"sobol": (17_408, 60.0), "lever sweep": (100_000, 360.0)}


def reduced_sobol(tmp: Path, n: int, replications: int) -> Path:
    data = yaml.safe_load(SOBOL.read_text(encoding="utf-8"))
    data.update({"N": n, "replications": replications, "scenario": str(ROOT / "scenarios" / "baseline.yaml")})
    path = tmp / "sobol_bench.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def direct_runs(plan, values) -> tuple[float, float]:
    """Wall and CPU seconds per direct ``model.run()`` at every sample point and replication seed of the
    sweep (the scenarios are built before the clock starts), sharing the replications' life-cycle uniforms
    as the sweep's workers do (:mod:`model.dynamics.uniforms`)."""
    from model.dynamics.uniforms import STUDY_LIMIT_BYTES, share
    from model.runner import run
    from model.scenario import with_overrides
    from model.sensitivity.evaluate import fresh, plan_seeds

    seeds = plan_seeds(plan)
    scenarios = []
    for row in values:
        overrides = {f.path: (int(round(v)) if f.integer else float(v)) for f, v in zip(plan.factors, row)}
        scenarios.append(with_overrides(plan.scenario, overrides))
    share(STUDY_LIMIT_BYTES)
    run(scenarios[0], fresh(seeds[0]))  # warm caches
    start, cpu = time.perf_counter(), time.process_time()
    for scenario in scenarios:
        for seed in seeds:
            run(scenario, fresh(seed))
    n = len(scenarios) * len(seeds)
    return (time.perf_counter() - start) / n, (time.process_time() - cpu) / n


def _cpu_ticks() -> tuple[int, int]:
    """(all, idle) CPU ticks of the machine since boot (Linux; zeros elsewhere)."""
    try:
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    except OSError:
        return 0, 0
    return sum(fields), fields[3] + fields[4]


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def timed_sweep(plan, X, values, workers: int, out: Path) -> dict:
    """The sweep alone (``execute``: chunks, workers, Parquet parts) on ``workers``: rate, CPU seconds per
    run (this process and its workers), how busy the workers were and how idle the machine's cores."""
    from model.sensitivity.sweep import execute

    ticks0, cpu0 = _cpu_ticks(), _cpu_seconds()
    _, _, stats, _ = execute(plan, X, values, out, workers, progress=False)
    ticks1, cpu = _cpu_ticks(), _cpu_seconds() - cpu0
    all_ticks = ticks1[0] - ticks0[0]
    return {"rate": stats.rate, "runs": stats.n_runs, "workers": stats.workers, "cpu_per_run": cpu / stats.n_runs,
            "busy": cpu / (stats.seconds * stats.workers),
            "idle": (ticks1[1] - ticks0[1]) / all_ticks if all_ticks else float("nan")}


def fixed_costs(tmp: Path) -> tuple[float, float]:
    """Seconds of a whole ``run_experiment`` (plots included, as the command) outside its sweep: loading
    the experiment with its trial run, and everything after the sweep (reading the runs, analysis at a
    tiny N, tables, plots, manifest). Measured on the shipped experiment at N=2, 1 replication."""
    from model.sensitivity import load_experiment, run_experiment

    experiment = reduced_sobol(tmp, 2, 1)
    start = time.perf_counter()
    plan = load_experiment(experiment)
    loaded = time.perf_counter() - start
    result = run_experiment(plan, tmp / "fixed", workers=1, progress=False, plots=True)
    return loaded, time.perf_counter() - start - loaded - result.stats.seconds


def analysis_seconds(runs_wanted: int) -> tuple[float, int]:
    """Seconds to analyse (bootstrap included) the shipped experiment scaled to about ``runs_wanted`` runs,
    on synthetic outcomes (the analysis does not care where the numbers came from); and the N used."""
    from model.sensitivity import load_experiment
    from model.sensitivity.analysis import analyse

    plan = load_experiment(SOBOL, probe=False)
    per_n = (len(plan.factors) + 2) * plan.replications
    plan.experiment.N = max(2, round(runs_wanted / per_n))
    X, _ = plan.sample()
    n_runs = X.shape[0] * plan.replications
    rng = np.random.default_rng(1)
    run = np.arange(n_runs)
    runs = pd_frame(run, plan.replications, {o.name: rng.random(n_runs) for o in plan.outcomes})
    start = time.perf_counter()
    analyse(plan, X, runs)
    return time.perf_counter() - start, plan.experiment.N


def pd_frame(run: np.ndarray, replications: int, outcomes: dict):
    import pandas as pd

    return pd.DataFrame({"run": run, "point": run // replications, "replication": run % replications, **outcomes})


def sobol_figures(n: int, replications: int, say=print) -> dict:
    """The reduced Sobol' experiment measured (direct runs, the sweep on one worker and on all cores, the
    fixed costs), printed line by line through ``say``; returns the figures, with ``projected[name]``
    the seconds of each of :data:`TARGETS` extrapolated from the all-cores rate as measured."""
    from model.sensitivity import load_experiment

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        load_s, rest_s = fixed_costs(tmp)
        plan = load_experiment(reduced_sobol(tmp, n, replications))
        X, _ = plan.sample()
        values = plan.model_inputs(X)
        say(f"Sobol' experiment {SOBOL.name} at N={n}, {replications} replications: {len(plan.factors)} factors, "
            f"{values.shape[0] * replications} runs per sweep, {plan.scenario.horizon_years}-year horizon; "
            f"load average {os.getloadavg()[0]:.2f} at the start")
        direct, direct_cpu = direct_runs(plan, values)
        one = timed_sweep(plan, X, values, 1, tmp / "one")
        every = timed_sweep(plan, X, values, cores, tmp / "all")
    say(f"  direct model.run() at the same points and seeds: {direct * 1e3:8.2f} ms/run wall ({1 / direct:6.1f} "
        f"runs/s), {direct_cpu * 1e3:.2f} ms CPU")
    for label, r in (("1 worker (in process)", one), (f"{every['workers']} workers (local processes)", every)):
        say(f"  sweep, {label:28s} {1e3 / r['rate']:8.2f} ms/run wall ({r['rate']:6.1f} runs/s) = "
            f"{(1 / r['rate']) / direct:.2f} x direct; CPU {r['cpu_per_run'] * 1e3:.2f} ms/run = "
            f"{r['cpu_per_run'] / direct_cpu:.2f} x direct CPU; workers busy {r['busy']:.0%} of the time, "
            f"machine's cores idle {r['idle']:.0%}")
    efficiency = every["rate"] / (every["workers"] * one["rate"])
    say(f"  parallel efficiency rate_all / ({every['workers']} x rate_one) = {efficiency:.2f}; CPU per run on "
        f"{every['workers']} workers / in process = {every['cpu_per_run'] / one['cpu_per_run']:.2f} (load "
        f"average {os.getloadavg()[0]:.2f} at the end: workers busy < 100% with no idle core means other "
        "processes had the CPU)")
    say(f"  fixed costs: loading with the trial run {load_s:.1f} s; after the sweep (reading the runs, a small "
        f"analysis, tables, plots, manifest) {rest_s:.1f} s")
    rates = {"measured": every["rate"],
             "if the workers had their cores": every["workers"] / every["cpu_per_run"]}
    projected = {}
    for name, (runs, target) in TARGETS.items():
        analysis, n_full = analysis_seconds(runs)
        say(f"  EXTRAPOLATED {name}: {runs} runs (this experiment at N={n_full}) on {every['workers']} cores, "
            f"target {target:.0f} s (= {target / runs * every['workers'] * 1e3:.1f} ms of one core per run):")
        for how, rate in rates.items():
            seconds = load_s + runs / rate + analysis + rest_s
            projected.setdefault(name, seconds)
            say(f"    {how:32s} {seconds:6.0f} s = load {load_s:.1f} + runs {runs / rate:.0f} + analysis "
                f"at full N {analysis:.1f} + outputs {rest_s:.1f}")
    return {"direct": direct, "direct_cpu": direct_cpu, "one": one, "every": every, "load": load_s,
            "rest": rest_s, "projected": projected}


def model_benchmark(n: int, replications: int) -> None:
    sobol_figures(n, replications)


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
    parser.add_argument("--n", type=int, default=8, help="Sobol' N of the reduced experiment (default 8)")
    parser.add_argument("--reps", type=int, default=4, help="its replications (default 4, as shipped)")
    parser.add_argument("--memory-n", type=int, default=8192, help="Sobol' N of the Ishigami sweeps")
    parser.add_argument("--memory-reps", type=int, nargs="+", default=[1, 32],
                        help="replications of the Ishigami sweeps (runs = 5 N x replications)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args()
    if not args.skip_model:
        model_benchmark(args.n, args.reps)
    if not args.skip_memory:
        memory_benchmark(args.memory_n, args.memory_reps)


if __name__ == "__main__":
    main()

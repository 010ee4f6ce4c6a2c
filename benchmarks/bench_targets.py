"""Every speed target of the project, each printed beside its reference measured in the same run.

    python benchmarks/bench_targets.py [--repeats 20] [--skip-slow]

Prints, per target: the figure, the reference it is divided by (measured now, in this process or a
subprocess), the ratio or time, and the target. Nothing here is a test: figures vary with the machine's
load, so read them as measurements (the closing notes of the issues carry them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
PORTFOLIO = "portfolio_sustaingov"


def command_seconds(args: list[str], env: dict | None = None, repeats: int = 3) -> float:
    """Median wall seconds of a whole ``spridning`` command (a fresh process each time)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "model", *args], cwd=ROOT, check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(what: str, figure: str, target: str) -> None:
    print(f"  {what:58s} {figure:>26s}   target {target}")


def run_ratios(repeats: int) -> None:
    import model
    from bench_run import timed, virus_on_network

    baseline = model.load_scenario(SCENARIOS / "baseline.yaml")
    reference = timed(virus_on_network, repeats)
    base = timed(lambda s: model.run(baseline, seed=s), repeats)
    print("runs (median of repeats, one process)")
    line("virus_on_network, 290 nodes, degree 5, 40 steps (reference)", f"{reference * 1e3:.2f} ms", "-")
    line("baseline run / virus_on_network", f"{base * 1e3:.2f} ms = {base / reference:.3f}x", "<= 0.07x")
    for path in sorted(SCENARIOS.glob("lever_*.yaml")) + [SCENARIOS / f"{PORTFOLIO}.yaml"]:
        scenario = model.load_scenario(path)
        seconds = timed(lambda s: model.run(scenario, seed=s), repeats)
        target = "<= 1.5x" if path.stem == PORTFOLIO else "<= 1.3x"
        line(f"{path.stem} / baseline", f"{seconds * 1e3:.2f} ms = {seconds / base:.2f}x", target)


def worker_ratios() -> None:
    import model

    print("replications, 2 workers / 1 worker (rate, pool start-up included)")
    for name, reps in (("baseline", 400), (PORTFOLIO, 40)):
        scenario = model.load_scenario(SCENARIOS / f"{name}.yaml")
        rates = []
        for workers in (1, 2):
            start = time.perf_counter()
            model.replicate(scenario, replications=reps, seed=1, workers=workers)
            rates.append(reps / (time.perf_counter() - start))
        line(f"{name}, {reps} replications", f"{rates[0]:.0f} -> {rates[1]:.0f} r/s = {rates[1] / rates[0]:.2f}x",
             ">= 1.7x")


def command_times(tmp: Path) -> None:
    print("commands (wall seconds, warm: compiled code cached)")
    line("spridning --help", f"{command_seconds(['--help']):.2f} s", "<= 0.5 s")
    line("spridning validate scenarios/baseline.yaml",
         f"{command_seconds(['validate', 'scenarios/baseline.yaml']):.2f} s", "<= 0.5 s")
    seconds = command_seconds(["run", "scenarios/baseline.yaml", "--reps", "40", "--quiet", "--out",
                               str(tmp / "run40")], repeats=2)
    line("spridning run baseline --reps 40 (charts, report)", f"{seconds:.2f} s", "<= 3 s")


def first_compilation(tmp: Path, repeats: int = 3) -> None:
    """A first run with an empty numba cache (NUMBA_CACHE_DIR pointed at a new folder each time), the
    median of ``repeats``, with the CPU seconds it took (its own and its compiling child's, which run at
    the same time on two cores) and the load average before it: on a loaded machine the two cores are
    shared, and the wall time grows towards the CPU time or beyond."""
    code = ("import resource, time, model; s = model.load_scenario('scenarios/baseline.yaml'); "
            "t = time.perf_counter(); model.run(s, seed=1); wall = time.perf_counter() - t; "
            "cpu = sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF), "
            "resource.getrusage(resource.RUSAGE_CHILDREN))); print(wall, cpu)")

    def timed_run(cache: Path) -> tuple[float, float]:
        env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True).stdout.split()
        return float(out[0]), float(out[1])

    colds, cpus, loads = [], [], []
    for i in range(repeats):
        loads.append(os.getloadavg()[0])
        wall, cpu = timed_run(tmp / f"numba-cache-{i}")
        colds.append(wall)
        cpus.append(cpu)
    warm, _ = timed_run(tmp / "numba-cache-0")
    print(f"first run in a fresh environment (median of {repeats}; load average {min(loads):.1f}-{max(loads):.1f})")
    line("first run with an empty compile cache (then cached)",
         f"{statistics.median(colds):.1f} s (then {warm:.2f} s)", "<= 8 s")
    line("  its CPU seconds, all processes (each run)", " ".join(f"{c:.1f}" for c in cpus), "-")
    line("  its wall seconds (each run)", " ".join(f"{c:.1f}" for c in colds), "-")


def peak_memory(tmp: Path, reps: int) -> float:
    """Peak resident MB of the largest process of ``spridning run baseline --reps N`` (measured by a fresh
    parent, whose RUSAGE_CHILDREN covers only that command and its workers)."""
    command = [sys.executable, "-m", "model", "run", "scenarios/baseline.yaml", "--reps", str(reps), "--quiet",
               "--out", str(tmp / f"mem{reps}")]
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *command], cwd=ROOT, check=True, capture_output=True,
                         text=True)
    return int(out.stdout.strip()) / 1024


def memory(tmp: Path) -> None:
    print("memory (peak resident MB of the largest process)")
    small, large = peak_memory(tmp, 200), peak_memory(tmp, 2000)
    line("spridning run baseline --reps 200 -> --reps 2000", f"{small:.0f} -> {large:.0f} MB", "flat")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--skip-slow", action="store_true", help="skip first compilation and memory")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    tmp = Path(tempfile.mkdtemp(prefix="bench-targets-"))
    try:
        run_ratios(args.repeats)
        worker_ratios()
        command_times(tmp)
        if not args.skip_slow:
            first_compilation(tmp)
            memory(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("the shipped Sobol' experiment and a 44 000-run sweep: python benchmarks/bench_sweep.py")


if __name__ == "__main__":
    main()

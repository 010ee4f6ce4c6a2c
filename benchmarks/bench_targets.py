"""Every figure of the speed table (issue 21), each beside its goal and a reference measured in the same run.

    python benchmarks/bench_targets.py [--quick] [--repeats 15]

Prints one line per figure of the table: the figure, what it is measured against in this run (the baseline
run for lever runs; Mesa's ``virus_on_network`` example, 290 nodes, degree 5, 40 steps, for the baseline run
and the commands; the direct run for sweeps and calibration) and the goal. Lever runs are compared in CPU
time (``time.process_time``), the runs interleaved and the median of ``--repeats`` taken, so that other work
on the machine slows each alike; whole commands and first compilations are wall times of fresh processes.
The load average before and after is printed: read figures measured at a load above about 1 on two cores as
rough. ``--quick`` (for a loaded machine or a quick look) takes fewer repeats, a smaller sweep and
calibration and one first compilation, and skips peak memory. Nothing here is a test: speed is never
asserted (docs/performance.md carries the measured tables).
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
CALIBRATION = ROOT / "calibrations" / "welfare_technology.yaml"

#: the figures' goals (issue 21)
GOALS = {"portfolio": 1.3, "lever": 1.15, "sobol_point": 1.5, "baseline": 0.05, "sobol": 60.0,
         "sweep": 360.0, "calibration": 120.0, "run40": 2.0, "validate": 0.3, "first": 6.0}
CALIBRATION_RUNS = 20_000
CORES = 2


def line(what: str, figure: str, reference: str, goal: str) -> None:
    """One row of the table: the figure, its reference measured in this run, its goal."""
    print(f"  {what:52s} {figure:>16s}   {reference:36s} goal {goal}")


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def interleaved_cpu(functions: dict, repeats: int) -> dict[str, float]:
    """Median CPU seconds of each of ``functions`` (each takes a seed), after one warm-up call each; the
    functions take turns, so a change of the machine's load touches all alike."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for name, function in functions.items():
        function(0)
    for i in range(repeats):
        for name, function in functions.items():
            start = time.process_time()
            function(i + 1)
            times[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def sobol_point_scenario():
    """The baseline with the seven levers of ``experiments/sobol_main.yaml`` at the middle of their budget
    ranges, active all ten years (the levers' default), the mechanism parameters at their defaults."""
    from model.scenario import with_overrides
    from model.sensitivity import load_experiment

    plan = load_experiment(ROOT / "experiments" / "sobol_main.yaml", probe=False)
    middle = {f.path: (f.bounds[0] + f.bounds[1]) / 2 for f in plan.factors if f.path.startswith("levers.")}
    return with_overrides(plan.scenario, middle)


def run_ratios(repeats: int) -> None:
    """Lever runs ÷ the baseline run and the baseline run ÷ ``virus_on_network``."""
    import model
    from bench_floor import IDLE, STEPPED, floor_cases
    from bench_run import virus_on_network

    scenarios = {"baseline": model.load_scenario(SCENARIOS / "baseline.yaml")}
    for path in sorted(SCENARIOS.glob("lever_*.yaml")) + sorted(SCENARIOS.glob("portfolio_*.yaml")):
        scenarios[path.stem] = model.load_scenario(path)
    scenarios["sobol_point"] = sobol_point_scenario()
    functions = {name: (lambda s, sc=sc: model.run(sc, seed=s)) for name, sc in scenarios.items()}
    functions["virus_on_network"] = virus_on_network
    functions.update(floor_cases(scenarios["baseline"]))  # what stepping and an idle lever cost (bench_floor)
    cpu = interleaved_cpu(functions, repeats)
    base = cpu["baseline"]
    print(f"runs (CPU ms, median of {repeats}, interleaved, one process)")
    line("baseline run / virus_on_network", f"{base / cpu['virus_on_network']:.3f}x",
         f"{base * 1e3:.2f} / {cpu['virus_on_network'] * 1e3:.2f} ms", f"<= {GOALS['baseline']}x")
    line(f"{PORTFOLIO} / baseline run", f"{cpu[PORTFOLIO] / base:.2f}x",
         f"{cpu[PORTFOLIO] * 1e3:.2f} / {base * 1e3:.2f} ms", f"<= {GOALS['portfolio']}x")
    for name in scenarios:  # the other portfolios, as benchmarks/bench_levers.py prints them (no goal)
        if name.startswith("portfolio_") and name != PORTFOLIO:
            line(f"  {name} / baseline run", f"{cpu[name] / base:.2f}x", f"{cpu[name] * 1e3:.2f} ms", "none")
    levers = {name: cpu[name] / base for name in scenarios if name.startswith("lever_")}
    line("single levers / baseline run", f"{min(levers.values()):.2f}-{max(levers.values()):.2f}x",
         f"baseline {base * 1e3:.2f} ms", f"<= {GOALS['lever']}x")
    for name, ratio in levers.items():
        line(f"  {name}", f"{ratio:.2f}x", f"{cpu[name] * 1e3:.2f} ms", f"<= {GOALS['lever']}x")
    line("  floor: a lever that does nothing, every quarter", f"{cpu[IDLE] / base:.2f}x",
         f"stepped, no lever {cpu[STEPPED] / base:.2f}x", "none (benchmarks/bench_floor.py)")
    line("Sobol' point, seven levers all ten years / baseline", f"{cpu['sobol_point'] / base:.2f}x",
         f"{cpu['sobol_point'] * 1e3:.2f} / {base * 1e3:.2f} ms", f"<= {GOALS['sobol_point']}x")


def sweeps(n: int, reps: int) -> None:
    """The shipped Sobol' experiment and a 100 000-run sweep, extrapolated from a reduced sweep on all cores
    (benchmarks/bench_sweep.py prints the details with ``--verbose``)."""
    from bench_sweep import TARGETS, sobol_figures

    figures = sobol_figures(n, reps, say=lambda text: None)
    every, direct = figures["every"], figures["direct"]
    per_core = every["workers"] / every["rate"]  # seconds of one worker per run
    reference = f"{per_core * 1e3:.1f} ms/run/worker = {per_core / direct:.2f}x direct"
    print(f"sweeps (extrapolated from the shipped experiment at N={n}, {reps} replications, on "
          f"{every['workers']} workers; direct run {direct * 1e3:.2f} ms)")
    line(f"shipped Sobol' experiment, {TARGETS['sobol'][0]} runs", f"{figures['projected']['sobol']:.0f} s",
         reference, f"<= {GOALS['sobol']:.0f} s")
    line(f"{TARGETS['lever sweep'][0]}-run sweep with levers", f"{figures['projected']['lever sweep']:.0f} s",
         reference, f"<= {GOALS['sweep']:.0f} s")


def calibration(tmp: Path, runs: int, population: int | None = None) -> None:
    """A fit of the shipped calibration with a budget of ``runs`` runs (``population`` per generation; None:
    the calibration's own) on 2 workers, its time a run times 20 000; the reference is a direct run of the
    calibration's scenario. The full table fits with the budget of 20 000 runs itself (about 12 000 are
    run: the fit stops when the next generation would not fit), so the fit's fixed costs between
    generations weigh as in the real thing; a short fit (``--quick``) overstates them."""
    import model
    from bench_run import timed
    from model.calibrate.fit import fit
    from model.calibrate.plan import load_calibration

    plan = load_calibration(CALIBRATION).with_budget(runs=runs, **({"population": population} if population else {}))
    population = plan.calibration.budget.population
    direct = timed(lambda s: model.run(plan.scenario, seed=s), 5)
    result = fit(plan, tmp / "fit", workers=CORES, progress=False, say=lambda text: None)
    per_run = result.seconds / max(1, result.runs_computed)
    print(f"calibration ({result.runs_computed} runs of {population} per generation on {result.workers} workers, "
          f"{result.seconds:.1f} s; extrapolated)")
    line(f"calibration of {CALIBRATION_RUNS} runs", f"{per_run * CALIBRATION_RUNS / 60:.1f} min",
         f"{per_run * 1e3:.2f} ms/run = {per_run / direct:.2f}x direct", f"<= {GOALS['calibration'] / 60:.0f} min")


def command_seconds(args: list[str], env: dict | None = None, repeats: int = 3) -> float:
    """Median wall seconds of a whole ``spridning`` command (a fresh process each time), with Python's bytecode
    cached as on any install (``PYTHONDONTWRITEBYTECODE`` unset: with it, every module is compiled anew)."""
    env = dict(env or os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "model", *args], cwd=ROOT, check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def commands(tmp: Path, repeats: int) -> None:
    """Warm commands (compiled code cached), in wall seconds and in ``virus_on_network`` runs (measured just
    before, wall time: the machine's load slows both)."""
    from bench_run import timed, virus_on_network

    reference = timed(virus_on_network, 5)

    def ratio(seconds: float) -> str:
        return f"= {seconds / reference:.0f} virus_on_network ({reference * 1e3:.1f} ms)"

    print("commands (wall seconds, fresh processes, warm: compiled code cached)")
    command_seconds(["run", "scenarios/baseline.yaml", "--reps", "1", "--point", "--no-charts", "--quiet",
                     "--overwrite", "--out", str(tmp / "warm")], repeats=1)  # compiled code and bytecode cached
    validate = command_seconds(["validate", "scenarios/baseline.yaml"], repeats=max(3, repeats))
    run40 = command_seconds(["run", "scenarios/baseline.yaml", "--reps", "40", "--quiet", "--overwrite", "--out",
                             str(tmp / "run40")], repeats=max(1, repeats // 2))
    line("warm spridning run baseline --reps 40 (charts, report)", f"{run40:.2f} s", ratio(run40),
         f"<= {GOALS['run40']:.0f} s quiet")
    line("spridning validate scenarios/baseline.yaml", f"{validate:.2f} s", ratio(validate),
         f"<= {GOALS['validate']} s")


def first_compilation(tmp: Path, reference: float, repeats: int) -> None:
    """A first run with an empty numba cache (``NUMBA_CACHE_DIR`` a new folder each time) of the baseline and
    of the portfolio, the median of ``repeats`` each (interleaved), with the CPU seconds it took (its own and
    its compiling children's, on two cores at once), whether it said it was compiling (a line on stderr; the
    portfolio's also that it compiles the levers' code), and the same run again with the cache filled (which
    must say nothing)."""
    print(f"first run in a fresh environment (median of {repeats})")
    scenarios = {"baseline": ("compil",), PORTFOLIO: ("compiling the model's dynamics", "compiling the levers")}
    found: dict[str, list[tuple[float, float, str]]] = {name: [] for name in scenarios}
    for i in range(repeats):
        for name in scenarios:
            found[name].append(_first_run(name, tmp / f"numba-cache-{name}-{i}"))
    for name, must_say in scenarios.items():
        warm, _, warm_said = _first_run(name, tmp / f"numba-cache-{name}-0")
        cold = statistics.median(wall for wall, _, _ in found[name])
        said = all(all(m in s for m in must_say) for _, _, s in found[name]) and "compil" not in warm_said
        cpu = " ".join(f"{c:.1f}" for _, c, _ in found[name])
        line(f"first run, empty compile cache: {name}", f"{cold:.1f} s, {'announced' if said else 'NOT announced'}",
             f"CPU {cpu} s; = {cold / reference:.0f} virus; cached {warm:.2f} s",
             f"<= {GOALS['first']:.0f} s, announced" if name == "baseline" else "announced")


def _first_run(name: str, cache: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds (this process's and its children's) of ``model.run`` of scenario ``name`` with
    the compile cache in ``cache``, in a fresh process, and what it said on stderr."""
    code = (f"import resource, time, model; s = model.load_scenario('scenarios/{name}.yaml'); "
            "t = time.perf_counter(); model.run(s, seed=1); wall = time.perf_counter() - t; "
            "cpu = sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF), "
            "resource.getrusage(resource.RUSAGE_CHILDREN))); print(wall, cpu)")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    env.pop("SPRIDNING_ENVIRONMENT_SAID", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    out = done.stdout.split()
    return float(out[0]), float(out[1]), done.stderr.strip()


def peak_memory(tmp: Path, reps: int) -> float:
    """Peak resident MB of the largest process of ``spridning run baseline --reps N``."""
    command = [sys.executable, "-m", "model", "run", "scenarios/baseline.yaml", "--reps", str(reps),
               "--quiet", "--out", str(tmp / f"mem{reps}")]
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *command], cwd=ROOT, check=True, capture_output=True,
                         text=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sweep and calibration")
    parser.add_argument("--repeats", type=int, default=None, help="repeats of each run (default 15; quick 5)")
    parser.add_argument("--only", nargs="+", choices=["runs", "sweeps", "calibration", "commands", "first",
                                                       "memory"], help="measure only these groups")
    args = parser.parse_args()
    repeats = args.repeats or (5 if args.quick else 15)
    groups = set(args.only or ["runs", "sweeps", "calibration", "commands", "first"]
                 + ([] if args.quick else ["memory"]))
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]  # this checkout's model, not another
    tmp = Path(tempfile.mkdtemp(prefix="bench-targets-"))
    start = time.perf_counter()
    print(f"issue 21's table{' (quick)' if args.quick else ''}: {os.cpu_count()} cores, load average {load()} "
          "(1, 5, 15 min) at the start")
    try:
        from bench_run import timed, virus_on_network

        if "runs" in groups:
            run_ratios(repeats)
        if "sweeps" in groups:
            sweeps(4 if args.quick else 8, 4)
        if "calibration" in groups:
            calibration(tmp, *((200, 50) if args.quick else (CALIBRATION_RUNS,)))
        if "commands" in groups:
            commands(tmp, 2 if args.quick else 5)
        if "first" in groups:
            first_compilation(tmp, timed(virus_on_network, 5), 1 if args.quick else 3)
        if "memory" in groups:
            small, large = peak_memory(tmp, 200), peak_memory(tmp, 2000)
            print("memory (peak resident MB of the largest process)")
            line("spridning run baseline --reps 200 -> 2000", f"{small:.0f} -> {large:.0f} MB", "", "flat")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average {load()} at the end; {time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()

"""How far compiling the rest of the levers could take a run: the compiled part of today's runs (issue 21).

A run with levers spends its time in three places: building the run and collecting its outcomes (as a
baseline run does), compiled kernels (the quarter loop and the levers' kernels), and the Python between
them (the levers' books and targeting, calling the kernels). Moving every lever into one compiled call per
run, with the same draws and so the same work, would remove the Python and the kernels' entries (numba
unboxing their arguments at each call from Python), but not the kernels' own work. This prints, per
scenario (CPU-time medians, one process):

- *run*: ``model.run`` as users call it;
- *build* and *outcomes*: ``InnovationModel(...)`` and ``collect`` on their own;
- *compiled*: the time inside compiled kernels per run, from ``cProfile`` (its timer around each call of a
  compiled entry point or dispatcher, the entry's unboxing included);
- *entries*: what numba's entries cost of that: each kernel's calls per run times the cost of calling a
  compiled function that does nothing with the same arguments (measured here on the arguments of a real
  call);
- *floor* = build + outcomes + compiled - entries: the run with every lever compiled into the loop and
  kernels no faster than today; its ratio to the baseline run beside issue 21's goal for the scenario.

Figures only; speed is never asserted by a test.

    python benchmarks/bench_bound.py [--repeats 20] [SCENARIO ...]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import model  # noqa: E402
from bench_targets import GOALS, SCENARIOS, interleaved_cpu, sobol_point_scenario  # noqa: E402
from model.kernelcall import BoundKernel  # noqa: E402
from model.model import InnovationModel  # noqa: E402
from model.outcomes.collect import collect  # noqa: E402

DEFAULT = ["baseline", "sobol_point", "portfolio_sustaingov", "lever_peer_review", "lever_job_shadowing",
           "lever_learning_networks", "lever_pilot_grants", "lever_change_teams", "lever_training_networks"]


def scenario(name: str):
    return sobol_point_scenario() if name == "sobol_point" else model.load_scenario(SCENARIOS / f"{name}.yaml")


def _is_compiled_entry(key: tuple) -> bool:
    """A cProfile entry of a compiled kernel: a numba entry point ('<built-in method model.…>') or a
    dispatcher called directly (its Python function's file and name)."""
    filename, _, name = key
    if name.startswith("<built-in method model."):
        return True
    if "/model/" not in filename or filename.endswith("kernelcall.py"):
        return False
    module = sys.modules.get(_module_of(filename))
    return module is not None and type(getattr(module, name, None)).__name__ == "CPUDispatcher"


def _module_of(filename: str) -> str:
    parts = Path(filename).with_suffix("").parts
    return ".".join(parts[parts.index("model"):])


def compiled_ms(sc, runs: int) -> tuple[float, dict[str, float]]:
    """Milliseconds per run inside compiled kernels, and each kernel's calls per run (by name)."""
    profile = cProfile.Profile()
    profile.enable()
    for seed in range(runs):
        model.run(sc, seed=seed)
    profile.disable()
    inside, calls = 0.0, {}
    for key, (_, ncalls, tottime, _, _) in pstats.Stats(profile).stats.items():
        if _is_compiled_entry(key):
            inside += tottime
            name = _kernel_name(key)
            calls[name] = calls.get(name, 0.0) + ncalls / runs
    return inside / runs * 1e3, calls


def _kernel_name(key: tuple) -> str:
    """The full name (``model.levers.reviewers.quarter``) of the kernel of a compiled cProfile entry, called
    through its entry point or its dispatcher."""
    filename, _, name = key
    if name.startswith("<built-in method "):
        return name.removeprefix("<built-in method ").rstrip(">")
    return f"{_module_of(filename)}.{name}"


def entry_ms(sc, calls: dict[str, float]) -> float:
    """Milliseconds per run of numba's entries: for each kernel bound in a run (:class:`BoundKernel`), a
    compiled no-op with the same arguments, called from Python, times the kernel's calls per run."""
    from numba import njit

    seen: dict[str, tuple] = {}  # a bound kernel's full name: the arguments of its first call
    call = BoundKernel.__call__

    def capture(self, *args):
        seen.setdefault(f"{self.dispatcher.py_func.__module__}.{self.dispatcher.__name__}", args)
        return call(self, *args)

    BoundKernel.__call__ = capture
    try:
        model.run(sc, seed=0)
    finally:
        BoundKernel.__call__ = call
    total = 0.0
    for name, args in seen.items():
        nothing = njit(eval(f"lambda {', '.join(f'a{i}' for i in range(len(args)))}: 0"))  # noqa: S307
        nothing(*args)
        per_call = min(_timed(nothing, args) for _ in range(5))
        total += per_call * calls.get(name, 0.0)
    return total * 1e3


def _timed(function, args, n: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(n):
        function(*args)
    return (time.perf_counter() - start) / n


def goal(name: str) -> str:
    if name == "sobol_point":
        return f"<= {GOALS['sobol_point']}x"
    if name.startswith("portfolio_sustaingov"):
        return f"<= {GOALS['portfolio']}x"
    return f"<= {GOALS['lever']}x" if name.startswith("lever_") else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=DEFAULT)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    names = args.scenarios if "baseline" in args.scenarios else ["baseline", *args.scenarios]
    scenarios = {name: scenario(name) for name in names}
    run = interleaved_cpu({name: (lambda s, sc=sc: model.run(sc, seed=s)) for name, sc in scenarios.items()},
                          args.repeats)
    build = interleaved_cpu({name: (lambda s, sc=sc: InnovationModel(sc, seed=s)) for name, sc in scenarios.items()},
                            args.repeats)
    finished = {}
    for name, sc in scenarios.items():
        finished[name] = [InnovationModel(sc, seed=s) for s in range(args.repeats + 1)]
        for m in finished[name]:
            m.run_model()
    outcomes = interleaved_cpu({name: (lambda s, runs=runs: collect(runs[s])) for name, runs in finished.items()},
                               args.repeats)
    base = run["baseline"]
    print(f"CPU ms a run (medians of {args.repeats}, interleaved; compiled and entries from cProfile and no-op "
          f"calls)")
    print(f"{'scenario':28s} {'run':>7s} {'build':>6s} {'outc.':>6s} {'compiled':>8s} {'entries':>7s} "
          f"{'floor':>6s}   run / baseline   floor / baseline (goal)")
    for name, sc in scenarios.items():
        inside, calls = compiled_ms(sc, args.repeats)
        entries = entry_ms(sc, calls)
        floor = (build[name] + outcomes[name]) * 1e3 + inside - entries
        print(f"{name:28s} {run[name] * 1e3:7.2f} {build[name] * 1e3:6.2f} {outcomes[name] * 1e3:6.2f} "
              f"{inside:8.2f} {entries:7.2f} {floor:6.2f}   {run[name] / base:13.2f}x   "
              f"{floor / (base * 1e3):5.2f}x ({goal(name) or 'none'})")


if __name__ == "__main__":
    main()

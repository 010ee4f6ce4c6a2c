"""What the quarter-by-quarter path of a run with levers costs before any lever does anything (issue 21).

A run with levers lets them act in Python every quarter and then runs the quarter in one compiled call; a
run without levers runs all its quarters in one call. This prints, beside the baseline run (CPU-time
medians, interleaved rounds, one process; each run built, run and its outcomes collected as
``model.run`` does):

- *quarter by quarter*: the baseline run stepped one quarter at a time (``InnovationModel.step``: one
  compiled call per quarter, no lever);
- *a lever that does nothing*: ``scenarios/lever_procurement.yaml`` over all ten years with its ``step``
  replaced here by a no-op — the lever still receives its money and keeps its books every quarter
  (``Lever.act``), the effects are reset and the loop called each quarter, but nothing else happens;
- the shipped single levers' goal (1.15x) beside them.

The idle lever's line is the floor of any lever that acts every quarter of the run in this design: what a
lever's own decisions may add is the goal minus it. Figures only; speed is never asserted by a test.

    python benchmarks/bench_floor.py [--repeats 30]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import model
from model.levers.procurement import Procurement
from model.model import InnovationModel
from model.outcomes.collect import collect

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
LEVER_GOAL = 1.15


def run_whole(scenario, seed: int) -> None:
    """``model.run``: built, run to the horizon, outcomes collected."""
    m = InnovationModel(scenario, seed=seed)
    m.run_model()
    collect(m)


def run_quarter_by_quarter(scenario, seed: int) -> None:
    """As :func:`run_whole`, one quarter (one compiled call) at a time."""
    m = InnovationModel(scenario, seed=seed)
    for _ in range(m.n_steps):
        m.step()
    collect(m)


def run_idle_lever(scenario, seed: int) -> None:
    """As :func:`run_whole`, with procurement's step a no-op for this run (restored after)."""
    step = Procurement.step
    Procurement.step = lambda self, ctx, t, year, quarter, active: None
    try:
        run_whole(scenario, seed)
    finally:
        Procurement.step = step


#: the names of :func:`floor_cases`
STEPPED, IDLE = "quarter by quarter, no lever", "a lever that does nothing, every quarter"


def floor_cases(baseline) -> dict:
    """The two runs of the floor (the module docstring) as functions of a seed, for the ``baseline``
    scenario: :data:`STEPPED` and :data:`IDLE`."""
    procurement = model.load_scenario(SCENARIOS / "lever_procurement.yaml")
    lever = procurement.levers[0].model_dump(exclude_none=True)
    idle = model.with_overrides(procurement, {"levers": [{**lever, "duration_years": baseline.horizon_years}]})
    return {STEPPED: lambda s: run_quarter_by_quarter(baseline, s), IDLE: lambda s: run_idle_lever(idle, s)}


def main() -> None:
    from bench_targets import interleaved_cpu  # its figures' timing (bench_targets imports this module lazily)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs of each")
    args = parser.parse_args()
    baseline = model.load_scenario(SCENARIOS / "baseline.yaml")
    cases = {"baseline run": lambda s: run_whole(baseline, s), **floor_cases(baseline)}
    cpu = interleaved_cpu(cases, args.repeats)  # warmed, then in turns: load falls on all alike
    base = cpu["baseline run"]
    print(f"{'':44s} {'CPU ms':>7s} {'÷ baseline':>10s}")
    for name, seconds in cpu.items():
        print(f"{name:44s} {seconds * 1e3:7.2f} {seconds / base:9.2f}x")
    floor = cpu[IDLE] / base
    left = (LEVER_GOAL - floor) * base  # seconds a run
    print(f"a single lever's goal: {LEVER_GOAL:.2f}x; left for the lever's own work: {LEVER_GOAL - floor:+.2f}x "
          f"of a baseline run ({left * 1e3:.2f} ms, {left / baseline.steps * 1e6:.0f} µs a quarter over "
          f"{baseline.steps} quarters)")


if __name__ == "__main__":
    main()

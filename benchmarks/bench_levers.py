"""Time every lever and portfolio scenario against the baseline, measured in this process (issue 21).

Each ``scenarios/lever_*.yaml`` and ``scenarios/portfolio_*.yaml`` run (built and run to the horizon,
outcomes not collected) is timed beside ``scenarios/baseline.yaml`` in interleaved rounds, so load on the
machine falls on both alike; the figure is the ratio of median CPU times of this process (steadier than
wall-clock time on a shared machine; the wall-clock ratio is printed beside it). Goals (issue 21): a single lever at
most 1.15x the baseline, ``portfolio_sustaingov`` at most 1.3x. Prints figures only (speed is never
asserted by a test).

With ``--variants``, also the earmarked grant of ``scenarios/event_earmarked_grant.yaml`` and shipped levers
run another way (no goal): change teams and learning networks run by the regions (21 parts, each paying from
its region's own money), peer reviews chosen by a call.

    python benchmarks/bench_levers.py [--repeats 15] [--only sustaingov] [--variants]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import model
from model.model import InnovationModel

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
GOAL = {"portfolio_sustaingov": 1.3}  # others: single levers 1.15 (portfolios other than SustainGov: no goal)


def seconds(scenario, seed: int) -> tuple[float, float]:
    """CPU and wall-clock seconds of one run (construction and all quarters)."""
    cpu, wall = time.process_time(), time.perf_counter()
    InnovationModel(scenario, seed=seed).run_model()
    return time.process_time() - cpu, time.perf_counter() - wall


def variants() -> dict:
    """The scenarios ``--variants`` adds, by name."""
    def lever(name: str, **changes) -> dict:
        return {**model.load_scenario(SCENARIOS / f"{name}.yaml").levers[0].model_dump(exclude_none=True), **changes}

    def alone(lever_params: dict):
        return model.with_overrides(model.load_scenario(SCENARIOS / "baseline.yaml"), {"levers": [lever_params]})

    return {"event_earmarked_grant": model.load_scenario(SCENARIOS / "event_earmarked_grant.yaml"),
            "change_teams by the regions": alone(lever("lever_change_teams", operator="regions")),
            "learning_networks by the regions": alone(lever("lever_learning_networks", operator="regions")),
            "peer_review by a call": alone(lever("lever_peer_review", target={"by": "application"}))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs of each scenario")
    parser.add_argument("--only", default="", help="only scenarios whose name contains this")
    parser.add_argument("--variants", action="store_true", help="also an earmarked grant and levers run by the "
                                                                "regions or chosen by a call")
    args = parser.parse_args()
    paths = sorted(SCENARIOS.glob("lever_*.yaml")) + sorted(SCENARIOS.glob("portfolio_*.yaml"))
    paths = [p for p in paths if args.only in p.stem]
    scenarios = {p.stem: model.load_scenario(p) for p in [SCENARIOS / "baseline.yaml", *paths]}
    if args.variants:
        scenarios.update((name, scenario) for name, scenario in variants().items() if args.only in name)
    for scenario in scenarios.values():  # warm: compile, caches
        seconds(scenario, 0)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in scenarios}
    for r in range(args.repeats):  # interleaved rounds, common seeds
        for name, scenario in scenarios.items():
            times[name].append(seconds(scenario, r + 1))
    cpu = {name: statistics.median(t[0] for t in values) for name, values in times.items()}
    wall = {name: statistics.median(t[1] for t in values) for name, values in times.items()}
    print(f"{'scenario':32s} {'CPU ms':>7s} {'÷ baseline':>10s} {'goal':>6s} {'wall ms':>8s} {'÷ baseline':>10s}")
    for name in times:
        goal = GOAL.get(name, 1.15 if name.startswith("lever_") else None)
        goal_text = f"{goal:.2f}x" if goal and name != "baseline" else ""
        print(f"{name:32s} {cpu[name] * 1e3:7.1f} {cpu[name] / cpu['baseline']:9.2f}x {goal_text:>6s} "
              f"{wall[name] * 1e3:8.1f} {wall[name] / wall['baseline']:9.2f}x")


if __name__ == "__main__":
    main()

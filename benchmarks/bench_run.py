"""Time one 10-year baseline run against Mesa's own virus_on_network example (290 nodes, degree 5, 40 steps).

Both are measured in this process, so the ratio is meaningful on any machine. Prints figures only;
issue 11's target is a baseline run in at most 0.07 of the example's time (the example as the issue
measured it: 290 nodes, average degree 5, 40 steps).

    python benchmarks/bench_run.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

import mesa

import model
from model.model import InnovationModel

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def virus_on_network(seed: int) -> None:
    from mesa.examples.basic.virus_on_network.model import VirusOnNetwork

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = VirusOnNetwork(num_nodes=290, avg_node_degree=5, seed=seed)
        except TypeError:  # Mesa >= 3.4 takes rng instead of seed
            m = VirusOnNetwork(num_nodes=290, avg_node_degree=5, rng=seed)
    for _ in range(40):
        m.step()


def timed(fn, repeats: int) -> float:
    """Median seconds per call (after one warm-up call)."""
    fn(0)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i + 1)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    scenario = model.load_scenario(BASELINE)

    def with_agents(seed: int) -> None:
        m = InnovationModel(scenario, seed=seed)
        m.organisations  # noqa: B018 - register the Mesa agents too
        m.run_model()

    example = timed(virus_on_network, args.repeats)
    ours = timed(lambda s: model.run(scenario, seed=s), args.repeats)
    ours_agents = timed(with_agents, args.repeats)
    print(f"mesa {mesa.__version__}, {len(scenario.innovations)} innovations, {scenario.steps} quarters")
    print(f"virus_on_network (290 nodes, 40 steps):  {example * 1e3:7.2f} ms")
    print(f"baseline run, model.run() with outcomes: {ours * 1e3:7.2f} ms   ratio {ours / example:.3f}")
    print(f"baseline run with Mesa agents made:      {ours_agents * 1e3:7.2f} ms   ratio {ours_agents / example:.3f}")
    print("target ratio: <= 0.07")
    phases = breakdown(scenario, args.repeats)
    print("phases of one run (median ms): " + ", ".join(f"{k} {v * 1e3:.2f}" for k, v in phases.items()))


def breakdown(scenario, repeats: int) -> dict[str, float]:
    """Median seconds spent building the model, running its quarters and collecting outcomes."""
    from model.outcomes.collect import collect

    times: dict[str, list[float]] = {"build": [], "quarters": [], "outcomes": []}
    for seed in range(repeats):
        t0 = time.perf_counter()
        m = InnovationModel(scenario, seed=seed)
        t1 = time.perf_counter()
        m.run_model()
        t2 = time.perf_counter()
        collect(m)
        t3 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2)):
            times[key].append(value)
    return {key: statistics.median(values) for key, values in times.items()}


if __name__ == "__main__":
    main()

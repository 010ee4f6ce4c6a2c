"""Runs of a scenario that Linux ``perf`` can attribute to the compiled kernels (issue 21: where the time goes).

numba registers no symbols for the machine code it makes or loads from its cache, so ``perf record`` shows
the compiled part of a run as anonymous addresses. This script runs the scenario a few times (compiling or
loading every kernel it needs), writes ``/tmp/perf-<pid>.map`` — each compiled function's address, a size up
to the next one, and its module and name — which ``perf report`` reads for the process, then runs the
scenario ``RUNS`` times more. Functions numba inlined into a kernel count as that kernel. Prints the number
of functions mapped; measures nothing itself.

    perf record -F 2000 -o /tmp/perf.data python benchmarks/perf_map.py portfolio_sustaingov 5000
    perf report -i /tmp/perf.data --no-children --sort symbol -g none --stdio | head -40

``sobol_point`` as the scenario runs the Sobol' point of ``benchmarks/bench_targets.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import model  # noqa: E402

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
#: the largest size given to a function whose next neighbour is far away (another library)
LARGEST = 0x40000


def scenario_named(name: str):
    """``scenarios/<name>.yaml``, or the Sobol' point for ``sobol_point``."""
    if name == "sobol_point":
        from bench_targets import sobol_point_scenario

        return sobol_point_scenario()
    return model.load_scenario(SCENARIOS / f"{name}.yaml")


def compiled_functions() -> list[tuple[int, str]]:
    """(address, name) of every function defined in the machine code of the ``model`` package's compiled
    kernels loaded in this process, each once, by address."""
    from numba.core.registry import CPUDispatcher

    found = set()
    for module in list(sys.modules.values()):
        module_name = getattr(module, "__name__", "")
        if not module_name.startswith("model"):
            continue
        for name, kernel in list(vars(module).items()):
            if not isinstance(kernel, CPUDispatcher):
                continue
            for compiled in kernel.overloads.values():
                library = compiled.library
                found.add((library.get_pointer_to_function(compiled.fndesc.llvm_func_name), f"{module_name}.{name}"))
    return sorted(found)


def write_map(functions: list[tuple[int, str]]) -> Path:
    """``/tmp/perf-<pid>.map`` for ``functions`` (sorted by address): each runs to the next, at most
    :data:`LARGEST` bytes."""
    path = Path(f"/tmp/perf-{os.getpid()}.map")
    lines = []
    for index, (address, name) in enumerate(functions):
        following = functions[index + 1][0] if index + 1 < len(functions) else address + LARGEST
        lines.append(f"{address:x} {min(following - address, LARGEST):x} {name}\n")
    path.write_text("".join(lines))
    return path


def main() -> None:
    name, runs = (sys.argv[1:] + ["portfolio_sustaingov", "2000"])[:2]
    scenario = scenario_named(name)
    for seed in range(3):  # every kernel the scenario needs compiled or loaded
        model.run(scenario, seed=seed)
    functions = compiled_functions()
    path = write_map(functions)
    print(f"{len(functions)} compiled functions mapped in {path}", file=sys.stderr)
    for seed in range(int(runs)):
        model.run(scenario, seed=seed)


if __name__ == "__main__":
    main()

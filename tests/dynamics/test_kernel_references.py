"""The compiled life cycle keeps no reference counting in its loops: numba counts every array handed to an
inlined step up and down (atomically), and its pruning removes those counts only while nothing in the loop
stops it (a step that branches after taking arrays, numba's power with a signed exponent: see
:mod:`model.dynamics.moves` and docs/performance.md, "The life cycle in named steps"). The split life cycle
ran 1.3-3 times as long when they were left. Checked on the compiled code, not by timing it: the number of
``NRT_incref`` calls in the life cycle's LLVM code (100 with numba 0.68.1, all before or after its loops; a
reference left inside the loop stops the pruning of the others, which brings it to 170-200)."""

import re
from pathlib import Path

import pytest
from numba import njit

import model
from model.dynamics import lifecycle, quarters
from model.model import InnovationModel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
#: NRT_incref calls allowed in the compiled life cycle (100 found with numba 0.68.1; 65 before the split)
MOST_INCREFS = 120


@pytest.mark.slow  # compiles the life cycle from nothing (4-8 s)
def test_the_compiled_life_cycle_keeps_its_reference_counts_pruned():
    fresh = njit(error_model="numpy", no_cpython_wrapper=True, no_cfunc_wrapper=True)(lifecycle._advance.py_func)
    run = InnovationModel(model.load_scenario(SCENARIOS / "baseline.yaml"), seed=0).context
    types = quarters.life_cycle_types(quarters.arguments(run))
    fresh.compile(types)
    functions = fresh.inspect_llvm(types).split("\ndefine ")
    life_cycle = [f for f in functions if "8_advance" in f.split("\n", 1)[0]]  # its mangled name
    assert life_cycle
    increfs = max(len(re.findall(r"call void @NRT_incref", f)) for f in life_cycle)
    assert increfs <= MOST_INCREFS, (
        f"{increfs} reference-count increments in the compiled life cycle (at most {MOST_INCREFS}): something "
        "in its loops stops numba pruning them (model.dynamics.moves says what)")

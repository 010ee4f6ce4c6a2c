"""The validation report: leave-one-series-out fits predict each series, the reported patterns are checked
(or said to be unchecked where their series are not mapped), and the report is written where asked."""

from __future__ import annotations

import pandas as pd

from model.calibrate.plan import load_calibration
from model.calibrate.validation import validate


def test_validation_writes_leave_one_out_patterns_and_report(problem, straight, tmp_path):
    plan = load_calibration(problem)
    doc = tmp_path / "validation.md"
    assert validate(plan, straight.out, straight, workers=1, runs=300, progress=False, charts=False, doc=doc) == doc
    text = doc.read_text(encoding="utf-8")
    for heading in ("## In sample", "## Out of sample: leave one series out", "## Patterns the fit did not use",
                    "## Gradient by municipality size", "## Where the model cannot meet a target, and why"):
        assert heading in text
    loso = pd.read_csv(straight.out / "validation" / "leave_one_out.csv")
    assert sorted(loso["series"].unique()) == ["alpha", "beta"] and len(loso) == 8
    assert not loso["fitted"].any() and (loso["fold_runs"] <= 300).all()
    patterns = pd.read_csv(straight.out / "validation" / "patterns.csv")
    assert set(patterns["verdict"]) == {"not checked"}  # the tiny problem maps none of the reported series
    gradient = pd.read_csv(straight.out / "validation" / "size_gradient.csv")
    assert list(gradient.columns) == ["series", "<10k", "10-20k", "20-50k", "50-100k", ">100k"]

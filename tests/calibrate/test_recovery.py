"""Synthetic recovery: data the model made at known parameters, fitted by the calibration's own ABC-SMC with
a small budget, give each identifiable parameter back inside its 95 % interval — narrower than the prior —
while a parameter the targets cannot identify (the pandemic's relaxation of capacity) stays about as wide
as its prior (docs/calibration.md, "Identifiability")."""

from pathlib import Path

import numpy as np
import pytest

from model.calibrate.fit import fit
from model.calibrate.identify import (REFERENCE_POINT, distance_profile, distances, flat_ranges, model_targets,
                                      synthetic_plan)
from model.calibrate.outputs import posterior_summary
from model.calibrate.plan import load_calibration

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = ROOT / "calibrations" / "welfare_technology.yaml"
#: identified: each comes back around its truth in an interval under 0.7 of its prior's range (measured
#: 2026-12-07 at the reference point: p_external 0.45 of its log range, retry_rate 0.59)
IDENTIFIED = ["p_external", "retry_rate"]
#: comes back inside its 95 % interval, but the record barely narrows it (0.87 of its prior at the reference
#: point of 2026-12-07; 0.74 at the product form's point before, where its profile rose steeply towards 0):
#: it stays fitted so that its uncertainty is carried into every answer; docs/calibration.md, "Identifiability"
WEAK = ["social_proof_floor"]
#: identified only from below, with each one's bound: the data exclude scarce capacity (prior 0.1-20, truth
#: 11.3, measured 3.0-19.7) and slow pilot starts (a hazard rate, prior 0-5 per quarter, truth 2.38, measured
#: 0.91-4.95); above that every value fits alike
FROM_BELOW = {"capacity_scale": 1.5, "pilot_start_rate": 0.5}
#: a parameter the record cannot tell apart (fitted, so that its uncertainty is carried into every answer)
UNIDENTIFIED = "events.pandemic_2020.relaxes.capacity"


def load_calibration_with_unidentified():
    """The shipped calibration, which fits the pandemic's capacity relaxation (uniform 0-1) since 2026-12-07."""
    plan = load_calibration(CALIBRATION)
    assert UNIDENTIFIED in [f.name for f in plan.fitted]
    return plan


def _width_share(row) -> float:
    """The 95 % interval's width as a share of the prior's range (log scale for a log-uniform prior)."""
    scale = np.log if row.prior == "loguniform" else (lambda x: x)
    return float((scale(row.q97_5) - scale(row.q2_5)) / (scale(row.prior_high) - scale(row.prior_low)))


@pytest.mark.slow
def test_the_fit_gives_back_the_parameters_the_data_were_made_with(tmp_path):
    plan = load_calibration_with_unidentified()
    fitted = IDENTIFIED + WEAK + list(FROM_BELOW) + [UNIDENTIFIED]
    synthetic = synthetic_plan(plan, REFERENCE_POINT, fitted, replications=10, seed=3)
    assert sorted(f.name for f in synthetic.fitted) == sorted(fitted)
    result = fit(synthetic.with_budget(runs=1200, population=100, generations=6), tmp_path / "fit", workers=2,
                 progress=False)
    summary = posterior_summary(result).set_index("parameter")
    for name in fitted:
        row = summary.loc[name]
        assert row.q2_5 <= REFERENCE_POINT[name] <= row.q97_5, (name, row.to_dict())
    for name in IDENTIFIED:
        assert _width_share(summary.loc[name]) < 0.7, (name, summary.loc[name].to_dict())
    for name, bound in FROM_BELOW.items():
        assert summary.loc[name].q2_5 > bound, (name, summary.loc[name].to_dict())
    assert _width_share(summary.loc[UNIDENTIFIED]) > 0.75


def test_synthetic_targets_are_the_model_mean_at_the_truth_and_the_rest_is_fixed():
    plan = load_calibration(CALIBRATION)
    truth = {**REFERENCE_POINT, "retry_rate": 0.11}
    synthetic = synthetic_plan(plan, truth, ["p_external"], replications=2, seed=5)
    means = model_targets(plan, truth, 2, 5).mean(axis=0)
    assert [t.observed for t in synthetic.targets] == pytest.approx(list(means))
    assert synthetic.scenario.parameters.retry_rate == 0.11  # fixed at the truth, not fitted
    assert [f.name for f in synthetic.fitted] == ["p_external"]
    # at the truth itself, on other seeds, the distance is only the runs' own noise: a run minus the mean of
    # two has variance 1.5 sigma^2 per target, so with a run's sd sigma ~ 0.03 against each target's sd ~ 0.056
    # over 28 targets about sqrt(1.5 * 28 * 0.29) ~ 3.5 (measured 3.6 and 4.1); the record's is 8.5 at the
    # best parameters (the shipped fit's last tolerance)
    assert distances(synthetic, model_targets(synthetic, truth, 2, 99)).max() < 5.0
    with pytest.raises(ValueError, match="truth lacks"):
        synthetic_plan(plan, {"p_external": 0.1}, ["p_external"])


def test_a_distance_profile_is_flat_for_a_parameter_that_changes_nothing(tmp_path):
    plan = load_calibration_with_unidentified()
    shrunk = synthetic_plan(plan, REFERENCE_POINT, ["pilot_start_rate", UNIDENTIFIED], replications=1, seed=2)
    profile = distance_profile(shrunk, REFERENCE_POINT, points=3, replications=1)
    flat = flat_ranges(profile, shrunk, slack=0.5).set_index("parameter")
    assert flat.loc[UNIDENTIFIED, "flat_share"] == 1.0  # distance within 0.5 over its whole prior
    assert flat.loc["pilot_start_rate", "spread"] > 5  # a pilot start rate of 0 misses every target

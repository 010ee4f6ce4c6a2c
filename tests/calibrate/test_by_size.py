"""Shares by municipal size band (Socialstyrelsen 2022): read from the shipped by-size file, fitted as
targets of their own (``by_size: true``), and measured by the model among the municipalities of the band."""

from __future__ import annotations

import numpy as np
import pytest

from model.calibrate.observed import read_by_size
from model.calibrate.plan import load_calibration
from model.calibrate.simulate import municipal_values, target_values
from model.runner import run
from model.world.organisations import MUNICIPALITY, SIZE_BANDS

CALIBRATION = "calibrations/welfare_technology.yaml"


def test_the_shipped_file_gives_every_band_of_the_elder_care_strategy_as_printed():
    points = {(p.series, p.band): p for p in read_by_size() if p.year == 2022}
    shares = [points["strategi_lang_sikt_ehalsa_aldreomsorg", b].share for b in SIZE_BANDS]
    assert shares == pytest.approx([0.40, 0.63, 0.68, 0.73, 0.79])  # quotes.md: "Äldreomsorg 60 20 31 288 / ..."
    assert [points["strategi_lang_sikt_ehalsa_aldreomsorg", b].n for b in SIZE_BANDS] == [70, 94, 74, 30, 19]
    assert not any(p.band is None for p in read_by_size())  # the 'Samtliga' rows are the adoption file's


@pytest.fixture(scope="module")
def plan():
    return load_calibration(CALIBRATION)


def test_the_shipped_calibration_fits_the_size_gradient(plan):
    banded = [t for t in plan.targets if t.band is not None]
    assert {t.key for t in banded} >= {f"strategi_lang_sikt_ehalsa_aldreomsorg[{b}]@2022" for b in SIZE_BANDS}
    smallest = next(t for t in banded if t.key == "strategi_lang_sikt_ehalsa_aldreomsorg[<10k]@2022")
    # a band's sampling error is over the band's respondents: sqrt(0.4 x 0.6 / 70)
    assert smallest.sampling_sd == pytest.approx(np.sqrt(0.4 * 0.6 / 70))
    # leaving the series out leaves its bands out with it
    assert not [t for t in plan.without_series("strategi_lang_sikt_ehalsa_aldreomsorg").targets
                if t.series == "strategi_lang_sikt_ehalsa_aldreomsorg"]


def test_a_band_target_is_the_share_among_that_bands_municipalities(plan):
    targets = [t for t in plan.targets if t.series == "strategi_lang_sikt_ehalsa_aldreomsorg"]
    outcomes = run(plan.scenario.model_copy(update={"horizon_years": 13}), np.random.SeedSequence(3))
    values = target_values(outcomes, targets)
    held = municipal_values(outcomes, targets[0].innovations, "in_use", [targets[0].step])[0]
    band = outcomes.orgs.size_band[outcomes.orgs.kind == MUNICIPALITY]
    for b, name in enumerate(SIZE_BANDS):
        assert values[f"strategi_lang_sikt_ehalsa_aldreomsorg[{name}]@2022"] == pytest.approx(held[band == b].mean())
    # the whole country's share is the bands' shares weighted by their municipalities
    weights = np.bincount(band, minlength=len(SIZE_BANDS))
    country = sum(values[f"strategi_lang_sikt_ehalsa_aldreomsorg[{n}]@2022"] * w for n, w in zip(SIZE_BANDS, weights))
    assert values["strategi_lang_sikt_ehalsa_aldreomsorg@2022"] == pytest.approx(country / weights.sum())


def test_edge_weights_are_the_posterior_weight_in_each_tenth_of_the_prior():
    from model.calibrate.outputs import edge_weights

    values = np.array([0.05, 0.5, 0.95, 0.99])
    assert edge_weights(values, np.array([1, 1, 1, 1]), 0.0, 1.0) == pytest.approx((0.25, 0.5))
    assert edge_weights(values, np.array([2, 0, 1, 1]), 0.0, 1.0) == pytest.approx((0.5, 0.5))
    # log scale: 0.0015 lies in the bottom tenth of log [0.001, 0.3] (below 0.00177), 0.2 in the top (above 0.171)
    assert edge_weights(np.array([0.0015, 0.2]), np.array([1, 3]), 0.001, 0.3, log=True) == pytest.approx((0.25, 0.75))


def test_every_target_is_its_measure_on_the_stage_history_also_from_the_uncollected_run(plan):
    """The fit's runs measure targets on the run's model (model.runner.run_model, outcomes not collected):
    every target of the shipped calibration, of each measure, is exactly the mean of municipal_values at its
    survey quarter (among its band's municipalities for a band's), from the model as from the outcomes."""
    from model.runner import run_model

    scenario = plan.scenario
    outcomes, model = run(scenario, np.random.SeedSequence(5)), run_model(scenario, np.random.SeedSequence(5))
    band = outcomes.orgs.size_band[outcomes.orgs.kind == MUNICIPALITY]
    assert {t.measure for t in plan.targets} == {"in_use", "adopted", "not_in_use"}
    expected = {}
    for t in plan.targets:
        held = municipal_values(outcomes, t.innovations, t.measure, [t.step])[0]
        expected[t.key] = float(held.mean() if t.band is None else held[band == SIZE_BANDS.index(t.band)].mean())
    assert target_values(outcomes, plan.targets) == expected  # exactly, not approximately
    assert target_values(model, plan.targets) == expected
    assert 0.0 < np.mean(list(expected.values())) < 1.0  # the run moved: not every share empty or full

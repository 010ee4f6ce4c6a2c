"""The pattern checks with a recorded size judge the size, not the sign: a fall of a fifth of the record's is
not reproduced, a fall within half of it is."""

import numpy as np
import pandas as pd

from model.calibrate import patterns
from model.calibrate.predictive import Predictive


def _predictive(paths: dict[str, dict[int, float]], runs: int = 5) -> Predictive:
    """Posterior predictive paths where every run has the same ``paths`` ({series: {year: share}})."""
    rows = [dict(run=r, draw=r, replication=0, series=series, year=year, value=value)
            for r in range(runs) for series, years in paths.items() for year, value in years.items()]
    empty = pd.DataFrame()
    return Predictive(draws=empty, targets=empty, paths=pd.DataFrame(rows), bands=empty, early=empty,
                      start_year=2010)


def _disability(night: float, day: float) -> Predictive:
    return _predictive({"digital_tillsyn_natt_funktionshinder": {2022: 0.43, 2023: 0.43 + night},
                        "digital_tillsyn_dag_funktionshinder": {2022: 0.20, 2023: 0.20 + day}})


def test_a_drop_a_fifth_of_the_record_is_not_reproduced_one_within_half_is():
    small = patterns.disability_discontinuance(_disability(-0.03, -0.015))
    assert small.reproduced is False and small.share_of_runs == 0.0
    close = patterns.disability_discontinuance(_disability(-0.12, -0.05))
    assert close.reproduced is True and close.share_of_runs == 1.0
    edge = patterns.disability_discontinuance(_disability(-0.08, -0.035))  # exactly half of each: reproduced
    assert edge.reproduced is True
    too_much = patterns.disability_discontinuance(_disability(-0.30, -0.07))
    assert too_much.reproduced is False
    assert "within half" in close.observed


def _night(growth: dict[int, float]) -> Predictive:
    level, years = 0.3, {2018: 0.3}
    for year in range(2019, 2023):
        level += growth[year]
        years[year] = level
    return _predictive({patterns.NIGHT: years})


def test_the_surge_must_be_large_and_the_stall_as_recorded():
    # growth 2018-2020 of 3 pp a year, +10 pp in 2020, +2 pp in 2021: the record's shape and sizes
    assert patterns.surge_then_stall(_night({2019: 0.03, 2020: 0.03, 2021: 0.10, 2022: 0.02})).reproduced is True
    # a bump (+4 pp) is faster than before but not a surge of the stated size
    assert patterns.surge_then_stall(_night({2019: 0.01, 2020: 0.01, 2021: 0.04, 2022: 0.0})).reproduced is False
    # a surge followed by a fall of 3 pp, not the record's +2 pp
    assert patterns.surge_then_stall(_night({2019: 0.03, 2020: 0.03, 2021: 0.10, 2022: -0.03})).reproduced is False
    assert np.isclose(patterns.SIZE_TOLERANCE, 0.5)

"""The historical scenario's pandemic: from the second quarter of 2020 (after the 2020 surveys were
answered) to the end of 2021, fading over 2022, and the trials that relied on it ending when it is gone at
the end of 2022 — the timing the record's surge and the 2022→2023 fall of
disability care's trials rest on (docs/calibration.md, "The historical scenario")."""

from __future__ import annotations

import numpy as np

from model.dynamics.events import MONEY, RELIEF_SINCE, TRIALS_ENDING, schedule
from model.scenario import load_scenario

HISTORY = "scenarios/history_welfare_technology.yaml"


def test_the_pandemic_acts_from_the_second_quarter_of_2020_to_the_end_of_2021_and_fades_over_2022():
    scenario = load_scenario(HISTORY)
    names = tuple(i.name for i in scenario.innovations)
    steps = 4 * scenario.horizon_years
    relax = schedule(scenario.events, names, scenario.start_year, steps).relax
    night = names.index("digital_nattillsyn_aldreomsorg")
    money = [e for e in scenario.events if e.name == "pandemic_2020"][0].relaxes["money"]
    quarter = lambda year, q: 4 * (year - scenario.start_year) + q - 1  # noqa: E731
    series = relax[:, MONEY, night]
    assert series[quarter(2020, 1)] == 0.0  # the first quarter of 2020: the surveys' state, before the crisis
    assert np.allclose(series[quarter(2020, 2):quarter(2021, 4) + 1], money)  # 7 quarters in full
    fading = series[quarter(2022, 1):quarter(2022, 4) + 1]
    assert np.all(np.diff(fading) < 0) and fading[0] < money and fading[-1] == 0.0
    # the trials that relied on it end when it is gone: in the last quarter of 2022, after the 2022 survey
    # (its first quarter) and before the 2023 one, for those begun since the second quarter of 2020
    share = [e for e in scenario.events if e.name == "pandemic_2020"][0].ends_trials
    assert share > 0 and relax[:, TRIALS_ENDING, night].nonzero()[0].tolist() == [quarter(2022, 4)]
    assert relax[quarter(2022, 4), TRIALS_ENDING, night] == share
    assert relax[quarter(2022, 4), RELIEF_SINCE, night] == quarter(2020, 2)
    # the GPS alarms are not in the crisis
    assert not relax[:, :, names.index("gps_larm_aldreomsorg")].any()

"""`spridning run` of a scenario of the observed record's series: its fit against the record, checked
against an independent computation from the run's own files (timeseries.parquet, the observed CSV)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.calibrate import record
from model.calibrate.observed import read_by_size, read_observed
from model.calibrate.plan import load_calibration
from model.cli import main
from model.scenario import load_scenario

HISTORY = "scenarios/history_welfare_technology.yaml"


def _single_innovation_share(ts: pd.DataFrame, innovation: str, measure: str, step: int, band: str) -> pd.Series:
    """Per replication, the share of municipalities (or of one size band's) for one innovation, from the
    run's timeseries.parquet: adopted, in use (adopted or piloting) or not in use."""
    group = ("size_band", band) if band else ("kind", "municipality")
    rows = ts[(ts.innovation == innovation) & (ts.step == step) & (ts.group_type == group[0]) & (ts.group == group[1])]
    rows = rows.set_index("replication").sort_index()
    in_use = rows["adoption_share"] + rows["piloting_share"]
    return {"adopted": rows["adoption_share"], "in_use": in_use, "not_in_use": 1 - in_use}[measure]


@pytest.fixture(scope="module")
def history_run(tmp_path_factory):
    """The history scenario run as a user runs it (over the shipped posterior: 3 draws x 1 replication)."""
    out = tmp_path_factory.mktemp("history") / "run"
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", HISTORY, "--reps", "3", "--workers", "1", "--no-charts", "--quiet", "--out", str(out)]) == 0
    return out, printed.getvalue()


def test_the_targets_are_the_calibrations():
    plan = load_calibration("calibrations/welfare_technology.yaml")
    targets, quarter = record.scenario_targets(load_scenario(HISTORY))
    assert quarter == plan.calibration.targets.quarter
    assert [t.as_dict() for t in targets] == [t.as_dict() for t in plan.targets]
    derived = {t.series: (t.innovations, t.measure) for t in targets}
    assert derived["trygghetslarm_enbart_analoga_inga_digitala"] == (("trygghetslarm_enbart_digitala",), "not_in_use")
    assert derived["gps_larm_alla_verksamheter"] == (("gps_larm_aldreomsorg", "gps_larm_funktionshinder"), "in_use")


def test_a_shortened_run_keeps_the_points_it_reaches():
    scenario = load_scenario(HISTORY)
    names = tuple(i.name for i in scenario.innovations)
    targets, _ = record.resolve(names, 2010, 6)  # 2010-2015
    assert {t.year for t in targets} == {2014, 2015}
    assert {t.series for t in targets} == {"trygghetslarm_enbart_analoga_inga_digitala",
                                           "trygghetslarm_enbart_digitala"}
    assert record.resolve(("alpha", "beta"), 2010, 15) == ((), 1)


def test_the_fit_matches_an_independent_computation(history_run):
    out, printed = history_run
    fit = pd.read_csv(out / "record_fit.csv").fillna({"band": ""})
    runs = pd.read_csv(out / "record_runs.csv")
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(fit) == 28 and runs["run"].nunique() == 3
    points = {(p.series, p.year, p.band or ""): p for p in read_observed() + read_by_size()}
    checked = 0
    for r in fit.itertuples():
        p = points[(r.series, r.year, r.band)]
        sd = math.sqrt(p.share * (1 - p.share) / p.n + 0.05 ** 2)  # binomial sd and the 5 pp discrepancy
        assert r.observed == pytest.approx(p.share) and r.sd == pytest.approx(sd)
        assert r.tolerance == pytest.approx(2 * sd)
        key = f"{r.series}{f'[{r.band}]' if r.band else ''}@{r.year}"
        values = runs[runs.key == key].sort_values("run")["value"].to_numpy()
        assert r.mean == pytest.approx(values.mean())
        assert (r.band_low, r.band_high) == pytest.approx((np.quantile(values, 0.025), np.quantile(values, 0.975)))
        assert r.met == (abs(values.mean() - p.share) <= 2 * sd)
        step = 4 * (r.year - 2010) + 1  # the end of the first quarter of the survey year
        if r.series == "gps_larm_alla_verksamheter":  # either of two innovations in use
            one, two = (_single_innovation_share(ts, s, "in_use", step, r.band).to_numpy()
                        for s in ("gps_larm_aldreomsorg", "gps_larm_funktionshinder"))
            assert (np.maximum(one, two) - 1e-9 <= values).all() and (values <= one + two + 1e-9).all()
            continue
        innovation = "trygghetslarm_enbart_digitala" if r.series.startswith("trygghetslarm") else r.series
        share = _single_innovation_share(ts, innovation, r.measure, step, r.band).to_numpy()
        assert values == pytest.approx(share), key
        checked += 1
    assert checked == 27
    met = int(fit["met"].sum())
    assert f"{met} of 28 targets met" in printed and "Fit against the record" in printed
    line = next(x for x in printed.splitlines() if x.strip().startswith("e_tjanst_ansokan_ekonomiskt_bistand "))
    r = fit[fit.series == "e_tjanst_ansokan_ekonomiskt_bistand"].iloc[0]
    assert line.split()[1:5] == ["2022", "in_use", "60", "%"] and line.endswith("met" if r.met else "missed")


def test_the_surge_and_the_drop_are_judged(history_run):
    out, printed = history_run
    patterns = pd.read_csv(out / "record_patterns.csv")
    assert list(patterns["pattern"]) == ["Surge in 2020, then a stall (digital night supervision)",
                                         "Discontinuance in disability care 2022→2023"]
    assert set(patterns["verdict"]) <= {"reproduced", "not reproduced"}
    runs = pd.read_csv(out / "record_runs.csv")
    change = {s: (runs[runs.key == f"{s}@2023"]["value"].to_numpy() - runs[runs.key == f"{s}@2022"]["value"].to_numpy())
              for s in ("digital_tillsyn_natt_funktionshinder", "digital_tillsyn_dag_funktionshinder")}
    within = (abs(np.median(change["digital_tillsyn_natt_funktionshinder"]) + 0.16) <= 0.08 + 1e-12
              and abs(np.median(change["digital_tillsyn_dag_funktionshinder"]) + 0.07) <= 0.035 + 1e-12)
    assert patterns["verdict"].iloc[1] == ("reproduced" if within else "not reproduced")
    assert f"pattern: Discontinuance in disability care 2022→2023: {patterns['verdict'].iloc[1]}" in printed


def test_a_target_outside_its_tolerance_is_missed():
    target = record.scenario_targets(load_scenario(HISTORY))[0][0]  # night supervision 2021: 76 %
    far, near = target.observed - 2.5 * target.sd, target.observed + 1.5 * target.sd
    table = record.fit_table([target], record.predictive([{"targets": {target.key: far}, "paths": {}},
                                                          {"targets": {target.key: far}, "paths": {}}], 2010))
    assert not table["met"].iloc[0] and table["miss_sd"].iloc[0] == pytest.approx(-2.5)
    table = record.fit_table([target], record.predictive([{"targets": {target.key: near}, "paths": {}}], 2010))
    assert table["met"].iloc[0]


def test_a_run_without_pilots_misses_and_says_so(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", HISTORY, "--reps", "1", "--workers", "1", "--no-charts", "--quiet", "--point",
                 "--set", "horizon_years=13", "--set", "parameters.pilot_start_rate=0", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    fit = pd.read_csv(out / "record_fit.csv").fillna({"band": ""})
    assert fit["year"].max() == 2022  # a run to 2022 has no 2023 targets, and no drop to judge
    patterns = pd.read_csv(out / "record_patterns.csv")
    assert list(patterns["pattern"]) == ["Surge in 2020, then a stall (digital night supervision)"]
    assert patterns["verdict"].iloc[0] == "not reproduced"
    night = fit[(fit.series == "digital_nattillsyn_aldreomsorg") & (fit.year == 2021)].iloc[0]
    assert not night["met"] and night["mean"] < 0.05
    line = next(x for x in printed.splitlines() if x.strip().startswith("digital_nattillsyn_aldreomsorg ")
                and " 2021 " in x)
    assert line.endswith("missed")
    assert f"{int(fit['met'].sum())} of {len(fit)} targets met" in printed


def test_a_scenario_without_series_prints_nothing_of_the_record(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.yaml", "--reps", "2", "--workers", "1", "--no-charts", "--quiet",
                 "--point", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "record" not in printed.lower() and "targets met" not in printed
    assert not list(out.glob("record_*"))


def test_the_report_has_the_fit_in_its_language(history_run, tmp_path):
    from model.report.folder import RunFolder
    from model.report.html import record as record_section

    out, _ = history_run
    fit = pd.read_csv(out / "record_fit.csv")
    met, n = int(fit["met"].sum()), len(fit)
    english, swedish = (record_section(RunFolder.read(out), lang) for lang in ("en", "sv"))
    assert f"{met} of {n} targets met" in english and "Surge in 2020" in english and "in_use" in english
    assert f"{met} av {n} mål inom toleransen" in swedish and "i bruk" in swedish and "inte i bruk" in swedish
    assert english.count("<tr>") == n + 1 + 3  # heads and targets; heads and the two patterns
    (tmp_path / "manifest.json").write_text((out / "manifest.json").read_text())
    assert record_section(RunFolder.read(tmp_path), "en") == ""  # a run without the record's series

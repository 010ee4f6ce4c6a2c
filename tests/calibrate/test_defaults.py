"""Calibrated by default: the shipped scenarios' parameters lie inside the shipped posterior, run/compare/robust
use its draws unless told otherwise, and a comparison says in how many draws its ranking holds."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.calibrate.ensemble import default_posterior, event_value, load_ensemble, restricted, spread
from model.calibrate.ship import set_scenario_values
from model.compare.outputs import RANKING_COLUMNS, ranking_table
from model.errors import InputError
from model.parameters import BY_NAME, CALIBRATED, POSTERIOR
from model.scenario import load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[2]
#: shipped scenarios that are not about Sweden, with the reason
EXEMPT = {"bass.yaml": "the Bass-model check: its p and q are the analytic model's (docs/bass.md), not Sweden's"}


def posterior_intervals() -> dict[str, tuple[float, float]]:
    """The shipped posterior's 95 % interval of every fitted path."""
    with open(POSTERIOR / "posterior_summary.csv", newline="", encoding="utf-8") as handle:
        return {r["path"]: (float(r["q2_5"]), float(r["q97_5"])) for r in csv.DictReader(handle)}


def fitted_value(scenario, path: str):
    """The scenario's value of a fitted path (``parameters.X`` or ``events.NAME.KEY[.SUB]``), or None when
    the scenario has no such event."""
    if path.startswith("parameters."):
        return getattr(scenario.parameters, path.removeprefix("parameters."))
    return event_value(scenario, path)


def outside(scenario, label: str) -> list[str]:
    """One line per fitted value of ``scenario`` outside the shipped posterior's 95 % interval."""
    lines = []
    for path, (low, high) in posterior_intervals().items():
        value = fitted_value(scenario, path)
        if value is not None and not low <= value <= high:
            lines.append(f"{label}: {path} = {value:g} lies outside the posterior's 95 % interval "
                         f"{low:.4g} – {high:.4g} (make posterior rewrites the defaults; docs/calibration.md)")
    return lines


def test_every_shipped_scenario_lies_inside_the_posterior():
    lines = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        if path.name not in EXEMPT:
            lines += outside(load_scenario(path), f"scenarios/{path.name}")
    assert not lines, "\n".join(lines)


def test_a_value_outside_is_named_with_its_interval():
    scenario = with_overrides(load_scenario(ROOT / "scenarios/baseline.yaml"), {"parameters.p_external": 0.3001 * 0},
                              source="")
    low, high = posterior_intervals()["parameters.p_external"]
    assert low > 0  # else the check below could not fail
    (line,) = outside(scenario, "scenarios/baseline.yaml")
    assert line.startswith("scenarios/baseline.yaml: parameters.p_external = 0 lies outside")
    assert f"{low:.4g} – {high:.4g}" in line


def test_the_defaults_are_the_posterior_medians():
    with open(POSTERIOR / "posterior_summary.csv", newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["path"].startswith("parameters.")]
    assert {r["parameter"] for r in rows} == set(CALIBRATED)
    for r in rows:
        assert BY_NAME[r["parameter"]].default == pytest.approx(float(r["median"]), rel=5e-3)
        assert "posterior median" in BY_NAME[r["parameter"]].source


def test_the_shipped_ensemble_draws_the_fitted_parameters():
    ensemble = load_ensemble(POSTERIOR / "ensemble.yaml")
    assert set(ensemble.draws[0]) == set(posterior_intervals())  # the events' fitted values too
    assert {k for k in ensemble.draws[0] if k.startswith("parameters.")} == {f"parameters.{n}" for n in CALIBRATED}
    assert 10 <= len(ensemble.draws) <= 400


def test_the_history_draws_its_events_and_a_scenario_without_them_ignores_them():
    # the historical scenario has the fitted events at their shipped values: the draws set them too, so its
    # runs carry the pandemic's unidentified effect (before 2026-12-07 it stayed at its median there)
    history = load_scenario(ROOT / "scenarios/history_welfare_technology.yaml")
    ensemble = default_posterior(history, total=4)
    events = {k for k in posterior_intervals() if k.startswith("events.")}
    assert events and events <= set(ensemble.draws[0]) and ensemble.fixed == ()
    drawn = ensemble.scenarios(history)
    money = "events.pandemic_2020.relaxes.money"
    assert [event_value(s, money) for s in drawn] == [d[money] for d in ensemble.draws]
    assert len({event_value(s, money) for s in drawn}) == 4
    # a value of its own is kept, and said
    own = with_overrides(history, {money: 0.25}, source="")
    mine = restricted(load_ensemble(POSTERIOR / "ensemble.yaml"), own, 4)
    assert money in mine.fixed and all(money not in d for d in mine.draws)
    # a policy scenario has no such events: neither drawn nor reported as its own, and the full file (as
    # --ensemble gives it) applies to it without error, its parameters only
    base = load_scenario(ROOT / "scenarios/baseline.yaml")
    assert not events & (set(default_posterior(base, total=4).draws[0]) | set(default_posterior(base, total=4).fixed))
    full = load_ensemble(POSTERIOR / "ensemble.yaml")
    first = full.scenarios(base)[0]
    assert first.parameters.p_external == full.draws[0]["parameters.p_external"]
    assert first.resolved().get("events", []) == base.resolved().get("events", [])


def test_spread_keeps_the_runs_about_the_scenarios_replications():
    assert spread(40, 40) == (40, 1)
    assert spread(100, 40) == (40, 2)
    assert spread(5, 40) == (5, 1)
    assert spread(40, 40, draws=20) == (20, 2)
    assert spread(40, 40, draws=20, per_draw=3) == (20, 3)
    with pytest.raises(InputError, match="--draws 41: the posterior has 40 draws"):
        spread(40, 40, draws=41)


def test_a_scenario_that_sets_a_calibrated_parameter_keeps_it():
    base = load_scenario(ROOT / "scenarios/baseline.yaml")
    ensemble = default_posterior(base, total=4)
    assert ensemble is not None and len(ensemble.draws) == 4 and ensemble.spec.replications == 1
    assert ensemble.fixed == ()
    own = with_overrides(base, {"parameters.p_external": 0.05}, source="")
    mine = restricted(load_ensemble(POSTERIOR / "ensemble.yaml"), own, 4)
    assert mine.fixed == ("parameters.p_external",)
    assert all("parameters.p_external" not in d for d in mine.draws)
    assert default_posterior(base, point=True) is None
    assert default_posterior(with_overrides(base, {"uncertainty": "point"}, source="")) is None
    everything = with_overrides(base, {f"parameters.{n}": BY_NAME[n].low for n in CALIBRATED}, source="")
    assert default_posterior(everything) is None


def test_ranking_shares_on_a_known_frame():
    # three draws x two paired replications; final_adoption: higher is better, gap_small_large: lower
    draw = np.repeat([0, 1, 2], 2)
    runs = {
        "baseline": pd.DataFrame({"draw": draw, "final_adoption": [.1, .1, .2, .2, .3, .3],
                                  "gap_small_large": [.1] * 6}),
        "a": pd.DataFrame({"draw": draw, "final_adoption": [.2, .2, .1, .1, .3, .3],  # best, worse, tie
                           "gap_small_large": [.0] * 6}),
        "b": pd.DataFrame({"draw": draw, "final_adoption": [.0, .2, .3, .3, .1, .1],  # 0.1: tie, best, worst
                           "gap_small_large": [.2] * 6}),
    }
    table = ranking_table(runs, "baseline")
    assert list(table.columns) == RANKING_COLUMNS
    final = table[table.outcome == "final_adoption"].set_index("scenario")
    # draw 0: a best; draw 1: b best; draw 2: baseline and a tie (half each)
    assert final.share_best.to_dict() == pytest.approx({"baseline": 0.5 / 3, "a": 1.5 / 3, "b": 1 / 3})
    assert final.share_beats_baseline["a"] == pytest.approx(1 / 3)  # a tie does not beat
    assert final.share_beats_baseline["b"] == pytest.approx(1 / 3)
    assert np.isnan(final.share_beats_baseline["baseline"])
    assert set(final.units) == {"posterior draws"} and set(final.n) == {3}
    gap = table[table.outcome == "gap_small_large"].set_index("scenario")
    assert gap.share_best["a"] == 1.0 and gap.share_beats_baseline["b"] == 0.0


def test_ranking_by_replication_without_draws():
    runs = {"baseline": pd.DataFrame({"final_adoption": [.1, .2]}), "a": pd.DataFrame({"final_adoption": [.2, np.nan]})}
    final = ranking_table(runs, "baseline").query("outcome == 'final_adoption'").set_index("scenario")
    assert set(final.units) == {"replications"} and set(final.n) == {1}  # the undefined replication is left out
    assert final.share_best["a"] == 1.0


def test_ship_writes_event_values_and_keeps_comments(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("events:\n  - type: mandate\n    name: m\n    pressure: 0.5   # fitted\n"
                    "  - type: crisis\n    name: c\n    relaxes: {capacity: 0.5, social_proof: 0.5}   # shares\n",
                    encoding="utf-8")
    set_scenario_values(path, {"events.m.pressure": 0.123, "events.c.relaxes.capacity": 0.75})
    text = path.read_text(encoding="utf-8")
    assert "pressure: 0.123   # fitted" in text
    assert "relaxes: {capacity: 0.75, social_proof: 0.5}   # shares" in text
    with pytest.raises(InputError, match="cannot find events.x.pressure"):
        set_scenario_values(path, {"events.x.pressure": 0.1})


@pytest.mark.slow
def test_run_uses_the_posterior_by_default_and_point_opts_out(tmp_path, capsys):
    import json

    from model.cli import main

    base = str(ROOT / "scenarios/baseline.yaml")
    common = ["--reps", "2", "--workers", "1", "--no-charts", "--quiet"]
    assert main(["run", base, *common, "--out", str(tmp_path / "post"), "--set", "parameters.retry_rate=0.2"]) == 0
    out = capsys.readouterr()
    assert "baseline: 2 runs (over 2 posterior draws × 1 replication)" in out.out
    assert "baseline: note: not drawn from the posterior, the scenario sets them: parameters.retry_rate" in out.err
    manifest = json.loads((tmp_path / "post" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ensemble"]["over"] == "over 2 posterior draws × 1 replication"
    assert manifest["ensemble"]["fixed_by_scenario"] == ["parameters.retry_rate"]
    draws = manifest["ensemble"]["draws"]
    assert len(draws) == 2 and draws[0] != draws[1] and "parameters.retry_rate" not in draws[0]
    assert list(pd.read_csv(tmp_path / "post" / "replications.csv")["draw"]) == [0, 1]
    assert main(["run", base, *common, "--out", str(tmp_path / "point"), "--point"]) == 0
    assert "baseline: 2 runs (at point values)" in capsys.readouterr().out
    assert "ensemble" not in json.loads((tmp_path / "point" / "manifest.json").read_text(encoding="utf-8"))
    assert main(["run", base, *common, "--out", str(tmp_path / "bad"), "--point", "--draws", "2"]) == 2
    assert "--point: runs at the scenario's values; not with --draws" in capsys.readouterr().err


#: shipped experiments that may vary a fitted parameter beyond the posterior, with the reason
EXPERIMENT_EXEMPT = {"morris_screening.yaml": "a screening of every parameter over its documented range "
                                              "(`parameters.*`): which assumptions matter at all"}


def test_every_shipped_experiment_varies_a_fitted_parameter_inside_the_posterior():
    # a sensitivity study over ranges the record rejects answers for a Sweden that is not (sobol_main
    # drew scale_base_logit from -6 to -2 until 2026-12-07, under the posterior's 2.5 % quantile); after a
    # refit (make posterior) move the bounds to the new intervals
    intervals = posterior_intervals()
    lines = []
    for path in sorted((ROOT / "experiments").glob("*.yaml")):
        if path.name in EXPERIMENT_EXEMPT:
            continue
        for factor in yaml.safe_load(path.read_text(encoding="utf-8")).get("factors", []):
            where = factor if isinstance(factor, str) else factor["path"]
            if where not in intervals:
                continue
            low, high = intervals[where]
            bounds = None if isinstance(factor, str) else factor.get("bounds")
            slack = 0.01 * (high - low)  # bounds are rounded to a few digits
            if bounds is None or not (low - slack <= bounds[0] and bounds[1] <= high + slack):
                lines.append(f"experiments/{path.name}: {where} varies over {bounds or 'its whole range'}, "
                             f"beyond the posterior's 95 % interval {low:.4g} – {high:.4g}")
    assert not lines, "\n".join(lines)

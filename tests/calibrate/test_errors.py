"""Bad calibration files stop ``spridning calibrate`` with exit status 2 and one line per problem naming the
file, the line and the field, never a traceback; nothing is run or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.cli import main

from .conftest import SCENARIO

GOOD = """\
name: tiny_fit
scenario: tiny.yaml
parameters:
  - parameters.p_external
  - path: parameters.pilot_start_rate
    low: 0.1
    high: 0.9
targets:
  series:
    - series: digital_nattillsyn_aldreomsorg
      innovation: alpha
budget:
  runs: 1000
  population: 100
"""


def calibrate(tmp_path: Path, text: str, capsys, *extra: str) -> tuple[int, str, Path]:
    (tmp_path / "tiny.yaml").write_text(SCENARIO.replace("horizon_years: 6", "horizon_years: 14"), encoding="utf-8")
    path = tmp_path / "cal.yaml"
    path.write_text(text, encoding="utf-8")
    status = main(["calibrate", str(path), "--out", str(tmp_path / "out"), "--quiet", *extra])
    return status, capsys.readouterr().err, path


def test_the_good_file_passes_the_check(tmp_path, capsys):
    status, err, _ = calibrate(tmp_path, GOOD, capsys, "--check")
    assert status == 0, err


@pytest.mark.parametrize("edit, expected", [
    # a misspelt key, with the keys allowed
    (("budget:", "budgt:"), ":12: budgt: unknown key 'budgt' (did you mean 'budget'?); allowed keys: budget,"),
    # a prior beyond what the model allows
    (("    high: 0.9", "    high: 5.5"), ":5: parameters[1]: the prior of 'parameters.pilot_start_rate' spans 0.1 to 5.5, "
                                        "beyond what the model allows (0 to 5 per quarter)"),
    # an unknown model parameter, with a suggestion
    (("parameters.p_external", "parameters.p_extrnal"), ":4: parameters[0].path: no model parameter 'p_extrnal' "
                                                        "(did you mean 'p_external'?)"),
    # a path that is not in the scenario
    (("parameters.p_external", "innovations.gamma.complexity"), ":4: parameters[0].path: 'innovations.gamma.complexity': "
                                                                "no item 'gamma'"),
    # an unknown observed series, with a suggestion
    (("series: digital_nattillsyn_aldreomsorg", "series: digital_nattilsyn_aldreomsorg"),
     ":10: targets.series[0].series: no series 'digital_nattilsyn_aldreomsorg' in the observed file (did you mean "
     "'digital_nattillsyn_aldreomsorg'?)"),
    # a series measured on an innovation the scenario does not have
    (("innovation: alpha", "innovation: gamma"), ":11: targets.series[0].innovation: no innovation 'gamma' in the "
                                                 "scenario"),
    # a text where a number belongs
    (("runs: 1000", "runs: many"), ":13: budget.runs: expected a whole number, got text ('many')"),
    # a yes/no value where a number belongs
    (("runs: 1000", "runs: yes"), ":13: budget.runs: expected a whole number, got a yes/no value (yes)"),
    # a budget that cannot hold one generation
    (("runs: 1000", "runs: 50"), ":13: budget.runs: 50 runs cannot hold one generation"),
    # a key given twice
    (("budget:\n", "budget:\n  runs: 5\n"), "budget.runs: given twice (lines 13 and 14)"),
    # a scenario file that does not exist
    (("scenario: tiny.yaml", "scenario: nowhere.yaml"), ":2: scenario: file 'nowhere.yaml' not found"),
    # a measure that does not exist
    (("      innovation: alpha", "      innovation: alpha\n      measure: used"), ":12: targets.series[0].measure: "),
    # numbers that are not finite, in every kind of numeric field (NaN passes every range check)
    (("    low: 0.1", "    low: .nan"), ":6: parameters[1].low: input should be a finite number (got nan)"),
    (("    high: 0.9", "    high: .inf"), ":7: parameters[1].high: input should be a finite number (got inf)"),
    (("    low: 0.1", "    low: 0.1\n    prior: normal\n    mean: .nan\n    sd: 0.1"),
     ":8: parameters[1].mean: input should be a finite number (got nan)"),
    (("  population: 100", "  population: 100\n  tolerance: .inf"), ":15: budget.tolerance: input should be a finite"),
    (("  population: 100", "  population: 100\n  min_acceptance_rate: .nan"), ":15: budget.min_acceptance_rate: "),
    (("targets:\n", "targets:\n  discrepancy: -.inf\n"), ":9: targets.discrepancy: "),
    # bounds the wrong way round, and absurd counts
    (("    high: 0.9", "    high: 0.1"), ":6: parameters[1].low: low (0.1) must be below high (0.1)"),
    (("runs: 1000", "runs: 1e12"), ":13: budget.runs: input should be less than or equal to 100000000"),
    (("  population: 100", "  population: 100\nensemble:\n  draws: 100000\n  replications: 1000"),
     ":16: ensemble.draws: 100000 draws x 1000 replications = 100000000 predictive runs; at most 1000000"),
])
def test_a_bad_calibration_file_is_a_clear_error(tmp_path, capsys, edit, expected):
    status, err, path = calibrate(tmp_path, GOOD.replace(*edit), capsys)
    assert status == 2
    assert f"{path}" in err and expected in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_series_outside_the_simulated_years_is_named(tmp_path, capsys):
    (tmp_path / "tiny.yaml").write_text(SCENARIO, encoding="utf-8")  # 2010-2015: the 2021 survey is outside
    path = tmp_path / "cal.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["calibrate", str(path), "--check"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:10: targets.series[0]: 'digital_nattillsyn_aldreomsorg' 2021 is outside the years the scenario " \
           "simulates (2010-2015)" in err


def test_every_problem_of_the_file_at_once(tmp_path, capsys):
    text = GOOD.replace("parameters.p_external", "parameters.p_extrnal").replace("innovation: alpha", "innovation: gamma")
    status, err, path = calibrate(tmp_path, text, capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{path}:4:") and lines[1].startswith(f"{path}:11:")


def test_empty_and_missing_files(tmp_path, capsys):
    status, err, path = calibrate(tmp_path, "", capsys)
    assert status == 2 and f"{path}: the file is empty" in err
    assert main(["calibrate", str(tmp_path / "none.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_workers_and_scheduler_together_are_refused(tmp_path, capsys):
    status, err, _ = calibrate(tmp_path, GOOD, capsys, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert status == 2 and "give one of them" in err

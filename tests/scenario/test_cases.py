"""The handed cases (copied from /work/shared/cases/inputs into tests/scenario/cases), run in-process."""

import json
from pathlib import Path

import pytest

import model
from model.world.names import county_index

from ..support import BASELINE, cli_lines

CASES = Path(__file__).resolve().parent / "cases"


def test_01_duplicate_keys_are_refused_with_both_lines(capsys):
    path = CASES / "01-duplicate-keys" / "scenario.yaml"
    code, out, err = cli_lines(capsys, "validate", path)
    assert code == 2 and out == []
    assert err == [f"{path}:9: parameters.p_external: given twice (lines 7 and 9); keep one of them",
                   f"{path}:14: horizon_years: given twice (lines 4 and 14); keep one of them"]
    with pytest.raises(model.InputError) as exc:
        model.load_scenario(path)
    assert str(exc.value).splitlines() == err


def test_03_yes_no_words_are_not_numbers(capsys):
    path = CASES / "03-yaml-booleans-as-numbers" / "scenario.yaml"
    code, out, err = cli_lines(capsys, "validate", path)
    assert code == 2 and out == []
    assert err == [f"{path}:3: horizon_years: expected a whole number, got a yes/no value (on)",
                   f"{path}:7: innovations[0].complexity: expected a number, got a yes/no value (yes)",
                   f"{path}:11: levers[0].budget_msek_per_year: expected a number, got a yes/no value (yes)"]
    with pytest.raises(model.InputError) as exc:
        model.load_scenario(path)
    assert str(exc.value).splitlines() == err


def test_05_decomposed_and_composed_region_names_are_one_name(capsys):
    folder = CASES / "05-nfd-region-name"
    nfc, nfd = folder / "scenario_nfc.yaml", folder / "scenario_nfd.yaml"
    assert nfc.read_bytes() != nfd.read_bytes()  # the files really differ in their bytes
    targets = []
    for path in (nfc, nfd):
        code, out, err = cli_lines(capsys, "validate", path)
        assert code == 0 and err == [] and out == [f"{path}: ok (region_names: 1 innovation, 1 lever, 5 years)"]
        regions = model.load_scenario(path).levers[0].target.regions
        targets.append([county_index(r) for r in regions])
    assert targets[0] == targets[1] == [11, 4]  # Västra Götalands län, Jönköpings län


@pytest.mark.parametrize("value, reason", [("description=@kommunerna", "a value cannot start with '@'"),
                                           ("parameters.p_external=[0.05", "unclosed '['")])
def test_06_a_set_value_that_is_not_yaml_is_one_line(tmp_path, capsys, value, reason):
    code, out, err = cli_lines(capsys, "run", BASELINE, "--reps", "1", "--workers", "1", "--set", "horizon_years=1",
                               "--set", value, "--out", tmp_path / "a", "--quiet")
    assert code == 2 and out == []
    assert err == [f"--set {value}: the value is not valid YAML ({reason}); quote text values"]
    assert not (tmp_path / "a").exists()


def test_06_text_with_a_colon_stays_text_in_a_text_field(tmp_path, capsys):
    out_dir = tmp_path / "c"
    code, out, err = cli_lines(capsys, "run", BASELINE, "--reps", "1", "--workers", "1", "--set", "horizon_years=1",
                               "--set", "description=Test: kommuner under 10k", "--out", out_dir, "--quiet")
    assert code == 0, err
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "Test: kommuner under 10k" in json.dumps(manifest, ensure_ascii=False)
    scenario = model.load_scenario(BASELINE)
    from model.scenario import with_set_arguments

    changed = with_set_arguments(scenario, ["description=Test: kommuner under 10k"], str(BASELINE))
    assert changed.description == "Test: kommuner under 10k"


def test_16_compare_refuses_different_horizons_before_anything_runs(tmp_path, capsys, monkeypatch):
    import model.compare

    def never(*args, **kwargs):
        raise AssertionError("a replication ran")

    monkeypatch.setattr(model.compare, "run_scenario", never)
    path = CASES / "16-compare-different-horizons" / "portfolio_5y.yaml"
    out_dir = tmp_path / "cmp"
    code, out, err = cli_lines(capsys, "compare", path, "--baseline", BASELINE, "--reps", "2", "--workers", "1",
                               "--out", out_dir, "--quiet")
    assert code == 2 and out == []
    # the handed file also carries the innovations as the baseline defined them before issue 10 changed
    # their costs: each difference is reported, the calendar's among them
    assert f"{path}: horizon_years: 5 differs from the baseline's 10 ({BASELINE}); compared scenarios " \
           "must share start_year and horizon_years; to compare deliberately different settings, add " \
           "--allow-different horizon_years" in err
    assert not out_dir.exists()

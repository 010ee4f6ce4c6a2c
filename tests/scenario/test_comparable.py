"""Only comparable things are compared: ``spridning compare`` refuses, before anything runs, scenarios whose
calendar, world, innovations or model differ from the baseline's, unless allowed by name; levers that run
past the horizon are noted."""

import json

import pytest
import yaml

import model
import model.compare
from model.compare import COMPARABLE, allowed_differences, differences, plan_comparison
from model.errors import InputError
from model.parameters import BY_NAME
from model.levers.entries import lever_notes

from ..support import BASELINE, MINIMAL, cli_lines, write

P_EXTERNAL = BY_NAME["p_external"].default  # the calibrated default the baseline inherits


def variant(tmp_path, name, change=None, **top):
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    data.update({"name": name, "horizon_years": 1, **top})
    if change:
        change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture
def no_runs(monkeypatch):
    """Fail the test if any replication runs."""
    def never(*args, **kwargs):
        raise AssertionError("a replication ran")

    monkeypatch.setattr(model.compare, "run_scenario", never)


def set_param(name, value):
    return lambda data: data.setdefault("parameters", {}).__setitem__(name, value)


CHANGES = [
    ("start_year", dict(start_year=2030), None, "start_year: 2030 differs from the baseline's 2026",
     "must share start_year and horizon_years"),
    ("horizon_years", dict(horizon_years=2), None, "horizon_years: 2 differs from the baseline's 1",
     "must share start_year and horizon_years"),
    ("world", {}, lambda d: d["world"]["networks"].__setitem__("county", False),
     "world.networks.county: false differs from the baseline's true", "must share the world"),
    ("innovations", {}, lambda d: d["innovations"][0].__setitem__("complexity", 0.9),
     "innovations.digital_home_care.complexity: 0.9 differs from the baseline's 0.5", "must share the innovations"),
    ("innovations", {}, lambda d: d["innovations"].pop(),
     "innovations: [digital_home_care, service_design, ai_casework] differs from the baseline's [digital_home_care, "
     "service_design, ai_casework, remote_care]", "must share the innovations"),
    ("parameters", {}, set_param("p_external", 0.05), f"parameters.p_external: 0.05 differs from the baseline's {P_EXTERNAL:g}",
     "must share the model's parameters and mechanisms"),
    ("mechanisms", dict(mechanisms={"contagion": "complex"}), None,
     "mechanisms.contagion: complex differs from the baseline's simple", "must share the model's parameters"),
]


@pytest.mark.parametrize("field, top, change, difference, shared", CHANGES, ids=[c[3].split(":")[0] for c in CHANGES])
def test_a_different_setting_is_refused_before_anything_runs(tmp_path, capsys, no_runs, field, top, change,
                                                             difference, shared):
    base = variant(tmp_path, "base")
    other = variant(tmp_path, "other", change, **top)
    code, out, err = cli_lines(capsys, "compare", other, "--baseline", base, "--out", tmp_path / "cmp", "--quiet")
    assert code == 2 and out == [] and len(err) == 1
    assert err[0] == (f"{other}: {difference} ({base}); compared scenarios {shared}"
                      + err[0].split(shared, 1)[1])
    assert err[0].endswith(f"; to compare deliberately different settings, add --allow-different {field}")
    assert not (tmp_path / "cmp").exists()


def test_every_difference_of_every_file_is_listed_at_once(tmp_path, no_runs):
    base = variant(tmp_path, "base")
    a = variant(tmp_path, "a", set_param("p_external", 0.05), horizon_years=2)
    b = variant(tmp_path, "b", start_year=2027)
    with pytest.raises(InputError) as exc:
        plan_comparison([a, b], base)
    lines = str(exc.value).splitlines()
    assert [line.split(": ")[:2] for line in lines] == [[a, "horizon_years"], [a, "parameters.p_external"],
                                                        [b, "start_year"]]


def test_descriptions_and_levers_are_not_differences(tmp_path):
    base = model.load_scenario(variant(tmp_path, "base"))
    other = model.load_scenario(variant(
        tmp_path, "other", lambda d: d["innovations"][0].__setitem__("description", "other words"),
        description="a portfolio", levers=[{"type": "peer_review", "budget_msek_per_year": 5}], seed=1,
        replications=3))
    assert differences(other, base) == []


@pytest.mark.slow
def test_allowed_differences_are_compared_and_reported(tmp_path, capsys):
    base = variant(tmp_path, "base")
    other = variant(tmp_path, "Kommuner i Norrland", set_param("p_external", 0.05))
    out_dir = tmp_path / "cmp"
    code, out, err = cli_lines(capsys, "compare", other, "--baseline", base, "--reps", "2", "--workers", "1",
                               "--allow-different", "parameters", "--out", out_dir, "--quiet")
    assert code == 0
    assert err == [f"note: {other}: parameters.p_external: 0.05 differs from the baseline's {P_EXTERNAL:g} (allowed by "
                   "--allow-different); its paired differences mix the levers' effect with this difference"]
    assert "settings differ from the baseline (1, allowed): see comparability.json" in out
    assert f"-> {out_dir}" in out
    record = json.loads((out_dir / "comparability.json").read_text(encoding="utf-8"))
    assert record == {"baseline": {"name": "base", "file": base}, "shared_settings": list(COMPARABLE),
                      "allowed_differences": ["parameters"],
                      "differences": [{"scenario": "Kommuner i Norrland", "file": other,
                                       "setting": "parameters.p_external", "value": 0.05, "baseline_value": P_EXTERNAL}]}
    # a scenario's folder is named safely after it
    assert (out_dir / "Kommuner_i_Norrland" / "summary.csv").exists() and (out_dir / "base" / "summary.csv").exists()


@pytest.mark.slow
def test_comparable_scenarios_record_that_nothing_differs(tmp_path, capsys):
    base = variant(tmp_path, "base")
    other = variant(tmp_path, "other", levers=[{"type": "peer_review", "budget_msek_per_year": 5}])
    out_dir = tmp_path / "cmp"
    code, out, err = cli_lines(capsys, "compare", other, "--baseline", base, "--reps", "2", "--workers", "1",
                               "--out", out_dir, "--quiet")
    assert code == 0 and err == []
    record = json.loads((out_dir / "comparability.json").read_text(encoding="utf-8"))
    assert record["differences"] == [] and record["allowed_differences"] == []


def test_what_allow_different_accepts(tmp_path):
    assert allowed_differences(["horizon_years,parameters.p_external", "world", "world"]) == (
        "horizon_years", "parameters.p_external", "world")
    assert allowed_differences(["all"]) == ("all",)
    with pytest.raises(InputError) as exc:
        allowed_differences(["horizon"])
    assert str(exc.value).startswith("--allow-different horizon: unknown setting 'horizon' (did you mean "
                                     "'horizon_years'?); allowed: start_year, horizon_years, world")
    base = variant(tmp_path, "base")
    other = variant(tmp_path, "other", set_param("p_external", 0.05), horizon_years=2)
    # a path allows that field only; all allows everything
    with pytest.raises(InputError, match="horizon_years: 2 differs"):
        plan_comparison([other], base, ("parameters.p_external",))
    with pytest.raises(InputError, match="parameters.p_external: 0.05 differs"):
        plan_comparison([other], base, ("parameters.beta_county", "horizon_years"))
    assert len(plan_comparison([other], base, ("all",)).differences) == 2


def test_unknown_allow_different_on_the_command_line(tmp_path, capsys, no_runs):
    base = variant(tmp_path, "base")
    code, out, err = cli_lines(capsys, "compare", base, "--baseline", base, "--allow-different", "paramters",
                               "--out", tmp_path / "x", "--quiet")
    assert code == 2 and len(err) == 1 and "did you mean 'parameters'" in err[0]


def test_names_that_make_the_same_folder_are_refused(tmp_path, no_runs):
    base = variant(tmp_path, "base")
    a, b = variant(tmp_path, "a b"), variant(tmp_path, "a_b")
    with pytest.raises(InputError, match="name 'a_b' is used by another scenario in this comparison \\('a b'\\)"):
        plan_comparison([a, b], base)


def test_every_invalid_file_is_reported_before_anything_runs(tmp_path, no_runs):
    base = variant(tmp_path, "base")
    bad1 = write(tmp_path, MINIMAL + "seed: -1\n", "bad1.yaml")
    bad2 = write(tmp_path, "name: x\n", "bad2.yaml")
    with pytest.raises(InputError) as exc:
        plan_comparison([str(bad1), str(bad2)], base)
    lines = str(exc.value).splitlines()
    assert lines == [f"{bad1}:5: seed: input should be greater than or equal to 0 (got -1)",
                     f"{bad2}: innovations: required field is missing"]


# --- levers that run past the horizon -------------------------------------------------------------------------
def test_a_lever_past_the_horizon_is_noted(tmp_path, capsys):
    text = MINIMAL + ("levers:\n  - type: peer_review\n    name: stöd till små kommuner\n    budget_msek_per_year: 10\n"
                      "    start_year: 2028\n    duration_years: 5\n  - type: change_teams\n    budget_msek_per_year: 5\n"
                      "    duration_years: 5\n")
    path = write(tmp_path, text)
    note = ("levers[0] (stöd till små kommuner): runs 2028-2032 (duration_years 5) but the scenario ends with 2030 "
            "(horizon_years 5); only 3 of its 5 years are simulated, so it spends 30 MSEK, not 50")
    assert lever_notes(model.load_scenario(path)) == [note]
    code, out, err = cli_lines(capsys, "validate", path)
    assert code == 0 and err == [f"{path}: note: {note}"]


def test_levers_within_the_horizon_have_no_notes(baseline):
    scenario = model.load_scenario(BASELINE.parent / "portfolio_infrastructure_first.yaml")
    assert lever_notes(scenario) == [] and lever_notes(baseline) == []

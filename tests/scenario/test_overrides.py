"""``--set PATH=VALUE``: read by the rules of scenario files; every error is one line naming the argument, with
exit status 2 and no traceback; text stays text in text fields."""

import pytest

import model
from model.errors import InputError
from model.scenario import set_path, with_set_arguments

from ..support import BASELINE, MINIMAL, cli_lines, write


def run_set(capsys, *values: str, scenario=BASELINE) -> tuple[int, list[str]]:
    argv = ["run", scenario, "--reps", "1", "--workers", "1", "--quiet", "--out", "/nonexistent/never-written"]
    for value in values:
        argv += ["--set", value]
    code, out, err = cli_lines(capsys, *argv)
    assert out == []
    return code, err


@pytest.mark.parametrize("value, reason", [
    ("parameters.p_external=[0.05", "unclosed '['"), ("description=@kommunerna", "a value cannot start with '@'"),
    ("description=`x`", "a value cannot start with '`'"), ('description="abc', "unclosed quote"),
    ("parameters={p_external: 0.1", "unclosed '{'"), ("parameters={a: 1, a: 2}", "a: given twice"),
])
def test_a_value_that_is_not_yaml_is_one_line_naming_the_argument(capsys, value, reason):
    code, err = run_set(capsys, value)
    assert code == 2
    assert err == [f"--set {value}: the value is not valid YAML ({reason}); quote text values"]


def test_an_argument_without_a_value(capsys):
    for value in ("horizon_years", "=5"):
        code, err = run_set(capsys, value)
        assert code == 2 and err == [f"--set {value}: expected PATH=VALUE, e.g. --set parameters.p_external=0.05"]


@pytest.mark.parametrize("value, line", [
    ("horizon_years=on", "horizon_years: expected a whole number, got a yes/no value (on)"),
    ("parameters.p_external=yes", "parameters.p_external: expected a number, got a yes/no value (yes)"),
    ("parameters.p_external='0.05'", "parameters.p_external: expected a number, got text ('0.05'); write it without quotes"),
    ("parameters.p_external=5%", "parameters.p_external: expected a number, got text ('5%'); write a share as a number "
                                 "between 0 and 1, e.g. 0.05"),
    ("parameters.p_external=2", "parameters.p_external: input should be less than or equal to 0.5 (got 2)"),
    ("parameters.p_external=a: b", "parameters.p_external: input should be a valid number"),
    ("start_year=2027-01-01", "start_year: expected a year, got a date (2027-01-01); write the year, e.g. 2027"),
    ("parameters.p_externl=0.1", "parameters.p_externl: unknown key 'p_externl' (did you mean 'p_external'?)"),
    ("innovations.ai_casework.complexity=off", "innovations[2].complexity: expected a number, got a yes/no value (off)"),
    ("levers=[{type: peer_review, budget_msek_per_year: on}]",
     "levers[0].budget_msek_per_year: expected a number, got a yes/no value (on)"),
])
def test_a_wrong_value_is_one_line_naming_the_argument_and_the_field(capsys, value, line):
    code, err = run_set(capsys, value)
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith(f"--set {value}: {line}"), err


def test_an_unknown_list_item_names_the_argument(capsys):
    code, err = run_set(capsys, "innovations.ai_casewrk.complexity=0.5")
    assert code == 2
    assert err == ["--set innovations.ai_casewrk.complexity=0.5: innovations.ai_casewrk: no item named "
                   "'ai_casewrk' (did you mean 'ai_casework'?); items: digital_home_care, service_design, "
                   "ai_casework, remote_care"]


def test_a_problem_a_value_causes_elsewhere_names_the_file(tmp_path, capsys):
    path = write(tmp_path, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
                 "    start_year: 2029\n")
    code, err = run_set(capsys, "horizon_years=2", scenario=path)
    assert code == 2
    assert err == [f"{path} (with --set horizon_years=2): levers[0].start_year: 2029 is after the horizon (the "
                   "scenario simulates 2026-2027); allowed: 2026-2027"]


@pytest.mark.parametrize("value, field, expected", [
    ("description=Test: kommuner under 10k", "description", "Test: kommuner under 10k"),
    ("description=2027", "description", "2027"),
    ("description=yes", "description", "yes"),
    ("description=", "description", ""),
    ("innovations.ai_casework.description=AI: beslut", "innovations[2].description", "AI: beslut"),
    ("name=Kommuner i Norrland", "name", "Kommuner i Norrland"),
    ("mechanisms.contagion=complex", "mechanisms.contagion", "complex"),
])
def test_text_stays_text_in_a_text_field(baseline, value, field, expected):
    changed = with_set_arguments(baseline, [value], str(BASELINE))
    if field.startswith("innovations"):
        assert changed.innovations[2].description == expected
    else:
        node = changed
        for part in field.split("."):
            node = getattr(node, part)
        assert node == expected


def test_a_text_field_that_is_not_free_text_still_checks_the_text(baseline):
    with pytest.raises(InputError) as exc:
        with_set_arguments(baseline, ["mechanisms.contagion=a: b"], str(BASELINE))
    assert str(exc.value).startswith("--set mechanisms.contagion=a: b: mechanisms.contagion: 'a: b' is not allowed")
    with pytest.raises(InputError, match="--set name=a/b: name: 'a/b' cannot be a scenario name"):
        with_set_arguments(baseline, ["name=a/b"], str(BASELINE))


def test_values_are_yaml_where_the_field_is_not_text(baseline):
    changed = with_set_arguments(baseline, ["parameters.p_external=1e-2", "horizon_years=08", "world.agencies=no"],
                                 str(BASELINE))
    assert changed.parameters.p_external == 0.01 and changed.horizon_years == 8 and changed.world.agencies is False


def test_set_path_returns_where_it_set_and_what_was_there():
    data = {"a": {"b": 1}, "items": [{"name": "Stöd"}, {"type": "peer_review"}]}
    assert set_path(data, "a.b", 2) == (("a", "b"), 1)
    assert set_path(data, "items.stöd.x", 3) == (("items", 0, "x"), None)
    assert set_path(data, "items.1.type", "change_teams") == (("items", 1, "type"), "peer_review")
    with pytest.raises(InputError, match="index 5 out of range"):
        set_path(data, "items.5", 1)
    with pytest.raises(InputError, match="cannot set a field inside a int"):
        set_path(data, "a.b.c", 1)


def test_python_overrides_follow_the_number_rules(baseline):
    with pytest.raises(InputError, match="<override>: horizon_years: expected a whole number, got a yes/no value"):
        model.with_overrides(baseline, {"horizon_years": True})
    assert model.with_overrides(baseline, {"horizon_years": 3.0}).horizon_years == 3

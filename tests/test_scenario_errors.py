"""Bad scenario files stop with one clear message naming the file, the field and what is allowed (exit 2)."""

import textwrap

import pytest

import model
from model.parameters import BY_NAME
from model.cli import main

from .support import assert_scenario_rejected as check


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MINIMAL = """
name: t
innovations:
  - name: x
"""




def test_a_minimal_file_is_valid(tmp_path):
    scenario = model.load_scenario(write(tmp_path, MINIMAL))
    assert scenario.parameters.p_external == BY_NAME["p_external"].default and scenario.horizon_years == 10


def test_unknown_key_suggests_the_closest(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "horizon_yeras: 5\n", "horizon_yeras", "did you mean 'horizon_years'",
          "allowed keys")


def test_misspelt_parameter_suggests_the_closest(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "parameters:\n  p_externl: 0.1\n", "parameters.p_externl",
          "did you mean 'p_external'")


def test_wrong_type(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "parameters:\n  p_external: lots\n", "bad.yaml:6: parameters.p_external",
          "expected a number, got text ('lots')")


def test_value_out_of_range(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "parameters:\n  p_external: 1.5\n", "parameters.p_external",
          "less than or equal to 0.5")


def test_bad_choice_lists_the_allowed(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "mechanisms:\n  contagion: complx\n", "mechanisms.contagion",
          "did you mean 'complex'", "'simple' or 'complex'")


def test_nested_innovation_field(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "  - name: y\n    complexity: 2\n", "innovations[1].complexity")
    check(tmp_path, capsys, MINIMAL + "  - name: y\n    applies_to: [kommun]\n", "innovations[1].applies_to[0]",
          "'municipality'")


def test_missing_required_innovations(tmp_path, capsys):
    check(tmp_path, capsys, "name: t\n", "innovations", "required field is missing")


def test_duplicate_innovation_names(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "  - name: x\n", "innovation names must be unique")


def test_unknown_lever(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "levers:\n  - type: magic_wand\n", "levers[0].type", "unknown lever")


def test_invalid_yaml_says_where(tmp_path, capsys):
    check(tmp_path, capsys, "name: t\ninnovations: [\n", "invalid YAML", "line")


def test_not_a_mapping(tmp_path, capsys):
    check(tmp_path, capsys, "- just\n- a list\n", "must be a mapping")


def test_empty_file(tmp_path, capsys):
    check(tmp_path, capsys, "", "empty")


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.yaml"
    with pytest.raises(model.InputError, match="file not found"):
        model.load_scenario(path)
    assert main(["run", str(path)]) == 2
    assert "nope.yaml: file not found" in capsys.readouterr().err


def test_bad_override_on_the_command_line(capsys):
    assert main(["run", "scenarios/baseline.yaml", "--set", "parameters.p_external=2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "parameters.p_external" in err and "less than or equal" in err and "Traceback" not in err


def test_bad_command_line_numbers(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "scenarios/baseline.yaml", "--reps", "0"])
    assert exit_.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err

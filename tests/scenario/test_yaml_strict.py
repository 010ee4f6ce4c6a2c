"""Reading YAML strictly: a key given twice is an error anywhere, yes/no words are not numbers, numbers are
read as YAML 1.2 reads them, and every key's line is known."""

import pytest

import model
from model.errors import InputError
from model.yamlio import SourceMap, parse_value, parse_yaml, read_yaml

from ..support import MINIMAL, assert_scenario_rejected as check, write

LEVER = MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"


# --- keys given twice -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, line", [
    ("name: t\nhorizon_years: 5\ninnovations:\n  - name: x\nhorizon_years: 3\n",
     "5: horizon_years: given twice (lines 2 and 5)"),
    (MINIMAL + "parameters:\n  p_external: 0.02\n  beta_county: 0.1\n  p_external: 0.05\n",
     "8: parameters.p_external: given twice (lines 6 and 8)"),
    (MINIMAL + "    complexity: 0.2\n    evidence: 0.1\n    complexity: 0.3\n",
     "7: innovations[0].complexity: given twice (lines 5 and 7)"),
    (LEVER + "    budget_msek_per_year: 6\n", "8: levers[0].budget_msek_per_year: given twice (lines 7 and 8)"),
    (LEVER + "    target:\n      by: all\n      kinds: [region]\n      by: capacity\n",
     "11: levers[0].target.by: given twice (lines 9 and 11)"),
    (LEVER + "    target: {by: all, by: capacity}\n", "8: levers[0].target.by: given twice (line 8)"),
    ("name: t\nname: u\nname: v\ninnovations:\n  - name: x\n", "3: name: given 3 times (lines 1, 2 and 3)"),
])
def test_a_key_given_twice_is_an_error_naming_the_path_and_both_lines(tmp_path, capsys, text, line):
    message = check(tmp_path, capsys, text, "keep one of them")
    assert f"bad.yaml:{line}; keep one of them" in message


def test_every_repeated_key_is_reported_with_the_other_problems_by_line(tmp_path, capsys):
    text = "name: t\nhorizon_years: 0\ninnovations:\n  - name: x\nname: u\n"
    message = check(tmp_path, capsys, text)
    path = tmp_path / "bad.yaml"
    assert message.splitlines() == [
        f"{path}:2: horizon_years: input should be greater than or equal to 1 (got 0)",
        f"{path}:5: name: given twice (lines 1 and 5); keep one of them"]


def test_read_yaml_gives_the_data_and_the_line_of_every_key(tmp_path):
    path = write(tmp_path, "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: on\n")
    data, where = read_yaml(path)
    assert data == {"a": 1, "b": {"c": ["x", "y"], "d": [{"e": True}]}}
    assert isinstance(where, SourceMap)
    assert where.line(("b", "c")) == 3 and where.line(("b", "d", 0, "e")) == 5
    assert where.line(("b", "c", 1)) == 3 and where.line(("b", "missing")) == 2 and where.line(()) is None
    assert where.text(("b", "d", 0, "e")) == "on" and where.text(("a",)) == "1"


def test_read_yaml_refuses_repeated_keys_for_every_file_kind(tmp_path):
    # experiment files are read by the same function
    path = write(tmp_path, "method: sobol\nN: 8\nfactors: []\nN: 16\n", "experiment.yaml")
    with pytest.raises(InputError) as exc:
        read_yaml(path)
    assert str(exc.value) == f"{path}:4: N: given twice (lines 2 and 4); keep one of them"
    with pytest.raises(InputError, match="given twice"):
        model.scenario.read_yaml(path)  # the scenario module's reader is the same reader
    assert parse_yaml("a: 1\na: 2\n").duplicates[0].loc == ("a",)


# --- yes/no words are not numbers -------------------------------------------------------------------------
@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "true", "false", "Yes", "ON"])
@pytest.mark.parametrize("where, text, expected", [
    ("horizon_years", "name: t\nhorizon_years: {w}\ninnovations:\n  - name: x\n", "a whole number"),
    ("parameters.p_external", MINIMAL + "parameters:\n  p_external: {w}\n", "a number"),
    ("parameters.complex_threshold", MINIMAL + "parameters:\n  complex_threshold: {w}\n", "a whole number"),
    ("innovations[0].pilot_quarters", MINIMAL + "    pilot_quarters: {w}\n", "a whole number"),
    ("levers[0].budget_msek_per_year", MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: {w}\n",
     "a number"),
    ("levers[0].start_year", LEVER + "    start_year: {w}\n", "a year"),
    ("levers[0].cost_per_review_msek", LEVER + "    cost_per_review_msek: {w}\n", "a number"),
    ("levers[0].target.share", LEVER + "    target: {{by: random, share: {w}}}\n", "a number"),
    ("levers[0].target.count", LEVER + "    target: {{by: random, count: {w}}}\n", "a whole number"),
])
def test_a_yes_no_word_in_a_number_field_is_refused_with_the_word(tmp_path, capsys, word, where, text, expected):
    check(tmp_path, capsys, text.format(w=word), f": {where}: expected {expected}, got a yes/no value ({word})")


def test_real_switches_still_take_yes_and_no(tmp_path):
    path = write(tmp_path, MINIMAL + "    needs_infrastructure: yes\nworld:\n  agencies: no\n  networks: {county: off}\n")
    scenario = model.load_scenario(path)
    assert scenario.innovations[0].needs_infrastructure is True
    assert scenario.world.agencies is False and scenario.world.networks.county is False


def test_number_fields_take_no_text(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "parameters:\n  p_external: '0.05'\n",
          ":6: parameters.p_external: expected a number, got text ('0.05'); write it without quotes")
    check(tmp_path, capsys, "name: t\nhorizon_years: '5'\ninnovations:\n  - name: x\n",
          ":2: horizon_years: expected a whole number, got text ('5')")


def test_whole_number_fields_take_whole_numbers_written_with_a_point(tmp_path, capsys):
    # decided: 10.0 is the whole number 10 (sweeps and overrides compute floats), 10.5 is refused
    scenario = model.load_scenario(write(tmp_path, "name: t\nhorizon_years: 4.0\ninnovations:\n  - name: x\n"))
    assert scenario.horizon_years == 4 and isinstance(scenario.horizon_years, int)
    check(tmp_path, capsys, "name: t\nhorizon_years: 4.5\ninnovations:\n  - name: x\n",
          ":2: horizon_years: input should be a valid integer, got a number with a fractional part")


def test_numbers_are_read_as_yaml_1_2_reads_them():
    assert parse_yaml("a: 08\nb: 010\nc: 1e-3\nd: 1:30\ne: 100_000\nf: .5\ng: 0x10\n").data == {
        "a": 8, "b": 10, "c": 0.001, "d": "1:30", "e": 100000, "f": 0.5, "g": 16}


def test_a_set_value_is_read_by_the_same_rules():
    assert parse_value("on")[0] is True and parse_value("1e-3")[0] == 0.001 and parse_value("08")[0] == 8
    value, where = parse_value("{a: yes}")
    assert value == {"a": True} and where.text(("a",)) == "yes"
    with pytest.raises(ValueError, match="given twice"):
        parse_value("{a: 1, a: 2}")


def test_a_scalar_that_cannot_be_read_names_its_line(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "description: !!int abc\n",
          "invalid YAML at line 5", "cannot read 'abc'")
    check(tmp_path, capsys, MINIMAL + "start_year: 2027-13-45\n", "invalid YAML at line 5", "month must be in 1..12")

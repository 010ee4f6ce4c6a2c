"""Messages say what to do: amounts in MSEK, years not dates, spaces not tabs, UTF-8, numbers without units."""

import pytest

import model

from ..support import MINIMAL, assert_scenario_rejected as check, cli_lines, write

LEVER = MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"


@pytest.mark.parametrize("text, line", [
    (MINIMAL + "budget_msek_per_year: 150000000\n", "5: budget_msek_per_year"),
    (MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 150000000\n", "7: levers[0].budget_msek_per_year"),
])
def test_an_amount_in_kronor_is_refused_saying_msek(tmp_path, capsys, text, line):
    check(tmp_path, capsys, text, f":{line}: input should be less than or equal to 100000 (got 150000000); amounts "
                                  "are in MSEK (millions of kronor): 150 000 000 kronor is 150 MSEK, so write 150")


def test_a_portfolio_budget_in_msek_is_accepted(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "budget_msek_per_year: -1\n", "greater than or equal to 0")
    scenario = model.load_scenario(write(tmp_path, MINIMAL + "budget_msek_per_year: 100000\n"))
    assert scenario.budget_msek_per_year == 100_000


@pytest.mark.parametrize("text, expected", [
    (MINIMAL + "start_year: 2027-01-01\n",
     ":5: start_year: expected a year, got a date (2027-01-01); write the year, e.g. 2027"),
    (LEVER + "    start_year: 2028-07-01\n",
     ":8: levers[0].start_year: expected a year, got a date (2028-07-01); write the year, e.g. 2028"),
    (LEVER + "    start_year: '2028-07'\n",
     ":8: levers[0].start_year: expected a year, got text ('2028-07'); write the year, e.g. 2028"),
    (MINIMAL + "horizon_years: 2030-01-01\n", ":5: horizon_years: expected a whole number, got a date (2030-01-01)"),
])
def test_a_date_where_a_year_belongs(tmp_path, capsys, text, expected):
    check(tmp_path, capsys, text, expected)


@pytest.mark.parametrize("value, field, hint", [
    ("150 MSEK", "budget_msek_per_year", "write the number of MSEK, e.g. 150"),
    ("150MSEK", "budget_msek_per_year", "write the number of MSEK, e.g. 150"),
    ("2,5 mkr", "budget_msek_per_year", "write the number of MSEK, e.g. 2.5"),
    ("150 000 000 kr", "budget_msek_per_year", "write the number of MSEK, e.g. 150"),
    ("0.3 MSEK", "cost_per_review_msek", "write the number of MSEK, e.g. 0.3"),
    ("10 %", "opt_in_share", "write a share as a number between 0 and 1, e.g. 0.1"),
    ("5%", "opt_in_share", "write a share as a number between 0 and 1, e.g. 0.05"),
    ("0,5", "opt_in_share", "write decimals with a point, e.g. 0.5"),
    ("1 000", "budget_msek_per_year", "write the number without spaces, e.g. 1000"),
    ("40 reviews", "cost_per_review_msek", "write the number alone, e.g. 40"),
    ("4 kvartal", "bonus_quarters", "write the number alone, e.g. 4"),
])
def test_a_number_written_with_a_unit_says_what_to_write(tmp_path, capsys, value, field, hint):
    expected = "a whole number" if field == "bonus_quarters" else "a number"
    text = MINIMAL + f"levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n    {field}: {value}\n"
    if field == "budget_msek_per_year":
        text = MINIMAL + f"levers:\n  - type: peer_review\n    budget_msek_per_year: {value}\n"
    check(tmp_path, capsys, text, f"levers[0].{field}: expected {expected}, got text ('{value}'); {hint}")


def test_a_share_in_percent_in_a_target_and_a_parameter(tmp_path, capsys):
    check(tmp_path, capsys, LEVER + "    target: {by: random, share: 10 %}\n",
          ":8: levers[0].target.share: expected a number, got text ('10 %'); write a share as a number between 0 and "
          "1, e.g. 0.1")
    check(tmp_path, capsys, MINIMAL + "parameters:\n  national_network_share: 35%\n",
          ":6: parameters.national_network_share: expected a number, got text ('35%'); write a share as a number "
          "between 0 and 1, e.g. 0.35")


def test_an_empty_number_and_a_number_where_text_belongs(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "parameters:\n  p_external:\n",
          ":6: parameters.p_external: expected a number, got nothing (the value is empty)")
    check(tmp_path, capsys, MINIMAL + "description: 2027\n",
          ":5: description: input should be a valid string (got 2027); put text in quotes")


def test_a_tab_in_the_indentation(tmp_path, capsys):
    message = check(tmp_path, capsys, "name: t\ninnovations:\n  - name: x\n\t  complexity: 0.2\n")
    assert message == f"{tmp_path / 'bad.yaml'}:4: a tab in the indentation; indent with spaces, not tabs"


def test_a_file_that_is_not_utf8(tmp_path, capsys):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: t\ndescription: Ändring i Västerås\ninnovations:\n  - name: x\n".encode("latin-1"))
    code, _, err = cli_lines(capsys, "validate", latin)
    assert code == 2
    assert err == [f"{latin}:2: not UTF-8 text (byte 0xc4, 'Ä' in Windows-1252/Latin-1); save the file as UTF-8"]
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("name: t\n".encode("utf-16"))
    code, _, err = cli_lines(capsys, "validate", utf16)
    assert code == 2 and err == [f"{utf16}: the file is UTF-16 text, not UTF-8; save it as UTF-8"]
    bom = tmp_path / "bom.yaml"
    bom.write_bytes("name: t\ninnovations:\n  - name: x\n".encode("utf-8-sig"))
    assert cli_lines(capsys, "validate", bom)[0] == 0  # UTF-8 with a byte-order mark is UTF-8


@pytest.mark.parametrize("text, expected", [
    ("name: t\ninnovations: [\n", "invalid YAML at line 2, column 14: unclosed '['; close it with ']'"),
    ("name: t\ninnovations: [{name: x},\n  {name: y}\n", "invalid YAML at line 2, column 14: unclosed '['"),
    ("name: t\ninnovations:\n  - {name: x, # a comment with [\n", "invalid YAML at line 3, column 5: unclosed '{'"),
    ("name: t\ndescription: 'abc\n", "invalid YAML at line 2, column 14: unclosed quote"),
    ("name: t\ndescription: @home\n", "invalid YAML at line 2, column 14: a value cannot start with '@'; "
                                      "put the text in quotes"),
    ("name: t\ndescription: a: b\n", "invalid YAML at line 2, column 15: ': ' inside a value, or a key at the "
                                     "wrong indentation; put text with ': ' in quotes"),
    ("name: t\ndescription: a\x07\n", ":2: a character YAML does not allow (#x0007); save the file as plain UTF-8 text"),
])
def test_invalid_yaml_says_where_and_what_to_do(tmp_path, capsys, text, expected):
    check(tmp_path, capsys, text, expected)


def test_missing_and_folder(tmp_path, capsys):
    code, _, err = cli_lines(capsys, "validate", tmp_path / "nope.yaml", tmp_path)
    assert code == 2 and err == [f"{tmp_path / 'nope.yaml'}: file not found", f"{tmp_path}: is a folder, not a YAML file"]

"""The observed file as spreadsheets save it: read when it can be (a byte-order mark, Windows-1252, ';' and
decimal commas from Swedish Excel), otherwise one line naming the file, the row with its series and year,
the column, the value and what to write — and through the command line, exit status 2, no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.calibrate.observed import OBSERVED_FILE, read_observed
from model.cli import main
from model.errors import InputError

from .test_errors import GOOD, SCENARIO

SHIPPED = OBSERVED_FILE.read_text(encoding="utf-8")
ROW = "gps_larm_aldreomsorg,2020,all,65,"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "observed.csv"
    path.write_bytes(text.encode(encoding))
    return path


def swedish_excel(text: str) -> str:
    """``text`` as Swedish Excel saves it as CSV: ';' between fields, decimal commas, CRLF, a BOM."""
    lines = []
    for line in text.splitlines():
        cells = line.split(",")
        lines.append(";".join(c.replace(".", ",") if c.replace(".", "", 1).isdigit() else c for c in cells))
    return "\ufeff" + "\r\n".join(lines) + "\r\n;;;;;\r\n"


@pytest.mark.parametrize("text, encoding", [
    ("\ufeff" + SHIPPED, "utf-8"),  # Excel's "CSV UTF-8": a byte-order mark before the header
    (swedish_excel(SHIPPED.replace(ROW, "gps_larm_aldreomsorg,2020,all,65.0,")), "utf-8"),
    (SHIPPED, "cp1252"),  # Excel's plain "CSV" on Windows (the shipped file is ASCII: same bytes)
])
def test_files_as_spreadsheets_save_them_are_read(tmp_path, text, encoding):
    assert read_observed(write(tmp_path, text, encoding)) == read_observed()


def test_a_windows_1252_file_with_letters_beyond_ascii_is_read(tmp_path):
    text = SHIPPED.replace(ROW, "gps_larm_äldreomsorg,2020,all,65,")
    points = read_observed(write(tmp_path, text, "cp1252"))
    assert [p.share for p in points if p.series == "gps_larm_äldreomsorg"] == [0.65]


def test_a_decimal_comma_in_a_semicolon_file_is_the_number(tmp_path):
    text = swedish_excel(SHIPPED.replace(ROW, "gps_larm_aldreomsorg,2020,all,65.5,"))
    points = read_observed(write(tmp_path, text))
    assert [p.share for p in points if p.series == "gps_larm_aldreomsorg"] == [pytest.approx(0.655)]


@pytest.mark.parametrize("cell, expected", [
    ('"65,0"', "row 14 (gps_larm_aldreomsorg, 2020): share_pct '65,0' is not a number: the file is separated "
               "by ',' and this value has a decimal comma; use a decimal point (65.0)"),
    ("65%", "row 14 (gps_larm_aldreomsorg, 2020): share_pct '65%' is not a number; write a number such as 65"),
    ("inf", "row 14 (gps_larm_aldreomsorg, 2020): share_pct 'inf' is not a finite number"),
])
def test_a_cell_that_is_not_a_number_is_named(tmp_path, cell, expected):
    path = write(tmp_path, SHIPPED.replace(ROW, f"gps_larm_aldreomsorg,2020,all,{cell},"))
    with pytest.raises(InputError) as caught:
        read_observed(path)
    assert str(caught.value).startswith(f"{path}: {expected}"), caught.value


@pytest.mark.parametrize("row, expected", [
    ("gps_larm_aldreomsorg,20x0,all,65,", "row 14 (gps_larm_aldreomsorg): year '20x0' is not a number; write a "
                                          "whole number"),
    ("gps_larm_aldreomsorg,2020.5,all,65,", "row 14 (gps_larm_aldreomsorg): year '2020.5' is not a whole number"),
    ("gps_larm_aldreomsorg,2020,all,,0", "row 14 (gps_larm_aldreomsorg, 2020): n_municipalities 0 is not between "
                                         "1 and 290"),
    ("gps_larm_aldreomsorg,2020,all,NaN,", "row 14 (gps_larm_aldreomsorg, 2020): neither share_pct nor "
                                           "n_municipalities is given"),
    (",2020,all,65,", "row 14: innovation is empty"),
])
def test_a_bad_row_is_named(tmp_path, row, expected):
    path = write(tmp_path, SHIPPED.replace(ROW, row))
    with pytest.raises(InputError, match="^" + re.escape(f"{path}: {expected}")):
        read_observed(path)


def test_a_header_that_names_no_column_says_what_it_has_and_needs(tmp_path):
    path = write(tmp_path, SHIPPED.replace(",", "|"))
    with pytest.raises(InputError) as caught:
        read_observed(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: missing column(s) innovation, year,") and "the header line has innovation|" in message
    assert "separated by ','" in message


def test_unreadable_bytes_and_an_empty_file_are_named(tmp_path):
    with pytest.raises(InputError, match="not a text file in UTF-8 or Windows-1252"):
        read_observed(write(tmp_path, "innovation\n\x81", "latin-1"))
    with pytest.raises(InputError, match="the observed file is empty"):
        read_observed(write(tmp_path, ""))


def test_the_command_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "tiny.yaml").write_text(SCENARIO.replace("horizon_years: 6", "horizon_years: 14"), encoding="utf-8")
    write(tmp_path, SHIPPED.replace(ROW, 'gps_larm_aldreomsorg,2020,all,"65,0",'))
    path = tmp_path / "cal.yaml"
    path.write_text(GOOD.replace("targets:\n", "targets:\n  observed: observed.csv\n"), encoding="utf-8")
    assert main(["calibrate", str(path), "--check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "share_pct '65,0' is not a number" in err and "Traceback" not in err

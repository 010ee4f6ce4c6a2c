"""Names as people write them: counties and regions in every official form, Unicode normalisation, names that
are both a county and a municipality, suggestions that never repeat the input, labels and file names."""

import unicodedata

import numpy as np
import pytest

import model
from model.errors import suggest
from model.levers.targeting import Target, eligible_mask
from model.names import check_label, normalise, safe_file_name
from model.world.names import COUNTY_LETTERS, county_code, county_index, county_problem, resolve_place
from model.world.organisations import load_organisations, read_csv

from ..support import MINIMAL, assert_scenario_rejected as check, write


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize("label, code", [
    ("Stockholms län", "01"), ("Stockholm", "01"), ("Region Stockholm", "01"), ("stockholms LÄN", "01"),
    ("Region Sörmland", "04"), ("Sörmland", "04"), ("Södermanlands län", "04"), ("Region Södermanland", "04"),
    ("Västra Götalandsregionen", "14"), ("Region Västra Götaland", "14"), ("Västra  Götalands län ", "14"),
    ("Region Jämtland Härjedalen", "23"), ("Jämtlands län", "23"), ("Region Jönköpings län", "06"),
    ("Region Jönköping", "06"), ("Region Gotland", "09"), ("Gotland", "09"), ("Region Skåne", "12"),
    ("Region Kalmar län", "08"), ("Region Örebro län", "18"), ("Stockholm County", "01"),
    ("01", "01"), ("1", "01"), (1, "01"), (14, "14"), ("R14", "14"), ("r14", "14"), ("R1", "01"),
    ("AB", "01"), ("C", "03"), ("ab", "01"), ("AC", "24"), ("BD", "25"), ("O", "14"),
    (nfd("Västra Götalands län"), "14"), (nfd("Region Sörmland"), "04"),
])
def test_every_way_of_writing_a_county_names_it(label, code):
    assert county_code(label) == code
    assert county_problem(label) is None


def test_county_letters_are_the_official_ones_and_distinct():
    codes = [r["county_code"] for r in read_csv("regions.csv")]
    assert sorted(COUNTY_LETTERS) == sorted(codes)
    assert len(set(COUNTY_LETTERS.values())) == 21
    for code, letter in COUNTY_LETTERS.items():
        assert county_code(letter) == code and county_code(letter.lower()) == code


def test_not_a_county():
    for label in ("Narnia", "R99", "99", 99, True, "Z Z", ""):
        assert county_index(label) is None
    assert county_problem("Norrbotens län").startswith(
        "unknown region 'Norrbotens län' (did you mean 'Norrbottens län'?); use a county name")
    assert county_problem(True, forms=False) == "expected a county name or code, got a yes/no value (true)"


def test_a_name_that_is_a_county_and_a_municipality_asks_where_both_are_possible():
    with pytest.raises(ValueError) as exc:
        resolve_place("Uppsala")
    assert str(exc.value) == (
        "'Uppsala' is both a county (Uppsala län, code 03) and a municipality (Uppsala, code 0380); write "
        "'Uppsala län' or 'Region Uppsala' for the county, or 'Uppsala kommun' or '0380' for the municipality")
    for name in ("Stockholm", "Gotland", "Jönköping", "Kalmar", "Örebro", nfd("Örebro")):
        with pytest.raises(ValueError, match="is both a county"):
            resolve_place(name)
    # in a field that means a county it is the county; written unambiguously it is one place
    assert resolve_place("Uppsala", ("county",)).code == "03"
    assert resolve_place("Uppsala", ("municipality",)).code == "0380"
    assert resolve_place("Uppsala kommun").kind == "municipality"
    assert resolve_place("Stockholms stad").code == "0180"
    assert resolve_place("0380").kind == "municipality" and resolve_place(380).code == "0380"
    assert resolve_place("Region Uppsala").kind == "county" and resolve_place("Uppsala län").code == "03"
    assert resolve_place("Kiruna").name == "Kiruna"
    with pytest.raises(ValueError, match="unknown place 'Kirunaa' \\(did you mean 'Kiruna'\\?\\)"):
        resolve_place("Kirunaa")


def test_a_county_field_reads_a_shared_name_as_the_county():
    orgs = load_organisations(True, True)
    kinds = ["municipality", "region"]
    by_name = eligible_mask(Target(by="region", regions=["Stockholms län"], kinds=kinds), orgs)
    for label in ("Stockholm", "AB", "Region Stockholm", 1, "01"):
        assert np.array_equal(eligible_mask(Target(by="region", regions=[label], kinds=kinds), orgs), by_name), label
    assert by_name.sum() == 27  # 26 municipalities and Region Stockholm


def test_county_codes_written_as_yaml_numbers_are_accepted(tmp_path):
    path = write(tmp_path, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
                 "    target: {by: region, regions: [1, 01, 14, 08, AB, Gotland]}\n")
    target = model.load_scenario(path).levers[0].target
    assert target.regions == ["01", "01", "14", "08", "AB", "Gotland"]
    assert [county_code(r) for r in target.regions] == ["01", "01", "14", "08", "01", "09"]


def test_every_unknown_region_is_listed_once_with_the_forms(tmp_path, capsys):
    message = check(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
                    "    target:\n      by: region\n      regions: [Norrbotens län, Västergötlandia, yes]\n",
                    ":10: levers[0].target.regions: unknown region 'Norrbotens län' (did you mean 'Norrbottens "
                    "län'?); unknown region 'Västergötlandia'",
                    "; expected a county name or code, got a yes/no value (true); use a county name")
    assert message.count("use a county name") == 1


def test_suggestions_never_repeat_the_input():
    assert suggest(nfd("Västra Götalands län"), ["Västra Götalands län"]) == ""
    assert suggest("STOCKHOLMS LÄN", ["Stockholms län"], same=normalise) == ""  # where matching ignores case
    assert suggest("P_External", ["p_external"]) == " (did you mean 'p_external'?)"  # where it does not
    assert suggest("Stockholms lan", ["Stockholms län"]) == " (did you mean 'Stockholms län'?)"
    assert suggest(nfd("peer_reveiw"), ["peer_review"]) == " (did you mean 'peer_review'?)"
    assert normalise(nfd("  Region   Sörmland ")) == "region sörmland"


# --- labels: scenario and lever names -----------------------------------------------------------------------
def test_names_may_hold_swedish_letters_and_spaces(tmp_path):
    text = ("name: Kommuner i Norrland\nhorizon_years: 5\ninnovations:\n  - name: x\nlevers:\n"
            f"  - type: peer_review\n    name: {nfd('stöd till små kommuner')}\n    budget_msek_per_year: 5\n")
    scenario = model.load_scenario(write(tmp_path, text))
    assert scenario.name == "Kommuner i Norrland"
    assert scenario.levers[0].name == "stöd till små kommuner"  # stored composed (NFC)
    changed = model.with_overrides(scenario, {"levers.Stöd till små kommuner.budget_msek_per_year": 7})
    assert changed.levers[0].budget_msek_per_year == 7


@pytest.mark.parametrize("name, part", [("a/b", "'/' not allowed"), ("v1.2", "'.' not allowed"),
                                        ("'  '", "cannot be empty"), ("-x", "start with a letter or digit"),
                                        ("a:b", "':' not allowed"), ("x" * 81, "at most 80")])
def test_names_that_cannot_be_names_are_refused(tmp_path, capsys, name, part):
    check(tmp_path, capsys, f"name: {name}\ninnovations:\n  - name: x\n", ":1: name:", part)
    check(tmp_path, capsys, MINIMAL + f"levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n    name: {name}\n",
          ":8: levers[0].name:", part)


def test_two_lever_names_equal_after_normalisation_collide(tmp_path, capsys):
    check(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_review\n    name: Stöd\n    budget_msek_per_year: 5\n"
          f"  - type: change_teams\n    name: {nfd('stöd')}\n    budget_msek_per_year: 5\n",
          ":10: levers[1].name: 'stöd' is already used by levers[0]")


def test_check_label():
    assert check_label(nfd(" Kommuner  i Norrland ")) == "Kommuner i Norrland"
    with pytest.raises(ValueError, match="cannot be a lever name"):
        check_label("a\\b", "a lever name")


@pytest.mark.parametrize("label, safe", [
    ("Kommuner i Norrland", "Kommuner_i_Norrland"), ("stöd till små kommuner", "stod_till_sma_kommuner"),
    (nfd("Ångermanälven"), "Angermanalven"), ("peer_review", "peer_review"), ("a/b\\c:d", "a_b_c_d"),
    ("Østersjø & Æbleø", "Ostersjo_AEbleo"), ("...", "unnamed"), ("", "unnamed"), ("-x-", "x"),
    ("x" * 100, "x" * 80),
])
def test_safe_file_name(label, safe):
    assert safe_file_name(label) == safe
    assert safe_file_name(safe) == safe  # idempotent

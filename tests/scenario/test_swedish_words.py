"""Suggestions for names written as people write them: Swedish words for levers, kinds and targeting rules,
and counties, lands and provinces written where a county belongs."""

import pytest

import model
import model.levers  # noqa: F401  (the levers register their Swedish words as they load)
from model.errors import suggest
from model.levers.registry import REGISTRY
from model.levers.targeting import TargetBy
from model.names import ALIASES, alias_of
from model.world.names import LANDS, county_code, county_problem, resolve_place

from ..support import MINIMAL, assert_scenario_rejected as check, cli_lines, write

LEVER_WORDS = [
    ("förändringsteam", "change_teams"), ("Förändringsteam", "change_teams"),
    ("kollegial granskning", "peer_review"), ("Kollegial-granskning", "peer_review"), ("peer review", "peer_review"),
    ("pilotbidrag", "pilot_grants"), ("uppskalningsstöd", "scale_up_grants"),
    ("stöd till små kommuner", "small_actor_grants"), ("infrastruktur", "infrastructure"),
    ("lärande nätverk", "learning_networks"), ("upphandling", "procurement"),
    ("utbildningsnätverk", "training_networks"), ("jobbskuggning", "job_shadowing"),
]


def test_every_lever_declares_swedish_words():
    for name, cls in REGISTRY.items():
        if name == "earmarked_grant":
            continue
        assert cls.swedish, f"{name} declares no Swedish words"
        for word in cls.swedish:
            assert alias_of(word, REGISTRY) == name


def test_no_word_stands_for_two_names():
    words = [w for cls in REGISTRY.values() for w in cls.swedish]
    assert len(words) == len(set(words))
    assert set(ALIASES.values()) >= set(REGISTRY) - {"earmarked_grant"}


@pytest.mark.parametrize("word, lever", LEVER_WORDS)
def test_a_swedish_lever_word_suggests_the_lever(tmp_path, capsys, word, lever):
    text = MINIMAL + f"levers:\n  - type: {word}\n    budget_msek_per_year: 5\n"
    check(tmp_path, capsys, text, f":6: levers[0].type: unknown lever '{word}' (did you mean '{lever}'?)")


@pytest.mark.parametrize("word, kind", [("kommun", "municipality"), ("kommuner", "municipality"),
                                        ("Region", "region"), ("landsting", "region"),
                                        ("myndighet", "agency"), ("myndigheter", "agency")])
def test_a_swedish_kind_suggests_the_kind(tmp_path, capsys, word, kind):
    text = MINIMAL + f"levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n    target:\n      kinds: [{word}]\n"
    if word == "Region":  # the English word, only capitalised: a plain suggestion
        check(tmp_path, capsys, text, "'Region' is not allowed (did you mean 'region'?)")
        return
    check(tmp_path, capsys, text, f"'{word}' is not allowed (did you mean '{kind}'?)")


@pytest.mark.parametrize("word, rule", [("kapacitet", "capacity"), ("ansökan", "application"),
                                        ("slumpvis", "random"), ("alla", "all")])
def test_a_swedish_targeting_rule_suggests_the_rule(word, rule):
    assert suggest(word, TargetBy.__args__) == f" (did you mean '{rule}'?)"


def test_an_alias_is_suggested_only_where_its_name_is_allowed():
    assert alias_of("kommun", ["municipality", "region"]) == "municipality"
    assert alias_of("kommun", ["peer_review"]) is None
    assert suggest("kommun", ["change_teams", "peer_review"]) == ""


@pytest.mark.parametrize("label, code", [
    ("Norrbotten", "25"), ("Norrbottens län", "25"), ("Norrbotten län", "25"), ("region norrbotten", "25"),
    ("Västra Götaland", "14"), ("VG", "14"), ("vgr", "14"), ("Region VG", "14"), ("Västra Götalands län", "14"),
    ("Region Västra Götaland", "14"), ("Sörmland", "04"), ("Stockholm län", "01"),
])
def test_a_county_as_people_write_it(label, code):
    assert county_code(label) == code and county_problem(label) is None


def test_norrland_names_its_counties_not_sormland(tmp_path, capsys):
    text = MINIMAL + ("levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n    target:\n      by: region\n"
                      "      regions: [Norrland]\n")
    message = check(tmp_path, capsys, text, "'Norrland' is a land (landsdel) of several counties, not one county; "
                    "list its counties instead: [Gävleborg, Västernorrland, Jämtland, Västerbotten, Norrbotten]")
    assert "Sörmland" not in message
    # and the counties it names are accepted as written
    fixed = text.replace("[Norrland]", "[Gävleborg, Västernorrland, Jämtland, Västerbotten, Norrbotten]")
    scen = model.load_scenario(write(tmp_path, fixed, "ok.yaml"))
    assert [county_code(r) for r in scen.levers[0].target.regions] == ["21", "22", "23", "24", "25"]


@pytest.mark.parametrize("label, expected", [
    ("Svealand", "[Stockholm, Uppsala, Södermanland, Värmland, Örebro, Västmanland, Dalarna]"),
    ("Götaland län", "of several counties"),
    ("Hälsingland", "'Hälsingland' is a province (landskap), not a county; it lies in Gävleborg: write 'Gävleborg'"),
    ("Småland", "[Jönköping, Kronoberg, Kalmar]"),
    ("Norland", "unknown region 'Norland' (did you mean 'Norrland'?); 'Norrland' is a land (landsdel)"),
])
def test_lands_and_provinces_name_their_counties(label, expected):
    assert expected in county_problem(label)
    with pytest.raises(ValueError, match="several counties|province|Norrland|Nora"):
        resolve_place(label)  # where a municipality may stand too, 'Norland' is closest to Nora


def test_every_land_names_known_counties():
    for land, codes in LANDS.items():
        assert codes and all(county_code(code) == code for code in codes), land
        assert county_code(land) is None, land  # a land is never read as a county


def test_validate_prints_the_suggestion(tmp_path, capsys):
    path = write(tmp_path, MINIMAL + "levers:\n  - type: förändringsteam\n    budget_msek_per_year: 5\n")
    code, _, err = cli_lines(capsys, "validate", path)
    assert code == 2 and "(did you mean 'change_teams'?)" in err[0]

"""Lever targets: a count that no world could meet is refused where it is written."""

import pytest

import model
from model.errors import InputError

from ..support import MINIMAL, assert_scenario_rejected as check

LEVER = MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n    target:\n      by: random\n"


@pytest.mark.parametrize("extra, count, admitted, kinds", [
    ("", "1e12", 290, "municipality"),
    ("", "291", 290, "municipality"),
    ("      kinds: [region]\n", "22", 21, "region"),
    ("      size_bands: ['>100k']\n", "50", 20, "municipality in the size bands and regions given"),
    ("      regions: ['Gotlands län']\n", "2", 1, "municipality in the size bands and regions given"),
])
def test_a_count_above_the_organisations_admitted_is_refused_at_its_line(tmp_path, capsys, extra, count,
                                                                           admitted, kinds):
    text = LEVER + extra + f"      count: {count}\n"
    line = text.count("\n")
    number = int(float(count))
    message = check(tmp_path, capsys, text, f"bad.yaml:{line}: levers[0].target.count: {number} is more than the "
                    f"{admitted} organisations this target admits ({kinds}); give at most {admitted}, or share: "
                    "1.0 for all of them")
    assert len(message.splitlines()) == 1


def test_a_count_of_every_organisation_admitted_is_accepted(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(LEVER + "      count: 290\n", encoding="utf-8")
    assert model.load_scenario(path).levers[0].target.count == 290


@pytest.mark.parametrize("value", ["1e12", ".nan", ".inf"])
def test_an_absurd_count_given_with_set_is_refused(tmp_path, value):
    from model.scenario import with_set_arguments

    path = tmp_path / "ok.yaml"
    path.write_text(LEVER + "      count: 10\n", encoding="utf-8")
    scenario = model.load_scenario(path)
    with pytest.raises(InputError, match="count"):
        with_set_arguments(scenario, [f"levers.peer_review.target.count={value}"], source=str(path))

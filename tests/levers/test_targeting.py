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


@pytest.mark.parametrize("seed", range(4))
def test_the_first_places_in_order_are_those_a_full_sort_gives_ties_and_nan_included(seed):
    """Targeting sorts only the candidates that can be among the first places (issue 21): the positions,
    and their order, are those of ``np.lexsort`` / a stable ``np.argsort`` of all of them, bit for bit —
    with ties in the key (a homogeneous world's equal capacities), ties in the tiebreak, and NaN keys."""
    import numpy as np

    from model.levers.targeting import first_in_order

    rng = np.random.default_rng(seed)
    for trial in range(2000):
        m, places = int(rng.integers(1, 40)), int(rng.integers(1, 45))
        key = [rng.random(m), rng.integers(0, 3, m).astype(float), np.full(m, 0.5),
               np.where(rng.random(m) < 0.2, np.nan, rng.integers(0, 4, m).astype(float))][trial % 4]
        tiebreak = rng.random(m) if trial % 3 else rng.integers(0, 2, m).astype(float)
        assert np.array_equal(first_in_order(places, key, tiebreak), np.lexsort((tiebreak, key))[:places])
        assert np.array_equal(first_in_order(places, key), np.argsort(key, kind="stable")[:places])

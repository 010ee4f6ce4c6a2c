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


def _call_numpy(rng, candidates, places, limit, half, noise, overhead, capacity, bonus, free):
    """The NumPy rule a target's call ran before it was compiled (model.levers.targeting.Targeting._call), with
    the C library's log (targeting_kernel.log_capacity_of): the chosen, and who applied."""
    import math

    import numpy as np

    if limit is not None:
        places = min(places, limit)
    free = np.maximum(free, 0.0)
    u, z = rng.random(len(capacity)), rng.standard_normal(len(capacity))
    applicants = candidates & (u < free / (free + half))
    left = bonus - np.where(applicants, overhead, 0.0) if overhead > 0 else bonus
    idx = np.flatnonzero(applicants)
    logs = np.array([math.log(c) for c in np.maximum((capacity + left)[idx], 1e-9).tolist()])
    quality = logs + noise * z[idx]
    return idx[np.argsort(-quality, kind="stable")[:places]], applicants


@pytest.mark.parametrize("seed", range(6))
def test_a_call_chooses_as_the_numpy_rule_with_the_same_draws(seed):
    """Who applies (free capacity), the ranking (log of the capacity left after the overhead, plus noise; equal
    qualities in the organisations' order), the limit and the places: the compiled call
    (targeting_kernel.chosen_by_call) against the NumPy rule, and the generator left at the same draw."""
    import numpy as np

    from model.levers.targeting_kernel import CallChoice, Loads, chosen_by_call, free_capacity

    rng = np.random.default_rng(seed)
    n, k = 60, 4
    stage = rng.integers(0, 5, (n, k)).astype(np.int8)
    loads = Loads(stage, rng.integers(0, 9, (n, k)).astype(np.int16), *(rng.random(k) for _ in range(3)), 4)
    capacity = rng.random(n) * 3
    if seed % 2:  # equal capacities, no noise: equal qualities keep the organisations' order
        capacity[:] = 1.5
    bonus, load = rng.normal(0, 0.3, n), rng.random((n, k)) * 2
    candidates = rng.random(n) < 0.7
    limit = [None, 5][seed % 3 == 2]
    call = CallChoice(0.5, 0.0 if seed % 2 else 0.4, [0.0, 0.1][seed % 2], -1 if limit is None else limit)
    places = 8 + seed
    a, b = np.random.default_rng(100 + seed), np.random.default_rng(100 + seed)
    applied = np.zeros(n, dtype=bool)
    chosen = chosen_by_call(a, candidates, places, call, capacity, bonus, load, loads, applied)
    free = free_capacity(capacity, bonus, load, loads)
    expected, applicants = _call_numpy(b, candidates, places, limit, call.half_capacity, call.noise,
                                       call.overhead_capacity, capacity, bonus, free)
    np.testing.assert_array_equal(chosen, expected)
    np.testing.assert_array_equal(applied, applicants)
    assert 0 < len(chosen) <= (limit or places) and applicants.sum() > len(chosen) // 2
    assert a.random() == b.random()

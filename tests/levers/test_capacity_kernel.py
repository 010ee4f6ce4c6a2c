"""model/levers/capacity_kernel.py gives back a quarter's taken or lent capacity as the NumPy rule it replaced
did (``if taken.any(): capacity_bonus += taken; taken[:] = 0``), bit for bit, signed zeros and NaN too."""

import numpy as np
import pytest

from model.levers.capacity_kernel import give_back


def numpy_rule(capacity_bonus, taken):
    if taken.any():
        capacity_bonus += taken
        taken[:] = 0.0
        return True
    return False


def bits(a):
    return np.ascontiguousarray(a).view(np.uint8)


@pytest.mark.parametrize("case", ["random", "zeros", "negative zeros", "one lent", "nan", "empty"])
def test_give_back_is_the_numpy_rule_bit_for_bit(case):
    rng = np.random.default_rng(len(case))
    n = 0 if case == "empty" else 50
    bonus = rng.normal(0, 1, n) * rng.integers(0, 2, n)  # zeros among them
    bonus[::7] = -0.0
    taken = {"random": rng.normal(0, 1, n), "zeros": np.zeros(n), "negative zeros": np.full(n, -0.0),
             "one lent": np.where(np.arange(n) == 3, -0.25, 0.0), "nan": np.where(np.arange(n) == 9, np.nan, 0.0),
             "empty": np.zeros(0)}[case]
    mine_bonus, mine_taken = bonus.copy(), taken.copy()
    gave = give_back(mine_bonus, mine_taken)
    expected = numpy_rule(bonus, taken)
    assert gave == expected == (case in ("random", "one lent", "nan"))
    assert np.array_equal(bits(mine_bonus), bits(bonus)) and np.array_equal(bits(mine_taken), bits(taken))

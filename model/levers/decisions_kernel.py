"""Who asks for help as a pilot nears its scale decision, and the bonus that help gives, compiled: the
per-quarter part of :mod:`model.levers.decisions` that change teams (ID 15) and peer reviews (ID 2) run
(issue 21: levers decided in compiled code).

The rules are :func:`model.levers.decisions.near_decision` and the levers' own (their module docstrings);
these kernels do them cell by cell with the same arithmetic, so the results are the same bit for bit
(``tests/levers/test_compiled_levers.py`` checks them against the vectorised rules). They draw no random
numbers.
"""

from __future__ import annotations

import numpy as np

from ..environment import njit
from ..stages import PILOTING

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with change teams or peer review in this environment, about 1 s)"


@njit(announce=COMPILING, error_model="numpy")
def asking_for_team(stage, pilot_age, applicable, pilot_quarters, lead_quarters, until, visited, repeat_visits, t):
    """(n,) bool: who asks for a change team in quarter ``t``: an organisation running a pilot of an
    applicable innovation whose scale decision falls within ``lead_quarters``
    (:func:`model.levers.decisions.near_decision`), with no team now (``until <= t``) and, unless
    ``repeat_visits``, never ``visited``. ``stage`` (n, k) int8, ``pilot_age`` (n, k) [quarters],
    ``pilot_quarters`` (k,) [quarters], ``until`` (n,) [quarter the team leaves], ``visited`` (n,) bool."""
    n, k = stage.shape
    asks = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if until[i] > t or (visited[i] and not repeat_visits):
            continue
        for j in range(k):
            if applicable[i, j] and stage[i, j] == PILOTING:
                if max(pilot_quarters[j] - 1 - np.int64(pilot_age[i, j]), 0) <= lead_quarters:
                    asks[i] = True
                    break
    return asks


@njit(announce=COMPILING, error_model="numpy")
def add_bonus(scale_logit_bonus, until, t, bonus):
    """Add ``bonus`` [log-odds] to ``scale_logit_bonus`` ((n,), in place) where the help still lasts in
    quarter ``t`` (``until`` (n,) > ``t``): a review's advice, a team on site."""
    for i in range(until.shape[0]):
        scale_logit_bonus[i] += bonus if until[i] > t else 0.0

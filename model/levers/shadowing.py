"""What a job-shadowing placement does each quarter, compiled: the per-quarter part of
:mod:`model.levers.job_shadowing` (issue 21: levers decided in compiled code).

The rules are the lever's (its module docstring); this kernel does them cell by cell in the order the
vectorised rules did, so the results are the same bit for bit (``tests/levers/test_compiled_levers.py``
checks them against those rules). It draws no random numbers: who is placed with whom is drawn in Python
(a few draws a quarter; handing numba the generator costs more than they do, about 15 µs a call).
"""

from __future__ import annotations

import numpy as np

from ..environment import njit
from .knowhow_kernel import know_and_forget, learn_from_senders


@njit(error_model="numpy")
def hosts_quarter(load_factor, knowhow, host_until, sender_of, t, dev, cut, forget, learn, gone, host_cost,
                  sender_cost, ending_hosts, ending_senders, cost):
    """One quarter ``t`` of the placements, after this quarter's are made.

    - Placements ending now (``host_until == t``): their hosts and senders are written to ``ending_hosts``
      and ``ending_senders`` ((n,) int, the first ``ended`` entries, hosts in index order) for the lasting
      tie, and the host's ``sender_of`` is cleared (-1).
    - Know-how ``knowhow`` ((n, k) 0-1, in place) eases development work and fades
      (:func:`~model.levers.knowhow_kernel.know_and_forget`), then hosts placed now (``host_until > t``)
      learn from their senders (:func:`~model.levers.knowhow_kernel.learn_from_senders`).
    - ``cost`` ((n,), written) is the capacity taking part takes this quarter: ``host_cost`` for each host
      placed now, plus ``sender_cost`` for its sender.

    Returns (ended, hosts placed, of which taught, whether any cost)."""
    n = host_until.shape[0]
    ended = 0
    for i in range(n):
        if host_until[i] == t:
            ending_hosts[ended] = i
            ending_senders[ended] = sender_of[i]
            sender_of[i] = -1
            ended += 1
    know_and_forget(load_factor, knowhow, dev, cut, forget, gone)
    placed_now = host_until > t
    hosts, taught = learn_from_senders(knowhow, placed_now, sender_of, dev, learn, gone)
    any_cost = False
    for i in range(n):
        cost[i] = host_cost if placed_now[i] else 0.0
    for i in range(n):
        if placed_now[i]:
            cost[sender_of[i]] += sender_cost
    for i in range(n):
        if cost[i] != 0.0:
            any_cost = True
    return ended, hosts, taught, any_cost

"""The life cycle's uniforms of a run, drawn when it is built, and shared by runs that would draw the same.

A run draws one uniform per quarter, organisation and innovation three times over
(:class:`model.context.Draws`: ``lifecycle``, ``champion``, ``result``) from its own life-cycle generator:
about 0.6 ms of a 4-5 ms baseline run (40 quarters, 330 organisations, 4 innovations). What is drawn
depends only on the generator's state and the shape, so runs that start from the same state draw the same
numbers: the replications of a sensitivity sweep's sample points (every point runs on the same R seeds,
common random numbers) and a robust study's portfolios in one world (the same seeds for each portfolio).

With sharing on (:func:`share`, which those studies' evaluators call), the arrays drawn from a state are kept,
up to a limit in bytes (least recently used dropped first), and handed to the next run whose generator is in
that state; its generator is then moved on to where drawing them would have left it. Off by default: a
``spridning run`` gives every replication its own seed, so nothing would be drawn twice. Once a study's
evaluator has turned it on in a process (a worker, or the caller's own process for a sweep on one
worker), it stays on there, keeping at most :data:`STUDY_LIMIT_BYTES`. Runs only read
these arrays (the life cycle, :func:`model.dynamics.lifecycle._advance`); ``tests/dynamics/test_uniforms.py``
checks that every shipped scenario's run leaves them as drawn and gives the same results shared or not.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

#: the limit :func:`share` is given by sweeps and robust studies: a run of 60 quarters, 330 organisations and
#: 12 innovations draws 3.8 MB, so this keeps the R seeds of a point (or a world) for any R below about 16
STUDY_LIMIT_BYTES = 64 * 2**20

_limit = 0
_kept: OrderedDict[tuple, tuple[dict, tuple[np.ndarray, np.ndarray, np.ndarray]]] = OrderedDict()
_kept_bytes = 0


def share(limit_bytes: int) -> None:
    """Keep up to ``limit_bytes`` of drawn uniforms in this process for runs that start from the same
    generator state (0: off, the default). Forgets what was kept. Raises ValueError for a negative limit."""
    global _limit, _kept_bytes
    if limit_bytes < 0:
        raise ValueError(f"the limit must be 0 (off) or a number of bytes, not {limit_bytes}")
    _limit = int(limit_bytes)
    _kept.clear()
    _kept_bytes = 0


def life_cycle_uniforms(rng: np.random.Generator,
                        shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``lifecycle`` (float64), ``champion`` and ``result`` (float32) uniforms of a run, each of
    ``shape`` (quarters, organisations, innovations), drawn from ``rng`` in that order. With sharing on, the
    arrays kept for ``rng``'s state if any (``rng`` then moved on as if it had drawn them); the caller must
    not write to them."""
    if not _limit:
        return _draw(rng, shape)
    bits = rng.bit_generator
    key = (_frozen(bits.state), tuple(shape))
    found = _kept.get(key)
    if found is not None:
        _kept.move_to_end(key)
        after, arrays = found
        bits.state = after
        return arrays
    arrays = _draw(rng, shape)
    _keep(key, bits.state, arrays)
    return arrays


def _draw(rng: np.random.Generator, shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (rng.random(shape), rng.random(shape, dtype=np.float32), rng.random(shape, dtype=np.float32))


def _keep(key: tuple, after: dict, arrays: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    global _kept_bytes
    size = sum(a.nbytes for a in arrays)
    if size > _limit:
        return
    _kept[key] = (after, arrays)
    _kept_bytes += size
    while _kept_bytes > _limit:
        _, (_, dropped) = _kept.popitem(last=False)
        _kept_bytes -= sum(a.nbytes for a in dropped)


def _frozen(value: Any) -> Any:
    """A bit generator's state (nested dicts of numbers, and arrays for some generators) as a hashable key."""
    if isinstance(value, dict):
        return tuple((name, _frozen(item)) for name, item in sorted(value.items()))
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    return value

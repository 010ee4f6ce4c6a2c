"""The fit's bulk storage of a generation writes the rows pyabc's own storage writes, with the same ids."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import numpy as np
import pyabc

from model.calibrate import store


def _history(path, fast: bool):
    history = pyabc.History(f"sqlite:///{path}")
    history.store_initial_data(None, {}, {"s1": 0.5, "s2": 0.1}, {}, ["model"], "{}", "{}", "{}")
    if fast:
        store.fast_storage(history)
    return history


def _population(rng: np.random.Generator, n: int) -> pyabc.Population:
    particles = [pyabc.Particle(m=0, parameter=pyabc.Parameter({"b": float(rng.random()), "a": rng.random()}),
                                weight=float(rng.random()),
                                sum_stat={"s1": float(rng.random()), "s2": rng.random(), "s3": np.float32(rng.random()),
                                          "s4": int(rng.integers(9)), "s5": rng.random(3), "s6": float("nan")},
                                distance=float(rng.random()), accepted=True, proposal_id=int(rng.integers(9)))
                 for _ in range(n)]
    total = sum(p.weight for p in particles)
    for p in particles:
        p.weight /= total
    return pyabc.Population(particles)


def _tables(path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for name in names:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")
                       if r[1] not in ("population_end_time", "start_time", "end_time")]
            out[name] = conn.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY 1").fetchall()
        return out


def test_bulk_storage_writes_pyabcs_rows_and_pyabc_reads_them_back(tmp_path):
    paths = {fast: tmp_path / f"{'fast' if fast else 'slow'}.db" for fast in (False, True)}
    for fast, path in paths.items():
        history = _history(path, fast)
        rng = np.random.default_rng(1)
        for t, n in enumerate((7, 5, 6)):
            history.append_population(t, 1.0 / (t + 1), _population(rng, n), 10 + t, ["model"], wall_time=0.5 * t)
    slow, fast = _tables(paths[False]), _tables(paths[True])
    assert slow.keys() == fast.keys() and sum(len(rows) for rows in slow.values()) > 100
    for name in slow:
        assert slow[name] == fast[name], name
    history = pyabc.History(f"sqlite:///{paths[True]}", _id=1)
    frame, w = history.get_distribution(m=0, t=2)
    assert len(frame) == 6 and np.isclose(w.sum(), 1.0) and history.max_t == 2
    with closing(sqlite3.connect(paths[True])) as conn:
        assert store.describe(conn, 3) == store.describe(sqlite3.connect(paths[False]), 3)


def test_a_statistics_bytes_are_pyabcs_for_numbers_of_every_kind_and_arrays():
    from pyabc.storage.bytes_storage import from_bytes, to_bytes

    values = [0.5, -0.0, float("nan"), float("inf"), 1e300, 3, -7, True, np.float64(2.5), np.float32(1.5),
              np.int32(7), np.bool_(False), np.arange(3.0), np.zeros((2, 2), dtype=np.float32)]
    for value in values:
        assert store.statistic_bytes(value) == to_bytes(value), repr(value)
    assert from_bytes(store.statistic_bytes(0.25)) == 0.25

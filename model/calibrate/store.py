"""pyabc's database of a fit (``history.db``), verified: every stored generation is recorded when it is
written, and checked against its record before a fit resumes from it.

pyabc stores each generation (a *population*: its tolerance, number of runs and, per kept parameter set,
the weight, the parameter values, the distance and the summary statistics) in an SQLite database and
continues a fit after the last one it finds. It trusts what it finds: two fits writing one folder leave
generations stored twice (every later read then sees weights summing to 2), a damaged file ends in an
sqlalchemy traceback, and an edited value silently changes the posterior. So:

- :func:`describe` reads one stored generation back and sums it up: its size, runs, tolerance, and a
  content hash (SHA-256 of the exact float bits, in storage order) of each of its weights, parameters,
  distances and summary statistics. The fit records this for every generation right after pyabc stores it
  (in ``calibration.json``, beside the calibration's fingerprint).
- :func:`verify`, before a fit resumes, reads every stored generation again, keeps the longest run of
  generations -1 (the observed data), 0, 1, ... that match their records, and says what it drops and why:
  a generation stored twice keeps the copy that matches its record; one that differs from its record (or
  cannot be read) is dropped with every later one ("generation 3 does not match its record (its weights
  differ); resuming from generation 2"); one written without a record (the fit stopped while storing it) is
  dropped and computed again — candidates are seeded by number, so it comes out the same. A folder written
  before records were kept is checked for consistency instead (one copy per generation, weights summing to
  1, the population's size, finite numbers).
- :func:`prune` deletes the dropped generations from the database, so pyabc resumes after the last kept one.

Plain :mod:`sqlite3` is used, not pyabc's sqlalchemy session, so a damaged file is an error this module
names, never a traceback from deep inside pyabc.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: what a record holds beside the hashes, and how a difference is named
FIELDS = {"particles": "its number of parameter sets", "runs": "its number of runs", "tolerance": "its tolerance",
          "weights": "its weights", "parameters": "its parameter values", "distances": "its distances",
          "statistics": "its summary statistics"}
# pyabc's tables from a population down to its summary statistics (pyabc.storage.db_model)
_PARTICLES = "SELECT pa.id FROM particles pa JOIN models m ON pa.model_id = m.id WHERE m.population_id IN ({})"
_SAMPLES = f"SELECT s.id FROM samples s WHERE s.particle_id IN ({_PARTICLES})"


class Damaged(Exception):
    """The database cannot be read (not a database, truncated, malformed); ``str`` says what SQLite said."""


@dataclass
class Verdict:
    """What :func:`verify` found: ``last`` is the last generation that can be used (-1: only the observed
    data, None: nothing, start over); ``drop`` the population rows to delete; ``records`` the records of
    the kept generations (generation as text -> record); ``notes`` one line per thing dropped and why."""

    last: int | None
    drop: list[int] = field(default_factory=list)
    records: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def connect(db: Path) -> sqlite3.Connection:
    """An SQLite connection to the existing file ``db`` (never creating it); Damaged if it is no database."""
    try:
        conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=rw", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        raise Damaged(str(exc)) from None


def _digest(rows: Any) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(tuple(v.hex() if isinstance(v, float) else v for v in row)).encode())
    return h.hexdigest()[:32]


def describe(conn: sqlite3.Connection, population_id: int) -> dict[str, Any]:
    """The record of the stored population ``population_id``: ``particles`` (kept parameter sets), ``runs``
    (pyabc's ``nr_samples``), ``tolerance`` (as ``float.hex``), ``weight_sum``, ``finite`` (no NaN weight,
    parameter or distance) and a hash of each of weights, parameters, distances and statistics."""
    _, samples, eps = conn.execute("SELECT t, nr_samples, epsilon FROM populations WHERE id = ?",
                                   (population_id,)).fetchone()
    particles = conn.execute("SELECT pa.id, pa.w FROM particles pa JOIN models m ON pa.model_id = m.id "
                             "WHERE m.population_id = ? ORDER BY pa.id", (population_id,)).fetchall()
    order = {pid: i for i, (pid, _) in enumerate(particles)}  # storage order, not row ids: copies compare equal
    ids = _PARTICLES.format("?")
    params = conn.execute(f"SELECT particle_id, name, value FROM parameters WHERE particle_id IN ({ids}) "
                          "ORDER BY particle_id, name, id", (population_id,)).fetchall()
    dists = conn.execute(f"SELECT particle_id, distance, id FROM samples WHERE particle_id IN ({ids}) "
                         "ORDER BY particle_id, id", (population_id,)).fetchall()
    sample_order = {sid: i for i, (_, _, sid) in enumerate(dists)}
    stats = conn.execute(f"SELECT sample_id, name, value FROM summary_statistics WHERE sample_id IN "
                         f"({_SAMPLES.format('?')}) ORDER BY sample_id, name, id", (population_id,)).fetchall()
    numbers = [w for _, w in particles] + [v for *_, v in params] + [d for _, d, _ in dists]
    return {
        "particles": len(particles), "runs": samples,
        "tolerance": float(eps).hex() if eps is not None else None,
        "weight_sum": math.fsum(w for _, w in particles if w is not None),
        "finite": all(isinstance(v, (int, float)) and math.isfinite(v) for v in numbers),
        "weights": _digest((w,) for _, w in particles),
        "parameters": _digest((order.get(p), n, v) for p, n, v in params),
        "distances": _digest((order.get(p), d) for p, d, _ in dists),
        "statistics": _digest((sample_order.get(s), n, bytes(v) if v is not None else None) for s, n, v in stats),
    }


def record_latest(db: Path, t: int) -> dict[str, Any]:
    """The record of generation ``t`` as just stored (its newest copy). Raises Damaged."""
    try:
        with closing(connect(db)) as conn:
            row = conn.execute("SELECT max(id) FROM populations WHERE abc_smc_id = 1 AND t = ?", (t,)).fetchone()
            if row[0] is None:
                raise Damaged(f"generation {t} is not in the database")
            return describe(conn, row[0])
    except sqlite3.DatabaseError as exc:
        raise Damaged(str(exc)) from None


def stored_generations(db: Path) -> int:
    """How many generations (t >= 0) the database holds, counting copies; 0 for a missing or damaged file."""
    if not Path(db).is_file():
        return 0
    try:
        with closing(connect(db)) as conn:
            return conn.execute("SELECT count(*) FROM populations WHERE t >= 0").fetchone()[0]
    except (Damaged, sqlite3.DatabaseError):
        return 0


def _named(t: int) -> str:
    return "the observed data (generation -1)" if t < 0 else f"generation {t}"


def _differences(found: dict, record: dict) -> str:
    return ", ".join(text for key, text in FIELDS.items() if found.get(key) != record.get(key)) or "its content"


def _consistent(found: dict, t: int, population: int) -> str | None:
    """Why a generation without a record cannot be used (None: it can)."""
    if not found["finite"]:
        return "it holds a value that is not a finite number"
    if t >= 0 and found["particles"] != population:
        return f"it holds {found['particles']} parameter sets, not {population}"
    if t >= 0 and abs(found["weight_sum"] - 1.0) > 1e-6:
        return f"its weights sum to {found['weight_sum']:.6g}, not 1"
    return None


def verify(db: Path, records: dict[str, dict] | None, population: int) -> Verdict:
    """Check every generation stored in ``db`` against ``records`` (None: a folder from before records were
    kept, checked for consistency with ``population`` parameter sets a generation); see the module
    docstring. Never raises for what is in the file: damage is a note and a verdict of ``last=None``."""
    if records is not None:  # an edited state file: what is not a record of a generation is none
        records = {t: r for t, r in records.items() if isinstance(t, str) and t.lstrip("-").isdigit()
                   and isinstance(r, dict)} if isinstance(records, dict) else {}
    recorded = sorted(int(t) for t in (records or {}) if int(t) >= 0)
    lost = (f"its {len(recorded)} recorded generation(s) cannot be used; starting over from generation 0"
            if recorded else "starting over from generation 0")
    if not Path(db).is_file():
        return Verdict(None, notes=[f"{db}: missing; {lost}"] if recorded else [])
    try:
        with closing(connect(db)) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise Damaged(check)
            rows = conn.execute("SELECT id, abc_smc_id, t FROM populations ORDER BY id").fetchall()
            verdict = _walk(conn, db, rows, records, population)
    except (Damaged, sqlite3.DatabaseError) as exc:
        return Verdict(None, notes=[f"{db}: damaged ({' '.join(str(exc).split())}); {lost}"])
    if verdict.last is None or verdict.last < 0:
        if any(int(t) >= 0 for t in verdict.records) or recorded:
            verdict.notes.append(f"{db}: no stored generation can be used; starting over from generation 0")
        verdict.last = None
    return verdict


def _walk(conn: sqlite3.Connection, db: Path, rows: list, records: dict | None, population: int) -> Verdict:
    """The generations -1, 0, 1, ... of ``rows`` (population id, run id, t) kept while they verify."""
    by_t: dict[int, list[int]] = {}
    drop = [pid for pid, run, _ in rows if run != 1]  # pyabc resumes run 1; another run is a second writer's
    for pid, run, t in rows:
        if run == 1:
            by_t.setdefault(t, []).append(pid)
    verdict = Verdict(None, drop)
    t = -1
    while t in by_t:
        copies = by_t[t]
        found = [describe(conn, pid) for pid in copies]
        record = None if records is None else records.get(str(t))
        if record is not None:
            keep = next((i for i, f in enumerate(found) if f == record), None)
            if keep is None:
                what = "stored more than once, no copy matching" if len(copies) > 1 else "does not match"
                verdict.notes.append(f"{db}: {_named(t)} {what} its record ({_differences(found[-1], record)} "
                                     f"differ); {_resuming(t)}")
                break
        elif records is None:
            why = "it is stored more than once" if len(copies) > 1 else _consistent(found[0], t, population)
            if why is not None:
                verdict.notes.append(f"{db}: {_named(t)} cannot be used ({why}); {_resuming(t)}")
                break
            keep = 0
        else:
            if t >= 0:
                verdict.notes.append(f"{db}: {_named(t)} has no record (the fit stopped while storing it); it is "
                                     "computed again")
            break
        if len(copies) > 1:
            verdict.notes.append(f"{db}: {_named(t)} was stored {len(copies)} times (two fits wrote this folder "
                                 "at once?); the copy that matches its record is kept")
        verdict.drop += [pid for i, pid in enumerate(copies) if i != keep]
        verdict.records[str(t)] = found[keep]
        verdict.last = t
        t += 1
    kept = verdict.last if verdict.last is not None else -2
    verdict.drop += [pid for ts, pids in by_t.items() if ts > kept for pid in pids]
    return verdict


def _resuming(t: int) -> str:
    return f"resuming from generation {t - 1}" if t > 0 else "starting over from generation 0"


def prune(db: Path, drop: list[int]) -> None:
    """Delete the populations ``drop`` (row ids) and everything stored under them, and every ABC-SMC run
    but the first, in one transaction. Raises Damaged if the file cannot be changed that way."""
    if not drop:
        return
    marks = ",".join("?" * len(drop))
    steps = [f"DELETE FROM summary_statistics WHERE sample_id IN ({_SAMPLES.format(marks)})",
             f"DELETE FROM samples WHERE particle_id IN ({_PARTICLES.format(marks)})",
             f"DELETE FROM parameters WHERE particle_id IN ({_PARTICLES.format(marks)})",
             f"DELETE FROM particles WHERE model_id IN (SELECT id FROM models WHERE population_id IN ({marks}))",
             f"DELETE FROM models WHERE population_id IN ({marks})",
             f"DELETE FROM populations WHERE id IN ({marks})"]
    try:
        with closing(connect(db)) as conn, conn:
            for step in steps:
                conn.execute(step, drop)
            conn.execute("DELETE FROM abc_smc WHERE id != 1")
    except sqlite3.DatabaseError as exc:
        raise Damaged(str(exc)) from None


def remove(db: Path) -> None:
    """Remove the database and its journal files (a journal left beside a new database would be replayed
    into it)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


#: the bytes pyabc stores before a number's own (the ``np.save`` header of a 0-d array), by dtype
_NUMBER_HEADERS: dict[str, bytes] = {}


def statistic_bytes(value: Any) -> bytes:
    """The bytes pyabc stores for the summary statistic ``value`` (``pyabc.storage.bytes_storage.to_bytes``:
    ``np.save`` of it). For a number, ``np.save``'s header of its dtype (made once) and its bytes: the same
    bytes without a file written per number (14 000 of them took half a second a generation of 250 with
    28 targets, issue 21); anything else as pyabc makes them."""
    import numpy as np
    from pyabc.storage.bytes_storage import to_bytes

    if isinstance(value, (float, int, np.number, np.bool_)):
        number = np.asarray(value)
        if number.dtype.hasobject:  # an int too large for any dtype: pyabc's error
            return to_bytes(value)
        header = _NUMBER_HEADERS.get(number.dtype.str)
        if header is None:
            header = _NUMBER_HEADERS[number.dtype.str] = to_bytes(number)[:-number.dtype.itemsize]
        return header + number.tobytes()
    return to_bytes(value)


def _plain(value: Any) -> Any:
    """``value`` as SQLite's driver takes it: a NumPy number as the Python number it holds."""
    return value.item() if hasattr(value, "dtype") and not isinstance(value, (bytes, float)) else value


def save_population(history: Any, t: int, current_epsilon: float, nr_simulations: int, particles_by_model: dict,
                    model_probabilities: Any, model_names: Any, wall_time: float | None = None) -> None:
    """pyabc's ``History._save_to_population_db`` (same arguments), the same rows with the same ids written
    with one multi-row insert per table instead of an object per row through sqlalchemy's session (a
    generation of 500 took seconds, with the workers idle). Bound to a History by :func:`fast_storage`."""
    import datetime

    from pyabc.storage import db_model as db
    from sqlalchemy import func, insert, select

    session = history._session
    ids = {table: (session.execute(select(func.max(table.id))).scalar() or 0) for table in
           (db.Population, db.Model, db.Particle, db.Parameter, db.Sample, db.SummaryStatistic)}
    rows: dict[Any, list[dict]] = {table: [] for table in ids}

    def add(table: Any, **values: Any) -> int:
        ids[table] += 1
        rows[table].append({"id": ids[table], **values})
        return ids[table]

    population = add(db.Population, abc_smc_id=history.id, t=t, nr_samples=nr_simulations, epsilon=current_epsilon,
                     wall_time=wall_time, population_end_time=datetime.datetime.now())
    for m, particles in particles_by_model.items():
        model = add(db.Model, population_id=population, m=int(m), p_model=float(model_probabilities.loc[m, "p"]),
                    name=str(model_names[m]))
        for p in particles:
            particle = add(db.Particle, model_id=model, w=p.weight, proposal_id=p.proposal_id)
            for key, value in p.parameter.items():
                for name, v in (((f"{key}_{k}", x) for k, x in value.items()) if isinstance(value, dict)
                                else ((key, value),)):
                    add(db.Parameter, particle_id=particle, name=name, value=v)
            sample = add(db.Sample, particle_id=particle, distance=p.distance)
            if history.stores_sum_stats:
                for name, value in p.sum_stat.items():
                    if name is None:
                        raise Exception("Summary statistics need names.")
                    add(db.SummaryStatistic, sample_id=sample, name=name, value=statistic_bytes(value))
    # the thousands of rows below a generation's models (numbers, names and, for the summary statistics,
    # pyabc's bytes made above) go to SQLite as they are, in one executemany per table: sqlalchemy's
    # processing of each row's values took most of a generation's storing (issue 21)
    connection = session.connection()
    for table, values in rows.items():
        if not values:
            continue
        if table in (db.Population, db.Model):
            session.execute(insert(table), values)
        else:
            columns = list(values[0])
            connection.exec_driver_sql(
                f"INSERT INTO {table.__tablename__} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple(_plain(row[c]) for c in columns) for row in values])
    session.commit()


def fast_storage(history: Any) -> None:
    """Make ``history`` (a ``pyabc.History``) store generations with :func:`save_population`."""
    from pyabc.storage.history import with_session

    history._save_to_population_db = with_session(save_population).__get__(history)

"""Running a sweep: chunks of runs streamed to Parquet, resumable, on a backend of choice.

The runs of a sweep are numbered ``0 .. points x replications - 1`` and cut into chunks of ``chunk_size``
runs; each chunk is one task for a backend (:mod:`.pool`: this process or local processes;
:mod:`.cluster`: a Dask cluster). When a chunk finishes, its rows are written atomically to
``OUT/runs/part-NNNNNN.parquet`` and dropped from memory, so memory stays flat however long the sweep.

``OUT/experiment.json`` records the sweep's *fingerprint*: a hash of everything that decides which runs
are made (base scenario or function, factors, method, N, replications, seed) and of the sample itself.
Run again with the same command, a sweep skips the chunks already on disk and runs the rest; the indices
are identical to those of an uninterrupted sweep, because every run is fully determined by its number.
Each part is recorded with its sha256, chunk and fingerprint as it is written and verified before a resume
uses it (:mod:`.parts`): a changed, swapped, foreign or truncated part is named and its chunk recomputed.
A folder that holds a different experiment is refused, never mixed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from ..errors import InputError
from ..results import versions, write_json, write_with
from .cluster import ClusterLost
from .evaluate import Backend, Task, make_job
from .parts import RUNS, part_path, verified_chunks, write_part
from .plan import Plan
from .pool import InProcess, ProcessPool
from .schema import ID_COLUMNS

TOOL = "spridning sensitivity"  # in every file of a results folder this package writes
STATE = "experiment.json"
SAMPLES = "samples.parquet"
TARGET_CHUNK_SECONDS = 2.0  # a chunk should take about this long, so task overhead stays small
MIN_CHUNKS = 32  # ... but a sweep has at least this many chunks (load balance), where it can


@dataclass
class Layout:
    """How the runs of a sweep are numbered and cut into chunks: run ``j`` is sample point
    ``j // replications``, replication ``j % replications``; chunk ``c`` holds runs ``span(c)``."""

    n_points: int
    replications: int
    chunk_size: int

    @property
    def n_runs(self) -> int:
        """Runs in the sweep: points x replications."""
        return self.n_points * self.replications

    @property
    def n_chunks(self) -> int:
        """Chunks in the sweep (the last may be shorter)."""
        return math.ceil(self.n_runs / self.chunk_size)

    def span(self, chunk: int) -> tuple[int, int]:
        """``(start, stop)``: the runs of ``chunk`` are ``start .. stop - 1``."""
        start = chunk * self.chunk_size
        return start, min(start + self.chunk_size, self.n_runs)


@dataclass
class SweepStats:
    """What one invocation of a sweep did (recorded in the manifest's ``execution``)."""

    n_runs: int
    runs_resumed: int  # already on disk when this invocation started
    runs_done_now: int
    seconds: float
    chunk_size: int
    n_chunks: int
    workers: int
    where: str  # "in-process", "local processes", or the scheduler address

    @property
    def rate(self) -> float:
        """Runs per second in this invocation (NaN if it took no time)."""
        return self.runs_done_now / self.seconds if self.seconds > 0 else math.nan


def fingerprint(plan: Plan, X: np.ndarray) -> str:
    """sha256 (hex) of the plan's definition and the sample ``X``: equal fingerprints, identical runs."""
    text = json.dumps(plan.definition(), sort_keys=True, default=str)
    h = hashlib.sha256(text.encode())
    h.update(np.ascontiguousarray(X, dtype=float).tobytes())
    return h.hexdigest()


def choose_chunk_size(plan: Plan, n_runs: int) -> int:
    """Runs per task: about two seconds of work, at least MIN_CHUNKS chunks where the sweep is big enough,
    rounded to 1, 2 or 5 times a power of ten."""
    if plan.experiment.chunk_size:
        return min(plan.experiment.chunk_size, n_runs)
    per_run = plan.seconds_per_run if math.isfinite(plan.seconds_per_run) and plan.seconds_per_run > 0 else 0.01
    size = TARGET_CHUNK_SECONDS / per_run
    size = min(size, math.ceil(n_runs / MIN_CHUNKS), 100_000)
    return max(1, min(_nice(size), n_runs))


def _nice(x: float) -> int:
    """The nearest (in ratio) of 1, 2, 5, 10, 20, 50, ... to ``x``, at least 1."""
    if x <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(x))
    candidates = [m * exp for m in (1, 2, 5, 10)]
    return int(min(candidates, key=lambda c: abs(math.log(c / x))))


# --- the state of a results folder ------------------------------------------------------------------
def prepare(plan: Plan, X: np.ndarray, values: np.ndarray, out: Path) -> tuple[Layout, str, list[str]]:
    """Create or check ``out``; return the run layout, the fingerprint, and notes for the user.

    Raises InputError if ``out`` holds the runs of another experiment or sample, holds runs without
    ``experiment.json``, or cannot be created."""
    fp = fingerprint(plan, X)
    n_points = X.shape[0]
    state_file = out / STATE
    notes: list[str] = []
    if state_file.exists():
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
            stored_fp, stored_def, chunk_size = state["fingerprint"], state["definition"], int(state["chunk_size"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{state_file}: unreadable ({exc}); delete the folder {out} or choose another --out") \
                from None
        if stored_fp != fp:
            changed = _differences(stored_def, json.loads(json.dumps(plan.definition(), default=str)))
            why = ("; changed: " + "; ".join(changed)) if changed else \
                "; the settings are the same but the sample drawn differs (another SALib or numpy version?)"
            raise InputError(
                f"{out}: holds the runs of a different experiment or sample than {plan.source}{why}. "
                f"Use another --out, or delete {out} to start this sweep afresh")
        if plan.experiment.chunk_size and plan.experiment.chunk_size != chunk_size:
            notes.append(f"chunk_size {plan.experiment.chunk_size} ignored: resuming with the chunk size of the "
                         f"runs already on disk ({chunk_size})")
        stored_versions = state.get("versions", {})
        now = versions()
        moved = [f"{k} {stored_versions[k]} -> {now[k]}" for k in ("spridning", "SALib", "numpy", "mesa")
                 if k in stored_versions and stored_versions.get(k) != now.get(k)]
        if moved:
            notes.append("resuming runs made with other package versions (" + ", ".join(moved) + "); "
                         "start afresh if the model changed")
        layout = Layout(n_points, plan.replications, chunk_size)
    else:
        if any((out / RUNS).glob("part-*.parquet")):
            raise InputError(f"{out}: {RUNS}/ holds runs but {STATE} (which says what they are) is missing; "
                             f"use another --out, or delete {out / RUNS} to start afresh")
        layout = Layout(n_points, plan.replications, choose_chunk_size(plan, n_points * plan.replications))
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out {out}: cannot create the results folder ({exc.strerror or exc}); choose "
                             "another --out") from None
        frame = pd.DataFrame(values, columns=[f.name for f in plan.factors])
        frame.insert(0, "point", np.arange(n_points))
        write_with(out / SAMPLES, lambda tmp: frame.to_parquet(tmp, index=False))
        write_json({
            "tool": TOOL,
            "note": "what the runs in runs/ are: do not edit; delete the folder to start afresh",
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
            "experiment_file": plan.source,
            "fingerprint": fp,
            "definition": plan.definition(),
            "n_points": n_points,
            "replications": plan.replications,
            "n_runs": layout.n_runs,
            "chunk_size": layout.chunk_size,
            "n_chunks": layout.n_chunks,
            "versions": versions(),
        }, state_file)
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    return layout, fp, notes


def _differences(old: Any, new: Any, where: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{where}.{key}" if where else str(key)
            if key not in old or key not in new:
                found.append(f"{sub} added" if key in new else f"{sub} removed")
            else:
                found.extend(_differences(old[key], new[key], sub))
        return found[:8]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for i, (a, b) in enumerate(zip(old, new)):
            found.extend(_differences(a, b, f"{where}[{i}]"))
        return found[:8]
    if old != new:
        return [f"{where}: {_short(old)} -> {_short(new)}"]
    return []


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def done_chunks(out: Path, layout: Layout, fingerprint: str, notes: list[str] | None = None) -> set[int]:
    """Chunks whose part file is on disk and verified against its record and ``fingerprint``
    (:func:`.parts.verified_chunks`: any other part is named on stderr, removed and left to recompute; a
    summary goes to ``notes``)."""
    return verified_chunks(out, [layout.span(c) for c in range(layout.n_chunks)], fingerprint, notes)


def read_runs(out: Path, layout: Layout, columns: list[str] | None = None) -> pd.DataFrame:
    """All runs on disk, in run order (only ``columns`` plus the run identifiers, if given)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for chunk in range(layout.n_chunks):
        path = part_path(out, chunk)
        if columns is not None:
            have = set(pq.read_schema(path).names)
            cols = list(ID_COLUMNS) + [c for c in columns if c in have]
            tables.append(pq.read_table(path, columns=cols))
        else:
            tables.append(pq.read_table(path))
    table = pa.concat_tables(tables, promote_options="default") if tables else pa.table({})
    return table.to_pandas()


# --- execution --------------------------------------------------------------------------------------------
def tasks(layout: Layout, values: np.ndarray, chunks: list[int]) -> Iterator[Task]:
    """The task of each of ``chunks``: its runs and the model inputs (rows of ``values``) they need."""
    for chunk in chunks:
        start, stop = layout.span(chunk)
        p0, p1 = start // layout.replications, (stop - 1) // layout.replications + 1
        yield Task(chunk, start, stop, values[p0:p1], p0)


def cluster_backend(scheduler: str | None = None, client: Any = None) -> Backend | None:
    """A Dask backend connected now if ``scheduler`` or ``client`` is given, else None (local). Raises
    InputError if the cluster cannot be reached."""
    if scheduler is None and client is None:
        return None
    from .cluster import DaskCluster

    return DaskCluster(scheduler, client)


def local_backend(workers: int | None, n_tasks: int) -> Backend:
    """This process for one worker (or at most one task), else a pool of ``workers`` processes (default:
    all cores)."""
    n = min(workers or os.cpu_count() or 1, n_tasks)
    return InProcess() if n <= 1 else ProcessPool(n)


def _bar() -> type:
    """tqdm without its monitor thread. That thread outlives the bar, and while any other thread runs,
    :func:`model.processes.process_context` chooses ``forkserver`` over ``fork``: every later sweep (or
    replication pool) of the same process would start workers that import and warm up the model anew."""
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0

    return Bar


def execute(plan: Plan, X: np.ndarray, values: np.ndarray, out: Path, workers: int | None = None,
            scheduler: str | None = None, client: Any = None, progress: bool = True,
            backend: Backend | None = None) -> tuple[Layout, str, SweepStats, list[str]]:
    """Run every chunk of the sweep not yet on disk in ``out``; return the layout, fingerprint, statistics
    and notes for the user.

    ``X`` is the sample and ``values`` the model inputs (both points x factors). The backend is
    ``backend``, else a Dask cluster (``scheduler`` address or ``client``), else ``workers`` local
    processes; a cluster is connected before ``out`` is touched. Raises InputError for a folder holding
    another experiment or a cluster not reached, ClusterLost (an InputError) if the cluster loses a worker
    or its scheduler, RunFailed if a run fails (finished chunks stay on disk in both cases).
    """
    backend = backend or cluster_backend(scheduler, client)
    try:
        layout, fp, notes = prepare(plan, X, values, out)
        done = done_chunks(out, layout, fp, notes)
        todo = [c for c in range(layout.n_chunks) if c not in done]
        resumed = sum(layout.span(c)[1] - layout.span(c)[0] for c in done)
        backend = backend or local_backend(workers, len(todo))
        source = backend.start(make_job(plan, fp), tasks(layout, values, todo), len(todo))
        start = time.perf_counter()
        done_now = 0
        with _bar()(total=layout.n_runs, initial=resumed, unit="run", desc=plan.name, disable=not progress,
                  dynamic_ncols=True, smoothing=0.05, mininterval=0.5, file=sys.stderr) as bar:
            for chunk, columns in source:
                write_part(out, chunk, columns, fp)
                n = layout.span(chunk)[1] - layout.span(chunk)[0]
                done_now += n
                bar.update(n)
    except ClusterLost as exc:
        raise exc.in_folder(out) from None
    finally:
        if backend is not None:
            backend.close()
    stats = SweepStats(layout.n_runs, resumed, done_now, time.perf_counter() - start, layout.chunk_size,
                       layout.n_chunks, backend.workers, backend.where)
    return layout, fp, stats, notes

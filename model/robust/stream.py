"""Running a robustness experiment: chunks streamed to Parquet, resumable, on all cores or a Dask cluster.

The runs (worlds x portfolios x replications, numbered as :mod:`.evaluate` says) are cut into chunks and
written as they finish to ``OUT/runs/part-NNNNNN.parquet`` by the sensitivity sweep's own machinery
(:mod:`model.sensitivity.sweep`: :class:`~model.sensitivity.sweep.Layout`, atomic part files, complete
parts found again on resume). ``OUT/experiment.json`` records a fingerprint of everything that decides
the runs (portfolios as run, factors, the worlds' values and weights, replications, seed): run the same
command again and the chunks on disk are skipped; a folder that holds another experiment is refused,
never mixed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..results import versions, write_json, write_parquet
from ..sensitivity.evaluate import Backend, Task
from ..sensitivity.sweep import Layout, SweepStats, choose_chunk_size, done_chunks, write_part
from .evaluate import ClusterRuns, InProcessRuns, PoolRuns, make_job
from .plan import RobustPlan

TOOL = "spridning robust"
STATE = "experiment.json"
WORLDS = "worlds.parquet"


def fingerprint(plan: RobustPlan) -> str:
    """sha256 (hex) of the plan's definition and the worlds (values and weights)."""
    h = hashlib.sha256(json.dumps(plan.definition(), sort_keys=True, default=str).encode())
    h.update(np.ascontiguousarray(plan.worlds.values, dtype=float).tobytes())
    h.update(np.ascontiguousarray(plan.worlds.weights, dtype=float).tobytes())
    return h.hexdigest()


def changed(old: Any, new: Any, where: str = "") -> list[str]:
    """The settings (dotted) that differ between two definitions, at most eight."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = [x for key in sorted(set(old) | set(new), key=str)
                 for x in changed(old.get(key), new.get(key), f"{where}.{key}" if where else str(key))]
        return found[:8]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [x for i, (a, b) in enumerate(zip(old, new)) for x in changed(a, b, f"{where}[{i}]")][:8]
    return [where or "(everything)"] if old != new else []


def prepare(plan: RobustPlan, out: Path) -> tuple[Layout, str, list[str]]:
    """Create or check ``out``; return the run layout, the fingerprint and notes for the user. Raises
    InputError if ``out`` holds another experiment's runs, or runs without ``experiment.json``."""
    fp = fingerprint(plan)
    n_points = plan.worlds.n * len(plan.portfolios)
    state_file = out / STATE
    notes: list[str] = []
    if state_file.exists():
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
            stored, definition, chunk_size = state["fingerprint"], state["definition"], int(state["chunk_size"])
            if state.get("tool") != TOOL:
                raise ValueError(f"written by {state.get('tool')}, not {TOOL}")
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{state_file}: not a robustness experiment's state ({exc}); choose another --out "
                             f"or delete {out}") from None
        if stored != fp:
            what = changed(definition, json.loads(json.dumps(plan.definition(), default=str)))
            why = f"; changed: {', '.join(what)}" if what else "; the worlds drawn differ (another SciPy or SALib?)"
            raise InputError(f"{out}: holds the runs of a different experiment than {plan.source}{why}. Use another "
                             f"--out, or delete {out} to start afresh")
        if plan.experiment.chunk_size and plan.experiment.chunk_size != chunk_size:
            notes.append(f"chunk_size {plan.experiment.chunk_size} ignored: resuming with the chunk size of the "
                         f"runs already on disk ({chunk_size})")
        return Layout(n_points, plan.replications, chunk_size), fp, notes
    if any((out / "runs").glob("part-*.parquet")):
        raise InputError(f"{out}: runs/ holds runs but {STATE} (which says what they are) is missing; use another "
                         f"--out, or delete {out / 'runs'} to start afresh")
    layout = Layout(n_points, plan.replications, choose_chunk_size(plan, n_points * plan.replications))
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot create the results folder ({exc.strerror or exc}); choose "
                         "another --out") from None
    write_parquet(plan.worlds.frame(), out / WORLDS)
    write_json({"tool": TOOL, "note": "what the runs in runs/ are: do not edit; delete the folder to start afresh",
                "created": datetime.now().astimezone().isoformat(timespec="seconds"),
                "experiment_file": plan.source, "fingerprint": fp, "definition": plan.definition(),
                "portfolios": plan.names, "n_worlds": plan.worlds.n, "replications": plan.replications,
                "n_runs": layout.n_runs, "chunk_size": layout.chunk_size, "n_chunks": layout.n_chunks,
                "versions": versions()}, state_file)
    return layout, fp, notes


def make_backend(workers: int | None, n_tasks: int, scheduler: str | None = None, client: Any = None) -> Backend:
    """A Dask cluster (``scheduler`` or ``client``: connected now, InputError if it cannot be reached), else
    this process for one worker, else a pool of ``workers`` processes (default: all cores)."""
    if scheduler is not None or client is not None:
        return ClusterRuns(scheduler, client)
    n = min(workers or os.cpu_count() or 1, max(n_tasks, 1))
    return InProcessRuns() if n <= 1 else PoolRuns(n)


def run_tasks(backend: Backend, job, layout: Layout, chunks: list[int], write, label: str, progress: bool,
              initial: int = 0) -> int:
    """Run ``chunks`` of ``layout`` on ``backend`` (started here, not closed), calling ``write(chunk,
    columns)`` as each finishes, with a progress bar; returns the runs done."""
    tasks = (Task(c, *layout.span(c), None, 0) for c in chunks)
    source = backend.start(job, tasks, len(chunks))
    from tqdm import tqdm  # after the pool started: its monitor thread would stop workers from forking

    done = 0
    with tqdm(total=layout.n_runs, initial=initial, unit="run", desc=label, disable=not progress,
              dynamic_ncols=True, smoothing=0.05, mininterval=0.5, file=sys.stderr) as bar:
        for chunk, columns in source:
            write(chunk, columns)
            n = layout.span(chunk)[1] - layout.span(chunk)[0]
            done += n
            bar.update(n)
    return done


def execute(plan: RobustPlan, out: Path, workers: int | None = None, scheduler: str | None = None,
            client: Any = None, progress: bool = True, backend: Backend | None = None
            ) -> tuple[Layout, str, SweepStats, list[str]]:
    """Run every chunk not yet on disk in ``out``; return the layout, fingerprint, statistics and notes.

    A cluster (``scheduler`` or ``client``) is reached before ``out`` is touched. Raises InputError for a
    folder holding another experiment or a cluster not reached, RunFailed if a run fails (finished chunks
    stay on disk)."""
    if backend is None and (scheduler is not None or client is not None):
        backend = make_backend(workers, 1, scheduler, client)
    started = time.perf_counter()
    done_now = resumed = 0
    try:
        layout, fp, notes = prepare(plan, out)
        done = done_chunks(out, layout, fp, notes)
        todo = [c for c in range(layout.n_chunks) if c not in done]
        resumed = sum(layout.span(c)[1] - layout.span(c)[0] for c in done)
        backend = backend or make_backend(workers, len(todo))
        if todo:
            done_now = run_tasks(backend, make_job(plan, fp), layout, todo,
                                 lambda c, columns: write_part(out, c, columns, fp), plan.name, progress, resumed)
    finally:
        if backend is not None:
            backend.close()
    stats = SweepStats(layout.n_runs, resumed, done_now, time.perf_counter() - started, layout.chunk_size,
                       layout.n_chunks, backend.workers, backend.where)
    return layout, fp, stats, notes

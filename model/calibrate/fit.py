"""The fit: ABC-SMC (pyabc) of the calibration's parameters to its targets, resumable, on all cores.

Method. Approximate Bayesian computation with sequential Monte Carlo (Del Moral et al. 2012; pyabc,
Schälte et al. 2022): generation 0 draws ``population`` parameter sets from the priors; every later
generation perturbs the previous one (a multivariate normal kernel) and accepts a set when its run lies
within the tolerance of the targets. The distance is the Euclidean norm of the misses, each divided by the
target's standard deviation (binomial sampling error and model discrepancy in quadrature), so a run that
misses every target by one standard deviation is at sqrt(targets). The tolerance of each generation is the
weighted median distance of the previous one; the fit stops when the tolerance is at or below
``budget.tolerance`` (default sqrt(targets): closer than that the stated uncertainty cannot tell runs
apart), after ``budget.generations``, when the acceptance rate falls below ``budget.min_acceptance_rate``,
or when the next generation would likely not fit in what is left of ``budget.runs`` (its expected runs: the
last generation's times their growth from the one before; a generation that runs out all the same is
dropped). The prior and the kernel are pyabc's distributions with closed-form densities and draws
(:mod:`.proposals`); each candidate's scenario is the calibration's with the fitted values copied in
(:mod:`.setter`).

Where. ``OUT/history.db`` is pyabc's database (every generation, its tolerance, parameters, weights and
summaries); ``OUT/calibration.json`` holds the fingerprint of the calibration and the fit's state.
Resuming. Run the same command again: the fit continues after the last complete generation. Candidates
are numbered and seeded by number (:mod:`.sampler`), so an interrupted and resumed fit gives exactly the
posterior of an uninterrupted one. The stopping rules (``runs``, ``generations``, ``tolerance``,
``min_acceptance_rate``) only say where the sequence of generations stops, so raising them and running
again extends a finished fit exactly as if it had been asked for from the start; a folder made by a
calibration that differs in anything else is refused, never mixed (unless its fit never finished a
generation: then the new calibration starts over there, saying so).
Verifying. Every generation pyabc stores is recorded in the state file (content hashes, :mod:`.store`); a
resume first checks every stored generation against its record and continues from the last one that
matches, saying what it dropped (a generation stored twice, edited, unrecorded, or a damaged database).
The state says ``running``, then ``fitted``; :func:`.outputs.calibrate` makes it ``complete`` after the
last output is written.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import InputError
from ..results import write_json
from ..environment import mark_said
from ..runner import COMPILING, COMPILING_SAID, compiled_code_is_cached, run
from . import store
from .plan import CalibrationPlan, FittedParameter
from .scale import to_model

STATE_FILE = "calibration.json"
DB_FILE = "history.db"
#: the fit's own files: a folder holding only these (a fit stopped before its state was written) is its own
OWN = frozenset({STATE_FILE, DB_FILE, f"{DB_FILE}-journal", f"{DB_FILE}-wal", f"{DB_FILE}-shm"})
#: what a full, read-only or misnamed output folder raises
DISK_FAULTS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.ENOTDIR,
                         errno.EEXIST, errno.EFBIG})


@dataclass
class FitResult:
    """A finished (or stopped) fit: the posterior (last complete generation) and how it went."""

    plan: CalibrationPlan
    out: Path
    posterior: pd.DataFrame  # one row per parameter set: fitted names, weight
    generations: pd.DataFrame  # t, epsilon, samples, accepted, acceptance_rate
    stop_reason: str
    runs: int  # model runs counted by the fit (kept candidates x replications)
    runs_computed: int  # model runs actually computed in this session
    seconds: float  # wall time of this session
    resumed: bool
    where: str
    workers: int
    notes: list[str] = field(default_factory=list)  # what was found wrong in the folder and done about it


def prior_distribution(fitted: list[FittedParameter]) -> Any:
    """The priors as a ``pyabc.Distribution`` on the sampler's logit scale (:mod:`.scale`): closed-form
    densities and draws (:class:`.proposals.FastPrior`)."""
    from .proposals import FastPrior

    return FastPrior(fitted)


def make_backend(workers: int | None = None, scheduler: str | None = None, client: Any = None) -> Any:
    """The backend runs go to: a Dask cluster (``scheduler`` address or ``client``), else ``workers`` local
    processes (default: all cores; 1 runs in this process)."""
    from .sampler import DaskWorkers, InProcess, LocalProcesses

    if client is not None or scheduler is not None:
        from ..sensitivity.cluster import connect, wait_for_a_worker

        if client is not None:
            wait_for_a_worker(client, "client")
            return DaskWorkers(client, str(client.scheduler.address), own=False)
        return DaskWorkers(connect(scheduler), scheduler, own=True)
    workers = workers or os.cpu_count() or 1
    return InProcess() if workers <= 1 else LocalProcesses(workers)


def _state(out: Path) -> dict | None:
    path = out / STATE_FILE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{path}: unreadable; remove the folder {out} to start the fit again") from None


def check_folder(plan: CalibrationPlan, out: Path, note: Callable[[str], None] | None = None) -> dict | None:
    """The state of an earlier fit in ``out`` by the same calibration (None for a new folder, or for one
    whose earlier fit, of this or another calibration, never finished a generation: it starts over, saying
    so through ``note``). Raises InputError if ``out`` holds something else or a fit of a different
    calibration with finished generations."""
    state = _state(out)
    if state is None:
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out}: a file, not a folder; give a folder for the fit's results")
        if out.exists() and any(p.name not in OWN for p in out.iterdir()):
            raise InputError(f"--out {out}: the folder exists and holds no calibration; choose another folder")
        return None
    if state.get("fingerprint_hash") != plan.fingerprint_hash():
        old, new = state.get("fingerprint", {}), plan.fingerprint()
        changed = [k for k in new if old.get(k) != new[k]] or ["(the format)"]
        recorded = [t for t in state.get("generations", {}) if int(t) >= 0]
        if not recorded and store.stored_generations(out / DB_FILE) == 0:
            (note or (lambda text: None))(f"--out {out}: the earlier fit there ({', '.join(changed)} changed since) "
                                          "never finished a generation; starting over with this calibration")
            return None
        raise InputError(f"{plan.source}: --out {out} holds a fit of a different calibration ({', '.join(changed)} "
                         "changed); give another --out, or remove the folder to start again")
    return state


def write_state(plan: CalibrationPlan, out: Path, **fields: Any) -> None:
    """Update the state file of ``out`` with ``fields`` (and the calibration's fingerprint), atomically."""
    state = _state(out) or {"created": datetime.now().astimezone().isoformat(timespec="seconds")}
    state.update(calibration_file=plan.source, fingerprint_hash=plan.fingerprint_hash(),
                 fingerprint=plan.fingerprint(), **fields)
    write_json(state, out / STATE_FILE)


def usable_generations(plan: CalibrationPlan, out: Path, state: dict | None,
                       note: Callable[[str], None]) -> dict[str, dict] | None:
    """The records of the generations stored in ``out`` that can be used (generation as text -> record,
    see :mod:`.store`), after deleting from the database those that cannot; None to start over (the
    database removed). Each generation dropped is said through ``note`` before anything else happens."""
    db = out / DB_FILE
    if state is None:
        store.remove(db)
        return None
    verdict = store.verify(db, state.get("generations"), plan.calibration.budget.population)
    for text in verdict.notes:
        note(text)
    if verdict.last is not None:
        try:
            store.prune(db, verdict.drop)
        except store.Damaged as exc:
            note(f"{db}: the generations after {verdict.last} cannot be removed ({exc}); starting over from "
                 "generation 0")
            verdict.last = None
    if verdict.last is None:
        store.remove(db)
        write_state(plan, out, status="running", generations={})
        return None
    if "generations" not in state or verdict.drop:
        write_state(plan, out, status="running", generations=verdict.records)
    return verdict.records


@contextmanager
def _storage_faults(out: Path) -> Iterator[None]:
    """A fault of the folder's storage (disk full, read-only, not a folder) or a lost Dask cluster as one
    InputError saying what happened, that finished generations are kept and how to continue."""
    from .sampler import ClusterLost

    again = "run the same command again to continue after the last finished generation"
    try:
        yield
    except ClusterLost as exc:
        raise InputError(f"calibrate: {exc}; the finished generations are kept in {out}; {again} (with the "
                         "scheduler and its workers running)") from None
    except store.Damaged as exc:
        raise InputError(f"{out / DB_FILE}: cannot be read or written ({exc}); {again}, or remove the file "
                         "to start the fit over") from None
    except OSError as exc:
        if exc.errno not in DISK_FAULTS:
            raise
        raise InputError(f"--out {out}: cannot write there ({exc.strerror}: {exc.filename or out}); the finished "
                         f"generations are kept; make room or give a writable --out, then {again}") from None
    except Exception as exc:
        import sqlalchemy.exc

        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        moved = getattr(getattr(exc, "orig", None), "sqlite_errorname", "") == "SQLITE_READONLY_DBMOVED"
        if isinstance(exc, sqlalchemy.exc.OperationalError) and not moved:
            raise InputError(f"{out / DB_FILE}: cannot write the fit's database ({reason}); the finished "
                             f"generations are kept; make room or make the folder writable, then {again}") from None
        if moved:
            reason = "the file was removed or replaced"
        if isinstance(exc, sqlalchemy.exc.SQLAlchemyError) or _raised_by_pyabc(exc):
            raise InputError(f"{out / DB_FILE}: the database changed under this fit ({type(exc).__name__}: "
                             f"{reason}); was another fit writing this folder? Run the same command again, alone: "
                             "it checks every stored generation and continues from the last one that matches "
                             "its record") from None
        raise


def _raised_by_pyabc(exc: BaseException) -> bool:
    """Whether ``exc`` is a consistency check of pyabc on what it read from its database (an assertion such
    as "population total weight 2.0 is not normalized", or a ValueError from comparing doubled rows)."""
    if not isinstance(exc, (AssertionError, ValueError)):
        return False
    ours, pyabc_dir = str(Path(__file__).resolve().parents[1]), f"{os.sep}pyabc{os.sep}"
    owner = None  # whose code the exception last passed through: pyabc's, or this package's (then it is ours)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        owner = "pyabc" if pyabc_dir in name else "ours" if name.startswith(ours) else owner
        tb = tb.tb_next
    return owner == "pyabc"


class _Progress:
    """A progress bar per generation on stderr (``enabled``), and a line when each generation ends."""

    def __init__(self, plan: CalibrationPlan, enabled: bool, hook: Callable | None,
                 say: Callable[[str], None] | None) -> None:
        import tqdm

        tqdm.tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked later
        self.tqdm, self.plan, self.enabled, self.hook, self.say = tqdm.tqdm, plan, enabled, hook, say
        self.bar, self.t, self.last = None, None, (0, 0)
        self.tolerance: Callable[[int], float] = lambda t: float("nan")

    def __call__(self, t: int, accepted: int, evaluated: int) -> None:
        if self.t != t:
            self.close()
            self.t = t
            if self.enabled:
                self.bar = self.tqdm(total=self.plan.calibration.budget.population, leave=False, unit="set",
                                     desc=f"generation {t}", mininterval=0.5)
        self.last = (accepted, evaluated)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{evaluated * self.plan.calibration.budget.replications} runs", refresh=False)
            self.bar.update(accepted - self.bar.n)
        if self.hook is not None:
            self.hook(t, accepted, evaluated)

    def close(self) -> None:
        """Close the current bar and say how its generation ended."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.t is not None and self.say is not None:
            accepted, evaluated = self.last
            runs = evaluated * self.plan.calibration.budget.replications
            done = "accepted" if accepted >= self.plan.calibration.budget.population else "accepted (stopped)"
            self.say(f"generation {self.t}: tolerance {self.tolerance(self.t):.3g}, {accepted} parameter sets "
                     f"{done} of {evaluated} ({runs} runs)")
        self.t = None


def fit(plan: CalibrationPlan, out: str | Path, workers: int | None = None, scheduler: str | None = None,
        client: Any = None, progress: bool = True, hook: Callable[[int, int, int], None] | None = None,
        say: Callable[[str], None] | None = None) -> FitResult:
    """Fit ``plan`` into the folder ``out``, continuing an earlier fit there; see the module docstring.

    ``hook(t, accepted, evaluated)`` is called after every chunk of runs (tests use it to interrupt);
    ``say(text)`` gets one line per generation and notes (default: nothing). What is found wrong in the
    folder (generations that cannot be used, and what is done instead) goes to ``say``, or to stderr when
    ``say`` is None — it is never silent — and into ``FitResult.notes``. A full or read-only disk, a
    damaged database that cannot be repaired or a lost Dask cluster raise InputError saying what to do."""
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        (say or (lambda line: print(line, file=sys.stderr)))(text)

    out = Path(out)
    with _storage_faults(out):
        state = check_folder(plan, out, note)
        out.mkdir(parents=True, exist_ok=True)
        records = usable_generations(plan, out, state, note)
        result = _fit_from(plan, out, records, workers, scheduler, client, progress, hook,
                           say or (lambda text: None))
    result.notes = notes
    return result


def _fit_from(plan: CalibrationPlan, out: Path, records: dict[str, dict] | None, workers: int | None,
              scheduler: str | None, client: Any, progress: bool, hook: Callable | None,
              say: Callable[[str], None]) -> FitResult:
    """:func:`fit` after the folder was checked: resume after the generations of ``records`` (None: start
    a new database), recording each generation as pyabc stores it."""
    import pyabc

    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    budget = plan.calibration.budget
    db = out / DB_FILE
    url = f"sqlite:///{db}"
    resumed = records is not None
    if resumed:
        stored = pyabc.History(url, _id=1)
        if _finished(plan, stored):  # nothing left under this budget: a finished fit is not run again
            reason = _stop_reason(plan, stored, _left(plan, stored) < _expected(plan, stored))
            write_state(plan, out, status="fitted", stop_reason=reason)
            return _result(plan, out, stored, reason, 0, 0.0, True, "-", 0)
    if not compiled_code_is_cached():
        say(COMPILING)
        mark_said(COMPILING_SAID)  # not said again on stderr by run()
    run(plan.scenario, 0)  # compile or load the dynamics here, so forked workers start warm
    backend = make_backend(workers, scheduler, client)
    start = time.perf_counter()
    shown = _Progress(plan, progress, hook, say)
    history_box: dict[str, Any] = {}

    def limit(t: int) -> float:
        """Candidates generation ``t`` may evaluate: none if it would likely not fit in the budget left."""
        history = history_box.get("h")
        if history is None:
            return budget.runs // budget.replications
        left = _left(plan, history)
        return left if left >= _expected(plan, history) else 0

    from .proposals import DefensiveTransition, OneModel
    from .setter import FastSimulator
    from .sampler import NumberedSampler, ResumableMedian

    sampler = NumberedSampler(backend, plan.calibration.seed, limit, shown)
    # the same runs as Simulator's, their scenarios made by copying only what the fitted values change
    simulator = FastSimulator(plan.scenario, plan.fitted, plan.targets, budget.replications)
    distance = pyabc.PNormDistance(p=2, fixed_weights={t.key: 1.0 / t.sd for t in plan.targets})
    prior = prior_distribution(plan.fitted)
    abc = pyabc.ABCSMC(simulator, prior, distance, population_size=budget.population, eps=ResumableMedian(),
                       sampler=sampler, model_prior=OneModel(), transitions=DefensiveTransition(prior))
    shown.tolerance = abc.eps
    try:
        if resumed:
            history = abc.load(url, 1)
            say(f"resuming after generation {history.max_t} ({history.total_nr_simulations} runs kept)")
        else:
            write_state(plan, out, status="running", generations={})  # before the database: it is the fit's own
            store.remove(db)
            history = abc.new(url, {t.key: t.observed for t in plan.targets})
        _record_each_generation(plan, out, history, records or {})
        history_box["h"] = history
        left = budget.generations - (history.max_t + 1)
        if left > 0 and limit(history.max_t + 1) >= budget.population:
            with warnings.catch_warnings():  # pyabc subtracts inf from inf after the prior generation
                warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
                abc.run(minimum_epsilon=plan.tolerance, max_nr_populations=left,
                        min_acceptance_rate=budget.min_acceptance_rate)
    finally:
        shown.close()
        backend.close()
    reason = _stop_reason(plan, history, sampler.stopped_by_budget or limit(history.max_t + 1) == 0)
    write_state(plan, out, status="fitted", stop_reason=reason)
    seconds = time.perf_counter() - start
    return _result(plan, out, history, reason, sampler.evaluated_total * budget.replications, seconds, resumed,
                   backend.where, backend.workers)


def _record_each_generation(plan: CalibrationPlan, out: Path, history: Any, records: dict[str, dict]) -> None:
    """Record (:func:`.store.describe`) in the state file every generation pyabc stores from now on, right
    after it is stored, and the observed data of a new database."""
    records = dict(records)
    db = out / DB_FILE
    if "-1" not in records:
        records["-1"] = store.record_latest(db, -1)
        write_state(plan, out, status="running", generations=records)
    store.fast_storage(history)  # the same rows, one insert per table (the workers wait while it is stored)
    append = history.append_population

    def append_and_record(t: int, *args: Any, **kwargs: Any) -> None:
        append(t, *args, **kwargs)
        records[str(t)] = store.record_latest(db, t)
        write_state(plan, out, status="running", generations=records)

    history.append_population = append_and_record


def _left(plan: CalibrationPlan, history: Any) -> int:
    """Candidates the budget leaves after the stored generations."""
    b = plan.calibration.budget
    return b.runs // b.replications - int(history.total_nr_simulations)


def _expected(plan: CalibrationPlan, history: Any) -> int:
    """Candidates the next generation will likely need: the last generation's, times how much the last
    generation needed more than the one before (at least the population). A generation that would not fit
    in the budget left is not started (its runs would be thrown away)."""
    b = plan.calibration.budget
    pops = history.get_all_populations()
    samples = [int(n) for n in pops[pops.t >= 0].samples]
    if not samples:
        return b.population
    growth = max(1.0, samples[-1] / samples[-2]) if len(samples) > 1 else 1.0
    return max(b.population, int(samples[-1] * growth))


def _finished(plan: CalibrationPlan, history: Any) -> bool:
    """Whether a stored fit has nothing left to do under the plan's budget and stopping rules."""
    b = plan.calibration.budget
    if history.max_t + 1 >= b.generations or _left(plan, history) < _expected(plan, history):
        return True
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    if not len(pops):
        return False
    last = pops.iloc[-1]
    return bool(last.epsilon <= plan.tolerance or b.population / last.samples < b.min_acceptance_rate)


def _stop_reason(plan: CalibrationPlan, history: Any, budget_spent: bool) -> str:
    b = plan.calibration.budget
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    last = pops.iloc[-1] if len(pops) else None
    if last is not None and last.epsilon <= plan.tolerance:
        return f"tolerance reached ({last.epsilon:.3g} <= {plan.tolerance:.3g})"
    if history.max_t + 1 >= b.generations:
        return f"all {b.generations} generations run"
    if budget_spent:
        return f"run budget spent ({b.runs} runs; the next generation would not fit in what is left)"
    if last is not None and b.population / last.samples < b.min_acceptance_rate:
        return f"acceptance rate below {b.min_acceptance_rate:g}"
    return "stopped"


def _result(plan: CalibrationPlan, out: Path, history: Any, reason: str, computed: int, seconds: float,
            resumed: bool, where: str, workers: int) -> FitResult:
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)
    # stored on the sampler's scale (.scale): read back on each parameter's own
    posterior = pd.DataFrame({f.name: to_model(f, frame[f.name].to_numpy(float)) for f in plan.fitted})
    posterior["weight"] = np.asarray(weights, dtype=float)
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0].reset_index(drop=True)
    gens = pd.DataFrame({"generation": pops.t.astype(int), "tolerance": pops.epsilon.astype(float),
                         "runs": pops.samples.astype(int) * plan.calibration.budget.replications,
                         "accepted": plan.calibration.budget.population})
    gens["acceptance_rate"] = gens.accepted * plan.calibration.budget.replications / gens.runs
    runs = int(gens.runs.sum())
    return FitResult(plan, out, posterior, gens, reason, runs, computed, seconds, resumed, where, workers)

"""The budget search: which allocation of a yearly budget over the allowed levers (and their targeting)
gives the best diffusion, the smallest small–large gap and the lowest cost — the Pareto front.

An allocation gives each lever a whole number of ``step_msek`` steps, at most its ``max_msek_per_year``
(default: the budget); one that adds up to more than the budget is scaled down to it (rounded down to
steps), so every allocation tried is affordable. A lever with several ``targets`` also gets one of them.
Optuna's NSGA-II sampler (Deb et al. 2002; ``optuna.samplers.NSGAIISampler``, maintained, seeded,
with an ask-and-tell interface) proposes ``population`` allocations per generation. Each is run in the
same worlds (the first ``search.worlds`` of the experiment, or all) with the same replication seeds
(common random numbers), so two allocations differ by their levers, not by luck; the objectives are the
means over worlds and replications.

Every allocation's objectives are stored in ``search/evaluated/batch-NNNNN.parquet`` as soon as its
generation finishes. Run the same command again and the search is replayed from the seed: allocations
already evaluated are read back instead of run, so an interrupted search ends exactly where an
uninterrupted one does. The front is written as a table, a chart and one scenario file per point
(``search/front/point-NN.yaml``) that ``spridning run`` and ``spridning compare`` accept.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..results import write_csv, write_with
from ..sensitivity.sweep import Layout
from .evaluate import make_job
from .metrics import weighted_mean, world_means
from .plan import RobustPlan, never_when_missing, objective_direction
from .schema import Search, with_lines
from .searchstate import EVALUATED, open_state, write_batch
from .stream import make_backend, run_tasks



@dataclass
class SearchResult:
    """The search's every allocation tried (``trials``: amounts, targets, objectives, ``front``), the
    front alone, the files written (relative to the search folder) and notes."""

    trials: pd.DataFrame
    front: pd.DataFrame
    objectives: list[str]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    runs_done: int = 0

    def record(self) -> dict[str, Any]:
        """What the manifest says about the search."""
        return {"allocations_tried": len(self.trials), "distinct": int(self.trials["key"].nunique()),
                "front_points": len(self.front), "objectives": self.objectives, "runs_this_invocation": self.runs_done,
                "notes": self.notes}


@dataclass(frozen=True)
class Choice:
    """One lever of the search: its type, the most steps it may get, and its targeting choices."""

    type: str
    max_steps: int
    targets: tuple


def space(search: Search) -> list[Choice]:
    """The levers as the sampler sees them."""
    budget_steps = int(math.floor(search.budget_msek_per_year / search.step_msek + 1e-9))
    out = []
    for lever in search.levers:
        cap = lever.max_msek_per_year
        steps = budget_steps if cap is None else min(budget_steps, int(math.floor(cap / search.step_msek + 1e-9)))
        out.append(Choice(lever.type, steps, tuple(lever.targets)))
    return out


def decode(params: dict[str, Any], levers: list[Choice], search: Search) -> tuple[dict[str, float], dict[str, Any]]:
    """The amounts (MSEK per year) and targets of a trial's parameters; scaled down to the budget if the
    steps add up to more."""
    steps = {c.type: int(params[c.type]) for c in levers}
    budget_steps = int(math.floor(search.budget_msek_per_year / search.step_msek + 1e-9))
    total = sum(steps.values())
    if total > budget_steps:
        steps = {k: int(math.floor(v * budget_steps / total)) for k, v in steps.items()}
    amounts = {k: round(v * search.step_msek, 9) for k, v in steps.items()}
    targets = {c.type: c.targets[int(params[f"{c.type}.target"])] if len(c.targets) > 1 else
               (c.targets[0] if c.targets else None) for c in levers}
    return amounts, targets


def key_of(amounts: dict[str, float], targets: dict[str, Any]) -> str:
    """A stable text key of an allocation (amounts and the targets of funded levers)."""
    return json.dumps({k: [amounts[k], targets[k] if amounts[k] > 0 else None] for k in sorted(amounts)},
                      sort_keys=True, default=str)


def lever_entries(amounts: dict[str, float], targets: dict[str, Any], search: Search) -> list[dict[str, Any]]:
    """The ``levers:`` entries of a scenario for an allocation (levers without money left out)."""
    entries = []
    for kind, amount in amounts.items():
        if amount <= 0:
            continue
        entry: dict[str, Any] = {"type": kind, "budget_msek_per_year": float(amount)}
        if search.start_year is not None:
            entry["start_year"] = search.start_year
        if search.duration_years is not None:
            entry["duration_years"] = search.duration_years
        if targets.get(kind) is not None:
            entry["target"] = copy.deepcopy(targets[kind])
        entries.append(entry)
    return entries


def candidate(plan: RobustPlan, amounts: dict[str, float], targets: dict[str, Any]) -> Any:
    """What a worker runs for an allocation: the baseline scenario with the allocation's levers and the
    search budget, or the function's arguments (each lever's amount by its type, its target as
    ``<type>.target``)."""
    search = plan.experiment.search
    base = plan.reference.target()
    if plan.engine == "function":
        base.update({k: float(v) for k, v in amounts.items()})
        base.update({f"{k}.target": targets[k] for k in amounts if targets[k] is not None})
        return base
    base["levers"] = lever_entries(amounts, targets, search)
    base["budget_msek_per_year"] = search.budget_msek_per_year
    return base


def check_levers(plan: RobustPlan) -> None:
    """Every lever and targeting choice of the search must make a valid scenario (checked one at a time,
    at one step of money): InputError ``FILE:LINE: search.levers[i]...: problem`` otherwise."""
    if plan.engine != "scenario":
        return
    from ..scenario import parse_scenario

    search = plan.experiment.search
    for i, lever in enumerate(search.levers):
        for j, target in enumerate(lever.targets or [None]):
            amounts = {c.type: 0.0 for c in space(search)}
            amounts[lever.type] = search.step_msek
            try:
                parse_scenario(candidate(plan, amounts, {lever.type: target}), "search")
            except InputError as exc:
                where = f"search.levers[{i}]" + (f".targets[{j}]" if lever.targets else "")
                detail = "; ".join(line.split(": ", 1)[-1] for line in str(exc).splitlines())
                raise InputError(with_lines(f"{plan.source}: {where}: {detail}", plan.source, plan.where)) from None


def _fingerprint(plan: RobustPlan, n_worlds: int) -> dict[str, Any]:
    definition = plan.definition()
    definition["portfolios"] = definition["portfolios"][:1]
    definition["search"] = plan.experiment.search.model_dump(mode="json")
    definition["search_worlds"] = n_worlds
    h = hashlib.sha256(json.dumps(definition, sort_keys=True, default=str).encode())
    h.update(np.ascontiguousarray(plan.worlds.values[:n_worlds], dtype=float).tobytes())
    return {"fingerprint": h.hexdigest(), "definition": definition}


def _prepare(plan: RobustPlan, out: Path, n_worlds: int, objectives: list[str]) -> tuple[dict[str, list[float]],
                                                                                         list[str]]:
    """Create or check the search folder; the objectives of every allocation evaluated before, by key, and
    warnings about stored batches that had to be evaluated again (:mod:`.searchstate`)."""
    return open_state(out, _fingerprint(plan, n_worlds), plan.source, ["key"] + objectives)


def _evaluate(plan: RobustPlan, keys: list[str], targets: list[Any], values: np.ndarray, objectives: list[str],
              workers, scheduler, client, progress: bool, label: str) -> list[list[float]]:
    """Run every allocation in every search world with the replication seeds; each one's objectives (the
    weighted mean over worlds of the mean over replications; NaN when any world has no value, so an
    allocation is never judged on the worlds where it happens to have one)."""
    job = dataclasses.replace(make_job(plan, f"search-{label}-{keys[0][:40]}", targets, keys), values=values)
    layout = Layout(values.shape[0] * len(targets), plan.replications, max(1, min(plan.replications * 8,
                                                                                   len(targets) * plan.replications)))
    parts: list[pd.DataFrame] = []
    backend = make_backend(workers, layout.n_chunks, scheduler, client)
    try:
        run_tasks(backend, job, layout, list(range(layout.n_chunks)), lambda c, cols: parts.append(pd.DataFrame(cols)),
                  label, progress)
    finally:
        backend.close()
    runs = pd.concat(parts, ignore_index=True)
    means = world_means(runs, values.shape[0], len(targets), objectives, None)
    weights = plan.worlds.weights[: values.shape[0]]
    return [[math.nan if np.isnan(means[o][:, k]).any() else weighted_mean(means[o][:, k], weights) for o in objectives]
            for k in range(len(targets))]


def run_search(plan: RobustPlan, out: Path, workers: int | None = None, scheduler: str | None = None,
               client: Any = None, progress: bool = True, charts: bool = True) -> SearchResult:
    """Run (or resume) the budget search of ``plan`` into ``out`` (see the module's docstring); ``charts``:
    draw ``pareto.png`` (``--no-charts`` draws none)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = plan.experiment.search
    check_levers(plan)
    levers = space(search)
    n_worlds = min(search.worlds or plan.worlds.n, plan.worlds.n)
    values = plan.worlds.values[:n_worlds]
    objectives = [o.name for o in search.objectives]
    directions = ["maximize" if objective_direction(o.name, o.better) == "higher" else "minimize"
                  for o in search.objectives]
    own_client = None
    if scheduler is not None and client is None:
        from ..sensitivity.cluster import connect

        client = own_client = connect(scheduler)
    cache, notes = _prepare(plan, out, n_worlds, objectives)
    fingerprint = _fingerprint(plan, n_worlds)["fingerprint"]
    sampler = optuna.samplers.NSGAIISampler(population_size=search.population, seed=plan.seed)
    study = optuna.create_study(directions=directions, sampler=sampler)
    rows, runs_done, generation = [], 0, 0
    try:
        while len(rows) < search.trials:
            batch = [study.ask() for _ in range(min(search.population, search.trials - len(rows)))]
            decoded = []
            for trial in batch:
                for c in levers:
                    trial.suggest_int(c.type, 0, c.max_steps)
                    if len(c.targets) > 1:
                        trial.suggest_categorical(f"{c.type}.target", [str(i) for i in range(len(c.targets))])
                amounts, targets = decode(trial.params, levers, search)
                decoded.append((trial, amounts, targets, key_of(amounts, targets)))
            missing = list(dict.fromkeys(k for *_, k in decoded if k not in cache))
            if missing:
                first = {k: (a, t) for _, a, t, k in decoded}
                results = _evaluate(plan, missing, [candidate(plan, *first[k]) for k in missing], values, objectives,
                                    workers, None, client, progress, f"{plan.name} search {generation + 1}")
                runs_done += len(missing) * n_worlds * plan.replications
                table = pd.DataFrame([[k] + r for k, r in zip(missing, results)], columns=["key"] + objectives)
                write_batch(out / EVALUATED, table, fingerprint)
                cache.update({k: r for k, r in zip(missing, results)})
            for trial, amounts, targets, key in decoded:
                result = cache[key]
                if any(not math.isfinite(v) for v in result):
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    study.tell(trial, result)
                rows.append(dict(trial=trial.number, generation=generation, key=key,
                                 **{f"{k}_msek": v for k, v in amounts.items()},
                                 **{f"{k}_target": _target_text(targets[k]) if amounts[k] > 0 else "" for k in amounts
                                    if len(_choices(levers, k)) > 1},
                                 total_msek=sum(amounts.values()), **dict(zip(objectives, result))))
            generation += 1
    finally:
        if own_client is not None:
            own_client.close()
    trials = pd.DataFrame(rows)
    on_front = {t.number for t in study.best_trials}
    trials["front"] = trials["trial"].isin(on_front)
    front = (trials[trials["front"]].drop_duplicates("key").sort_values(objectives[0],
             ascending=directions[0] == "minimize").reset_index(drop=True))
    front.insert(0, "point", np.arange(1, len(front) + 1))
    trials = trials.merge(front[["key", "point"]], on="key", how="left")
    result = SearchResult(trials, front, objectives, notes=notes + failed_notes(trials, objectives),
                          runs_done=runs_done)
    _write(plan, out, result, charts)
    return result


def failed_notes(trials: pd.DataFrame, objectives: list[str]) -> list[str]:
    """Warnings for the allocations Optuna failed (an objective without a finite value: NaN, as Optuna's
    rule is, or infinite): per objective, how many of the allocations tried; and when no allocation has
    every objective, that there is no front and what to do."""
    distinct = trials.drop_duplicates("key")
    notes = []
    for o in objectives:
        bad = int((~np.isfinite(distinct[o].to_numpy(dtype=float))).sum())
        if not bad:
            continue
        why = (" (never reached within the horizon in at least one world)" if never_when_missing(o) else
               " (NaN or infinite in at least one world)")
        if bad == len(distinct):
            notes.append(f"search: {o} has no value for any of the {bad} allocations tried ({len(trials)} trials){why}; "
                         "no Pareto front, no pareto.png. "
                         f"Choose another objective{' or a longer horizon' if never_when_missing(o) else ''}")
        else:
            notes.append(f"search: {o} has no value for {bad} of the {len(distinct)} allocations tried{why}; Optuna "
                         "failed those trials and they are not on the front")
    return notes


def _choices(levers: list[Choice], kind: str) -> tuple:
    return next(c.targets for c in levers if c.type == kind)


def _target_text(target: Any) -> str:
    if target is None:
        return "default"
    if isinstance(target, dict):
        return ", ".join(f"{k}={v}" for k, v in target.items())
    return str(target)


def _write(plan: RobustPlan, out: Path, result: SearchResult, charts: bool = True) -> None:
    """Write ``trials.csv``, ``front.csv``, the front's scenario files and (``charts``) the chart."""
    write_csv(result.trials, out / "trials.csv")
    write_csv(result.front, out / "front.csv")
    result.files += ["trials.csv", "front.csv"]
    if not len(result.front):  # no front: no scenario files and no empty chart drawn as if fine (notes say why)
        (out / "pareto.png").unlink(missing_ok=True)
        return
    if plan.engine == "scenario":
        result.files += write_front_scenarios(plan, out / "front", result.front)
    if not charts:
        return
    from ..charts.robustness import pareto_figure
    from ..charts.style import save

    search = plan.experiment.search
    caption = (f"{plan.name}: {len(result.trials)} allocations of at most {search.budget_msek_per_year:g} MSEK/year "
               f"(NSGA-II), each over {min(search.worlds or plan.worlds.n, plan.worlds.n)} worlds x "
               f"{plan.replications} replications on common random numbers")
    save(pareto_figure(result.trials, result.objectives, caption), out / "pareto.png")
    result.files.append("pareto.png")


def write_front_scenarios(plan: RobustPlan, folder: Path, front: pd.DataFrame) -> list[str]:
    """One scenario file per front point: the baseline file as written (with the experiment's
    ``overrides``), named ``<experiment>_front_NN``, with the point's levers and the search budget; each is
    validated before it is written. Returns the files (relative to the search folder)."""
    import yaml

    from ..scenario import parse_scenario, read_scenario_data, set_path

    search = plan.experiment.search
    raw = read_scenario_data(plan.reference.file)  # the files it extends merged in: each copy stands alone
    for path, value in plan.experiment.overrides.items():
        set_path(raw, path, copy.deepcopy(value), plan.source)
    written = []
    levers = space(search)
    for row in front.itertuples(index=False):
        amounts = {c.type: float(getattr(row, f"{c.type}_msek")) for c in levers}
        key = json.loads(row.key)
        targets = {k: key[k][1] for k in amounts}
        data = copy.deepcopy(raw)
        data["name"] = f"{plan.name}_front_{row.point:02d}"
        shown = ", ".join(f"{k} {v:g}" for k, v in amounts.items() if v > 0) or "no levers"
        data["description"] = (f"Budget search {plan.name}, Pareto front point {row.point}: {shown} MSEK/year. "
                               + "; ".join(f"{o.name} {getattr(row, o.name):.4g}" for o in search.objectives))
        data["budget_msek_per_year"] = search.budget_msek_per_year
        data["levers"] = lever_entries(amounts, targets, search)
        parse_scenario(copy.deepcopy(data), f"front point {row.point}")  # never write a file run would refuse
        text = (f"# Pareto front point {row.point} of the budget search in {plan.source}\n"
                f"# Run:     spridning run {folder.name}/point-{row.point:02d}.yaml\n"
                f"# Compare: spridning compare front/point-*.yaml --baseline {plan.reference.file}\n\n"
                + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        path = folder / f"point-{row.point:02d}.yaml"
        write_with(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
        written.append(f"front/{path.name}")
    return written

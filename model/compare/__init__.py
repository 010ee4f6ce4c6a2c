"""Comparing intervention portfolios against a baseline, on common random numbers.

``spridning compare A.yaml B.yaml ... --baseline baseline.yaml`` runs every scenario with the same root
seed, so replication *r* of each portfolio sees the same world, people and draws as replication *r* of the
baseline wherever a lever does not intervene. Differences are therefore paired: their intervals are much
narrower than those of the separate means. Cost per extra adoption is the portfolio's mean spend over its
mean extra adoptions (organisation-innovation pairs adopted at the horizon) relative to the baseline.

Which scenarios may be paired is checked before anything runs (:mod:`model.compare.plan`). Each
scenario's runs are then streamed into its results folder as they finish, as ``spridning run`` does
(:func:`model.batch.stream_replications`), and the comparison's tables are computed from those folders'
files (:mod:`model.compare.outputs`), so memory does not grow with the runs. The comparison is built in a
hidden staging folder that an interruption leaves behind; the same command, run again, reuses the
scenarios that had finished (checked against what they ran and their files' hashes) and runs the rest
(:mod:`model.compare.staging`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..batch import run_scenario, stream_replications, write_folder
from ..names import safe_file_name
from ..results import atomic_folder, write_json
from ..scenario import Scenario
from .outputs import comparison_table, write_comparison_outputs
from .plan import (ALL, COMPARABLE, ComparisonPlan, allowed_differences, differences,  # noqa: F401 (the API)
                   plan_comparison)
from .staging import Staging, scenario_key, staging_folder

#: :func:`model.batch.run_scenario` as imported; while a posterior ensemble's hook
#: (:func:`model.calibrate.ensemble.ensemble_runs`, for the Python API; the command streams ensembles) has
#: replaced this module's ``run_scenario``, its runs come whole from the hook and are written by the
#: hook's ``write_folder``, one scenario at a time
_RUN_SCENARIO = run_scenario

__all__ = ["ALL", "COMPARABLE", "ComparisonPlan", "allowed_differences", "compare", "comparison_table",
           "differences", "plan_comparison", "run_comparison", "staging_folder", "write_comparison_outputs"]


def compare(paths: list[str], baseline_path: str, out: Path, replications: int | None, seed: int | None,
            workers: int | None, progress: bool = True, allow_different: tuple[str, ...] = ()
            ) -> tuple[pd.DataFrame, Path]:
    """Check (:func:`plan_comparison`), then run and compare the scenarios into ``out``."""
    return run_comparison(plan_comparison(paths, baseline_path, allow_different), out, replications, seed,
                          workers, progress)


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def run_comparison(plan: ComparisonPlan, out: Path, replications: int | None, seed: int | None,
                   workers: int | None, progress: bool = True, lang: str = "en", report: bool = True,
                   gif: bool = False, stream: Callable[..., Any] | None = None, key_extra: dict[str, Any] | None = None,
                   say: Callable[[str], None] = _say) -> tuple[pd.DataFrame, Path]:
    """Run every scenario of ``plan`` on the baseline's seeds and write, into ``out``: one results folder
    per scenario (named by :func:`model.names.safe_file_name`, with its municipal adoption by year),
    ``comparison.csv`` (long), ``comparison_wide.csv`` (wide, rounded), ``comparison.md`` (the memo
    tables), ``cost_effectiveness.csv`` (money, extra adoptions, cost per extra adoption with its
    bootstrap interval, the frontier), ``differences_by_group.csv``, ``comparability.json``, the charts
    and maps in ``lang`` and, with ``report``, ``report.html`` (``gif``: animated difference maps too).

    Each scenario's runs are streamed into its folder as they finish, by ``stream(scenario, folder,
    replications, seed, workers, source, progress, label)`` (default :func:`stream_replications`; e.g.
    :func:`model.calibrate.ensemble.stream_ensemble` for a posterior ensemble, whose content then belongs
    in ``key_extra``). The comparison is built in :func:`staging_folder` (``.NAME.partial`` beside
    ``out``) and becomes ``out`` only when complete. A scenario whose folder there is complete and was run
    with the same scenario, file, seeds, replications and ``key_extra`` is not run again; ``say`` tells
    which. An interruption keeps the staging folder when a scenario had finished."""
    scenarios, base_name = plan.scenarios, plan.baseline
    root = seed if seed is not None else scenarios[base_name][0].seed
    reps = replications or scenarios[base_name][0].replications
    folders = {name: safe_file_name(name) for name in scenarios}
    keys = {name: scenario_key(scenario.resolved(), path, root, reps, key_extra)
            for name, (scenario, path) in scenarios.items()}
    staging = Staging(out).open()
    try:
        kept = _resume(staging, folders, keys, say)
        for name, (scenario, path) in scenarios.items():
            if name not in kept:
                _run_one(scenario, path, staging.path / folders[name], reps, root, workers, progress, name, stream)
                staging.record(name, folders[name], keys[name])
        table = write_comparison_outputs(staging.path, list(scenarios), base_name, lang)
        write_json(plan.record(), staging.path / "comparability.json")
        from ..report.build import write_report

        write_report(staging.path, lang=lang, gif=gif, html=report)
    except BaseException:
        if staging.abandon():
            say(f"{staging.path}: {len(staging.done)} of {len(scenarios)} scenario(s) finished and kept there; "
                f"to continue, run the same command again with --out {out}")
        raise
    return table, staging.publish()


def _resume(staging: Staging, folders: dict[str, str], keys: dict[str, str], say: Callable[[str], None]
            ) -> set[str]:
    """The scenarios whose finished folders in ``staging`` can be reused; everything else in it is removed."""
    kept = set()
    for name, folder in folders.items():
        why = staging.finished(name, folder, keys[name])
        if why is None:
            kept.add(name)
            continue
        if why:
            say(f"{staging.path}: {name}: {why} since it ran; it runs again")
        staging.forget(name)
    staging.keep_only(folders)
    if kept:
        say(f"{staging.path}: continuing an interrupted comparison; already finished: "
            f"{', '.join(n for n in folders if n in kept)}")
    return kept


def _stream(scenario: Scenario, tmp: Path, reps: int, root: int, workers: int | None, source: str,
            progress: bool, label: str) -> Any:
    return stream_replications(scenario, tmp, reps, root, workers, source, progress, charts=False, report=None,
                               label=label, by_year=True)


def _run_one(scenario: Scenario, source: str, folder: Path, reps: int, root: int, workers: int | None,
             progress: bool, label: str, stream: Callable[..., Any] | None) -> None:
    """Run ``scenario``'s replications into its results ``folder`` (atomically: complete or absent)."""
    if run_scenario is not _RUN_SCENARIO:  # a posterior ensemble's hook: its runs come whole
        from ..report.folder import write_adoption_by_year

        results = run_scenario(scenario, reps, root, workers, progress, label=label)
        # complete only once recorded (model.compare.staging), so the maps' input may follow the folder
        write_folder(results, folder, source=source, workers=workers, charts=False)
        write_adoption_by_year(folder, results.outcomes)
        return
    with atomic_folder(folder) as tmp:
        (stream or _stream)(scenario, tmp, reps, root, workers, source, progress, label)

"""Comparing intervention portfolios against a baseline, on common random numbers.

``spridning compare A.yaml B.yaml ... --baseline baseline.yaml`` runs every scenario with the same root
seed, so replication *r* of each portfolio sees the same world, people and draws as replication *r* of the
baseline wherever a lever does not intervene. Differences are therefore paired: their intervals are much
narrower than those of the separate means. Cost per extra adoption is the portfolio's mean spend over its
mean extra adoptions (organisation-innovation pairs adopted at the horizon) relative to the baseline.

Pairing only means something between scenarios that share the baseline's calendar, world, innovations
and model (:data:`COMPARABLE`): :func:`plan_comparison` refuses, before anything runs, a scenario that
differs in any of them, naming the file, the setting and both values. A deliberate difference (a
parameter's effect, a shorter horizon) is compared only when allowed by name (``--allow-different
FIELD``); it is then reported on the terminal and in the comparison's ``comparability.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .batch import ScenarioResults, run_scenario, write_folder
from .errors import InputError, suggest
from .names import safe_file_name
from .outcomes.catalogue import COMPARED
from .outcomes.catalogue import outcome as outcome_of
from .outcomes.intervals import mean_interval
from .results import atomic_folder, write_csv, write_json, write_with
from .scenario import Scenario, load_scenario

#: settings a compared scenario must share with the baseline (unless allowed by ``--allow-different``)
COMPARABLE = ("start_year", "horizon_years", "world", "innovations", "parameters", "mechanisms")
#: what each setting is, in the message that refuses a difference
_SHARED = {"start_year": "start_year and horizon_years", "horizon_years": "start_year and horizon_years",
           "world": "the world (organisations and ties)", "innovations": "the innovations",
           "parameters": "the model's parameters and mechanisms", "mechanisms": "the model's parameters and mechanisms"}
#: the name that allows every difference
ALL = "all"
#: keys that are free text and change nothing in a run
_TEXT_ONLY = ("description",)


def comparison_table(runs: dict[str, ScenarioResults], baseline: str) -> pd.DataFrame:
    """One row per scenario and outcome: mean with 95 % CI, and the paired difference to the baseline."""
    if baseline not in runs:
        raise InputError(f"baseline '{baseline}' is not among the scenarios: {', '.join(runs)}")
    base = runs[baseline].replications
    rows = []
    for name, result in runs.items():
        reps = result.replications
        for outcome in COMPARED:
            values = reps[outcome].to_numpy(dtype=float)
            mean, low, high = mean_interval(values, share=outcome_of(outcome).format == "percent")
            diff, dlow, dhigh = mean_interval(values - base[outcome].to_numpy(dtype=float))
            rows.append(dict(scenario=name, outcome=outcome, mean=mean, ci95_low=low, ci95_high=high,
                             diff_vs_baseline=diff, diff_ci95_low=dlow, diff_ci95_high=dhigh))
        extra = (reps["adoptions_final"] - base["adoptions_final"]).mean()
        spend = (reps["spend_msek"] - base["spend_msek"]).mean()  # head to head when the baseline spends
        cost = spend / extra if extra > 0 and name != baseline else np.nan
        rows.append(dict(scenario=name, outcome="cost_per_extra_adoption_msek", mean=cost, ci95_low=np.nan,
                         ci95_high=np.nan, diff_vs_baseline=np.nan, diff_ci95_low=np.nan, diff_ci95_high=np.nan))
    return pd.DataFrame(rows)


def allowed_differences(texts: list[str]) -> tuple[str, ...]:
    """The settings ``--allow-different`` names (comma-separated, repeatable): a setting of
    :data:`COMPARABLE`, a dotted path inside one (``parameters.p_external``) or ``all``; InputError for
    any other name."""
    names = tuple(dict.fromkeys(n.strip() for text in texts for n in text.split(",") if n.strip()))
    for name in names:
        head = name.split(".")[0]
        if name != ALL and head not in COMPARABLE:
            raise InputError(f"--allow-different {name}: unknown setting '{head}'"
                             f"{suggest(head, COMPARABLE + (ALL,))}; allowed: {', '.join(COMPARABLE)}, {ALL} "
                             "(or a path inside one, e.g. parameters.p_external)")
    return names


def _shown(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return "[" + ", ".join(str(v["name"]) for v in value) + "]"
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _walk(value: Any, base: Any, where: str, out: list[tuple[str, Any, Any]]) -> None:
    if value == base:
        return
    if isinstance(value, dict) and isinstance(base, dict):
        for key in list(base) + [k for k in value if k not in base]:
            if key in _TEXT_ONLY:
                continue
            _walk(value.get(key), base.get(key), f"{where}.{key}", out)
        return
    names = [v.get("name") if isinstance(v, dict) else None for v in value] if isinstance(value, list) else None
    if names and isinstance(base, list) and names == [b.get("name") if isinstance(b, dict) else None for b in base]:
        for name, item, base_item in zip(names, value, base):
            _walk(item, base_item, f"{where}.{name}", out)
        return
    out.append((where, value, base))


def differences(scenario: Scenario, baseline: Scenario) -> list[tuple[str, Any, Any]]:
    """``(setting, value, baseline's value)`` for every :data:`COMPARABLE` setting, down to the single
    field (``parameters.p_external``, ``innovations.ai_casework.complexity``), where ``scenario`` differs
    from ``baseline``; defaults count as written, descriptions (free text) do not count."""
    mine, base = scenario.resolved(), baseline.resolved()
    out: list[tuple[str, Any, Any]] = []
    for key in COMPARABLE:
        _walk(mine[key], base[key], key, out)
    return out


def _is_allowed(setting: str, allowed: tuple[str, ...]) -> bool:
    return any(a == ALL or setting == a or setting.startswith(a + ".") for a in allowed)


@dataclass
class ComparisonPlan:
    """Scenarios to compare (by name: the scenario and its file; the baseline first), checked comparable,
    and the differences from the baseline that ``allowed`` let through (one record each)."""

    scenarios: dict[str, tuple[Scenario, str]]
    allowed: tuple[str, ...] = ()
    differences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        """The baseline's name."""
        return next(iter(self.scenarios))

    def notes(self) -> list[str]:
        """One line per allowed difference, for the terminal."""
        return [f"note: {d['file']}: {d['setting']}: {_shown(d['value'])} differs from the baseline's "
                f"{_shown(d['baseline_value'])} (allowed by --allow-different); its paired differences "
                "mix the levers' effect with this difference" for d in self.differences]

    def record(self) -> dict[str, Any]:
        """What ``comparability.json`` holds."""
        name = self.baseline
        return {"baseline": {"name": name, "file": self.scenarios[name][1]},
                "shared_settings": list(COMPARABLE), "allowed_differences": list(self.allowed),
                "differences": self.differences}


def plan_comparison(paths: list[str], baseline_path: str, allow_different: tuple[str, ...] = ()) -> ComparisonPlan:
    """Load the baseline and every scenario and check, before anything runs, that they can be compared:
    every file valid (all files' problems reported together), names unique (also as folder names), and the
    :data:`COMPARABLE` settings equal to the baseline's unless ``allow_different`` names them. Raises one
    InputError listing every problem."""
    problems: list[str] = []
    scenarios: dict[str, tuple[Scenario, str]] = {}
    folders: dict[str, str] = {}
    for path in [baseline_path] + [p for p in paths if Path(p) != Path(baseline_path)]:
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            problems.append(str(exc))
            continue
        folder = safe_file_name(scenario.name)
        if scenario.name in scenarios or folder in folders:
            other = folders.get(folder, scenario.name)
            problems.append(f"{path}: name '{scenario.name}' is used by another scenario in this comparison "
                            f"('{other}'); give each scenario its own name")
            continue
        scenarios[scenario.name] = (scenario, path)
        folders[folder] = scenario.name
    if problems:
        raise InputError("\n".join(problems))
    plan = ComparisonPlan(scenarios, allow_different)
    baseline = scenarios[plan.baseline][0]
    for name, (scenario, path) in list(scenarios.items())[1:]:
        for setting, value, base in differences(scenario, baseline):
            if _is_allowed(setting, allow_different):
                plan.differences.append(dict(scenario=name, file=path, setting=setting, value=value,
                                             baseline_value=base))
                continue
            top = setting.split(".")[0]
            problems.append(
                f"{path}: {setting}: {_shown(value)} differs from the baseline's {_shown(base)} ({baseline_path}); "
                f"compared scenarios must share {_SHARED[top]}; to compare deliberately different settings, "
                f"add --allow-different {top}")
    if problems:
        raise InputError("\n".join(problems))
    return plan


def compare(paths: list[str], baseline_path: str, out: Path, replications: int | None, seed: int | None,
            workers: int | None, progress: bool = True, allow_different: tuple[str, ...] = ()
            ) -> tuple[pd.DataFrame, Path]:
    """Check (:func:`plan_comparison`), then run and compare the scenarios into ``out``."""
    return run_comparison(plan_comparison(paths, baseline_path, allow_different), out, replications, seed,
                          workers, progress)


def run_comparison(plan: ComparisonPlan, out: Path, replications: int | None, seed: int | None,
                   workers: int | None, progress: bool = True, lang: str = "en", report: bool = True,
                   gif: bool = False) -> tuple[pd.DataFrame, Path]:
    """Run every scenario of ``plan`` on the baseline's seeds and write, into ``out``: one results folder
    per scenario (named by :func:`model.names.safe_file_name`, with its municipal adoption by year),
    ``comparison.csv`` (long), ``comparison_wide.csv`` (wide, rounded), ``comparison.md`` (the memo
    tables), ``cost_effectiveness.csv`` (money, extra adoptions, cost per extra adoption with its
    bootstrap interval, the frontier), ``differences_by_group.csv``, ``comparability.json``, the charts
    and maps in ``lang`` and, with ``report``, ``report.html`` (``gif``: animated difference maps too)."""
    scenarios = plan.scenarios
    base_name = plan.baseline
    root = seed if seed is not None else scenarios[base_name][0].seed
    reps = replications or scenarios[base_name][0].replications
    runs = {name: run_scenario(scenario, reps, root, workers, progress, label=name)
            for name, (scenario, _) in scenarios.items()}
    table = comparison_table(runs, base_name)
    # the whole comparison appears at once, or not at all (an interrupted one leaves nothing that looks done)
    with atomic_folder(out) as tmp:
        for name, (_, path) in scenarios.items():
            write_folder(runs[name], tmp / safe_file_name(name), source=path, workers=workers, charts=False)
        table = write_comparison_outputs(runs, table, tmp, base_name, lang)
        write_json(plan.record(), tmp / "comparability.json")
        from .report.build import write_report

        write_report(tmp, lang=lang, gif=gif, html=report)
    return table, out


def write_comparison_outputs(runs: dict[str, ScenarioResults], table: pd.DataFrame, folder: Path, baseline: str,
                             lang: str = "en") -> pd.DataFrame:
    """Into ``folder``, whose scenario folders are written: each scenario's municipal adoption by year, the
    cost-effectiveness table (cost per extra adoption of money *used*, with its bootstrap interval, and
    the frontier), the differences by group, ``comparison.csv`` (its cost row with the bootstrap
    interval), ``comparison_wide.csv`` and ``comparison.md``. Returns the long table as written."""
    from .charts.style import final_year_text, scenario_labels
    from .report.costs import cost_effectiveness
    from .report.folder import RunFolder, write_adoption_by_year
    from .report.groups import group_differences
    from .report.memo import comparison_markdown, wide_table

    folders = {}
    for name, result in runs.items():
        sub = folder / safe_file_name(name)
        write_adoption_by_year(sub, result.outcomes)
        folders[name] = RunFolder.read(sub)
    costs = cost_effectiveness({n: r.replications["adoptions_final"].to_numpy(float) for n, r in runs.items()},
                               {n: f.used_per_replication() for n, f in folders.items()}, baseline,
                               budgeted={n: f.budgeted() for n, f in folders.items()},
                               paid={n: f.spend_per_replication() for n, f in folders.items()})
    ratio = costs.set_index("scenario")
    cost_rows = table["outcome"] == "cost_per_extra_adoption_msek"
    for column, source in (("mean", ""), ("ci95_low", "_low"), ("ci95_high", "_high")):
        table.loc[cost_rows, column] = table.loc[cost_rows, "scenario"].map(
            ratio[f"cost_per_extra_adoption_msek{source}"]).to_numpy(float)
    targets = {n: [(p.name or p.type, p.target) for p in f.levers if p.budget_msek_per_year > 0]
               for n, f in folders.items()}
    groups = group_differences({n: r.stacked("municipalities") for n, r in runs.items()}, baseline, targets)
    labels = scenario_labels({n: f.description for n, f in folders.items()})
    base = folders[baseline]
    period = (f"simulated {base.start_year}–{base.end_year - 1}, outcomes at the {final_year_text(base.end_year)}"
              if lang != "sv" else f"simulerat {base.start_year}–{base.end_year - 1}, utfall vid "
              f"{final_year_text(base.end_year, lang)}")
    write_csv(table, folder / "comparison.csv")
    write_csv(wide_table(table, costs, labels), folder / "comparison_wide.csv")
    write_csv(costs, folder / "cost_effectiveness.csv")
    write_csv(groups, folder / "differences_by_group.csv")
    text = comparison_markdown(table, costs, baseline, len(runs[baseline].outcomes), runs[baseline].seed, period,
                               labels, lang, usage={n: f.usage for n, f in folders.items()})
    write_with(folder / "comparison.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return table

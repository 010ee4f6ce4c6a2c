"""Which scenarios a comparison may pair: loading them and checking, before anything runs, that they share
the baseline's calendar, world, innovations and model.

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

from ..errors import InputError, suggest
from ..names import safe_file_name
from ..scenario import Scenario, load_scenario

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



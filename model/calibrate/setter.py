"""The fit's scenarios made cheaply: the fitted values set into a copy of the scenario, not a re-read of it.

:func:`model.scenario.with_overrides` dumps the whole scenario, sets the values and validates all of it
again (about 0.75 ms, a twentieth of a calibration run, issue 21). :class:`ScenarioSetter` resolves the
fitted paths once and then copies only the objects along them (``model_copy``), validating anew only the
object that holds each value (its fields' checks and its own cross-field checks: a Parameters object, an
event). The checks :func:`model.scenario.parse_scenario` makes across the scenario (levers against their
portfolio, events against the calendar) are made by :func:`with_overrides` when the setter is made, at the
priors' lower ends, middles and upper ends, and the setter's scenarios there must equal its: otherwise (or
for a value held by the scenario object itself) every scenario is made by ``with_overrides``.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from ..scenario import Scenario, set_path, with_overrides
from .plan import FittedParameter
from .simulate import Simulator, overrides


class ScenarioSetter:
    """``setter(changes)``: ``scenario`` with ``changes`` (dotted path -> value, as
    :func:`.simulate.overrides` gives) set, equal to ``with_overrides(scenario, changes)``."""

    def __init__(self, scenario: Scenario, fitted: list[FittedParameter]) -> None:
        self.scenario = scenario
        data = copy.deepcopy(scenario.model_dump(mode="python", exclude_unset=False))  # as with_overrides sets
        self.locations = {f.path: set_path(data, f.path, None, "calibration")[0] for f in fitted}
        self.fast = all(len(loc) > 1 for loc in self.locations.values()) and self._agrees(fitted)

    def _agrees(self, fitted: list[FittedParameter]) -> bool:
        """Whether the quick path gives ``with_overrides``'s scenario at the priors' ends and middles."""
        for share in (0.0, 0.5, 1.0):
            values = {f.name: f.low + share * (f.high - f.low) for f in fitted}
            changes = overrides(fitted, values)
            try:
                slow = with_overrides(self.scenario, changes, source="calibration")
            except Exception:  # an end the whole scenario refuses: leave every check to with_overrides
                return False
            if self._set(changes) != slow:
                return False
        return True

    def __call__(self, changes: dict[str, Any]) -> Scenario:
        if not self.fast:
            return with_overrides(self.scenario, changes, source="calibration")
        return self._set(changes)

    def _set(self, changes: dict[str, Any]) -> Scenario:
        updates = [(self.locations[path], value) for path, value in changes.items()]
        return _rebuild(self.scenario, updates)[0]


def _rebuild(node: Any, updates: list[tuple[tuple, Any]]) -> tuple[Any, bool]:
    """``node`` with each ``(location, value)`` of ``updates`` set (locations relative to ``node``), and
    whether the object holding a value is still to be validated (the value sits in a mapping or list)."""
    by_key: dict[Any, list[tuple[tuple, Any]]] = {}
    for loc, value in updates:
        by_key.setdefault(loc[0], []).append((loc[1:], value))
    changed: dict[Any, Any] = {}
    validate = False
    for key, subs in by_key.items():
        if any(not loc for loc, _ in subs):
            changed[key] = subs[-1][1]
            validate = True
        else:
            child = getattr(node, key) if isinstance(node, BaseModel) else node[key]
            changed[key], pending = _rebuild(child, subs)
            validate = validate or pending
    if isinstance(node, BaseModel):
        if validate:  # this object holds a value: its fields' checks and its own checks run again
            fields = {name: getattr(node, name) for name in type(node).model_fields}
            return type(node).model_validate(fields | changed), False
        return node.model_copy(update=changed), False
    new = list(node) if isinstance(node, list) else dict(node)
    for key, value in changed.items():
        new[key] = value
    return new, validate


class FastSimulator(Simulator):
    """:class:`.simulate.Simulator` whose scenarios are made by a :class:`ScenarioSetter` (the same ones)."""

    def __init__(self, scenario: Scenario, fitted: list[FittedParameter], *args: Any, **kwargs: Any) -> None:
        super().__init__(scenario, fitted, *args, **kwargs)
        self.setter = ScenarioSetter(scenario, self.fitted)

    def scenario_for(self, values: dict[str, Any]) -> Scenario:
        """The scenario with the fitted ``values`` set (whole-number parameters rounded)."""
        return self.setter(overrides(self.fitted, values))

"""Policy levers: one module per lever, each registered by its ``type`` name.

Modules: :mod:`.registry` (type name -> lever class), :mod:`.base` (parameters every lever has, the
``act`` template, spending), :mod:`.targeting` (who a lever reaches), :mod:`.entries` (validating a
scenario's ``levers:`` list once, into parameter objects), one module per lever, and :mod:`.listing`
(the tables of ``spridning levers`` and ``docs/levers.md``). Levers read and change a run only through the
run context (:mod:`model.context`): its effects and its spend ledger. See ``docs/levers.md``.
"""

from __future__ import annotations

# the lever modules register themselves in REGISTRY when imported
from . import (  # noqa: F401  (imported for registration)
    change_teams, funding, infrastructure, job_shadowing, learning_networks, peer_review, procurement,
    training_networks,
)
from .entries import validate_entries, yearly_spend
from .registry import REGISTRY

__all__ = ["REGISTRY", "build_levers", "validate_entries", "yearly_spend"]


def build_levers(lever_params: list, context) -> list:
    """One lever object per validated parameter object (a scenario's ``levers``), in the scenario's order,
    for the run whose :class:`~model.context.RunContext` is ``context``."""
    return [REGISTRY[params.type](params, context) for params in lever_params]

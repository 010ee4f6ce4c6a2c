"""The organisations as Mesa agents.

Agents are the organisations' identities and views onto the model's state arrays (design.md,
Performance): they are what you select, group, inspect and draw, while the dynamics act on all
organisations at once in :mod:`model.dynamics`. Reading an attribute of an agent
reads the current value from the model's arrays, so agents never go stale.
"""

from __future__ import annotations

from ..mesa_import import mesa

from ..stages import STAGES


class Organisation(mesa.Agent):
    """A public-sector organisation; ``index`` is its row in every state array.

    Like the agents of Mesa's examples it never imports the model: it reads the run's arrays through
    ``self.model.context`` (a :class:`model.context.RunContext`).
    """

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def code(self) -> str:
        """SCB code (municipalities), region code or agency id."""
        return self.model.context.orgs.code[self.index]

    @property
    def name(self) -> str:
        """Official name."""
        return self.model.context.orgs.name[self.index]

    @property
    def population(self) -> float:
        """Inhabitants served (staff for agencies)."""
        return float(self.model.context.orgs.population[self.index])

    @property
    def capacity(self) -> float:
        """Development capacity left after operations, including what levers have added."""
        ctx = self.model.context
        return float(ctx.state.capacity[self.index] + ctx.effects.capacity_bonus[self.index])

    @property
    def digital_maturity(self) -> float:
        """Digital maturity, 0-1."""
        return float(self.model.context.state.maturity[self.index])

    @property
    def enthusiasts(self) -> int:
        """Enthusiasts (eldsjälar) now."""
        return int(self.model.context.state.enthusiasts[self.index])

    @property
    def has_protector(self) -> bool:
        """Whether a manager backs innovation now."""
        return bool(self.model.context.state.protector[self.index])

    @property
    def slack_msek(self) -> float:
        """This year's budget slack, MSEK."""
        return float(self.model.context.state.slack[self.index])

    def stage(self, innovation: str) -> str:
        """This organisation's stage for an innovation, e.g. ``'piloting'``."""
        k = self.model.context.innovation_names.index(innovation)
        return STAGES[self.model.context.state.stage[self.index, k]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code} {self.name})"


class Municipality(Organisation):
    """One of the 290 kommuner."""

    @property
    def county(self) -> str:
        """The county (län) it belongs to."""
        orgs = self.model.context.orgs
        return orgs.counties[orgs.county[self.index]]

    @property
    def skr_group(self) -> str:
        """SKR's municipality group (A1 ... C9)."""
        from .organisations import SKR_GROUPS

        return SKR_GROUPS[self.model.context.orgs.skr_group[self.index]]

    @property
    def size_band(self) -> str:
        """Size band of the official statistics (<10k ... >100k)."""
        from .organisations import SIZE_BANDS

        return SIZE_BANDS[self.model.context.orgs.size_band[self.index]]


class Region(Organisation):
    """One of the 21 regions (healthcare, public transport, regional development)."""

    @property
    def county(self) -> str:
        """The county (län) it belongs to."""
        orgs = self.model.context.orgs
        return orgs.counties[orgs.county[self.index]]


class Agency(Organisation):
    """A national actor (agency, SKR or a company of SKR) with one or more roles."""

    @property
    def roles(self) -> tuple[str, ...]:
        """Its roles (funder, network operator, ...)."""
        return self.model.context.orgs.roles[self.index]

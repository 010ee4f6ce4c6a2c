"""What policy levers can change in the model, and the only way they change it.

Each quarter the model resets the *per-quarter* effects to neutral, lets every active lever add its part,
and then the dynamics read them. *Lasting* effects (capacity left behind, ties created, infrastructure
built) accumulate and are never reset. Money earmarked for one innovation in one organisation (project
grants, earmarked state grants) is put here by levers and spent by the dynamics as the pilot or adoption
pays its costs; flexible money and charges go into the organisation's own money before the dynamics run.
Keeping this surface small and named is what lets each lever be one short module, and what makes a lever
with zero budget identical to no lever at all.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np


#: this quarter's effects as the compiled life cycle reads them (:meth:`Effects.kernel_arguments`), each
#: field named as in :class:`Effects` (``infrastructure_gain`` and ``failure_sharing_boost``: (1,) arrays)
LeverEffects = namedtuple("LeverEffects", [
    "capacity_bonus", "p_external_boost", "tie_strength", "scale_logit_bonus", "fixed_cost_factor", "load_factor",
    "grant_msek", "state_grant_msek", "funded_start", "infrastructure_gain", "failure_sharing_boost",
])


@dataclass
class Effects:
    """What levers may change in a run (see the module docstring); (n,) arrays per organisation and (n, k)
    per organisation and innovation unless noted."""

    n: int
    k: int
    # --- per quarter (reset by `reset_quarter`) ---
    p_external_boost: np.ndarray = field(init=False)  # added to p_external, per organisation
    tie_strength: np.ndarray = field(init=False)  # multiplies every beta, per organisation (receiver)
    scale_logit_bonus: np.ndarray = field(init=False)  # added to the log-odds of scaling
    fixed_cost_factor: np.ndarray = field(init=False)  # (n, k) multiplies pilot costs and the fixed part of scale-up
    load_factor: np.ndarray = field(init=False)  # (n, k) multiplies the capacity pilots, scale-ups, adoptions hold
    # (and failure_sharing_boost, a property: added to the share of disappointments whose lessons are shared)
    # --- lasting ---
    capacity_bonus: np.ndarray = field(init=False)  # development capacity added
    lever_ties_version: int = 0  # counts changes to lever_ties, so what depends on them is recomputed once
    # (and infrastructure_gain, a property: added to the scenario's infrastructure level, capped at 1)
    # --- money earmarked for one innovation in one organisation, spent by the dynamics ---
    grant_msek: np.ndarray = field(init=False)  # (n, k) project grants (pilots, scale-ups), until spent
    state_grant_msek: np.ndarray = field(init=False)  # (n, k) earmarked state grants of this year
    funded_start: np.ndarray = field(init=False)  # (n, k) bool: a grant funds a pilot that starts now

    def __post_init__(self) -> None:
        n, k = self.n, self.k
        self.capacity_bonus = np.zeros(n)
        # the two numbers, each in a (1,) array the compiled loop holds all run (kernel_arguments)
        self._infrastructure_gain, self._failure_sharing_boost = np.zeros(1), np.zeros(1)
        self._lever_ties: np.ndarray | None = None  # made on first use: most runs have no lever ties
        self._new_cells: list[np.ndarray] = []  # cells add_ties wrote since take_new_tie_cells last looked
        # the per-quarter arrays are rows of two blocks, so that resetting them takes two calls, not five
        # (every quarter a lever acts): (3, n) boost, strength, bonus beside their neutral values, (2, n, k)
        self._per_organisation = np.array([np.zeros(n), np.ones(n), np.zeros(n)])
        self._neutral_per_organisation = self._per_organisation.copy()
        self._per_cell = np.ones((2, n, k))
        self._bind_per_quarter()
        self.grant_msek = np.zeros((n, k))
        self.state_grant_msek = np.zeros((n, k))
        self.funded_start = np.zeros((n, k), dtype=np.bool_)
        self.charged = np.zeros(n)  # MSEK of own money charged this quarter, taken before the dynamics
        self.added = np.zeros(n)  # MSEK added to this year's own money this quarter (flexible grants)
        self._money_moved = False  # whether charged or added may be nonzero (saves looking every quarter)

    def _bind_per_quarter(self) -> None:
        """The per-quarter arrays as the rows of their blocks (what :meth:`reset_quarter` resets)."""
        self.p_external_boost, self.tie_strength, self.scale_logit_bonus = self._per_organisation
        self.fixed_cost_factor, self.load_factor = self._per_cell

    def __setstate__(self, state: dict) -> None:
        """A copy (pickle, ``copy.deepcopy``) keeps its per-quarter arrays rows of its own blocks."""
        self.__dict__.update(state)
        self._bind_per_quarter()

    def charge_own_money(self, who: np.ndarray, msek) -> None:
        """Organisations ``who`` ((n,) bool) spend ``msek`` (a number or an (n,) array) of this year's own
        money this quarter (applying for a grant; a region paying for a programme it runs); what they do not
        have is not spent, and earmarked grants are never touched. Applied by :meth:`settle_money` before the
        quarter's dynamics."""
        self.charged += np.where(who, msek, 0.0)
        self._money_moved = True

    def add_own_money(self, who: np.ndarray, msek) -> None:
        """Organisations ``who`` get ``msek`` (a number or an (n,) array) of flexible money for this year (a
        formula grant), added to their own money by :meth:`settle_money`."""
        self.added += np.where(who, msek, 0.0)
        self._money_moved = True

    def available_own_money(self, money_left: np.ndarray) -> np.ndarray:
        """(n,) MSEK of own money still free this quarter, after the charges and additions so far."""
        return np.maximum(money_left + self.added - self.charged, 0.0)

    def settle_money(self, money_left: np.ndarray) -> None:
        """Take this quarter's charges out of ``money_left`` and add the additions ((n,) MSEK, in place)."""
        if self._money_moved and (self.charged.any() or self.added.any()):
            np.copyto(money_left, self.available_own_money(money_left))
            self.charged[:] = 0.0
            self.added[:] = 0.0
        self._money_moved = False

    @property
    def infrastructure_gain(self) -> float:
        """Added to the scenario's infrastructure level (capped at 1); lasting."""
        return float(self._infrastructure_gain[0])

    @infrastructure_gain.setter
    def infrastructure_gain(self, value: float) -> None:
        self._infrastructure_gain[0] = value

    @property
    def failure_sharing_boost(self) -> float:
        """Added to the share of disappointments whose lessons are shared; this quarter's."""
        return float(self._failure_sharing_boost[0])

    @failure_sharing_boost.setter
    def failure_sharing_boost(self, value: float) -> None:
        self._failure_sharing_boost[0] = value

    def kernel_arguments(self) -> LeverEffects:
        """The effects as the life cycle kernel's named tuple: the arrays themselves, the same all run (the
        two numbers in (1,) arrays), so the quarter loop holds them once (:mod:`model.dynamics.packed`)."""
        return LeverEffects(self.capacity_bonus, self.p_external_boost, self.tie_strength, self.scale_logit_bonus,
                            self.fixed_cost_factor, self.load_factor, self.grant_msek, self.state_grant_msek,
                            self.funded_start, self._infrastructure_gain, self._failure_sharing_boost)

    def reset_quarter(self) -> None:
        """Back to neutral, in place (levers may keep references to these arrays within a quarter)."""
        np.copyto(self._per_organisation, self._neutral_per_organisation)  # p_external_boost, tie_strength, ...
        self._per_cell.fill(1.0)  # fixed_cost_factor, load_factor
        self._failure_sharing_boost[0] = 0.0

    @property
    def has_lever_ties(self) -> bool:
        """Whether any lever has created a tie in this run."""
        return self.lever_ties_version > 0

    @property
    def lever_ties(self) -> np.ndarray:
        """(n, n) weights of the ties levers created; change them only through :meth:`add_ties`."""
        if self._lever_ties is None:
            self._lever_ties = np.zeros((self.n, self.n))
        return self._lever_ties

    def add_ties(self, a: np.ndarray | int, b: np.ndarray | int, weight: float = 1.0) -> None:
        """Create lasting symmetric ties between organisations ``a`` and ``b`` (e.g. reviewer and reviewed)."""
        a, b = np.atleast_1d(a), np.atleast_1d(b)
        if (a == b).any():
            a, b = a[a != b], b[a != b]
        if len(a):
            self.lever_ties[a, b] = weight
            self.lever_ties[b, a] = weight
            self.ties_written(np.concatenate((a * self.n + b, b * self.n + a)).astype(np.int64))

    def ties_written(self, cells: np.ndarray) -> None:
        """Note that the lever-tie cells ``cells`` (flat indices ``a * n + b``, (m,) int64, m > 0) were
        written in :attr:`lever_ties` (by :meth:`add_ties`, or by a lever's compiled tie rule:
        :meth:`model.levers.base.Lever.tie`), so what depends on them is recomputed."""
        self._new_cells.append(cells)
        self.lever_ties_version += 1

    def take_new_tie_cells(self) -> np.ndarray:
        """The flat indices ``a * n + b`` of the lever-tie cells :meth:`add_ties` wrote since the last call
        (both directions, unsorted, repeats possible), and forgets them: the run's sparse view of the lever
        ties (:meth:`model.world.networks.Ties.refresh`) takes in only what changed."""
        if not self._new_cells:
            return np.zeros(0, dtype=np.int64)
        cells = self._new_cells[0] if len(self._new_cells) == 1 else np.concatenate(self._new_cells)
        self._new_cells = []
        return cells

"""The model: Sweden's public sector as one Mesa model whose state lives in arrays.

``InnovationModel`` builds the world from a validated :class:`~model.scenario.Scenario` (organisations,
ties, people, innovations, levers) and steps it one quarter at a time. State is held as a structure of
arrays indexed by organisation (and innovation); each phase of a step acts on all organisations at once.
The Mesa agents (:mod:`model.world.agents`) are views onto those arrays.

Random numbers: the model's generator (``self.rng``, seeded from the run's seed) is split into independent
streams for the world, people, the life cycle and the levers. A seed reproduces a run exactly, and two
scenarios run with the same seed share every draw a lever does not touch (common random numbers).
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from .mesa_import import mesa
import numpy as np

from .context import Calendar, Draws, InnovationTable, RunContext, RunRecord, SpendLedger, State
from . import economy
from .dynamics import events as event_schedule
from .dynamics import lifecycle, people, quarters, uniforms
from .effects import Effects
from .levers import build_levers, fading
from .levers.kernels import kernels
from .levers.base import Lever
from .scenario import Scenario
from .stages import ADOPTED, PILOTING, UNAWARE
from .world.agents import Agency, Municipality, Region
from .world.networks import Ties, draw_national_members
from .world.organisations import AGENCY, KIND_NAMES, MUNICIPALITY, REGION, load_organisations

#: operations never take all of an organisation's development capacity (keeps capacity above zero)
MAX_PRESSURE = 0.99
AGENT_CLASS = {MUNICIPALITY: Municipality, REGION: Region, AGENCY: Agency}


@lru_cache(maxsize=16)
def _national_actors(key: tuple) -> tuple[int, bool]:
    """In the world ``load_organisations(*key)``: how many national actors promote innovations (network hosts
    and sector agencies), and whether a network host is there to share failures."""
    orgs = load_organisations(*key)
    promoters = sum(bool({"network_host", "sector_agency"} & set(roles)) for roles in orgs.roles)
    return int(promoters), any(bool(h) for h in orgs.hosts)


def _last_busy_year(lever: Lever) -> int | float:
    """The lever's last active year, before which :meth:`~model.levers.base.Lever.idle` is false (it needs
    :meth:`~model.levers.base.Lever.only_lingering`); -inf when it has no years or its class has its own
    rule for either."""
    own_rule = type(lever).idle is not Lever.idle or type(lever).only_lingering is not Lever.only_lingering
    return float("-inf") if own_rule or not lever.years else lever.years[-1]


class InnovationModel(mesa.Model):
    """Innovations spreading among Sweden's municipalities, regions and national agencies.

    Builds one run's :class:`~model.context.RunContext` (``self.context``) from a validated scenario and
    steps it; ``state``, ``effects``, ``orgs``, ``ties`` and the other parts of the context are also
    attributes of the model, for inspection.
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence | None = None) -> None:
        if isinstance(seed, np.random.SeedSequence):
            # a copy: spawning the streams below counts children on the SeedSequence itself, so a caller
            # that runs two scenarios with the same SeedSequence object would otherwise get other streams
            seed = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size,
                                          n_children_spawned=seed.n_children_spawned)
        super().__init__(rng=np.random.default_rng(seed))
        # `self.scenario` is Mesa's own attribute in Mesa >= 3.4, so the scenario lives in `spec`
        self.spec = scenario
        self.params = SimpleNamespace(**scenario.parameters.model_dump())
        self.rng_world, self.rng_people, self.rng_lifecycle, self.rng_levers = self.rng.spawn(4)
        self.quarter = 0  # quarters completed
        self.n_steps = scenario.steps
        self.calendar = Calendar(scenario.start_year, self.n_steps)

        world = scenario.world
        self.orgs = load_organisations(world.regions, world.agencies, tuple(sorted(world.without)))
        self.n = self.orgs.n
        self.innovations = InnovationTable.from_innovations(scenario.innovations, self.params,
                                                            scenario.start_year)
        self.innovation_names = self.innovations.names
        self.k = len(self.innovation_names)
        self.scale = self._scale()
        by_kind = np.array([[kind in applies for applies in self.innovations.applies_to] for kind in KIND_NAMES])
        self.applicable = by_kind[self.orgs.kind].reshape(self.n, self.k)

        self.state = State(
            stage=np.full((self.n, self.k), UNAWARE, dtype=np.int8),
            pilot_age=np.zeros((self.n, self.k), dtype=np.int16),
            pilot_start=np.zeros((self.n, self.k), dtype=np.int16),
            champion=np.zeros((self.n, self.k), dtype=np.int8),
            failed=np.zeros((self.n, self.k), dtype=np.int8),
            capacity=self._draw_capacity(),
            maturity=self._draw_maturity(),
        )
        people_uniforms, slack_normals, schedule = people.initialise(self.state, self.params, self.scale,
                                                                     self.calendar, self.rng_people,
                                                                     elected=self.orgs.elected)
        # uniforms per organisation, innovation and quarter, drawn at once: see model.dynamics.lifecycle
        shape = (self.n_steps, self.n, self.k)
        life_cycle, champion, result = uniforms.life_cycle_uniforms(self.rng_lifecycle, shape)
        draws = Draws(lifecycle=life_cycle, champion=champion, result=result, people=people_uniforms,
                      slack=slack_normals)
        people.start_quarter(self.state, self.params, draws, schedule, 0)
        self.effects = Effects(self.n, self.k)
        self.effects.capacity_bonus += economy.own_staff_bonus(self.params, self.scale, self.state.capacity)
        members = draw_national_members(self.orgs, self.scale, self.params.national_network_share,
                                        self.rng_world)
        complex_contagion = scenario.mechanisms.contagion == "complex"
        rewire_rng = self.rng_world.spawn(1)[0] if world.networks.rewire > 0 else None
        self.ties = Ties(self.orgs, world.networks, self.params, members, self.effects, self.applicable,
                         fraction=scenario.mechanisms.threshold == "fraction",
                         rng=rewire_rng)
        first_users = self._first_users()

        # history for outcomes: stage and evidence at every quarter boundary, and what the life cycle counted
        record = RunRecord(stage_history=np.empty((self.n_steps + 1, self.n, self.k), dtype=np.int8),
                           tally=np.zeros((self.n_steps, len(lifecycle.TALLY))),
                           scale_count=np.zeros(self.k), scale_durations=np.zeros(self.k),
                           covered=np.zeros((self.n_steps, self.k)),
                           evidence=np.empty((self.n_steps + 1, self.k)))
        record.stage_history[0] = self.state.stage
        evidence = self.innovations.evidence.astype(float).copy()
        record.evidence[0] = evidence
        self.context = RunContext(
            params=self.params, orgs=self.orgs, scale=self.scale, applicable=self.applicable,
            innovations=self.innovations, evidence=evidence,
            evidence_weight=np.full(self.k, float(self.params.evidence_prior_weight)),
            scale_cost=(self.innovations.scale_cost_fixed[None, :]
                        + self.innovations.scale_cost_per_10k[None, :] * (self.scale / 1e4)[:, None]),
            fit=self._fit(),
            state=self.state, draws=draws, schedule=schedule, ties=self.ties, calendar=self.calendar,
            effects=self.effects, ledger=SpendLedger(self.n), record=record, rates=lifecycle.rates(self.params),
            rng_levers=self.rng_levers, one_step=scenario.mechanisms.lifecycle == "one_step",
            complex_contagion=complex_contagion,
            events=event_schedule.schedule(scenario.events, self.innovation_names, scenario.start_year,
                                           self.n_steps),
            promoters=_national_actors(self.orgs.key)[0], failures_shared=_national_actors(self.orgs.key)[1],
            delivery=self._delivery(), first_users=first_users,
        )
        self._organisations: list | None = None  # Mesa agents, made on first use (see `organisations`)
        self.levers = build_levers(scenario.levers, self.context, scenario.events)
        # a lever without budget does nothing at all (model.levers.base), so only these need a quarter each
        self.acting_levers = [lever for lever in self.levers if lever.budget > 0]

    @property
    def stage_history(self) -> np.ndarray:
        """(steps + 1, n, k) int8: every organisation's stage of every innovation at each quarter boundary."""
        return self.context.record.stage_history

    @property
    def scale_cost(self) -> np.ndarray:
        """(n, k) MSEK to scale each innovation in each organisation."""
        return self.context.scale_cost

    # --- construction ---------------------------------------------------------------------------------
    def _scale(self) -> np.ndarray:
        """Population-equivalent size: population, or staff times a factor for agencies."""
        orgs = self.orgs
        scale = np.where(orgs.kind == AGENCY, orgs.scale * self.params.agency_population_equivalent, orgs.scale)
        if self.spec.world.homogeneous:
            scale = np.full(self.n, orgs.median_population)
        return scale

    def _fit(self) -> np.ndarray:
        """(n, k) the chance that a pilot of each innovation works in each organisation: the innovation's
        value, higher where its need is greater — for ``need_sparsity`` > 0, where fewer people live per km²
        (the savings of welfare technology are largest there); agencies and a homogeneous world have
        average need."""
        inn = self.innovations
        density = np.where(np.isnan(self.orgs.density), self.orgs.median_density, self.orgs.density)
        if self.spec.world.homogeneous:
            density = np.full(self.n, self.orgs.median_density)
        relative = np.maximum(density, 1e-3) / self.orgs.median_density
        need = relative[:, None] ** (-inn.need_sparsity[None, :])
        return np.clip(inn.value[None, :] * need, 0.0, 1.0)

    def _delivery(self) -> np.ndarray:
        """(n,) MSEK a year each national actor can deliver as a lever's operator (``agencies.csv``, or the
        scenario's ``world.delivery_msek_per_year``)."""
        delivery = self.orgs.delivery_msek.copy()
        for code, msek in self.spec.world.delivery_msek_per_year.items():
            if code in self.orgs.code:
                delivery[self.orgs.index_of(code)] = msek
        return delivery

    def _draw_capacity(self) -> np.ndarray:
        """Development capacity: grows sublinearly with size, minus what operations eat (000 L447-455)."""
        p = self.params
        u = self.rng_world.standard_normal(self.n)
        pressure = np.clip(p.operations_pressure + p.operations_pressure_spread * u, 0.0, MAX_PRESSURE)
        if self.spec.world.homogeneous:
            pressure = np.full(self.n, p.operations_pressure)
        return p.capacity_scale * (self.scale / 1e4) ** p.capacity_elasticity * (1.0 - pressure)

    def _draw_maturity(self) -> np.ndarray:
        """Digital maturity: higher in larger organisations (004 L1899-1912), with spread."""
        p = self.params
        u = self.rng_world.standard_normal(self.n)
        mean = p.digital_maturity_mean + p.digital_maturity_size_slope * np.log10(self.scale / self.orgs.median_population)
        if self.spec.world.homogeneous:
            return np.full(self.n, p.digital_maturity_mean)
        return np.clip(mean + p.digital_maturity_spread * u, 0.0, 1.0)

    def _first_users(self) -> np.ndarray:
        """(n, k) int8: the organisations that have scaled (``ADOPTED``) or are piloting (``PILOTING``) each
        innovation when it is introduced, the rest ``UNAWARE``: its ``initial_adopters`` and then its
        ``initial_pilots``, drawn without replacement in proportion to development capacity among those it
        applies to (Efraimidis-Spirakis keys: the largest u^(1/w)). Innovations available from the start
        get them now; the quarter loop introduces the others (:func:`model.dynamics.lifecycle.introduce`)."""
        inn = self.innovations
        first = np.full((self.n, self.k), UNAWARE, dtype=np.int8)
        wanted = np.minimum(inn.initial_adopters + inn.initial_pilots, self.n)
        if not wanted.any():
            return first
        u = self.rng_world.random((self.n, self.k))
        keys = np.where(self.applicable, np.log(u) / np.maximum(self.state.capacity, 1e-9)[:, None], -np.inf)
        # every column's stable order at once (a stable sort has one result: each column's own sort's)
        ranked, finite = np.argsort(-keys, axis=0, kind="stable"), np.isfinite(keys)
        for j in range(self.k):
            order = ranked[:wanted[j], j]
            order = order[finite[order, j]]  # fewer applicable than wanted: all of them
            first[order[:inn.initial_adopters[j]], j] = ADOPTED
            first[order[inn.initial_adopters[j]:], j] = PILOTING
        pilots = lifecycle.Pilots(self.state.stage, self.state.pilot_age, self.state.pilot_start,
                                  self.state.champion, self.state.failed)
        for j in np.flatnonzero(inn.available_from == 0):
            lifecycle.introduce(pilots, first, int(j), 0, self.state.enthusiasts)
        return first

    # --- time ---------------------------------------------------------------------------------------------
    def year_quarter(self, t):
        """Calendar year and quarter (1-4) of quarter index ``t`` (see :class:`model.context.Calendar`)."""
        return self.calendar.year_quarter(t)

    def step(self) -> None:
        """One quarter: levers act, then every organisation's life cycle, then people and budgets change
        for the next quarter (:mod:`model.dynamics.quarters`). A lever whose work is over (see
        :meth:`model.levers.base.Lever.idle`) is not called again."""
        t = self.quarter
        if self.acting_levers:
            year, quarter = self.year_quarter(t)
            self._retire_idle_levers(t, year)
        if self.acting_levers:
            self.effects.reset_quarter()
            self.context.acting_quarter = t
            try:
                for lever in self.acting_levers:
                    lever.act(self.context, t, year, quarter)
            finally:  # what levers derived from this quarter's state is not valid after it
                self.context.acting_quarter = None
                self.context.quarter_cache.clear()
        quarters.advance(self.context, t, t + 1)
        self._done(t + 1)

    def _retire_idle_levers(self, t: int, year: int) -> None:
        if year <= self._shortcuts()[1]:  # within every acting lever's years: none is idle
            return
        still = [lever for lever in self.acting_levers if not lever.idle(self.context, t, year)]
        if len(still) < len(self.acting_levers):
            self.acting_levers = still
            if not still:  # no lever sets this quarter's effects any more: back to neutral once
                self.effects.reset_quarter()

    def run_model(self, until: int | None = None) -> None:
        """Run to the horizon: in one compiled call with the levers acting in it when every acting lever's
        quarter is compiled (:mod:`model.levers.compiled`); otherwise quarter by quarter while levers act,
        then the quarters left in one compiled call (also all of them in a run without levers). With
        ``until`` (a quarter, 0 to the horizon) only that far: the stage history is written up to row
        ``until`` and nothing after it, and the run is not finished (levers keep what is out, events' costs
        are not booked) — for callers that read the stage history of its first quarters only (the
        calibration's fit: its last survey is years before the horizon)."""
        end = self.n_steps if until is None else min(max(int(until), 0), self.n_steps)
        if self.acting_levers and self.quarter < end and self._run_compiled(end):
            self._done(end)
        fades = None
        while self.acting_levers and self.quarter < end:
            if self._shortcuts()[0]:  # by class: most levers cannot fade
                fades = self._fading_levers()
                if fades is not None:  # all that acts from now on: know-how and skills fading
                    break
            self.step()
        if self.quarter < end:
            t0 = self.quarter
            if fades:
                fading.run(self.context, fades, t0, end)
            else:
                quarters.advance(self.context, t0, end)
            self._done(end)
        self._sync_clock()

    def _run_compiled(self, end: int) -> bool:
        """Run to quarter ``end`` in one compiled call with the levers acting in it, if every acting lever
        can (:mod:`model.levers.compiled`; the same results as quarter by quarter); whether it did."""
        return kernels("compiled").run(self.context, self.acting_levers, self.quarter, end)

    def _sync_clock(self) -> None:
        """Mesa's own clock (``steps``; ``time`` in Mesa >= 3.4) set to the quarters completed, as if
        :meth:`step` had been called for each. Only once no :meth:`step` follows: in Mesa >= 3.5 a call of
        ``step()`` runs every scheduled step event up to ``time + 1``, so a clock moved ahead in the middle
        of a run would make the next call run several quarters (past the horizon)."""
        self.steps = self.quarter
        if hasattr(self, "time"):
            self.time = float(self.quarter)

    #: the acting levers (the list) for which :meth:`_shortcuts` last looked, and what it found
    _shortcuts_of: list | None = None
    _shortcuts_found: tuple = (False, -1)

    def _shortcuts(self) -> tuple[bool, int | float]:
        """Whether every acting lever's class can only fade (:meth:`model.levers.base.Lever.fading`), and
        the last year in which none of them can be idle (:meth:`model.levers.base.Lever.idle`: not before
        its last active year; -inf when one has no years or its class decides otherwise): looked at once per
        set of acting levers, not every quarter."""
        if self._shortcuts_of is not self.acting_levers:
            levers = self.acting_levers
            self._shortcuts_of = levers
            self._shortcuts_found = (all(fading.may_fade(lever) for lever in levers),
                                     min((_last_busy_year(lever) for lever in levers), default=float("-inf")))
        return self._shortcuts_found

    def _fading_levers(self) -> list | None:
        """The acting levers' know-how and skills when letting them act and fade is all any of them does from
        this quarter on (:meth:`model.levers.base.Lever.fading`), else None: the rest of the run may then
        go in one compiled call (:mod:`model.levers.fading`; the same results, bit for bit)."""
        may_fade, last_busy_year = self._shortcuts()
        t = self.quarter
        year, _ = self.year_quarter(t)
        if not may_fade or year <= last_busy_year:  # a lever fades only after its years (Lever.fading)
            return None
        self._retire_idle_levers(t, year)  # as the quarter would (the same again there changes nothing)
        fades = [lever.fading(self.context, t, year) for lever in self.acting_levers]
        return None if not fades or any(f is None for f in fades) else fades

    def _done(self, quarters_completed: int) -> None:
        self.quarter = quarters_completed
        if self.quarter >= self.n_steps:
            if self.running:
                for lever in self.levers:
                    if lever.budget > 0:  # retired levers too: each takes back what is still out
                        lever.close(self.context)
                event_schedule.book_costs(self.spec.events, self.innovation_names, self.spec.start_year,
                                          self.context.record.covered, self.context.ledger)
            self.running = False

    # --- views -----------------------------------------------------------------------------------------
    @property
    def organisations(self) -> list:
        """The organisations as Mesa agents (``Municipality``, ``Region``, ``Agency``), in array order.

        Agents are views onto the state arrays, so they are made the first time anyone looks (through
        this, ``agents`` or ``agents_by_type``); a run that only needs its outcomes, such as each of the
        thousands of runs in a sweep, does not pay for registering 330 agents with Mesa.
        """
        if self._organisations is None:
            self._organisations = [AGENT_CLASS[int(kind)](self, i) for i, kind in enumerate(self.orgs.kind)]
        return self._organisations

    @property
    def agents(self):
        """Mesa's AgentSet of every organisation (the views are made on first use)."""
        self.organisations  # noqa: B018 - make the views before Mesa lists them
        return super().agents

    @property
    def agents_by_type(self):
        """Mesa's agents grouped by class: Municipality, Region, Agency."""
        self.organisations  # noqa: B018
        return super().agents_by_type

    def graph(self, tie_type: str):
        """A tie type of this run as a networkx graph (see :meth:`model.world.networks.Ties.graph`)."""
        return self.ties.graph(tie_type)

    def organisation(self, code: str):
        """The agent with an SCB code (``'0180'``), region code (``'R01'``) or agency id (``'skr'``)."""
        return self.organisations[self.orgs.index_of(code)]

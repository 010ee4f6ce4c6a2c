"""The quarter loop's arguments held in one compiled structure, so that a call hands numba one pointer.

:data:`model.dynamics.quarters.QuarterArguments` holds every array the loop reads and changes (some eighty
in twenty-one named tuples). Handed over as a named tuple, each call unboxes every array (about 4 µs, every
quarter of a run with levers), and the loop's own compilation compiles that unboxing (about 0.7 s of a
first run's critical path). :func:`pack` puts them once per run into a numba ``StructRef``
(:class:`PackedArguments`): the loop then takes one reference, and the unboxing is compiled into
:func:`pack` instead, which a first run compiles while the life cycle compiles in another process
(:func:`model.dynamics.quarters.compile_loop`). The life cycle takes the same structure (the loop calls it
by address, its ``life_cycle`` field: :mod:`model.dynamics.native`). The arrays are the run's own, not
copies, and the run changes them in place (the effects' two numbers are held in arrays), so the structure
is made once — and once more if levers first tie organisations after it was made, when the lever ties'
buffers are made with room for every tie (:meth:`model.world.networks.Ties.refresh`;
:class:`model.dynamics.quarters._Loop`).

numba caches the kernels that take a ``StructRef`` as it caches the others; the structure's type is made
from the arguments' types when :func:`pack` is compiled (:func:`_packed_type`), so it is the same for every
run whose arrays have the same types.
"""

from __future__ import annotations

from numba.core import types
from numba.experimental import structref
from numba.extending import intrinsic

from ..environment import njit

#: the quarter loop's arguments, by name: the fields of
#: :data:`model.dynamics.quarters.QuarterArguments` and of :class:`PackedType`
FIELDS = ("draws", "schedule", "stage_history", "tally", "evidence_history", "people", "people_rates", "ties",
          "signals", "inverse_denominator", "pilots", "flags", "orgs", "effects", "inn", "rates",
          "national", "events", "counts", "first_users", "scratch", "life_cycle")


@structref.register
class PackedType(types.StructRef):
    """numba's type of :class:`PackedArguments`: one field per name of :data:`FIELDS`, typed as its value."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class PackedArguments(structref.StructRefProxy):
    """The quarter loop's arguments as one structure (Python sees an opaque handle; made by :func:`pack`)."""


structref.define_boxing(PackedType, PackedArguments)


def type_of(arguments, typeof) -> PackedType:
    """The :class:`PackedType` :func:`pack` makes of ``arguments`` (a
    :data:`~model.dynamics.quarters.QuarterArguments`), without compiling it: each field typed by
    ``typeof`` (a dispatcher's ``typeof_pyval``, as a call types its arguments)."""
    return PackedType([(name, typeof(value)) for name, value in zip(FIELDS, arguments)])


@intrinsic
def _packed_type(typingctx, values):
    """The ``TypeRef`` of the :class:`PackedType` whose fields are typed as ``values`` (a tuple in
    :data:`FIELDS`'s order), for ``structref.new``: made while :func:`pack` is typed, nothing at run time."""
    if not isinstance(values, types.BaseTuple) or len(values) != len(FIELDS):
        return None
    packed = PackedType(list(zip(FIELDS, values.types)))

    def codegen(context, builder, signature, arguments):
        return context.get_dummy_value()

    return types.TypeRef(packed)(values), codegen


@njit(error_model="numpy")
def pack(draws, schedule, stage_history, tally, evidence_history, people, people_rates, ties, signals,
         inverse_denominator, pilots, flags, orgs, effects, inn, rates, national, events, counts, first_users,
         scratch, life_cycle):
    """The :class:`PackedArguments` holding the quarter loop's arguments (the run's arrays, not copies):
    call it with a :data:`~model.dynamics.quarters.QuarterArguments` unpacked (``pack(*arguments)``)."""
    packed = structref.new(_packed_type((draws, schedule, stage_history, tally, evidence_history, people,
                                         people_rates, ties, signals, inverse_denominator, pilots, flags, orgs,
                                         effects, inn, rates, national, events, counts, first_users, scratch,
                                         life_cycle)))
    packed.draws = draws
    packed.schedule = schedule
    packed.stage_history = stage_history
    packed.tally = tally
    packed.evidence_history = evidence_history
    packed.people = people
    packed.people_rates = people_rates
    packed.ties = ties
    packed.signals = signals
    packed.inverse_denominator = inverse_denominator
    packed.pilots = pilots
    packed.flags = flags
    packed.orgs = orgs
    packed.effects = effects
    packed.inn = inn
    packed.rates = rates
    packed.national = national
    packed.events = events
    packed.counts = counts
    packed.first_users = first_users
    packed.scratch = scratch
    packed.life_cycle = life_cycle
    return packed

"""A lever's named tuple held in one compiled structure, so that compiled code hands it on as one pointer.

A lever's compiled quarter (:mod:`model.levers.compiled`) takes its state as a named tuple of some twenty to
sixty arrays and numbers. Handed through the compiled loop as named tuples, every call passes each of their
arrays by value, and numba compiled and optimised the loop for a set of five levers in about 20 s (once per
set of lever kinds: a first run of ``portfolio_sustaingov`` took 47 s). :func:`hold` puts a named tuple's
fields, by name, into a numba ``StructRef`` (:class:`HeldType`), which the loop passes as one reference; the
levers' kernels read its fields by name, as they read the named tuple's. The loop then compiles in under a
second. The arrays are the lever's own, not copies.
"""

from __future__ import annotations

from numba.core import cgutils, types
from numba.experimental import structref
from numba.extending import intrinsic

from ..environment import njit
from ..kernelcall import KeyedKernel


@structref.register
class HeldType(types.StructRef):
    """numba's type of :class:`Held`: one field per field of the named tuple held, typed as its value."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class Held(structref.StructRefProxy):
    """A named tuple held by compiled code (Python sees an opaque handle; made by :data:`hold`)."""


structref.define_boxing(HeldType, Held)


@intrinsic
def _held(typingctx, values):
    """A new :class:`HeldType` structure holding the fields of ``values`` (a named tuple), each referenced
    once more (as ``structref.new`` followed by setting every field does)."""
    if not isinstance(values, (types.NamedTuple, types.NamedUniTuple)):
        return None
    fields = [(name, types.unliteral(typ)) for name, typ in zip(values.fields, values.types)]
    held_type = HeldType(fields)

    def codegen(context, builder, signature, arguments):
        from numba.experimental.jitclass.base import imp_dtor  # the destructor structref.new gives

        data_type = held_type.get_data_type()
        alloc_type = context.data_model_manager[data_type].get_value_type()
        meminfo = context.nrt.meminfo_alloc_dtor(builder,
                                                 context.get_constant(types.uintp, context.get_abi_sizeof(alloc_type)),
                                                 imp_dtor(context, builder.module, held_type))
        pointer = builder.bitcast(context.nrt.meminfo_data(builder, meminfo), alloc_type.as_pointer())
        builder.store(cgutils.get_null_value(alloc_type), pointer)
        data = cgutils.create_struct_proxy(data_type)(context, builder, ref=pointer)
        for i, (name, typ) in enumerate(fields):
            value = context.cast(builder, builder.extract_value(arguments[0], i), values.types[i], typ)
            context.nrt.incref(builder, typ, value)
            setattr(data, name, value)
        made = cgutils.create_struct_proxy(held_type)(context, builder)
        made.meminfo = meminfo
        return made._getvalue()

    return held_type(values), codegen


@njit(error_model="numpy")
def _hold(values):
    return _held(values)


#: ``hold(values)``: a :class:`Held` holding the named tuple ``values``' fields (the same arrays), found by
#: the named tuple's class (whose maker gives its fields fixed types: :meth:`model.levers.base.Lever.compiled`)
hold = KeyedKernel(_hold, lambda arguments: type(arguments[0]))

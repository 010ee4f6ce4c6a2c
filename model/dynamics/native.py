"""Calling a compiled kernel from another by its address, so the caller's compilation does not compile it again.

numba links every kernel a kernel calls into the caller's machine code and optimises and emits it again
there: the quarter loop (:mod:`model.dynamics.quarters`) compiled the life cycle a second time, about
1.5 s of a first run's critical path (issue 21), and had to wait for the life cycle to be compiled, in
another process (:mod:`model.dynamics.compiling`), before it could be compiled itself. Called by address,
the life cycle is compiled (or loaded from the cache) once, on its own, and the loop compiles beside it.

:func:`address_of` gives a kernel's :data:`NativeCall` for the types of some arguments: the address of its
compiled function (numba's own calling convention, as numba calls its first-class functions: the jit
address of ``numba.experimental.function_type``) and a digest of those types. In compiled code,
:func:`matches` says whether a call's digest is that of the types of the arguments at hand, and :func:`call`
calls it. A call with other types than those it was compiled for would misread its arguments, so the
caller checks :func:`matches` before it calls (:func:`model.dynamics.quarters._quarters` does, once per
call of the loop, and says so to Python, which then gets the address for the new types).
"""

from __future__ import annotations

import hashlib
from collections import namedtuple
from typing import Any

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

#: a compiled kernel as a caller takes it: ``address`` of its compiled function (0: none), ``digest`` of the
#: argument types it was compiled for (:func:`digest`); both ints
NativeCall = namedtuple("NativeCall", ["address", "digest"])

#: no kernel: :func:`matches` is false for it (no types have digest 0)
NO_CALL = NativeCall(0, 0)


def digest(argument_types: tuple) -> int:
    """A digest (a positive int, at most 2**56) of a tuple of numba types, the same in every process."""
    text = repr(tuple(str(t) for t in argument_types)).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:7], "little") + 1


def address_of(kernel: Any, argument_types: tuple) -> NativeCall:
    """The :data:`NativeCall` of ``kernel`` (a numba dispatcher of a kernel that returns nothing) for
    ``argument_types`` (numba types, as ``numba.typeof`` gives them): compiled for them, or loaded from the
    cache, if it is not yet. The address is valid while ``kernel`` lives (its compiled versions stay with
    it). Raises ``TypeError`` if the kernel returns something."""
    argument_types = tuple(argument_types)
    if argument_types not in kernel.overloads:
        kernel.compile(argument_types)  # as a call would: keyed on the argument types, in the cache too
    compiled = kernel.overloads[argument_types]
    if compiled.signature.return_type != types.none:
        raise TypeError(f"{kernel.__name__} returns {compiled.signature.return_type}: only kernels that "
                        "return nothing are called by address")
    address = compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)
    return NativeCall(int(address), digest(argument_types))


def _is_call(call) -> bool:
    return isinstance(call, types.BaseTuple) and len(call) == 2 and all(
        isinstance(t, types.Integer) for t in call)


@intrinsic
def matches(typingctx, call, arguments):
    """Whether ``call`` (a :data:`NativeCall`) was got for the types of ``arguments`` (a tuple): its digest
    is theirs, compiled in as a constant. Compiled code only."""
    if not (_is_call(call) and isinstance(arguments, types.BaseTuple)):
        return None
    expected = digest(tuple(arguments.types))

    def codegen(context, builder, signature, values):
        got = builder.extract_value(values[0], 1)
        wanted = ir.Constant(got.type, expected)
        return builder.icmp_signed("==", got, wanted)

    return types.boolean(call, arguments), codegen


@intrinsic
def call(typingctx, call, arguments):
    """Call the kernel of ``call`` (a :data:`NativeCall`) on ``arguments`` (a tuple, unpacked into its
    arguments), as numba calls a kernel it compiled in; an error the kernel raises is raised here. Only for
    a ``call`` that :func:`matches` the arguments (otherwise it misreads them). Compiled code only."""
    if not (_is_call(call) and isinstance(arguments, types.BaseTuple)):
        return None
    argument_types = tuple(arguments.types)

    def codegen(context, builder, signature, values):
        address = builder.extract_value(values[0], 0)
        function_type = context.call_conv.get_function_type(types.none, argument_types)
        function = builder.inttoptr(address, function_type.as_pointer())
        unpacked = cgutils.unpack_tuple(builder, values[1], len(argument_types))
        status, _ = context.call_conv.call_function(builder, function, types.none, argument_types, unpacked)
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return context.get_dummy_value()

    return types.none(call, arguments), codegen

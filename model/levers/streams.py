"""The run's lever generator handed to compiled kernels as five addresses instead of the ``Generator``.

numba accepts a ``numpy.random.Generator`` as a kernel argument and draws from it as NumPy does (the same
uniforms, standard normals and bounded integers, in the same order), but unboxing one costs about 5-7 µs a call: it reads
the bit generator's ``ctypes`` interface and calls ``ctypes.cast`` three times in Python, every call
(issue 21: a lever's quarter that draws, peer review, change teams, job shadowing, called it every
quarter). :func:`stream_of` reads those addresses once per run into a :data:`Stream` of plain integers,
and :func:`generator` (called first thing in a kernel) makes numba's ``Generator`` value from them: the
same bit generator state, the same C functions, so the same numbers in the same order. The Python
``Generator`` must outlive the kernel calls (the lever holds it for the run). A kernel handed a
``Generator`` itself still works: :func:`generator` returns it unchanged.
"""

from __future__ import annotations

import ctypes
from collections import namedtuple

from numba.core import cgutils, types
from numba.extending import intrinsic, overload

#: the addresses of a bit generator, as ``Generator.bit_generator.ctypes`` gives them (ints): ``state``
#: (its C state), ``next_double``, ``next_uint64``, ``next_uint32`` (its C functions), ``bit_generator``
#: (its ``bitgen_t``)
Stream = namedtuple("Stream", ["state", "next_double", "next_uint64", "next_uint32", "bit_generator"])


def stream_of(rng) -> Stream:
    """The :data:`Stream` of ``rng`` (a ``numpy.random.Generator``), read once per run."""
    interface = rng.bit_generator.ctypes

    def address(function) -> int:
        return ctypes.cast(function, ctypes.c_void_p).value

    return Stream(int(interface.state_address), address(interface.next_double), address(interface.next_uint64),
                  address(interface.next_uint32), int(interface.bit_generator.value))


_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")
_GENERATOR = types.NumPyRandomGeneratorType("generator")


@intrinsic
def _from_stream(typingctx, stream):
    """numba's ``Generator`` value over the addresses in ``stream`` (a :data:`Stream`): no Python object
    behind it (``parent`` and ``meminfo`` null: nothing to reference-count; it is never boxed)."""
    if not (isinstance(stream, types.BaseTuple) and len(stream) == 5
            and all(isinstance(t, types.Integer) for t in stream)):
        return None

    def codegen(context, builder, signature, arguments):
        (values,) = arguments
        state, next_double, next_uint64, next_uint32, bitgen = (
            builder.extract_value(values, i) for i in range(5))
        bit_generator = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bit_generator.parent = cgutils.get_null_value(bit_generator.parent.type)
        bit_generator.state_address = state  # 64-bit integers both, signed or not
        bit_generator.state = state
        bit_generator.fnptr_next_double = next_double
        bit_generator.fnptr_next_uint64 = next_uint64
        bit_generator.fnptr_next_uint32 = next_uint32
        bit_generator.bit_generator = bitgen
        made = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        made.bit_generator = bit_generator._getvalue()
        made.meminfo = cgutils.get_null_value(made.meminfo.type)
        made.parent = cgutils.get_null_value(made.parent.type)
        return made._getvalue()

    return _GENERATOR(stream), codegen


def generator(rng):
    """numba's ``Generator`` for ``rng``: a :data:`Stream` (made into one), or a ``Generator`` (as it is).
    Compiled code only."""
    raise NotImplementedError("model.levers.streams.generator is for compiled kernels")


@overload(generator)
def _generator(rng):
    if isinstance(rng, types.NumPyRandomGeneratorType):
        return lambda rng: rng
    return lambda rng: _from_stream(rng)

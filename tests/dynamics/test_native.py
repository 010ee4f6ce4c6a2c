"""Calling a compiled kernel by its address (model.dynamics.native): the same effect as calling it, its
errors raised in the caller, the types checked by digest, and refused for a kernel that returns a value."""

import numpy as np
import pytest
from numba import njit, typeof

from model.dynamics import native


@njit
def _add_into(out, values, scale):
    for i in range(out.shape[0]):
        if values[i] < 0:
            raise ValueError("negative value")
        out[i] += scale * values[i]


@njit
def _returns(x):
    return x + 1


@njit
def _caller(call, out, values, scale):
    """Calls ``call`` on (out, values, scale) if it was got for their types; returns whether it did."""
    if not native.matches(call, (out, values, scale)):
        return False
    native.call(call, (out, values, scale))
    return True


def _arguments():
    return np.zeros(5), np.arange(5.0), 2.0


def _call_for(arguments):
    return native.address_of(_add_into, tuple(typeof(a) for a in arguments))


def test_a_call_by_address_does_what_a_direct_call_does():
    out, values, scale = _arguments()
    expected = out.copy()
    _add_into(expected, values, scale)
    call = _call_for((out, values, scale))
    assert _caller(call, out, values, scale) is True
    np.testing.assert_array_equal(out, expected)
    assert _caller(call, out, values, scale) is True  # in place, again
    np.testing.assert_array_equal(out, 2 * expected)


def test_an_error_the_kernel_raises_is_raised_by_the_caller():
    out, values, scale = _arguments()
    values[3] = -1.0
    with pytest.raises(ValueError, match="negative value"):
        _caller(_call_for((out, values, scale)), out, values, scale)


def test_a_call_got_for_other_types_is_not_made():
    out, values, scale = _arguments()
    other = _call_for((out, values.astype(np.float32), scale))  # float32 values: another compiled version
    assert other.address != _call_for((out, values, scale)).address
    assert _caller(other, out, values, scale) is False
    assert _caller(native.NO_CALL, out, values, scale) is False
    assert not out.any()


def test_the_digest_tells_types_apart_and_is_the_same_each_time():
    a = (typeof(np.zeros(3)), typeof(1.0))
    assert native.digest(a) == native.digest(tuple(a))
    assert native.digest(a) != native.digest((typeof(np.zeros(3, dtype=np.float32)), typeof(1.0)))
    assert native.digest(a) != native.digest(a[::-1])
    assert 0 < native.digest(a) < 2 ** 63


def test_a_kernel_that_returns_a_value_is_refused():
    with pytest.raises(TypeError, match="returns int64"):
        native.address_of(_returns, (typeof(1),))

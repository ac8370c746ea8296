"""Helpers of the wrappers srcgrad generates around a user's derivative rules (srcgrad/custom.py):
a cotangent or tangent checked against the value it belongs to (``rule_like``), and, to make a
reverse rule from a forward one, zeros, unit directions and entries of a float or an array."""
from .cached_numpy import np
from numba import types

from .jit import overload

__all__ = ["rule_like", "rule_zero", "rule_entries", "rule_unit", "rule_put", "rule_inner",
           "rule_tuple"]


def rule_like(c, a):
    """``c`` (a derivative a rule returned) as float64, checked to have the shape of ``a``
    (the value it is the derivative of)."""
    if np.ndim(c) != np.ndim(a) or np.shape(c) != np.shape(a):
        raise ValueError(f"a custom derivative rule returned a value of shape {np.shape(c)} "
                         f"for a value of shape {np.shape(a)}")
    if np.ndim(a) == 0:
        return float(c)
    return np.asarray(c, dtype=np.float64)


@overload(rule_like)
def _like_nb(c, a):
    if isinstance(a, types.Array) and isinstance(c, types.Array) and c.ndim == a.ndim:
        def impl(c, a):
            if c.shape != a.shape:
                raise ValueError("a custom derivative rule returned a value of another shape")
            return c.astype(np.float64)
        return impl
    if isinstance(a, (types.Number, types.Boolean)) and isinstance(c, (types.Number,
                                                                          types.Boolean)):
        return lambda c, a: float(c)
    raise TypeError(f"a custom derivative rule returned {c} for a value of type {a}")


def rule_zero(a):
    """A zero derivative for ``a``: 0.0, or float zeros of its shape."""
    return 0.0 if np.ndim(a) == 0 else np.zeros(np.shape(a))


@overload(rule_zero)
def _zero_nb(a):
    if isinstance(a, types.Array):
        return lambda a: np.zeros(a.shape)
    return lambda a: 0.0


def rule_entries(a):
    return int(np.size(a))


@overload(rule_entries)
def _entries_nb(a):
    if isinstance(a, types.Array):
        return lambda a: a.size
    return lambda a: 1


def rule_unit(a, k):
    """The k-th unit direction shaped like ``a`` (1.0 for a number)."""
    if np.ndim(a) == 0:
        return 1.0
    e = np.zeros(np.shape(a))
    e.flat[k] = 1.0
    return e


@overload(rule_unit)
def _unit_nb(a, k):
    if isinstance(a, types.Array):
        def impl(a, k):
            e = np.zeros(a.size)
            e[k] = 1.0
            return e.reshape(a.shape)
        return impl
    return lambda a, k: 1.0


def rule_put(c, k, v):
    """``c`` with its k-th entry set to ``v`` (``v`` itself when ``c`` is a number)."""
    if np.ndim(c) == 0:
        return float(v)
    c.flat[k] = v
    return c


@overload(rule_put)
def _put_nb(c, k, v):
    if isinstance(c, types.Array):
        def impl(c, k, v):
            c.reshape(c.size)[k] = v
            return c
        return impl
    return lambda c, k, v: float(v)


def rule_inner(g, t):
    """The sum of ``g * t`` (a cotangent and a tangent of the same value)."""
    return float(np.sum(np.asarray(g) * np.asarray(t)))


@overload(rule_inner)
def _inner_nb(g, t):
    if isinstance(g, types.Array):
        return lambda g, t: np.sum(g * t)
    return lambda g, t: g * t


def rule_tuple(cs, args):
    """``cs`` (what a bwd rule returned), checked to be a tuple with one cotangent per
    argument in ``args``."""
    if not isinstance(cs, tuple) or len(cs) != len(args):
        got = f"a tuple of {len(cs)}" if isinstance(cs, tuple) else f"a {type(cs).__name__}"
        raise ValueError(f"a custom bwd rule must return a tuple of {len(args)} cotangent(s), "
                         f"one per argument of the function, as JAX's does; it returned {got}")
    return cs


@overload(rule_tuple)
def _tuple_nb(cs, args):
    if isinstance(cs, types.BaseTuple) and len(cs.types) == len(args.types):
        return lambda cs, args: cs
    raise TypeError("a custom bwd rule must return a tuple with one cotangent per argument")

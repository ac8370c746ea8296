"""NumPy for generated modules in the disk cache, its allocation functions' machine code kept.

    from srcgrad.runtime.cached_numpy import np     (backend/cache.py MODULE_HEADER)

Generated adjoints allocate: ``np.zeros_like(x)`` for every adjoint, ``np.full_like`` for a
sum's cotangent, ``np.zeros``/``np.empty`` for shapes.  Numba compiles its implementation of
each for every argument type, in every process, and never keeps it: 0.1 to 0.2 s each, a
third of a small gradient's first call once srcgrad's own helpers come from the disk cache
(runtime/jit.py).  This module is NumPy with those functions replaced by wrappers that do
exactly what NumPy's do, whose Numba implementations are compiled with the runtime helpers'
cache: once per machine and argument types.  They are also cheaper to compile the first
time than Numba's own (below), which matters for a user's very first gradient.

Every other name is NumPy's own object (``np.sum``, ``np.float64``, ``np.linalg``), so
Numba types them as it types NumPy's.  The generated source reads ``np.zeros_like`` either
way; in Python (the python backend, a fallback) the wrappers call NumPy.
"""
import types as _pytypes

import numpy as _np
from numba.core import cgutils as _cgutils
from numba.core import types as _nbtypes
from numba.core.typing.npydecl import parse_shape as _parse_shape
from numba.extending import intrinsic
from numba.np import arrayobj as _arrayobj

from .jit import overload

np = _pytypes.ModuleType("numpy", "NumPy, with srcgrad's cached allocation functions "
                                  "(srcgrad/runtime/cached_numpy.py)")
np.__dict__.update({k: v for k, v in _np.__dict__.items() if not k.startswith("__")})


def _omitted(*args):
    """Were these keywords left out of the call?  (Numba gives an overload a default it
    left out as the default itself, or as Omitted.)"""
    return all(isinstance(a, _nbtypes.Omitted) or a is None or a is True
               or (isinstance(a, str) and a in ("C", "K")) for a in args)


def _no_dtype(dtype):
    return dtype is None or isinstance(dtype, (_nbtypes.Omitted, _nbtypes.NoneType))


# (NumPy's other keywords, order= and for the _like functions subok= and shape=, are passed
# on in Python; compiled, the implementations below take none of them: Numba's typing fails,
# and the function runs as Python with a FallbackWarning, as with Numba's own np.zeros)
def zeros(shape, dtype=None, order="C"):
    return _np.zeros(shape, dtype, order) if dtype is not None else _np.zeros(shape, order=order)


def empty(shape, dtype=None, order="C"):
    return _np.empty(shape, dtype, order) if dtype is not None else _np.empty(shape, order=order)


def ones(shape, dtype=None, order="C"):
    return _np.ones(shape, dtype, order) if dtype is not None else _np.ones(shape, order=order)


def zeros_like(a, dtype=None, order="K", subok=True, shape=None):
    return _np.zeros_like(a, dtype, order, subok, shape)


def empty_like(a, dtype=None, order="K", subok=True, shape=None):
    return _np.empty_like(a, dtype, order, subok, shape)


def ones_like(a, dtype=None, order="K", subok=True, shape=None):
    return _np.ones_like(a, dtype, order, subok, shape)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return _np.full_like(a, fill_value, dtype, order, subok, shape)


def ascontiguousarray(a, dtype=None):
    return _np.ascontiguousarray(a) if dtype is None else _np.ascontiguousarray(a, dtype)


# Numba's own implementations are chains (np.zeros_like calls np.empty_like, which calls an
# allocation intrinsic; np.full_like fills through ``.flat``): each link is a function Numba
# compiles, 0.03-0.1 s apiece, per argument type.  Ours call two intrinsics of our own, which
# compile inline: allocate (as Numba's np.empty and np.empty_like do) and fill.  A dtype given
# explicitly takes NumPy's implementation (generated code does not give one).

def _float_shape(shape):
    """Whether ``np.<fn>(shape)`` allocates a float64 C array: an integer or tuple of them."""
    return _parse_shape(shape) is not None


def _array_like(a):
    """Whether ``a`` is an array of numbers or booleans (the fast implementations' domain)."""
    return isinstance(a, _nbtypes.Array) and isinstance(a.dtype, (_nbtypes.Number,
                                                                   _nbtypes.Boolean))


@intrinsic
def _alloc(typingctx, shape):
    """A new float64 C array of ``shape`` (an integer or a tuple of integers): np.empty."""
    sig = _nbtypes.Array(_nbtypes.float64, _parse_shape(shape), "C")(shape)

    def codegen(context, builder, sig, args):
        arrtype, shapes = _arrayobj._parse_empty_args(context, builder, sig, args)
        return _arrayobj._empty_nd_impl(context, builder, arrtype, shapes)._getvalue()
    return sig, codegen


@intrinsic
def _alloc_like(typingctx, a):
    """A new array of ``a``'s shape and dtype, C or F as ``a`` (C for any other layout), as
    Numba's np.empty_like types it."""
    layout = a.layout if a.layout != "A" else "C"
    sig = a.copy(layout=layout, readonly=False)(a)

    def codegen(context, builder, sig, args):
        arrtype, shapes = _arrayobj._parse_empty_like_args(context, builder, sig, args)
        return _arrayobj._empty_nd_impl(context, builder, arrtype, shapes)._getvalue()
    return sig, codegen


@intrinsic
def _fill(typingctx, arr, value):
    """Every entry of ``arr`` (a new, hence contiguous, array) set to ``value``, cast to its
    dtype as NumPy casts a fill value; a zero fill is a memset."""
    sig = _nbtypes.none(arr, value)

    def codegen(context, builder, sig, args):
        aty, vty = sig.args
        ary = context.make_array(aty)(context, builder, args[0])
        v = context.cast(builder, args[1], vty, aty.dtype)
        with _cgutils.for_range(builder, ary.nitems) as loop:
            context.pack_value(builder, aty.dtype, v, builder.gep(ary.data, [loop.index]))
        return context.get_dummy_value()
    return sig, codegen


@intrinsic
def _zero(typingctx, arr):
    """Every byte of ``arr`` (a new array) set to zero."""
    sig = _nbtypes.none(arr)

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        _cgutils.memset(builder, ary.data, builder.mul(ary.itemsize, ary.nitems), 0)
        return context.get_dummy_value()
    return sig, codegen


# (one implementation per function and dtype choice, each on lines of its own: Numba names a
# cache file by the implementation's qualified name and line)
@overload(zeros)
def _ol_zeros(shape, dtype=None, order="C"):
    if not _omitted(order):
        return None
    if _no_dtype(dtype) and _float_shape(shape):
        def impl(shape, dtype=None, order="C"):
            out = _alloc(shape)
            _zero(out)
            return out
        return impl

    def impl_dtype(shape, dtype=None, order="C"):
        return _np.zeros(shape, dtype)
    return impl_dtype


@overload(empty)
def _ol_empty(shape, dtype=None, order="C"):
    if not _omitted(order):
        return None
    if _no_dtype(dtype) and _float_shape(shape):
        def impl(shape, dtype=None, order="C"):
            return _alloc(shape)
        return impl

    def impl_dtype(shape, dtype=None, order="C"):
        return _np.empty(shape, dtype)
    return impl_dtype


@overload(ones)
def _ol_ones(shape, dtype=None, order="C"):
    if not _omitted(order):
        return None
    if _no_dtype(dtype) and _float_shape(shape):
        def impl(shape, dtype=None, order="C"):
            out = _alloc(shape)
            _fill(out, 1.0)
            return out
        return impl

    def impl_dtype(shape, dtype=None, order="C"):
        return _np.ones(shape, dtype)
    return impl_dtype


@overload(zeros_like)
def _ol_zeros_like(a, dtype=None, order="K", subok=True, shape=None):
    if not _omitted(order, subok, shape):
        return None
    if _no_dtype(dtype) and _array_like(a):
        def impl(a, dtype=None, order="K", subok=True, shape=None):
            out = _alloc_like(a)
            _zero(out)
            return out
        return impl

    def impl_dtype(a, dtype=None, order="K", subok=True, shape=None):
        return _np.zeros_like(a, dtype)
    return impl_dtype


@overload(empty_like)
def _ol_empty_like(a, dtype=None, order="K", subok=True, shape=None):
    if not _omitted(order, subok, shape):
        return None
    if _no_dtype(dtype) and _array_like(a):
        def impl(a, dtype=None, order="K", subok=True, shape=None):
            return _alloc_like(a)
        return impl

    def impl_dtype(a, dtype=None, order="K", subok=True, shape=None):
        return _np.empty_like(a, dtype)
    return impl_dtype


@overload(ones_like)
def _ol_ones_like(a, dtype=None, order="K", subok=True, shape=None):
    if not _omitted(order, subok, shape):
        return None
    if _no_dtype(dtype) and _array_like(a):
        def impl(a, dtype=None, order="K", subok=True, shape=None):
            out = _alloc_like(a)
            _fill(out, 1)
            return out
        return impl

    def impl_dtype(a, dtype=None, order="K", subok=True, shape=None):
        return _np.ones_like(a, dtype)
    return impl_dtype


@overload(full_like)
def _ol_full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    if not _omitted(order, subok, shape):
        return None
    if _no_dtype(dtype) and _array_like(a) \
            and isinstance(fill_value, (_nbtypes.Integer, _nbtypes.Float, _nbtypes.Boolean)):
        def impl(a, fill_value, dtype=None, order="K", subok=True, shape=None):
            out = _alloc_like(a)
            _fill(out, fill_value)
            return out
        return impl

    def impl_dtype(a, fill_value, dtype=None, order="K", subok=True, shape=None):
        return _np.full_like(a, fill_value, dtype)
    return impl_dtype


@overload(ascontiguousarray)
def _ol_ascontiguousarray(a, dtype=None):
    if not _no_dtype(dtype):
        def impl_dtype(a, dtype=None):
            return _np.ascontiguousarray(a, dtype)
        return impl_dtype
    if isinstance(a, _nbtypes.Array) and a.layout == "C" and a.ndim >= 1 and a.mutable:
        def impl_c(a, dtype=None):
            return a  # already C-ordered: NumPy returns the array itself, as this does
        return impl_c

    def impl(a, dtype=None):
        return _np.ascontiguousarray(a)
    return impl


for _fn in (zeros, empty, ones, zeros_like, empty_like, ones_like, full_like, ascontiguousarray):
    _fn.__doc__ = f"numpy.{_fn.__name__}, its Numba implementation cached on disk."
    setattr(np, _fn.__name__, _fn)

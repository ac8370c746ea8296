"""NumPy for generated modules in the disk cache, its allocation functions' machine code kept.

    from srcgrad.runtime.cached_numpy import np     (backend/cache.py MODULE_HEADER)

Generated adjoints allocate: ``np.zeros_like(x)`` for every adjoint, ``np.full_like`` for a
sum's cotangent, ``np.zeros``/``np.empty`` for shapes.  Numba compiles its implementation of
each for every argument type, in every process, and never keeps it: 0.1 to 0.2 s each, a
third of a small gradient's first call once srcgrad's own helpers come from the disk cache
(runtime/jit.py).  This module is NumPy with those functions replaced by wrappers that do
exactly what NumPy's do, whose Numba implementations (NumPy's, called from a function of
ours) are compiled with the runtime helpers' cache: once per machine and argument types.

Every other name is NumPy's own object (``np.sum``, ``np.float64``, ``np.linalg``), so
Numba types them as it types NumPy's.  The generated source reads ``np.zeros_like`` either
way; in Python (the python backend, a fallback) the wrappers call NumPy.
"""
import types as _pytypes

import numpy as _np
from numba.core import types as _nbtypes

from .jit import overload

np = _pytypes.ModuleType("numpy", "NumPy, with srcgrad's cached allocation functions "
                                  "(srcgrad/runtime/cached_numpy.py)")
np.__dict__.update({k: v for k, v in _np.__dict__.items() if not k.startswith("__")})


def _no_dtype(dtype):
    return dtype is None or isinstance(dtype, (_nbtypes.Omitted, _nbtypes.NoneType))


def zeros(shape, dtype=None):
    return _np.zeros(shape) if dtype is None else _np.zeros(shape, dtype)


def empty(shape, dtype=None):
    return _np.empty(shape) if dtype is None else _np.empty(shape, dtype)


def ones(shape, dtype=None):
    return _np.ones(shape) if dtype is None else _np.ones(shape, dtype)


def zeros_like(a, dtype=None):
    return _np.zeros_like(a, dtype)


def empty_like(a, dtype=None):
    return _np.empty_like(a, dtype)


def ones_like(a, dtype=None):
    return _np.ones_like(a, dtype)


def full_like(a, fill_value, dtype=None):
    return _np.full_like(a, fill_value, dtype)


# (one implementation per function and dtype choice, each on lines of its own: Numba names a
# cache file by the implementation's qualified name and line)
@overload(zeros)
def _ol_zeros(shape, dtype=None):
    if _no_dtype(dtype):
        def impl(shape, dtype=None):
            return _np.zeros(shape)
        return impl

    def impl_dtype(shape, dtype=None):
        return _np.zeros(shape, dtype)
    return impl_dtype


@overload(empty)
def _ol_empty(shape, dtype=None):
    if _no_dtype(dtype):
        def impl(shape, dtype=None):
            return _np.empty(shape)
        return impl

    def impl_dtype(shape, dtype=None):
        return _np.empty(shape, dtype)
    return impl_dtype


@overload(ones)
def _ol_ones(shape, dtype=None):
    if _no_dtype(dtype):
        def impl(shape, dtype=None):
            return _np.ones(shape)
        return impl

    def impl_dtype(shape, dtype=None):
        return _np.ones(shape, dtype)
    return impl_dtype


@overload(zeros_like)
def _ol_zeros_like(a, dtype=None):
    if _no_dtype(dtype):
        def impl(a, dtype=None):
            return _np.zeros_like(a)
        return impl

    def impl_dtype(a, dtype=None):
        return _np.zeros_like(a, dtype)
    return impl_dtype


@overload(empty_like)
def _ol_empty_like(a, dtype=None):
    if _no_dtype(dtype):
        def impl(a, dtype=None):
            return _np.empty_like(a)
        return impl

    def impl_dtype(a, dtype=None):
        return _np.empty_like(a, dtype)
    return impl_dtype


@overload(ones_like)
def _ol_ones_like(a, dtype=None):
    if _no_dtype(dtype):
        def impl(a, dtype=None):
            return _np.ones_like(a)
        return impl

    def impl_dtype(a, dtype=None):
        return _np.ones_like(a, dtype)
    return impl_dtype


@overload(full_like)
def _ol_full_like(a, fill_value, dtype=None):
    if _no_dtype(dtype):
        def impl(a, fill_value, dtype=None):
            return _np.full_like(a, fill_value)
        return impl

    def impl_dtype(a, fill_value, dtype=None):
        return _np.full_like(a, fill_value, dtype)
    return impl_dtype


for _fn in (zeros, empty, ones, zeros_like, empty_like, ones_like, full_like):
    _fn.__doc__ = f"numpy.{_fn.__name__}, its Numba implementation cached on disk."
    setattr(np, _fn.__name__, _fn)

"""The decorators the runtime helpers compile with: Numba's, their machine code kept on disk.

    @njit                       numba.njit, cached from srcgrad's first Numba compile on
    @overload(fn, **options)    numba.extending.overload, its implementations cached

A helper then compiles once per argument types on a machine, not once per process: the first
gradient a user computes compiles ``unbroadcast``, ``sum_axis`` and the rest, and later ones
(another function, another process) load them.  Where the files go, and how they are checked
before Numba may load them, is backend/helper_cache.py.

Off when ``SRCGRAD_CACHE_DIR=""`` as srcgrad is imported (the test suite): then these are
Numba's plain decorators.  An exported module (srcgrad/export.py) reads them as Numba's.
"""
import os

import numba
from numba.extending import overload as _numba_overload

ON = os.environ.get("SRCGRAD_CACHE_DIR") != ""
if ON:
    from ..backend import helper_cache
    ON = helper_cache.install()

_lazy = []          # the @njit dispatchers, cached from start() on
_started = []


def start():
    """Cache the @njit helpers from now on: srcgrad calls this before its first Numba compile,
    so that importing srcgrad touches no directory."""
    if ON and not _started:
        _started.append(True)
        for dispatcher in _lazy:
            dispatcher.enable_caching()


def njit(fn):
    """``numba.njit(fn)``, its compiled code cached once ``start()`` has run."""
    dispatcher = numba.njit(fn)
    if ON:
        _lazy.append(dispatcher)
        if _started:
            dispatcher.enable_caching()
    return dispatcher


def overload(fn, **options):
    """``numba.extending.overload``, its implementations' compiled code cached."""
    if ON:
        options["jit_options"] = {**options.get("jit_options", {}), "cache": True}
    return _numba_overload(fn, **options)

"""What this process did to produce derivatives: ``srcgrad.compile_stats()``.

    >>> srcgrad.compile_stats()
    {'transformed': 2, 'transform_cache_hits': 0, 'numba_compiled': 2, 'numba_cache_hits': 0,
     'seconds_transforming': 0.41, 'seconds_compiling': 3.2}

``transformed``: functions whose derivative source srcgrad generated (its passes ran);
``transform_cache_hits``: read back from the disk cache instead.  ``numba_compiled``: Numba
compilations (one per generated function and argument types), ``numba_cache_hits``: machine
code Numba loaded from the disk cache instead.  The seconds are wall time spent in each.
A worker process that gets a pickled gradient (Dask, multiprocessing) and finds everything in
the shared cache shows only hits (docs/scaling.md); a first call's time splits into the two.
"""
import threading
import time
from contextlib import contextmanager

_LOCK = threading.Lock()
_ZERO = {"transformed": 0, "transform_cache_hits": 0, "numba_compiled": 0,
         "numba_cache_hits": 0, "seconds_transforming": 0.0, "seconds_compiling": 0.0}
_COUNTS = dict(_ZERO)


def count(what, n=1):
    with _LOCK:
        _COUNTS[what] += n


@contextmanager
def timed(what):
    t0 = time.perf_counter()
    try:
        yield
    finally:
        count(what, time.perf_counter() - t0)


def compile_stats(reset=False):
    """A copy of this process's counts (see the module's docstring); ``reset``: start again
    from zero after reading them."""
    with _LOCK:
        out = dict(_COUNTS)
        if reset:
            _COUNTS.update(_ZERO)
    out["seconds_transforming"] = round(out["seconds_transforming"], 3)
    out["seconds_compiling"] = round(out["seconds_compiling"], 3)
    return out

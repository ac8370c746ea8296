"""The runtime helpers' machine code in srcgrad's cache directory, checked before it is loaded.

    <cache dir>/runtime-<hash of srcgrad's code>-numba<version>-O<level>/
        broadcast._ol_unbroadcast.locals.impl-124.py311.nbi    Numba's index and code files
        broadcast._ol_unbroadcast.locals.impl-124.py311.1.nbc
        broadcast._ol_unbroadcast.locals.impl-124.py311.sums   their checksums, by srcgrad

Numba keys a function's cache on its own bytecode and its own file, not on the functions it
calls: a cached helper would keep a changed callee's old code.  The directory's name hashes
all of srcgrad's code instead, so any change gives a new directory; it names the optimization
level too, which Numba's key leaves out (the test suite compiles at -O0).

A Numba cache locator of our own (``RuntimeLocator``, first in Numba's list, and answering only
for files in srcgrad/runtime/) puts the helpers' files there.  Numba's ``Cache`` loads and
saves through two wrappers, only for those files:

- before a load, every file of the function must match the checksums srcgrad recorded after
  Numba wrote them, as backend/cache.py checks generated code's; files that do not (a flipped
  bit, a file srcgrad did not write) are deleted with a CacheWarning, and Numba compiles;
- a save that fails (a full disk, a read-only directory) leaves the code compiled and
  uncached, where Numba would raise; Numba's warning that some helper cannot be cached (one
  that reads a ctypes pointer) is not the user's concern and is not shown.

Where srcgrad's cache directory is unusable, the files go to a directory of this process that
is deleted at exit.  Numba's ``NUMBA_CACHE_LOCATOR_CLASSES``, if set, replaces our locator
along with Numba's own.  The interfaces used here are Numba's internal ones: if they are not
there, ``install()`` says so by returning False and the helpers are not cached.
"""
import atexit
import json
import os
import re
import shutil
import tempfile
import warnings

import numba

from ..errors import CacheWarning
from . import cache as diskcache

RUNTIME = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "runtime")
_dir = []


def directory():
    """The helpers' directory, created and writable, or a temporary one of this process."""
    if not _dir:
        base = diskcache.cache_dir()
        d = None
        if base is not None:
            d = os.path.join(base, f"runtime-{diskcache._own_code()}-numba{numba.__version__}"
                                   f"-O{int(numba.config.OPT)}")
            try:
                os.makedirs(d, mode=0o700, exist_ok=True)
                tempfile.TemporaryFile(dir=d).close()
            except OSError:
                d = None  # read-only or full: compiled each process, as before
        if d is None:
            d = tempfile.mkdtemp(prefix="srcgrad-runtime-")
            atexit.register(shutil.rmtree, d, True)
        _dir.append(d)
    return _dir[0]


def _files(cache):
    """Numba's files for one cached function: its index and its code files."""
    folder, base = cache._cache_path, cache._impl.filename_base
    pattern = re.compile(re.escape(base) + r"\.(nbi|[0-9]+\.nbc)")
    try:
        names = sorted(n for n in os.listdir(folder) if pattern.fullmatch(n))
    except OSError:
        names = []
    return folder, base, names


def _sums(folder, names):
    return {n: diskcache._file_sha(os.path.join(folder, n)) for n in names}


def _verified(cache):
    """True if the function's files match their recorded checksums (or there are none);
    otherwise the files are deleted, with a warning, and Numba compiles."""
    folder, base, names = _files(cache)
    if not names:
        return True
    try:
        with open(os.path.join(folder, base + ".sums"), encoding="utf-8") as fh:
            if json.load(fh) == _sums(folder, names):
                return True
    except (OSError, ValueError):
        pass
    warnings.warn(f"srcgrad: the cached machine code of runtime helper {base} does not match "
                  "its checksums; recompiling it", CacheWarning, stacklevel=2)
    for n in names + [base + ".sums"]:
        try:
            os.remove(os.path.join(folder, n))
        except OSError:
            pass
    return False


def _record(cache):
    folder, base, names = _files(cache)
    if names:
        diskcache._write_atomic(os.path.join(folder, base + ".sums"),
                                json.dumps(_sums(folder, names)))


def install():
    """Put our locator first in Numba's list and wrap ``Cache``'s load and save for it."""
    try:
        from numba.core.caching import Cache, _CacheLocator, _SourceFileBackedLocatorMixin
        from numba.core.caching import CacheImpl
        locators = CacheImpl._locator_classes
        load, save = Cache.load_overload, Cache.save_overload
    except (ImportError, AttributeError):
        return False

    class RuntimeLocator(_SourceFileBackedLocatorMixin, _CacheLocator):
        """Where Numba caches a function defined in srcgrad/runtime/."""

        def __init__(self, py_func, py_file):
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = directory()

        def get_cache_path(self):
            return self._cache_path

        @classmethod
        def from_function(cls, py_func, py_file):
            if os.path.dirname(os.path.abspath(py_file)) != RUNTIME:
                return None  # not a helper: Numba's own locators
            return cls(py_func, py_file)

    def load_overload(self, sig, target_context):
        if not isinstance(self._impl.locator, RuntimeLocator):
            return load(self, sig, target_context)
        try:
            return load(self, sig, target_context) if _verified(self) else None
        except Exception:  # noqa: BLE001 -- unreadable code files: compile instead
            return None

    def save_overload(self, sig, data):
        if not isinstance(self._impl.locator, RuntimeLocator):
            return save(self, sig, data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", numba.NumbaWarning)
                save(self, sig, data)
            _record(self)
        except Exception:  # noqa: BLE001 -- compiled, not cached
            pass

    locators.insert(0, RuntimeLocator)
    Cache.load_overload, Cache.save_overload = load_overload, save_overload
    return True

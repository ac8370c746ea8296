"""Compile generated source: exec it, then ``numba.njit``; fall back to Python if Numba fails.

Numba's failure is detected by compiling for the call's argument types before running
anything (``dispatcher.compile``): any exception there means "cannot compile", since some
(``UnsupportedBytecodeError``, a missing SciPy) are not ``NumbaError``s.
"""
import math
import re
import threading
import warnings

import numba
import numpy as np

from .. import runtime, stats
from ..runtime import cached_numpy
from ..errors import CacheWarning, FallbackWarning, InternalError, SrcgradError
from . import cache as diskcache
from .emit import register

# 1/0 -> inf, as NumPy and JAX.  Indices checked as NumPy checks them: without boundscheck an
# index past the end (x[i + 1] at the last i) reads garbage in the forward sweep and writes
# into other memory in the reverse sweep, where Python raises IndexError (measured cost on
# the loop kernels: 0-4% of the gradient time, docs/generated-code.md).
JIT_OPTIONS = {"error_model": "numpy", "boundscheck": True}
# ... except in code whose first line says every index in it is checked where the loops that
# run over it begin (passes/bounds.py): there Numba's check at each access only costs time.
UNCHECKED = "indices checked where their loops begin: compiled without per-access checks"


def load(source, filename, name, backend, constants, deps=None):
    """Return the plain Python function defined by ``source``.  ``deps`` maps names to other
    Compiled functions it calls: their Numba dispatchers, or their Python versions."""
    register(source, filename)
    # (Numba compiles what a cached module would: NumPy with cached allocations)
    numpy = cached_numpy.np if backend == "numba" else np
    ns = {"np": numpy, "math": math, **runtime.namespace(), **for_backend(constants, backend)}
    for dep_name, dep in (deps or {}).items():
        ns[dep_name] = dep.dispatcher() if backend == "numba" else dep._python()
    exec(compile(source, filename, "exec"), ns)
    return ns[name]


SLOW_COMPILE = 1.0  # seconds a compile may take before an interactive user is told
_told = set()


def interactive():
    """A person at a prompt (python -i, the REPL, IPython or Jupyter), not a script."""
    import sys
    return hasattr(sys, "ps1") or bool(sys.flags.interactive) or "IPython" in sys.modules


def _say_compiling(name):
    """Once per function: a compile is taking a while (so a first call is not silent)."""
    import sys
    if name not in _told:
        _told.add(name)
        print(f"srcgrad: compiling {name} with Numba…", file=sys.stderr, flush=True)


def for_backend(constants, backend):
    """Constants as the backend calls them: a user's rule wrapper (srcgrad/custom.py) is a
    Python function for one and a Numba dispatcher for the other; arrays are themselves."""
    from ..custom import for_backend as one
    return {k: one(v, backend) for k, v in constants.items()}


def short_reason(e):
    """The informative lines of a Numba error, without colour codes and pipeline noise."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(e))
    lines = [ln.strip() for ln in text.splitlines()]
    keep = [ln for ln in lines if ln and not ln.startswith(("Failed in nopython", "During:",
                                                            "<source elided>", "^", ">>>"))]
    return f"{type(e).__name__}: " + " | ".join(keep[:3])


class Compiled:
    """A generated function, compiled on first use for each argument signature."""

    def __init__(self, source, filename, name, constants, backend="numba", strict=False,
                 deps=None, cache_dir=None):
        self.source, self.filename, self.name = source, filename, name
        self.constants, self.strict = constants, strict
        self.backend = backend
        self.deps = deps or {}
        self.cache_dir = cache_dir
        self.py = None
        self.jit = None
        self._lock = threading.RLock()
        self.fallback_reason = None

    def _python(self):
        if self.py is None:
            self.py = load(self.source, self.filename, self.name, "python", self.constants,
                           self.deps)
        return self.py

    def module_text(self):
        """The generated module's text for the disk cache (names its callees' hashes)."""
        deps = {n: diskcache.module_hash(d.module_text()) for n, d in self.deps.items()}
        return diskcache.module_text(self.source, deps, self.constants)

    def dispatcher(self):
        """The Numba dispatcher (compiled lazily, for whatever types it is called with); with a
        cache directory, from a module file so that Numba's cache=True can keep the code."""
        with self._lock:
            return self._dispatcher()

    def _dispatcher(self):
        if self.jit is None:
            runtime.jit.start()  # the helpers' machine code from (and to) the disk cache
            module = None
            if self.cache_dir:
                module, self._hash = diskcache.import_module(self.cache_dir, self.module_text())
            if module is not None:
                diskcache.verify_numba_files(self.cache_dir, self._hash)
                module.__dict__.update(for_backend(self.constants, "numba"))
                for dep_name, dep in self.deps.items():
                    setattr(module, dep_name, dep.dispatcher())
                try:
                    self.jit = numba.njit(getattr(module, self.name), cache=True,
                                          **self.options())
                except RuntimeError:  # no place Numba can write its cache: compile, uncached
                    self.jit = numba.njit(getattr(module, self.name), **self.options())
            else:
                fn = load(self.source, self.filename, self.name, "numba", self.constants,
                          self.deps)
                self.jit = numba.njit(fn, **self.options())
        return self.jit

    def options(self):
        """Numba's options: ``parallel=True`` for code with ``prange`` loops (the user's, and
        their adjoints: passes/parallel.py)."""
        options = dict(JIT_OPTIONS, parallel=True) if re.search(r"\bprange\(", self.source) \
            else dict(JIT_OPTIONS)
        if "# " + UNCHECKED in self.source:  # every index checked where its loop begins
            options["boundscheck"] = False
        return options

    def direct(self):
        """The function to call from now on for argument types already compiled: the Numba
        dispatcher itself, or the Python function after a fallback."""
        if self.backend == "python" or self.fallback_reason is not None or self.jit is None:
            return self._python()
        return self.jit

    def _run_python(self, *args):
        try:
            return self._python()(*args)
        except NameError as e:  # incl. UnboundLocalError: generated code that cannot be right
            raise InternalError(f"{type(e).__name__}: {e}", self.name, "generated",
                                self.filename) from e
        except Exception as e:  # noqa: BLE001 -- re-raised, with the user's line named
            self.name_user_line(e)
            raise

    def name_user_line(self, e):
        """Add to an exception raised in generated code the user's line it came from."""
        line_map = getattr(self, "line_map", None) or {}
        tb, at = e.__traceback__, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                at = tb.tb_lineno
            tb = tb.tb_next
        if at is not None and at in line_map and hasattr(e, "add_note"):
            file, line = line_map[at]
            e.add_note(f"srcgrad: raised in the generated {self.name} at line {at}, which "
                       f"comes from {file}:{line}")

    def _compile_cached(self, sig):
        timer = threading.Timer(SLOW_COMPILE, _say_compiling, (self.name,)) \
            if interactive() else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        hits = sum(self.jit.stats.cache_hits.values())
        try:
            with stats.timed("seconds_compiling"):
                self.jit.compile(sig)
            stats.count("numba_cache_hits" if sum(self.jit.stats.cache_hits.values()) > hits
                        else "numba_compiled")
        except OSError as e:  # compiled, but Numba could not write its cache (full disk...)
            if sig not in self.jit.overloads:
                raise
            self.jit._cache = numba.core.caching.NullCache()  # stop trying for this function
            warnings.warn(f"could not write the compiled {self.name} to srcgrad's cache "
                          f"({type(e).__name__}: {e}); it is compiled but not cached",
                          CacheWarning, stacklevel=4)
            return
        finally:
            if timer is not None:
                timer.cancel()
        if getattr(self, "_hash", None):  # Numba just wrote (or read) its files
            diskcache.record_numba_files(self.cache_dir, self._hash)

    def __call__(self, *args):
        if self.backend == "python" or self.fallback_reason is not None:
            return self._run_python(*args)
        args = tuple(_c_ordered(a) for a in args)
        self.dispatcher()
        try:
            sig = tuple(numba.typeof(a) for a in args)
            with self._lock:
                if sig not in self.jit.overloads:
                    self._compile_cached(sig)
        except Exception as e:  # noqa: BLE001 -- any failure to compile means "cannot compile"
            reason = short_reason(e)
            if isinstance(e, numba.core.errors.NotDefinedError):  # a name the code never set
                raise InternalError(reason, self.name, "generated", self.filename) from e
            if self.strict:
                raise SrcgradError(f"Numba could not compile the generated {self.name}: {reason}\n"
                                   f"(strict=True; use backend='python' to run it as Python)") from e
            self.fallback_reason = reason
            warnings.warn(f"Numba could not compile the generated {self.name}; running it as "
                          f"plain Python instead ({reason})", FallbackWarning, stacklevel=3)
            return self._run_python(*args)
        try:
            return self.jit(*args)
        except Exception as e:  # noqa: BLE001 -- re-raised, saying where to look
            if hasattr(e, "add_note"):
                e.add_note(f"srcgrad: raised in the compiled {self.name}, which has no line "
                           "numbers; with backend='python' the error names the line of yours it "
                           "comes from")
            raise


def _c_ordered(a):
    """A matrix (or more) the caller passed in another memory layout (``X.T``: Fortran order),
    as a C-ordered copy: Numba types a variable with one layout, and a parameter the function
    sets again in a loop would otherwise mix two (it cannot compile that: passes/layouts.py);
    one layout also means one compiled specialization.  The caller's array is not touched."""
    if isinstance(a, np.ndarray) and a.ndim >= 2 and not a.flags.c_contiguous:
        return np.ascontiguousarray(a)
    if type(a) is tuple:
        return tuple(_c_ordered(x) for x in a)
    return a

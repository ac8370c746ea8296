"""Jacobians: a generated, compiled driver that runs one tangent sweep per input direction
(``"forward"``) or one adjoint sweep per output direction (``"reverse"``)."""
import numpy as np

from .. import pipeline, pytree, ravel
from ..errors import SrcgradError
from .args import prepare
from .derived import Derived, decorator, one_draw


class Driven(Derived):
    """A derivative computed by a generated driver that calls generated sweeps in a loop."""

    def _run_driver(self, key, build, args):
        """``build()`` gives (driver kind, driver name, {name: Compiled it calls}, text of the
        sweep it calls, the driver's spec); the compiled driver is cached under ``key``."""
        if key not in self._drivers:
            kind, name, deps, sweep_text, spec = build()
            text, comp = pipeline.driver(kind, name, deps, self.backend, self.strict, self.cache,
                                         *spec)
            self._drivers[key] = (text + "\n" + sweep_text, comp)
        text, comp = self._drivers[key]
        self._last_text = text
        return comp(*args)

    @property
    def source(self):
        """The driver and the sweep it calls (after a call), else the reverse sweep."""
        return getattr(self, "_last_text", None) or super().source


class Mode(str):
    """``"forward"`` or ``"reverse"``, equal to its short spelling too (``"fwd"``, ``"rev"``:
    the names jacfwd and jacrev use, kept as aliases)."""

    SHORT = {"forward": "fwd", "reverse": "rev"}

    def __eq__(self, other):
        return str.__eq__(self, other) or other == self.SHORT[str(self)]

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


_MODES = {"auto": None, "forward": "forward", "fwd": "forward", "reverse": "reverse",
          "rev": "reverse"}


class Jacobian(Driven):
    """The full Jacobian, shape ``out.shape + in.shape``, by columns (``"forward"``: one
    tangent sweep per input direction) or rows (``"reverse"``: one adjoint sweep per output
    direction), the sweeps running inside a generated, compiled driver.  ``"auto"`` picks the
    one with fewer sweeps and records it in ``.mode``.  A function returning a tuple has a
    tuple of Jacobians, one per output."""

    def __init__(self, primal, wrt=0, mode="auto", backend="numba", strict=False, cache=None):
        if not isinstance(mode, str) or mode not in _MODES:
            raise ValueError(f"mode must be 'auto', 'forward' or 'reverse' (or 'fwd', 'rev'), "
                             f"not {mode!r}")
        super().__init__(primal, wrt, backend, strict, cache)
        self._init["mode"] = mode
        self.requested = mode
        self.mode = None if mode == "auto" else Mode(_MODES[mode])
        self._drivers = {}

    def __call__(self, *args, **kwargs):
        self.fresh()
        args = self.bind(args, kwargs)
        if any(pytree.is_container(a) for a in args):  # blocks per leaf (srcgrad/ravel.py)
            return ravel.call(self, args)
        args = prepare(args, self.params)
        kinds = self.kinds_of(args)
        gen_p, primal = self.specialize(args, mode="primal")
        one_draw(gen_p, type(self).__name__.lower())
        out = gen_p.out_kind
        if out is None or (out[0] == "t" and any(k is None or k[0] not in "as" for k in out[1])):
            raise SrcgradError(f"jacobian needs {self.primal.__name__}() to return a scalar, "
                               "an array, or a tuple of them")
        how = _MODES[self.requested]
        if how is None:
            n_in = sum(int(np.size(args[self.params.index(w)])) for w in self.wrt)
            y = primal(*args)
            n_out = sum(int(np.size(v)) for v in (y if isinstance(y, tuple) else (y,)))
            how = "forward" if n_in <= n_out else "reverse"  # fewer sweeps wins
        self.mode = Mode(how)

        def build():
            gen_s, sweep = self.specialize(args, mode=how)
            fname = gen_s.name.rsplit("_", 1)[0]  # f, or f_grad for a jacobian of a grad
            short = Mode.SHORT[how]
            return ("jacobian", f"{fname}_jac{short}", {f"{fname}_primal": primal, gen_s.name: sweep},
                    gen_s.source, (fname, self.params, self.wrt, kinds, out, short))

        return self._run_driver((how, self.key_of(args)), build,
                                args)


def jacobian(f=None, wrt=0, mode="auto", *, backend="numba", strict=False, cache=None):
    """The Jacobian of ``f`` with respect to ``wrt``; ``mode`` "forward", "reverse" or "auto"
    (fewer sweeps; "fwd" and "rev" are accepted too)."""
    return decorator(Jacobian, f, wrt=wrt, mode=mode, backend=backend, strict=strict, cache=cache)


def jacfwd(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """Jacobian by columns: one forward (tangent) sweep per input direction."""
    return decorator(Jacobian, f, wrt=wrt, mode="forward", backend=backend, strict=strict,
                     cache=cache)


def jacrev(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """Jacobian by rows: one reverse (adjoint) sweep per output direction."""
    return decorator(Jacobian, f, wrt=wrt, mode="reverse", backend=backend, strict=strict,
                     cache=cache)

"""Second derivatives by forward-over-reverse: the tangent transformation applied to the
generated adjoint; ``hvp`` one such sweep, ``hessian`` a compiled driver running one per
input direction."""
from .. import kinds as K
from .. import pipeline, pytree, ravel
from ..errors import SrcgradError
from .args import prepare, shaped_like
from .derived import decorator, one_draw
from .jacobian import Driven


class ForwardOverReverse(Driven):
    """Second derivatives: the tangent transformation applied to the generated adjoint."""

    def __init__(self, primal, wrt=0, backend="numba", strict=False, cache=None):
        super().__init__(primal, wrt, backend, strict, cache)
        if len(self.wrt) != 1:
            raise SrcgradError("hessian and hvp take one wrt argument")
        self._hvps = {}
        self._drivers = {}

    def hvp_compiled(self, args):
        """(Generated, Compiled) of ``f_vjp_jvp(*args, seed, dw) -> (grad, H @ dw)``."""
        self.fresh()
        kinds = self.kinds_of(args)
        key = self.key_of(args)
        if key not in self._hvps:
            gen_r, comp_r = self.specialize(args, mode="reverse")
            one_draw(gen_r, type(self).__name__.lower())
            if gen_r.out_kind is None or gen_r.out_kind[0] != "s":
                raise ValueError(f"hessian requires a scalar output; {self.primal.__name__}() "
                                 "does not return one")
            adjoint = comp_r._python()  # generated source, registered in linecache
            seed = gen_r.seeds[0]
            gen_h = pipeline.generate(adjoint, self.wrt, {**kinds, seed: K.FLOAT}, "forward")
            self._hvps[key] = (gen_h, gen_h.compile(self.backend, self.strict), seed)
        return self._hvps[key]


class Hvp(ForwardOverReverse):
    def __call__(self, *args_and_v, **kwargs):
        self.fresh()
        *args, v = args_and_v
        args = self.bind(tuple(args), kwargs)
        if any(pytree.is_container(a) for a in args):  # v structured like wrt (ravel.py)
            return ravel.call(self, args, v)
        args = prepare(args, self.params)
        gen, comp, _ = self.hvp_compiled(args)
        self._last = gen
        w = self.params.index(self.wrt[0])
        _, hv = comp(*args, 1.0, shaped_like(v, args[w], f"v (a direction for {self.wrt[0]!r})"))
        return hv


class Hessian(ForwardOverReverse):
    def __call__(self, *args, **kwargs):
        self.fresh()
        args = self.bind(args, kwargs)
        if any(pytree.is_container(a) for a in args):  # blocks per pair of leaves (ravel.py)
            return ravel.call(self, args)
        args = prepare(args, self.params)
        gen, hvp_comp, seed = self.hvp_compiled(args)
        kinds = self.kinds_of(args)

        def build():
            w = self.wrt[0]
            return ("hessian", f"{self._src.name}_hessian", {gen.name: hvp_comp}, gen.source,
                    (self.params, w, kinds[w], gen.name, "1.0"))

        return self._run_driver(self.key_of(args), build, args)


def hessian(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """The Hessian of scalar-valued ``f`` w.r.t. argument ``wrt``, shape ``x.shape + x.shape``,
    by forward-over-reverse: one tangent sweep of the generated adjoint per direction."""
    return decorator(Hessian, f, wrt=wrt, backend=backend, strict=strict, cache=cache)


def hvp(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """A function ``(*args, v) -> H @ v`` computed in one forward-over-reverse sweep,
    without forming H."""
    return decorator(Hvp, f, wrt=wrt, backend=backend, strict=strict, cache=cache)

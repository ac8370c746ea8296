"""``grad`` and ``value_and_grad``: the generated adjoint called with a seed of 1.0; a grad of
a grad by forward mode over the inner derivative's generated code."""
from .. import kinds as K
from .. import pipeline, pytree
from ..passes import revolve
from ..errors import SrcgradError
from .args import prepare, signature
from .derived import Derived, check_locals, decorator, one_draw


class Grad(Derived):
    def __init__(self, primal, wrt=0, backend="numba", strict=False, with_value=False,
                 intermediates=(), cache=None, checkpoint=None, memory=None, parallel=False):
        self.with_value = with_value
        self.intermediates = tuple(intermediates)
        self.checkpoint = revolve.spec(checkpoint, memory)
        self.parallel = bool(parallel)
        super().__init__(primal, wrt, backend, strict, cache)
        self._init.update(with_value=with_value, intermediates=self.intermediates,
                          checkpoint=checkpoint, memory=memory, parallel=self.parallel)
        self.gen_mode = "value_and_grad" if with_value else "reverse"
        if self.intermediates:
            check_locals(self._src, self.intermediates)
        self._functions = {}

    @property
    def nests(self):
        return not self.with_value and not self.intermediates and len(self.wrt) == 1

    def __call__(self, *args, **kwargs):
        self.fresh()
        fast = None if kwargs else self._fast.get(signature(args))
        if fast is not None and len(args) == len(self.params):  # seen these types: compiled
            self._last = fast[1]  # (what .source shows)
            return self._unpack(fast[0](*args, 1.0))
        args = self.bind(args, kwargs)
        if any(pytree.is_container(a) for a in args):  # lists of (W, b): the flat version
            return pytree.grad_call(self, args)
        args = prepare(args, self.params)
        if self.inner is not None and not self.with_value and not self.intermediates \
                and len(self.wrt) == 1 and self.kinds_of(args)[self.wrt[0]] == K.FLOAT:
            return self._nested(args)  # one scalar: forward mode over the inner derivative
        gen, comp = self.specialize(args)
        self._scalar_output(gen, args)
        result = comp(*args, 1.0)
        key = signature(args)
        if key is not None and self.budget is None:  # (a memory plan depends on the sizes)
            self._fast[key] = (comp.direct(), gen)
        return self._unpack(result)

    def _unpack(self, result):
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.wrt) + (1 if self.with_value else 0)
        main, captured = result[:n], result[n:]
        value, grads = (main[0], main[1:]) if self.with_value else (None, main)
        grads = self._grads(grads)
        if self.intermediates:
            grads = (grads, dict(zip(self.intermediates, captured)))
        return (value, grads) if self.with_value else grads

    # ---- nesting: grad(grad(f)) ---------------------------------------------------------------
    def _nested(self, args):
        """d/dx of the inner derivative, by forward mode over its generated code."""
        kinds = self.kinds_of(args)
        w = self.wrt[0]
        if len(self.wrt) != 1 or kinds[w] != K.FLOAT:
            raise SrcgradError(f"nested grad differentiates with respect to one float scalar; "
                               f"{w!r} is {K.describe(kinds[w])}: use hessian or jacfwd")
        key = ("nested", self.key_of(args))
        if key not in self._specs:
            fn = self.inner.as_function(args)
            gen = pipeline.generate(fn, self.wrt, kinds, "forward")
            self._specs[key] = (gen, gen.compile(self.backend, self.strict))
        gen, comp = self._specs[key]
        self._last = gen
        if gen.out_kind is None or gen.out_kind[0] != "s":
            raise ValueError("grad requires a scalar output; the inner derivative is not a scalar")
        _, tangent = comp(*args, 1.0)
        return tangent

    def as_function(self, args):
        """A generated Python function of the primal's parameters computing this derivative
        (source in linecache, so it can be differentiated again)."""
        key = self.key_of(args)
        if key not in self._functions:
            params = ", ".join(self.params)
            name = self._src.name + "_grad" * (self.level + 1)
            if self.inner is None:
                gen, comp = self.specialize(args)
                one_draw(gen, "a grad of a grad")
                body = f"    return {gen.name}({params}, 1.0)\n"
            else:
                self._nested(args)
                gen, comp = self._specs[("nested", key)]
                body = f"    _out, _tangent = {gen.name}({params}, 1.0)\n    return _tangent\n"
            self._functions[key] = pipeline.python_function(
                name, f"def {name}({params}):\n{body}", {gen.name: comp})
        return self._functions[key]


def grad(f=None, wrt=0, *, backend="numba", strict=False, cache=None, intermediates=(),
         checkpoint=None, memory=None, parallel=False):
    """Gradient of a scalar-valued ``f`` with respect to argument(s) ``wrt`` (an index, a
    parameter name, or a tuple of them; a tuple gives a tuple of gradients).

    ``intermediates=("y",)``: also return the adjoints of those local variables' last
    assigned values, as ``(gradients, {"y": adjoint})`` (PyTorch's ``retain_grad``).

    ``checkpoint=10``: every top-level ``for ... in range(...)`` loop keeps 10 snapshots of
    the state it carries and re-runs steps in the reverse sweep (binomial checkpointing);
    ``checkpoint={"t": 10}`` only the loop over ``t`` (or a line number).  ``memory="64MB"``:
    a plan for each call's sizes (``.plan`` says it): which top-level loops to checkpoint
    and with how many snapshots, so that all the reverse sweep keeps fits in the budget; a
    ValueError saying how much is needed if nothing fits.  docs/checkpointing.md.

    ``parallel=True``: every top-level ``for ... in range(...)`` loop whose steps are
    independent (a sum of per-sample losses) runs on all cores, its adjoint too, as if it were
    written with ``numba.prange``; a loop whose steps (or adjoint steps) are not independent
    stays serial, and a ParallelWarning says why.  docs/scaling.md."""
    return decorator(Grad, f, wrt=wrt, backend=backend, strict=strict, cache=cache,
                     intermediates=intermediates, checkpoint=checkpoint, memory=memory,
                     parallel=parallel)


def value_and_grad(f=None, wrt=0, *, backend="numba", strict=False, cache=None,
                   checkpoint=None, memory=None, parallel=False):
    """Like :func:`grad`, returning ``(value, gradient)`` from one call."""
    return decorator(Grad, f, wrt=wrt, backend=backend, strict=strict, cache=cache,
                     with_value=True, checkpoint=checkpoint, memory=memory, parallel=parallel)

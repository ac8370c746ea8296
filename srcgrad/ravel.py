"""Containers as arguments of ``jacobian``, ``hessian`` and ``hvp``: the container
differentiated is one vector, its leaves raveled and joined (JAX's ``ravel_pytree``), and the
results are put back into its structure (as JAX's are: a Jacobian holds one block per leaf, a
Hessian one block per pair of leaves).

    def loss(params, x):            def loss(params_vec, x):
        W, b = params        ->         params_0 = np.reshape(params_vec[0:6], (2, 3))
        ...                             params_1 = params_vec[6:8]
                                        params = (params_0, params_1)     (srcgrad/pytree.py)
                                        ...
"""
import ast
import copy
import types as pytypes

import numpy as np

from . import pytree
from .errors import SrcgradError
from .frontend.source import Source


class Raveled:
    """``fn`` with container parameter ``wrt`` taken as one vector (the other containers as
    their leaves), for arguments structured and shaped like ``args``."""

    def __init__(self, fn, args, wrt):
        flat = pytree.flat_of(fn, args)
        self.flat, self.wrt = flat, wrt
        i = flat.params.index(wrt)
        self.treedef = flat.treedefs[i]
        values = pytree.flatten(args[i])[0]
        if not all(np.asarray(v).dtype.kind == "f" for v in values):
            raise SrcgradError(f"cannot differentiate with respect to {wrt!r}: some of its "
                               "leaves are not floats")
        self.shapes = [np.shape(v) for v in values]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        tree = copy.deepcopy(flat.source.tree)
        taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | set(flat.flat_params)
        vec = f"{wrt}_vec"
        while vec in taken:
            vec += "_"
        self.vec = vec
        names = [n for _, n in flat.leaves[wrt]]
        prologue = []
        for name, shape, lo, hi in zip(names, self.shapes, self.offsets[:-1], self.offsets[1:]):
            if shape == ():
                value = f"{vec}[{lo}]"
            elif len(shape) == 1:
                value = f"{vec}[{lo}:{hi}]"
            else:
                value = f"np.reshape({vec}[{lo}:{hi}], {shape!r})"
            prologue.append(ast.parse(f"{name} = {value}").body[0])
        for stmt in prologue:
            for n in ast.walk(stmt):
                ast.copy_location(n, tree)
        params = []
        for p in flat.flat_params:
            if p in names:
                if vec not in params:
                    params.append(vec)
            else:
                params.append(p)
        self.params = params
        tree.args = ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in params], vararg=None,
                                  kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        tree.body = prologue + tree.body
        ast.fix_missing_locations(tree)
        src = flat.source
        code = compile(ast.Module([tree], type_ignores=[]), src.filename, "exec")
        fcode = next(c for c in code.co_consts if isinstance(c, pytypes.CodeType))
        self.fn = pytypes.FunctionType(fcode, flat.fn.__globals__, flat.fn.__name__)
        namespace = dict(src.namespace)
        namespace.setdefault("np", np)
        self.fn.__srcgrad_source__ = Source(None, tree, src.filename, src.lines, namespace)
        self.fn.__srcgrad_source__.fn = self.fn

    def vector(self, value, what):
        """A container structured like the parameter, as one vector."""
        leaves, d = pytree.flatten(value)
        if d != self.treedef or [np.shape(v) for v in leaves] != self.shapes:
            raise ValueError(f"{what} must be structured and shaped like {self.wrt!r}")
        return np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in leaves])

    def args(self, args):
        """The raveled function's arguments."""
        out = []
        for p, a, d in zip(self.flat.params, args, self.flat.treedefs):
            if p == self.wrt:
                out.append(self.vector(a, repr(p)))
            elif d[0] == "function":
                continue
            else:
                out += pytree.flatten(a)[0] if d[0] != "leaf" else [a]
        return out

    def split(self, x, lead=()):
        """The trailing axis of ``x`` cut into the leaves' blocks (``lead`` the shape before
        it), put back into the parameter's structure."""
        blocks = [np.reshape(x[..., lo:hi], tuple(lead) + shape)
                  for lo, hi, shape in zip(self.offsets[:-1], self.offsets[1:], self.shapes)]
        return pytree.unflatten(self.treedef, blocks)

    def hessian(self, H):
        """An (n, n) Hessian as blocks: for each leaf, the container of its rows' blocks."""
        rows = []
        for lo, hi, shape in zip(self.offsets[:-1], self.offsets[1:], self.shapes):
            rows.append(self.split(H[lo:hi].reshape(shape + (H.shape[1],)), shape))
        return pytree.unflatten(self.treedef, rows)


def raveled_of(fn, args, wrt):
    shapes = tuple(np.shape(v) for v in pytree.flatten(args)[0])
    key = (tuple(pytree.flatten(a)[1] for a in args), shapes, wrt)
    per_fn = fn.__dict__.setdefault("__srcgrad_raveled__", {})
    if key not in per_fn:
        per_fn[key] = Raveled(fn, args, wrt)
    return per_fn[key]


def call(d, args, v=None):
    """``jacobian``, ``hessian`` or ``hvp`` object ``d`` called with container arguments."""
    if len(d.wrt) != 1:
        raise SrcgradError(f"{type(d).__name__.lower()} of a function of containers takes one "
                           "wrt argument")
    w = d.wrt[0]
    i = d.params.index(w)
    leaf = not pytree.is_container(args[i])
    if d.inner is not None:  # of a grad: the flat grad, in plain arguments only
        g, plain = d.inner, leaf
        while g is not None:
            plain = plain and not any(pytree.is_container(args[d.params.index(x)]) for x in g.wrt)
            root, g = g, g.inner
        if not plain:
            raise SrcgradError(f"{type(d).__name__.lower()} of a grad of a function of "
                               "containers is taken with respect to plain (float or array) "
                               "arguments only, in both derivatives; for a container, use "
                               "hessian of the function itself")
        flat = pytree.flat_of(root.primal, args)
        fn, wrt, call_args = pytree._flat_grad(d.inner, flat), w, flat.args(args)
    elif leaf:  # differentiated in a plain argument, other arguments containers: the flat fn
        flat = pytree.flat_of(d.primal, args)
        fn, wrt, call_args = flat.fn, w, flat.args(args)
    else:
        r = raveled_of(d.primal, args, w)
        fn, wrt, call_args = r.fn, r.vec, r.args(args)
    key = ("ravel", tuple(pytree.flatten(a)[1] for a in args),
           tuple(np.shape(x) for x in pytree.flatten(args)[0]), w)
    if key not in d._specs:
        kw = dict(wrt=wrt, backend=d.backend, strict=d.strict, cache=d.cache)
        if hasattr(d, "requested"):
            kw["mode"] = d.requested
        d._specs[key] = type(d)(fn, **kw)
    inner = d._specs[key]
    kind = type(d).__name__
    if kind == "Hvp":
        vv = v if leaf else r.vector(v, "v (a direction)")
        out = inner(*call_args, vv)
        return out if leaf else r.split(out)
    out = inner(*call_args)
    if hasattr(inner, "mode"):
        d.mode = inner.mode
    if leaf:
        return out
    if kind == "Hessian":
        return r.hessian(out)
    return r.split(out, np.shape(out)[:-1])  # a Jacobian: out.shape + (n,)

"""Containers of arrays as arguments (JAX's "pytrees"): tuples, lists and dicts, nested, of
floats and arrays.  A function taking one is differentiated as its *flat* version, whose
parameters are the leaves, and the gradient is put back into the argument's structure.

    def loss(params, x):                 def loss(params_0_0, params_0_1, params_1_0, params_1_1, x):
        for W, b in params:         ->       params = ((params_0_0, params_0_1), (params_1_0, params_1_1))
            x = np.tanh(W @ x + b)           for W, b in params:       (unrolled: passes/normalize)
        return np.sum(x)                         ...

A literal path into a container parameter (``params[0][1]``, ``p["W"]``) becomes its leaf's
name; the flat function keeps the user's line numbers, so errors name the user's lines.
"""
import ast
import copy
import re
import types as pytypes

import numpy as np

from .frontend.source import Source, read_source

_NUMBER = (int, float, np.integer, np.floating)


def is_container(v):
    """A tuple, list or dict holding an array or another container (a sequence of numbers
    only stays what it was: an array), or a function passed as an argument."""
    if isinstance(v, dict) or _is_function(v):
        return True
    if isinstance(v, (list, tuple)):
        return any(isinstance(e, (np.ndarray, dict)) or is_container(e) for e in v)
    return False


def _is_function(v):
    return callable(v) and not isinstance(v, (np.ndarray, type)) and not hasattr(v, "__len__")


def flatten(v):
    """(leaves, treedef): treedef is hashable, ("leaf",), ("tuple"|"list", defs),
    ("dict", keys, defs), or ("function", f) for a function passed as an argument (known at
    the call, so it is inlined or has a rule: no leaves)."""
    if _is_function(v):
        return [], ("function", v)
    if isinstance(v, dict):
        keys = tuple(v)
        leaves, defs = [], []
        for k in keys:
            lv, d = flatten(v[k])
            leaves += lv
            defs.append(d)
        return leaves, ("dict", keys, tuple(defs))
    if isinstance(v, (list, tuple)) and is_container(v):
        leaves, defs = [], []
        for e in v:
            lv, d = flatten(e)
            leaves += lv
            defs.append(d)
        return leaves, ("list" if isinstance(v, list) else "tuple", tuple(defs))
    return [v], ("leaf",)


def unflatten(treedef, leaves):
    """The container of ``treedef`` holding ``leaves`` (an iterator or a list)."""
    it = iter(leaves)

    def build(d):
        if d[0] == "leaf":
            return next(it)
        if d[0] == "dict":
            return {k: build(s) for k, s in zip(d[1], d[2])}
        items = [build(s) for s in d[1]]
        return items if d[0] == "list" else tuple(items)
    return build(treedef)


def _paths(treedef, prefix=()):
    """The path (indices and keys) of every leaf, in order."""
    if treedef[0] == "leaf":
        return [prefix]
    if treedef[0] == "dict":
        return [p for k, d in zip(treedef[1], treedef[2]) for p in _paths(d, prefix + (k,))]
    return [p for i, d in enumerate(treedef[1]) for p in _paths(d, prefix + (i,))]


def _leaf_name(param, path, taken):
    parts = [re.sub(r"\W", "_", str(p)) for p in path]
    name = "_".join([param, *parts])
    while name in taken:
        name += "_"
    taken.add(name)
    return name


class Flat:
    """The flat version of ``fn`` for arguments with these treedefs (one per parameter)."""

    def __init__(self, fn, treedefs):
        src = read_source(fn)
        self.params = src.params
        self.treedefs = treedefs
        taken = {n.id for n in ast.walk(src.tree) if isinstance(n, ast.Name)} | set(self.params)
        self.leaves = {}  # param -> [(path, leaf name)]
        flat_params, functions = [], {}
        for p, d in zip(self.params, treedefs):
            if d[0] == "leaf":
                flat_params.append(p)
                continue
            if d[0] == "function":  # act=np.tanh: the name now denotes that function
                functions[p] = d[1]
                continue
            self.leaves[p] = [(path, _leaf_name(p, path, taken)) for path in _paths(d)]
            flat_params += [n for _, n in self.leaves[p]]
        self.flat_params = flat_params
        tree = copy.deepcopy(src.tree)
        _Paths(self).visit(tree)
        prologue = [ast.copy_location(ast.Assign([ast.Name(p, ast.Store())], self._literal(
            d, dict(self.leaves[p])), lineno=tree.lineno), tree)
            for p, d in zip(self.params, treedefs) if d[0] not in ("leaf", "function")]
        for stmt in prologue:
            for n in ast.walk(stmt):
                ast.copy_location(n, tree)
        tree.args = ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in flat_params],
                                  vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                                  defaults=[])
        tree.body = prologue + tree.body
        ast.fix_missing_locations(tree)
        self.source = Source(None, tree, src.filename, src.lines, {**src.namespace, **functions})
        code = compile(ast.Module([tree], type_ignores=[]), src.filename, "exec")
        fcode = next(c for c in code.co_consts if isinstance(c, pytypes.CodeType))
        self.fn = pytypes.FunctionType(fcode, fn.__globals__, fn.__name__)
        self.fn.__srcgrad_source__ = self.source
        self.source.fn = self.fn

    def _literal(self, d, names, prefix=()):
        if d[0] == "leaf":
            return ast.Name(names[prefix], ast.Load())
        subs = d[2] if d[0] == "dict" else d[1]
        keys = d[1] if d[0] == "dict" else range(len(subs))
        tup = ast.Tuple([self._literal(s, names, prefix + (k,)) for k, s in zip(keys, subs)],
                        ast.Load())
        if d[0] == "dict":  # a helper given the whole dict reads it by key (passes/tuples.py)
            tup.dict_keys = list(d[1])
        return tup

    def args(self, args):
        """The flat arguments: every container argument replaced by its leaves."""
        out = []
        for a, d in zip(args, self.treedefs):
            out += flatten(a)[0] if d[0] != "leaf" else [a]
        return out

    def _check_wrt(self, wrt):
        from .errors import SrcgradError
        for w in wrt:
            if self.treedefs[self.params.index(w)][0] == "function":
                raise SrcgradError(f"cannot differentiate with respect to {w!r}: it is a "
                                   "function")

    def wrt(self, wrt):
        """Flat parameter names for the user's ``wrt`` parameter names."""
        self._check_wrt(wrt)
        return tuple(n for w in wrt for n in ([w] if w not in self.leaves
                                              else [n for _, n in self.leaves[w]]))

    def regroup(self, wrt, flat_grads):
        """The gradients of the flat parameters, put back into the structure of each ``wrt``
        parameter."""
        it = iter(flat_grads)
        out = []
        for w in wrt:
            d = self.treedefs[self.params.index(w)]
            out.append(next(it) if d[0] == "leaf" else
                       unflatten(d, [next(it) for _ in self.leaves[w]]))
        return out


class _Paths(ast.NodeTransformer):
    """``params[0][1]`` and ``p["W"]`` (literal paths into a container parameter that is
    never rebound) become the leaf's name; a dict's keys become tuple indices."""

    def __init__(self, flat):
        self.flat = flat
        self.defs = dict(zip(flat.params, flat.treedefs))

    def visit_FunctionDef(self, node):
        counts = {}
        for s in node.body:
            for t in ast.walk(s):
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store):
                    counts[t.id] = counts.get(t.id, 0) + 1
        self.fixed = {p for p in self.flat.leaves if p not in counts}
        # inner = p["layer"] (assigned once, at the top level): inner["W"] is a path too
        self.alias = {}
        for s in node.body:
            if isinstance(s, ast.Assign) and len(s.targets) == 1 \
                    and isinstance(s.targets[0], ast.Name) and counts[s.targets[0].id] == 1:
                found = self._path(s.value)
                if found is not None and found[2] == 0:
                    self.alias[s.targets[0].id] = found[:2]
        node.body = [self.visit(s) for s in node.body]
        return node

    def _path(self, node):
        """(root parameter, path, indices left over) of a literal path, else None."""
        chain, base = [], node
        while isinstance(base, ast.Subscript):
            chain.append(base.slice)
            base = base.value
        if not isinstance(base, ast.Name):
            return None
        if base.id in self.fixed:
            root, path = base.id, ()
        elif base.id in self.alias:
            root, path = self.alias[base.id]
        else:
            return None
        d = self.defs[root]
        for p in path:
            d = d[2][d[1].index(p)] if d[0] == "dict" else d[1][p]
        used = 0
        for idx in reversed(chain):
            key = idx.value if isinstance(idx, ast.Constant) else None
            if d[0] == "leaf" or key is None:
                break
            if d[0] == "dict":
                if key not in d[1]:
                    break
                path, d = path + (key,), d[2][d[1].index(key)]
            else:
                if not isinstance(key, int) or not -len(d[1]) <= key < len(d[1]):
                    break
                key %= len(d[1])
                path, d = path + (key,), d[1][key]
            used += 1
        return root, path, len(chain) - used, d, used

    def visit_Call(self, node):
        """``p.values()``, ``p.keys()``, ``p.items()`` of a dict parameter (or a literal path
        into one): tuples of its leaves (or sub-containers), keys, or (key, value) pairs."""
        f = node.func
        tree = self._subtree(f.value) if isinstance(f, ast.Attribute) and f.attr in (
            "values", "keys", "items") and not node.args and not node.keywords else None
        if tree is None or tree[2][0] != "dict":
            return self.generic_visit(node)
        root, path, d = tree
        names = dict(self.flat.leaves[root])
        values = [self.flat._literal(sub, names, path + (k,)) for k, sub in zip(d[1], d[2])]
        keys = [ast.Constant(k) for k in d[1]]
        new = ast.Tuple({"values": values, "keys": keys,
                         "items": [ast.Tuple([k, v], ast.Load()) for k, v in zip(keys, values)]
                         }[f.attr], ast.Load())
        for n in ast.walk(new):
            ast.copy_location(n, node)
        return new

    def _subtree(self, node):
        """(root parameter, path, treedef) of a container parameter, an alias of a path into
        one, or a literal path, else None."""
        if isinstance(node, ast.Name):
            if node.id in self.fixed:
                return node.id, (), self.defs[node.id]
            if node.id in self.alias:
                root, path = self.alias[node.id]
                d = self.defs[root]
                for p in path:
                    d = d[2][d[1].index(p)] if d[0] == "dict" else d[1][p]
                return root, path, d
            return None
        found = self._path(node)
        return (found[0], found[1], found[3]) if found is not None and found[2] == 0 else None

    def visit_Subscript(self, node):
        found = self._path(node) if isinstance(node.ctx, ast.Load) else None
        if found is None or found[4] == 0:
            return self.generic_visit(node)
        root, path, _, d, used = found
        chain, base = [], node
        while isinstance(base, ast.Subscript):
            chain.append(base.slice)
            base = base.value
        names = dict(self.flat.leaves[root])
        if d[0] == "leaf":
            new = ast.Name(names[path], ast.Load())
        else:  # a sub-container: its own tuple literal
            new = self.flat._literal(d, names, path)
        for n in ast.walk(new):
            ast.copy_location(n, node)
        rest = list(reversed(chain))[used:]
        for idx in rest:  # indices past the leaf (an element of a leaf array) stay
            new = ast.copy_location(ast.Subscript(new, self.visit(idx), ast.Load()), node)
        return new


# ---- the transforms' entry points for arguments with containers (srcgrad/transforms/) ------
def flat_of(fn, args):
    """The :class:`Flat` of ``fn`` for these arguments' structures, made once per structure."""
    treedefs = tuple(flatten(a)[1] for a in args)
    per_fn = fn.__dict__.setdefault("__srcgrad_flat__", {})
    if treedefs not in per_fn:
        per_fn[treedefs] = Flat(fn, treedefs)
    return per_fn[treedefs]


def _flat_grad(g, flat):
    """``g`` (a Grad, maybe of a Grad) rebuilt over ``flat.fn``, its ``wrt`` as leaves."""
    from .transforms.grad import Grad
    base = flat.fn if g.inner is None else _flat_grad(g.inner, flat)
    return Grad(base, wrt=flat.wrt(g.wrt), backend=g.backend, strict=g.strict,
                with_value=g.with_value, intermediates=g.intermediates, cache=g.cache,
                checkpoint=g._init.get("checkpoint"), memory=g._init.get("memory"))


def grad_call(g, args):
    """``grad(f)(params, x)`` with containers: the flat function's gradient, regrouped; a grad
    of a grad is the same nesting over the flat function."""
    root = g
    while root.inner is not None:
        root = root.inner
    flat = flat_of(root.primal, args)
    key = ("flat", flat.treedefs)
    if key not in g._specs:
        g._specs[key] = _flat_grad(g, flat)
    inner = g._specs[key]
    result = inner(*flat.args(args))
    g._last = inner._last
    value, captured = None, None
    if g.with_value:
        value, result = result
    if g.intermediates:
        result, captured = result
    grads = flat.regroup(g.wrt, result if isinstance(result, tuple) else (result,))
    grads = grads[0] if g.single else tuple(grads)
    if g.intermediates:
        grads = (grads, captured)
    return (value, grads) if g.with_value else grads


def vjp_call(vjp, f, args, wrt, options):
    """``vjp(f, params, x)`` with containers: cotangents shaped like the arguments."""
    flat = flat_of(f, args)
    params = flat.params
    if wrt is None:  # every argument holding floats
        wrt = tuple(p for p, a in zip(params, args)
                    if any(np.asarray(v).dtype.kind == "f" for v in flatten(a)[0]))
    wrt = tuple(wrt) if isinstance(wrt, (tuple, list)) else (wrt,)
    wrt = tuple(params[w] if isinstance(w, int) else w for w in wrt)
    out, fn = vjp(flat.fn, *flat.args(args), wrt=flat.wrt(wrt), **options)

    def vjp_fn(cotangent):
        return tuple(flat.regroup(wrt, fn(cotangent)))
    vjp_fn.source = fn.source
    return out, vjp_fn


def jvp_call(jvp, f, primals, tangents, options):
    """``jvp(f, (params, x), (dparams, dx))``: tangents shaped like the primals (or None)."""
    flat = flat_of(f, primals)
    flat_tangents = []
    for p, a, t, d in zip(flat.params, primals, tangents, flat.treedefs):
        n = len(flatten(a)[0]) if d[0] != "leaf" else 1
        if t is None:
            flat_tangents += [None] * n
        elif d[0] == "leaf":
            flat_tangents.append(t)
        else:
            leaves, td = flatten(t)
            if td != d:
                raise ValueError(f"the tangent for {p!r} is not structured like its primal")
            flat_tangents += leaves
    return jvp(flat.fn, tuple(flat.args(primals)), tuple(flat_tangents), **options)

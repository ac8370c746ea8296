"""Normalize, slice objects: a ``slice(...)`` bound to a name once, or written in an index,
becomes the slice itself, its bounds kept in variables where it was made (so a bound changed
afterwards does not move the slice, as in Python).

    s = slice(1, n - 1)        ->  s_start = 1
                                   s_stop = n - 1
    y = x[s] * 2.0             ->  y = x[s_start:s_stop] * 2.0
    x[slice(None, None, 2)]    ->  x[::2]

Any other use of a slice object (passed to a function, read as ``s.start``, bound twice) is a
located error.
"""
import ast
import copy
from collections import Counter

from .walk import nodes

_PARTS = ("start", "stop", "step")


def _parts(call):
    """The (start, stop, step) expressions of ``slice(...)`` (None where left out)."""
    args = list(call.args)
    if len(args) == 1:
        args = [None] + args
    args += [None] * (3 - len(args))
    return [None if a is None or (isinstance(a, ast.Constant) and a.value is None) else a
            for a in args]


class SliceObjects(ast.NodeTransformer):
    def __init__(self, norm, body):
        self.norm = norm
        stores = Counter(t.id for s in body for t in nodes(s)
                         if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store))
        self.bound = {}  # name -> its bounds: names of variables, or None
        self.once = {s.targets[0].id for s in (n for st in body for n in nodes(st))
                     if isinstance(s, ast.Assign) and len(s.targets) == 1
                     and isinstance(s.targets[0], ast.Name) and self._is_slice(s.value)
                     and stores[s.targets[0].id] == 1}

    def _is_slice(self, e):
        return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) \
            and self.norm.src.resolve(e.func) is slice

    def _check(self, call):
        if call.keywords or not 1 <= len(call.args) <= 3:
            self.norm.fail(call, "slice() with these arguments", "give slice(stop), "
                           "slice(start, stop) or slice(start, stop, step).")

    def run(self, body):
        out = []
        for s in body:
            r = self.visit(s)
            out.extend(r if isinstance(r, list) else [r])
        return out

    def visit_Assign(self, s):
        if len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) \
                and s.targets[0].id in self.once and self._is_slice(s.value):
            self._check(s.value)
            name, out, bounds = s.targets[0].id, [], []
            for part, e in zip(_PARTS, _parts(s.value)):
                if e is None:
                    bounds.append(None)
                    continue
                v = self.norm.names.exact_or_fresh(f"{name}_{part}")
                out.append(ast.copy_location(ast.Assign([ast.Name(v, ast.Store())],
                                                        self.visit(e)), s))
                bounds.append(v)
            self.bound[name] = bounds
            return out or [ast.copy_location(ast.Pass(), s)]
        return self.generic_visit(s)

    def _slice(self, index):
        if isinstance(index, ast.Name) and index.id in self.bound:
            return ast.Slice(*(ast.Name(b, ast.Load()) if b else None
                               for b in self.bound[index.id]))
        if self._is_slice(index):
            self._check(index)
            return ast.Slice(*(self.visit(e) if e is not None else None for e in _parts(index)))
        if isinstance(index, ast.Tuple):
            index.elts = [self._slice(e) for e in index.elts]
            return index
        return self.visit(index)

    def visit_Subscript(self, n):
        n.value = self.visit(n.value)
        n.slice = self._slice(n.slice)
        return n

    def visit_Name(self, n):
        if n.id in self.bound or (n.id in self.once and isinstance(n.ctx, ast.Load)):
            self.norm.fail(n, f"the slice object {n.id} used other than as an index",
                           "index with it (x[s]), or pass its bounds.")
        return n

    def visit_Call(self, n):
        if self._is_slice(n):
            self.norm.fail(n, "slice() used other than as an index or bound to a name once",
                           "write the slice in the index (x[a:b]), or bind it once: "
                           "s = slice(a, b).")
        return self.generic_visit(n)


def rewrite(norm, body):
    """``body`` with its slice objects written out (see the module docstring)."""
    if norm.src.internal or not any(isinstance(n, ast.Name) and n.id == "slice"
                                    for st in body for n in nodes(st)):
        return body  # (most functions: nothing to copy)
    body = copy.deepcopy(body)  # the source's own nodes are normalized again (tensordot)
    return SliceObjects(norm, body).run(body)

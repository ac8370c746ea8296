"""Instantiate a rule-table template at a use site (shared by the reverse and forward passes).

    template "g * cos(x)", g -> bs, x -> _t1 (float)    ->   bs * math.cos(_t1)
    template "g * cos(x)", g -> bs, x -> a (array)      ->   bs * np.cos(a)

Bare function names become ``math.<f>`` when every argument is a scalar and ``math`` has
``f``, else ``np.<f>``; names of srcgrad.runtime helpers stay bare.  A scalar ``where`` becomes
a conditional expression.
"""
import ast
import functools
import math

from .. import runtime
from .types import FLOAT, is_array, is_scalar
from .clone import clone
from .walk import child_fields

_NP_ONLY = {"sign", "where", "full_like", "zeros_like", "sum", "mean"}
HELPERS = {n for n in runtime.__all__}


def instantiate(template, subst, kinds_of):
    """``subst`` maps template names to AST expressions; ``kinds_of(expr)`` gives the kind
    of a name or subscript (``None`` if unknown)."""
    return _Inst(subst, _deep(kinds_of)).visit(clone(template))


def _deep(kinds_of):
    """Extend ``kinds_of`` to compound expressions: an array anywhere inside makes an array."""
    return functools.partial(_deep_kind, kinds_of)  # not a recursive closure: no cycle to collect


_TO_SCALAR = {"sum", "mean", "trace", "vdot", "amax", "amin", "prod"}  # full reductions


def _deep_kind(kinds_of, e):
    """The kind of a template expression: an array anywhere inside makes an array; a full
    reduction, or parts that are all known scalars, a scalar; else None (unknown)."""
    base = kinds_of(e)
    if base is not None:
        return base
    if isinstance(e, ast.Call):
        f = e.func
        if (f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)) in _TO_SCALAR:
            return FLOAT
    parts = list(e.args) if isinstance(e, ast.Call) else \
        [c for c in ast.iter_child_nodes(e) if isinstance(c, ast.expr)]
    kinds = [_deep_kind(kinds_of, p) for p in parts]
    for pk in kinds:
        if is_array(pk):
            return ("a", pk[1], "f")
    return FLOAT if kinds and all(is_scalar(k) for k in kinds) else None


class _Inst:
    """In place: template names become copies of their substitutes; calls get a module."""

    def __init__(self, subst, kinds_of):
        self.subst, self.kinds_of = subst, kinds_of

    def visit(self, node):
        c = node.__class__
        if c is ast.Name:
            return self.visit_Name(node)
        if c is ast.Call:
            return self.visit_Call(node)
        for f in child_fields(c):
            v = getattr(node, f, None)
            if v.__class__ is list:
                v[:] = [self.visit(x) if isinstance(x, ast.AST) else x for x in v]
            elif isinstance(v, ast.AST):
                setattr(node, f, self.visit(v))
        return node

    def visit_Name(self, node):
        if node.id in self.subst:
            return clone(self.subst[node.id])
        return node

    def visit_Call(self, node):
        node.args = [self.visit(a) for a in node.args]
        if isinstance(node.func, ast.Name):
            f = node.func.id
            if f in self.subst:  # a wrapper of a user's rule, by the name bound at the call
                node.func = clone(self.subst[f])
                return node
            if f in HELPERS:
                return node
            kinds = [self.kinds_of(a) for a in node.args]
            if f == "where" and is_scalar(kinds[0]):
                return ast.IfExp(node.args[0], node.args[1], node.args[2])
            if f == "full_like" and is_scalar(kinds[0]):  # np.sum(s) of a scalar: its
                return node.args[1]  # cotangent is g itself (np.full_like gives a 0-d array)
            scalar = all(k is None or is_scalar(k) for k in kinds) and not any(is_array(k) for k in kinds)
            mod = "math" if scalar and f not in _NP_ONLY and hasattr(math, f) else "np"
            node.func = ast.Attribute(ast.Name(mod, ast.Load()), f, ast.Load())
        return node

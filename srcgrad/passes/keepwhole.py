"""Normalize, bookkeeping expressions (indices, bounds, tests) kept whole: only local names are
renamed, global constants resolved, and calls that carry values (primitives, inlined helpers,
rules of users', checkpointed calls) hoisted into statements of their own.

    if f(x[i]) > 0.5:      ->   _t3 = x[i] ; ... f's body ... ; _cond1 = f_ret1 > 0.5
"""
import ast
import inspect

import numpy as np

from .. import custom, library
from ..frontend.loops import is_int_list
from ..frontend.source import _MISSING
from ..rules.table import CALLS, CREATION_CALLS, EINSUM_CALLS, METHODS, NONDIFF_CALLS
from .calls import BUILTIN_EMIT
from .common import _call
from .constants import static_isinstance
from .ufunc_methods import ufunc_method


def _is_primitive(obj):
    try:
        return obj in CALLS
    except TypeError:
        return False


def _is_einsum(obj):
    try:
        return obj in EINSUM_CALLS
    except TypeError:
        return False


def index_lists(index):
    """``x[[0, 2, 2]]``, ``A[1, [0, 1]]``: a literal list of integers in an index (the one
    place the check stage lets such a list through: frontend/check.py) as NumPy's array of it,
    the same index in NumPy and one Numba compiles."""
    def one(e):
        if not is_int_list(e):
            return e
        return ast.fix_missing_locations(ast.copy_location(_call("np.array", e), e))
    if isinstance(index, ast.Tuple):
        return ast.copy_location(ast.Tuple([one(e) for e in index.elts], ast.Load()), index)
    return one(index)


class KeepWhole(ast.NodeTransformer):
    def __init__(self, norm, out):
        self.norm, self.out = norm, out

    def visit_Name(self, node):
        return self.norm.load_name(node)

    def visit_Compare(self, node):
        """``"W" in p`` of a dict argument's values (a helper given the whole dict): known."""
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and isinstance(node.left, ast.Constant) and isinstance(node.comparators[0], ast.Name) \
                and node.comparators[0].id in self.norm.locals:  # (p["sub"]: a name first)
            keys = self.norm.dict_keys(self.norm.load_name(node.comparators[0]))
            if keys is not None:
                return ast.copy_location(ast.Constant(
                    (node.left.value in keys) == isinstance(node.ops[0], ast.In)), node)
        return self.generic_visit(node)

    def visit_Subscript(self, node):
        """``t[0]`` of a tuple variable (``args[0].shape[0]``): the element's own name, so the
        expression never reads the tuple."""
        base = node.value
        if isinstance(base, ast.Name) and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, (int, str)) \
                and not isinstance(node.slice.value, bool):
            name = self.norm.load_name(base)
            if self.norm.elements(name) is not None:
                return ast.copy_location(self.norm.tuple_item(
                    self.norm.elements(name), node, self.out, self.norm.dict_keys(name)), node)
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        obj = self.norm.src.resolve(node)
        if obj is not _MISSING and not inspect.ismodule(obj) and not callable(obj):
            return self.norm.constant(node, obj)
        if obj is not _MISSING:
            return node
        node.value = self.visit(node.value)
        return node

    def visit_Call(self, node):
        if isinstance(node.func, ast.Call):  # srcgrad.checkpoint(g)(...) in a test
            return self.norm.atom(node, self.out)
        obj = self.norm.src.resolve(node.func)
        local = isinstance(node.func, ast.Name) and node.func.id in self.norm.local_fns \
            and node.func.id not in self.norm.locals
        if obj is isinstance:
            return static_isinstance(self.norm, node)
        one_arg_where = obj is np.where and len(node.args) == 1  # indices: kept whole
        # an array method srcgrad writes as a primitive (x.compress(c), x.squeeze(0)): Numba
        # has few of them as methods
        lowered_method = obj is _MISSING and isinstance(node.func, ast.Attribute) \
            and node.func.attr in METHODS and not getattr(node, "integer_cast", False)
        if ufunc_method(node, self.norm.src.resolve):  # np.maximum.reduce(M, 0): lowered
            return self.norm.atom(node, self.out)    # (passes/ufunc_methods.py)
        if (_is_primitive(obj) and not one_arg_where) or library.known(obj) or local or (
                obj in (sum, min, max) and len(node.args) == 1) or custom.rule_for(obj) \
                or _is_einsum(obj) or lowered_method:
            # np.sin(a), sp.logsumexp(a), a nested def, sum(gen), np.tensordot(M, M) inside
            # np.zeros_like(...) or a test: a statement of its own, with a kind (and a helper)
            return self.norm.atom(node, self.out)
        if inspect.isfunction(obj) and obj not in NONDIFF_CALLS and obj not in CREATION_CALLS:
            return self.norm.inline(obj, node, self.out)  # (srcgrad's helpers with rules: above)
        if obj is not _MISSING and not isinstance(node.func, ast.Name):
            node.func = self.norm.emit_func(obj, node.func)
        elif obj in BUILTIN_EMIT:
            node.func = ast.Name(BUILTIN_EMIT[obj], ast.Load())
        elif obj is _MISSING and isinstance(node.func, ast.Attribute):
            node.func = self.visit(node.func)  # a local's method (stack.pop()): renamed
        node.args = [self.visit(a) for a in node.args]
        node.keywords = [ast.keyword(k.arg, self.visit(k.value)) for k in node.keywords]
        return node

    def visit_IfExp(self, node):
        return self.norm.flat(node, self.out)

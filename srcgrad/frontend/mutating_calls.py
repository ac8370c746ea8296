"""Calls that write into an array, written as the writes they are (a step of read_source).

    a.fill(v)               ->   a[:] = v
    a.sort()                ->   a[:] = numpy.sort(a, axis=-1)   (NumPy's default axis)
    np.copyto(a, b)         ->   a[:] = b                      (b broadcast to a's shape)

Only as statements of their own, of an array named by a variable, with exactly these
arguments; the write is then an ordinary slice write, with its derivative, its checks (an
integer array truncating a derivative, memory shared with another name) and its errors.
Other forms (``a.sort(axis=0)``, ``np.copyto(a, b, where=m)``, ``a[i].fill(v)``) are left
as written, for the subset check to refuse at their line.
"""
import ast

import numpy as np

_NUMPY = "__srcgrad_numpy__"  # bound in the function's own namespace (a copy of its globals)


def _whole(name, node):
    target = ast.Subscript(ast.Name(name, ast.Load()), ast.Slice(), ast.Store())
    return ast.copy_location(target, node)


def _write(st, namespace):
    """The assignment ``st`` (an expression statement) stands for, or None."""
    c = st.value
    if not isinstance(c, ast.Call) or c.keywords or not isinstance(c.func, ast.Attribute):
        return None
    f = c.func
    if isinstance(f.value, ast.Name) and f.value.id not in namespace:  # a local's method
        a = f.value.id
        if f.attr == "fill" and len(c.args) == 1:
            return ast.Assign([_whole(a, st)], c.args[0])
        if f.attr == "sort" and not c.args:
            namespace[_NUMPY] = np
            sort = ast.Attribute(ast.Name(_NUMPY, ast.Load()), "sort", ast.Load())
            return ast.Assign([_whole(a, st)], ast.Call(sort, [ast.Name(a, ast.Load())], [
                ast.keyword("axis", ast.UnaryOp(ast.USub(), ast.Constant(1)))]))
    if len(c.args) == 2 and isinstance(c.args[0], ast.Name) and _resolves(f, namespace) \
            is np.copyto:
        return ast.Assign([_whole(c.args[0].id, st)], c.args[1])
    return None


def _resolves(e, namespace):
    if isinstance(e, ast.Name):
        return namespace.get(e.id)
    if isinstance(e, ast.Attribute):
        base = _resolves(e.value, namespace)
        return getattr(base, e.attr, None) if base is not None else None
    return None


def rewrite(tree, namespace):
    """In place, every block of ``tree`` (a FunctionDef)."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            for k, st in enumerate(block):
                if isinstance(st, ast.Expr):
                    new = _write(st, namespace)
                    if new is not None:
                        block[k] = ast.fix_missing_locations(ast.copy_location(new, st))

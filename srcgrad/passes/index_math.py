"""Index arithmetic for passes/bounds.py: an index as a sum of names times whole numbers
(``linear``), the least and greatest values it takes over loops' ranges, written back as
expressions, and which lengths the code shows equal (``Shapes``).

    linear(i + 2 * k - 1)   ->  ({"i": 1, "k": 2}, [], -1)
    greater(K - 1, -1)      ->  K > 0
"""
import ast

from .clone import clone


def whole(e):
    """The whole number ``e`` is written as (``3``, ``-1``), or None."""
    if isinstance(e, ast.Constant) and type(e.value) is int:
        return e.value
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) and whole(e.operand) is not None:
        return -whole(e.operand)
    return None


def greater(a, b):
    """``a > b``, a whole number moved right: ``K - 1 > -1`` is ``K > 0``."""
    if whole(b) is not None and isinstance(a, ast.BinOp) and isinstance(a.op, (ast.Add, ast.Sub)) \
            and whole(a.right) is not None:
        k = whole(a.right) if isinstance(a.op, ast.Add) else -whole(a.right)
        return greater(a.left, ast.Constant(whole(b) - k))
    return ast.Compare(clone(a), [ast.Gt()], [clone(b)])


def plus(e, c):
    if c == 0:
        return clone(e)
    if whole(e) is not None:
        return ast.Constant(whole(e) + c)
    if isinstance(e, ast.BinOp) and isinstance(e.right, ast.Constant) and type(e.right.value) is int \
            and isinstance(e.op, (ast.Add, ast.Sub)):
        k = e.right.value if isinstance(e.op, ast.Add) else -e.right.value
        return plus(e.left, k + c)
    return ast.BinOp(clone(e), ast.Add() if c > 0 else ast.Sub(), ast.Constant(abs(c)))


def times(c, e):
    if c == 1:
        return clone(e)
    if c == -1:
        return ast.UnaryOp(ast.USub(), clone(e))
    return ast.BinOp(ast.Constant(c), ast.Mult(), clone(e))


def total(terms, const):
    out = None
    for t in terms:
        if out is None:
            out = t
        elif isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.USub):
            out = ast.BinOp(out, ast.Sub(), t.operand)
        else:
            out = ast.BinOp(out, ast.Add(), t)
    if out is None:
        return ast.Constant(const)
    return plus(out, const)


def linear(e):
    """({loop-or-other name: whole-number coefficient}, [other integer atoms: x.shape[k],
    len(x)], constant) of an index that is such a sum, or None.  Names are all in the
    dict (whether they are loop variables is decided later)."""
    if isinstance(e, ast.Constant) and type(e.value) is int:
        return {}, [], e.value
    if isinstance(e, ast.Name):
        return {e.id: 1}, [], 0
    if shape_of(e) is not None or (isinstance(e, ast.Call) and isinstance(e.func, ast.Name)
                                    and e.func.id == "len" and len(e.args) == 1
                                    and isinstance(e.args[0], ast.Name) and not e.keywords):
        return {}, [e], 0
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        inner = linear(e.operand)
        if inner is None or isinstance(e.op, ast.UAdd):
            return inner
        c, atoms, k = inner
        if atoms:
            return None
        return {v: -x for v, x in c.items()}, [], -k
    if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Sub)):
        left, right = linear(e.left), linear(e.right)
        if left is None or right is None:
            return None
        s = 1 if isinstance(e.op, ast.Add) else -1
        if s == -1 and right[1]:
            return None
        c = dict(left[0])
        for v, x in right[0].items():
            c[v] = c.get(v, 0) + s * x
        return {v: x for v, x in c.items() if x}, left[1] + right[1], left[2] + s * right[2]
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult):
        for k, other in ((e.left, e.right), (e.right, e.left)):
            if isinstance(k, ast.Constant) and type(k.value) is int:
                inner = linear(other)
                if inner is None or inner[1]:
                    return None
                return ({v: k.value * x for v, x in inner[0].items() if k.value * x},
                        [], k.value * inner[2])
    return None


def shape_of(e):
    """(array, axis) of ``array.shape[axis]``, or None."""
    if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Attribute) \
            and e.value.attr == "shape" and isinstance(e.value.value, ast.Name) \
            and isinstance(e.slice, ast.Constant) and type(e.slice.value) is int \
            and e.slice.value >= 0:
        return e.value.value.id, e.slice.value
    return None


class Shapes:
    """Which lengths the code shows equal: a length is named by the parameter axis it is
    (``("x", 0)`` for ``x.shape[0]``) or the whole number it is, through names set at one
    place (``N = x.shape[0]``) and arrays made there (``np.zeros((N, K))``,
    ``np.zeros_like(x)``).  Parameters the function rebinds, and everything else, have none."""

    _LIKE = {"zeros_like", "empty_like", "ones_like", "full_like", "copy"}
    _NEW = {"zeros", "empty", "ones", "full"}

    def __init__(self, fdef):
        sites = {}
        for n in ast.walk(fdef):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                sites[n.id] = sites.get(n.id, 0) + 1
        self.params = {a.arg for a in fdef.args.args if a.arg not in sites}
        self.value = {}  # name set at one place, by a plain assignment -> its value
        for n in ast.walk(fdef):
            if isinstance(n, ast.Assign) and len(n.targets) == 1 \
                    and isinstance(n.targets[0], ast.Name) and sites.get(n.targets[0].id) == 1:
                self.value[n.targets[0].id] = n.value
        self._depth = 0

    def length(self, e):
        if isinstance(e, ast.Constant) and type(e.value) is int:
            return e.value
        if self._depth > 20:
            return None
        self._depth += 1
        try:
            if isinstance(e, ast.Name) and e.id in self.value:
                return self.length(self.value[e.id])
            if isinstance(e, ast.Name) and e.id in self.params:
                return ("value", e.id)  # a number the caller passed, never rebound
            if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "len" \
                    and len(e.args) == 1 and not e.keywords:
                a = e.args[0]
                if isinstance(a, ast.Name):
                    return self.axis(a.id, 0)
                if isinstance(a, ast.Call) and isinstance(a.func, ast.Name) \
                        and a.func.id == "range" and len(a.args) in (1, 2) and not a.keywords:
                    start = 0 if len(a.args) == 1 else whole(a.args[0])
                    stop = self.length(a.args[-1])
                    if start is not None and start >= 0 and stop is not None:
                        return ("range", stop, start)  # max(0, stop - start)
            s = shape_of(e)
            return self.axis(*s) if s is not None else None
        finally:
            self._depth -= 1

    def axis(self, array, k):
        if array in self.params:
            return (array, k)
        v = self.value.get(array)
        if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute)
                and isinstance(v.func.value, ast.Name) and v.func.value.id == "np" and v.args):
            return None
        if v.func.attr in self._LIKE and isinstance(v.args[0], ast.Name) and \
                not any(kw.arg == "shape" for kw in v.keywords):
            self._depth += 1
            try:
                return self.axis(v.args[0].id, k) if self._depth <= 20 else None
            finally:
                self._depth -= 1
        if v.func.attr in self._NEW:
            shape = v.args[0]
            dims = shape.elts if isinstance(shape, ast.Tuple) else [shape] if k == 0 else []
            return self.length(dims[k]) if k < len(dims) else None
        return None

"""Symbolic shapes of generated code's arrays, for passes/known_shapes.py and keepdims.py.

    logits = X @ W + b        ->   logits: ("X.shape[0]", "W.shape[1]" | "b.shape[0]")
                                   and X.shape[1] == W.shape[0] from here on

Every array gets symbolic axis lengths: a parameter's are its own (``W.shape[0]``), an
elementwise result's (arithmetic, comparisons, ``np.where``, ``np.maximum``, NumPy's functions
of one array) are its operands' broadcast together (a length-1 axis takes the other's length;
two unknown lengths make a length known only as "one of these", ``_Broadcast``), a
reduction's and ``np.expand_dims``'s follow the axis, a product's come from its operands, and
a product also proves that its inner lengths are equal (``X @ W`` runs only if
``X.shape[1] == W.shape[0]``).  A value the walk cannot follow (an element popped from a
stack, a loop's variable) gets axis lengths of its own, of its kind's rank, which only the
same value shares (``forget``).  ``info(e)`` is (shape, is float) of an expression, its shape
None when not known.
"""
import ast

from ..kinds import is_array, is_float, ndim

_ARITH = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod)
# elementwise NumPy functions of one array: a float result; or the operand's own dtype
_FLOAT_UFUNCS = {"exp", "log", "tanh", "sin", "cos", "tan", "sqrt", "expm1", "log1p", "log2",
                 "log10", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
                 "arctanh", "exp2", "cbrt"}
_SAME_UFUNCS = {"abs", "absolute", "negative", "square", "positive", "sign"}
_BINARY = {"maximum", "minimum", "fmax", "fmin"}  # two arrays broadcast: the float one's dtype
_LIKE = {"zeros_like", "ones_like", "empty_like"}
_REDUCE = {"sum_axis", "max_axis", "min_axis", "mean_axis", "prod_axis"}
_UNKNOWN = (None, False)


class _Broadcast(frozenset):
    """An axis length known only as one of several (the others being 1 there).  The other
    axis lengths are the literal 1 or a string naming a parameter's axis (``"W.shape[0]"``)
    or one made by an expression nothing else can name."""


def _bdim(a, b):
    if a == b or b == 1:
        return a
    if a == 1:
        return b
    sa = a if isinstance(a, _Broadcast) else {a}
    sb = b if isinstance(b, _Broadcast) else {b}
    if sb <= sa:
        return a
    if sa <= sb:
        return b
    return _Broadcast(sa | sb)


def _broadcast(a, b):
    if a is None or b is None:
        return None
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return tuple(_bdim(x, y) for x, y in zip(a, b))


def _axis(node, rank):
    """A constant axis argument, made non-negative; None if not a constant in range."""
    v = node.value if isinstance(node, ast.Constant) else (
        -node.operand.value if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant) else None)
    if v.__class__ is not int or not -rank <= v < rank:
        return None
    return v % rank


def _fn(call):
    """``np.exp`` -> ("np", "exp"); ``sum_axis`` -> ("", "sum_axis"); else None."""
    f = call.func
    if isinstance(f, ast.Name):
        return "", f.id
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return f.value.id, f.attr
    return None


class Shapes:
    """The walk: ``env`` maps a name to (shape or None, known to be float); ``same`` maps an
    axis symbol to the one it was proved equal to."""

    def __init__(self, env, volatile, kind_of, long_axes=()):
        self.env, self.same, self.volatile, self.kind_of = env, {}, volatile, kind_of
        self.long = frozenset(long_axes)  # parameters' axes this call's arguments prove not 1
        self.made = 0
        self.proving = True  # off inside parts of an expression that may not run

    def forget(self, names):
        """The names now hold values the walk cannot follow: an array's axes get symbols of
        their own (its rank is its kind's), which only the same value shares."""
        for v in names:
            k = self.kind_of(v)
            if is_array(k) and v not in self.volatile:
                self.made += 1
                self.env[v] = (tuple(f"{v}#{self.made}[{i}]" for i in range(ndim(k))),
                               is_float(k))
            else:
                self.env.pop(v, None)

    # ---- symbols -------------------------------------------------------------------------
    def find(self, d):
        while d in self.same:
            d = self.same[d]
        return d

    def canon(self, shape):
        """The shape in the proved equalities' representatives."""
        if shape is None:
            return None
        out = []
        for d in shape:
            if isinstance(d, _Broadcast):
                d = _Broadcast(self.find(x) for x in d)
                d = next(iter(d)) if len(d) == 1 else d
            out.append(self.find(d))
        return tuple(out)

    def broadcast(self, a, b):
        if a is None or b is None:
            return None
        a, b = self.canon(a), self.canon(b)
        if not self.long:
            return _broadcast(a, b)
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        out = []
        for x, y in zip(a, b):
            lx, ly = self.is_long(x), self.is_long(y)
            if lx and ly and x != y:  # neither is 1, and the broadcast ran: they are equal
                self.prove_equal(x, y)
            out.append(x if lx else y if ly else _bdim(x, y))
        return self.canon(tuple(out))

    def equal(self, a, b):
        return a is not None and b is not None and self.canon(a) == self.canon(b)

    def is_long(self, d):
        """Is axis length ``d`` known not to be 1?  A broadcast length with such a member is
        that member's length (the others are 1 there, or equal to it)."""
        if isinstance(d, _Broadcast):
            return any(self.is_long(x) for x in d)
        d = self.find(d)
        return any(self.find(x) == d for x in self.long)

    def all_long(self, shape):
        return shape is not None and len(shape) > 0 and all(self.is_long(d) for d in shape)

    def prove_equal(self, a, b):
        """Two axis lengths are equal from here on (a product ran).  A broadcast length is a
        value too (its members' broadcast), and a literal 1 stays the representative."""
        (a,), (b,) = self.canon((a,)), self.canon((b,))
        if not self.proving or a == b or (isinstance(a, int) and isinstance(b, int)):
            return
        if isinstance(a, int):
            a, b = b, a
        self.same[a] = b

    # ---- expressions ---------------------------------------------------------------------
    def info(self, e):
        """(shape, float) of expression ``e``; shape None when not known."""
        c = e.__class__
        if c is ast.Constant:
            v = e.value
            return ((), True) if v.__class__ is float else ((), False) \
                if v.__class__ is int else _UNKNOWN
        if c is ast.Name:
            return _UNKNOWN if e.id in self.volatile else self.env.get(e.id, _UNKNOWN)
        if c is ast.UnaryOp:
            return self.info(e.operand) if isinstance(e.op, (ast.USub, ast.UAdd)) else _UNKNOWN
        if c is ast.BinOp:
            return self.binop(e)
        if c is ast.Compare and len(e.comparators) == 1:  # a bool array of the shapes broadcast
            return self.broadcast(self.info(e.left)[0], self.info(e.comparators[0])[0]), False
        if c is ast.Attribute:
            s, f = self.info(e.value)
            if e.attr == "T" and s is not None:
                return tuple(reversed(s)), f
            if e.attr in ("size", "ndim"):
                return (), False
            return _UNKNOWN
        if c is ast.Subscript:
            v = e.value
            if isinstance(v, ast.Attribute) and v.attr == "shape":
                return (), False
            return _UNKNOWN
        if c is ast.Call:
            return self.call(e)
        return _UNKNOWN

    def binop(self, e):
        (sa, fa), (sb, fb) = self.info(e.left), self.info(e.right)
        if isinstance(e.op, ast.MatMult):
            if sa is None or sb is None:
                return _UNKNOWN
            ra, rb = len(sa), len(sb)
            if (ra, rb) == (2, 2):
                self.prove_equal(sa[1], sb[0])
                return (sa[0], sb[1]), fa or fb
            if (ra, rb) == (2, 1):
                self.prove_equal(sa[1], sb[0])
                return (sa[0],), fa or fb
            if (ra, rb) == (1, 2):
                self.prove_equal(sa[0], sb[0])
                return (sb[1],), fa or fb
            return _UNKNOWN
        if isinstance(e.op, _ARITH):
            return self.broadcast(sa, sb), fa or fb or isinstance(e.op, ast.Div)
        return _UNKNOWN

    def shape_arg(self, a):
        """The shape an allocation's argument gives: ``x.shape``, ``x.shape[k]``, a tuple."""
        if isinstance(a, ast.Attribute) and a.attr == "shape":
            return self.info(a.value)[0]
        if isinstance(a, ast.Subscript) and isinstance(a.value, ast.Attribute) \
                and a.value.attr == "shape":
            s = self.info(a.value.value)[0]
            k = _axis(a.slice, len(s)) if s is not None else None
            return None if k is None else (s[k],)
        if isinstance(a, ast.Tuple):
            parts = [self.shape_arg(x) for x in a.elts]
            if any(p is None or len(p) != 1 for p in parts):
                return None
            return tuple(p[0] for p in parts)
        return None

    def call(self, e):
        fn = _fn(e)
        if fn is None:
            return _UNKNOWN
        mod, name = fn
        args = e.args
        if e.keywords or any(isinstance(a, ast.Starred) for a in args):
            return _UNKNOWN
        info = [self.info(a) for a in args]
        if mod == "np" and len(args) == 1 and name in _FLOAT_UFUNCS:
            return info[0][0], True
        if mod == "np" and len(args) == 1 and name in _SAME_UFUNCS | _LIKE:
            return info[0]
        if mod == "np" and name in _BINARY and len(args) == 2:
            return self.broadcast(info[0][0], info[1][0]), info[0][1] or info[1][1]
        if mod == "np" and name == "where" and len(args) == 3:
            return (self.broadcast(self.broadcast(info[0][0], info[1][0]), info[2][0]),
                    info[1][1] or info[2][1])
        if mod == "np" and name == "full_like" and len(args) == 2:
            return info[0][0], info[0][1] and info[1][0] == ()
        if mod == "np" and name in ("empty", "zeros", "ones") and len(args) == 1:
            return self.shape_arg(args[0]), True
        if mod == "np" and name == "expand_dims" and len(args) == 2 and info[0][0] is not None:
            s = info[0][0]
            k = _axis(args[1], len(s) + 1)
            return (_UNKNOWN if k is None else (s[:k] + (1,) + s[k:], info[0][1]))
        if mod == "math":
            return (), True
        if mod == "" and name in _REDUCE and len(args) == 2 and info[0][0] is not None:
            s = info[0][0]
            k = _axis(args[1], len(s))
            return _UNKNOWN if k is None else (s[:k] + s[k + 1:], info[0][1] or name == "mean_axis")
        if mod == "" and name in ("unbroadcast", "reshape_as") and len(args) == 2:
            return info[1][0], True
        if mod == "" and name == "expand_axis" and len(args) == 3:
            return info[1][0], info[0][1]  # (g spread to x's shape)
        if mod == "" and name == "extremum_mask_axis" and len(args) == 3:
            return info[0][0], True  # (x's shape: where x holds its extremum along the axis)
        if mod == "" and name == "empty_broadcast" and len(args) == 2:
            return self.broadcast(info[0][0], info[1][0]), True
        if mod == "" and name == "outer" and len(args) == 2:
            (sa, fa), (sb, fb) = info
            ok = sa is not None and sb is not None and len(sa) == len(sb) == 1
            return ((sa[0], sb[0]), fa or fb) if ok else _UNKNOWN
        if mod == "np" and name == "copy" and len(args) == 1:
            return info[0]
        if mod not in ("", "np", "math") and name == "copy" and not args:
            return self.info(e.func.value)
        return _UNKNOWN

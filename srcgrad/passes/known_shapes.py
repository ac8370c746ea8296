"""Shapes known from the code: drop the broadcasts' sums that sum nothing, and the zeros an
adjoint starts from when its first addition has its shape.

    bp = np.zeros_like(p)                        bp = -bt / n * Y / p
    bp += -bt / n * Y / p                 ->     ...
    bp = unbroadcast(bp / _t5, p)                bp = bp / _t5
    bW = np.zeros_like(W)                        bW = X.T @ blogits
    bW += X.T @ blogits

Every array gets symbolic axis lengths (passes/shape_symbols.py: a parameter's own, an
elementwise result's its operands' broadcast, a product's inner lengths proved equal).
``unbroadcast(g, x)`` is ``g`` when the two shapes are the same symbols; ``bx =
np.zeros_like(x)`` followed in the same block by ``bx += e`` (nothing reading ``bx`` in
between) is ``bx = e`` when ``e`` is a new float array of x's shape; sums to and spreads from
axes of length 1 are NumPy's own where the shapes allow (passes/keepdims.py).  All
happen only where the shapes are proved; anything unknown stays as it was.  Generated code
then compiles faster (fewer helpers and array expressions for Numba to type and lower) and
runs faster (one array fewer to fill and add).

Facts hold from the statement that makes them: a loop's body starts from what is true before
the loop minus the names it assigns, and a branch's facts and equalities end with it.
"""
import ast

from . import keepdims
from .shape_symbols import (_BINARY, _FLOAT_UFUNCS, _LIKE, _REDUCE, _SAME_UFUNCS, _UNKNOWN,
                            Shapes, _Broadcast, _fn)
from .walk import nodes
from ..kinds import is_array, is_float, is_scalar, ndim

_MAY_NOT_RUN = (ast.IfExp, ast.BoolOp, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                ast.GeneratorExp)


def _assigned(stmts):
    out = set()
    for st in stmts:
        for n in nodes(st):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                out.add(n.id)
            elif isinstance(n, (ast.Global, ast.Nonlocal)):
                out.update(n.names)
    return out


class _Rewrite(Shapes):
    """Expressions rewritten bottom-up with what the shapes prove."""

    def rewrite(self, e):
        """``e`` with ``unbroadcast(g, x)`` of equal shapes replaced by ``g`` (bottom-up).  A
        product inside a branch of ``a if c else b``, ``and``/``or``, a comprehension or a
        lambda may not run: it proves nothing."""
        saved = self.proving
        if isinstance(e, _MAY_NOT_RUN):
            self.proving = False
        for f in e._fields:
            v = getattr(e, f, None)
            if isinstance(v, list):
                for k, x in enumerate(v):
                    if isinstance(x, ast.expr):
                        v[k] = self.rewrite(x)
            elif isinstance(v, ast.expr):
                setattr(e, f, self.rewrite(v))
        self.proving = saved
        if isinstance(e, (ast.Lambda, ast.NamedExpr)):
            return e
        if isinstance(e, ast.Call) and _fn(e) == ("", "unbroadcast") and len(e.args) == 2 \
                and not e.keywords:
            (sg, fg), (sx, _) = self.info(e.args[0]), self.info(e.args[1])
            if fg and sg and (self.equal(sg, sx) or self.all_long(sx) and len(sg) == len(sx)):
                return e.args[0]  # (g is x broadcast with something: x's lengths, none 1)
        if isinstance(e, ast.Call):
            return keepdims.simpler_call(self, e)
        if isinstance(e, ast.BinOp):
            return keepdims.simpler_binop(self, e)
        return e


def _fresh(e):
    """Does ``e`` make a new array (never a view or one of its operands)?"""
    if isinstance(e, ast.BinOp):
        return True  # arithmetic of arrays makes a new one (of numbers: not an array at all)
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        return True
    if isinstance(e, ast.Call):
        fn = _fn(e)
        if fn is None:
            return False
        mod, name = fn
        if mod == "np":
            return name in _FLOAT_UFUNCS | _SAME_UFUNCS | _LIKE | _BINARY | {
                "full_like", "zeros", "ones", "copy", "where"}
        if mod == "":
            return name in _REDUCE | {"expand_axis", "extremum_mask_axis", "outer"} or (
                name == "unbroadcast" and len(e.args) == 2 and _fresh(e.args[0]))
        return name == "copy" and not e.args
    return False


def _zeros_like(st):
    """``bx = np.zeros_like(x)``: (bx, the node x) else None."""
    if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
        v = st.value
        if isinstance(v, ast.Call) and _fn(v) == ("np", "zeros_like") and len(v.args) == 1 \
                and not v.keywords:
            return st.targets[0].id, v.args[0]
    return None


def _reads(st, name):
    return any(isinstance(n, ast.Name) and n.id == name for n in nodes(st))


class _Walk(_Rewrite):
    def block(self, stmts):
        out, pending = [], {}  # pending: adjoint -> (its zeros statement, shape, float)
        for st in stmts:
            first = self.first_addition(st, pending)
            if first is not None:
                init = pending.pop(first)
                out.remove(init[0])
                new = ast.copy_location(ast.Assign([ast.Name(first, ast.Store())], st.value, None), st)
                for a in ("grad_of", "tangent_of"):
                    if hasattr(st, a):
                        setattr(new, a, getattr(st, a))
                st = new
            else:
                for v in [v for v in pending if _reads(st, v)]:
                    del pending[v]
            st = self.stmt(st)
            out.append(st)
            z = _zeros_like(st)
            if z is not None:
                s, f = self.info(z[1])
                if s and f:
                    pending[z[0]] = (st, s)
        return out

    def first_addition(self, st, pending):
        """The adjoint whose zeros ``st`` (``bx += e``) is the first to add to, when ``e`` is
        a new float array of its shape that does not read it; else None."""
        if not (isinstance(st, ast.AugAssign) and isinstance(st.op, ast.Add)
                and isinstance(st.target, ast.Name) and st.target.id in pending):
            return None
        v = st.target.id
        if _reads(st.value, v) or not _fresh(st.value):
            return None
        st.value = self.rewrite(st.value)
        s, f = self.info(st.value)
        return v if f and self.equal(s, pending[v][1]) and _fresh(st.value) else None

    def stmt(self, st):
        c = st.__class__
        if c is ast.Assign:
            st.value = self.rewrite(st.value)
            i = self.info(st.value)
            for t in st.targets:
                for n in nodes(t):
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                        if t.__class__ is ast.Name and i[0] is not None:
                            self.env[n.id] = i
                        else:
                            self.forget([n.id])
                if isinstance(t, ast.Subscript):
                    self.rewrite(t)
            return st
        if c is ast.AugAssign:
            st.value = self.rewrite(st.value)
            if isinstance(st.target, ast.Name) and isinstance(st.op, (ast.Add, ast.Sub)):
                s, f = self.info(ast.Name(st.target.id, ast.Load()))
                spread = keepdims.spread(self, st.value, s) if f else None
                st.value = st.value if spread is None else spread
            if isinstance(st.target, ast.Name):
                old = self.env.get(st.target.id, _UNKNOWN)
                if not (old[0] and len(old[0]) >= 1):  # an array's += is in place
                    self.env[st.target.id] = self.info(
                        ast.BinOp(ast.Name(st.target.id, ast.Load()), st.op, st.value))
            return st
        if c in (ast.For, ast.While, ast.AsyncFor):
            inside = _assigned([st])
            self.forget(inside)
            if c is not ast.While:
                st.iter = self.rewrite(st.iter)
            saved = dict(self.env), dict(self.same)
            st.body = self.block(st.body)
            kept = self.invariant(st, inside)
            self.env, self.same = dict(saved[0]), dict(saved[1])
            self.forget(inside)
            st.orelse = self.block(st.orelse)
            self.env, self.same = saved
            self.forget(inside)
            self.env.update(kept)
            return st
        if c is ast.If:
            st.test = self.rewrite(st.test)
            saved = dict(self.env), dict(self.same)
            st.body = self.block(st.body)
            self.env, self.same = dict(saved[0]), dict(saved[1])
            st.orelse = self.block(st.orelse)
            self.env, self.same = saved
            self.forget(_assigned([st]))
            return st
        if c in (ast.Expr, ast.Return) and st.value is not None:
            st.value = self.rewrite(st.value)
            return st
        # anything else (with, try, nested definitions, deletions): forget what it assigns
        self.forget(_assigned([st]))
        return st

    def invariant(self, loop, inside):
        """What the end of ``loop``'s body (just walked) says of the names only it assigns,
        true after the loop too: the shapes made of parameters' axis lengths alone (the same
        at every step's end; a name no other statement assigns is unbound after no step).
        Nothing for a loop that may leave its body early or has an ``else``."""
        if loop.orelse or any(isinstance(n, (ast.Break, ast.Continue)) for n in nodes(loop)):
            return {}
        stores = _stores(loop)
        kept = {}
        for v in inside:
            shape, is_f = self.env.get(v, _UNKNOWN)
            if shape and v not in self.params and stores.get(v) == self.stores.get(v) \
                    and all(_parameters_only(d) for d in shape):
                kept[v] = (shape, is_f)
        return kept


def _stores(tree):
    out = {}
    for n in nodes(tree):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            out[n.id] = out.get(n.id, 0) + 1
    return out


def _parameters_only(d):
    """Is axis length ``d`` a parameter's (``"W.shape[0]"``) or the literal 1, never a value's
    the walk made a symbol for (``"h#3[0]"``)?"""
    if isinstance(d, _Broadcast):
        return all(_parameters_only(x) for x in d)
    return isinstance(d, int) or "#" not in d


def simplify(fn, kind_of, long_axes=()):
    """Rewrite ``fn`` (a generated FunctionDef) in place, as above; returns it.  ``kind_of``:
    a parameter's name -> its kind (or None), for its rank and dtype; ``long_axes``: the
    parameters' axes (``"W.shape[0]"``) the call's arguments have of a length other than 1
    (the code is then specialized for that)."""
    env = {}
    for a in fn.args.args:
        k = kind_of(a.arg)
        if is_array(k):
            env[a.arg] = (tuple(f"{a.arg}.shape[{i}]" for i in range(ndim(k))), is_float(k))
        elif is_scalar(k):
            env[a.arg] = ((), is_float(k))
    volatile = set()
    for n in nodes(fn):
        if isinstance(n, ast.NamedExpr):
            volatile.add(n.target.id)
        elif isinstance(n, ast.comprehension):  # a name of its own scope
            volatile |= {x.id for x in nodes(n.target) if isinstance(x, ast.Name)}
        elif isinstance(n, (ast.FunctionDef, ast.Lambda)) and n is not fn:
            volatile |= _assigned([n]) | {x.id for x in nodes(n) if isinstance(x, ast.Name)}
    walk = _Walk(env, volatile, kind_of, long_axes)
    walk.params, walk.stores = {a.arg for a in fn.args.args}, _stores(fn)
    fn.body = walk.block(fn.body)
    return fn

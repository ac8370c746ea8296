"""Clean-up, index checks: an array index that the ``range`` loops around it run over is
checked once, where the outermost of those loops begins, and the function is then compiled
without Numba's check at every access (``boundscheck``).

    for k in range(K):                          if min(K, D) > 0:
        for d in range(D):              ->          check_span(0, K - 1, qs.shape[0])
            z = qs[k, d] * x[i, d]                  check_span(0, D - 1, qs.shape[1])
                                                for k in range(K):
                                                    for d in range(D):
                                                        z = qs[k, d] * x[i, d]

(``x[i, d]`` is checked too, unless the code shows ``D`` is ``x.shape[1]``.)  A check is
exact: it raises exactly when some access below it would, since the loops run every step
of their ranges (no ``break``, ``continue``, ``return`` or ``raise`` in them) and nothing in
the index or the array's shape changes inside them.  An index is hoisted past a loop only
then; otherwise its check stays just before its statement.

All or nothing: the function compiles without Numba's checks only if every array index in
it is an integer that is a sum of loop variables (times whole numbers), integer names and
whole numbers, read outside conditional expressions, and checked outside every loop or where
a loop it is hoisted past begins; one other index (``x[idx[j]]``, an index array,
``x[i][j]``, an index in a loop that may end early) and the whole function keeps Numba's
checks, unchanged.  Checks before plain statements that bind none of their names move up
past them (within the adjoint of one line), so that those of one stretch stand together.  Lists
and tuples are checked by Numba whatever the option.  A function with ``prange`` keeps them.
The generated source then says so in its first line (backend/compile.py reads it there).
"""
import ast

from ..backend.compile import UNCHECKED
from ..backend.emit import _MARK, comment
from .clone import clone
from .index_math import Shapes, greater, linear, plus, times, total, whole
from .types import _Infer
from .walk import names, nodes, stores

MARK = UNCHECKED  # (the line backend/compile.py looks for)
_INT = ("s", "i")
_PLAIN = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Pass)


class _Bail(Exception):
    """An index this pass cannot prove: the function keeps Numba's checks."""


def hoist(fdef, kinds):
    """``fdef`` with its index checks hoisted and the marker comment first, or ``fdef``
    unchanged (and False) when some index cannot be checked this way."""
    if any(isinstance(n, ast.Name) and n.id == "prange" for n in nodes(fdef)):
        return fdef, False
    env = dict(kinds)
    infer = _Infer(env)
    for _ in range(2):  # (a name a loop sets late is known the second time)
        try:
            infer.block(fdef.body)
        except Exception:  # noqa: BLE001 -- kinds this pass cannot read: keep the checks
            return fdef, False
    try:
        plan = _Plan(fdef, env, infer.expr)
        plan.block(fdef.body, [])
    except _Bail:
        return fdef, False
    if not plan.seen:
        return fdef, False
    for block, at, stmts in sorted(plan.inserts(), key=lambda t: -t[1]):
        block[at:at] = stmts
    fdef.body.insert(0, comment(MARK))
    return fdef, True


def _leaves_early(loop):
    return any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Raise, ast.Yield,
                              ast.Try, ast.With))
               for s in loop.body for n in ast.walk(s))


def _range_of(loop):
    """(lo, hi, nonempty) of a ``for v in range(...)`` with step 1 or -1, the variable's
    least and greatest values as expressions, or None."""
    it = loop.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
            and not it.keywords and 1 <= len(it.args) <= 3 and isinstance(loop.target, ast.Name)
            and not loop.orelse):
        return None
    a = it.args
    if len(a) == 3:
        step = whole(a[2])
        if step == -1:  # a, a - 1, ..., b + 1
            return plus(a[1], 1), clone(a[0]), greater(a[0], a[1])
        if step != 1:
            return None
    lo, hi = (ast.Constant(0), a[0]) if len(a) == 1 else (a[0], a[1])
    return clone(lo), plus(hi, -1), greater(hi, lo)


class _Plan:
    def __init__(self, fdef, env, kind_of):
        self.env, self.kind_of = env, kind_of
        self.seen = 0
        self.depth = 0     # loops around the statement being read
        self.loops = {}    # id(loop) -> loop_facts
        self.bound = {}    # id(plain statement) -> the names it binds
        self.checks = {}   # (id(block), index) -> [block, index, [(conds, lo, hi, n)]]
        self.shapes = Shapes(fdef)

    # ---- walking the statements, with the loops around each ----------------------------
    def block(self, stmts, around):
        for i, s in enumerate(stmts):
            where = (stmts, i)
            if isinstance(s, ast.For):
                if not isinstance(s.target, (ast.Name, ast.Tuple)) or _subscripts_of(s.target):
                    raise _Bail
                self.exprs([s.iter], around, where, s)
                self.depth += 1
                self.block(s.body, around + [(s, stmts, i)])
                self.depth -= 1
                self.block(s.orelse, [])
            elif isinstance(s, ast.If):
                self.exprs([s.test], around, where, s)
                self.block(s.body, [])
                self.block(s.orelse, [])
            elif isinstance(s, ast.While):
                if _subscripts_of(s.test):
                    raise _Bail
                self.depth += 1
                self.block(s.body, [])
                self.depth -= 1
                self.block(s.orelse, [])
            elif isinstance(s, (ast.Try, ast.With, ast.FunctionDef, ast.ClassDef,
                                ast.AsyncFor, ast.AsyncWith, ast.AsyncFunctionDef)):
                raise _Bail
            else:
                self.exprs([s], around, where, s)

    def exprs(self, roots, around, where, stmt):
        for root in roots:
            for sub, conditional in _subscripts(root):
                if conditional:
                    raise _Bail
                self.subscript(sub, around, where, stmt)

    # ---- one access -------------------------------------------------------------------
    def subscript(self, sub, around, where, stmt):
        base = sub.value
        if getattr(sub, "in_bounds", False):
            return  # a stack of saves at its count (passes/step_stacks.py)
        k = self.kind_of(base)
        if k is not None and k[0] in ("l", "t"):
            return  # Numba checks lists and tuples itself
        if isinstance(base, ast.Attribute) and base.attr == "shape":
            return  # a tuple
        if k is None or k[0] != "a" or not isinstance(base, ast.Name):
            raise _Bail
        elts = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
        axis = 0
        for e in elts:
            if isinstance(e, ast.Constant) and e.value is None:
                continue
            if isinstance(e, ast.Slice):
                axis += 1
                continue
            if isinstance(e, ast.Constant) and e.value is Ellipsis:
                raise _Bail
            if self.kind_of(e) != _INT:
                raise _Bail
            if axis >= k[1]:
                raise _Bail
            self.seen += 1
            self.obligation(base.id, axis, e, around, where, stmt)
            axis += 1

    def obligation(self, array, axis, e, around, where, stmt):
        lin = linear(e)
        if lin is None:
            raise _Bail
        coefs, atoms, const = lin
        for a in atoms:
            if self.kind_of(a) != _INT:
                raise _Bail
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            # (the right side runs first: what it binds must not be in the index)
            if stores(stmt) & (set(coefs) | {n.id for a in atoms for n in ast.walk(a)
                                              if isinstance(n, ast.Name)} | {array}):
                raise _Bail
        # hoist past the loops around, innermost first, while they allow it
        block, at = where
        loops = []  # (var, lo, hi, nonempty), outermost first
        for loop, outer_block, outer_at in reversed(around):
            r, early, stored = self.loop_facts(loop)
            if r is None or early:
                break
            var = loop.target.id
            if var in stored:  # (another loop inside sets it too)
                break
            inner_names = set()
            for v, lo, hi, _ in loops:
                inner_names |= names(lo) | names(hi)
            free = ({n.id for a in atoms for n in ast.walk(a) if isinstance(n, ast.Name)}
                    | {v for v in coefs if v not in {l[0] for l in loops} and v != var}
                    | inner_names | {array})
            if free & (stored | {var}):
                break
            loops.insert(0, (var, *r))
            block, at = outer_block, outer_at
        if not loops and self.depth:
            raise _Bail  # checked at every step anyway: Numba's own check reads better
        bounds = {v: (lo, hi) for v, lo, hi, _ in loops}
        lo_terms, hi_terms = [], []
        for v, c in coefs.items():
            if v in bounds:
                lo_v, hi_v = bounds[v]
                lo_terms.append(times(c, lo_v if c > 0 else hi_v))
                hi_terms.append(times(c, hi_v if c > 0 else lo_v))
            else:
                lo_terms.append(times(c, ast.Name(v, ast.Load())))
                hi_terms.append(times(c, ast.Name(v, ast.Load())))
        for a in atoms:
            lo_terms.append(clone(a))
            hi_terms.append(clone(a))
        lo, hi = total(lo_terms, const), total(hi_terms, const)
        n = ast.Subscript(ast.Attribute(ast.Name(array, ast.Load()), "shape", ast.Load()),
                          ast.Constant(axis), ast.Load())
        if self.known_inside(lo, hi, array, axis):
            return
        conds = tuple(c for _, _, _, c in loops)
        origin = block[at]
        # up past plain statements before it that bind none of its names: checks gather
        involved = names(lo) | names(hi) | {array} | set().union(*map(names, conds))
        for _ in range(64):  # (at most: a long stretch would make this quadratic)
            if not (at > 0 and isinstance(block[at - 1], _PLAIN)
                    and not _is_comment(block[at - 1]) and not (self.binds(block[at - 1]) & involved)
                    and getattr(block[at - 1], "grad_of", None) == getattr(origin, "grad_of", None)):
                break
            at -= 1
        entry = self.checks.setdefault((id(block), at), [block, at, [], origin])
        same = self.shapes.axis(array, axis)  # (bx's axes are x's: one check for both)
        key = ast.dump(ast.Tuple([ast.Tuple(list(conds), ast.Load()), lo, hi], ast.Load())) + \
            repr(same if same is not None else (array, axis))
        if key not in {k for k, _ in entry[2]}:
            entry[2].append((key, (conds, lo, hi, n)))

    def binds(self, st):
        out = self.bound.get(id(st))
        if out is None:
            out = self.bound[id(st)] = stores(st)
        return out

    def loop_facts(self, loop):
        """(its range, whether it may end early, the names its body binds), once a loop."""
        facts = self.loops.get(id(loop))
        if facts is None:
            facts = self.loops[id(loop)] = (_range_of(loop), _leaves_early(loop),
                                            stores(loop.body))
        return facts

    def known_inside(self, lo, hi, array, axis):
        """0 <= lo, and hi is L - c (c >= 1) for a length L the code shows is this axis's."""
        if not (whole(lo) is not None and whole(lo) >= 0):
            return False
        if not (isinstance(hi, ast.BinOp) and isinstance(hi.op, ast.Sub)
                and whole(hi.right) is not None and whole(hi.right) >= 1):
            return False
        length, n = self.shapes.length(hi.left), self.shapes.axis(array, axis)
        if length is None or n is None:
            return False
        if isinstance(n, tuple) and n[0] == "range":
            # n = max(0, L - start): 0 <= lo <= hi = L - c < L - start when c > start
            return n[1] == length and whole(hi.right) > n[2]
        return length == n

    def inserts(self):
        for block, at, checks, origin in self.checks.values():
            moved = origin is not block[at]
            stmts, by_conds = [], {}
            for _, (conds, lo, hi, n) in checks:
                by_conds.setdefault(ast.dump(ast.Tuple(list(conds), ast.Load())),
                                    (conds, []))[1].append(
                    ast.Expr(ast.Call(ast.Name("check_span", ast.Load()), [lo, hi, n], [])))
            for conds, calls in by_conds.values():
                stmts.extend(_if_all(conds, calls))
            for s in stmts:
                for a in ("origin",) if moved else ("origin", "grad_of", "tangent_of"):
                    if hasattr(origin, a):
                        setattr(s, a, getattr(origin, a))
                for n in ast.walk(s):
                    if isinstance(n, ast.stmt) and n is not s and hasattr(origin, "origin"):
                        n.origin = origin.origin
                ast.copy_location(s, origin)
            yield block, at, stmts


def _if_all(conds, body):
    """``body`` run when every condition holds: ``if min(N, K) > 0:`` when each is a length
    over 0, else one ``if`` inside another."""
    if not conds:
        return body
    if len(conds) > 1 and all(isinstance(c.ops[0], ast.Gt) and whole(c.comparators[0]) == 0
                              for c in conds):
        test = ast.Compare(ast.Call(ast.Name("min", ast.Load()), [clone(c.left) for c in conds],
                                    []), [ast.Gt()], [ast.Constant(0)])
        return [ast.If(test, body, [])]
    for c in reversed(conds):
        body = [ast.If(clone(c), body, [])]
    return body


def _is_comment(st):
    v = st.value if isinstance(st, ast.Expr) else None
    return isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == _MARK


def _subscripts(root):
    """(subscript, conditionally evaluated) of every subscript in an expression or simple
    statement, outside nested statements."""
    out = []

    def walk(n, cond):
        if isinstance(n, ast.Subscript):
            out.append((n, cond))
        if isinstance(n, ast.IfExp):
            walk(n.test, cond)
            walk(n.body, True)
            walk(n.orelse, True)
            return
        if isinstance(n, ast.BoolOp):
            walk(n.values[0], cond)
            for v in n.values[1:]:
                walk(v, True)
            return
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                          ast.GeneratorExp)):
            for c in ast.walk(n):
                if isinstance(c, ast.Subscript):
                    out.append((c, True))
            return
        for c in ast.iter_child_nodes(n):
            walk(c, cond)

    walk(root, False)
    return out


def _subscripts_of(e):
    return [s for s, _ in _subscripts(e)]

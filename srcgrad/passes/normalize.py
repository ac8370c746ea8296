"""Normalize: one operation per statement, calls made canonical, user functions inlined.

    s += math.sin(x[i]) * x[i + 1] ** 2        _t1 = x[i]
                                               _t2 = math.sin(_t1)
                                   ->          _t3 = x[i + 1]
                                               _t4 = _t3 ** 2
                                               _t5 = _t2 * _t4
                                               s = s + _t5

* every differentiable operation gets its own statement, tagged ``node.prim`` with the
  name of its row in the rule table (``sin``, ``mul``, ``getitem``...);
* integer bookkeeping stays whole: subscripts' indices, ``range`` bounds, ``len(x)``,
  ``x.shape[0]``, comparisons;
* ``x op= e`` becomes ``x = x op e``; ``a if c else b`` becomes an ``if`` statement;
  ``if`` tests are stored in a variable (the reverse sweep replays the decision);
* calls to other plain Python functions are inlined with their locals renamed ``g_x``;
* early returns, ``break`` and ``continue`` are removed first (passes/jumps.py);
* every statement keeps the location of the user's line it came from (``node.origin``).
"""
import ast

from ..errors import UnsupportedError
from ..frontend import loops
from ..frontend.aliases import kinds_decide
from ..frontend.check import constant_message, is_stack_literal
from ..frontend.source import _MISSING
from .along import AlongAxis
from .elementwise import Elementwise
from .calls import Calls
from .inline import Inlining
from .numpy_calls import NumpyCalls, ufunc_at
from .sequence_calls import SequenceCalls
from .sequences import Sequences
from .growing import Growing
from .walk import marked as _marked, place as _place, tag as _tag
from .clone import clone
from .constants import Constants, decided as _decided
from . import auto_parallel, dicts, slices
from .jumps import JumpRemover
from .keepwhole import KeepWhole, index_lists
from .names import NameGen, all_names, rename_reserved
from .walk import Origin
from .tuples import TupleParts
from .ufunc_methods import UfuncMethods
from .written_numpy import WrittenNumpy
from .dtypes import Dtypes
from .walk import nodes

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
           ast.Pow: "pow", ast.MatMult: "matmul", ast.Mod: "mod", ast.FloorDiv: "floordiv"}
_UNARY = {ast.USub: "neg", ast.UAdd: "pos"}


class Normalized:
    """The result: a FunctionDef in normal form, plus what later stages need."""

    def __init__(self, fdef, params, names, constants, origin_file):
        self.fdef = fdef
        self.params = params
        self.names = names              # NameGen holding every name in use
        self.constants = constants      # global names the code reads -> values
        self.origin_file = origin_file
        self.sites = {}                 # top-level calls of helpers: site -> atoms (calls.py)


def normalize(src, names=None, ranks=None, param_kinds=None, parallel=False, serial=(),
              call_checkpoints=()):
    """``ranks`` gives the operands' ranks at calls whose lowering depends on them
    (``np.tensordot``), keyed by call site; without it such a call is a placeholder that only
    the kinds pass reads, and ``rank_sites`` collects the ranks for a second normalization
    (srcgrad/pipeline.py, passes/einsum.py).  ``parallel``: top-level range loops whose steps
    are independent become prange loops (passes/auto_parallel.py), except those at the
    places ``serial``; ``serial_why`` then says why each other one stays serial.
    ``call_checkpoints``: the sites ("call", line, column) of top-level helper calls to
    checkpoint as ``srcgrad.checkpoint`` calls (a memory plan's choice)."""
    names = names or NameGen(all_names(src.tree))
    n = _Normalizer(src, names, prefix=None, constants={}, ranks=ranks)
    n.param_kinds = param_kinds  # isinstance() of a parameter (passes/constants.py)
    n.auto_parallel, n.serial = parallel and not src.internal, set(serial)
    n.call_checkpoints = set(call_checkpoints)
    fdef = n.function()
    out = Normalized(fdef, src.params, names, n.constants, src.filename)
    out.serial_why, out.sites = n.serial_why, n.sites
    return out


def _origin(src, node):
    line = src.lines[node.lineno - 1].strip() if 0 < node.lineno <= len(src.lines) else ""
    return Origin(line, src.filename, node.lineno)


class _Normalizer(TupleParts, Constants, Dtypes, Calls, Inlining, NumpyCalls, AlongAxis, Sequences,
                  SequenceCalls, Growing, Elementwise, UfuncMethods, WrittenNumpy):
    def __init__(self, src, names, prefix, constants, depth=0, tuples=None, ranks=None,
                 local_fns=None, captured=None):
        self.src, self.names, self.prefix, self.constants = src, names, prefix, constants
        self.ranks = ranks  # call site -> operand ranks (normalize())
        self.local_fns = dict(local_fns or {})  # nested defs and lambdas in scope: name -> def
        self.captured = captured or {}  # a nested function's reads of the enclosing locals
        self.fn_args = {}  # parameters given a lambda or nested def: name -> (def, captured)
        self.param_kinds = None
        self.depth = depth
        self.tuples = {} if tuples is None else tuples  # tuple variable -> its element names
        self.locals = set(src.params) | {
            t.id for t in nodes(src.tree) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        self.rename = {}
        self.origin = ""
        self.loc_node = src.tree
        self.auto_parallel, self.serial, self.serial_why = False, set(), {}
        self.site = None  # a helper inlined at a top-level call: that call's site (walk.Origin)
        self.sites = {}   # top-level calls inlined: site -> their argument and result atoms
        self.call_checkpoints = set()  # top-level calls a memory plan checkpoints: sites

    # ---- entry --------------------------------------------------------------------------------
    def function(self, bind=None):
        """Normalize the function; with ``bind`` (param -> atom) produce an inlinable body."""
        fdef = self.src.tree
        local = loops.local_functions(fdef.body)
        if local:  # nested defs and lambdas: inlined at their calls, not statements
            self.local_fns.update(local)
            fdef = ast.copy_location(ast.FunctionDef(
                name=fdef.name, args=fdef.args, decorator_list=[], returns=None,
                type_comment=None, body=[s for s in fdef.body if not (
                    isinstance(s, ast.FunctionDef) or (isinstance(s, ast.Assign)
                                                       and isinstance(s.value, ast.Lambda)))]),
                fdef)
            self.locals -= set(local)
        body = dicts.rewrite(self, slices.rewrite(self, JumpRemover(self.names).function(fdef)))
        self.locals |= {t.id for s in body for t in nodes(s)
                        if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        if self.prefix is None and not self.src.internal:
            rename_reserved(self)
        if self.prefix is not None:
            for v in sorted(self.locals):
                if bind and v in bind and isinstance(bind[v], ast.Name) and not self._rebinds(v):
                    self.rename[v] = bind[v].id
                else:
                    self.rename[v] = self.names.exact_or_fresh(f"{self.prefix}_{v}")
        out = []
        if bind:
            for p in self.src.params:
                if getattr(bind[p], "id", None) in self.tuples:
                    if self.rename[p] != bind[p].id:  # a tuple argument: its own elements
                        self.bind_tuple(self.rename[p], self.elements(bind[p]), out, fdef)
                        self.keep_keys(self.rename[p], bind[p])
                elif self.rename[p] != getattr(bind[p], "id", None):
                    out.append(self._assign(self.rename[p], bind[p], fdef))
        for s in body:
            self.stmt(s, out)
        if not out or not isinstance(out[-1], ast.Return):
            out.append(_tag(ast.copy_location(ast.Return(ast.Constant(None)), fdef), ""))
        new = ast.FunctionDef(name=fdef.name, args=fdef.args, body=out, decorator_list=[],
                              returns=None, type_comment=None)
        ast.copy_location(new, fdef)
        return new

    def _rebinds(self, v, own_scope=False):
        """Does the function bind ``v`` anywhere in its body; with ``own_scope``, in its own
        scope only (not as a comprehension's variable or a nested def's local)?"""
        inner = set()
        for n in ast.walk(self.src.tree) if own_scope else ():
            if isinstance(n, ast.comprehension):
                inner |= {id(t) for t in ast.walk(n.target)}
            elif isinstance(n, (ast.FunctionDef, ast.Lambda)) and n is not self.src.tree:
                inner |= {id(t) for t in ast.walk(n)}
        return any(isinstance(t, ast.Name) and t.id == v and isinstance(t.ctx, ast.Store)
                   and id(t) not in inner for t in nodes(self.src.tree))

    def alias_checks(self):
        """Writes that share memory with a name read later only if a name holds an array:
        the statement's place -> (that name, the problem); the kinds stage decides.  (Keyed by
        place, not identity: the slice and dict passes rewrite copies of the statements.)"""
        if not hasattr(self, "_alias_checks"):
            self._alias_checks = {_place(n): (c, problem) for n, c, problem in
                                  kinds_decide(self.src, helper=self.prefix is not None)}
        return self._alias_checks

    # ---- helpers ------------------------------------------------------------------------------
    def fail(self, node, construct, hint):
        raise UnsupportedError([self.src.problem(node, construct, hint)])

    def name(self, v):
        return self.rename.get(v, v)

    def temp(self):
        return self.names.fresh("_t")

    def _assign(self, target, value, like):
        tgt = ast.Name(target, ast.Store()) if isinstance(target, str) else target
        return _tag(ast.copy_location(ast.Assign([tgt], value), like), self.origin)

    def emit(self, out, target, value):
        out.append(self._assign(target, value, self.loc_node))

    # ---- statements ---------------------------------------------------------------------------
    def stmt(self, s, out):
        n = len(out)
        self._stmt(s, out)
        if _place(s) in self.alias_checks() and len(out) > n:
            cond, problem = self.alias_checks()[_place(s)]
            out[-1].alias_check = (self.name(cond), problem)

    def _stmt(self, s, out):
        self.origin, self.loc_node = _origin(self.src, s), s
        self.origin.site = self.site
        if isinstance(s, ast.Assign):
            if self.list_by_loop(s, out):  # l = [... for i in range(n)], list(x)
                return
            value = s.value
            for t in s.targets[:-1]:
                self.assign(t, value, out)
                value = t
            self.assign(s.targets[-1], value, out)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.assign(s.target, s.value, out)
        elif isinstance(s, ast.AugAssign):
            load = _as_load(s.target)
            self.assign(s.target, ast.copy_location(ast.BinOp(load, s.op, s.value), s), out)
        elif isinstance(s, ast.Expr):
            v = s.value
            if isinstance(v, ast.Constant):
                return  # docstring
            if ufunc_at(v, self.src.resolve) is not None:
                self.add_at(v, out)
                return
            if self.src.internal and isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) \
                    and v.func.attr == "append":  # a push onto a stack of generated code
                st = self.name(v.func.value.id)
                push = ast.Expr(ast.Call(ast.Attribute(ast.Name(st, ast.Load()), "append", ast.Load()),
                                         [self.atom(v.args[0], out)], []))
                push.push = st
                out.append(_tag(ast.copy_location(push, s), self.origin))
                return
            if not self.src.internal and isinstance(v, ast.Call) \
                    and isinstance(v.func, ast.Attribute) and v.func.attr == "append" \
                    and isinstance(v.func.value, ast.Name):  # lst.append(h): a longer tuple
                self.list_append(v, out)
                return
            if isinstance(v, ast.Call) and self.src.resolve(v.func) is print:
                out.append(_tag(ast.copy_location(ast.Expr(self.keep(v, out)), s), self.origin))
                return
            self.flat(v, out)  # a call for its effect (inlined user function)
        elif isinstance(s, ast.If):
            test = _decided(self.keep(s.test, out))
            if isinstance(test, bool):  # isinstance() of a parameter: one branch is taken
                out.extend(self.block(s.body if test else s.orelse))
                return
            if not isinstance(test, ast.Name):
                c = self.names.fresh("_cond")
                self.emit(out, c, test)
                test = ast.Name(c, ast.Load())
            origin = self.origin
            body, orelse = self.block(s.body), self.block(s.orelse)
            out.append(_tag(ast.copy_location(ast.If(test, body or [ast.Pass()], orelse), s), origin))
        elif isinstance(s, ast.For) and self._unreversed(s) is not s:
            self.stmt(self._unreversed(s), out)
        elif isinstance(s, ast.For) and not loops.is_range(s.iter, self._resolve_global):
            self.sequence_loop(s, out)
        elif isinstance(s, ast.For):
            parallel = s if loops.is_prange(s.iter, self._resolve_global) else None
            self.grow_lists(s.body, out, parallel)  # lists it appends to: rows (growing.py)
            it = s.iter
            args = [self.keep(a, out) for a in it.args]
            origin = self.origin
            header = "prange" if loops.is_prange(it, self._resolve_global) else "range"
            candidate = header == "range" and self.auto_parallel and self.depth == 0 \
                and not getattr(self, "loop_depth", 0) and _place(s) not in self.serial
            new = ast.For(ast.Name(self.name(s.target.id), ast.Store()),
                          ast.copy_location(ast.Call(ast.Name(header, ast.Load()), args, []), it),
                          self.loop_block(s.body), [], None)
            if candidate:  # grad(f, parallel=True): prange if its steps are independent
                why = auto_parallel.forward_problem(new)
                if why is None:
                    new.iter.func.id = "prange"
                    new.auto_parallel = _place(s)
                else:
                    self.serial_why[_place(s)] = why
            out.append(_tag(ast.copy_location(new, s), origin))
            self.last_loop_value(s, args, out, origin)
        elif isinstance(s, ast.While):
            self.grow_lists([s], out)
            pre = []
            test = self.keep(s.test, pre)
            origin = self.origin
            if pre:
                # the test needs statements: evaluate them before the loop and at the end of
                # every iteration, so each iteration runs its body to the end
                c = self.names.fresh("_cond")
                pre.append(self._assign(c, test, s))
                out.extend(pre)
                body = self.loop_block(s.body) + pre_copy(pre)
                test = ast.Name(c, ast.Load())
            else:
                body = self.loop_block(s.body)
            out.append(_tag(ast.copy_location(ast.While(test, body, []), s), origin))
        elif isinstance(s, ast.Return):
            value = s.value if s.value is not None else ast.Constant(None)
            if isinstance(value, ast.Tuple):
                atom = ast.Tuple([self.atom(e, out) for e in value.elts], ast.Load())
            else:
                atom = self.atom(value, out)
                if self.elements(atom) is not None:  # a tuple variable: its elements
                    atom = ast.Tuple(self.elements(atom), ast.Load())
            out.append(_tag(ast.copy_location(ast.Return(atom), s), self.origin))
        elif isinstance(s, (ast.Break, ast.Pass)):
            if isinstance(s, ast.Break):
                out.append(_tag(s, self.origin))
        elif isinstance(s, (ast.Assert, ast.Raise)):
            exc = s.exc if isinstance(s, ast.Raise) else None
            if isinstance(exc, ast.Call):  # a global message: its value (frontend/check.py)
                exc.args = [constant_message(self.src, a) or a for a in exc.args]
            out.append(_tag(_RenameLoads(self).visit(s), self.origin))
        else:  # the check stage rejects everything else; this is a safety net
            self.fail(s, type(s).__name__, "this statement is outside the supported subset.")

    def block(self, stmts):
        out = []
        for s in stmts:
            self.stmt(s, out)
        return out

    def assign(self, target, value, out):
        if isinstance(target, ast.Name) and target.id in self.growing():
            if not isinstance(value, ast.List):
                self.fail(target, f"{target.id} holds a list that grows in a loop and "
                          f"{ast.unparse(value)} here", "give the other value its own name.")
            self.restart_rows(target.id, [self.atom(e, out) for e in value.elts], out)
            return
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                and target.value.id in self.growing():
            self.fail(target, f"a write into {target.value.id}, a list that grows in a loop",
                      "build a new list, or write into an array (np.zeros(n)).")
        if isinstance(target, ast.Name):
            if isinstance(value, ast.List) and not self.src.internal:  # hs = [a, b]: a tuple
                value = ast.copy_location(ast.Tuple(value.elts, ast.Load()), value)
            expr = self.flat(value, out)
            elts = self.elements(expr)
            if elts is not None:
                self.bind_tuple(self.name(target.id), elts, out, target)
                self.keep_keys(self.name(target.id), expr)
                return
            if self.name(target.id) in self.tuples:
                self.fail(target, f"{target.id} holds a tuple elsewhere and "
                          f"{ast.unparse(value)} here", "give the tuple its own name.")
            self.emit(out, self.name(target.id), expr)
        elif isinstance(target, ast.Subscript) and self.name(target.value.id) in self.tuples:
            self.set_item(target, value, out)  # hs[0] = v, of a list held as its elements
        elif isinstance(target, ast.Subscript):
            atom = self.atom(value, out)
            tgt = ast.Subscript(ast.Name(self.name(target.value.id), ast.Load()),
                                self.keep(index_lists(target.slice), out), ast.Store())
            self.emit(out, tgt, atom)
        elif isinstance(target, ast.Tuple):
            self.assign_tuple(target, value, out)
        else:
            self.fail(target, "assignment target " + ast.unparse(target),
                      "assign to a variable, an array element or a slice.")

    # ---- expressions --------------------------------------------------------------------------
    def atom(self, e, out):
        """Reduce ``e`` to a name or a constant, emitting statements for its operations."""
        r = self.flat(e, out)
        if _is_atom(r):
            return r
        t = self.temp()
        if isinstance(r, ast.Tuple):  # k(h(x)), k((a, b)): a tuple variable of its own, so
            self.bind_tuple(t, r.elts, out, e)  # k's p[0] is a's element, derivative and all
            self.keep_keys(t, r)  # a dict argument's values: p["W"] in k, by position
        else:
            self.emit(out, t, r)
        return ast.Name(t, ast.Load())

    def flat(self, e, out):
        """Reduce ``e`` to one operation over atoms (or an atom, or kept-whole bookkeeping)."""
        if isinstance(e, ast.Constant):
            return e
        if isinstance(e, ast.Name):
            return e if getattr(e, "normalized", False) else self.load_name(e)
        if isinstance(e, ast.UnaryOp):
            if isinstance(e.operand, ast.Constant) and isinstance(e.op, (ast.USub, ast.UAdd)):
                return e
            if isinstance(e.op, (ast.Not, ast.Invert)):
                return self.keep(e, out)
            node = ast.UnaryOp(e.op, self.atom(e.operand, out))
            node.prim = _UNARY[type(e.op)]
            return ast.copy_location(node, e)
        if self.src.internal and is_stack_literal(e):
            return e
        if isinstance(e, ast.BinOp):
            node = ast.BinOp(self.atom(e.left, out), e.op, self.atom(e.right, out))
            if isinstance(e.op, ast.Add) and self.elements(node.left) is not None \
                    and self.elements(node.right) is not None:  # (a, b) + (c,): a tuple
                return ast.Tuple(self.elements(node.left) + self.elements(node.right),
                                 ast.Load())
            node.prim = _BINOPS.get(type(e.op))
            if node.prim is None:
                self.fail(e, f"operator {type(e.op).__name__}", "use + - * / ** @ % //.")
            return ast.copy_location(node, e)
        if isinstance(e, (ast.Compare, ast.BoolOp)):
            return self.keep(e, out)
        if isinstance(e, ast.IfExp):
            test = _decided(self.keep(e.test, out))  # kept whole once: names renamed already
            if isinstance(test, bool):
                return self.flat(e.body if test else e.orelse, out)
            if not _is_atom(test):
                c = self.temp()
                self.emit(out, c, test)
                test = ast.Name(c, ast.Load())
            t = self.temp()
            body, orelse = [], []
            self.emit(body, t, self.flat(e.body, body))
            self.emit(orelse, t, self.flat(e.orelse, orelse))
            out.append(_tag(ast.copy_location(ast.If(test, body, orelse), e), self.origin))
            return ast.Name(t, ast.Load())
        if isinstance(e, ast.Subscript):
            if _is_shape(e.value) or _is_inactive_attr(e.value):
                return self.keep(e, out)
            row = self.grown_item(e, out)  # hs[-1] of a list that grows: the row itself
            if row is not None:
                return row
            base = self.flat(e.value, out)  # h(x)[1], (a, b)[1]: a tuple's element, not
            if self.elements(base) is not None:  # an index into a temporary holding it
                return self.tuple_item(self.elements(base), e, out, self.dict_keys(base))
            if not _is_atom(base):
                t = self.temp()
                self.emit(out, t, base)
                base = ast.Name(t, ast.Load())
            node = ast.Subscript(base, self.keep(index_lists(e.slice), out), ast.Load())
            node.prim = "getitem"
            return ast.copy_location(node, e)
        if isinstance(e, ast.Attribute):
            obj = self.src.resolve(e)
            if obj is not _MISSING:
                return self.constant(e, obj)
            if e.attr == "T":
                node = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "transpose", ast.Load()),
                                [self.atom(e.value, out)], [])
                node.prim = "transpose"
                return ast.copy_location(node, e)
            return self.keep(e, out)  # .shape .size .ndim
        if isinstance(e, ast.Call):
            return self.call(e, out)
        if isinstance(e, ast.Tuple):
            tup = ast.Tuple([self.atom(x, out) for x in e.elts], ast.Load())
            if getattr(e, "dict_keys", None) is not None:
                tup.dict_keys = e.dict_keys  # a dict argument's values (srcgrad/pytree.py)
            return tup
        if isinstance(e, ast.ListComp):  # over a tuple: a tuple of its elements
            items = self.comprehension(e, out)
            if items is None:
                self.fail(e, "a list comprehension over a run-time length",
                          "comprehend over a tuple or range(<literal>), or allocate with "
                          "np.zeros(n) and fill it in a loop.")
            return ast.Tuple(items, ast.Load())
        self.fail(e, type(e).__name__, "this expression is outside the supported subset.")

    def load_name(self, e):
        if getattr(e, "normalized", False):
            return e
        v = e.id
        if v not in self.locals and v in self.captured:  # a nested function's closure
            return _marked(ast.copy_location(ast.Name(self.captured[v], ast.Load()), e))
        if v in self.growing():  # a list that grows in a loop: its rows in use
            return self.rows_in_use(v, e)
        if v in self.locals:
            return ast.copy_location(ast.Name(self.name(v), ast.Load()), e)
        obj = self.src.resolve(e)
        return self.constant(e, obj)

    def keep(self, e, out):
        """Bookkeeping expressions (indices, bounds, tests) stay whole; only local names are
        renamed, global constants resolved, and inlined calls or ``a if c else b`` hoisted."""
        return KeepWhole(self, out).visit(clone(e))  # never rename shared nodes twice

def pre_copy(stmts):
    return [clone(x) for x in stmts]


class _RenameLoads(ast.NodeTransformer):
    def __init__(self, norm):
        self.norm = norm

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(self.norm.name(node.id), node.ctx), node)


def _is_atom(e):
    return isinstance(e, (ast.Name, ast.Constant)) or (
        isinstance(e, ast.UnaryOp) and isinstance(e.operand, ast.Constant))


def _is_shape(e):
    return isinstance(e, ast.Attribute) and e.attr in ("shape",)


def _is_inactive_attr(e):
    return isinstance(e, ast.Attribute) and e.attr in ("shape", "size", "ndim")


def _as_load(t):
    if isinstance(t, ast.Name):
        return ast.copy_location(ast.Name(t.id, ast.Load()), t)
    if isinstance(t, ast.Subscript):
        return ast.copy_location(ast.Subscript(t.value, t.slice, ast.Load()), t)
    return t

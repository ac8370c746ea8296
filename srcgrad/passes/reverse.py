"""Reverse mode: from normalized primal code, the adjoint function (a VJP).

    def f(x, n):                           def f_vjp(x, n, bs):
        s = 0.0                                s = 0.0
        for i in range(n):                     for i in range(n):
            _t1 = x[i]                             _stack__t1.append(_t1)
            _t2 = math.sin(_t1)       ->           _t1 = x[i]
            s = s + _t2                            ...
        return s                               bx = np.zeros_like(x)
                                               for i in range(n - 1, -1, -1):
                                                   # grad of: s += math.sin(x[i])
                                                   b_t2 += bs
                                                   ...

The forward sweep is the primal plus pushes; the reverse sweep walks every block backwards.
One invariant makes it correct for any control flow: at every point of the reverse sweep,
the primal variables it reads hold the values they had at the matching point of the forward
sweep.  So before a statement overwrites a variable that the reverse sweep reads (the
to-be-recorded set), the old value is pushed; the reverse sweep pops it back after the
statement's adjoint.  Nothing else is saved: no tape of operations.

Branch decisions are the ``if`` test variables (recorded like any other value when a loop
overwrites them); a loop that can exit early or a ``while`` counts its trips, and the reverse
loop runs that many times.
"""
import ast
import copy

from ..backend.emit import comment
from ..errors import SrcgradError
from . import recompute
from .adjoints import Adjoints
from .clone import clone
from .loop_order import Fusion, commutes
from .parallel import ParallelLoops, is_parallel
from .common import (_assign, _call, _grad_of, _name, _names, _tag, copy_written_params,
                     loop_exit, reversed_range)
from .revolve import PROBE_MARK, LoopCheckpoints
from .saves import Saves, _Restore, live_views, value_reads
from .shape_redo import shape_only_redos
from .types import FLOAT, INT, index_rank_change, is_array, is_scalar, ndim
from .walk import name_counts, names, nodes


class ReverseGen(Adjoints, Saves, LoopCheckpoints, Fusion, ParallelLoops):
    def __init__(self, norm, kinds, active, wrt, names, intermediates=(), checkpoint=()):
        self.intermediates = intermediates
        self.checkpoint = checkpoint  # loops to checkpoint (passes/revolve.py spec)
        self.origin_file = norm.origin_file
        self.fdef = norm.fdef
        self.params = norm.params
        self.kinds, self.active, self.wrt, self.names = kinds, active, wrt, names
        self.adj = {}
        for node in nodes(self.fdef):  # adjoint names in order of appearance
            if isinstance(node, ast.Name) and node.id in active and node.id not in self.adj:
                self.adj[node.id] = names.exact_or_fresh("b" + node.id)
        for w in wrt:
            if w not in self.adj:
                self.adj[w] = names.exact_or_fresh("b" + w)
        self.stacks = {}          # (variable, what, loop) -> stack name, in order of creation
        self._step_lists = {}     # (id(prange loop), stack) -> its steps' own list (parallel.py)
        self.prealloc = {}        # id(loop) -> [(stack, variable, what)] allocated before it
        self.step_zeroed = set()  # adjoints each parallel step sets to zeros (parallel.py)
        self.saved_vars = {}      # id(statement outside loops) -> variable holding the old value
        self.slot_loop = {}
        self.counters = {}        # id(loop) -> trip counter name
        self.rr = set()           # variables the reverse sweep reads
        self.pushed_vars = set()  # variables pushed somewhere (whole value)
        self.pushed_elems = set()  # arrays whose elements are pushed
        self.preinit = {}         # pushed variables first defined inside a loop -> kind
        self.plan = recompute.Plan()  # empty during the first pass
        self.fuse_loop, self.fused_body, self.fwd_of = None, None, {}  # loop_order.Fusion
        self.rerun = {}  # prange loops whose adjoint runs the step again (parallel.py)
        self.restore = _Restore({}, {}, {}, {})  # which old values are read after a restore
        self.stmt_reads = {}          # id(statement) -> names its own reverse code reads
        self.stmt_value_reads = {}    # ... of those, the ones read for more than their shape
        self.single_use = {}
        self.single_use_at = {}
        self.assigned_now = set()

    # ---- driver ---------------------------------------------------------------------------
    def build(self, name, with_value=True):
        self._plan_retained()
        self._plan_checkpoints()
        self.loop_only = self._loop_only_vars()
        self._mark_slots()
        self.views_at = live_views(self.fdef, self.kinds)
        self._mark_defined(self.fdef.body[:-1], set(self.params), 0)
        # probe passes: what does the reverse sweep read?  Recomputing a temporary makes it
        # read the temporary's operands, and restoring those adds reads: iterate to a fixpoint
        saved = copy.deepcopy(self.names)
        self.record = False
        planner = recompute.Planner(self.fdef, self.params, self.views_at,
                                    keep_costly=not self.checkpoint)
        for _ in range(20):
            self.stmt_reads = {}
            self.stmt_value_reads = {}
            probe = self.rev_block(self.fdef.body[:-1], 0)
            reads = names(probe)
            plan = planner.plan(reads)
            for defs in plan.at.values():
                for d in defs:
                    reads |= names(d.value)
            restore = self._mark_restore(self.fdef.body[:-1])
            self.names.__dict__.update(copy.deepcopy(saved).__dict__)
            self.stacks.clear()
            self.prealloc.clear()
            self.saved_vars.clear()
            self.counters.clear()
            if reads == self.rr and plan.recomputed == self.plan.recomputed \
                    and restore == self.restore:
                break
            self.rr, self.plan, self.restore = reads, plan, restore
        self.single_use = {v: u for v, u in self.plan.single_use.items() if v in self.active}
        self.single_use_at = {}
        for v, u in self.single_use.items():
            self.single_use_at.setdefault(u, []).append(v)
        # 2nd pass: the real thing
        self.record = True
        ret = self.fdef.body[-1].value
        seeds, seed_code = self.seeds(ret)
        self.plan_fusion(with_value, seed_code)
        fwd = self.fwd_block(self.fdef.body[:-1], 0)
        rev = self.rev_block(self.fdef.body[:-1], 0)
        inits = self.adjoint_inits(seeds) + seed_code
        if self.fused_body is not None:  # the last loop's adjoint runs inside it
            fwd, inits = self.fused(fwd, inits), []
        body = self.prologue() + fwd
        value, capture = self.capture(ret)
        body += capture
        if inits or rev:
            body += [comment("reverse sweep")] + inits + rev
        body += self._retain(None)  # intermediates that are parameters: their final adjoint
        results = ([value] if with_value else []) + [_name(self.adj[w]) for w in self.wrt]
        results += [_name(self.retained[y][1]) for y in self.intermediates]
        body.append(ast.Return(results[0] if len(results) == 1 else ast.Tuple(results, ast.Load())))
        args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in self.params + seeds],
                             vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        fn = ast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                             type_comment=None)
        return fn, seeds

    def _plan_retained(self):
        """Where to read the adjoint of each requested intermediate's last assigned value:
        just before the reverse of the last top-level statement that assigns it."""
        from .recompute import assigned
        self.retained = {}
        top = self.fdef.body[:-1]
        for y in self.intermediates:
            last = None
            for s in top:
                if y in assigned(s):
                    last = s
            if isinstance(last, (ast.For, ast.While)):
                raise SrcgradError(f"intermediates: {y!r} is last assigned inside a loop; "
                                   "assign it once after the loop to read its gradient")
            self.retained[y] = (id(last) if last is not None else None,
                                self.names.exact_or_fresh(f"b{y}_retained"))

    def _retain(self, s):
        out = []
        for y, (at, name) in self.retained.items():
            if at == (id(s) if s is not None else None):
                k = self.kinds.get(y)
                if y in self.active:
                    val = _call("np.copy", _name(self.adj[y])) if is_array(k) else _name(self.adj[y])
                else:
                    val = self.zero_of(k, y)
                out.append(_assign(name, val))
        return out

    def _loop_only_vars(self):
        """Loop variables used only inside their own loops: each reverse loop sets them
        again, so they are never saved."""
        targets = {n.target.id for n in nodes(self.fdef) if isinstance(n, ast.For)}
        escaped = set(self.params)
        for n in nodes(self.fdef):
            if isinstance(n, ast.Assign):
                escaped |= {t.id for t in n.targets if isinstance(t, ast.Name)}

        def outside(stmts, inside):
            for st in stmts:
                if isinstance(st, ast.For):
                    escaped.update((_names(st.iter) & targets) - inside)
                    outside(st.body, inside | {st.target.id})
                elif isinstance(st, (ast.If, ast.While)):
                    escaped.update((_names(st.test) & targets) - inside)
                    outside(st.body, inside)
                    outside(st.orelse, inside)
                else:
                    escaped.update((_names(st) & targets) - inside)
        outside(self.fdef.body, set())
        outside = None  # a recursive closure is a cycle: break it (the tree is then freed at once)
        return targets - escaped

    def _mark_defined(self, stmts, defined, depth, surely=None):
        """``redefines``/``defined_before``: a value may exist before the statement (set on
        some path); ``surely_before``: it exists on every path (a save reads it unguarded)."""
        surely = set(defined) if surely is None else surely
        for s in stmts:
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name):
                v = s.targets[0].id
                s.redefines = depth > 0 or v in defined
                s.defined_before = v in defined
                s.surely_before = v in surely
                defined.add(v)
                surely.add(v)
            elif isinstance(s, ast.For):
                s.redefines = (depth > 0 or s.target.id in defined) and \
                    s.target.id not in self.loop_only
                s.defined_before = s.target.id in defined
                s.surely_before = s.target.id in surely
                defined.add(s.target.id)
                self._mark_defined(s.body, defined, depth + 1, set(surely) | {s.target.id})
            elif isinstance(s, ast.While):
                self._mark_defined(s.body, defined, depth + 1, set(surely))
            elif isinstance(s, ast.If):  # branches are alternatives: mark each from the same state
                d_body, d_else = set(defined), set(defined)
                s_body, s_else = set(surely), set(surely)
                self._mark_defined(s.body, d_body, depth, s_body)
                self._mark_defined(s.orelse, d_else, depth, s_else)
                defined |= d_body | d_else
                surely |= s_body & s_else

    def prologue(self):
        out = copy_written_params(self.fdef, self.params, self.kinds)
        surely = set(self.params) | {st.targets[0].id for st in self.fdef.body
                                     if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)}
        for v in self.adj:  # defined only in a branch or loop: np.zeros_like(v) needs a v
            if v not in surely and is_array(self.kinds.get(v)) and v not in self.seeded \
                    and v not in self.single_use:
                self.preinit.setdefault(v, self.kinds[v])
        for v, k in self.preinit.items():
            out.append(_assign(v, self.zero_of(k, None)))
        for (v, what, loop), st in self.stacks.items():
            if loop is None:
                out.append(self.new_stack(v, what, st))
        return _tag(out, "")

    def new_stack(self, v, what, st):
        """``st = [0.0] * 0``: an empty list of saves (typed when empty: Numba may prune every
        append as dead code)."""
        k = self.kinds.get(v) if what == "value" else (FLOAT if what == "elem" else None)
        item = {"f": 0.0, "i": 0, "b": False}.get(k[1]) if is_scalar(k) else None
        if what == "shape":  # shapes: tuples of ints
            item = ast.Tuple([ast.Constant(0)] * ndim(self.kinds[v]), ast.Load())
            return _assign(st, ast.BinOp(ast.List([item], ast.Load()), ast.Mult(),
                                         ast.Constant(0)))
        return _assign(st, ast.BinOp(ast.List([ast.Constant(item)], ast.Load()),
                                     ast.Mult(), ast.Constant(0)) if item is not None
                       else ast.List([], ast.Load()))

    def zero_of(self, k, like):
        if k is None or is_scalar(k):
            return ast.Constant({"i": 0, "b": False}.get(k[1] if k else "f", 0.0))
        if like is not None:
            return _call("np.zeros_like", _name(like))
        empty = _call("np.zeros", ast.Tuple([ast.Constant(0)] * k[1], ast.Load()))
        dtype = {"b": "np.bool_", "i": "np.int64"}.get(k[2])
        if dtype:  # (a placeholder of the array's own dtype: Numba types the name once)
            empty.keywords = [ast.keyword("dtype", ast.parse(dtype, mode="eval").body)]
        return empty

    def capture(self, ret):
        """The returned value, kept safe from the reverse sweep's restores."""
        names = [ret] if isinstance(ret, ast.Name) else (
            ret.elts if isinstance(ret, ast.Tuple) else [])
        out, elts = [], []
        for e in names:
            if isinstance(e, ast.Name) and (e.id in self.pushed_vars or e.id in self.pushed_elems):
                keep = self.names.fresh(e.id + "_value")
                val = _call("np.copy", _name(e.id)) if e.id in self.pushed_elems else _name(e.id)
                out.append(_assign(keep, val))
                elts.append(_name(keep))
            else:
                elts.append(clone(e))
        if isinstance(ret, ast.Tuple):
            return ast.Tuple(elts, ast.Load()), _tag(out, "")
        return (elts[0] if elts else clone(ret)), _tag(out, "")

    def seeds(self, ret):
        """Names of the cotangent parameters, one per returned value, and code that seeds
        the adjoints with them."""
        elts = ret.elts if isinstance(ret, ast.Tuple) else [ret]
        seeds, code, used = [], [], set()
        for e in elts:
            v = e.id if isinstance(e, ast.Name) else None
            if v in self.active and v not in used and v not in self.params:
                seeds.append(self.adj[v])
                used.add(v)
                if is_array(self.kinds.get(v)):
                    code.append(_assign(self.adj[v], _call("np.copy", _name(self.adj[v]))))
            else:
                seed = self.names.fresh("bret")
                seeds.append(seed)
                if v in self.active:
                    code.append(self.accumulate(v, _name(seed)))
        self.seeded = used
        return seeds, _tag(code, "")

    def adjoint_inits(self, seeds):
        out = []
        for v, b in self.adj.items():
            if v in self.seeded or v in self.single_use or b in self.step_zeroed:
                continue  # (step_zeroed: each step of a parallel adjoint sets it to zeros)
            k = self.kinds.get(v)
            out.append(_assign(b, self.zero_of(k, v)))
        return _tag(out, "")

    # ---- forward sweep --------------------------------------------------------------------
    def fwd_block(self, stmts, depth):
        out = []
        for s in stmts:
            if isinstance(s, ast.Assign):
                t = s.targets[0]
                if isinstance(t, ast.Name):
                    if self.needs_push(t.id, s):
                        out += self.push_value(t.id, depth, s.defined_before, s)
                elif self.record and self.restore.needed(t.value.id, s, values=True):
                    self.pushed_elems.add(t.value.id)
                    sliced = is_array(self.elem_kind(t))
                    val = ast.Subscript(_name(t.value.id), clone(t.slice), ast.Load())
                    if sliced:
                        val = _call("np.copy", val)
                    out.append(self.save(s, t.value.id, "slice" if sliced else "elem", val))
                out.append(s)
            elif isinstance(s, ast.If):
                new = ast.If(s.test, self.fwd_block(s.body, depth) or [ast.Pass()],
                             self.fwd_block(s.orelse, depth))
                out.append(ast.copy_location(new, s))
            elif id(s) in self.ckpts:
                out += self.fwd_checkpointed(s)
            elif isinstance(s, (ast.For, ast.While)):
                if depth == 0 and id(s) in self.probes:  # (memory_plan.py reads this line)
                    carried, how = self.probes[id(s)]
                    what = "carries " + " ".join(
                        f"{v}:{'a' if is_array(self.kinds.get(v)) else 's'}" for v in carried) \
                        if carried is not None else \
                        f"kept whole: {how}"
                    out.append(comment(f"{PROBE_MARK}{self.loop_number[id(s)]} "
                                       f"{'online ' if how is True else ''}{what}"))
                out += self.fwd_loop(s, depth)
            else:
                out.append(s)
        return out

    def elem_kind(self, target):
        base = self.kinds.get(target.value.id)
        nd = ndim(base) + index_rank_change(target.slice, self.kind_of)
        return ("a", nd, "f") if nd > 0 else FLOAT

    def counter(self, loop):
        if id(loop) not in self.counters:
            self.counters[id(loop)] = self.names.fresh("_trips")
        return self.counters[id(loop)]

    def fwd_loop(self, s, depth):
        out = []
        body = self.fwd_block(s.body, depth + 1)
        if isinstance(s, ast.For):
            if self.needs_push(s.target.id, s):
                out += self.push_value(s.target.id, depth, s.defined_before)
        counted = isinstance(s, ast.While) or loop_exit(s)
        if counted:
            n = self.counter(s)
            self.kinds[n] = INT
            if depth > 0:
                out += self.push_value(n, depth, defined_before=False)
            out.append(_assign(n, ast.Constant(0)))
            body = [_assign(n, ast.BinOp(_name(n), ast.Add(), ast.Constant(1)))] + body
        for st, v, what in self.prealloc.get(id(s), []):
            k = self.kinds.get(v) if what == "value" else FLOAT
            dtype = {"i": "np.int64", "b": "np.bool_"}.get(k[1] if k else "f")
            alloc = _call("np.empty", _call("len", _call("range", *clone(s.iter.args))))
            if dtype:
                mod, attr = dtype.split(".")
                alloc.keywords = [ast.keyword("dtype", ast.Attribute(_name(mod), attr, ast.Load()))]
            out.append(_assign(st, alloc))
        if self.record and is_parallel(s):
            body = self.parallel_forward(s, body)
        new = copy.copy(s)
        new.body = body
        if self.rerun.get(id(s)):  # its adjoint runs each step again (passes/dead_loops.py)
            new.rerun_of = id(s)
        out.append(new)
        self.fwd_of[id(s)] = new
        return _tag(out, s.origin)

    # ---- reverse sweep --------------------------------------------------------------------
    def rev_block(self, stmts, depth):
        out, redos, own = [], [], []
        for s in reversed(stmts):
            if depth == 0 and self.record:
                out += self._retain(s)
            redo = [clone(d) for d in self.plan.at.get(id(s), [])]
            out += _grad_of(redo, s.origin)
            redos += redo
            before = len(out)
            self._reverse_stmt(s, depth, out)
            header = out[before:] if isinstance(s, ast.Assign) else [
                x for x in out[before:] if isinstance(x, (ast.If, ast.For))]
            own.append((s, redo + header))
        shape_only_redos(out, redos, self.kinds)  # (they then read only their operands' shapes)
        for s, code in own:
            reads, values = set(), set()
            for x in code:
                if isinstance(x, ast.If):
                    parts = [x.test]
                elif isinstance(x, ast.For):
                    parts = [x.iter] + [st.value for st in x.body[:1] if isinstance(st, ast.Assign)]
                elif isinstance(x, ast.Assign):  # a store target is not a read
                    parts = [x.value]
                    if isinstance(x.targets[0], ast.Subscript):
                        parts.append(x.targets[0].slice)
                else:
                    parts = [x]
                for part in parts:
                    reads |= _names(part)
                    values |= value_reads(part)
            # a view's values are its base's: a write into the base after the view was
            # made needs the base's old values back (``_t1 = y[1:]; y[1:] = _t1 * c``)
            bases = self.views_at.get(id(s), {})
            self.stmt_reads[id(s)] = reads | {b for v in reads for b in bases.get(v, ())}
            self.stmt_value_reads[id(s)] = values | {b for v in values
                                                     for b in bases.get(v, ())}
        return out

    def _reverse_stmt(self, s, depth, out):
        if isinstance(s, ast.Assign):
            self.assigned_now = set()
            code = self.adjoint_assign(s) if isinstance(s.targets[0], ast.Name) \
                else self.adjoint_setitem(s)
            for v in self.single_use_at.get(id(s), ()):  # a use that contributed nothing
                if v not in self.assigned_now:
                    code.append(_assign(self.adj[v], self.zero_of(self.kinds.get(v), v)))
            out += _grad_of(code, s.origin)
        elif isinstance(s, ast.If):
            body = self.rev_block(s.body, depth)
            orelse = self.rev_block(s.orelse, depth)
            if body or orelse:
                test = clone(s.test)
                if not body:
                    test, body, orelse = ast.UnaryOp(ast.Not(), test), orelse, []
                out += _grad_of([ast.If(test, body, orelse)], s.origin)
        elif id(s) in self.ckpts:
            out += _grad_of(self.rev_checkpointed(s), s.origin)
        elif isinstance(s, (ast.For, ast.While)):
            out += _grad_of(self.rev_loop(s, depth), s.origin)

    def _own_names(self, loop):
        """Variables set in ``loop`` and read nowhere outside it, with their adjoints."""
        inside = {t.id for n in nodes(loop) if isinstance(n, (ast.Assign, ast.For))
                  for x in (n.targets if isinstance(n, ast.Assign) else [n.target])
                  for t in ast.walk(x) if isinstance(t, ast.Name)}
        # seen outside: named more often in the whole function than in the loop (its
        # header included); the function's counts are made once, not once per loop
        if getattr(self, "_counts_of", None) is not self.fdef:
            self._counts_of, self._counts = self.fdef, name_counts(self.fdef.body)
        here = name_counts(loop)
        seen_outside = {v for v in inside if self._counts.get(v, 0) > here.get(v, 0)}
        own = inside - seen_outside - set(self.params)
        # and loop variables used only in their own loops (reverse loops set them again)
        own |= inside & self.loop_only
        return own | {self.adj[v] for v in own if v in self.adj}

    def rev_loop(self, s, depth):
        body = self.rev_block(s.body, depth + 1)
        counted = isinstance(s, ast.While) or loop_exit(s)
        n = self.counter(s) if counted else None
        out = []
        if body:
            if isinstance(s, ast.While):
                out.append(ast.For(_name("_", ast.Store()), _call("range", _name(n)), body, [],
                                   None))
            elif self.record and is_parallel(s):  # a prange loop: a parallel adjoint
                out += self.rev_parallel(s, body, depth)
            elif self.record and not counted and self.fuse(s, body):
                return []  # run inside the forward loop (loop_order.Fusion)
            elif depth > 0 and not counted and self.record and isinstance(s.target, ast.Name) and \
                    commutes(body, self._own_names(s), s.target.id):
                # an inner loop whose adjoint steps only add into adjoints: forward order
                # (loop_order.py; a short inner loop's range runs faster forward)
                out.append(ast.For(_name(s.target.id, ast.Store()), clone(s.iter), body, [],
                                   None))
            else:
                var, it, pre = reversed_range(s, n)
                loop = ast.For(_name(var, ast.Store()), it, pre + body, [], None)
                if not counted and not pre and self.record and var == s.target.id and \
                        isinstance(s.iter, ast.Call) and s.iter.func.id == "range" and \
                        commutes(body, self._own_names(s), s.target.id):
                    # steps that commute: run forward if elements can be carried between
                    # them (passes/rotate.py decides, after the clean-up)
                    loop.forward_iter = clone(s.iter)
                out.append(loop)
        if counted and depth > 0:
            out += self.pop_value(n)
        if isinstance(s, ast.For) and self.needs_push(s.target.id, s):
            out += self.pop_value(s.target.id)
        return out

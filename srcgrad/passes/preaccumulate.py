"""Preaccumulation: a loop step's partial derivatives computed by the forward sweep, so that
the reverse sweep multiplies by them instead of computing the step's derivative again.

    x = x0                                         x = x0
    _stack_x = np.empty(len(range(T)))             _stack_jac_bdt_bx = np.empty(len(range(T)))
    for t in range(T):                             _stack_jac_bx_bx = np.empty(len(range(T)))
        _stack_x[t] = x                            for t in range(T):
        x = x + dt * (-x ** 3 + math.sin(t * dt))      _keep_x = x
    ...                                     ->         x = x + dt * (-x ** 3 + math.sin(t * dt))
    for t in range(T - 1, -1, -1):                     _x1 = _keep_x           (the reverse step,
        x = _stack_x[t]                                _t3_1 = t * dt           run on copies with
        _t3 = t * dt                                   bx_1 = 1.0               bx = 1)
        bdt += bx * (-x ** 3 + math.sin(_t3))          bdt_1 = 0.0 ; bdt_1 += bx_1 * ... ; ...
        b_t5 = bx * dt                                 _stack_jac_bdt_bx[t] = bdt_1
        bdt += b_t5 * math.cos(_t3) * t                _stack_jac_bx_bx[t] = bx_1
        bx += -b_t5 * 3 * x ** 2                   ...
                                                   for t in range(T - 1, -1, -1):
                                                       bdt += bx * _stack_jac_bdt_bx[t]
                                                       bx = bx * _stack_jac_bx_bx[t]

A reverse step is linear in the adjoints it reads; running it once per adjoint it carries
(seeded 1, the others 0) gives its matrix, the step's local Jacobian (statement-level
preaccumulation, as in ADIFOR's and ADIC's hybrid mode).  The forward sweep computes it where
the reverse step would start: at the end of the forward step, where every variable holds the
value the reverse step reads, and the values it would restore are the ones the forward step
just saved (kept in locals now).  LLVM then shares the forward step's work: the recurrence's
compiled gradient calls ``sin`` once a step, not twice (``inspect_llvm()``).

It changes the memory policy, so it is applied only where it pays and stays bounded: a
top-level ``for ... in range(...)`` loop whose forward and reverse steps are straight-line
code on numbers (every adjoint in the reverse step a float), whose reverse step calls a
function (``math.sin``, ``math.exp``: the work saved), saves each value in an array indexed by
the step, and whose matrix has at most twice as many entries as the values it no longer
saves, plus one.  Not with checkpoints or a memory budget (their plans count the saves
before this stage), nor for ``prange`` loops.  Everything else is left as generated.
"""
import ast

from ..backend.emit import _is_marker, comment
from .cleanup import _fold
from .clone import clone
from .common import reversed_range
from .walk import names as all_names, nodes

_JAC = "_stack_jac_"
GROWTH = 2  # at most this many matrix entries per value no longer saved, plus one (None: any)


def preaccumulate(fn_ast, scalar_adjoints, other_adjoints, names):
    """Rewrite, in place, every top-level loop pair that qualifies (see the module's doc).
    ``scalar_adjoints``: the names of float adjoints (and cotangent parameters);
    ``other_adjoints``: those of arrays, integers, tuples (a loop that touches one is left);
    ``names``: the function's Names."""
    body = fn_ast.body
    for f in [s for s in body if isinstance(s, ast.For)]:
        r = _reverse_of(f, fn_ast.body)
        if r is not None and not (all_names(r) & other_adjoints):
            _Step(fn_ast, f, r, scalar_adjoints, names).apply()
    return fn_ast


def _reverse_of(f, body):
    """The top-level reverse loop of forward loop ``f`` (it names f's user line), if both are
    plain ``range`` loops."""
    if not (isinstance(f.iter, ast.Call) and isinstance(f.iter.func, ast.Name)
            and f.iter.func.id == "range" and not f.iter.keywords and isinstance(f.target, ast.Name)
            and getattr(f, "origin", None) is not None and not f.orelse):
        return None
    found = [s for s in body[body.index(f) + 1:] if isinstance(s, ast.For)
             and getattr(s, "grad_of", None) is f.origin]
    if len(found) != 1 or not isinstance(found[0].target, ast.Name) \
            or found[0].target.id != f.target.id:
        return None
    var, it, pre = reversed_range(f)
    if pre or ast.dump(_fold(it)) != ast.dump(found[0].iter):  # (folded, as clean-up did)
        return None
    return found[0]


def _degree(e, adj):
    """0 if ``e`` reads no adjoint, 1 if it is linear in them (each term one adjoint times
    what reads none), None otherwise."""
    if isinstance(e, ast.Name):
        return 1 if e.id in adj else 0
    if isinstance(e, ast.Constant):
        return 0
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        return _degree(e.operand, adj)
    if isinstance(e, ast.BinOp):
        a, b = _degree(e.left, adj), _degree(e.right, adj)
        if a is None or b is None:
            return None
        if isinstance(e.op, (ast.Add, ast.Sub)):
            return a if a == b else None
        if isinstance(e.op, ast.Mult):
            return a + b if a + b <= 1 else None
        if isinstance(e.op, ast.Div):
            return a if b == 0 else None
        return 0 if a == b == 0 else None
    if any(isinstance(n, ast.Name) and n.id in adj for n in nodes(e)):
        return None
    return 0


def _loads(e):
    return {n.id for n in nodes(e) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


class _Rename(ast.NodeTransformer):
    def __init__(self, table):
        self.table = table

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.table:
            return ast.copy_location(ast.Name(self.table[node.id], ast.Load()), node)
        return node


def _assign(target, value):
    return ast.Assign([ast.Name(target, ast.Store())], value, lineno=0)


class _Step:
    def __init__(self, fn_ast, f, r, scalar_adjoints, names):
        self.fn, self.f, self.r = fn_ast, f, r
        self.adj, self.names = scalar_adjoints, names
        self.body = fn_ast.body

    def apply(self):
        plan = self.plan()
        if plan is None:
            return
        stacks, idx, seeds, outputs, accumulators, removable, after = plan
        keep = {s: self.names.exact_or_fresh("_keep" + s[len("_stack"):]) for s in removable}
        # the forward step: saves of removable stacks become locals, the matrix at its end
        new_f = []
        for s in self.f.body:
            st = self.push_of(s)
            if st in removable:
                new_f.append(ast.copy_location(_assign(keep[st], s.value), s))
            else:
                new_f.append(s)
        jac = {(w, u): self.names.exact_or_fresh(f"{_JAC}{w}_{u}") for w in outputs for u in seeds}
        new_f += self.matrix_code(stacks, idx, seeds, outputs, accumulators, keep, jac)
        self.f.body = new_f
        # the reverse step: adjoints times the matrix
        self.r.body = self.product_code(idx, seeds, outputs, accumulators, jac)
        # allocations: the matrix's next to the first stack's, the removed stacks' gone
        at = self.body.index(self.f)
        alloc = next(s for s in self.body[:at] if self.alloc_of(s) == stacks[0])
        for name in reversed(jac.values()):
            self.body.insert(at, ast.copy_location(_assign(name, clone(alloc.value)), alloc))
        # a variable the reverse loop restored that code after it reads: its value before the
        # forward loop, kept in a local and set again after the reverse loop
        before = {v: self.names.exact_or_fresh(v + "_before") for v in after}
        for v, name in before.items():
            self.body.insert(self.body.index(self.f), _assign(name, ast.Name(v, ast.Load())))
        at = self.body.index(self.r) + 1
        for v, name in reversed(before.items()):
            restore = _assign(v, ast.Name(name, ast.Load()))
            restore.grad_of = self.r.grad_of
            self.body.insert(at, restore)
        self.fn.body = self.body = [s for s in self.body if self.alloc_of(s) not in removable]

    # ---- what qualifies -----------------------------------------------------------------
    def push_of(self, s):
        """The stack ``s`` saves into (``_stack_x[t - 1] = x``), else None."""
        if isinstance(s, ast.Assign) and len(s.targets) == 1 \
                and isinstance(s.targets[0], ast.Subscript) \
                and isinstance(s.targets[0].value, ast.Name) \
                and s.targets[0].value.id.startswith("_stack_") \
                and not s.targets[0].value.id.startswith(_JAC):
            return s.targets[0].value.id
        return None

    def alloc_of(self, s):
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) \
                and isinstance(s.value, ast.Call) and ast.unparse(s.value.func) == "np.empty":
            return s.targets[0].id
        return None

    def plan(self):
        f, r, adj = self.f, self.r, self.adj
        steps = [s for s in r.body if not _is_marker(s)]
        fwd = [s for s in f.body if not _is_marker(s)]
        if not steps or not all(isinstance(s, (ast.Assign, ast.AugAssign)) for s in fwd + steps):
            return None
        pushes = {}  # stack -> (index dump, index) saved into by the forward step
        for s in fwd:
            st = self.push_of(s)
            if st is not None:
                if st in pushes:
                    return None
                pushes[st] = (ast.dump(s.targets[0].slice), s.targets[0].slice)
        if not pushes:
            return None
        idx = next(iter(pushes.values()))
        if any(d != idx[0] for d, _ in pushes.values()):
            return None
        restored, defined, live_in, written, rhs_reads, aug_only = {}, set(), [], [], set(), {}
        calls = False
        for s in steps:
            target = s.target if isinstance(s, ast.AugAssign) else s.targets[0]
            if isinstance(s, ast.Assign) and len(s.targets) != 1 or not isinstance(target, ast.Name):
                return None
            value, t = s.value, target.id
            calls = calls or any(isinstance(n, ast.Call) for n in nodes(value))
            reads = _loads(value)
            rhs_reads |= reads & adj
            if isinstance(s, ast.AugAssign):
                reads = reads | {t}
            for v in sorted(reads & adj):
                if v not in written and v not in live_in:
                    live_in.append(v)
            if t in adj:
                d = _degree(value, adj)
                zero = isinstance(value, ast.Constant) and value.value == 0
                if isinstance(s, ast.AugAssign):
                    if not (isinstance(s.op, (ast.Add, ast.Sub)) and d == 1 or
                            isinstance(s.op, ast.Mult) and d == 0):
                        return None
                elif not (d == 1 or zero):
                    return None
                aug_only.setdefault(t, True)
                if not (isinstance(s, ast.AugAssign) and isinstance(s.op, (ast.Add, ast.Sub))):
                    aug_only[t] = False
                if t not in written:
                    written.append(t)
            else:
                if _degree(value, adj) != 0:
                    return None
                if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) \
                        and value.value.id in pushes:
                    if ast.dump(value.slice) != idx[0]:
                        return None
                    restored[t] = value.value.id
                elif isinstance(s, ast.AugAssign) or any(
                        isinstance(n, ast.Name) and n.id.startswith("_stack_")
                        for n in nodes(value)):
                    return None
                defined.add(t)
        if not calls:
            return None  # nothing costly to save the reverse sweep
        accumulators = [w for w in written if aug_only.get(w) and w not in rhs_reads]
        seeds = [u for u in live_in if u not in accumulators]
        outside = self.names_outside_reverse()
        outputs = accumulators + [w for w in written if w not in accumulators
                                  and (w in live_in or w in outside)]
        if not seeds or not outputs:
            return None
        after = defined & self.read_after_reverse()
        if (set(written) | set(live_in)) - adj or after - set(restored) \
                or not after <= self.defined_before_forward():
            return None  # a value the reverse step recomputes is read later
        removable = [st for st in restored.values() if self.only_saved_and_restored(st)]
        if GROWTH is not None and len(seeds) * len(outputs) > GROWTH * len(removable) + 1:
            return None
        stacks = list(pushes)
        if not any(self.alloc_of(s) == stacks[0] for s in self.body[:self.body.index(f)]):
            return None  # (the matrix's arrays are allocated as the first stack is)
        return stacks, idx[1], seeds, outputs, accumulators, removable, sorted(after)

    def names_outside_reverse(self):
        out = set()
        for s in self.body:
            if s is not self.r:
                out |= all_names(s)
        return out

    def defined_before_forward(self):
        """Parameters, and names a top-level statement before the forward loop assigns."""
        out = {a.arg for a in self.fn.args.args}
        for s in self.body[:self.body.index(self.f)]:
            if isinstance(s, ast.Assign):
                out |= {t.id for t in s.targets if isinstance(t, ast.Name)}
        return out

    def read_after_reverse(self):
        out = set()
        for s in self.body[self.body.index(self.r) + 1:]:
            out |= _loads(s)
        return out

    def only_saved_and_restored(self, stack):
        """The stack is read only by the reverse step's restores (which go)."""
        uses = 0
        for s in self.body:
            if s is self.r:
                continue
            for n in nodes(s):
                if isinstance(n, ast.Name) and n.id == stack:
                    uses += 1
        return uses == 2  # its allocation and its save

    # ---- the code -------------------------------------------------------------------------
    def matrix_code(self, stacks, idx, seeds, outputs, accumulators, keep, jac):
        """The reverse step, run once per seed on renamed copies at the end of the forward
        step, and the matrix's entries saved.  Each value the reverse step restores or
        recomputes gets a name of its own (assigned once, so all of them can come first);
        a read before the restore is of the forward step's current value, as in the
        reverse step."""
        steps = [s for s in self.r.body if not _is_marker(s)]
        primal, adjoint, current = [], [], {}
        for s in steps:
            target = s.target if isinstance(s, ast.AugAssign) else s.targets[0]
            if target.id in self.adj:
                adjoint.append((s, dict(current)))
                continue
            value = s.value
            if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) \
                    and value.value.id in keep:
                value = ast.Name(keep[value.value.id], ast.Load())
            else:
                value = _Rename(current).visit(clone(value))
            name = self.names.fresh(target.id + "_")
            primal.append(ast.copy_location(_assign(name, value), s))
            current[target.id] = name
        out = primal
        for u in seeds:
            table = {}
            for s, seen in adjoint:
                target = s.target if isinstance(s, ast.AugAssign) else s.targets[0]
                reads = _loads(s.value) | ({target.id} if isinstance(s, ast.AugAssign) else set())
                for v in sorted(reads & self.adj):
                    if v not in table:  # read before set: a seed (1 for u, else 0)
                        table[v] = self.names.fresh(v + "_")
                        out.append(_assign(table[v], ast.Constant(1.0 if v == u else 0.0)))
                if target.id not in table:
                    table[target.id] = self.names.fresh(target.id + "_")
                new = clone(s)
                new.value = _Rename({**seen, **table}).visit(new.value)
                if isinstance(new, ast.AugAssign):
                    new.target = ast.Name(table[target.id], ast.Store())
                else:
                    new.targets = [ast.Name(table[target.id], ast.Store())]
                out.append(ast.copy_location(new, s))
            for w in outputs:
                value = ast.Name(table[w], ast.Load()) if w in table else ast.Constant(0.0)
                store = ast.Subscript(ast.Name(jac[(w, u)], ast.Load()), clone(idx), ast.Store())
                out.append(ast.Assign([store], value, lineno=0))
        for st in out:
            st.origin = getattr(self.f, "origin", None)
            st.grad_of = None  # (no "grad of:" comments in the forward sweep)
        return [comment("the partial derivatives of this step, for the reverse sweep")] + out

    def product_code(self, idx, seeds, outputs, accumulators, jac):
        def times(w):
            terms = [ast.BinOp(ast.Name(u, ast.Load()), ast.Mult(),
                               ast.Subscript(ast.Name(jac[(w, u)], ast.Load()), clone(idx),
                                             ast.Load())) for u in seeds]
            e = terms[0]
            for t in terms[1:]:
                e = ast.BinOp(e, ast.Add(), t)
            return e
        out = [ast.AugAssign(ast.Name(a, ast.Store()), ast.Add(), times(a)) for a in accumulators]
        rest = [w for w in outputs if w not in accumulators]
        if len(rest) == 1:
            out.append(_assign(rest[0], times(rest[0])))
        else:
            tmp = {w: self.names.exact_or_fresh(w + "_new") for w in rest}
            out += [_assign(tmp[w], times(w)) for w in rest]
            out += [_assign(w, ast.Name(tmp[w], ast.Load())) for w in rest]
        labels = {id(getattr(s, "grad_of", None)) for s in self.r.body if not _is_marker(s)}
        label = getattr(self.r.body[-1], "grad_of", None) if len(labels) == 1 else self.r.grad_of
        for s in out:
            s.grad_of = label
            s.lineno = 0
        return out

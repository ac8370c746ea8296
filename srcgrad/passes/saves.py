"""Reverse mode, saves: where the forward sweep keeps a value the reverse sweep needs back.

    for i in range(n):                      for i in range(n):      (a top-level loop: an
        s = s * x[i]          ->                _stack_s[i] = s      array indexed by the trip)
                                                s = s * x[i]
    outside loops: a variable (_saved_s = s); elsewhere: a typed list (_stack_s.append(s)).

A value is saved only if reverse code that runs after its restore reads it (``_Restore``).
"""
import ast

from .clone import clone
from .common import _assign, _call, _name, _names, loop_exit, range_parts
from ..rules.table import VIEW_CALLS
from .types import FLOAT, is_array, is_scalar
from .walk import nodes


_SHAPE_OF_FIRST = {"zeros_like", "ones_like", "empty_like", "full_like", "len"}
_SHAPE_ATTRS = {"shape", "ndim", "size", "dtype"}


def value_reads(node, loads_only=False):
    """The names ``node`` reads for their values: not those it reads only for their shape
    (``np.zeros_like(a)``, ``a.shape``, ``len(a)``, ``unbroadcast(g, a)``'s ``a``).
    ``loads_only``: not the names it assigns (``x = ...``; ``x += ...`` reads x)."""
    shape_only = set()
    if loads_only:
        shape_only |= {id(n) for n in ast.walk(node) if isinstance(n, ast.Name)
                       and isinstance(n.ctx, ast.Store)}
        shape_only -= {id(n.target) for n in ast.walk(node) if isinstance(n, ast.AugAssign)}
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and n.args:
            f = n.func
            fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
                else None
            if fname in _SHAPE_OF_FIRST and isinstance(n.args[0], ast.Name):
                shape_only.add(id(n.args[0]))
            elif fname == "empty_broadcast":  # (passes/shape_redo.py)
                shape_only |= {id(a) for a in n.args if isinstance(a, ast.Name)}
            elif fname == "unbroadcast" and len(n.args) > 1 and isinstance(n.args[1], ast.Name):
                shape_only.add(id(n.args[1]))
        elif isinstance(n, ast.Attribute) and n.attr in _SHAPE_ATTRS and \
                isinstance(n.value, ast.Name):
            shape_only.add(id(n.value))
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in shape_only}


class _Restore:
    """Is the value a statement overwrites read by reverse code that runs after its restore?
    Yes if the reverse of an earlier statement reads it, or of anything in a loop around the
    statement, or (for ``x = x * y``) the statement's own adjoint.  ``values``: read for
    more than its shape (what elements written into an array need: their old values are
    restored only for reads of the values; the array itself, so its shape, is restored for
    any read).

    Not when the loop around the statement does not read it and, before that loop, the
    variable is assigned anew with nothing between read in reverse: that assignment restores
    its own old value right after the loop's adjoint, before the loops further out read it
    (``se = 0.0; for k ...: se = se + e[k]``: the sum's partial values are never needed, only
    the value before ``se = 0.0``)."""

    def __init__(self, first, pos, loops, own, first_values=None, loop_values=None,
                 where=None, reads=None, rows=None, written_at=None, own_values=None):
        self.first, self.pos, self.loops, self.own = first, pos, loops, own
        self.own_values = own_values or {}  # of ``own``, those read for their values
        self.first_values, self.loop_values = first_values or {}, loop_values or {}
        self.where = where or {}  # id(loop) -> (the block holding it, its index there)
        self.reads = reads or {}  # id(statement) -> what its reverse (nested too) reads
        # id(loop) -> (its variable, {array: the index positions every access in the loop
        # gives exactly that variable}): the loop's steps touch disjoint elements of them
        self.rows = rows or {}
        self.written_at = written_at or {}  # id(element write) -> its index's names
        self.killed = {}

    def needed(self, v, s, values=False):
        at = self.pos.get(id(s))
        if at is None:
            return False
        n, enclosing = at
        first, loops, own = (self.first_values, self.loop_values, self.own_values) if values \
            else (self.first, self.loops, self.own)
        if first.get(v, n) < n or v in own.get(id(s), ()):
            return True
        if values:  # a loop whose steps touch other elements than this one reads none of it
            return any(v in loops[loop] and not self._own_row(loop, v, s) for loop in enclosing)
        if not enclosing or v in loops[enclosing[-1]]:
            return bool(enclosing)
        if self._assigned_before(enclosing[-1], v):
            return False
        return any(v in loops[loop] for loop in enclosing)

    def _own_row(self, loop, v, s):
        """Does every step of ``loop`` touch only elements of ``v`` at its own index, and
        the write ``s`` one at this step's?  (``vals[i, k] = ...`` in ``for i``, where every
        access of ``vals`` is ``vals[i, ...]``: the other steps, whose reverse runs after
        this element's restore, read other elements.)"""
        var, arrays = self.rows.get(loop, (None, {}))
        index = self.written_at.get(id(s))
        return index is not None and any(
            p < len(index) and index[p] == var for p in arrays.get(v, ()))

    def _assigned_before(self, loop, v):
        """Is ``v`` assigned (``v = ...``, unconditionally) before ``loop`` in its block, with
        no statement between whose reverse reads ``v``?"""
        key = (loop, v)
        if key not in self.killed:
            block, k = self.where[loop]
            found = False
            for st in reversed(block[:k]):
                if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
                        st.targets[0].id == v and v not in self.reads.get(id(st), ()):
                    found = True
                    break
                if v in self.reads.get(id(st), ()):
                    break
            self.killed[key] = found
        return self.killed[key]

    def __eq__(self, other):
        return (self.first, self.loops, self.own, self.first_values, self.loop_values,
                self.reads, self.own_values) == (
                    other.first, other.loops, other.own, other.first_values,
                    other.loop_values, other.reads, other.own_values)


def _index_names(index):
    """``[i, k]`` -> ("i", "k"), with None for an entry that is not a name."""
    elts = index.elts if isinstance(index, ast.Tuple) else [index]
    return tuple(e.id if isinstance(e, ast.Name) else None for e in elts)


def _rows(loop):
    """{array: positions} of the arrays every access of which in ``loop`` (as the base of a
    subscript: nothing else may see them, no view) has the loop's variable, which the loop
    does not set, at those positions."""
    var = loop.target.id
    positions, seen_bare = {}, set()
    subscripted = set()
    for n in ast.walk(loop):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load) and n.id == var and \
                n is not loop.target:
            return {}
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name):
            subscripted.add(id(n.value))
            at = {p for p, x in enumerate(_index_names(n.slice)) if x == var}
            v = n.value.id
            positions[v] = positions[v] & at if v in positions else at
    for n in ast.walk(loop):
        if isinstance(n, ast.Name) and id(n) not in subscripted:
            seen_bare.add(n.id)
    return {v: p for v, p in positions.items() if p and v not in seen_bare}


_SUFFIX = {"value": "", "elem": "_elem", "slice": "_slice", "shape": "_shape"}


class Saves:
    """Mixed into ReverseGen."""

    def stack(self, v, what, loop=None):
        """The stack's name.  ``loop``: a top-level loop whose trip count is known before it
        starts; the stack is then an array preallocated before that loop, indexed by the
        iteration, instead of a list."""
        key = (v, what, id(loop) if loop is not None else None)
        if key not in self.stacks:
            suffix = _SUFFIX[what]
            self.stacks[key] = self.names.exact_or_fresh(f"_stack_{v.lstrip('_')}{suffix}")
            if loop is not None:
                self.prealloc.setdefault(id(loop), []).append((self.stacks[key], v, what))
        return self.stacks[key]

    def slot(self, s, v, what):
        """(loop, index) if the value saved at statement s goes to a preallocated array."""
        if s is not None and id(s) in self.top_level:
            return "variable", None
        loop = self.slot_loop.get(id(s))
        if loop is None or what in ("slice", "shape"):
            return None
        k = self.kinds.get(v) if what == "value" else self.elem_kind(s.targets[0])
        if not is_scalar(k):
            return None
        start, _, step = range_parts(loop)
        i = _name(loop.target.id)
        index = i
        if not (isinstance(start, ast.Constant) and start.value == 0):
            index = ast.BinOp(i, ast.Sub(), clone(start))
        if not (isinstance(step, ast.Constant) and step.value == 1):
            index = ast.BinOp(index, ast.FloorDiv(), clone(step))
        return loop, index

    def save(self, s, v, what, value):
        """The statement that saves ``value`` before statement s overwrites it."""
        slot = self.slot(s, v, what)
        if slot and slot[0] == "variable":  # outside loops a save happens once: a variable
            return _assign(self.saved_var(s, v, what), value)
        if slot:
            st = self.stack(v, what, slot[0])
            return _assign(ast.Subscript(_name(st), slot[1], ast.Store()), value)
        st = self.stack(v, what)
        return ast.Expr(ast.Call(ast.Attribute(_name(st), "append", ast.Load()), [value], []))

    def saved(self, s, v, what):
        """The expression that gives back what ``save`` saved."""
        if not self.record:
            return ast.Call(ast.Attribute(_name("_probe"), "pop", ast.Load()), [], [])
        slot = self.slot(s, v, what)
        if slot and slot[0] == "variable":
            return _name(self.saved_var(s, v, what))
        if slot:
            return ast.Subscript(_name(self.stack(v, what, slot[0])), clone(slot[1]),
                                 ast.Load())
        return ast.Call(ast.Attribute(_name(self.stack(v, what)), "pop", ast.Load()), [], [])

    def saved_var(self, s, v, what):
        if id(s) not in self.saved_vars:
            suffix = _SUFFIX[what]
            self.saved_vars[id(s)] = self.names.exact_or_fresh(f"_saved_{v.lstrip('_')}{suffix}")
        return self.saved_vars[id(s)]

    def push_value(self, v, depth, defined_before=True, s=None):
        if not self.record:
            return []
        self.pushed_vars.add(v)
        if (depth > 0 and not defined_before) or not getattr(s, "surely_before", True):
            self.preinit.setdefault(v, self.kinds.get(v, FLOAT))  # set on some paths only
        if self.shape_only(v, s):
            return [self.save(s, v, "shape", ast.Attribute(_name(v), "shape", ast.Load()))]
        return [self.save(s, v, "value", _name(v))]

    def pop_value(self, v, s=None):
        if self.shape_only(v, s):  # an array of its shape: only its shape is read
            alloc = _call("np.empty", self.saved(s, v, "shape"))
            dtype = {"i": "int64", "b": "bool_"}.get(self.kinds[v][2])
            if dtype:
                alloc.keywords = [ast.keyword("dtype", ast.Attribute(_name("np"), dtype,
                                                                     ast.Load()))]
            return [_assign(v, alloc)]
        return [_assign(v, self.saved(s, v, "value"))]

    def shape_only(self, v, s):
        """Is the old value of array ``v`` that ``s`` overwrites read, after its restore,
        only for its shape (``np.zeros_like(v)``, ``unbroadcast(g, v)``, ``v.shape``)?  Then
        the forward sweep keeps its shape, not its values, and the restore makes an array of
        that shape (never read)."""
        return s is not None and is_array(self.kinds.get(v)) and \
            not self.restore.needed(v, s, values=True)

    def _mark_slots(self):
        """Saves directly in the body of a top-level ``for`` (no break; in branches or not)
        whose variable is assigned there once go to arrays preallocated before the loop
        (indexed by the step: a ``prange`` loop's steps then never share a list)."""
        self.slot_loop = {}
        self.top_level = set()

        def top(stmts):
            for st in stmts:
                if isinstance(st, ast.Assign):
                    self.top_level.add(id(st))
                elif isinstance(st, ast.If):
                    top(st.body)
                    top(st.orelse)
        top(self.fdef.body)
        top = None  # a recursive closure is a cycle: break it (the tree is then freed at once)
        for loop in _outer_loops(self.fdef.body):
            if not isinstance(loop, ast.For) or loop_exit(loop) or id(loop) in self.ckpts:
                continue  # (a checkpointed loop keeps one step's values at a time)
            counts = {}
            for n in nodes(loop):
                if isinstance(n, ast.Assign):
                    t = n.targets[0]
                    v = t.id if isinstance(t, ast.Name) else t.value.id
                    counts[v] = counts.get(v, 0) + 1
            if counts.get(loop.target.id):
                continue  # the loop variable is reassigned: it cannot index the saves

            def visit(stmts):
                for st in stmts:
                    if isinstance(st, ast.Assign):
                        t = st.targets[0]
                        v = t.id if isinstance(t, ast.Name) else t.value.id
                        if counts.get(v) == 1:
                            self.slot_loop[id(st)] = loop
                    elif isinstance(st, ast.If):
                        visit(st.body)
                        visit(st.orelse)
            visit(loop.body)

    def needs_push(self, v, s):
        """Save v's old value at s only if reverse code that runs after the restore reads it:
        the reverse of statements before s, or of anything in a loop around s."""
        return (self.restore.needed(v, s) and getattr(s, "redefines", True)
                and v not in self.plan.recomputed and not self.fixed_shape(v, s))

    def fixed_shape(self, v, s):
        """Is ``v = value`` (s) the only assignment of ``v``, read after its restore only for
        its shape, which comes from names the function never rebinds (``_t1 = Wh @ h``:
        ``(Wh.shape[0],)`` whatever ``h`` is)?  Every value of ``v`` the reverse sweep reads
        then has that shape, so nothing is saved or restored."""
        if not (isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
                and s.targets[0].id == v and self.shape_only(v, s)):
            return False
        stores = self._store_counts()
        if stores.get(v) != 1 or v in self.params:
            return False
        from .shape_redo import shape_form  # (it reads this module's value_reads)
        form = shape_form(s.value, self.kinds.get(v), self.kinds)
        return form is not None and not any(
            isinstance(n, ast.Name) and n.id in stores for n in ast.walk(form))

    def _store_counts(self):
        if getattr(self, "_stores", None) is None:
            self._stores = {}
            for n in ast.walk(self.fdef):
                if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                    self._stores[n.id] = self._stores.get(n.id, 0) + 1
        return self._stores

    def resets_by_shape(self, v, s):
        """Does the adjoint of ``v = ...`` start the adjoint of the overwritten array at
        ``np.zeros_like(v)``?  Then it reads the old value's shape, which may differ from the
        new one's (``v = a`` then ``v = b``; a tuple loop over layers of other sizes): the old
        value is restored for it."""
        return (v in self.active and is_array(self.kinds.get(v))
                and getattr(s, "redefines", True) and v not in self.single_use)

    def _all_reads(self, s, reads=None):
        reads = self.stmt_reads if reads is None else reads
        out = set(reads.get(id(s), ()))
        for field in ("body", "orelse"):
            for x in getattr(s, field, None) or []:
                out |= self._all_reads(x, reads)
        return out

    def _mark_restore(self, stmts):
        """Which old values reverse code reads after their restore, in linear time: the
        position of each variable's first read by the reverse of an earlier statement, and
        the reads of every loop's whole body."""
        first, pos, loops, own, own_values = {}, {}, {}, {}, {}
        first_values, loop_values = {}, {}
        where, reads, rows, written_at = {}, {}, {}, {}
        counter = [0]

        def walk(block, enclosing):
            for k, st in enumerate(block):
                counter[0] += 1
                pos[id(st)] = (counter[0], enclosing)
                if isinstance(st, ast.Assign):
                    t = st.targets[0]
                    target = t.id if isinstance(t, ast.Name) else t.value.id
                    if target in _names(st.value):  # x = x * y: its own adjoint reads old x
                        own[id(st)] = self.stmt_reads.get(id(st), set())
                        own_values[id(st)] = self.stmt_value_reads.get(id(st), set())
                    if isinstance(t, ast.Name) and self.resets_by_shape(target, st):
                        own[id(st)] = own.get(id(st), set()) | {target}
                    if isinstance(t, ast.Subscript):
                        written_at[id(st)] = _index_names(t.slice)
                for v in self.stmt_reads.get(id(st), set()):  # its own reads (a header's too)
                    first.setdefault(v, counter[0])
                for v in self.stmt_value_reads.get(id(st), set()):
                    first_values.setdefault(v, counter[0])
                if isinstance(st, (ast.For, ast.While)):
                    loops[id(st)] = self._all_reads(st)
                    loop_values[id(st)] = self._all_reads(st, self.stmt_value_reads)
                    where[id(st)] = (block, k)
                    reads[id(st)] = loops[id(st)]
                    if isinstance(st, ast.For) and isinstance(st.target, ast.Name) and \
                            not self.ckpts:  # (a checkpointed loop runs steps again)
                        rows[id(st)] = (st.target.id, _rows(st))
                    walk(st.body, enclosing + (id(st),))
                elif isinstance(st, ast.If):
                    reads[id(st)] = self._all_reads(st)
                    walk(st.body, enclosing)
                    walk(st.orelse, enclosing)
                else:
                    reads[id(st)] = self.stmt_reads.get(id(st), set())
        walk(stmts, ())
        walk = None  # a recursive closure is a cycle: break it (the tree is then freed at once)
        return _Restore(first, pos, loops, own, first_values, loop_values, where, reads, rows,
                        written_at, own_values)


def _outer_loops(stmts):
    """The loops of ``stmts`` that no other loop holds (in branches or not)."""
    for st in stmts:
        if isinstance(st, (ast.For, ast.While)):
            yield st
        elif isinstance(st, ast.If):
            yield from _outer_loops(st.body)
            yield from _outer_loops(st.orelse)


def live_views(fdef, kinds):
    """{id(statement): {array variable: the variables whose memory it may share}} where the
    statement runs: ``v = b``, ``v = b[...]``, ``v = b.T`` and the view calls
    (``reshape_to(b, s)``) make ``v`` share ``b``'s memory (and whatever ``b`` shares), until
    ``v`` or ``b`` is set anew (``un = np.empty(n)`` in a loop ends ``u = un`` of the step
    before).  Reading ``v`` reads ``b``'s memory, so a write into ``b`` while they share it
    changes the value the reverse of ``v``'s readers needs."""
    at = {}

    def union(a, b):
        out = {v: set(bs) for v, bs in a.items()}
        for v, bs in b.items():
            out.setdefault(v, set()).update(bs)
        return out

    def block(stmts, live):
        for st in stmts:
            at[id(st)] = union(at.get(id(st), {}), live)
            live = stmt(st, live)
        return live

    def rebind(live, name):
        out = {v: bs - {name} for v, bs in live.items() if v != name}
        return {v: bs for v, bs in out.items() if bs}

    def stmt(st, live):
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            v = st.targets[0].id
            base = _viewed(st.value) if is_array(kinds.get(v)) else None
            live = rebind(live, v)
            if base is not None and base != v:
                live[v] = {base} | live.get(base, set())
            return live
        if isinstance(st, ast.If):
            return union(block(st.body, live), block(st.orelse, live))
        if isinstance(st, (ast.For, ast.While)):
            if isinstance(st, ast.For) and isinstance(st.target, ast.Name):
                live = rebind(live, st.target.id)
            head = live
            while True:  # the body's end flows to the loop head again, to a fixpoint
                new = union(live, block(st.body, head))
                if new == head:
                    return head
                head = new
        return live

    block(fdef.body, {})
    block = stmt = None  # recursive closures are a cycle: break them (the tree is then freed)
    return at


def _viewed(e):
    """The variable whose memory the value ``e`` may share, or None."""
    if isinstance(e, ast.Subscript) or (isinstance(e, ast.Attribute) and e.attr == "T"):
        e = e.value
    elif isinstance(e, ast.Call) and getattr(e, "prim", None) in VIEW_CALLS and e.args:
        e = e.args[0]
    return e.id if isinstance(e, ast.Name) else None

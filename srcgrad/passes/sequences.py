"""Normalize, sequences: loops over sequences, lists that grow, comprehensions and the
built-ins that take a sequence.

    for W, b in params            ->  the body once per layer, W = params_0_0 ... (a tuple)
    for v in x                    ->  for _k in range(len(x)): v = x[_k]        (an array)
    for v in reversed(x)          ->  for _k in range(len(x) - 1, -1, -1): v = x[_k]
    for k in p   (a dict)         ->  the body once per key, k that key: p[k] is p["W"]
    hs = []; hs.append(h)         ->  a tuple variable one element longer

    [f(W) for W in layers]            ->  a tuple of f(layers_0), f(layers_1)   (unrolled)
    sum(W * W for W in ws)            ->  ws_0 * ws_0 + ws_1 * ws_1             (a tuple)
    sum(x[i] ** 2 for i in range(n))  ->  _acc = 0.0; for i in range(n): _acc = _acc + x[i] ** 2
    sum(t), max(t), min(t)            ->  folded over the elements of a tuple

A comprehension over a tuple (or ``range`` with literal bounds) is unrolled, its variable
renamed per element, so it never clobbers a variable of the function (Python scopes it to
the comprehension).  ``sum`` of a comprehension over something longer only known at run time
(``range(n)``, an array) accumulates in a loop (passes/sequence_calls.py); a list of it bound to a name (and ``list(x)``,
``x.tolist()`` of an array) is a list that grows in a loop:

    l = [x[i] * 2.0 for i in range(n)]  ->  l = []; for i in range(n): l.append(x[i] * 2.0)
"""
import ast
import contextlib

from ..frontend import loops
from ..frontend.source import _MISSING
from .clone import clone
from .walk import marked as _marked, place as _place, tag as _tag


def _literal_range(it, resolve):
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and resolve(it.func) is range \
            and all(isinstance(a, ast.Constant) and type(a.value) is int for a in it.args) \
            and 1 <= len(it.args) <= 3 and not it.keywords:
        return list(range(*[a.value for a in it.args]))
    return None


class _Keys(ast.NodeTransformer):
    """A loop variable that is a string constant in a copy of the body (``for k in p`` of a
    dict, the body never binding ``k``), read as that constant: ``p[k]`` is ``p["W"]``."""

    def __init__(self, keys):
        self.keys = keys

    def visit_Name(self, n):
        if n.id in self.keys and isinstance(n.ctx, ast.Load):
            return ast.copy_location(ast.Constant(self.keys[n.id].value), n)
        return n

    def visit_Compare(self, n):
        """``k == "W"`` of two constants: decided here, so that a branch for another key
        is not there at all (``p[k] @ x`` for a number ``p["c"]`` would be refused)."""
        self.generic_visit(n)
        if len(n.ops) == 1 and isinstance(n.ops[0], (ast.Eq, ast.NotEq)) \
                and isinstance(n.left, ast.Constant) and isinstance(n.comparators[0], ast.Constant) \
                and isinstance(n.left.value, str) and isinstance(n.comparators[0].value, str):
            same = n.left.value == n.comparators[0].value
            return ast.copy_location(ast.Constant(same == isinstance(n.ops[0], ast.Eq)), n)
        return n

    def visit_If(self, s):
        self.generic_visit(s)
        if isinstance(s.test, ast.Constant) and isinstance(s.test.value, bool):
            return (s.body if s.test.value else s.orelse) or [
                ast.copy_location(ast.Pass(), s)]
        return s


def _as_list(st):
    return st if isinstance(st, list) else [st]


class Sequences:
    """Mixed into the normalizer."""

    def comprehension(self, e, out):
        """The elements of ``[elt for t in seq if cond]`` (one generator, a static sequence)
        as atoms, or None when the sequence's length is only known at run time."""
        if len(e.generators) != 1 or e.generators[0].is_async:
            self.fail(e, "a comprehension with several `for` clauses", "nest loops instead.")
        gen = e.generators[0]
        resolve = self._resolve_global
        values = _literal_range(gen.iter, resolve)
        if values is not None:
            items = [ast.Constant(v) for v in values]
        else:
            seq = gen.iter
            if isinstance(seq, ast.List):
                seq = ast.copy_location(ast.Tuple(seq.elts, ast.Load()), seq)
            if isinstance(seq, ast.Call) and isinstance(seq.func, ast.Name) \
                    and resolve(seq.func) in (zip, enumerate, range):
                return None
            atom = self.as_iterated(self.atom(seq, out))  # (a dict: its keys)
            items = self.elements(atom)
            if items is None:
                return None
        names = {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        result = []
        for item in items:
            with self._own_names(names):  # the comprehension's variables, fresh per element
                self.assign(clone(gen.target), _marked(item), out)
                keep = True
                for cond in gen.ifs:
                    test = self.keep(cond, out)
                    if not (isinstance(test, ast.Constant)):
                        self.fail(cond, "a condition in a comprehension over a tuple",
                                  "filter with a loop and an if statement instead.")
                    keep = keep and bool(test.value)
                if keep:
                    result.append(_marked(self.atom(e.elt, out)))
        return result

    def list_by_loop(self, s, out):
        """``l = [elt for v in seq if c]`` over a sequence whose length is known only at run
        time (``range(n)``, an array, ``zip``/``enumerate`` of them), ``l = list(seq)`` and
        ``l = seq.tolist()`` of an array: the statements ``l = []`` and a loop appending to
        ``l``, a list that grows in a loop (growing.py), so later code indexes it, sums it
        and stacks it as it would that list; emitted into ``out``, True.  None for anything
        else (a comprehension over a tuple or a literal range is unrolled as before)."""
        if len(s.targets) != 1 or not isinstance(s.targets[0], ast.Name):
            return None
        v = s.value
        pairs = self._pairs_listed(v)
        if pairs is not None:  # list(zip(a, b)): [(a_, b_) for a_, b_ in zip(a, b)]
            scratch = []
            if any(self.elements(self.as_iterated(self.atom(a, scratch))) is None
                   for a in v.args[0].args):
                self.fail(v, f"{ast.unparse(v)} of arrays, a list of pairs whose length is "
                          "known only at run time", "loop over the zip itself: for a, b in "
                          "zip(x, y).")
            done = self.list_by_loop(ast.copy_location(ast.Assign(s.targets, pairs), s), out)
            if not done:
                self.assign(s.targets[0], pairs, out)
            return True
        if isinstance(v, ast.Call) and not v.keywords and (
                (isinstance(v.func, ast.Name) and self._resolve_global(v.func) is list
                 and len(v.args) == 1)
                or (isinstance(v.func, ast.Attribute) and v.func.attr == "tolist" and not v.args)):
            seq = self.atom(v.args[0] if v.args else v.func.value, out)
            if v.args:
                seq = self.as_iterated(seq)  # list(p) of a dict: its keys
            if self.elements(seq) is not None:  # list(t) of a tuple: its elements again
                self.assign(s.targets[0], _marked(seq), out)
                return True
            item = self.names.fresh("_item")
            v = ast.copy_location(ast.ListComp(ast.Name(item, ast.Load()), [ast.comprehension(
                ast.Name(item, ast.Store()), _marked(seq), [], 0)]), v)
        if not isinstance(v, ast.ListComp) or len(v.generators) != 1:
            return None
        gen = v.generators[0]
        if not isinstance(gen.iter, ast.Name) and not _literal_range(gen.iter, self._resolve_global) \
                and not isinstance(gen.iter, (ast.Tuple, ast.List, ast.Call)):
            scratch = []  # x[1:], a * 2.0: a temporary, kept only if it is an array
            seq = self.atom(gen.iter, scratch)
            if self.elements(seq) is not None:
                return None
            out.extend(scratch)
            gen = ast.comprehension(gen.target, _marked(seq), gen.ifs, 0)
        if not self._run_time_length(gen.iter):
            return None
        it = gen.iter  # read in the function's scope, before the comprehension's names exist
        if isinstance(it, ast.Call):  # zip(a, b), enumerate(x, 1), range(n)
            it = ast.copy_location(ast.Call(it.func, [_marked(self.atom(a, out)) for a in it.args],
                                            [ast.keyword(k.arg, _marked(self.atom(k.value, out)))
                                             for k in it.keywords]), it)
        elif not getattr(it, "normalized", False):
            it = _marked(self.atom(it, out))
        gen = ast.comprehension(gen.target, it, gen.ifs, 0)
        append = ast.Expr(ast.Call(ast.Attribute(ast.Name(s.targets[0].id, ast.Load()), "append",
                                                 ast.Load()), [v.elt], []))
        body = [append]
        for cond in reversed(gen.ifs):
            body = [ast.If(cond, body, [])]
        loop = ast.For(gen.target, gen.iter, body, [], None)
        start = ast.Assign([ast.Name(s.targets[0].id, ast.Store())], ast.List([], ast.Load()))
        for n in (start, loop):
            for sub in ast.walk(n):
                if not hasattr(sub, "lineno"):
                    ast.copy_location(sub, s)
        self.stmt(start, out)
        with self._own_names({n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}):
            self.stmt(loop, out)  # the comprehension's variables stay its own, as in Python
        return True

    def _pairs_listed(self, v):
        """``list(zip(a, b))``, ``list(enumerate(a))`` (or ``tuple(...)``) as the list
        comprehension it equals, ``[(a_, b_) for a_, b_ in zip(a, b)]``; else None."""
        if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and not v.keywords
                and len(v.args) == 1 and self._resolve_global(v.func) in (list, tuple)):
            return None
        inner = v.args[0]
        if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                and self._resolve_global(inner.func) in (zip, enumerate)
                and not any(isinstance(a, ast.Starred) for a in inner.args)):
            return None
        n = len(inner.args) if self._resolve_global(inner.func) is zip else 2
        names = [self.names.fresh("_item") for _ in range(n)]
        elt = ast.Tuple([ast.Name(x, ast.Load()) for x in names], ast.Load())
        target = ast.Tuple([ast.Name(x, ast.Store()) for x in names], ast.Store())
        comp = ast.ListComp(elt, [ast.comprehension(target, inner, [], 0)])
        for node in ast.walk(comp):
            if not hasattr(node, "lineno") and isinstance(node, (ast.expr, ast.stmt)):
                ast.copy_location(node, v)
        return comp

    def _run_time_length(self, seq):
        """Whether a comprehension over ``seq`` has a length known only at run time."""
        if _literal_range(seq, self._resolve_global) is not None \
                or isinstance(seq, (ast.Tuple, ast.List)):
            return False
        if isinstance(seq, ast.Call) and isinstance(seq.func, ast.Name) \
                and self._resolve_global(seq.func) in (zip, enumerate, range):
            return True
        if isinstance(seq, ast.Name):
            if getattr(seq, "normalized", False):
                return self.elements(seq) is None
            scratch = []
            atom = self.atom(seq, scratch)
            return not scratch and self.elements(atom) is None
        return False

    @contextlib.contextmanager
    def _own_names(self, names):
        """While inside: ``names`` are fresh variables of their own (a comprehension's, which
        Python scopes to it), so they never clobber the function's variables of those names."""
        saved = {v: (self.rename.get(v), v in self.locals) for v in names}
        for v in names:
            self.rename[v] = self.names.fresh(f"{v}_c")
            self.locals.add(v)
        try:
            yield
        finally:
            for v, (old, was_local) in saved.items():
                if old is None:
                    self.rename.pop(v, None)
                else:
                    self.rename[v] = old
                if not was_local:
                    self.locals.discard(v)

    # ---- for loops over sequences, and lists that grow ------------------------------------------
    def _resolve_global(self, node):
        return _MISSING if isinstance(node, ast.Name) and node.id in self.locals \
            else self.src.resolve(node)

    def _unreversed(self, s):
        """``for i in reversed(range(...))`` as a ``for`` over the reversed range (``s`` itself
        when its header is something else)."""
        it = loops.unreversed(s.iter, self._resolve_global)
        if isinstance(it, tuple):
            self.fail(*it)
        if it is s.iter:
            return s
        return ast.copy_location(ast.For(s.target, it, s.body, s.orelse, None), s)

    def sequence_loop(self, s, out):
        """``for v in seq`` (and ``enumerate``, ``zip``): over tuples of known length the
        body is repeated once per element, each copy reading its element by a literal index
        (``for W, b in params`` over a tuple of layers: per-layer shapes, readable code);
        over an array, an index loop reading ``seq[k]``."""
        loop = loops.sequence_loop(s, self._resolve_global)
        if not isinstance(loop, loops.SequenceLoop):
            self.fail(*loop)
        origin = self.origin
        if getattr(loop, "star", None) is not None:  # zip(*parts): parts read once
            parts = self.elements(self.atom(loop.star, out))
            if parts is None or len(parts) != len(loop.seqs):
                self.fail(s.iter, f"zip(*{ast.unparse(loop.star)}) of "
                          + ("a value that is not a tuple" if parts is None else
                             f"{len(parts)} sequences into {len(loop.seqs)} names"),
                          "unpack one name per sequence of a tuple (Python raises ValueError "
                          "there).")
            seqs = parts
        else:
            seqs = [self.as_iterated(self.atom(  # (a dict: its keys, as Python iterates)
                ast.copy_location(ast.Tuple(q.elts, ast.Load()), q)
                if isinstance(q, ast.List) else q, out)) for q in loop.seqs]
        sizes = [len(self.elements(q)) if self.elements(q) is not None else None for q in seqs]
        start = self.atom(loop.start, out) if loop.start is not None else None
        if all(n is not None for n in sizes):  # tuples: unrolled
            bound = {n.id for st in s.body for n in ast.walk(st) if isinstance(n, ast.Name)
                     and not isinstance(n.ctx, ast.Load)} | {
                a.arg for st in s.body for n in ast.walk(st)
                if isinstance(n, (ast.Lambda, ast.FunctionDef)) for a in n.args.args}
            if any(isinstance(n, ast.Break) for st in s.body for n in ast.walk(st)):
                self.fail(s, "break in a loop over a tuple", "loop over range(len(...)) instead.")
            order = range(min(sizes))
            for j in (reversed(order) if loop.reverse else order):
                if loop.index is not None:
                    self.assign(loop.index, ast.BinOp(_marked(start), ast.Add(), ast.Constant(j)), out)
                keys = {}  # for k in p (a dict): in each copy, k is that key
                for t, q in zip(loop.targets, seqs):
                    self.origin = origin
                    item = self.elements(q)[j]
                    self.assign_from(clone(t), item, out)
                    if isinstance(t, ast.Name) and isinstance(item, ast.Constant) \
                            and isinstance(item.value, str) and t.id not in bound:
                        keys[t.id] = item
                for st in s.body:
                    for new in _as_list(_Keys(keys).visit(clone(st)) if keys else clone(st)):
                        self.stmt(new, out)
            return
        if any(n is not None for n in sizes):
            self.fail(s, "zip() of a tuple and an array", "zip sequences of one kind.")
        n = ast.Call(ast.Name("len", ast.Load()), [_marked(seqs[0])], [])
        for q in seqs[1:]:
            n = ast.Call(ast.Name("min", ast.Load()),
                         [n, ast.Call(ast.Name("len", ast.Load()), [_marked(q)], [])], [])
        if loop.index is not None:  # enumerate: the index is the loop's own variable
            k = self.name(loop.index.id)
            first = _marked(start)
            bounds = [first, ast.BinOp(_marked(start), ast.Add(), n)]
            at = ast.BinOp(_marked(ast.Name(k, ast.Load())), ast.Sub(), _marked(start)) \
                if not (isinstance(start, ast.Constant) and start.value == 0) \
                else _marked(ast.Name(k, ast.Load()))
        else:
            k = self.names.fresh("_k")
            bounds = [ast.BinOp(n, ast.Sub(), ast.Constant(1)),
                      ast.UnaryOp(ast.USub(), ast.Constant(1)),
                      ast.UnaryOp(ast.USub(), ast.Constant(1))] if loop.reverse else [n]
            at = _marked(ast.Name(k, ast.Load()))
        head = [ast.Assign([clone(t)], ast.Subscript(_marked(q), clone(at), ast.Load()))
                for t, q in zip(loop.targets, seqs)]
        for h in head:
            ast.copy_location(h, s)
            ast.fix_missing_locations(h)
        self.grow_lists(s.body, out)  # lists it appends to: rows (passes/growing.py)
        body = self.loop_block(head + list(s.body))
        rng = ast.copy_location(ast.Call(ast.Name("range", ast.Load()),
                                         [self.keep(b, out) for b in bounds], []), s)
        new = ast.For(ast.Name(k, ast.Store()), rng, body, [], None)
        out.append(_tag(ast.copy_location(new, s), origin))

    def last_loop_value(self, s, args, out, origin):
        """``for i in range(a, b, step)`` whose ``i`` the function reads after the loop: Python
        leaves it at the last value, when the loop ran (``args``: the range's, normalized).

            for i in range(n): ...      ->      for i in range(n): ...
            y = x[i]                            if n > 0:
                                                    i = n - 1
        """
        v = s.target.id
        if not hasattr(self, "_read_after"):
            from ..frontend.aliases import live_after
            read = loops.read_after_loops(self.src.tree)
            self._read_after = {_place(st): names & read for st, names in
                                live_after(self.src.tree.body).items()} if read else {}
        if v not in self._read_after.get(_place(s), ()):
            return
        ends = [n for st in s.body for n in ast.walk(st) if isinstance(n, (ast.Break, ast.Return))]
        sets = [n for st in s.body for n in ast.walk(st) if isinstance(n, ast.Name)
                and n.id == v and not isinstance(n.ctx, ast.Load)]
        full = [ast.Constant(0)] + list(args) if len(args) == 1 else list(args)
        start, stop, step = full + [ast.Constant(1)] * (3 - len(full))
        step_value = loops.int_literal(step)
        if ends or sets or not isinstance(step_value, int) or step_value == 0:
            self.fail(s, f"the loop variable {v!r} read after a loop that "
                      + ("may end early" if ends else "sets it" if sets else
                         "steps by a number known only at run time"),
                      f"keep the value you need in a variable of your own ({v}_last = {v}).")

        def c(e):
            return clone(_marked(e))
        if step_value > 0:  # trips: (stop - start + step - 1) // step
            count = ast.BinOp(c(stop), ast.Sub(), c(start)) \
                if not (isinstance(start, ast.Constant) and start.value == 0) else c(stop)
            if step_value != 1:
                count = ast.BinOp(ast.BinOp(count, ast.Add(), ast.Constant(step_value - 1)),
                                  ast.FloorDiv(), ast.Constant(step_value))
        else:
            count = ast.BinOp(ast.BinOp(ast.BinOp(c(start), ast.Sub(), c(stop)), ast.Add(),
                                        ast.Constant(-step_value - 1)),
                              ast.FloorDiv(), ast.Constant(-step_value))
        last = ast.BinOp(c(start), ast.Add(), ast.BinOp(ast.BinOp(count, ast.Sub(),
                                                                  ast.Constant(1)),
                                                        ast.Mult(), ast.Constant(step_value)))
        self.origin = origin  # (the loop's: "grad of: for i in range(n):")
        if all(isinstance(x, ast.Constant) and type(x.value) is int for x in (start, stop)):
            trips = len(range(start.value, stop.value, step_value))
            if trips:
                out.append(self._assign(self.name(v), ast.Constant(
                    start.value + (trips - 1) * step_value), s))
            return
        cond = self.names.fresh("_cond")
        self.emit(out, cond, ast.Compare(clone(count), [ast.Gt()], [ast.Constant(0)]))
        body = [self._assign(self.name(v), last, s)]
        out.append(_tag(ast.copy_location(ast.If(ast.Name(cond, ast.Load()), body, []), s),
                        origin))

    def loop_block(self, stmts):
        """The body of a loop that runs a number of times known only at run time."""
        self.loop_depth = getattr(self, "loop_depth", 0) + 1
        try:
            return self.block(stmts)
        finally:
            self.loop_depth -= 1

    def list_append(self, call, out):
        """``lst.append(h)`` where ``lst`` holds a list literal: the name now holds one more
        element (a tuple variable of its own), so only where the number of appends is known
        when srcgrad reads the code: straight-line code and loops over tuples."""
        lst = call.func.value
        if lst.id in self.growing():  # appended to in a loop: rows (passes/growing.py)
            self.grow_append(lst.id, self.atom(call.args[0], out), out)
            return
        elts = self.elements(self.flat(lst, out)) if lst.id in self.locals else None
        if elts is None or len(call.args) != 1 or call.keywords:
            self.fail(call, f"{ast.unparse(call.func)}() of something that is not a list "
                      "built in the function", "start it as a list literal (hs = []) and "
                      "append one value at a time.")
        if getattr(self, "loop_depth", 0):
            self.fail(call, "append inside a loop that runs a number of times known only at "
                      "run time", "allocate an array with np.zeros(n) and fill it, or loop "
                      "over a tuple.")
        new = self.names.fresh(f"{self.name(lst.id)}_")
        self.bind_tuple(new, list(elts) + [self.atom(call.args[0], out)], out, call)
        self.rename[lst.id] = new

    def assign_from(self, target, atom, out):
        """``target = atom`` where ``atom`` is normalized already (a tuple element)."""
        self.assign(target, _marked(atom), out)

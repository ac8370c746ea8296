"""``for`` loops over sequences and functions defined inside a function: what a loop header
means and which nested functions there are, shared by the check stage (the ``Checks`` mixin)
and the normalizer (passes/sequences.py), which unrolls a loop over a tuple of known length
and turns a loop over an array into an index loop.

    for v in xs            ->  seqs [xs], targets [v]
    for i, v in enumerate(xs, 1)  ->  seqs [xs], targets [v], index i, start 1
    for a, (W, b) in zip(xs, params)  ->  seqs [xs, params], targets [a, (W, b)]
    for k, (a, b) in enumerate(zip(xs, ys))  ->  seqs [xs, ys], targets [a, b], index k
    for v in reversed(xs)  ->  seqs [xs], targets [v], reverse

    for i in reversed(range(n))        ->  for i in range(n - 1, -1, -1)      (unreversed)
    for i in reversed(range(a, b, 2))  ->  for i in range(a + (b - a - 1) // 2 * 2, a - 1, -2)
"""
import ast


class SequenceLoop:
    def __init__(self, seqs, targets, index=None, start=None, reverse=False):
        self.seqs, self.targets, self.index, self.start = seqs, targets, index, start
        self.reverse = reverse


def _is_call_of(node, fn, resolve):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and resolve(node.func) is fn


def int_literal(node):
    """2 or -1 written literally, else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = int_literal(node.operand)
        return None if v is None else -v
    return node.value if isinstance(node, ast.Constant) and type(node.value) is int else None


def is_int_list(node):
    """A list literal of integer literals (``[0, 2, -1]``): an index (``x[[0, 2]]``)."""
    return isinstance(node, ast.List) and bool(node.elts) and all(
        int_literal(e) is not None for e in node.elts)


def unreversed(it, resolve):
    """``reversed(range(...))`` as the ``range`` of the same indices in reverse order, a
    (node, construct, hint) problem when the step is not an integer literal, or ``it``
    itself when it is not that call.  Both branches of a step's sign give an empty range
    exactly when the original one is empty."""
    if not (_is_call_of(it, reversed, resolve) and len(it.args) == 1 and not it.keywords
            and is_range(it.args[0], resolve)):
        return it
    r = it.args[0]
    if _is_numba_prange(resolve(r.func)):
        return it, "reversed(prange(...))", "a prange loop's steps are independent: " \
            "write prange(...) itself."
    args = [ast.Constant(0)] + r.args if len(r.args) == 1 else list(r.args)
    a, b = args[0], args[1]
    step = int_literal(args[2]) if len(args) == 3 else 1
    if step is None or step == 0:
        return r, "reversed(range(a, b, step)) with a step that is not a nonzero integer " \
            "literal", "write the reversed range yourself: range(last, first - 1, -step)."

    def num(v):
        return ast.UnaryOp(ast.USub(), ast.Constant(-v)) if v < 0 else ast.Constant(v)

    def binop(x, op, y):
        return ast.BinOp(x, op, y)
    if step == 1:
        first = binop(b, ast.Sub(), ast.Constant(1))
        stop = num(-1) if isinstance(a, ast.Constant) and a.value == 0 \
            else binop(a, ast.Sub(), ast.Constant(1))
    elif step > 0:  # the last index a + k*step below b, down to a
        span = binop(binop(b, ast.Sub(), a), ast.Sub(), ast.Constant(1))
        first = binop(a, ast.Add(), binop(binop(span, ast.FloorDiv(), ast.Constant(step)),
                                          ast.Mult(), ast.Constant(step)))
        stop = binop(a, ast.Sub(), ast.Constant(1))
    else:  # the last index a - k*|step| above b, up to a
        span = binop(binop(a, ast.Sub(), b), ast.Sub(), ast.Constant(1))
        first = binop(a, ast.Sub(), binop(binop(span, ast.FloorDiv(), ast.Constant(-step)),
                                          ast.Mult(), ast.Constant(-step)))
        stop = binop(a, ast.Add(), ast.Constant(1))
    new = ast.Call(r.func, [first, stop, num(-step)], [])
    return ast.fix_missing_locations(ast.copy_location(new, it))


def is_range(it, resolve):
    """``range(...)``, or ``numba.prange(...)`` (a loop whose steps the user declared
    independent: see :func:`is_prange`)."""
    return isinstance(it, ast.Call) and isinstance(it.func, (ast.Name, ast.Attribute)) \
        and (resolve(it.func) is range or _is_numba_prange(resolve(it.func))) \
        and not it.keywords and 1 <= len(it.args) <= 3


def is_prange(it, resolve):
    return is_range(it, resolve) and _is_numba_prange(resolve(it.func))


def _is_numba_prange(obj):
    import numba
    return obj is numba.prange


def _target_ok(t):
    return isinstance(t, ast.Name) or (isinstance(t, (ast.Tuple, ast.List))
                                       and all(_target_ok(e) for e in t.elts))


def sequence_loop(node, resolve):
    """A :class:`SequenceLoop` for ``for`` statement ``node`` over something other than
    ``range``, or a (node, construct, hint) problem."""
    it, target = node.iter, node.target
    call = resolve(it.func) if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) else None
    if call is reversed:
        if it.keywords or len(it.args) != 1:
            return it, "reversed() with these arguments", "write reversed(seq)."
        inner = it.args[0]
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) \
                and resolve(inner.func) in (enumerate, zip, reversed):
            return it, f"reversed({inner.func.id}(...))", \
                "loop over range(len(xs) - 1, -1, -1) and index the sequences."
        if not _target_ok(target):
            return target, "this loop target", "loop into a name or a tuple of names."
        return SequenceLoop([inner], [target], reverse=True)
    if call is enumerate:
        if it.keywords or not 1 <= len(it.args) <= 2:
            return it, "enumerate() with these arguments", "write enumerate(seq) or enumerate(seq, start)."
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 2
                and isinstance(target.elts[0], ast.Name) and _target_ok(target.elts[1])):
            return target, "enumerate() without an (index, value) target", "write `for i, v in enumerate(seq):`."
        start = it.args[1] if len(it.args) > 1 else ast.Constant(0)
        inner = it.args[0]
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) \
                and resolve(inner.func) is zip:  # enumerate(zip(xs, ys))
            zipped = sequence_loop(ast.For(target.elts[1], inner, [], [], None), resolve)
            if not isinstance(zipped, SequenceLoop):
                return zipped
            return SequenceLoop(zipped.seqs, zipped.targets, target.elts[0], start)
        return SequenceLoop([inner], [target.elts[1]], target.elts[0], start)
    if call is zip and len(it.args) == 1 and isinstance(it.args[0], ast.Starred) \
            and not it.keywords:  # zip(*parts): parts a tuple of as many sequences as names
        if not (isinstance(target, (ast.Tuple, ast.List)) and target.elts
                and all(_target_ok(t) for t in target.elts)):
            return target, "zip(*...) without a tuple target", \
                "unpack one name per sequence: `for a, b in zip(*pairs):`."
        star = it.args[0].value
        loop = SequenceLoop([ast.copy_location(ast.Subscript(star, ast.Constant(j), ast.Load()),
                                               star) for j in range(len(target.elts))],
                            list(target.elts))
        loop.star = star  # (normalization checks its length: passes/sequences.py)
        return loop
    if call is zip:
        if it.keywords or not it.args:
            return it, "zip() with these arguments", "zip sequences: `for a, b in zip(xs, ys):`."
        if not (isinstance(target, ast.Tuple) and len(target.elts) == len(it.args)
                and all(_target_ok(t) for t in target.elts)):
            return target, "zip() with a target of another length", \
                f"unpack one name (or tuple) per sequence: {len(it.args)} of them."
        return SequenceLoop(list(it.args), list(target.elts))
    if not _target_ok(target):
        return target, "this loop target", "loop into a name or a tuple of names."
    return SequenceLoop([it], [target])


def read_after_loops(fdef):
    """The names of ``for`` loop variables that the function reads outside every loop
    binding them (``for i in range(n): ...`` then ``x[i]``: Python keeps the last value)."""
    targets = {n.target.id for n in ast.walk(fdef) if isinstance(n, ast.For)
               and isinstance(n.target, ast.Name)}
    found = set()

    def visit(node, bound):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                and node.id in targets and node.id not in bound:
            found.add(node.id)
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            visit(node.iter, bound)
            for st in node.body + node.orelse:
                visit(st, bound | {node.target.id})
            return
        for child in ast.iter_child_nodes(node):
            visit(child, bound)
    for st in fdef.body:
        visit(st, frozenset())
    return found


# ---- functions defined inside the differentiated function ------------------------------------
def local_functions(body):
    """``{name: FunctionDef}`` for the nested ``def`` statements and ``name = lambda ...``
    assignments at the top level of a function body (a lambda becomes a one-line ``def``).
    Calls to them are inlined where they are made, reading the enclosing function's variables
    as they are then (Python's late binding)."""
    found = {}
    for s in body:
        if isinstance(s, ast.FunctionDef):
            found[s.name] = s
        elif isinstance(s, ast.Assign) and len(s.targets) == 1 \
                and isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Lambda):
            found[s.targets[0].id] = lambda_def(s.targets[0].id, s.value)
    return found


def lambda_def(name, lam):
    """``lambda a, b: e`` as ``def name(a, b): return e``, at the lambda's position."""
    ret = ast.copy_location(ast.Return(lam.body), lam.body)
    fdef = ast.FunctionDef(name=name, args=lam.args, body=[ret], decorator_list=[],
                           returns=None, type_comment=None)
    return ast.copy_location(fdef, lam)


class Checks:
    """The check stage's part for loops over sequences and nested functions (mixed into
    frontend/check.py's checker, which gives ``bad``, ``visit`` and ``check_signature``)."""

    def visit_FunctionDef(self, node):
        """A ``def`` in the function's body: its calls are inlined; its body is checked here,
        and it may read the enclosing function's variables but not write into them."""
        if id(node) not in self.local_defs:
            self.bad(node, "a function defined inside a loop or a branch",
                     "define it at the top level of the function (or of the module).")
            return
        self.local_body(node)

    def local_body(self, fdef):
        self.check_signature(fdef)
        for d in fdef.args.defaults:  # inlined at each call that leaves it out
            if not (isinstance(d, ast.Constant) or (isinstance(d, ast.UnaryOp) and isinstance(
                    d.op, ast.USub) and isinstance(d.operand, ast.Constant))):
                self.bad(d, "a default value in a nested function that is not a literal",
                         "give it a literal number (or None, True, a string), or pass it.")
        own = {a.arg for a in fdef.args.args} | {
            t.id for st in fdef.body for t in ast.walk(st)
            if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        for st in fdef.body:
            for n in ast.walk(st):
                if isinstance(n, (ast.Subscript, ast.Name)) and isinstance(n.ctx, ast.Store) \
                        and isinstance(n, ast.Subscript):
                    base = n.value
                    while isinstance(base, ast.Subscript):
                        base = base.value
                    if isinstance(base, ast.Name) and base.id not in own:
                        self.bad(n, f"a write into {base.id!r} of the enclosing function",
                                 "return the new value from the nested function instead.")
            self.visit(st)

    def visit_ListComp(self, node):
        """``[f(v) for v in vs]``: one ``for`` clause; the sequence a tuple, a list of arrays,
        ``range`` (with literal bounds, or inside ``sum``), or an array inside ``sum``."""
        if len(node.generators) != 1:
            self.bad(node, "a comprehension with several `for` clauses", "nest loops instead.")
            return
        gen = node.generators[0]
        it = gen.iter
        if isinstance(it, ast.Call) and self.src.resolve(it.func) in (zip, enumerate):
            loop = sequence_loop(ast.For(gen.target, it, [], [], None), self.src.resolve)
            if not isinstance(loop, SequenceLoop):  # [a * b for a, b in zip(xs, ys)]: as a loop
                self.bad(*loop)
                return
            for seq in loop.seqs:
                for item in (seq.elts if isinstance(seq, ast.List) else [seq]):
                    self.visit(item)
            if loop.start is not None:
                self.visit(loop.start)
        else:
            for item in (it.elts if isinstance(it, ast.List) else [it]):
                self.visit(item)
        for c in gen.ifs:
            self.visit(c)
        self.visit(node.elt)

    def visit_Lambda(self, node):
        self.bad(node, "lambda outside an assignment `name = lambda ...`",
                 "name it (f = lambda x: ...) at the top of the function, or write a def.")

    def sequence_loop(self, node):
        """``for v in xs``, ``enumerate``, ``zip``, tuple targets: the sequences are read, the
        loop variables never written into (each may be a view of its sequence's element)."""
        loop = sequence_loop(node, self.src.resolve)
        if not isinstance(loop, SequenceLoop):
            self.bad(*loop)
            return
        for seq in loop.seqs:  # a literal list of arrays is a sequence like a tuple
            for item in (seq.elts if isinstance(seq, ast.List) else [seq]):
                self.visit(item)
        if loop.start is not None:
            self.visit(loop.start)
        names = {n.id for t in loop.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        for st in node.body:
            for n in ast.walk(st):
                t = n.target if isinstance(n, ast.AugAssign) else None
                stores = [t] if t is not None else (n.targets if isinstance(n, ast.Assign) else [])
                for tgt in stores:
                    base = tgt
                    while isinstance(base, ast.Subscript):
                        base = base.value
                    if isinstance(base, ast.Name) and base.id in names and base is not tgt \
                            or (isinstance(n, ast.AugAssign) and isinstance(tgt, ast.Name)
                                and tgt.id in names):
                        self.bad(n, f"a write into the loop variable {base.id!r}",
                                 "it may be a view of the sequence's element: copy it first "
                                 f"({base.id} = {base.id}.copy()) or write into the sequence.")

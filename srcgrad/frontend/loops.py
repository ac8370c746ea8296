"""``for`` loops over sequences and functions defined inside a function: what a loop header
means and which nested functions there are, shared by the check stage (the ``Checks`` mixin)
and the normalizer (passes/sequences.py), which unrolls a loop over a tuple of known length
and turns a loop over an array into an index loop.

    for v in xs            ->  seqs [xs], targets [v]
    for i, v in enumerate(xs, 1)  ->  seqs [xs], targets [v], index i, start 1
    for a, (W, b) in zip(xs, params)  ->  seqs [xs, params], targets [a, (W, b)]
    for k, (a, b) in enumerate(zip(xs, ys))  ->  seqs [xs, ys], targets [a, b], index k
"""
import ast


class SequenceLoop:
    def __init__(self, seqs, targets, index=None, start=None):
        self.seqs, self.targets, self.index, self.start = seqs, targets, index, start


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
        if fdef.args.defaults:
            self.bad(fdef, "default values in a nested function", "pass every argument.")
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
        for item in (gen.iter.elts if isinstance(gen.iter, ast.List) else [gen.iter]):
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

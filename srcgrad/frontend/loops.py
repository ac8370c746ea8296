"""``for`` loops over sequences: what a loop header means, shared by the check stage and the
normalizer (passes/normalize.py), which unrolls a loop over a tuple of known length and turns
a loop over an array into an index loop.

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
    return isinstance(it, ast.Call) and isinstance(it.func, ast.Name) \
        and resolve(it.func) is range and not it.keywords and 1 <= len(it.args) <= 3


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

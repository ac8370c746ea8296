"""Normalize, sequences: comprehensions and the built-ins that take a sequence.

    [f(W) for W in layers]            ->  a tuple of f(layers_0), f(layers_1)   (unrolled)
    sum(W * W for W in ws)            ->  ws_0 * ws_0 + ws_1 * ws_1             (a tuple)
    sum(x[i] ** 2 for i in range(n))  ->  _acc = 0.0; for i in range(n): _acc = _acc + x[i] ** 2
    sum(t), max(t), min(t)            ->  folded over the elements of a tuple

A comprehension over a tuple (or ``range`` with literal bounds) is unrolled, its variable
renamed per element, so it never clobbers a variable of the function (Python scopes it to
the comprehension).  ``sum`` of a comprehension over something longer only known at run time
(``range(n)``, an array) accumulates in a loop; a list of it is refused.
"""
import ast

from .clone import clone


def _literal_range(it, resolve):
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and resolve(it.func) is range \
            and all(isinstance(a, ast.Constant) and type(a.value) is int for a in it.args) \
            and 1 <= len(it.args) <= 3 and not it.keywords:
        return list(range(*[a.value for a in it.args]))
    return None


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
            atom = self.atom(seq, out)
            items = self.elements(atom)
            if items is None:
                return None
        from .normalize import _marked
        names = {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        result = []
        for item in items:
            saved = {v: (self.rename.get(v), v in self.locals) for v in names}
            for v in names:  # the comprehension's own variables, fresh per element
                self.rename[v] = self.names.fresh(f"{v}_c")
                self.locals.add(v)
            try:
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
            finally:
                for v, (old, was_local) in saved.items():
                    if old is None:
                        self.rename.pop(v, None)
                    else:
                        self.rename[v] = old
                    if not was_local:
                        self.locals.discard(v)
        return result

    def sequence_call(self, kind, e, out):
        """``sum(seq)``, ``max(seq)``, ``min(seq)`` of one sequence argument."""
        arg = e.args[0]
        if isinstance(arg, (ast.ListComp, ast.GeneratorExp)):
            items = self.comprehension(arg, out)
            if items is None:
                if kind != "sum":
                    self.fail(e, f"{kind}() of a comprehension over a run-time length",
                              "loop and keep the running extreme with np.maximum/np.minimum.")
                return self.accumulate(arg, e, out)
        else:
            seq = arg
            if isinstance(seq, ast.List):
                seq = ast.copy_location(ast.Tuple(seq.elts, ast.Load()), seq)
            items = self.elements(self.atom(seq, out)) if not isinstance(seq, ast.Tuple) else \
                [self.atom(x, out) for x in seq.elts]
            if items is None:  # an array: NumPy's reduction along the first axis
                func = {"sum": "sum", "max": "max", "min": "min"}[kind]
                node = ast.copy_location(ast.Call(
                    ast.Attribute(ast.Name("np", ast.Load()), func, ast.Load()),
                    [arg], [ast.keyword("axis", ast.Constant(0))]), e)
                return self.flat(node, out)
        if not items:
            if kind == "sum":
                return ast.Constant(0)
            self.fail(e, f"{kind}() of an empty sequence", "Python raises ValueError there.")
        from .normalize import _marked
        acc = _marked(items[0])
        for it in items[1:]:
            if kind == "sum":
                acc = self.atom(ast.copy_location(ast.BinOp(acc, ast.Add(), _marked(it)), e), out)
            else:
                fn = ast.Name("max" if kind == "max" else "min", ast.Load())
                call = ast.copy_location(ast.Call(fn, [acc, _marked(it)], []), e)
                acc = self.atom(call, out)
            acc = _marked(acc)
        return acc

    def accumulate(self, gen_expr, e, out):
        """``sum(elt for t in seq)`` over a run-time length: a loop adding into a float."""
        from .normalize import _marked
        acc = self.names.fresh("_acc")
        self.emit(out, acc, ast.Constant(0.0))
        gen = gen_expr.generators[0]
        target = _marked(ast.Name(acc, ast.Load()))
        add = ast.Assign([ast.Name(acc, ast.Store())],
                         ast.BinOp(target, ast.Add(), gen_expr.elt))
        body = [add]
        for cond in reversed(gen.ifs):
            body = [ast.If(cond, body, [])]
        loop = ast.For(gen.target, gen.iter, body, [], None)
        for n in [loop, add, *body]:
            ast.copy_location(n, e)
        ast.fix_missing_locations(loop)
        self.locals.add(acc)
        names = {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        saved = {v: (self.rename.get(v), v in self.locals) for v in names}
        for v in names:  # the comprehension's variables are its own, as in Python
            self.rename[v] = self.names.fresh(f"{v}_c")
            self.locals.add(v)
        try:
            self.stmt(loop, out)
        finally:
            for v, (old, was_local) in saved.items():
                if old is None:
                    self.rename.pop(v, None)
                else:
                    self.rename[v] = old
                if not was_local:
                    self.locals.discard(v)
        return _marked(ast.Name(acc, ast.Load()))

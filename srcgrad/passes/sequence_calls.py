"""Normalize, reductions of sequences: ``sum(seq)``, ``max(seq)`` and ``min(seq)`` of a tuple,
a list comprehension or a generator expression (a mixin of the normalizer, beside
passes/sequences.py).

    s = sum(a * b for a, b in zip(x, y))     ->     _acc = 0.0
                                                    for a_c1, b_c2 in zip(x, y):
                                                        _acc = _acc + a_c1 * b_c2
                                                    s = _acc
    m = max(t)   (t a tuple (a, b, c))       ->     _t1 = max(a, b); m = max(_t1, c)

A generator's variables are its own (renamed), and its first sequence is read in the
function's scope, as Python reads it.
"""
import ast

from .clone import clone
from .walk import marked as _marked


class SequenceCalls:
    """Mixed into the normalizer."""

    def _iter_outside(self, gen, out):
        """``gen`` whose sequence reads no name its own variables hide: Python reads a
        generator's first sequence in the enclosing scope (``sum(a * b for a, b in zip(a,
        c))`` zips the function's ``a``), so each such name is read into a fresh one first."""
        own = {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        reads = sorted({n.id for n in ast.walk(gen.iter) if isinstance(n, ast.Name)
                        and isinstance(n.ctx, ast.Load) and n.id in own})
        if not reads:
            return gen
        fresh = {}
        for v in reads:
            fresh[v] = self.names.fresh(f"{v}_outer")
            self.locals.add(fresh[v])
            self.assign(ast.copy_location(ast.Name(fresh[v], ast.Store()), gen.iter),
                        ast.copy_location(ast.Name(v, ast.Load()), gen.iter), out)
        it = clone(gen.iter)
        for n in ast.walk(it):
            if isinstance(n, ast.Name) and n.id in fresh:
                n.id = fresh[n.id]
        return ast.comprehension(gen.target, it, gen.ifs, 0)

    def sequence_call(self, kind, e, out):
        """``sum(seq)``, ``max(seq)``, ``min(seq)`` of one sequence argument."""
        arg = e.args[0]
        if isinstance(arg, (ast.ListComp, ast.GeneratorExp)):
            items = self.comprehension(arg, out)
            if items is None:
                if kind != "sum":
                    return self.extreme(arg, kind, e, out)
                return self.accumulate(arg, e, out)
        else:
            seq = arg
            if isinstance(seq, ast.List):
                seq = ast.copy_location(ast.Tuple(seq.elts, ast.Load()), seq)
            atom = self.atom(seq, out) if not isinstance(seq, ast.Tuple) else None
            if atom is not None and self.dict_keys(atom) is not None:
                self.fail(e, f"{kind}() of a dict, which iterates its keys",
                          f"write {kind}(d.values()) for its values.")
            items = self.elements(atom) if atom is not None else \
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
        acc = self.names.fresh("_acc")
        self.emit(out, acc, ast.Constant(self._start(gen_expr.elt)))
        gen = self._iter_outside(gen_expr.generators[0], out)
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
        with self._own_names({n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}):
            self.stmt(loop, out)
        return _marked(ast.Name(acc, ast.Load()))

    def _start(self, elt):
        """The accumulator's first value: 0 for items that are surely integers (``len(a)``,
        ``int(v > 0)``, ``x.shape[0]``: the result then stays one, as Python's does, and can
        index), else 0.0."""
        if isinstance(elt, ast.Call) and isinstance(elt.func, ast.Name) \
                and self._resolve_global(elt.func) in (len, int):
            return 0
        if isinstance(elt, ast.Subscript) and isinstance(elt.value, ast.Attribute) \
                and elt.value.attr == "shape":
            return 0
        return 0.0

    def extreme(self, gen_expr, kind, e, out):
        """``max(elt for t in seq)`` (or ``min``) over a run-time length: a loop keeping the
        first largest (smallest) item, as Python's does (a later item replaces it only when
        strictly greater, so a NaN first stays), and Python's ValueError when there is none.
        The derivative is the kept item's."""
        acc, count, item = (self.names.fresh(n) for n in ("_acc", "_count", "_item"))
        self.emit(out, acc, ast.Constant(self._start(gen_expr.elt)))
        self.emit(out, count, ast.Constant(0))
        gen = self._iter_outside(gen_expr.generators[0], out)
        op = ast.Gt() if kind == "max" else ast.Lt()

        def name(v, ctx=ast.Load):
            return ast.Name(v, ctx())
        keep = ast.If(ast.Compare(name(count), [ast.Eq()], [ast.Constant(0)]),
                      [ast.Assign([name(acc, ast.Store)], name(item))],
                      [ast.If(ast.Compare(name(item), [op], [name(acc)]),
                              [ast.Assign([name(acc, ast.Store)], name(item))], [])])
        body = [ast.Assign([name(item, ast.Store)], gen_expr.elt), keep,
                ast.Assign([name(count, ast.Store)],
                           ast.BinOp(name(count), ast.Add(), ast.Constant(1)))]
        for cond in reversed(gen.ifs):
            body = [ast.If(cond, body, [])]
        loop = ast.For(gen.target, gen.iter, body, [], None)
        empty = ast.If(ast.Compare(name(count), [ast.Eq()], [ast.Constant(0)]), [ast.Raise(
            ast.Call(ast.Name("ValueError", ast.Load()),
                     [ast.Constant(f"{kind}() arg is an empty sequence")], []), None)], [])
        for st in (loop, empty):
            for n in ast.walk(st):
                if isinstance(n, (ast.stmt, ast.expr)) and not hasattr(n, "lineno"):
                    ast.copy_location(n, e)
            ast.fix_missing_locations(st)
        self.locals |= {acc, count, item}
        with self._own_names({n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}):
            self.stmt(loop, out)
        self.stmt(empty, out)
        return _marked(ast.Name(acc, ast.Load()))

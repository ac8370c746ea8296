"""Reverse mode, the adjoint of one assignment: each operand's cotangent from the rule of its
primitive (passes/emitrules.py instantiates the rule's template), summed into the operand's
adjoint; element writes, reads through integer arrays, and the reset of an overwritten value's
adjoint.  Mixed into ``ReverseGen`` (passes/reverse.py).

    y = x * w        ->   bx += by * w ; bw += np.sum(by * x)     (w a float, x an array)
    y[i] = a         ->   ba += by[i] ; by[i] = 0.0
"""
import ast

from ..errors import Location, Problem, UnsupportedError
from .activity import deps_of
from .clone import clone
from .common import _assign, _call, _name, _without_new_axes, operands, prim_rule
from .emitrules import instantiate
from .types import FLOAT, INT, _Infer, is_array, is_scalar, ndim


class Adjoints:
    def accumulate(self, v, expr):
        if v in self.single_use and v not in self.assigned_now:
            self.assigned_now.add(v)  # its only use: the adjoint is this contribution
            if is_array(self.kinds.get(v)) and isinstance(expr, (ast.Name, ast.Subscript)):
                expr = _call("np.copy", expr)  # never alias another adjoint array
            return _assign(self.adj[v], expr)
        return ast.AugAssign(_name(self.adj[v], ast.Store()), ast.Add(), expr)

    def kind_of(self, e):
        if isinstance(e, ast.Name):
            return self.kinds.get(e.id)
        if isinstance(e, ast.Constant):
            return INT if isinstance(e.value, int) and not isinstance(e.value, bool) else FLOAT
        if isinstance(e, (ast.Call, ast.Subscript, ast.BinOp)):
            k = _Infer(self.kinds).expr(e)  # (with its dtype: an index kept whole, IDX[0:3])
            if k is None and isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name):
                k = self.elem_kind(e)
            return k
        return None

    def contributions(self, s, g):
        """[(operand variable, cotangent expression)] of ``target = value``."""
        v = s.targets[0].id
        value = s.value
        if isinstance(value, ast.Name):
            return [(value.id, g)] if value.id in self.active else []
        prim, args = operands(value)
        if prim is None:
            return []
        arg_kinds = [self.kind_of(a) for a in args]
        rule = prim_rule(prim, arg_kinds)
        arg_names = {a.id for a in args if isinstance(a, ast.Name)}
        ans = clone(value) if v in arg_names else _name(v)
        subst = {"g": g, "ans": ans}
        subst.update({p: a for p, a in zip(rule.params, args)})
        subst.update({k: _name(n) for k, n in getattr(value, "rule_names", {}).items()})
        n_arrays = sum(1 for p, k in zip(rule.params, arg_kinds) if rule.vjp.get(p) and is_array(k))
        out = []
        for p, a, k in zip(rule.params, args, arg_kinds):
            if not (isinstance(a, ast.Name) and a.id in self.active) or p not in rule.vjp_ast:
                continue
            expr = instantiate(rule.vjp_ast[p], subst, self.kind_of)
            if rule.elementwise and is_array(self.kinds.get(v)):
                if is_scalar(k):
                    expr = _call("np.sum", expr)
                elif n_arrays > 1 or (prim == "where" and is_array(arg_kinds[0])):
                    expr = _call("unbroadcast", expr, _name(a.id))
            out.append((a.id, expr))
        return out

    def adjoint_assign(self, s):
        v = s.targets[0].id
        pop = self.pop_value(v, s) if self.needs_push(v, s) else []
        if v not in self.active:
            return pop
        bv = _name(self.adj[v])
        if isinstance(s.value, ast.Subscript):
            base = s.value.value.id
            if base not in self.active:
                return pop + self.reset(v, s)
            init = []
            if base in self.single_use and base not in self.assigned_now:
                self.assigned_now.add(base)  # its only use adds into part of it: start at 0
                init = [_assign(self.adj[base], self.zero_of(self.kinds.get(base), base))]
            return init + self._getitem_adjoint(s, base, bv, v, pop)
        contribs = self.contributions(s, bv)
        parts, contribs = self._one_call(contribs, bv)
        self_terms = [e for u, e in contribs if u == v]
        others = [self.accumulate(u, e) for u, e in contribs if u != v]
        if not any(u == v for u, _ in contribs) and v not in deps_of(s.value):
            return parts + others + pop + self.reset(v, s)
        # the target is also an operand (x = x * y): restore x first, update bx last
        code = pop + parts + others
        if not self_terms:
            return code + [_assign(self.adj[v], self.zero_of(self.kinds.get(v), v))]
        if len(self_terms) == 1 and isinstance(self_terms[0], ast.Name) and self_terms[0].id == bv.id:
            return code  # x = x + t: bx passes through unchanged
        total = self_terms[0]
        for e in self_terms[1:]:
            total = ast.BinOp(total, ast.Add(), e)
        return code + [_assign(self.adj[v], total)]

    def _one_call(self, contribs, bv):
        """A rule whose cotangents are the parts of one call's result (a checkpoint's, a
        user's rule: ``VJP_RULE(x, W, g)[i]``) calls it once: ``bh_parts = ...`` first."""
        calls = [e.value for _, e in contribs if isinstance(e, ast.Subscript)
                 and isinstance(e.value, ast.Call) and isinstance(e.slice, ast.Constant)]
        dumps = [ast.dump(c) for c in calls]
        if len(calls) < 2 or len(set(dumps)) != 1:
            return [], contribs
        name = self.names.exact_or_fresh(f"{bv.id}_parts")
        out = [(u, ast.Subscript(_name(name), e.slice, ast.Load())
                if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Call)
                and ast.dump(e.value) == dumps[0] else e) for u, e in contribs]
        return [_assign(name, calls[0])], out

    def _getitem_adjoint(self, s, base, bv, v, pop):
        fancy = self.fancy_index(s, s.value.slice, pairs=True, rank=ndim(self.kinds.get(base)))
        if fancy == "pairs":  # P[rows, cols]: each (row, col) pair adds up, repeated or not
            i, j = (self._index_array(p, other) for p, other in
                    zip(s.value.slice.elts, reversed(s.value.slice.elts)))
            acc = _assign(self.adj[base], _call("add_at_pairs", _name(self.adj[base]), i, j, bv))
            return [acc] + pop + self.reset(v, s)
        if fancy == "cols":  # A[:, idx]: each column adds up where it was taken
            acc = _assign(self.adj[base], _call("scatter_add_cols", _name(self.adj[base]),
                                                clone(s.value.slice.elts[1]), bv))
            return [acc] + pop + self.reset(v, s)
        if fancy:  # repeated indices add up
            acc = _assign(self.adj[base], _call("scatter_add", _name(self.adj[base]),
                                                clone(fancy), bv))
            return [acc] + pop + self.reset(v, s)
        index, bv = _without_new_axes(s.value.slice, bv)  # x[:, None]: bx[:] += bv[:, 0]
        sub = ast.Subscript(_name(self.adj[base]), index, ast.Store())
        return [ast.AugAssign(sub, ast.Add(), bv)] + pop + self.reset(v, s)

    def fancy_index(self, s, index, pairs=False, rank=None):
        """The integer array (whose entries may repeat) ``index`` picks rows with: alone
        (``x[idx]``) or before full slices (``W[idx, :]``); with ``pairs``, "pairs" for
        ``P[rows, cols]`` (two 1-D arrays, or one and a number) and "cols" for ``A[:, idx]``
        (a matrix: ``rank`` 2); False for no integer array.  Other mixes are refused at their
        line."""
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        kinds = [self.kind_of(p) if not isinstance(p, ast.Slice) else None for p in parts]
        ints = [k for k in kinds if is_array(k) and k[2] == "i"]
        if not ints:
            return False
        full = [isinstance(p, ast.Slice) and p.lower is None and p.upper is None
                and p.step is None for p in parts]
        if ints[0][1] == 1 and kinds[0] is ints[0] and all(full[1:]):
            return parts[0]
        if pairs and rank == 2 and len(parts) == 2 and full[0] and kinds[1] is ints[0] \
                and ints[0][1] == 1:
            return "cols"
        if pairs and len(parts) == 2 and all(
                (is_array(k) and k[2] == "i" and k[1] == 1) or k == INT for k in kinds):
            return "pairs"
        raise UnsupportedError([Problem(
            Location(self.origin_file, getattr(s, "lineno", 0), getattr(s, "col_offset", 0),
                     getattr(s, "origin", "")),
            f"indexing with an integer array combined with other indices ({ast.unparse(index)})",
            "index with one 1-D integer array (x[idx]), or loop over the indices.")])

    def _index_array(self, p, other):
        """Index ``p`` of a pair as an array: a number repeated as long as ``other``."""
        if is_array(self.kind_of(p)):
            return clone(p)
        n = ast.Subscript(ast.Attribute(clone(other), "shape", ast.Load()), ast.Constant(0),
                          ast.Load())
        return _call("np.full", n, clone(p))

    def reset(self, v, s):
        """After a definition's adjoint, the adjoint of the overwritten value starts at 0."""
        if not getattr(s, "redefines", True) or v in self.single_use:
            return []
        k = self.kinds.get(v)
        if is_array(k):
            return [_assign(self.adj[v], _call("np.zeros_like", _name(v)))]
        return [_assign(self.adj[v], ast.Constant(0.0))]

    def adjoint_setitem(self, s):
        t = s.targets[0]
        y = t.value.id
        pop = []
        if self.restore.needed(y, s, values=True):  # its elements were saved (forward sweep)
            what = "slice" if is_array(self.elem_kind(t)) else "elem"
            pop = [_assign(ast.Subscript(_name(y), clone(t.slice), ast.Store()),
                           self.saved(s, y, what))]
        if y not in self.active:
            return pop
        by_elem = ast.Subscript(_name(self.adj[y]), clone(t.slice), ast.Load())
        fancy = self.fancy_index(s, t.slice, pairs=True, rank=ndim(self.kinds.get(y)))
        # of a repeated index (row, pair of indices, column), only the last write survives
        if fancy == "pairs" and ndim(self.kinds.get(y)) != 2:
            raise UnsupportedError([Problem(
                Location(self.origin_file, getattr(s, "lineno", 0), getattr(s, "col_offset", 0),
                         getattr(s, "origin", "")),
                f"a write through two integer arrays into an array of rank "
                f"{ndim(self.kinds.get(y))} ({ast.unparse(t)})",
                "write through them into a matrix, or loop over the indices.")])
        if fancy == "pairs":
            by_elem = _call("gather_last_pairs", _name(self.adj[y]),
                            *(self._index_array(p, other) for p, other in
                              zip(t.slice.elts, reversed(t.slice.elts))))
        elif fancy == "cols":
            by_elem = _call("gather_last_cols", _name(self.adj[y]), clone(t.slice.elts[1]))
        elif fancy:
            by_elem = _call("gather_last", _name(self.adj[y]), clone(fancy))
        code = []
        a = s.value
        if isinstance(a, ast.Name) and a.id in self.active:
            ek, ak = self.elem_kind(t), self.kinds.get(a.id)
            expr = clone(by_elem)
            if is_array(ek) and is_scalar(ak):
                expr = _call("np.sum", expr)
            elif is_array(ek) and is_array(ak):
                # a copy: the slice of the adjoint is a view, and is cleared just below
                expr = _call("unbroadcast", _call("np.copy", expr), _name(a.id))
            code.append(self.accumulate(a.id, expr))
        zero = ast.Subscript(_name(self.adj[y]), clone(t.slice), ast.Store())
        code.append(_assign(zero, ast.Constant(0.0)))
        return code + pop

"""Normalize, lists that grow in a loop: a list local appended to inside a loop that runs a
number of times known only at run time (``range(n)``, ``while``, a loop over an array's rows)
is an array of rows that doubles its capacity when full, and a count of the rows in use.

    hs = []                        hs = () ; hs_n = 0 ; hs_rows = np.zeros((0, 0))
    for t in range(T):      ->     for t in range(T):
        h = np.tanh(W @ h)             h = np.tanh(W @ h)
        hs.append(h)                   _cond1 = hs_n == hs_rows.shape[0]
                                       if _cond1:
                                           hs_rows = rows_grown(hs_rows, h)
                                       hs_rows[hs_n] = h
                                       hs_n = hs_n + 1
    np.stack(hs), np.array(hs)     hs_rows[0:hs_n]
    sum(hs)                        np.sum(hs_rows[0:hs_n], axis=0)
    hs[-1], hs[0], hs[i]           hs_rows[hs_n - 1], hs_rows[0], hs_rows[0:hs_n][i]
    len(hs), for v in hs           len(hs_rows[0:hs_n]), a loop over the rows
    return hs                      hs_rows[0:hs_n]: the elements stacked, one array

Every element must have one shape (as np.stack needs).  The rows' rank comes from the
appended value's kind: the first normalization leaves a placeholder ``rows_append(h)`` that
the kinds pass types, and the second writes the code above (passes/einsum.py ``rank_sites``
does the same for np.tensordot).  Growing by doubling keeps appends O(1) on average; the
adjoint of a growth is the old rows' part of the new rows' adjoint (runtime/rows.py).
"""
import ast
import collections

import numpy as np

from .walk import marked as _marked, tag as _tag


def _appends(stmts):
    """{list name: its first ``name.append(v)`` call} in ``stmts`` (not in nested defs)."""
    found, todo = {}, collections.deque(stmts)
    while todo:
        n = todo.popleft()
        if isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr == "append" and isinstance(n.func.value, ast.Name) \
                and len(n.args) == 1 and not n.keywords:
            found.setdefault(n.func.value.id, n)
        todo.extend(ast.iter_child_nodes(n))
    return found


def _name(n):
    return _marked(ast.Name(n, ast.Load()))


class Growing:
    """Mixed into the normalizer."""

    def growing(self):
        return self.__dict__.setdefault("_growing", {})

    def grow_lists(self, stmts, out, parallel=None):
        """Before a loop that runs a number of times known only at run time: each list local
        (a list literal, maybe appended to already) that the loop appends to becomes rows,
        their count and the elements it holds written to ``out``, before the loop.
        ``parallel``: the loop, if it is a prange loop (whose steps run in any order)."""
        if self.src.internal:
            return
        for name, call in _appends(stmts).items():
            if name not in self.locals:
                continue
            if parallel is not None:
                self.fail(call, f"{name}.append() in a prange loop (its steps run in any "
                          "order, on several threads)", "allocate an array before the loop "
                          "and write step t's value into row t.")
            if name in self.growing():
                continue
            elts = self.elements(self.load_name(ast.Name(name, ast.Load())))
            if elts is None:
                continue  # not a list built here: refused at the append (sequences.py)
            base = self.name(name)
            rows, count = self.names.fresh(f"{base}_rows"), self.names.fresh(f"{base}_n")
            self.growing()[name] = (rows, count, (self.src.filename, call.lineno,
                                                  call.col_offset), call)
            self.restart_rows(name, elts, out)

    def restart_rows(self, name, elts, out):
        """``name = [a, b]`` for a list that grows: no rows in use, then each element."""
        rows, count, _, call = self.growing()[name]
        self.emit(out, count, ast.Constant(0))
        rank = self._rows_rank(name)
        if rank is not None:
            empty = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "zeros", ast.Load()),
                             [ast.Tuple([ast.Constant(0)] * (rank + 1), ast.Load())], [])
            self.emit(out, rows, ast.copy_location(empty, call))
        for e in elts:
            self.grow_append(name, e, out)

    def _rows_rank(self, name):
        ranks = (self.ranks or {}).get(self.growing()[name][2])
        return None if ranks is None else ranks[0]

    def grow_append(self, name, value, out):
        """``name.append(value)`` (``value`` an atom) for a list that grows."""
        rows, count, key, call = self.growing()[name]
        if self._rows_rank(name) is None:  # the first normalization: a placeholder
            node = ast.copy_location(ast.Call(ast.Name("rows_append", ast.Load()), [value], []),
                                     call)
            node.rank_site, node.rank_origin, node.rows_append = key, (self.src, call), True
            self.emit(out, rows, node)
        else:
            cond = self.names.fresh("_cond")
            full = ast.Compare(_name(count), [ast.Eq()], [ast.Subscript(
                ast.Attribute(_name(rows), "shape", ast.Load()), ast.Constant(0), ast.Load())])
            self.emit(out, cond, ast.copy_location(full, call))
            grown = self._prim_call_node("rows_grown", [_name(rows), value], call)
            out.append(_tag(ast.copy_location(ast.If(_name(cond), [
                self._assign(rows, grown, call)], []), call), self.origin))
            target = ast.Subscript(_name(rows), _name(count), ast.Store())
            out.append(self._assign(ast.copy_location(target, call), value, call))
        more = ast.BinOp(_name(count), ast.Add(), ast.Constant(1))
        more.prim = "add"
        self.emit(out, count, ast.copy_location(more, call))

    def rows_in_use(self, name, like):
        """``rows[0:count]``: the list's elements stacked (an operation over atoms)."""
        rows, count, _, _ = self.growing()[name]
        node = ast.Subscript(_name(rows), ast.Slice(ast.Constant(0), _name(count), None),
                             ast.Load())
        node.prim = "getitem"
        return ast.copy_location(node, like)

    def grown_item(self, e, out):
        """``hs[k]`` for a constant ``k``: the row itself (hs[-1]: rows[count - 1]); None for
        any other read."""
        if not (isinstance(e.value, ast.Name) and e.value.id in self.growing()
                and isinstance(e.slice, ast.Constant) and type(e.slice.value) is int):
            return None
        rows, count, _, _ = self.growing()[e.value.id]
        k = e.slice.value
        if k < 0:
            at = ast.BinOp(_name(count), ast.Sub(), ast.Constant(-k))
            at.prim = "sub"
            t = self.temp()
            self.emit(out, t, ast.copy_location(at, e))
            index = _name(t)
        else:
            index = ast.Constant(k)
        node = ast.Subscript(_name(rows), index, ast.Load())
        node.prim = "getitem"
        return ast.copy_location(node, e)

    def growing_call(self, obj, e, out):
        """A call of ``obj`` on a list that grows in a loop (``e.args[0]``): ``sum(hs)``,
        ``np.stack(hs)``/``np.array(hs)``, ``np.vstack`` of vectors (the rows array itself);
        None for other calls."""
        if obj in (max, min) and (self._rows_rank(e.args[0].id) or 0) > 0:
            self.fail(e, f"{obj.__name__}() of a list of arrays (Python cannot compare arrays "
                      "as wholes)", f"write np.{obj.__name__}(np.stack(...), axis=0) for the "
                      "largest or smallest entry at each position.")
        if obj is sum and not e.keywords:
            return self.prim_call("sum", ast.Attribute(ast.Name("np", ast.Load()), "sum", ast.Load()),
                                  [e.args[0], ast.Constant(0)], [],
                                  e, out)
        if obj in (np.stack, np.array, np.asarray) and all(
                k.arg == "axis" and isinstance(k.value, ast.Constant) and k.value.value == 0
                for k in e.keywords):
            return self.flat(e.args[0], out)
        if obj is np.vstack and not e.keywords:  # of vectors: their stack
            if self._rows_rank(e.args[0].id) not in (None, 1):
                self.fail(e, f"np.vstack() of a list of {self._rows_rank(e.args[0].id)}-D "
                          "values that grows in a loop", "np.vstack of vectors (np.stack), or "
                          "np.concatenate of arrays built another way.")
            return self.flat(e.args[0], out)
        return None

"""Normalize, tuples: each element of a tuple variable is a variable of its own.

    x = a, b, c          x_0 = a; x_1 = b; x_2 = c; x = (x_0, x_1, x_2)
    y = x[1]       ->    y = x_1
    z = x[i]             raise IndexError unless -3 <= i < 3; z = x_0 / x_1 / x_2 by branches
    p, q, r = x          p = x_0; q = x_1; r = x_2
    y[0], y[1] = y[1], y[0]   _t1 = y[1]; _t2 = y[0]; y[0] = _t1; y[1] = _t2

so the derivative of each element is tracked on its own (a tuple value itself is never
active), and indexing by a variable sends the derivative only to the element it read.
"""
import ast

from ..errors import UnsupportedError
from ..frontend.aliases import aliased_name
from .clone import clone
from .common import _call
from .walk import marked as _marked


def _tag(stmt, origin):
    stmt.origin = origin
    return stmt


class TupleParts:
    """Mixed into the normalizer; ``self.tuples`` maps a tuple variable to its element names."""

    def elements(self, e):
        """The element atoms of a tuple value (a literal, or a tuple variable), else None."""
        if isinstance(e, ast.Tuple):
            return list(e.elts)
        if isinstance(e, ast.Name) and e.id in self.tuples:
            out = [ast.Name(n, ast.Load()) for n in self.tuples[e.id]]
            for n in out:
                n.normalized = True  # atoms already: never read again as the user's names
            return out
        return None

    def bind_tuple(self, target, elts, out, like):
        """``x = a, b`` becomes ``x_0 = a; x_1 = b; x = (x_0, x_1)``: the elements are
        variables of their own, so their derivatives are tracked one by one."""
        names = self.tuples.get(target)
        if names is None:
            names = [self.names.exact_or_fresh(f"{target}_{k}") for k in range(len(elts))]
            self.tuples[target] = names
        elif len(names) != len(elts):
            self.fail(like, f"{target} holds tuples of lengths {len(names)} and {len(elts)}",
                      "give tuples of different lengths different names.")
        atoms = [self._snapshot(a, out) if isinstance(a, ast.Name) and a.id in names else a
                 for a in elts]  # atoms already; x = x[1], x[0]: read all, then write
        for n, a in zip(names, atoms):
            inner = self.elements(a)
            if inner is not None:  # a tuple of tuples (layers of (W, b)): bound all the way
                self.bind_tuple(n, inner, out, like)
                self.keep_keys(n, a)  # (a dict inside a dict argument: read by key too)
            else:
                self.emit(out, n, a)
        self.emit(out, target, ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load()))

    def set_item(self, target, value, out):
        """``hs[k] = v`` of a list held as its elements (``hs = [a, b]``): element ``k`` is
        bound again (and the list with it); a run-time index is refused."""
        base = self.name(target.value.id)
        names = self.tuples[base]
        index = target.slice
        k = index.value if isinstance(index, ast.Constant) and type(index.value) is int else (
            -index.operand.value if isinstance(index, ast.UnaryOp) and isinstance(
                index.op, ast.USub) and isinstance(index.operand, ast.Constant)
            and type(index.operand.value) is int else None)
        if k is None or not -len(names) <= k < len(names):
            self.fail(target, f"{ast.unparse(target)} = ... (an item of the list "
                      f"{target.value.id} by {'a run-time' if k is None else 'an out-of-range'}"
                      " index)", "build a new list, or keep the values in an array "
                      "(np.zeros(n)) and write into it.")
        atom = self.atom(value, out)
        inner = self.elements(atom)
        if inner is not None:
            self.bind_tuple(names[k], inner, out, target)
        else:
            self.emit(out, names[k], atom)
        self.emit(out, base, ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load()))

    def dict_keys(self, e):
        """The keys of the dict argument the tuple variable ``e`` holds the values of (a
        helper given the whole dict: srcgrad/pytree.py), else None."""
        return self.tuples.get(("keys", e.id)) if isinstance(e, ast.Name) else None

    def as_iterated(self, e):
        """What iterating ``e`` gives: a dict argument's keys (``for k in p``, ``a, b = p``,
        ``list(p)``: Python iterates a dict's keys), else ``e`` itself."""
        keys = self.dict_keys(e)
        if keys is None:
            return e
        return ast.Tuple([ast.Constant(k) for k in keys], ast.Load())

    def keep_keys(self, target, value):
        """The tuple variable ``target`` holds ``value`` (a tuple literal or variable): the
        keys of the dict argument it is the values of go with it."""
        keys = getattr(value, "dict_keys", None) or self.dict_keys(value)
        if keys is not None:
            self.tuples[("keys", target)] = keys

    def dict_view(self, obj, e, out):
        """``p.items()``, ``p.keys()``, ``p.values()`` and ``len(p)`` of a tuple variable
        holding a dict argument's values (a helper given the whole dict): tuples of its
        (key, value) pairs, keys or values, and its length; None for other calls."""
        f = e.func
        name = f.value if isinstance(f, ast.Attribute) and f.attr in ("items", "keys", "values") \
            and not e.args and not e.keywords else \
            e.args[0] if obj is len and len(e.args) == 1 and not e.keywords else None
        root = name
        while isinstance(root, ast.Subscript) and isinstance(root.slice, ast.Constant):
            root = root.value  # p["extra"].items(): a path of constant keys into it
        if not isinstance(root, ast.Name) or root.id not in self.locals or \
                self.elements(self.load_name(root)) is None:
            return None
        base = self.flat(name, out)
        keys, elts = self.dict_keys(base), self.elements(base)
        if keys is None or elts is None:
            return None
        if obj is len:
            return ast.Constant(len(keys))
        consts = [ast.Constant(k) for k in keys]
        return ast.Tuple({"keys": consts, "values": list(elts),
                          "items": [ast.Tuple([k, v], ast.Load()) for k, v in zip(consts, elts)]
                          }[f.attr], ast.Load())

    def tuple_item(self, elts, e, out, keys=None):
        """``x[k]`` of a tuple: the element; ``x[i]`` for a variable ``i``: a branch per
        element (so each element's derivative flows only from the one read); ``p["W"]`` of
        a dict argument's values (``keys``): the value at that key's position."""
        n = len(elts)
        index = e.slice
        if isinstance(index, ast.Constant) and not isinstance(index.value, (int, bool)):
            if keys is None or index.value not in keys:
                self.fail(e, f"{ast.unparse(e)}: key {index.value!r} of a tuple"
                          + ("" if keys is None else f" (a dict with keys {keys})"),
                          "read a dict by one of its keys; a tuple by an integer.")
            return elts[keys.index(index.value)]
        if isinstance(index, ast.Slice):
            return ast.Tuple(elts[_literal_slice(self, index)], ast.Load())
        if isinstance(index, ast.Constant) and type(index.value) is int or (
                isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub)
                and isinstance(index.operand, ast.Constant) and type(index.operand.value) is int):
            k = index.value if isinstance(index, ast.Constant) else -index.operand.value
            if not -n <= k < n:
                self.fail(e, f"tuple index {k} out of range for a tuple of {n}",
                          "index within the tuple's length.")
            return elts[k]
        i = self.atom(self.keep(index, out), out) if not isinstance(index, ast.Name) else \
            self.keep(index, out)
        if keys is not None:  # p[k] of a dict, k a variable holding a key
            return self._item_by_key(elts, keys, i, e, out)
        bad = self.names.fresh("_cond")
        self.emit(out, bad, ast.BoolOp(ast.Or(), [
            ast.Compare(i, [ast.Lt()], [ast.Constant(-n)]),
            ast.Compare(clone(i), [ast.GtE()], [ast.Constant(n)])]))
        raise_ = ast.Raise(ast.Call(ast.Name("IndexError", ast.Load()),
                                    [ast.Constant("tuple index out of range")], []), None)
        out.append(_tag(ast.copy_location(ast.If(ast.Name(bad, ast.Load()),
                                                 [_tag(ast.copy_location(raise_, e), self.origin)],
                                                 []), e), self.origin))
        t = self.temp()
        chain = [self._assign(t, elts[n - 1], e)]
        for k in range(n - 2, -1, -1):
            c = self.names.fresh("_cond")
            test = [self._assign(c, ast.BoolOp(ast.Or(), [
                ast.Compare(clone(i), [ast.Eq()], [ast.Constant(k)]),
                ast.Compare(clone(i), [ast.Eq()], [ast.Constant(k - n)])]), e)]
            branch = _tag(ast.copy_location(ast.If(ast.Name(c, ast.Load()),
                                                   [self._assign(t, elts[k], e)], chain), e),
                          self.origin)
            chain = test + [branch]
        out.extend(chain)
        return ast.Name(t, ast.Load())

    def _item_by_key(self, elts, keys, k, e, out):
        """``p[k]`` of a dict argument's values, ``k`` a variable: ``KeyError`` for a key it
        does not have, then a branch per key (each value's derivative flows only from the one
        read), as ``x[i]`` of a tuple is."""
        bad = self.names.fresh("_cond")
        self.emit(out, bad, ast.BoolOp(ast.And(), [
            ast.Compare(clone(k), [ast.NotEq()], [ast.Constant(key)]) for key in keys])
            if len(keys) > 1 else ast.Compare(clone(k), [ast.NotEq()], [ast.Constant(keys[0])]))
        raise_ = ast.Raise(ast.Call(ast.Name("KeyError", ast.Load()), [ast.Constant(
            f"{ast.unparse(e)}: not one of the keys {list(keys)}")], []), None)
        out.append(_tag(ast.copy_location(ast.If(ast.Name(bad, ast.Load()), [
            _tag(ast.copy_location(raise_, e), self.origin)], []), e), self.origin))
        t = self.temp()
        chain = [self._assign(t, elts[-1], e)]
        for key, v in reversed(list(zip(keys[:-1], elts[:-1]))):
            c = self.names.fresh("_cond")
            test = [self._assign(c, ast.Compare(clone(k), [ast.Eq()], [ast.Constant(key)]), e)]
            chain = test + [_tag(ast.copy_location(ast.If(
                ast.Name(c, ast.Load()), [self._assign(t, v, e)], chain), e), self.origin)]
        out.extend(chain)
        return ast.Name(t, ast.Load())

    def assign_tuple(self, target, value, out):
        """``a, b = ...`` (a tuple, ``x.shape``, a function's tuple result), targets names or
        elements (``x[i], x[j] = x[j], x[i]``), the values taken before any is assigned."""
        if any(isinstance(e, ast.Starred) for e in target.elts):
            return self._assign_starred(target, value, out)
        n = len(target.elts)
        if isinstance(value, ast.Tuple) and len(value.elts) == n:
            atoms = [self.atom(e, out) for e in value.elts]
            atoms = [self._snapshot(a, out) for a in atoms]  # a, b = b, a
        elif isinstance(value, ast.Attribute) and value.attr == "shape":
            base = self.keep(value, out)
            atoms = [ast.Subscript(base, ast.Constant(k), ast.Load()) for k in range(n)]
        else:
            res = self.as_iterated(self.flat(value, out))  # (a dict: its keys)
            if self.elements(res) is not None:
                res = ast.Tuple(self.elements(res), ast.Load())
            if not isinstance(res, (ast.Tuple, ast.Constant)):  # a, b = p (a 1-D array)
                arr = res
                if not isinstance(res, ast.Name):  # (res is one operation over atoms already)
                    arr = ast.Name(self.temp(), ast.Load())
                    self.emit(out, arr.id, res)
                atoms = self._array_items(arr, n, target, value, out)
            elif not isinstance(res, ast.Tuple) or len(res.elts) != n:
                self.fail(value, "tuple assignment from " + ast.unparse(value),
                          "unpack tuples only from x.shape, a 1-D array, a tuple "
                          "a, b = c, d, or a function returning a tuple of the same length.")
            else:
                atoms = res.elts
        later_views = self._later_views(target, value, atoms)
        for k, (t, a) in enumerate(zip(target.elts, atoms)):
            if isinstance(t, ast.Subscript):  # x[i], x[j] = x[j], x[i]
                self.assign(t, _marked(a), out)
                if later_views.get(k):
                    out[-1].alias_check = later_views[k]
            elif isinstance(t, ast.Name) and self.elements(a) is not None:
                self.bind_tuple(self.name(t.id), self.elements(a), out, value)  # nested
            else:
                self.emit(out, self.name(t.id), a)

    def _assign_starred(self, target, value, out):
        """``first, *rest = layers`` of a tuple (a list of known length): ``rest`` the tuple
        (Python: the list) of the elements the other names leave.  Of an array it is refused
        (Python gives a list of its entries, whose ``+`` and ``*`` are not the array's)."""
        res = self.as_iterated(self.flat(value, out))
        elts = list(res.elts) if isinstance(res, ast.Tuple) else self.elements(res)
        k = next(i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred))
        after = len(target.elts) - k - 1
        if elts is None:
            self.fail(value, f"{ast.unparse(target)} = {ast.unparse(value)}, a starred target "
                      "from what is not a tuple or a list of a length known before the run "
                      "(an array, or a list grown in a loop)", "index it instead (first, rest "
                      "= x[0], x[1:] of an array; hs[0] of a list).")
        if len(elts) < len(target.elts) - 1:
            self.fail(value, f"{ast.unparse(target)} = {ast.unparse(value)}: {len(elts)} values "
                      f"for at least {len(target.elts) - 1} names", "Python raises "
                      "ValueError there.")
        middle = elts[k:len(elts) - after]
        self.bind_tuple(self.name(target.elts[k].value.id), middle, out, value)
        rest = [e for i, e in enumerate(target.elts) if i != k]
        if rest:
            vals = elts[:k] + elts[len(elts) - after:]
            self.assign_tuple(ast.copy_location(ast.Tuple(rest, ast.Store()), target),
                              _marked(ast.copy_location(ast.Tuple(vals, ast.Load()), value)), out)

    def _array_items(self, arr, n, target, value, out):
        """``a, b, c = p`` of an array: its entries ``p[0], p[1], p[2]`` (rows of a matrix:
        views of it, as the frontend's alias check knows: a write into one while ``p`` is read
        later is refused there), after the check Python makes (ValueError unless ``len(p) ==
        n``).  The entries are read before any target is assigned.  The kinds stage refuses
        anything that is neither an array nor a tuple (passes/types.py ``unpack_check``)."""
        bad = self.names.fresh("_cond")
        self.emit(out, bad, ast.Compare(_call("len", clone(arr)), [ast.NotEq()], [ast.Constant(n)]))
        raise_ = ast.Raise(ast.Call(ast.Name("ValueError", ast.Load()), [ast.Constant(
            f"{ast.unparse(target)} = {ast.unparse(value)}: the array does not have "
            f"{n} entries")], []), None)
        out.append(_tag(ast.copy_location(ast.If(ast.Name(bad, ast.Load()),
                                                 [_tag(ast.copy_location(raise_, value),
                                                       self.origin)], []), value),
                        self.origin))
        problem = self.src.problem(
            value, f"{ast.unparse(target)} = {ast.unparse(value)}, unpacking what is not an "
            "array or a tuple", "unpack an array, a tuple or x.shape.")
        atoms = []
        for k in range(n):
            t = self.temp()
            self.emit(out, t, ast.Subscript(clone(arr), ast.Constant(k), ast.Load()))
            if k == 0:  # (one refusal for the statement)
                out[-1].unpack_check = (arr.id, problem)
            atoms.append(ast.Name(t, ast.Load()))
        return atoms

    def _later_views(self, target, value, atoms):
        """``B[0], B[1] = B[1], B[0]``: NumPy assigns the targets in turn, and ``B[0]`` on the
        right is a view when ``B`` is 2-D, so the write into ``B[0]`` changes the value then
        written into ``B[1]`` (both rows end up the old ``B[1]``).  srcgrad tracks values,
        not views: {target index: [(the name holding a later value that may be such a view,
        the problem)]}, refused by the kinds stage when that name holds an array (a number
        is a copy), and here when the later value is surely a view (a slice of the array
        written into)."""
        if not isinstance(value, ast.Tuple):
            return {}
        found = {}
        for k, t in enumerate(target.elts):
            if not isinstance(t, ast.Subscript):
                continue
            for j in range(k + 1, len(atoms)):
                name, surely = aliased_name(value.elts[j], self._resolve_global)
                if name is None or not isinstance(atoms[j], ast.Name):
                    continue
                problem = self.src.problem(
                    t, f"write into {ast.unparse(t)} while {ast.unparse(value.elts[j])}, "
                    "which may share its memory, is still to be assigned",
                    "NumPy assigns the targets one at a time, so a swap of rows "
                    "(B[0], B[1] = B[1], B[0]) copies one row into both: copy the values on "
                    "the right first (B[1].copy(), B[0].copy()), or assign one at a time.")
                if surely is True and name == t.value.id \
                        and not isinstance(value.elts[j], ast.Name):  # a slice of the array
                    raise UnsupportedError([problem])
                found.setdefault(k, []).append((atoms[j].id, problem))
        return found

    def _snapshot(self, atom, out):
        """``atom``'s value now, before targets that may be its own elements are assigned
        (``t1, t2 = t2, t1``).  A tuple's elements each (a copy of its name alone would not
        be a tuple: ``first, second = t1, t2`` gave wrong derivatives)."""
        elts = self.elements(atom)
        if elts is not None:
            snap = ast.Tuple([self._snapshot(e, out) for e in elts], ast.Load())
            keys = self.dict_keys(atom)
            if keys is not None:
                snap.dict_keys = keys
            return snap
        if isinstance(atom, ast.Name):
            t = self.temp()
            self.emit(out, t, atom)
            return ast.Name(t, ast.Load())
        return atom


def _literal_slice(norm, s):
    parts = []
    for p in (s.lower, s.upper, s.step):
        if p is None:
            parts.append(None)
        elif isinstance(p, ast.Constant) and type(p.value) is int:
            parts.append(p.value)
        elif isinstance(p, ast.UnaryOp) and isinstance(p.op, ast.USub) \
                and isinstance(p.operand, ast.Constant) and type(p.operand.value) is int:
            parts.append(-p.operand.value)
        else:
            norm.fail(s, "a tuple sliced with a computed bound", "slice tuples with literals.")
    return slice(*parts)

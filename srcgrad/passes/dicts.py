"""Normalize, dict locals: a dict literal with constant keys, bound to a name once and read
by constant keys, is a tuple of its values (tuples: passes/tuples.py).

    d = {"W": W, "b": b}        ->  d = (W, b)
    d["W"] @ x + d["b"]         ->  d[0] @ x + d[1]
    for k, v in d.items():      ->  for k, v in (("W", d[0]), ("b", d[1])):   (unrolled)
    len(d), "W" in d            ->  2, True

Any other use of such a name (a key that is not a constant, a write ``d[k] = v``, the dict
passed to a function) is a located error.
"""
import ast
import copy
from collections import Counter

from .walk import nodes


class DictLocals(ast.NodeTransformer):
    def __init__(self, norm, body):
        self.norm = norm
        stores = Counter(t.id for s in body for t in nodes(s)
                         if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store))
        self.keys = {}  # name -> its keys, in order
        for s in (n for st in body for n in nodes(st)):
            if isinstance(s, ast.Assign) and len(s.targets) == 1 \
                    and isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Dict) \
                    and stores[s.targets[0].id] == 1 and s.value.keys \
                    and all(isinstance(k, ast.Constant) for k in s.value.keys):
                keys = [k.value for k in s.value.keys]
                if len(set(keys)) == len(keys):
                    self.keys[s.targets[0].id] = keys

    def run(self, body):
        if not self.keys:
            return body
        out = []
        for s in body:
            r = self.visit(s)
            out.extend(r if isinstance(r, list) else [r])
        return out

    def _dict(self, node):
        return isinstance(node, ast.Name) and node.id in self.keys

    def _item(self, name, i, like):
        node = ast.copy_location(ast.Subscript(ast.Name(name, ast.Load()), ast.Constant(i),
                                               ast.Load()), like)
        node.dict_item = True  # already by position: never read as a key again
        return node

    def visit_Assign(self, s):
        if len(s.targets) == 1 and self._dict(s.targets[0]) and isinstance(s.value, ast.Dict):
            s.value = ast.copy_location(ast.Tuple([self.visit(v) for v in s.value.values],
                                                  ast.Load()), s.value)
            return s
        return self.generic_visit(s)

    def visit_Subscript(self, n):
        if getattr(n, "dict_item", False):
            return n
        if self._dict(n.value):
            keys = self.keys[n.value.id]
            if not isinstance(n.ctx, ast.Load):
                self.norm.fail(n, f"a write into the dict {n.value.id}",
                               "build a new dict literal (a dict local is never changed).")
            if not isinstance(n.slice, ast.Constant) or n.slice.value not in keys:
                self.norm.fail(n, f"{ast.unparse(n)}: a key that is not one of the dict's "
                                  "constant keys", f"index with one of {keys}.")
            return self._item(n.value.id, keys.index(n.slice.value), n)
        return self.generic_visit(n)

    def visit_Call(self, n):
        f = n.func
        if isinstance(f, ast.Attribute) and self._dict(f.value) and not n.args \
                and not n.keywords and f.attr in ("keys", "values", "items"):
            name, keys = f.value.id, self.keys[f.value.id]
            consts = [ast.Constant(k) for k in keys]
            vals = [self._item(name, i, n) for i in range(len(keys))]
            elts = {"keys": consts, "values": vals,
                    "items": [ast.Tuple([k, v], ast.Load()) for k, v in zip(consts, vals)]}[f.attr]
            return ast.copy_location(ast.Tuple(elts, ast.Load()), n)
        if isinstance(f, ast.Name) and self.norm.src.resolve(f) is len and len(n.args) == 1 \
                and self._dict(n.args[0]):
            return ast.copy_location(ast.Constant(len(self.keys[n.args[0].id])), n)
        return self.generic_visit(n)

    def visit_Compare(self, n):
        if len(n.ops) == 1 and isinstance(n.ops[0], (ast.In, ast.NotIn)) \
                and self._dict(n.comparators[0]) and isinstance(n.left, ast.Constant):
            inside = n.left.value in self.keys[n.comparators[0].id]
            return ast.copy_location(ast.Constant(inside == isinstance(n.ops[0], ast.In)), n)
        return self.generic_visit(n)

    def visit_For(self, s):
        """``for k in d`` (or ``d.keys()``, ``d.items()``, ``d.values()``): repeated once per
        key, the key a constant in each copy (so ``d[k]`` reads by a constant key)."""
        it, how = s.iter, "keys"
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args \
                and it.func.attr in ("keys", "items", "values") and self._dict(it.func.value):
            it, how = it.func.value, it.func.attr
        if not self._dict(it):
            return self.generic_visit(s)
        target = s.target
        names = [target] if how != "items" else (
            target.elts if isinstance(target, ast.Tuple) and len(target.elts) == 2 else None)
        stored = {t.id for st in s.body for t in nodes(st)
                  if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        if s.orelse or names is None or not all(isinstance(n, ast.Name) for n in names) \
                or any(n.id in stored for n in names):
            self.norm.fail(s, f"a loop over the dict {it.id} of this form",
                           "write for k in d, for k, v in d.items() or for v in d.values(), "
                           "without writing into the loop variables or an else.")
        out = []
        for i, key in enumerate(self.keys[it.id]):
            value = {"keys": ast.Constant(key), "values": self._item(it.id, i, s)}.get(how)
            subst = {names[0].id: value} if how != "items" else \
                {names[0].id: ast.Constant(key), names[1].id: self._item(it.id, i, s)}
            for st in s.body:
                out.append(self.visit(_Substitute(subst).visit(_copy(st))))
        return out or [ast.copy_location(ast.Pass(), s)]

    def visit_Name(self, n):
        if n.id in self.keys and isinstance(n.ctx, ast.Load):
            self.norm.fail(n, f"the dict {n.id} used other than by its constant keys",
                           "read d[\"key\"], d.items(), d.values() or d.keys(); pass the "
                           "values to a function, not the dict.")
        return n


class _Substitute(ast.NodeTransformer):
    def __init__(self, subst):
        self.subst = subst

    def visit_Name(self, n):
        if n.id in self.subst and isinstance(n.ctx, ast.Load):
            return ast.copy_location(_copy(self.subst[n.id]), n)
        return n


def _copy(node):
    return copy.deepcopy(node)


def rewrite(norm, body):
    """``body`` with its dict locals as tuples (see the module docstring)."""
    if norm.src.internal or not any(isinstance(n, ast.Dict) for st in body for n in nodes(st)):
        return body  # (most functions: nothing to copy)
    body = copy.deepcopy(body)  # the source's own nodes are normalized again (tensordot)
    return DictLocals(norm, body).run(body)

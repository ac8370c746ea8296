"""Normalize, dict locals: a dict literal with constant keys, bound to a name once and read
by constant keys, is a tuple of its values (tuples: passes/tuples.py); values that are dict,
list or tuple literals themselves are nested tuples, read through the same constant paths.

    d = {"W": W, "b": b}        ->  d = (W, b)
    d["W"] @ x + d["b"]         ->  d[0] @ x + d[1]
    for k, v in d.items():      ->  for k, v in (("W", d[0]), ("b", d[1])):   (unrolled)
    len(d), "W" in d            ->  2, True
    e = {"p": [x, y], "q": {"r": z}}; e["p"][1] * e["q"]["r"]  ->  e = ((x, y), (z,)); e[0][1] * e[1][0]

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
        self.layouts = {}  # name -> the layout of the literal it holds (see _layout)
        assigns = [n for st in body for n in nodes(st) if isinstance(n, ast.Assign)
                   and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
                   and stores[n.targets[0].id] == 1]
        for s in assigns:
            layout = _layout(s.value) if isinstance(s.value, (ast.Dict, ast.List)) else None
            # a dict; a list holding dicts or lists (a plain list [a, b] stays a growing
            # list: passes/sequences.py)
            if layout is not None and (layout[0] == "dict" or _nested(layout)):
                self.layouts[s.targets[0].id] = layout
        for s in assigns:  # e = d["q"]: another name for the dict a constant path reaches
            path = self._path(s.value) if isinstance(s.value, ast.Subscript) else None
            if path is not None and path[1][0] == "dict":
                self.layouts.setdefault(s.targets[0].id, path[1])
        self.keys = {n: lay[1] for n, lay in self.layouts.items() if lay[0] == "dict"}

    def run(self, body):
        if not self.layouts:
            return body
        out = []
        for s in body:
            r = self.visit(s)
            out.extend(r if isinstance(r, list) else [r])
        return out

    def _dict(self, node):
        return isinstance(node, ast.Name) and node.id in self.keys

    def _keys_at(self, node):
        """The keys of the dict the constant path ``node`` reaches, or None."""
        path = self._path(node)
        return path[1][1] if path is not None and path[1][0] == "dict" else None

    def _base(self, node):
        """The path ``node`` read by positions (a name, or d[0][1])."""
        return node if isinstance(node, ast.Name) else self.visit(_copy(node))

    def _item(self, base, i, like):
        node = ast.copy_location(ast.Subscript(_copy(base), ast.Constant(i), ast.Load()), like)
        node.dict_item = True  # already by position: never read as a key again
        return node

    def _path(self, node):
        """(root name, layout) of the literal a constant path reaches (``d``, ``d["q"]``,
        ``d["p"][1]["r"]``), or None; a layout is ("dict", keys, subs) or ("seq", subs)."""
        if isinstance(node, ast.Name) and node.id in self.layouts:
            return node.id, self.layouts[node.id]
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            outer = self._path(node.value)
            if outer is None:
                return None
            name, lay, key = outer[0], outer[1], node.slice.value
            if lay[0] == "dict" and key in lay[1]:
                sub = lay[2][lay[1].index(key)]
            elif lay[0] == "seq" and type(key) is int and -len(lay[1]) <= key < len(lay[1]):
                sub = lay[1][key]
            else:
                return None
            return (name, sub) if sub is not None else None
        return None

    def _root(self, node):
        while isinstance(node, ast.Subscript):
            node = node.value
        return node.id if isinstance(node, ast.Name) and node.id in self.layouts else None

    def visit_Assign(self, s):
        t = s.targets[0] if len(s.targets) == 1 else None
        if isinstance(t, ast.Name) and t.id in self.layouts \
                and isinstance(s.value, (ast.Dict, ast.List)):
            s.value = self._as_tuple(s.value, top=True)
            return s
        return self.generic_visit(s)

    def _as_tuple(self, v, top=False):
        """A dict, list or tuple literal (nested) as nested tuples, in order (a list bound
        to a name stays a list, so it may still grow)."""
        if isinstance(v, (ast.Dict, ast.List, ast.Tuple)):
            elts = [self._as_tuple(e) for e in (v.values if isinstance(v, ast.Dict) else v.elts)]
            kind = ast.List if top and isinstance(v, ast.List) else ast.Tuple
            return ast.copy_location(kind(elts, ast.Load()), v)
        return self.visit(v)

    def visit_Subscript(self, n):
        if getattr(n, "dict_item", False):
            return n
        path = self._path(n.value)
        if path is not None and path[1][0] == "dict":
            keys = path[1][1]
            if not isinstance(n.ctx, ast.Load):
                self.norm.fail(n, f"a write into the dict {ast.unparse(n.value)}",
                               "build a new dict literal (a dict local is never changed).")
            if not isinstance(n.slice, ast.Constant) or n.slice.value not in keys:
                self.norm.fail(n, f"{ast.unparse(n)}: a key that is not one of the dict's "
                                  "constant keys", f"index with one of {keys}.")
            return self._item(self._base(n.value), keys.index(n.slice.value), n)
        if path is None and self._root(n.value) and isinstance(n.slice, ast.Constant) \
                and isinstance(n.slice.value, str):
            self.norm.fail(n, f"{ast.unparse(n)}: a dict inside a list or dict reached by a "
                              "path that is not constant", "index the list with constant "
                              "positions, or loop over it (for layer in layers).")
        return self.generic_visit(n)

    def visit_Call(self, n):
        f = n.func
        keys = self._keys_at(f.value) if isinstance(f, ast.Attribute) else None
        if keys is not None and not n.args and not n.keywords \
                and f.attr in ("keys", "values", "items"):
            base = self._base(f.value)
            consts = [ast.Constant(k) for k in keys]
            vals = [self._item(base, i, n) for i in range(len(keys))]
            elts = {"keys": consts, "values": vals,
                    "items": [ast.Tuple([k, v], ast.Load()) for k, v in zip(consts, vals)]}[f.attr]
            return ast.copy_location(ast.Tuple(elts, ast.Load()), n)
        if isinstance(f, ast.Name) and self.norm.src.resolve(f) is len and len(n.args) == 1 \
                and self._keys_at(n.args[0]) is not None:
            return ast.copy_location(ast.Constant(len(self._keys_at(n.args[0]))), n)
        return self.generic_visit(n)

    def visit_Compare(self, n):
        if len(n.ops) == 1 and isinstance(n.ops[0], (ast.In, ast.NotIn)) \
                and self._keys_at(n.comparators[0]) is not None \
                and isinstance(n.left, ast.Constant):
            inside = n.left.value in self._keys_at(n.comparators[0])
            return ast.copy_location(ast.Constant(inside == isinstance(n.ops[0], ast.In)), n)
        return self.generic_visit(n)

    def visit_For(self, s):
        """``for k in d`` (or ``d.keys()``, ``d.items()``, ``d.values()``), and ``for v in L``
        over a list holding dicts: repeated once per element, the key a constant and the
        value the element's constant path in each copy (so ``v["W"]`` reads by a constant
        key)."""
        it, how = s.iter, "keys"
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args \
                and it.func.attr in ("keys", "items", "values") \
                and self._keys_at(it.func.value) is not None:
            it, how = it.func.value, it.func.attr
        path = self._path(it)
        if path is None:
            return self.generic_visit(s)
        if path[1][0] == "seq":
            how = "values"
        target = s.target
        names = [target] if how != "items" else (
            target.elts if isinstance(target, ast.Tuple) and len(target.elts) == 2 else None)
        stored = {t.id for st in s.body for t in nodes(st)
                  if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        if s.orelse or names is None or not all(isinstance(n, ast.Name) for n in names) \
                or any(n.id in stored for n in names):
            self.norm.fail(s, f"a loop over {ast.unparse(it)} of this form",
                           "write for k in d, for k, v in d.items(), for v in d.values() or "
                           "for v in L (L a list), without writing into the loop variables "
                           "or an else.")
        keys = path[1][1] if path[1][0] == "dict" else range(len(path[1][1]))
        out = []
        for i, key in enumerate(keys):
            item = ast.copy_location(ast.Subscript(_copy(it), ast.Constant(key), ast.Load()), s)
            value = {"keys": ast.Constant(key), "values": item}.get(how)
            subst = {names[0].id: value} if how != "items" else \
                {names[0].id: ast.Constant(key), names[1].id: item}
            for st in s.body:
                out.append(self.visit(_Substitute(subst).visit(_copy(st))))
        return out or [ast.copy_location(ast.Pass(), s)]

    def visit_Name(self, n):
        if n.id in self.keys and isinstance(n.ctx, ast.Load):
            self.norm.fail(n, f"the dict {n.id} used other than by its constant keys",
                           "read d[\"key\"], d.items(), d.values() or d.keys(); pass the "
                           "values to a function, not the dict.")
        return n


def _nested(layout):
    """Does a list's layout hold a dict or a list (anything but plain values)?"""
    return any(sub is not None for sub in layout[1])


def _layout(v):
    """The layout of a literal: ("dict", keys, subs) for a dict with distinct constant keys,
    ("seq", subs) for a list or tuple, ``subs`` each element's own layout (None for a value
    that is no such literal); None if ``v`` is neither."""
    if isinstance(v, (ast.List, ast.Tuple)):
        return "seq", [_layout(e) for e in v.elts]
    if not isinstance(v, ast.Dict) or not v.keys \
            or not all(isinstance(k, ast.Constant) for k in v.keys):
        return None
    keys = [k.value for k in v.keys]
    if len(set(keys)) != len(keys):
        return None
    return "dict", keys, [_layout(e) for e in v.values]


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
    if norm.src.internal or not any(
            isinstance(n, ast.Dict) or (isinstance(n, ast.List)
                                        and any(isinstance(e, (ast.List, ast.Dict)) for e in n.elts))
            for st in body for n in nodes(st)):
        return body  # (most functions: nothing to copy)
    body = copy.deepcopy(body)  # the source's own nodes are normalized again (tensordot)
    return DictLocals(norm, body).run(body)

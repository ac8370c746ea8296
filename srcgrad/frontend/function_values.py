"""Functions held in variables, written as the calls they make (a step of read_source).

    act = np.tanh                          ->   (gone)
    h = act(x)                                  h = np.tanh(x)

    acts = [relu, lambda z: z / (1 + z*z)] ->   lambda_7_18 = lambda z: z / (1 + z*z)
    for act in acts:                            h = relu(h @ W)
        h = act(h @ W)                          h = lambda_7_18(h @ W)

A name bound once, at the top level of the body, to a function (a module-level or NumPy
function, a nested ``def``, a ``name = lambda`` of the function, or a lambda), or to a list or
tuple literal of functions, and a loop variable over such a list (or over a literal of
functions), is read only where it is called: each call is the function's, and the loop is its
body once per function (so each step's code calls one known function, whose derivative is
its own).  A lambda in a list becomes ``lambda_<line>_<col> = lambda ...`` where the list was
(a local function, called with the enclosing variables as they are then, as Python's is).

Anything else stays as written, for the subset check to refuse at its line: a name bound
twice, in a branch or a loop, read other than called (``print(act)``), a loop with
``break``/``continue`` or over a list that holds other values too.
"""
import ast
import copy
import inspect

import numpy as np


def _stores(tree):
    """{name: times bound} over the whole function (assignments, loop targets, imports)."""
    out = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out[n.id] = out.get(n.id, 0) + 1
    return out


class _Finder:
    def __init__(self, tree, namespace):
        self.tree, self.namespace = tree, namespace
        self.stores = _stores(tree)
        targets = {}  # name -> times it is a for loop's variable (alone or in a tuple)
        for n in ast.walk(tree):
            if isinstance(n, ast.For):
                for t in ast.walk(n.target):
                    if isinstance(t, ast.Name):
                        targets[t.id] = targets.get(t.id, 0) + 1
        self.loop_only = {v for v, k in targets.items() if self.stores.get(v) == k}
        self.params = {a.arg for a in tree.args.args + tree.args.kwonlyargs}
        self.local = {s.name for s in tree.body if isinstance(s, ast.FunctionDef)} | {
            s.targets[0].id for s in tree.body if isinstance(s, ast.Assign)
            and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
            and isinstance(s.value, ast.Lambda)}

    def is_function(self, e):
        """Is ``e`` a function srcgrad can call by name here (or a lambda)?"""
        if isinstance(e, ast.Lambda):
            return True
        if isinstance(e, ast.Name) and e.id in self.local and self.stores.get(e.id, 0) <= 1:
            return True  # (a nested def binds no Name node; f = lambda binds one)
        if isinstance(e, ast.Name) and (e.id in self.params or e.id in self.stores):
            return False
        obj = self._resolve(e)  # (NumPy's functions are of several types: np.sinc is not
        return obj is not None and callable(obj) and not isinstance(obj, (type, np.ndarray)) \
            and not inspect.ismodule(obj)  # a Python function in NumPy 2)

    def _resolve(self, e):
        if isinstance(e, ast.Name):  # (a parameter or a local hides a global of its name)
            hidden = e.id in self.params or e.id in self.stores
            return None if hidden else self.namespace.get(e.id)
        if isinstance(e, ast.Attribute):
            base = self._resolve(e.value)
            return getattr(base, e.attr, None) if base is not None else None
        return None

    def functions_of(self, value):
        """The functions a value holds: [node] for one, its elements for a list or tuple
        literal of functions, else None."""
        if self.is_function(value):
            return [value]
        if isinstance(value, (ast.List, ast.Tuple)) and value.elts \
                and all(self.is_function(e) for e in value.elts):
            return list(value.elts)
        return None


def _only_called(tree, name, skip):
    """Is every read of ``name`` in ``tree`` (outside the nodes ``skip``) a call of it, or
    the sequence of a ``for`` loop (``for act in acts``)?"""
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    loops = {id(n.iter) for n in ast.walk(tree) if isinstance(n, ast.For)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) \
                and id(n) not in calls and id(n) not in loops and id(n) not in skip:
            return False
    return True


class _Calls(ast.NodeTransformer):
    """Calls of ``name`` become calls of ``fn`` (a node, cloned per call)."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == self.name:
            node.func = ast.copy_location(copy.deepcopy(self.fn), node.func)
        return node


class _Comprehensions(ast.NodeTransformer):
    """``[g(x) for g in fns]`` and ``sum(g(x) for g in fns)``: a list (a tuple) of the calls,
    one per function (no lambda literals among them: those need a statement)."""

    def __init__(self, held, finder):
        self.held, self.finder = held, finder

    def _over_functions(self, node):
        if len(node.generators) != 1:
            return None
        gen = node.generators[0]
        if gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name) \
                or self.finder.stores.get(gen.target.id) != 1 \
                or not _only_called(node.elt, gen.target.id, set()):
            return None
        it = gen.iter
        if isinstance(it, ast.Name) and it.id in self.held and self.held[it.id][1]:
            return self.held[it.id][0]
        if isinstance(it, (ast.List, ast.Tuple)) and it.elts:
            fns = self.finder.functions_of(it)
            if fns is not None and not any(isinstance(f, ast.Lambda) for f in fns):
                return fns
        return None

    def _calls(self, node, fns, kind):
        self.generic_visit(node)
        t = node.generators[0].target.id
        elts = [_Calls(t, f).visit(copy.deepcopy(node.elt)) for f in fns]
        return ast.copy_location(kind(elts, ast.Load()), node)

    def visit_ListComp(self, node):
        fns = self._over_functions(node)
        return self._calls(node, fns, ast.List) if fns else self.generic_visit(node)

    def visit_GeneratorExp(self, node):
        fns = self._over_functions(node)
        return self._calls(node, fns, ast.Tuple) if fns else self.generic_visit(node)


def _lift_lambdas(fns, at, out, taken):
    """Lambdas among ``fns`` bound to names of their own (statements appended to ``out``,
    placed at ``at``); the list with those names in their place."""
    named = []
    for f in fns:
        if isinstance(f, ast.Lambda):
            name = f"lambda_{f.lineno}_{f.col_offset}"
            while name in taken:
                name += "_"
            taken.add(name)
            out.append(ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], f), at))
            f = ast.copy_location(ast.Name(name, ast.Load()), f)
        named.append(f)
    return named


def rewrite(tree, namespace):
    """Function-valued names of ``tree`` (a FunctionDef, changed in place) written away."""
    finder = _Finder(tree, namespace)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    held = {}  # name -> (its functions, whether a list of them)
    body = []
    for s in tree.body:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 \
                and isinstance(s.targets[0], ast.Name) and not isinstance(s.value, ast.Lambda):
            name = s.targets[0].id
            fns = finder.functions_of(s.value)
            many = isinstance(s.value, (ast.List, ast.Tuple))
            if fns is not None and finder.stores.get(name) == 1 \
                    and name not in finder.params and _uses_ok(tree, name, many, finder, s):
                held[name] = (_lift_lambdas(fns, s, body, taken), many)
                continue  # the binding goes: its calls and loops are rewritten below
        body.append(s)
    tree.body = _rewrite_block(body, held, finder, taken, top=True)
    return tree


def _uses_ok(tree, name, many, finder, binding):
    """Can every read of ``name`` be written away: calls of one function, or loops (plain,
    ``enumerate``, ``zip``) and comprehensions over a list of them that can be unrolled?"""
    if not many:
        return _only_called(tree, name, {id(binding)})
    probe = {name: ([], True)}
    seen = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.For):
            head = _header(n, probe, finder, top=False)
            if head is not None and head[3] is not None and head[3].id == name:
                if not _loop_ok(n, head[0], finder):
                    return False
                seen.add(id(head[3]))
        elif isinstance(n, (ast.ListComp, ast.GeneratorExp)) and len(n.generators) == 1 \
                and isinstance(n.generators[0].iter, ast.Name) \
                and n.generators[0].iter.id == name:
            if _Comprehensions(probe, finder)._over_functions(n) is None:
                return False
            seen.add(id(n.generators[0].iter))
    return all(id(n) in seen for n in ast.walk(tree) if isinstance(n, ast.Name)
               and n.id == name and isinstance(n.ctx, ast.Load))


def _loop_ok(loop, target, finder):
    """(The variable holding the function is bound by loops only: in each loop's body it is
    that loop's function.)"""
    return target in finder.loop_only and not loop.orelse \
        and not any(isinstance(n, (ast.Break, ast.Continue)) for s in loop.body
                    for n in ast.walk(s)) \
        and all(_only_called(s, target, set()) for s in loop.body)


def _header(loop, held, finder, top):
    """(the variable holding a function, the functions, [(a variable, its value at step j as
    a function of j)], the held name read, if any) of ``for v in fns``,
    ``for k, v in enumerate(fns)`` or ``for a, v in zip(xs, fns)``; None for other loops."""
    def functions(seq):
        if isinstance(seq, ast.Name) and seq.id in held and held[seq.id][1]:
            return held[seq.id][0]
        if isinstance(seq, (ast.List, ast.Tuple)) and seq.elts:
            fns = finder.functions_of(seq)
            if fns is not None and (top or not any(isinstance(f, ast.Lambda) for f in fns)):
                return fns  # (a lambda becomes a local function at the top level only)
        return None
    it, t = loop.iter, loop.target
    if isinstance(t, ast.Name):
        fns = functions(it)
        return None if fns is None else (t.id, fns, [], it if isinstance(it, ast.Name) else None)
    if not (isinstance(t, ast.Tuple) and all(isinstance(e, (ast.Name, ast.Tuple)) for e in t.elts)
            and isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and not it.keywords
            and it.func.id in ("enumerate", "zip") and it.func.id not in finder.namespace
            and it.func.id not in finder.stores and len(t.elts) == 2 * (it.func.id == "enumerate")
            + len(it.args) * (it.func.id == "zip")):
        return None
    if it.func.id == "enumerate":
        if len(it.args) != 1:
            return None
        seqs, names = [None, it.args[0]], list(t.elts)
    else:
        seqs, names = list(it.args), list(t.elts)
    found = [(k, functions(q)) for k, q in enumerate(seqs) if q is not None]
    found = [(k, f) for k, f in found if f is not None]
    if len(found) != 1:
        return None
    at, fns = found[0]
    others = []
    for k, (name, q) in enumerate(zip(names, seqs)):
        if k == at:
            continue
        if q is None:  # enumerate's count
            others.append((name, lambda j: ast.Constant(j)))
        elif isinstance(q, ast.Name):
            others.append((name, lambda j, q=q: ast.Subscript(ast.Name(q.id, ast.Load()),
                                                               ast.Constant(j), ast.Load())))
        else:
            return None  # (a sequence computed in the header would be computed per step)
    held_name = seqs[at] if isinstance(seqs[at], ast.Name) else None
    if not isinstance(names[at], ast.Name):
        return None
    return names[at].id, fns, others, held_name


def _rewrite_block(stmts, held, finder, taken, top=False):
    out = []
    for s in stmts:
        if isinstance(s, ast.For):
            unrolled = _unrolled(s, held, finder, taken, out, top)
            if unrolled is not None:
                out.extend(_rewrite_block(unrolled, held, finder, taken, top))
                continue
        for name, (fns, many) in held.items():
            if not many:
                s = _Calls(name, fns[0]).visit(s)
        s = _Comprehensions(held, finder).visit(s)
        for field in ("body", "orelse"):
            block = getattr(s, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(s, field, _rewrite_block(block, held, finder, taken))
        out.append(s)
    return out


def _unrolled(loop, held, finder, taken, out, top):
    """The body of ``for v in fns`` once per function, calls of ``v`` made its (and the
    other variables of an ``enumerate`` or ``zip`` set for that step); None when the loop is
    not over functions (or cannot be written so)."""
    head = _header(loop, held, finder, top)
    if head is None or not _loop_ok(loop, head[0], finder):
        return None
    target, fns, others, held_name = head
    if held_name is None:
        fns = _lift_lambdas(fns, loop, out, taken)
    steps = []
    for j, f in enumerate(fns):
        for name, value in others:
            steps.append(ast.fix_missing_locations(ast.copy_location(
                ast.Assign([copy.deepcopy(name)], value(j)), loop)))  # (W, b) = layers[j]
        for s in loop.body:
            steps.append(_Calls(target, f).visit(copy.deepcopy(s)))
    return steps

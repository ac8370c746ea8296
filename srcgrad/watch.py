"""Globals read by a differentiated function, watched so that a change is never missed.

Generated code is specialized on the globals it reads: numbers become literals, arrays
constants (Numba freezes them into the machine code), helper functions are inlined.  Python
reads a global when the line runs, so a user who changes one expects the next call to see it:

    W = np.array([1.0, 2.0])
    g = srcgrad.grad(f)     # f reads W
    g(x)                    # transformed and compiled with W = [1, 2]
    W[0] = 5.0              # (or W = ..., C = 10.0, def helper(...) again)
    g(x)                    # GlobalChangedWarning: W changed; transformed again, W = [5, 2]

Every call compares what the generated code was built from with the globals now: numbers by
value, arrays by dtype, shape and contents (a copy is kept; the comparison costs one pass
over the array), functions and other objects by identity.  On a change the function's
derivatives are dropped (``epoch`` moves on) and built again, with a warning naming the
global, so a training loop that rewrites a global array every step hears that it should pass
the array as an argument instead.
"""
import ast
import inspect
import numbers
import os
import sys
import warnings

import numpy as np

from .errors import GlobalChangedWarning
from .frontend.source import _MISSING, _python_of, read_source
from .passes.constants import number_sequence

_LIBRARIES = ("numpy", "math", "scipy", "numba", "srcgrad")


class _Read:
    """One global as the generated code saw it: where it lives, its name, its value then."""

    __slots__ = ("where", "name", "value", "copy", "version", "items")

    def __init__(self, where, name, value):
        self.where, self.name, self.value = where, name, value
        self.copy = value.copy() if isinstance(value, np.ndarray) else None
        self.items = _frozen(value) if number_sequence(value) else None  # (read as literals)
        self.version = getattr(value, "version", None) if _is_rule(value) else None

    def now(self):
        if isinstance(self.where, dict):
            return self.where.get(self.name, _MISSING)
        try:  # a closure cell
            return self.where.cell_contents
        except ValueError:
            return _MISSING

    def changed(self):
        now = self.now()
        if self.copy is not None:
            return not (isinstance(now, np.ndarray) and now.dtype == self.copy.dtype
                        and now.shape == self.copy.shape
                        and np.array_equal(now, self.copy,
                                           equal_nan=self.copy.dtype.kind in "fc"))
        if self.items is not None:  # a list of numbers, changed in place or not
            return not isinstance(now, (list, tuple)) or _frozen(now) != self.items
        if now is self.value:
            return self.version is not None and now.version != self.version
        if isinstance(self.value, numbers.Number) and not isinstance(self.value, bool):
            return not (type(now) is type(self.value) and (
                now == self.value or (now != now and self.value != self.value)))
        return _python_of(now) is not self.value


def _free_loads(fdef):
    """Names a function (and the functions and lambdas defined in it) reads but never binds:
    Python's scoping, where a name bound anywhere in a function is local to all of it."""
    def bound(f):
        args = f.args
        names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        for n in _own_nodes(f):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                names.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(n.name)
        return names

    def visit(f, local):
        local = local | bound(f)
        for n in _own_nodes(f):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
                yield n
            elif isinstance(n, (ast.FunctionDef, ast.Lambda)) and n is not f:
                yield from visit(n, local)
    return visit(fdef, set())


def _own_nodes(f):
    """The nodes of ``f`` outside the functions and lambdas defined in it (their default
    values and decorators belong to ``f``)."""
    todo = list(f.body) if isinstance(f.body, list) else [f.body]
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.Lambda)):
            todo += n.args.defaults + [d for d in n.args.kw_defaults if d is not None]
            todo += getattr(n, "decorator_list", [])
            continue
        todo += list(ast.iter_child_nodes(n))


def _frozen(v):
    """A list or tuple's items as nested tuples of (type, value), to compare with later."""
    if isinstance(v, (list, tuple)):
        return (type(v).__name__,) + tuple(_frozen(x) for x in v)
    return (type(v).__name__, repr(v))


def _is_rule(obj):
    return getattr(type(obj), "__srcgrad_rule__", False)


def _user_function(obj):
    return inspect.isfunction(obj) and not (getattr(obj, "__module__", "") or "").startswith(
        _LIBRARIES)


def reads(fn):
    """The globals ``fn`` and the user functions it calls (transitively) read."""
    out, seen, todo = [], set(), [fn]
    while todo:
        f = todo.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        try:
            src = read_source(f)
        except Exception:  # noqa: BLE001 -- not readable: the transform reports it
            continue
        live = src.fn if inspect.isfunction(src.fn) else None
        if live is None:
            continue
        cells = dict(zip(live.__code__.co_freevars, live.__closure__ or ()))
        done = set()
        for node in _free_loads(src.tree):
            if node.id in done:
                continue
            done.add(node.id)
            if node.id in cells:
                where = cells[node.id]
            elif node.id in live.__globals__:
                if src.namespace.get(node.id) is not live.__globals__[node.id]:
                    continue  # the function binds it itself (a function passed in, its own
                where = live.__globals__  # import), hiding the global of that name
            else:
                continue  # a builtin
            read = _Read(where, node.id, src.resolve(node))
            if inspect.ismodule(read.value):
                out += _module_reads(src.tree, node.id, read.value, todo)
                continue
            out.append(read)
            if _user_function(read.value):
                todo.append(read.value)
            elif _is_rule(read.value):  # a user's rule: the globals its functions read
                todo += [getattr(f, "py_func", f) for f in (read.value.fn, read.value.fwd,
                                                            read.value.bwd, read.value.jvp)
                         if _user_function(getattr(f, "py_func", f))]
    return out


def _module_reads(tree, name, module, todo):
    """``mod.W`` of a user's module: watched in that module's namespace."""
    if (module.__name__ or "").split(".")[0] in _LIBRARIES:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == name and node.attr in module.__dict__:
            value = _python_of(module.__dict__[node.attr])
            if not inspect.ismodule(value):
                out.append(_Read(module.__dict__, node.attr, value))
                if _user_function(value):
                    todo.append(value)
    return out


class Watch:
    """The globals a function's generated code was built from, at one epoch."""

    __slots__ = ("fn", "reads", "epoch", "alive")

    def __init__(self, fn, epoch=0):
        self.fn, self.epoch, self.alive = fn, epoch, True
        self.reads = reads(fn)

    def current(self):
        """Still this epoch, and no global changed since."""
        if not self.alive:
            return False
        for r in self.reads:
            if r.changed():
                return False
        return True


def of(fn, quiet=False):
    """The current :class:`Watch` of ``fn``: the same object while its globals stay as they
    were; a new one (``fn``'s own cached versions dropped) when one changed, with a warning
    unless ``quiet`` (the caller generated nothing yet) and nothing was dropped."""
    d = fn.__dict__
    w = d.get("__srcgrad_watch__")
    if w is None:
        w = d["__srcgrad_watch__"] = Watch(fn)
        return w
    for r in w.reads:
        if r.changed():
            return _moved(fn, d, w, r, quiet)
    return w


def _moved(fn, d, w, read, quiet):
    kept = [k for k in d if k.startswith("__srcgrad_") and k != "__srcgrad_watch__"]
    if kept or not quiet:
        warnings.warn(
            f"global {read.name!r} read by {getattr(fn, '__name__', 'the function')}() "
            "changed since its derivative was generated; transforming and compiling again "
            "(pass it as an argument to avoid this)", GlobalChangedWarning,
            stacklevel=_user_level())
    for k in kept:
        del d[k]  # flat, raveled and returned versions of fn, and vjp/jvp's derived objects
    w.alive = False
    new = d["__srcgrad_watch__"] = Watch(fn, w.epoch + 1)
    return new


_HERE = os.path.dirname(os.path.abspath(__file__))


def _user_level():
    """The stack level of the first caller outside srcgrad (the user's call)."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_HERE):
        frame, level = frame.f_back, level + 1
    return level

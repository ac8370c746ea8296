"""Check that a function stays inside the differentiable subset; report every problem at once.

    def f(x):
        try:                 ->  f.py:2:5: unsupported construct: try/except
            return g(x)          ...  move error handling outside the function
        except ValueError:
            return 0.0

Calls are resolved against the function's globals: a call to another plain Python function
is checked too (it will be inlined), a call with no rule and no source is named.
"""
import ast
import copy
import inspect

import numpy as np

from .. import custom, library
from . import loops
from .loops import is_int_list
from ..errors import UnsupportedError
from ..rules.table import (RANDOM_METHODS, CALLS, CONSTANT_CALLS, CREATION_CALLS, EINSUM_CALLS, JOIN_CALLS, METHODS, NONDIFF_CALLS, NONDIFF_METHODS,
                           SELECT_CALLS, SPLIT_CALLS)
from .aliases import alias_problem, alias_writes, is_ufunc_at  # noqa: F401 -- alias_problem: normalize's
from .source import _MISSING, read_source
from ..passes.ufunc_methods import ufunc_method
from ..passes.written_numpy import WRITTEN

KNOWN_CALLS = {**CALLS, **NONDIFF_CALLS, **CREATION_CALLS, **JOIN_CALLS, **SPLIT_CALLS,
               **EINSUM_CALLS, **SELECT_CALLS, **WRITTEN, **CONSTANT_CALLS}
ARRAY_ATTRS = {"shape", "T", "size", "ndim"}

# node type -> (construct, what to write instead)
_REJECT = {
    ast.ClassDef: ("class definition", "define classes outside the function and pass arrays in."),
    ast.Lambda: ("lambda", "write a module-level `def` function and call it."),
    ast.FunctionDef: ("nested function (closure)", "move it to module level; srcgrad inlines calls to plain functions."),
    ast.AsyncFunctionDef: ("async function", "write an ordinary `def` function."),
    ast.GeneratorExp: ("generator expression outside sum(), min() or max()", "write an explicit `for i in range(...)` loop."),
    ast.SetComp: ("set comprehension", "use arrays and explicit loops."),
    ast.DictComp: ("dict comprehension", "use arrays and explicit loops."),
    ast.Try: ("try/except", "move error handling outside the differentiated function."),
    ast.With: ("with statement", "move the context manager outside the differentiated function."),
    ast.Global: ("global statement", "pass the value in as an argument and return the new value."),
    ast.Nonlocal: ("nonlocal statement", "pass the value in as an argument and return the new value."),
    ast.Yield: ("yield (generator)", "return an array instead of yielding values."),
    ast.YieldFrom: ("yield from (generator)", "return an array instead of yielding values."),
    ast.Await: ("await", "write synchronous numeric code."),
    ast.Delete: ("del statement", "let the variable go out of scope instead."),
    ast.Import: ("import inside the function, after other statements",
                 "import at module level, or first in the function's body."),
    ast.ImportFrom: ("import inside the function, after other statements",
                     "import at module level, or first in the function's body."),
    ast.Dict: ("dict literal other than d = {\"key\": value, ...} with constant keys",
               "bind it to a name, with constant keys (or use arrays)."),
    ast.Set: ("set", "use arrays; sets cannot be differentiated."),
    ast.List: ("list", "use a NumPy array (np.zeros(n), then fill it) instead of a list."),
    ast.Starred: ("starred expression (*args)", "pass the values as separate arguments."),
    ast.NamedExpr: ("assignment expression (:=)", "assign on a line of its own."),
    ast.JoinedStr: ("f-string", "format values outside the differentiated function."),
}
_ALLOWED_STMTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While,
                  ast.Break, ast.Continue, ast.Return, ast.Pass, ast.Assert, ast.Raise)


def is_stack_literal(node):
    """``[]``, ``[0.0] * 0`` or ``[(0, 0)] * 0`` (an empty list with a known item type: a
    number, or a shape): a stack of generated code."""
    if isinstance(node, ast.List) and not node.elts:
        return True
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
            and isinstance(node.left, ast.List) and len(node.left.elts) == 1
            and isinstance(node.right, ast.Constant) and node.right.value == 0):
        return False
    item = node.left.elts[0]
    return isinstance(item, ast.Constant) or (
        isinstance(item, ast.Tuple) and item.elts and
        all(isinstance(e, ast.Constant) and type(e.value) is int for e in item.elts))


def check_function(src, _active=None):
    """Return the list of problems in ``src`` and every user function it calls."""
    active = _active if _active is not None else []
    active.append(src.fn)
    checker = _Checker(src, active)
    checker.check_signature(src.tree)
    for stmt in src.tree.body:
        checker.visit(stmt)
    checker.check_aliases(src.tree)
    active.pop()
    return checker.problems


def raise_if_unsupported(src):
    problems = check_function(src)
    if problems:
        raise UnsupportedError(problems)



def _dtype_at(obj):
    """Where a call of ``obj`` takes its dtype positionally, or None (passes/dtypes.py)."""
    from ..passes.dtypes import DTYPE_AT
    try:
        return DTYPE_AT.get(obj)
    except TypeError:  # an unhashable callable
        return None

class _Checker(loops.Checks, ast.NodeVisitor):
    def __init__(self, src, active):
        self.src, self.active, self.problems = src, active, []
        self.dtype_args = set()  # ids of x.dtype given as a dtype (passes/dtypes.py)
        self.local_fns = loops.local_functions(src.tree.body)
        self.local_defs = {id(s) for s in src.tree.body
                           if isinstance(s, ast.FunctionDef) or (isinstance(s, ast.Assign)
                                                                 and isinstance(s.value, ast.Lambda))}

    def bad(self, node, construct, hint):
        self.problems.append(self.src.problem(node, construct, hint))

    def check_aliases(self, fdef):
        """Writing into an array that shares memory with another (``y = x``,
        ``row = A[i, :]``, ``B = A.T``) changes both in NumPy, but srcgrad tracks values:
        reject such a write where the other name is still read afterwards (a double buffer
        ``u = v`` whose old ``u`` is never read again is fine).  ``y += 1`` is such a write
        only if ``y`` is an array: the kinds stage decides (see ``alias_problem``)."""
        if self.src.internal:
            return  # generated code restores what it overwrites, through the same memory
        for node, target, other, cond in alias_writes(fdef, self.src.resolve):
            if cond is None:
                self.problems.append(alias_problem(self.src, node, target, other))

    def check_signature(self, fdef):
        a = fdef.args
        helper = len(self.active) > 1 and fdef is self.src.tree  # a module-level function
        if a.kwarg or (a.vararg and fdef is self.src.tree and not helper):
            node = a.vararg or a.kwarg  # (a helper's *args: a tuple of what the call passes)
            self.bad(node, "*args/**kwargs" if fdef is self.src.tree and not helper
                     else "**kwargs", "name every parameter explicitly.")
        if a.posonlyargs or (a.kwonlyargs and not helper):  # called (its keywords are bound)
            self.bad(fdef, "positional-only or keyword-only parameters",
                     "use ordinary positional parameters (keyword-only ones are fine in the "
                     "functions it calls).")

    def generic_visit(self, node):
        kind = type(node)
        if self.src.internal and is_stack_literal(node):
            return  # a stack of generated code: [] or [0.0] * 0
        if kind in _REJECT:
            construct, hint = _REJECT[kind]
            self.bad(node, construct, hint)
            return  # one report per construct, not one per nested node
        if isinstance(node, ast.stmt) and not isinstance(node, _ALLOWED_STMTS):
            self.bad(node, type(node).__name__, "this statement is outside the supported subset (docs/subset.md).")
            return
        super().generic_visit(node)

    def visit_Subscript(self, node):
        """A literal list of integers may index (``x[[0, 2]]``: NumPy's array of it)."""
        self.visit(node.value)
        self.index(node.slice)

    def index(self, index):
        items = index.elts if isinstance(index, ast.Tuple) else [index]
        for item in items:
            if not is_int_list(item):
                self.visit(item)

    def visit_For(self, node):
        it = loops.unreversed(node.iter, self.src.resolve)
        if isinstance(it, tuple):
            self.bad(*it)
            return
        if it is not node.iter:  # reversed(range(...)): checked as the range it is
            node = ast.copy_location(ast.For(node.target, it, node.body, node.orelse, None), node)
        if not loops.is_range(node.iter, self.src.resolve):
            self.sequence_loop(node)
        elif not isinstance(node.target, ast.Name):
            self.bad(node.target, "for loop over range with a tuple target",
                     "loop over one index variable.")
        else:
            for a in node.iter.args:  # (range or numba.prange itself: a loop header)
                self.visit(a)
        if node.orelse:
            self.bad(node, "for/else", "use a flag variable set before `break`.")
        for s in node.body:
            self.visit(s)

    def visit_Raise(self, node):
        """``raise ValueError("...")``: an exception class built from constants (literals, or
        global names of numbers and strings: passes/normalize.py writes their values) is
        fine; a message computed at run time is refused here, by name, as Numba raises only
        constant messages."""
        exc = node.exc
        if isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name):
            cls = self.src.resolve(exc.func)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                if all(constant_message(self.src, a) is not None for a in exc.args) \
                        and not exc.keywords:
                    return
                self.bad(exc, f"raise {ast.unparse(exc.func)}() with a message computed at "
                         "run time", "give it a string literal (or a global string): "
                         'raise ValueError("x must be positive").')
                return
        if exc is not None:
            self.visit(exc)

    def visit_While(self, node):
        if node.orelse:
            self.bad(node, "while/else", "use a flag variable set before `break`.")
        self.visit(node.test)
        for s in node.body:
            self.visit(s)

    def visit_Assign(self, node):
        if id(node) in self.local_defs:  # f = lambda x: ...: checked as its def
            self.local_body(self.local_fns[node.targets[0].id])
            return
        for t in node.targets:
            self.check_target(t)
        if isinstance(node.value, ast.List) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):  # hs = [a, b]: a sequence
            for item in node.value.elts:
                self.container_item(item)
            return
        if isinstance(node.value, ast.Dict) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.value.keys \
                and all(isinstance(k, ast.Constant) for k in node.value.keys):
            for item in node.value.values:  # d = {"W": W, "b": b}: a tuple (passes/dicts.py)
                self.container_item(item)
            return
        v = node.value
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(v, ast.Call) and not v.keywords and (
                    (self.src.resolve(v.func) is list and len(v.args) == 1)
                    or (self.src.resolve(v.func) is tuple and len(v.args) == 1
                        and isinstance(v.args[0], ast.Call)
                        and self.src.resolve(v.args[0].func) in (zip, enumerate))
                    or (isinstance(v.func, ast.Attribute) and v.func.attr == "tolist"
                        and not v.args)):  # l = list(x): a list grown in a loop (sequences.py)
            arg = v.args[0] if v.args else v.func.value
            if isinstance(arg, ast.Call) and self.src.resolve(arg.func) in (zip, enumerate):
                for a in arg.args:  # l = list(zip(a, b)): the list of pairs (sequences.py)
                    self.visit(a.value if isinstance(a, ast.Starred) else a)
                return
            self.visit(arg)
            return
        self.visit(node.value)

    def container_item(self, item):
        """A value inside a dict literal bound to a name: dict (constant keys), list and tuple
        literals nest (nested tuples, passes/dicts.py); anything else is checked as usual."""
        if isinstance(item, (ast.List, ast.Tuple)):
            for e in item.elts:
                self.container_item(e)
        elif isinstance(item, ast.Dict) and item.keys \
                and all(isinstance(k, ast.Constant) for k in item.keys):
            for v in item.values:
                self.container_item(v)
        else:
            self.visit(item)

    def visit_AugAssign(self, node):
        self.check_target(node.target)
        self.visit(node.value)

    def visit_AnnAssign(self, node):
        self.check_target(node.target)
        if node.value is not None:
            self.visit(node.value)

    def check_target(self, t):
        if isinstance(t, ast.Name):
            return
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
            self.index(t.slice)
            return
        if isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) or (
                isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name)) or (
                isinstance(e, ast.Starred) and isinstance(e.value, ast.Name)) for e in t.elts) \
                and sum(isinstance(e, ast.Starred) for e in t.elts) <= 1:
            for e in t.elts:  # a, b = ...; x[i], x[j] = x[j], x[i]; first, *rest = layers
                self.check_target(e.value if isinstance(e, ast.Starred) else e)
            return
        if isinstance(t, ast.Attribute):
            self.bad(t, "attribute assignment", "return the value instead of storing it on an object.")
        else:
            self.bad(t, "assignment target " + ast.unparse(t),
                     "assign to a variable, an array element x[i] or a slice x[a:b].")

    def visit_Attribute(self, node):
        obj = self.src.resolve(node)
        if obj is not _MISSING:
            return  # a module attribute such as math.pi or np.float64
        if node.attr in ARRAY_ATTRS or (node.attr == "dtype" and id(node) in self.dtype_args):
            self.visit(node.value)  # (np.zeros(n, dtype=x.dtype): passes/dtypes.py)
            return
        self.bad(node, f"attribute access .{node.attr}",
                 "only .shape, .size, .ndim, .T and the methods "
                 + ", ".join(f".{m}()" for m in METHODS) + " of arrays are supported.")

    def visit_Call(self, node):
        at = _dtype_at(self.src.resolve(node.func))
        if at is not None:
            d = [k.value for k in node.keywords if k.arg == "dtype"] + node.args[at:at + 1]
            self.dtype_args.update(id(a) for a in d if isinstance(a, ast.Attribute))
        if is_ufunc_at(node, self.src.resolve) or ufunc_method(node, self.src.resolve):
            for a in node.args:  # np.add.at(y, idx, v); np.add.reduce(x), np.add.outer(a, b)
                self.visit(a)
            for k in node.keywords:
                self.visit(k.value)
            return
        if isinstance(node.func, ast.Lambda):  # (lambda t: t * t)(x)
            self.visit_Lambda(node.func)
            return
        if any(isinstance(a, ast.Lambda) for a in node.args) and (
                (isinstance(node.func, ast.Name) and node.func.id in self.local_fns)
                or inspect.isfunction(self.src.resolve(node.func))):
            # apply(lambda t: t * t, x): a function passed to a helper, checked as a def
            for a in node.args:
                if isinstance(a, ast.Lambda):
                    self.local_body(loops.lambda_def("lambda", a))
            node = copy.copy(node)
            node.args = [ast.copy_location(ast.Constant(0.0), a) if isinstance(a, ast.Lambda)
                         else a for a in node.args]
        if isinstance(node.func, ast.Name) and self.src.resolve(node.func) in (sum, min, max) \
                and len(node.args) == 1 and not node.keywords:  # sum(W * W for W in ws)
            arg = node.args[0]
            if isinstance(arg, ast.GeneratorExp):
                self.visit_ListComp(arg)
            else:
                for item in (arg.elts if isinstance(arg, ast.List) else [arg]):
                    self.visit(item)
            return
        if isinstance(node.func, ast.Name) and node.func.id in self.local_fns:
            for a in node.args + [k.value for k in node.keywords]:  # (matched when inlined)
                self.visit(a)
            return
        if self.src.resolve(node.func) in JOIN_CALLS.keys() and node.args \
                and isinstance(node.args[0], (ast.List, ast.Tuple)):
            for item in node.args[0].elts:  # np.concatenate([a, b]): the arrays joined
                self.visit(item)
            for a in node.args[1:]:
                self.visit(a)
            for kw in node.keywords:
                self.visit(kw.value)
            return
        if self.src.resolve(node.func) in SELECT_CALLS.keys():  # two lists, element by element
            for a in node.args + [k.value for k in node.keywords]:
                for item in (a.elts if isinstance(a, (ast.List, ast.Tuple)) else [a]):
                    self.visit(item)
            return
        if self.src.resolve(node.func) in SPLIT_CALLS.keys() and len(node.args) > 1 \
                and isinstance(node.args[1], (ast.List, ast.Tuple)):
            for a in [node.args[0], *node.args[1].elts, *node.args[2:]]:
                self.visit(a)  # np.split(x, [2, 5]): the indices where pieces start
            for kw in node.keywords:
                self.visit(kw.value)
            return
        take = 1 if self.src.resolve(node.func) is np.take else 0 if (
            isinstance(node.func, ast.Attribute) and node.func.attr == "take"
            and self.src.resolve(node.func) is _MISSING) else None
        if take is not None and len(node.args) > take and is_int_list(node.args[take]):
            node = copy.copy(node)  # np.take(x, [0, 2]), x.take([0, 2]): an index (x[[0, 2]])
            node.args = [a for k, a in enumerate(node.args) if k != take]
        if self.src.resolve(node.func) in (np.percentile, np.quantile) and len(node.args) > 1 \
                and isinstance(node.args[1], (ast.List, ast.Tuple)):
            node = copy.copy(node)  # several at once: refused by normalization, saying so
            node.args = node.args[:1] + node.args[1].elts + node.args[2:]
        if self.src.resolve(node.func) is np.tensordot:  # axes=([0, 2], [2, 1]): literal lists
            for a in node.args[:2] + [k.value for k in node.keywords if k.arg != "axes"]:
                self.visit(a)
            return
        if self.src.resolve(node.func) in (np.array, np.asarray, np.asanyarray) \
                and len(node.args) == 1 \
                and isinstance(node.args[0], ast.Name) and not node.keywords:
            return  # np.array(hs) of a list (passes/growing.py: a list that grows in a loop)
        if self.src.resolve(node.func) is np.array and len(node.args) == 1 \
                and isinstance(node.args[0], ast.ListComp) and not node.keywords:
            self.visit_ListComp(node.args[0])  # np.array([f(v) for v in vs])
            return
        if self.src.resolve(node.func) is np.array and len(node.args) == 1 \
                and isinstance(node.args[0], ast.List) and not node.keywords:
            for item in node.args[0].elts:  # np.array([a, b]) / [[a, b], [c, d]] of scalars
                for v in (item.elts if isinstance(item, ast.List) else [item]):
                    self.visit(v)
            return
        if node.args and isinstance(node.args[0], ast.List) and (
                _in(self.src.resolve(node.func), CALLS) or library.known(self.src.resolve(node.func))):
            for item in node.args[0].elts:  # np.sum([a, b]): of np.array([a, b]); multi_dot
                for v in (item.elts if isinstance(item, ast.List) else [item]):
                    self.visit(v)
            node = copy.copy(node)
            node.args = node.args[1:]
        for kw in node.keywords:
            if kw.arg is None:
                self.bad(node, "**kwargs in a call", "pass arguments explicitly.")
            self.visit(kw.value)
        for a in node.args:
            self.visit(a)
        f = node.func
        if isinstance(f, ast.Call) and len(f.args) == 1 and not f.keywords \
                and getattr(self.src.resolve(f.func), "__name__", None) == "checkpoint" \
                and getattr(self.src.resolve(f.func), "__module__", "") == "srcgrad.checkpoints":
            g = self.src.resolve(f.args[0])  # srcgrad.checkpoint(g)(...): g is checked
            if inspect.isfunction(g) and g not in self.active:
                try:
                    self.problems.extend(check_function(read_source(g), self.active))
                except UnsupportedError as e:
                    self.problems.extend(e.problems)
            elif custom.rule_for(g) is None:
                self.bad(node, f"checkpoint({ast.unparse(f.args[0])})",
                         "checkpoint a function defined with def at module level.")
            return
        if isinstance(f, ast.Attribute) and self.src.resolve(f) is _MISSING:
            if f.attr in METHODS or (self.src.internal and f.attr in ("append", "pop")) \
                    or f.attr in NONDIFF_METHODS \
                    or (f.attr == "append" and isinstance(f.value, ast.Name)) \
                    or (f.attr in ("values", "keys", "items") and not node.args) \
                    or (f.attr in RANDOM_METHODS and isinstance(f.value, ast.Name)):  # rng.normal()
                self.visit(f.value)
            elif inspect.ismodule(self.src.resolve(f.value)):  # np.trapz in NumPy 2
                module = self.src.resolve(f.value)
                self.bad(node, f"call to {ast.unparse(f)}(), which module {module.__name__} "
                         f"(version {getattr(module, '__version__', '?')}) does not have",
                         "Python raises AttributeError there too: check the name.")
            else:
                self.bad(node, f"method call .{f.attr}()",
                         "call a function instead; supported methods: "
                         + ", ".join(f".{m}()" for m in [*METHODS, *NONDIFF_METHODS]) + ".")
            return
        obj = self.src.resolve(f)
        name = ast.unparse(f)
        if isinstance(f, ast.Name) and f.id in self.src.params:
            return  # a function passed as an argument: known at the call (srcgrad/pytree.py),
            # whatever a global of its name is (the parameter hides it, as in Python)
        if obj is _MISSING:
            self.bad(node, f"call to {name}()", f"{name} is not a function srcgrad can see; "
                     "call module-level functions, math.* or np.* functions.")
            return
        if custom.rule_for(obj) is not None:  # the user's own rule (srcgrad/custom.py)
            return
        try:
            known = obj in KNOWN_CALLS
        except TypeError:  # unhashable callable
            known = False
        if known or library.known(obj):  # a rule, or a library function written in the subset
            return
        if _library(obj):
            qual = library.qualname(obj)
            self.bad(node, f"call to {name}() with no derivative rule",
                     f"no derivative rule for {qual}, and srcgrad does not look inside "
                     f"{qual.split('.')[0]}'s code (docs/subset.md lists the library functions "
                     "it takes); give it a rule of yours with srcgrad.defrule(...) "
                     "(docs/custom-rules.md), or write it with supported operations.")
            return
        module = getattr(obj, "__module__", None) or ""
        if inspect.isfunction(obj) and module.startswith("srcgrad.runtime"):
            self.bad(node, f"a derivative of {name}(), a helper of srcgrad's own derivative code",
                     "this is a derivative of a derivative rule that srcgrad does not have "
                     "(third and higher derivatives of np.prod); differentiate fewer times.")
            return
        if inspect.isfunction(obj):
            if obj in self.active:
                self.bad(node, f"recursive call to {name}()", "rewrite the recursion as a loop.")
                return
            try:
                callee = read_source(obj)
            except UnsupportedError as e:
                self.problems.extend(e.problems)
                return
            self.problems.extend(check_function(callee, self.active))
            return
        self.bad(node, f"call to {name}() with no derivative rule",
                 f"srcgrad has no rule for {name}; give it one with srcgrad.defrule(...) or "
                 "@srcgrad.custom_vjp (docs/custom-rules.md), write it with supported "
                 "NumPy/math operations in a plain Python function, or add it to srcgrad "
                 "(docs/adding-a-rule.md).")


_LIBRARIES = {"numpy", "scipy", "numba", "sklearn", "pandas", "jax", "jaxlib", "torch",
              "autograd", "tensorflow", "statsmodels", "random", "statistics", "functools",
              "itertools", "operator"}


def _library(fn):
    """A callable of NumPy, SciPy, Numba, another numeric library or Python's standard library
    (a function, a ufunc, a distribution's method): its source, if it has any, is an
    implementation detail far outside the subset, so a call to one without a rule is refused
    at the user's line, naming it, and never looked inside."""
    if isinstance(fn, np.ufunc):  # NumPy's and SciPy's ufuncs (SciPy's lack __module__)
        return True
    owner = getattr(fn, "__self__", None)
    if owner is not None and not inspect.ismodule(owner):
        fn = type(owner)  # scipy.stats.norm.logpdf: a method of scipy's norm_gen
    mod = getattr(fn, "__module__", None) or ""
    return mod.split(".")[0] in _LIBRARIES


def _in(obj, table):
    """``obj in table``, False for an object that cannot be hashed."""
    try:
        return obj in table
    except TypeError:
        return False


def constant_message(src, a):
    """An exception argument's constant: a literal, or a global name of a string, a number or
    a bool; None otherwise."""
    if isinstance(a, ast.Constant):
        return a
    if isinstance(a, ast.Name):
        v = src.resolve(a)
        if type(v) in (str, int, float, bool):
            return ast.copy_location(ast.Constant(v), a)
    return None

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
import inspect

import numpy as np

from ..errors import UnsupportedError
from ..rules.table import CALLS, CREATION_CALLS, METHODS, NONDIFF_CALLS
from .source import _MISSING, read_source

KNOWN_CALLS = {**CALLS, **NONDIFF_CALLS, **CREATION_CALLS}
ARRAY_ATTRS = {"shape", "T", "size", "ndim"}

# node type -> (construct, what to write instead)
_REJECT = {
    ast.ClassDef: ("class definition", "define classes outside the function and pass arrays in."),
    ast.Lambda: ("lambda", "write a module-level `def` function and call it."),
    ast.FunctionDef: ("nested function (closure)", "move it to module level; srcgrad inlines calls to plain functions."),
    ast.AsyncFunctionDef: ("async function", "write an ordinary `def` function."),
    ast.GeneratorExp: ("generator expression", "write an explicit `for i in range(...)` loop."),
    ast.ListComp: ("list comprehension", "allocate an array with np.zeros/np.empty and fill it in a loop."),
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
    ast.Import: ("import inside the function", "import at module level."),
    ast.ImportFrom: ("import inside the function", "import at module level."),
    ast.Dict: ("dict", "use arrays; dicts cannot be differentiated."),
    ast.Set: ("set", "use arrays; sets cannot be differentiated."),
    ast.List: ("list", "use a NumPy array (np.zeros(n), then fill it) instead of a list."),
    ast.Starred: ("starred expression (*args)", "pass the values as separate arguments."),
    ast.NamedExpr: ("assignment expression (:=)", "assign on a line of its own."),
    ast.JoinedStr: ("f-string", "format values outside the differentiated function."),
}
_ALLOWED_STMTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While,
                  ast.Break, ast.Continue, ast.Return, ast.Pass, ast.Assert, ast.Raise)


def is_stack_literal(node):
    """``[]`` or ``[0.0] * 0`` (an empty list with a known item type): a stack of generated code."""
    if isinstance(node, ast.List) and not node.elts:
        return True
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
            and isinstance(node.left, ast.List) and len(node.left.elts) == 1
            and isinstance(node.left.elts[0], ast.Constant)
            and isinstance(node.right, ast.Constant) and node.right.value == 0)


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


class _Checker(ast.NodeVisitor):
    def __init__(self, src, active):
        self.src, self.active, self.problems = src, active, []

    def bad(self, node, construct, hint):
        self.problems.append(self.src.problem(node, construct, hint))

    def check_aliases(self, fdef):
        """Writing into an array that may share memory with another (``y = x``, ``row = A[i, :]``,
        ``B = A.T``) would change both in NumPy, but srcgrad tracks values: reject it."""
        aliases = {}
        for node in ast.walk(fdef):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                v = node.value
                may_alias = isinstance(v, ast.Name) and v.id != node.targets[0].id or (
                    isinstance(v, ast.Subscript) and any(
                        isinstance(n, ast.Slice) for n in ast.walk(v.slice))) or (
                    isinstance(v, ast.Attribute) and v.attr == "T")
                if may_alias:
                    aliases.setdefault(node.targets[0].id, node)
        for node in ast.walk(fdef):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AugAssign) else [])
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) \
                        and t.value.id in aliases:
                    src_line = ast.unparse(aliases[t.value.id])
                    self.bad(t, f"write into {t.value.id!r}, which may share memory with another "
                                f"array ({src_line})",
                             "srcgrad tracks values, not NumPy views: make it a copy "
                             f"({t.value.id} = ....copy()) or write into the original array.")

    def check_signature(self, fdef):
        a = fdef.args
        if a.vararg or a.kwarg:
            node = a.vararg or a.kwarg
            self.bad(node, "*args/**kwargs", "name every parameter explicitly.")
        if a.posonlyargs or a.kwonlyargs:
            self.bad(fdef, "positional-only or keyword-only parameters",
                     "use ordinary positional parameters.")

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

    def visit_For(self, node):
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and self.src.resolve(it.func) is range and not it.keywords
                and 1 <= len(it.args) <= 3):
            self.bad(node, "for loop over something other than range(...)",
                     "loop over indices: `for i in range(len(x)):` and read x[i].")
        if not isinstance(node.target, ast.Name):
            self.bad(node.target, "for loop with a tuple target", "loop over one index variable.")
        if node.orelse:
            self.bad(node, "for/else", "use a flag variable set before `break`.")
        for s in node.body:
            self.visit(s)

    def visit_While(self, node):
        if node.orelse:
            self.bad(node, "while/else", "use a flag variable set before `break`.")
        self.visit(node.test)
        for s in node.body:
            self.visit(s)

    def visit_Assign(self, node):
        for t in node.targets:
            self.check_target(t)
        self.visit(node.value)

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
            self.visit(t.slice)
            return
        if isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts):
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
        if node.attr in ARRAY_ATTRS:
            self.visit(node.value)
            return
        self.bad(node, f"attribute access .{node.attr}",
                 "only .shape, .size, .ndim, .T and the methods "
                 + ", ".join(f".{m}()" for m in METHODS) + " of arrays are supported.")

    def visit_Call(self, node):
        if self.src.resolve(node.func) is np.array and len(node.args) == 1 \
                and isinstance(node.args[0], ast.List) and not node.keywords:
            for item in node.args[0].elts:  # np.array([a, b]) / [[a, b], [c, d]] of scalars
                for v in (item.elts if isinstance(item, ast.List) else [item]):
                    self.visit(v)
            return
        for kw in node.keywords:
            if kw.arg is None:
                self.bad(node, "**kwargs in a call", "pass arguments explicitly.")
            self.visit(kw.value)
        for a in node.args:
            self.visit(a)
        f = node.func
        if isinstance(f, ast.Attribute) and self.src.resolve(f) is _MISSING:
            if f.attr in METHODS or (self.src.internal and f.attr in ("append", "pop")):
                self.visit(f.value)
            else:
                self.bad(node, f"method call .{f.attr}()",
                         "call a function instead; supported methods: "
                         + ", ".join(f".{m}()" for m in METHODS) + ".")
            return
        obj = self.src.resolve(f)
        name = ast.unparse(f)
        if obj is _MISSING:
            self.bad(node, f"call to {name}()", f"{name} is not a function srcgrad can see; "
                     "call module-level functions, math.* or np.* functions.")
            return
        try:
            known = obj in KNOWN_CALLS
        except TypeError:  # unhashable callable
            known = False
        if known:
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
                 f"srcgrad has no rule for {name}; write it with supported NumPy/math "
                 "operations in a plain Python function, or see docs/adding-a-rule.md.")

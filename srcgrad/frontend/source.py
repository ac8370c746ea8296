"""Read a function's source, parse it, and keep what errors need to point at the user's line.

A :class:`Source` holds the parsed ``FunctionDef`` with line numbers already shifted to the
file's own numbering, the file name, the file's lines, and the function's global and closure
names, so later stages can resolve ``np.sin`` or a call to another user function.
"""
import ast
import builtins
import inspect
import sys
import linecache
import textwrap

from ..errors import Location, Problem, UnsupportedError
from . import deletes, function_values, mutating_calls

_MISSING = object()


class Source:
    def __init__(self, fn, tree, filename, lines, namespace):
        self.fn = fn
        self.tree = tree              # ast.FunctionDef, file line numbers
        self.filename = filename
        self.lines = lines
        self.namespace = namespace    # globals + closure cells
        self.local_names = own_scope_names(tree)  # never a global, wherever they are read
        # srcgrad's own generated code (differentiated again for Hessians and nested grads)
        # may use its list stacks: _stack = [], _stack.append(v), v = _stack.pop()
        self.internal = filename.startswith("<srcgrad")

    @property
    def name(self):
        return self.tree.name

    @property
    def params(self):
        return [a.arg for a in self.tree.args.args]

    def loc(self, node):
        lineno = getattr(node, "lineno", None)
        if lineno is None:
            return None
        text = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        return Location(self.filename, lineno, getattr(node, "col_offset", 0), text)

    def problem(self, node, construct, hint):
        return Problem(self.loc(node), construct, hint)

    def resolve(self, node):
        """The Python object a ``Name``/``Attribute`` chain denotes in the function's
        globals, or ``_MISSING`` (a local variable, or not a plain chain).  Attribute
        look-ups only touch modules and functions already loaded: no user code runs."""
        if isinstance(node, ast.Name):
            if node.id in self.local_names:  # a local of the same name hides a global
                return _MISSING
            if node.id in self.namespace:
                return _python_of(self.namespace[node.id])
            return getattr(builtins, node.id, _MISSING)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is _MISSING or not (inspect.ismodule(base) or _distribution(base)):
                return _MISSING
            return _python_of(getattr(base, node.attr, _MISSING))
        return _MISSING


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def own_scope_names(fdef):
    """The names ``fdef``'s own scope binds, as Python decides it: its parameters, and every
    name it assigns, deletes or defines anywhere in its body (a nested function's or a
    comprehension's own names aside, but a ``:=`` in a comprehension binds here), less those
    declared ``global`` or ``nonlocal``.  A name only an import binds is left out: an import
    after other statements is refused at its line, and its module is read as the global one
    (one problem, not one more at each use)."""
    a = fdef.args
    names = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
    names |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    declared = set()

    def walk(node, in_comprehension=False):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(child.name)
                continue  # (its defaults and decorators are rare enough to ignore here)
            if isinstance(child, ast.Lambda):
                continue
            if isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                walk(child, True)
                continue
            if isinstance(child, ast.NamedExpr):
                names.add(child.target.id)
            elif isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load) \
                    and not in_comprehension:
                names.add(child.id)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                names.add(child.name)
            elif isinstance(child, (ast.Global, ast.Nonlocal)):
                declared.update(child.names)
            walk(child, in_comprehension)

    walk(fdef)
    return frozenset(names - declared)


def _python_of(obj):
    """A user's ``@numba.njit`` function as the Python function it compiles (``.py_func``),
    and a user's ``@numba.vectorize`` function (without signatures) as its scalar Python
    function: srcgrad differentiates that source like any other helper's."""
    kind = type(obj).__name__
    if kind == "DUFunc" and type(obj).__module__.startswith("numba"):
        py = getattr(getattr(obj, "_dispatcher", None), "py_func", None)
        if inspect.isfunction(py) and not (py.__module__ or "").startswith("srcgrad."):
            py.__srcgrad_elementwise__ = True  # its body is for numbers
            return py
    if kind == "CPUDispatcher" and type(obj).__module__.startswith("numba") \
            and inspect.isfunction(getattr(obj, "py_func", None)) \
            and not (getattr(obj.py_func, "__module__", "") or "").startswith("srcgrad."):
        return obj.py_func
    return obj


def read_source(fn):
    """Parse ``fn`` into a :class:`Source`.  Raises UnsupportedError for lambdas and for
    functions whose source cannot be found (built in C, typed at a bare REPL)."""
    flat = getattr(fn, "__srcgrad_source__", None)
    if flat is not None:  # a function srcgrad made from a user's (srcgrad/pytree.py)
        return flat
    fn = inspect.unwrap(fn)
    name = getattr(fn, "__name__", repr(fn))
    if not inspect.isfunction(fn):
        raise UnsupportedError([Problem(None, f"{name!r} is not a Python function",
                                        "srcgrad differentiates plain `def` functions.")])
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        raise UnsupportedError([Problem(None, f"no source for function {name!r}",
                                        "define it in a file (or a notebook cell) so its source can be read.")])
    filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    text = textwrap.dedent("".join(lines))
    tree = _lambda_tree(fn, text, first) if name == "<lambda>" else None
    if tree is None:
        try:
            module = ast.parse(text)
        except SyntaxError:
            module = None
        tree = module.body[0] if module is not None and module.body else None
    if not isinstance(tree, ast.FunctionDef):
        all_lines = linecache.getlines(filename) or lines
        loc = Location(filename, first, 0, all_lines[first - 1] if first <= len(all_lines) else "")
        raise UnsupportedError([Problem(loc, "lambda", "one lambda per line, whose line parses "
                                        "on its own; or write a `def` function.")])
    ast.increment_lineno(tree, first - 1)
    # dedent shifted columns; put them back so carets line up with the file
    indent = len(lines[0]) - len(lines[0].lstrip())
    if indent:
        for node in ast.walk(tree):
            if hasattr(node, "col_offset"):
                node.col_offset += indent
            if getattr(node, "end_col_offset", None) is not None:
                node.end_col_offset += indent  # (compile() refuses an end before the start)
    tree.decorator_list = []
    all_lines = linecache.getlines(filename) or [""] * (first - 1) + lines
    namespace = dict(fn.__globals__)
    if fn.__closure__:
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:
                pass
    _local_imports(tree, namespace)
    function_values.rewrite(tree, namespace)
    mutating_calls.rewrite(tree, namespace)
    deletes.rewrite(tree)
    return Source(fn, tree, filename, all_lines, namespace)


def _local_imports(tree, namespace):
    """Imports the function's body starts with (after a docstring): ``import numpy as np``,
    ``from numba import prange``.  Each binds what Python binds when the function runs, in
    ``namespace`` (this function's own), and the statement goes from ``tree``.  Imports
    anywhere else, relative ones, of a name the function also assigns, or that fail, stay
    for the subset check to refuse at their line."""
    body = tree.body
    k = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        else 0
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Store)}
    while k < len(body) and isinstance(body[k], (ast.Import, ast.ImportFrom)):
        bound = _imported(body[k])
        if bound is None or set(bound) & assigned:
            break
        namespace.update(bound)
        del body[k]
    if not body:  # (only imports: Python returns None, as an empty body here would not parse)
        body.append(ast.copy_location(ast.Pass(), tree))


def _imported(st):
    """{name: object} an import statement binds, or None (relative, or it fails)."""
    import importlib
    out = {}
    try:
        if isinstance(st, ast.Import):
            for a in st.names:
                module = importlib.import_module(a.name)
                if a.asname:
                    out[a.asname] = module
                else:
                    top = a.name.split(".")[0]
                    out[top] = importlib.import_module(top)
            return out
        if st.level or not st.module:
            return None
        module = importlib.import_module(st.module)
        for a in st.names:
            if a.name == "*":
                return None
            try:
                obj = getattr(module, a.name)
            except AttributeError:
                obj = importlib.import_module(f"{st.module}.{a.name}")
            out[a.asname or a.name] = obj
        return out
    except ImportError:
        return None


def _lambda_tree(fn, text, first):
    """``f = lambda x, y: e`` as ``def lambda_<line>(x, y): return e``: the one lambda on its
    line with ``fn``'s parameters (None if there is not exactly one, or the lines do not
    parse on their own, as when the lambda sits inside a longer call)."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return None
    code = fn.__code__
    params = list(code.co_varnames[:code.co_argcount])
    line = code.co_firstlineno - first + 1
    found = [n for n in ast.walk(module) if isinstance(n, ast.Lambda) and n.lineno == line
             and [a.arg for a in n.args.args] == params]
    if len(found) != 1:
        return None
    lam = found[0]
    ret = ast.copy_location(ast.Return(lam.body), lam.body)
    fdef = ast.FunctionDef(name=f"lambda_{code.co_firstlineno}", args=lam.args, body=[ret],
                           decorator_list=[], returns=None, type_comment=None)
    return ast.fix_missing_locations(ast.copy_location(fdef, lam))


def _distribution(obj):
    """A scipy.stats distribution (``norm``, ``multivariate_normal``): its methods are
    library functions (srcgrad/library/stats.py), looked up without running user code."""
    stats = sys.modules.get("scipy.stats")
    return stats is not None and isinstance(obj, (stats.rv_continuous, stats.rv_discrete,
                                                  stats._multivariate.multi_rv_generic))

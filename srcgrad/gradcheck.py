"""Per-statement gradient check: each statement's derivative against finite differences, so a
wrong rule (a custom rule of yours, or one of srcgrad's) is found at its line.

    srcgrad.check_grads(f, x, A)            # a Report, or AssertionError at the first
                                            # statement whose derivative disagrees
    srcgrad check --fd file.py:f --args "x=f8[5], A=f8[5,5], n=3"

The function is normalized as for differentiation (one operation per statement, helpers
inlined) and run as Python, recording the operands of each statement the first times it runs.
Each recorded statement becomes a small function of its operands,

    y = lse(A[i] * x)        ->   def at_line_21(_t2):       (lse: the user's custom rule)
                                       return lse(_t2)

whose srcgrad vjp and jvp are compared with central differences along random directions, at
two step sizes (where the two disagree the point is not smooth, and it is skipped).  Last, the
whole function's vjp and jvp are compared the same way.
"""
import ast
import copy
import math
import os

import numpy as np

from . import kinds as K
from . import pipeline, runtime
from .backend.compile import for_backend
from .backend.emit import filename_for, register
from .errors import UnsupportedError
from .passes.activity import deps_of
from .passes.walk import loads
from .transforms.args import prepare


class Check:
    """One statement (or the whole function) at one visit: what its derivatives gave."""

    def __init__(self, where, text, code, rev, fwd, fd, smooth):
        self.where, self.text, self.code = where, text, code
        self.rev, self.fwd, self.fd, self.smooth = rev, fwd, fd, smooth

    def agrees(self, rtol, atol):
        if not self.smooth:
            return True
        tol = rtol * max(abs(self.fd), 1.0) + atol
        return abs(self.rev - self.fd) <= tol and (self.fwd is None
                                                    or abs(self.fwd - self.fd) <= tol)

    def describe(self):
        fwd = "no forward mode (a vjp rule only)" if self.fwd is None else \
            f"forward mode {self.fwd!r}"
        return (f"{self.where}: {self.text.strip()}\n    {self.code}\n    reverse mode gives "
                f"{self.rev!r}, {fwd}, finite differences {self.fd!r} (along random "
                "directions)")


class Report:
    def __init__(self, name, checks, skipped, rtol, atol):
        self.name, self.checks, self.skipped = name, checks, skipped
        self.rtol, self.atol = rtol, atol
        self.failures = [c for c in checks if not c.agrees(rtol, atol)]

    @property
    def ok(self):
        return not self.failures

    @property
    def first(self):
        return self.failures[0] if self.failures else None

    def __str__(self):
        n = len(self.checks)
        if self.ok:
            return (f"{self.name}: the derivatives of {n} statement visits agree with finite "
                    f"differences" + (f" ({len(self.skipped)} not checked: "
                                      f"{'; '.join(self.skipped[:3])})" if self.skipped else ""))
        return (f"{self.name}: the derivative disagrees with finite differences first at\n"
                + self.first.describe())


def check_grads(f, *args, seed=0, rtol=1e-5, atol=1e-8, visits=2, raise_=True):
    """Compare the derivative of every statement of ``f`` at ``args`` (its first ``visits``
    runs in loops) with finite differences, then the whole function's.  Returns the
    :class:`Report`; with ``raise_`` (the default) an AssertionError names the first
    statement whose derivative disagrees."""
    fn = getattr(f, "primal", f)
    src0 = pipeline.parse(fn)
    args = prepare(args, src0.params)
    arg_kinds = {p: K.kind_of_value(a) for p, a in zip(src0.params, args)}
    src, fdef, kinds, constants = pipeline.normalized(fn, arg_kinds)
    ns = {"np": np, "math": math, **runtime.namespace(), **for_backend(constants, "python")}
    rng = np.random.default_rng(seed)
    records, sites = _run(fdef, kinds, constants, ns, args, visits)
    checks, skipped = [], []
    for k, values in records:
        stmt, params = sites[k]
        where = f"{os.path.basename(src.filename)}:{getattr(stmt, 'lineno', '?')}"
        try:
            tiny = _statement_function(stmt, params, ns, k)
            checks.append(_compare(tiny, values, rng, where, _line(src, stmt),
                                   ast.unparse(stmt)))
        except UnsupportedError as e:
            skipped.append(f"{where}: {str(e).splitlines()[0]}")
    whole = [i for i, a in enumerate(args) if K.is_float(K.kind_of_value(a))]
    if whole:
        checks.append(_compare(fn, list(args), rng, f"{os.path.basename(src.filename)}:"
                               f"{src.tree.lineno}", f"the whole function {src.name}()",
                               "(all statements together)"))
    report = Report(src.name, checks, skipped, rtol, atol)
    if raise_ and not report.ok:
        raise AssertionError(str(report))
    return report


def _line(src, stmt):
    n = getattr(stmt, "lineno", 0)
    return src.lines[n - 1] if 0 < n <= len(src.lines) else getattr(stmt, "origin", "")


def _run(fdef, kinds, constants, ns, args, visits):
    """Run the normalized function, recording each checked statement's operands."""
    fdef = copy.deepcopy(fdef)
    sites, records, counts = {}, [], {}

    def record(k, values):
        if counts.get(k, 0) < visits:
            counts[k] = counts.get(k, 0) + 1
            records.append((k, [v.copy() if isinstance(v, np.ndarray) else v for v in values]))

    def instrument(body):
        out = []
        for s in body:
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, instrument(getattr(s, field)))
            params = _checked(s, kinds, constants)
            if params is not None:
                k = len(sites)
                sites[k] = (s, params)
                call = ast.Expr(ast.Call(ast.Name("_srcgrad_record", ast.Load()), [
                    ast.Constant(k), ast.Tuple([ast.Name(p, ast.Load()) for p in params],
                                               ast.Load())], []))
                out.append(ast.copy_location(call, s))
            out.append(s)
        return out
    fdef.body = instrument(fdef.body)
    fdef.name = "_srcgrad_instrumented"
    module = ast.fix_missing_locations(ast.Module([fdef], type_ignores=[]))
    run_ns = dict(ns, _srcgrad_record=record)
    exec(compile(module, "<srcgrad check>", "exec"), run_ns)
    run_ns["_srcgrad_instrumented"](*[a.copy() if isinstance(a, np.ndarray) else a
                                      for a in args])
    return records, sites


def _checked(s, kinds, constants):
    """The operands of an assignment worth checking (a float result computed from float
    values), or None."""
    if not isinstance(s, ast.Assign) or not isinstance(s.targets[0], ast.Name):
        return None
    v = s.value
    if isinstance(v, (ast.Name, ast.Constant)) or not K.is_float(kinds.get(s.targets[0].id)):
        return None
    if not any(K.is_float(kinds.get(n)) for n in deps_of(v) if n not in constants):
        return None
    reads = sorted(n for n in loads(v) if n not in constants and n in kinds)
    if any(kinds.get(n) is None or kinds[n][0] not in "as" for n in reads):
        return None  # a tuple or a stack of generated code
    return reads


def _statement_function(stmt, params, ns, k):
    name = f"at_line_{getattr(stmt, 'lineno', 0)}_{k}"
    text = f"def {name}({', '.join(params)}):\n    return {ast.unparse(stmt.value)}\n"
    filename = filename_for(name, text)
    register(text, filename)
    local = dict(ns)
    exec(compile(text, filename, "exec"), local)
    return local[name]


def _compare(fn, values, rng, where, text, code):
    """<u, J v> by srcgrad's vjp, its jvp, and central differences at two steps."""
    import srcgrad
    values = list(values)
    floats = [i for i, v in enumerate(values) if isinstance(v, float) or (
        isinstance(v, np.ndarray) and v.dtype.kind == "f")]
    dirs = [rng.standard_normal(np.shape(values[i])) if np.ndim(values[i]) else
            float(rng.standard_normal()) for i in floats]
    out = fn(*values)
    u = rng.standard_normal(np.shape(out)) if np.ndim(out) else float(rng.standard_normal())
    wrt = tuple(_param_names(fn)[i] for i in floats)
    _, vjp_fn = srcgrad.vjp(fn, *values, wrt=wrt, backend="python", cache=False)
    cts = vjp_fn(u)
    rev = sum(float(np.sum(c * d)) for c, d in zip(cts, dirs))
    tangents = [None] * len(values)
    for i, d in zip(floats, dirs):
        tangents[i] = d
    try:
        _, tan = srcgrad.jvp(fn, tuple(values), tuple(tangents), backend="python", cache=False)
        fwd = float(np.sum(np.asarray(u) * np.asarray(tan)))
    except UnsupportedError as e:
        if "needs a jvp rule" not in str(e):
            raise
        fwd = None  # a custom rule with no forward mode: the reverse one is still checked

    def fd(h):
        plus, minus = list(values), list(values)
        for i, d in zip(floats, dirs):
            plus[i] = values[i] + h * d
            minus[i] = values[i] - h * d
        return float(np.sum(np.asarray(u) * (np.asarray(fn(*plus)) - np.asarray(fn(*minus))))
                     / (2 * h))
    fd1, fd2 = fd(1e-4), fd(1e-6)
    smooth = abs(fd1 - fd2) <= 1e-4 * max(1.0, abs(fd1)) and all(
        np.isfinite(x) for x in (fd1, fd2, rev, 0.0 if fwd is None else fwd))
    return Check(where, text, code, rev, fwd, fd2, smooth)


def _param_names(fn):
    code = fn.__code__
    return list(code.co_varnames[:code.co_argcount])


__all__ = ["check_grads", "Report", "Check"]

"""The checks of the array fuzzer's programs (tools/fuzz_arrays.py): every transform.

``check_all`` runs every transform on one program: vjp with a random cotangent and jvp
against finite differences and each other, grad, jacfwd vs jacrev vs finite differences,
hessian vs finite differences of the gradient, grad(grad(f)), and checks that no transform
changed anything passed in.  A program may take a container ``P`` (a dict holding a list of
(array, float) tuples and a float): its cotangents and tangents are containers of the same
structure.  A program that draws random numbers takes a ``np.random.Generator`` ``rng``: its
derivative is that of the value the same call returns, so it is checked with
``value_and_grad`` and ``jvp`` (the transforms that run once per call), every evaluation,
finite differences included, drawing from an equally seeded generator.
"""
import inspect
import warnings

import numpy as np

import srcgrad
import srcgrad.memory_plan

N, R = 4, 3
MAT, T3 = (R, N), (2, R, N)


def make_args(rng, params=("x", "y", "a", "M", "T", "n")):
    """Arguments for the parameters of a program: ``P`` is a container (nested)."""
    args = (float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1)), rng.uniform(-1, 1, N),
            rng.uniform(-1, 1, MAT), rng.uniform(-1, 1, T3), N)
    if "P" in params:
        args += ({"layers": [(rng.uniform(-1, 1, N), float(rng.uniform(-1, 1))),
                             (rng.uniform(-1, 1, R), float(rng.uniform(-1, 1)))],
                  "k": float(rng.uniform(-1, 1))},)
    return args


WRT = ("x", "y", "a", "M", "T")


class Failure(Exception):
    pass


CHECKPOINT = None  # tools/fuzz.py --checkpoint S: loop checkpoints with S snapshots must agree
MEMORY = None      # tools/fuzz.py --memory B: the loops a memory=B plan checkpoints, too


PLANS = {"whole": 0, "loops checkpointed": 0, "calls checkpointed": 0,
         "too small": 0}  # what MEMORY's plans chose


def _tallied(choose):
    def tally(*args, **kwargs):
        try:
            plan = choose(*args, **kwargs)
            if MEMORY == "calls":  # every call the probe found, checkpointed
                plan.calls = {c.site for c in plan.call_uses}
        except ValueError:
            PLANS["too small"] += 1
            raise
        if plan.snapshots:
            PLANS["loops checkpointed"] += 1
        if plan.calls:
            PLANS["calls checkpointed"] += 1
        if not plan.snapshots and not plan.calls:
            PLANS["whole"] += 1
        return plan
    return tally


if not hasattr(srcgrad.memory_plan.choose, "tallied"):  # (imported by tests, and again)
    srcgrad.memory_plan.choose = _tallied(srcgrad.memory_plan.choose)
    srcgrad.memory_plan.choose.tallied = True


def checkpointings():
    """(label, options) of each checkpointing the fuzzer was asked to compare."""
    out = []
    if CHECKPOINT:
        out.append((f"checkpoint={CHECKPOINT}", {"checkpoint": CHECKPOINT}))
    if MEMORY:
        out.append((f"memory={MEMORY!r}", {"memory": MEMORY}))
    return out


def checkpointed(make, options):
    """``make(**options)``'s result, or None where a memory budget is too small for the
    program (a clear refusal, not a wrong result).  ``memory="least"``: the least budget the
    program's plan can meet (every loop that can be checkpointed is, with one snapshot),
    found by asking for one byte first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.CheckpointWarning)
        if options.get("memory") == "calls":
            return make(memory="1GB")  # (the plan is overridden: _tallied)
        if options.get("memory") == "least":
            try:
                return make(memory=1)
            except ValueError as e:
                if "needs at least" not in str(e):
                    raise
                need = str(e).split("needs at least ")[1].split(" bytes")[0]
                return make(memory=int(need.replace(",", "")))
        try:
            return make(**options)
        except ValueError as e:
            if "needs at least" in str(e):
                return None
            raise


def same_with_checkpoints(f, args, wrt, u, cts, backend):
    """With ``CHECKPOINT`` (or ``MEMORY``) set, the cotangents with every top-level loop
    checkpointed (binomial checkpointing, srcgrad/passes/revolve.py), or the loops a budget's
    plan chose (srcgrad/memory_plan.py), must equal ``cts`` to 1e-12."""
    for label, options in checkpointings():
        got = checkpointed(lambda **o: srcgrad.vjp(f, *args, wrt=wrt, backend=backend,
                                                   cache=False, **o)[1](u), options)
        if got is not None:
            _same(got, cts, f"[{backend}] with {label}", "without")


def same_with_parallel(f, args, wrt, u, cts, backend):
    """With ``parallel=True`` (top-level loops with independent steps as prange,
    passes/auto_parallel.py), the cotangents must equal ``cts`` to 1e-12 (Python backend: a
    prange runs as range there; the compiled prange code is the user-prange code tested in
    tests/test_parallel.py)."""
    if backend != "python" or not _top_level_loop(f):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.ParallelWarning)
        _, fn = srcgrad.vjp(f, *args, wrt=wrt, backend=backend, cache=False, parallel=True)
        got = fn(u)
    _same(got, cts, f"[{backend}] with parallel=True", "without")


def _top_level_loop(f):
    """Does ``f`` have a loop in its own body (what ``parallel=True`` may change)?"""
    import re
    return re.search(r"^    for ", inspect.getsource(f), re.M) is not None


def _same(got, want, what, other):
    for g, c in zip(_leaves(got), _leaves(want)):
        if not np.allclose(g, c, rtol=1e-12, atol=1e-14, equal_nan=True):
            raise Failure(f"{what}: {g!r} but {c!r} {other}")


def _map(fn, *trees):
    """``fn`` over the leaves of equally structured tuples, lists and dicts."""
    t = trees[0]
    if isinstance(t, dict):
        if any(not isinstance(o, dict) or o.keys() != t.keys() for o in trees[1:]):
            raise Failure(f"structure {trees[1:]!r} is not that of {t!r}")
        return {k: _map(fn, *(o[k] for o in trees)) for k in t}
    if isinstance(t, (tuple, list)):
        if any(type(o) is not type(t) or len(o) != len(t) for o in trees[1:]):
            raise Failure(f"structure {trees[1:]!r} is not that of {t!r}")
        return type(t)(_map(fn, *(o[i] for o in trees)) for i in range(len(t)))
    return fn(*trees)


def _leaves(t):
    if isinstance(t, dict):
        return [x for k in t for x in _leaves(t[k])]
    if isinstance(t, (tuple, list)):
        return [x for e in t for x in _leaves(e)]
    return [t]


def _inner(a, b):
    _map(lambda p, q: None, a, b)  # the same structure
    return sum(float(np.sum(np.asarray(p) * np.asarray(q)))
               for p, q in zip(_leaves(a), _leaves(b)))


def _like(rng, x):
    return _map(lambda e: float(rng.standard_normal()) if np.ndim(e) == 0
                else rng.standard_normal(np.shape(e)), x)


def _copies(values):
    return _map(lambda v: np.array(v, copy=True) if isinstance(v, np.ndarray) else v,
                list(values))


def _unchanged(before, after, what):
    for b, a in zip(_leaves(list(before)), _leaves(list(after))):
        same = a.tobytes() == b.tobytes() if isinstance(b, np.ndarray) else a == b
        if not same:
            raise Failure(f"{what} changed by srcgrad")


def _shifted(args, vs, t):
    """args + t * vs for the differentiated arguments (vs[k] None: not differentiated)."""
    return [a if v is None else _map(lambda p, q: p + t * q, a, v) for a, v in zip(args, vs)]


def _fd(f, args, vs, u, h, draws=None):
    def at(t):
        extra = (draws(),) if draws else ()
        return _inner(u, f(*_shifted(args, vs, t), *extra))
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)


# a value against NumPy's: srcgrad computes some calls its own way (np.einsum as loops, the
# singular values from the SVD with its vectors), so rounding differs; an exp or a high power
# downstream can grow that to 1e-11 (the fuzzer's seed 37605)
VALUE_TOL = 1e-10


def _undefined(seen):
    """Did generated code divide 0 by 0 (or take an invalid value) on the way?"""
    return any(issubclass(w.category, RuntimeWarning) and "invalid value" in str(w.message)
               for w in seen)


def _nan_where_either(a, b):
    """Both with NaN wherever either has one: where one mode's derivative is undefined (0/0),
    the other may carry an exact 0 through the same point (a tangent of 0 divided by 0 is NaN,
    a cotangent the function never reads is 0)."""
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    nan = np.isnan(a) | np.isnan(b)
    a[nan] = b[nan] = np.nan
    return a, b


def _close(got, want, what, tol=1e-5, atol=0.0):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape or np.any(np.isnan(got) != np.isnan(want)):
        raise Failure(f"{what}: {got!r} but {want!r}")
    both = ~np.isnan(got)  # (NaN where both have one: the same answer)
    if not np.all(np.abs(got[both] - want[both]) <= np.maximum(atol, tol)
                  + tol * np.abs(want[both])):
        raise Failure(f"{what}: {got!r} but {want!r}")


def check_all(f, seed, backend="python"):
    """Every transform on f; raises Failure.  Returns True if finite differences were
    compared (the point was smooth)."""
    rng = np.random.default_rng(seed)
    params = tuple(inspect.signature(f).parameters)
    if "rng" in params:
        return check_draws(f, seed, backend)
    args = make_args(rng, params)
    wrt = WRT + (("P",) if "P" in params else ())
    keep = _copies(args)
    expected = f(*_copies(args))
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        out, vjp_fn = srcgrad.vjp(f, *args, wrt=wrt, backend=backend, cache=False)
        _map(lambda o, e: _close(o, e, "primal", VALUE_TOL), out, expected)
        u = _like(rng, out)
        u_keep = _copies([u])
        cts = vjp_fn(u)
        _unchanged(u_keep, [u], "a cotangent")
        same_with_checkpoints(f, args, wrt, u, cts, backend)
        same_with_parallel(f, args, wrt, u, cts, backend)
        vs = [_like(rng, a) if p in wrt else None for p, a in zip(params, args)]
        v_keep = _copies(vs)
        _, tan = srcgrad.jvp(f, args, tuple(vs), backend=backend, cache=False)
        _unchanged(v_keep, vs, "a tangent")
        rev = sum(_inner(c, v) for c, v in zip(cts, [v for v in vs if v is not None]))
        fwd = _inner(u, tan)
        if abs(fwd - rev) > 1e-9 * max(1.0, abs(rev)):
            raise Failure(f"[{backend}] forward <u, J v> = {fwd!r} but reverse gives {rev!r}")
        fd1, fd2 = _fd(f, args, vs, u, 1e-4), _fd(f, args, vs, u, 1e-5)
        smooth = abs(fd1 - fd2) <= 1e-6 * max(1.0, abs(fd1))
        if smooth and abs(rev - fd2) > 1e-5 * max(1.0, abs(fd2)):
            raise Failure(f"[{backend}] reverse {rev!r} but finite differences {fd2!r}")
        if not isinstance(out, (tuple, list, dict)):
            _more_transforms(f, args, out, backend, smooth)
    _unchanged(keep, args, "an argument")
    return smooth


def check_draws(f, seed, backend):
    """A program drawing from ``rng``: value_and_grad and jvp (each one run per call), every
    evaluation drawing from a generator seeded alike; the draws are constants."""
    rng = np.random.default_rng(seed)
    params = tuple(inspect.signature(f).parameters)
    args = make_args(rng, params)
    wrt = WRT + (("P",) if "P" in params else ())
    keep = _copies(args)
    draws = lambda: np.random.default_rng(seed + 1)  # noqa: E731
    expected = f(*_copies(args), draws())
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        value, cts = srcgrad.value_and_grad(f, wrt=wrt, backend=backend, cache=False)(
            *args, draws())
        _close(value, expected, f"[{backend}] value", VALUE_TOL)
        vs = [_like(rng, a) if p in wrt else None for p, a in zip(params, args)]
        _, tan = srcgrad.jvp(f, tuple(args) + (draws(),), tuple(vs) + (None,),
                             backend=backend, cache=False)
        rev = sum(_inner(c, v) for c, v in zip(cts, [v for v in vs if v is not None]))
        if abs(tan - rev) > 1e-9 * max(1.0, abs(rev)):
            raise Failure(f"[{backend}] forward J v = {tan!r} but reverse gives {rev!r}")
        fd1, fd2 = _fd(f, args, vs, 1.0, 1e-4, draws), _fd(f, args, vs, 1.0, 1e-5, draws)
        smooth = abs(fd1 - fd2) <= 1e-6 * max(1.0, abs(fd1))
        if smooth and abs(rev - fd2) > 1e-5 * max(1.0, abs(fd2)):
            raise Failure(f"[{backend}] gradient {rev!r} but finite differences {fd2!r}")
        for label, options in checkpointings():
            got = checkpointed(lambda **o: srcgrad.grad(f, wrt=wrt, backend=backend,
                                                        cache=False, **o)(*args, draws()),
                               options)
            if got is not None:
                _same(got, cts, f"[{backend}] with {label}", "without")
    _unchanged(keep, args, "an argument")
    return smooth


def _more_transforms(f, args, out, backend, smooth):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", RuntimeWarning)
        jf = srcgrad.jacfwd(f, wrt=2, backend=backend, cache=False)(*args)
        jr = srcgrad.jacrev(f, wrt=2, backend=backend, cache=False)(*args)
    if _undefined(seen):  # 0/0 where the function has no derivative (np.std of a constant):
        jf, jr = _nan_where_either(jf, jr)  # NaN in one mode, 0 in the other, as in JAX
        _close(jf, jr, f"[{backend}] jacfwd vs jacrev", 1e-9)
        return  # (finite differences and second derivatives would meet the same NaN)
    _close(jf, jr, f"[{backend}] jacfwd vs jacrev", 1e-9)
    if smooth:
        _close(jf, _fd_jac(lambda a: f(args[0], args[1], a, *args[3:]), args[2]),
               f"[{backend}] Jacobian vs finite differences")
    if np.ndim(out) != 0:
        return
    g = srcgrad.grad(f, wrt=2, backend=backend, cache=False)
    _close(g(*args), jr, f"[{backend}] grad vs jacrev", 1e-9)
    gx = srcgrad.grad(f, wrt=0, backend=backend, cache=False)
    h = _second(lambda: srcgrad.hessian(f, wrt=2, backend=backend, cache=False)(*args))
    hxx = _second(lambda: srcgrad.grad(gx, wrt=0, backend=backend, cache=False)(*args))
    # a transform of a grad: the derivative of the grad (d/da of df/dx)
    hxa = _second(lambda: srcgrad.jacfwd(gx, wrt=2, backend=backend, cache=False)(*args))
    if smooth:
        if h is not None:
            fd = _fd_jac(lambda a: g(args[0], args[1], a, *args[3:]), args[2])
            # finite differences of a row carry an error that scales with that row's largest
            # entries (seed 10847: rows up to 1e13, entries of 1e3 off by 1e-4 relative)
            _close(h, fd, f"[{backend}] hessian vs finite differences of the gradient", 1e-4,
                   atol=1e-7 * np.max(np.abs(fd), axis=-1, keepdims=True))
        if hxx is not None:
            _close(hxx, _fd_jac(lambda x: gx(x, *args[1:]), args[0]),
                   f"[{backend}] grad(grad(f)) vs finite differences", 1e-4)
        if hxa is not None:
            _close(hxa, _fd_jac(lambda a: gx(args[0], args[1], a, *args[3:]), args[2]),
                   f"[{backend}] jacfwd(grad(f)) vs finite differences", 1e-4)


def _second(run):
    """A second derivative, or None where it is refused as documented: in a distribution's
    shape parameter (st.gamma.cdf(x, a) with a differentiated)."""
    try:
        return run()
    except srcgrad.UnsupportedError as e:
        if "second derivative in a distribution's shape parameter" in str(e):
            return None
        raise


def _fd_jac(fn, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return (np.asarray(fn(float(x) + h)) - np.asarray(fn(float(x) - h))) / (2 * h)
    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        e = e.reshape(x.shape)
        cols.append((np.asarray(fn(x + e)) - np.asarray(fn(x - e))) / (2 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(cols[0]) + x.shape)


def check(f, seed, use_numba):
    """The fuzzer's entry point: every transform with the Python backend, and compiled too
    when ``use_numba``."""
    smooth = check_all(f, seed, "python")
    if use_numba:
        check_all(f, seed, "numba")
    return smooth

"""check_grads: compare srcgrad's derivatives with finite differences in random directions.

For f: (args) -> out and a random cotangent u and random direction v (over the ``wrt``
arguments), ``<vjp(u), v>`` must equal the central difference of ``<u, f(x + h v)>``.
The Numba and Python backends must agree to round-off.
"""
import numpy as np

import srcgrad


def _inner(a, b):
    if isinstance(a, tuple):
        return sum(_inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a, dtype=float) * np.asarray(b, dtype=float)))


def _like(rng, x):
    if isinstance(x, tuple):
        return tuple(_like(rng, e) for e in x)
    if np.ndim(x) == 0:
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(x))


def _shift(x, v, h):
    return x + h * v


def fd_directional(f, args, wrt, vs, u, h=1e-6):
    """Central difference of <u, f(args + h v)> (fourth order, so h can stay moderate)."""
    def at(t):
        a = list(args)
        for i, v in zip(wrt, vs):
            a[i] = _shift(np.asarray(args[i], dtype=float) if np.ndim(args[i]) else float(args[i]), v, t)
        return _inner(u, f(*a))
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)


def check_forward(f, args, wrt, names, backend, rng, out, vjp_fn, rtol, atol):
    """jvp against finite differences, and forward against reverse: <u, J v> = <J^T u, v>."""
    vs = [_like(rng, args[i]) for i in wrt]
    tangents = [None] * len(args)
    for i, v in zip(wrt, vs):
        tangents[i] = v
    out_f, tan = srcgrad.jvp(f, args, tangents, backend=backend, strict=True)
    u = _like(rng, out)
    lhs = _inner(u, tan)
    fd = fd_directional(f, args, wrt, vs, u)
    rev = sum(_inner(c, v) for c, v in zip(vjp_fn(u), vs))
    scale = max(1.0, abs(fd))
    assert abs(lhs - fd) <= atol + rtol * scale * 10, \
        f"[{backend}] forward <u, J v> = {lhs!r} but finite differences give {fd!r}"
    assert abs(lhs - rev) <= 1e-9 * max(1.0, abs(rev)), \
        f"[{backend}] forward <u, J v> = {lhs!r} but reverse <J^T u, v> = {rev!r}"
    if not isinstance(out, tuple):
        assert np.shape(tan) == np.shape(out_f), (np.shape(tan), np.shape(out_f))


def _scalar_vjp(f, args, names):
    """vjp of a function returning a number, from one compiled value_and_grad (the vjp API
    also compiles the function alone for its value: a second compilation)."""
    out, grads = srcgrad.value_and_grad(f, wrt=names, strict=True)(*args)  # a tuple, as wrt is
    return out, lambda u: tuple(_scaled(g, u) for g in grads)


def _scaled(g, u):
    """A gradient (an array, a number, or a container of them) times the number ``u``."""
    if isinstance(g, (tuple, list)):
        return type(g)(_scaled(e, u) for e in g)
    if isinstance(g, dict):
        return {k: _scaled(e, u) for k, e in g.items()}
    return g * u


def check_grads(f, args, wrt=None, seed=0, rtol=1e-6, atol=1e-8, backends=("numba", "python"),
                n_dirs=2, forward=True):
    """Check srcgrad.vjp of f at args against finite differences (and, with ``forward``,
    srcgrad.jvp against finite differences and against vjp); returns the cotangents."""
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args)
                    if np.asarray(a).dtype.kind == "f")
    names = tuple(srcgrad.api.read_source(f).params[i] for i in wrt)
    results = {}
    for backend in backends:
        expected = f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        if backend == "numba" and np.ndim(expected) == 0 and not isinstance(expected, tuple):
            out, vjp_fn = _scalar_vjp(f, args, names)
        else:
            out, vjp_fn = srcgrad.vjp(f, *args, wrt=names, backend=backend, strict=True)
        np.testing.assert_allclose(np.asarray(out, dtype=float) if not isinstance(out, tuple) else 0,
                                   np.asarray(expected, dtype=float) if not isinstance(out, tuple) else 0,
                                   rtol=1e-12, atol=1e-12, err_msg="primal value differs")
        rng_b = np.random.default_rng(seed)
        got = []
        for _ in range(n_dirs):
            u = _like(rng_b, out)
            cts = vjp_fn(u)
            vs = [_like(rng_b, args[i]) for i in wrt]
            lhs = sum(_inner(c, v) for c, v in zip(cts, vs))
            rhs = fd_directional(f, args, wrt, vs, u)
            scale = max(1.0, abs(rhs))
            assert abs(lhs - rhs) <= atol + rtol * scale * 10, \
                f"[{backend}] <vjp(u), v> = {lhs!r} but finite differences give {rhs!r}"
            for c, i in zip(cts, wrt):
                assert np.shape(c) == np.shape(args[i]), (np.shape(c), np.shape(args[i]))
            got.append(cts)
        results[backend] = got
        if forward:
            check_forward(f, args, wrt, names, backend, rng_b, out, vjp_fn, rtol, atol)
    if len(results) == 2:
        for a, b in zip(results["numba"], results["python"]):
            for x, y in zip(a, b):
                np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12,
                                           err_msg="Numba and Python backends differ")
    return results[backends[0]][0]


def fd_jacobian(f, x, *rest, h=1e-6):
    """Central differences of f along each entry of x: shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return (f(float(x) + h, *rest) - f(float(x) - h, *rest)) / (2 * h)
    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        e = e.reshape(x.shape)
        cols.append((np.asarray(f(x + e, *rest)) - np.asarray(f(x - e, *rest))) / (2 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(cols[0]) + x.shape)


def module_from_text(path, text):
    """Write ``text`` to ``path`` and import it as a module (srcgrad reads functions' source
    from their files, so generated test functions live in a real file)."""
    import importlib.util
    import sys
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def check_hessian(f, args, what, third_order=False, no_second=()):
    """srcgrad.hessian of ``f`` in each argument (forward over reverse, Python backend)
    against finite differences of its gradient; with ``third_order``, the clear refusal of a
    derivative of a derivative rule; in the arguments ``no_second`` (a distribution's shape
    parameters), the clear refusal of a second derivative there."""
    import pytest
    if third_order:
        with pytest.raises(srcgrad.SrcgradError, match="derivative of a derivative rule"):
            srcgrad.hessian(f, backend="python")(*args)
        return
    for i in range(len(args)):
        if i in no_second:
            with pytest.raises(srcgrad.UnsupportedError, match="second derivative in a distri"):
                srcgrad.hessian(f, wrt=i, backend="python")(*args)
            continue
        def grad_i(xi, i=i):
            a = list(args)
            a[i] = xi
            return srcgrad.grad(f, wrt=i, backend="python")(*a)
        H = srcgrad.hessian(f, wrt=i, backend="python", strict=True)(*args)
        np.testing.assert_allclose(H, fd_jacobian(grad_i, args[i], h=1e-5), rtol=1e-5,
                                   atol=1e-6, err_msg=f"d2/d(argument {i})2 of {what}")


def serial_twin(f, folder):
    """The function ``f`` with its ``prange`` loops written as ``range`` (the serial reference
    of a parallel loop), from a module written to ``folder``."""
    import inspect
    import pathlib
    import textwrap
    src = textwrap.dedent(inspect.getsource(f)).replace("prange(", "range(")
    name = f"{f.__name__}_serial"
    text = "import math\nimport numpy as np\n\n" + src.replace(f"def {f.__name__}(",
                                                               f"def {name}(", 1)
    return getattr(module_from_text(pathlib.Path(folder) / f"{name}.py", text), name)


def general_source(f, args, wrt=0, mode="reverse"):
    """The generated source for the kinds of ``args`` (not their values): the code for
    every shape of those ranks, before a call's axes of length other than 1 specialize it
    (passes/known_shapes.py ``long_axes``)."""
    def spec(a):
        if isinstance(a, np.ndarray):
            return ("f8" if a.dtype.kind == "f" else "i8" if a.dtype.kind in "iu" else "b1") \
                + "[" + ",".join(":" * a.ndim) + "]"
        return "bool" if isinstance(a, bool) else "int" if isinstance(a, int) else "float"
    params = srcgrad.api.read_source(f).params
    return srcgrad.source(f, mode=mode, wrt=wrt,
                          kinds={p: spec(a) for p, a in zip(params, args)})

"""Broadcasting programs for the differential fuzzer (tools/fuzz.py): one generated code, run
at several shapes.

srcgrad specializes generated code on its arguments' ranks and on which of their axes have
length 1, not on the lengths, so the code must give the right derivatives when an argument has
length-1 axes that broadcast and when it does not.  passes/known_shapes.py removes the sums of
broadcasts it proves sum nothing; these programs are where a wrong proof would show:

    def f(A, B, r, W, gamma):  A: (m, n) or (1, n); B: (m, n), (1, n), (m, 1) or (1, 1);
        z1 = A * B + r             r: (n,) or (1,); W: (n, k); gamma: a float (named like
                                   the helper generated code calls for math.gamma)
        z2 = z1 - np.max(z1, axis=1, keepdims=True)
        for i in range(2):
            z1 = np.tanh(z1 * B + gamma)
        return np.sum(z1 * z1) + np.sum(np.sin(z2))

Elementwise arithmetic between any of them, ``np.where``, ``np.maximum``, comparisons,
reductions along an axis kept as length 1,
``np.expand_dims``, matrix products through ``W``, loops whose variable grows by
broadcasting in the first step, branches giving different shapes, and adjoints that start
from zeros.  ``check`` runs each program at two or three shape sets with one derived
function per transform (one generated code per pattern of length-1 axes) against finite
differences, forward mode against reverse, and Numba against Python.
"""
import numpy as np

import srcgrad

M, N, K = 3, 4, 2
SHAPE_SETS = [  # (A, B, r)
    ((M, N), (M, N), (N,)), ((M, N), (1, N), (1,)), ((M, N), (M, 1), (N,)),
    ((1, N), (M, N), (N,)), ((M, N), (1, 1), (1,)), ((1, N), (M, 1), (1,)),
]
HEADER = ["import math", "", "import numpy as np", ""]


class BroadcastGen:
    def __init__(self, rng):
        self.rng = rng
        self.pool = ["A", "B"]
        self.n = 0

    def fresh(self):
        self.n += 1
        return f"z{self.n}"

    def leaf(self):
        return self.rng.choice(self.pool + ["A", "B"])

    def expr(self, depth=2):
        r = self.rng
        if depth <= 0:
            return self.leaf()
        x, y = self.expr(depth - 1), self.expr(depth - 1)
        return "(%s)" % r.choice([
            f"{x} * {y}", f"{x} + {y}", f"{x} - {y} * gamma", f"np.tanh({x})",
            f"np.exp(0.3 * {x})", f"{x} / (1.5 + {y} * {y})", f"{x} + r", f"r * {x}",
            f"{x} - np.max({x}, axis=1, keepdims=True)",
            f"{x} / np.sum(np.abs({x}) + 1.0, axis=1, keepdims=True)",
            f"{x} * np.mean({y}, axis=0, keepdims=True)",
            f"np.expand_dims(np.sum({x}, axis=1), 1) * {y}",
            f"np.expand_dims(np.sum({x}, axis=0), 0) + {y}",
            f"((A + {x}) @ W) @ W.T", f"np.tanh((A * {x}) @ W) @ W.T * {y}", f"-{x}",
            f"{x}.T.T * gamma", f"np.tanh({x}) * math.gamma(1.5 + gamma * gamma)",
            f"np.where({x} > {y}, {x}, {y} * gamma)", f"np.maximum({x}, 0.1 * {y})",
            f"np.abs({x}) * np.sign({y})", f"np.where({x} > 0.0, 1.0, {y})",
        ])  # (parenthesized: ``*`` and ``@`` bind alike)

    def statement(self):
        r = self.rng
        v = self.fresh()
        k = r.random()
        if k < 0.55:
            out = [f"    {v} = {self.expr(2)}"]
        elif k < 0.75:  # grows by broadcasting in the first step
            out = [f"    {v} = {self.leaf()}", "    for i in range(2):",
                   f"        {v} = np.tanh({v} * {self.leaf()} + gamma * {self.expr(1)})"]
        elif k < 0.9:  # the branches give different shapes
            out = [f"    if gamma > {r.uniform(-0.5, 0.5):.3f}:", f"        {v} = {self.expr(1)}",
                   "    else:", f"        {v} = {self.leaf()} * gamma"]
        else:  # added into a zero array of a known shape
            out = [f"    {v} = np.zeros_like(A * B + r)", f"    {v} += {self.expr(1)}",
                   f"    {v} += {self.expr(1)} * gamma"]
        self.pool.append(v)
        return out

    def program(self):
        r = self.rng
        body = []
        for _ in range(r.randint(2, 5)):
            body += self.statement()
        picks = r.sample(self.pool, 2)
        body.append(f"    return np.sum({picks[0]} * {picks[0]}) + np.sum(np.sin({picks[1]}))")
        return "\n".join(HEADER + ["def f(A, B, r, W, gamma):"] + body) + "\n"


class Failure(Exception):
    pass


WRT = ("A", "B", "r", "W", "gamma")


def _args(rng, shapes):
    a, b, rr = shapes
    return (rng.uniform(-1, 1, a), rng.uniform(-1, 1, b), rng.uniform(-1, 1, rr),
            rng.uniform(-1, 1, (N, K)) * 0.7, float(rng.uniform(-1, 1)))


def _fd(f, args, vs, h):
    def at(t):
        return f(*[a + t * v for a, v in zip(args, vs)])
    return (at(h) - at(-h)) / (2 * h)


def check(f, seed, use_numba):
    """Raise Failure if any shape set's derivatives disagree; True if every point was
    smooth enough for finite differences to decide."""
    rng = np.random.default_rng(seed)
    sets = [SHAPE_SETS[0]] + [SHAPE_SETS[k] for k in rng.choice(
        np.arange(1, len(SHAPE_SETS)), 2, replace=False)]
    backends = ("python", "numba") if use_numba else ("python",)
    grads = {b: srcgrad.grad(f, wrt=WRT, backend=b, strict=True, cache=False) for b in backends}
    smooth = True
    for shapes in sets:
        args = _args(rng, shapes)
        keep = [np.copy(a) for a in args]
        vs = [rng.standard_normal(np.shape(a)) if np.ndim(a) else float(rng.standard_normal())
              for a in args]
        fd1, fd2 = _fd(f, args, vs, 1e-5), _fd(f, args, vs, 1e-6)
        ok = abs(fd1 - fd2) <= 1e-5 * max(1.0, abs(fd1))
        smooth &= ok
        got = {}
        for b in backends:
            g = grads[b](*args)
            for a, k in zip(args, keep):
                if not np.array_equal(a, k):
                    raise Failure(f"[{b}] at shapes {shapes}: an argument changed")
            for gi, a in zip(g, args):
                if np.shape(gi) != np.shape(a):
                    raise Failure(f"[{b}] at shapes {shapes}: gradient of shape "
                                  f"{np.shape(gi)} for an argument of shape {np.shape(a)}")
            rev = sum(float(np.sum(gi * v)) for gi, v in zip(g, vs))
            _, tan = srcgrad.jvp(f, args, tuple(vs), backend=b, strict=True, cache=False)
            if abs(tan - rev) > 1e-9 * max(1.0, abs(rev)):
                raise Failure(f"[{b}] at shapes {shapes}: forward {tan!r}, reverse {rev!r}")
            if ok and abs(rev - fd2) > 1e-5 * max(1.0, abs(fd2)):
                raise Failure(f"[{b}] at shapes {shapes}: reverse {rev!r} but finite "
                              f"differences {fd2!r}")
            got[b] = g
        if use_numba:
            for p, q in zip(got["python"], got["numba"]):
                if not np.allclose(p, q, rtol=1e-10, atol=1e-12):
                    raise Failure(f"at shapes {shapes}: Numba {q!r} and Python {p!r} differ")
    return smooth

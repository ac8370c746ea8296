"""Array programs for the differential fuzzer (tools/fuzz.py), and the checks of every transform.

The scalar generator in fuzz.py writes loops and branches over scalars; this one writes what
code by others is made of: copies and element/slice writes, double buffers (``u = v`` in a
loop), 2-D and 3-D arrays (``@``, ``np.dot``, ``np.outer``, ``.T``, ``np.transpose`` with axes,
reductions along an axis, ``[:, None]``/``[None, :]`` broadcasting, recurrent cells), integer-array indexing
with repeated indices (reads, writes and ``+=``), tuples (packing, indexing by a variable,
unpacking, tuple outputs; tuples of tuples swapped, unpacked with a star, rebuilt and
listed from ``zip``), a matrix's rows or columns unpacked (``r1, r2, r3 = M``,
``c1, c2, c3, c4 = M.T``: views), a parameter rebound to a scalar (``M = np.sum(...)``), arrays
created from active values (``np.full``, ``np.array([...])``,
``np.linspace``, ``np.zeros`` then writes), helpers with conditional expressions, early
returns and loops called on elements and slices, a function with its own derivative
rules (``cq``: custom_vjp and defjvp), checkpointed calls (``srcgrad.checkpoint(hs)``), and
a ``@numba.vectorize`` function (``vq``) on numbers and arrays.

    def f(x, y, a, M, T, n):            x, y: floats; a: (4,); M: (3, 4); T: (2, 3, 4); n = 4
        ...
        return <scalar>  or  <scalar>, <vector>  or  <vector>

Some programs also take a container parameter ``P`` (``{"layers": [(vector, float),
(vector, float)], "k": float}``: read by literal paths, looped over with ``for W, b in
P["layers"]``, and by its keys, ``for key in P``), some return a list or dict literal, and
some draw random numbers from a ``np.random.Generator`` ``rng`` passed in (``mu + np.exp(s) *
rng.standard_normal(4)``, draws in loops and branches):

    def f(x, y, a, M, T, n, P, rng):

tools/fuzz_checks.py checks them (every transform; a program that draws with the transforms
that run once per call).
"""

N, R = 4, 3
HEADER = ["import math", "import numpy as np", "import scipy.special as sp",
          "import scipy.stats as st", "", "IDX = np.array([2, 0, 3, 3])", "SC = [0.5, (1.5, 2.0)]", "",
          "def hv(p):", "    q = p * p if p > 0.2 else 0.5 * p", "    return q + 0.1 * p", "",
          "def apply(g, u):", "    return g(u) + 0.5 * g(2.0 * u)", "",
          # *args, joined with another tuple (passes/inline.py _varargs)
          "def cat(*vs):", "    return np.concatenate(vs + (vs[0][0:1],))", "",
          "def pairs(u):", "    return u[0:2], u[2:4] * u[1]", "",
          "def hs(u):", "    s = 0.0", "    for k in range(u.shape[0]):",
          "        if u[k] > 1.7:", "            return s + u[k]",
          "        s += u[k] * u[k]", "    return s", "",
          # a function with the user's own rules (srcgrad/custom.py): u * tanh(u)
          "import srcgrad", "", "@srcgrad.custom_vjp", "def cq(u):", "    return u * np.tanh(u)",
          "", "def cq_fwd(u):", "    return cq(u), u", "",
          "def cq_bwd(u, g):", "    t = np.tanh(u)", "    return (g * (t + u * (1.0 - t * t)),)",
          "", "cq.defvjp(cq_fwd, cq_bwd)", "", "@cq.defjvp", "def cq_jvp(p, d):",
          "    u, = p", "    du, = d", "    t = np.tanh(u)",
          "    return cq(u), du * (t + u * (1.0 - t * t))", "",
          # a user's @numba.vectorize function: elementwise over arrays (passes/elementwise.py)
          "import numba", "", "@numba.vectorize", "def vq(p):", "    if p > 0.3:",
          "        return p * p", "    return 0.6 * p - 0.09", ""]

S, V, W, MAT, T3 = "s", (N,), (R,), (R, N), (2, R, N)
EXPRS = {
    S: ["np.sum({V} * {V})", "{V}[{k}]", "np.max({V})", "np.sum(np.sin({M}))", "{S} * {S}",
        "math.tanh({S}) + {S}", "{W} @ {W}", "hv({S})", "hs({V}[1:3])", "hs({M}[1])",
        "np.mean({M} * {M})", "np.sum({V}[IDX] * {V})", "np.dot({V}, {V})",
        "np.var({V})", "np.std({V}, ddof=1)", "np.linalg.norm({M})", "np.trace({M}[:, 0:3])",
        "np.vdot({V}, {V})", "np.polyval({W}, {S})", "np.cumsum({V})[3]", "np.sum(np.diff({V}) ** 2)", "np.average({W})",
        "np.linalg.det({M}[:, 0:3] + 3.0 * np.eye(3))", "np.ptp({V})",
        "np.sum(np.kron({W}, {V}[0:2]))", "np.inner({V}, {V})", "np.sum(np.diag({M}))",
        "np.sum(np.nan_to_num({V}) ** 2)", "np.amax({W})", "np.power({S}, 2.0)",
        "np.sum(np.hsplit({M}, 2)[0])", "np.einsum('ij,ij', {M}, {M})",
        "np.linalg.slogdet({M}[:, 0:3] + 3.0 * np.eye(3))[1]", "np.linalg.norm({V}, 1)",
        "np.linalg.norm({W}, np.inf)", "np.linalg.norm({V}, ord=2)",
        "np.sum(np.sin({T} @ np.swapaxes({T}, 1, 2)))", "np.median({V})",
        "np.tensordot({M}, {M})", "np.sum({M}, axis=(0, 1))",
        "np.average({V}, weights=0.5 + {V} * {V})", "np.sum(np.tanh({T} @ {M}.T))",
        "sp.logsumexp({V})", "np.sum(st.norm.logpdf({V}, {S}, 1.5))",
        "np.sum(({M}[:, 0:2].T @ {T})[1])", "np.sum(np.partition({V}, 1)[0:2])",
        "np.sum(np.diff({T}, n=2, axis=2) ** 2)", "np.sum({V}[np.where({V} > 0.0)[0]] ** 2)",
        "np.sum({W}[np.flatnonzero({W} < 0.3)])", "np.sum(apply(np.tanh, {V}))", "np.sum({M}[slice(1, 3), slice(None, None, 2)] ** 2)",
        "np.sum(st.t.cdf({V}, 3.0, {S}))", "np.sum(st.gamma.cdf(np.exp({W}), 2.5))",
        "np.sum(st.beta.logcdf(sp.expit({V}), 1.5, 2.0))",
        "np.sum(st.gamma.cdf(np.exp({W}), 0.5 + np.exp({S})))", "np.sum(st.t.cdf({V}, 2.0 + np.exp({S})))",
        "np.sum(sp.betainc(0.5 + np.exp(np.tanh({W})), 2.0 + np.tanh({S}), 0.4))", "np.sum(np.max({T}, axis=1) * np.mean({T}, axis=1))",
        "np.sum(cq({V}))", "cq({S})", "srcgrad.checkpoint(hv)({S})",
        "srcgrad.checkpoint(hs)({V})", "np.sum(vq({M}) * {M})", "vq({S})",
        "np.sum([{S}, {S} * {S}])", "np.mean([{S}, {V}[0], {S}])", "max({S}, {S}, {V}[1])",
        "np.sum({M}, axis=None, dtype=np.float64)", "np.trapezoid({V})",
        "np.trapezoid({W}, np.cumsum(np.exp({W})))", "np.convolve({W}, {V}, 'valid')[1]",
        "np.interp({S}, np.cumsum(np.exp({W})) - 1.5, {W})", "np.where({S} > 0.1, {S} * {S}, {S})",
        "np.cov({M})[0, 1]", "np.sum(np.corrcoef({V}, {V} * {V}))", "np.nanmax({M})",
        "np.nanmean(np.where(np.arange(4) == 2, np.nan, {V}))", "np.minimum.reduce({V})",
        "np.multiply.reduce(0.5 + 0.3 * np.tanh({V}), axis=None)",
        "np.percentile({V}, 30.0)", "np.quantile({M}, 0.75) * {S}",
        "np.sum({M}[np.triu_indices(3, 1)] ** 2)", "np.sum(np.meshgrid({W}, {V})[0] * {S})",
        "np.sum(np.meshgrid({V}, {W}, indexing='ij')[1] ** 2)",
        "max(abs(v) for v in {V})", "min(v * {S} for v in {W} if v > -0.9)",
        "sum(np.sum(g({V})) for g in (np.sin, np.tanh, np.arctan))",
        "{V}[1:2].item() * {S}", "np.sum(np.ones(4, dtype={V}.dtype) * {V})",
        "np.sum(np.where(np.isclose({V}, {S}, atol=0.2), {V}, {V} * {S}))",
        "{V}[{V}.argmax()] * {S}", "np.sum(np.real({V}) * {V}.conj())", "np.float64({S}) * {S}",
        "np.sum(cat({V}, {W}) * {S})", "np.sum(cat({W}) ** 2)",
        "sum(a * b for a, b in zip(*pairs({V})))",
        "np.sum({V} * np.floor({V} * 3.0).astype(int))",
        "np.sum({V} * SC[1][0]) + np.shape({M})[0] * {S}",
        "np.sum(np.arange(4).astype(float) * {V}) + np.sum({V}.astype(np.float64) ** 2)",
        "np.sum({Q})"],
    V: ["np.sin({V})", "{V} * {S}", "{V} + {V}", "{W} @ {M}", "np.sum({M}, axis=0)",
        "{M}.T @ {W}", "{V}[IDX]", "np.full(4, {S})", "np.array([{S}, {S}, {S}, {S}])",
        "np.linspace({S}, {S}, 4)", "np.max({M}, axis=0)", "np.dot({S}, {V})",
        "np.sum(np.transpose({T}, (1, 0, 2))[1], axis=0)", "np.tanh({V}) - {V}[None, :][0]",
        "np.logaddexp({V}, {S})", "np.arcsinh({V})", "np.multiply({V}, np.subtract({V}, {S}))",
        "np.reciprocal(1.5 + {V} * {V})", "np.fmin({V}, {V})", "np.sinc({V})",
        "np.reshape({M}, (12,))[0:4]", "{M}.ravel()[4:8]", "{M}.flatten()[1:5]",
        "np.sum({M} - np.max({M}, axis=1, keepdims=True), axis=0)",
        "np.concatenate(({W}, {V}[0:1] * {S}))", "np.hstack(({W}[0:2], {V}[1:3]))",
        "np.flip({V})", "np.roll({V}, 1)", "np.sort({V})", "np.cumsum({V})",
        "np.polyval({V}[0:3], {V})", "np.clip({V}, None, 0.4)", "{V}.clip(min=-0.2) * {S}",
        "np.convolve({V}, {W})[1:5]", "np.correlate({V}, {W}, 'same')",
        "np.interp({V}, np.linspace(-1.0, 1.0, 4), {V})", "np.nansum({M}, axis=0)[0:4]",
        "np.cov({M}, rowvar=False)[1]", "np.pad({W}, (0, 1))", "np.pad({M}, 1)[2, 1:5]",
        "np.interp({M}, np.linspace(-1.0, 1.0, 4), {V})[1]", "np.pad({T}, 1)[1, 1, 1:5]",
        "np.repeat({W}[0:2], 2)", "np.broadcast_to({V}[0:1], (4,))", "np.atleast_1d({V})",
        "np.exp2({V}) - np.arctanh(0.5 * np.tanh({V}))", "np.squeeze({M}[0:1], 0)",
        "np.append({W}, {V}[0:1])", "np.take({V}, IDX)", "np.kron({W}[0:2], {W}[0:2])",
        "{M}.T.clip(-0.5, 0.5)[:, 1]", "np.split({M}.ravel(), 3)[1]", "np.einsum('ij->j', {M})",
        "np.tile({W}[0:2], 2)", "np.cumprod(0.5 + 0.3 * np.tanh({V}))",
        "np.linalg.norm({M}, axis=0)", "np.var({M}, axis=0)", "np.sum({M}, axis=-2)",
        "np.select([{V} > 0.3, {V} < -0.3], [{V} * {S}, np.sin({V})], 0.1)",
        "np.tensordot({T}, {W}[0:2], axes=([0], [0]))[1]",
        "{M}.compress(np.array([True, False, True]), axis=0)[1]", "sp.expit({V}) * {S}",
        "sp.logsumexp({M}, axis=0)", "np.cumsum({M}, axis=0)[2]", "np.sort({M}, axis=0)[1]",
        "np.flip({M}, axis=1)[0]", "np.roll({M}, 1, axis=1)[1]", "np.cumprod(0.5 + 0.3 * np.tanh({T}), axis=1)[0, 2]",
        "np.partition({M}, 1, axis=0)[1]", "({W} @ {T})[0]", "apply(np.sin, {V}) * {S}",
        "np.take_along_axis({V}, IDX, 0)", "np.sort({M}, axis=None)[0:4]",
        "np.sum({T}, axis=0)[1]", "{M}[np.array([0, 2, 2, 1]), np.array([1, 3, 3, 0])]",
        "np.copysign({V}, {S})", "np.heaviside({V}, {S}) * {V}",
        "np.float_power(np.exp(np.tanh({V})), {S})", "np.gradient({V})",
        "np.gradient({V}, np.cumsum(np.exp({V}))) * {S}", "np.linalg.multi_dot([{M}.T, {M}, {V}])",
        "np.add.reduce({M})", "np.add.accumulate({V}) * {S}", "np.maximum.reduce({M}, 0)",
        "np.maximum.accumulate({V})", "np.minimum.accumulate({V} * {S})",
        "np.clip({V}, 0.5 * {V} - 0.3, 0.4)", "np.clip({V}, -0.2, {S} * {S} + {V})",
        "np.take({V}, [0, 3, 3, 1]) * {S}", "sum(f({V}) for f in (np.cos, np.sinc)) * {S}",
        "np.ascontiguousarray({M}.T[:, 1]) * {S}", "np.asfortranarray({M}).T @ {W}",
        "np.tanh({Q}) * {S}"],
    W: ["np.multiply.reduce(0.5 + 0.3 * np.tanh({M}), 1)",
        "np.add.reduce({M}, axis=1, keepdims=True)[:, 0]", "{M} @ {V}", "np.linalg.multi_dot([{M}, {M}.T, {W}])", "{M}[1, [0, 3, 3]]", "{V}[[3, 0, -1]] * {S}", "np.sum({M}[:, [3, 0, 0]], axis=1)", "np.dot({M}, {V})", "{M}[np.arange(3), IDX[0:3]]", "{M}[IDX[0:3] % 3, 1]", "np.mean({M}, axis=1)", "np.tanh({W})", "{W} * {W}",
        "np.min({M}, axis=1)", "{W} + {S}", "np.cross({V}[0:3], {W})", "np.rot90({M})[1]",
        "np.moveaxis({T}, 2, 0)[1, 0]", "np.diag({M})", "np.diagonal({M}, 1)",
        "np.linalg.solve({M}[:, 0:3] + 3.0 * np.eye(3), {W})", "np.inner({M}, {V})",
        "np.array_split({V}, [1])[1]", "np.einsum('ij,j->i', {M}, {V})",
        "np.prod(0.5 + 0.3 * np.tanh({M}), axis=1)", "np.std({M}, axis=1, ddof=1)",
        "np.max({M}, axis=-1)", "{M}.diagonal()", "{M}[0:1].squeeze(0)[1:4]",
        "np.tensordot({M}, {V}, axes=1)", "({T} @ {V})[1]", "np.average({M}, axis=1, weights=0.5 + {V} * {V})", "np.prod(0.5 + 0.3 * np.tanh({T}), axis=2)[0]", "np.dot({T}, {V})[0] * {S}",
        # spectra kept apart (the decompositions are smooth there)
        "np.linalg.eigh(0.1 * np.tanh({M}[:, 0:3]) + np.diag(np.arange(3.0)))[0]",
        "np.linalg.svd(0.1 * np.tanh({M}) + np.eye(3, 4) * np.arange(1.0, 5.0), compute_uv=False)"],
    MAT: ["np.subtract.outer({W}, {V})", "np.multiply.outer({W}, {V}) * {S}",
          "np.multiply.accumulate(0.5 + 0.3 * np.tanh({M}), axis=1)", "np.outer({W}, {V})", "{M} * {V}[None, :]", "{M} - {W}[:, None]", "np.tanh({M})",
          "{M} * {S}", "np.transpose({T}, (0, 2, 1))[1].T", "np.transpose({M}.T)",
          "{M}.T.reshape(3, 4)", "np.expand_dims({V}, 0) * {M}",
          "{M} - np.mean({M}, axis=1, keepdims=True)", "{M} * np.sum({M}, keepdims=True)",
          "np.vstack(({V}, {V}, {V}))", "np.array([{V}, {V}, np.sin({V})])",
          "{M}[np.array([2, 0, 2]), :]", "np.stack(({W}, {W}, {W}, {W}), axis=1)",
          "np.concatenate([{M}[0:1], {M}[1:3]], axis=0)", "np.flipud({M})", "np.fliplr({M})",
          "np.swapaxes({T}, 1, 2)[0].T", "np.triu({M})", "np.tril({M})", "np.triu({M}, 1)", "{M}[:, IDX] * {S}",
          "np.tril({M}, k=-1)",
          "np.column_stack(({W}, {W}, {W}, {W}))", "np.atleast_2d({V}) * {M}",
          "np.linalg.inv({M}[:, 0:3] + 3.0 * np.eye(3)) @ {M}",
          "np.squeeze(np.atleast_3d({M}), 2)", "np.diag({V})[0:3]", "np.rot90({M}, 2)",
          "np.rollaxis({T}, 2, 1)[0].T", "np.kron({M}[0:1, 0:2], {M}[:, 0:2])",
          "np.linalg.solve({M}[:, 0:3] + 3.0 * np.eye(3), {M})", "{M}.transpose().T",
          "np.append({M}[0:2], {M}[2:3], axis=0)", "np.vsplit(np.vstack(({M}, {M})), 2)[1]",
          "np.einsum('ij,jk->ik', {M}[:, 0:3], {M})", "np.tile({V}, (3, 1))",
          "({M} - {M}.mean(axis=0)) / (0.1 + np.std({M}, axis=0, keepdims=True))",
          "np.linalg.pinv({M}.T)", "{M}.astype(np.float64) * {S}",
          "np.linalg.cholesky(0.1 * np.tanh({M}[:, 0:3]) + 2.0 * np.eye(3)) @ {M}",  # PD lower half
          "np.linalg.eigh(0.1 * np.tanh({M}[:, 0:3]) + np.diag(np.arange(3.0)))[1] @ {M}",
          "np.tensordot({W}, {V}, 0)", "np.cumsum({M}, axis=1)", "np.diff({T}, axis=0)[0]",
          "np.repeat({M}[0:2], 2, axis=0)[0:3]", "np.flip({T}, (0, 2))[1]",
          "np.take_along_axis({M}, np.array([[0, -1, 1, 3]]), axis=1)",
          "{M} / (0.5 + np.linalg.norm({M}, axis=0, keepdims=True))",
          "np.linalg.matrix_power({M}[:, 0:3] * 0.5, 2) @ {M}", "{M} * np.mean({M}, axis=(-2, -1), keepdims=True)",
          "np.linalg.svd(0.1 * np.tanh({M}) + np.eye(3, 4) * np.arange(1.0, 5.0), False)[2] * {S}",
          "np.linalg.svd(0.1 * np.tanh({M}[:, 0:3]) + np.diag(np.arange(1.0, 4.0)))[0] @ {M}"],
}


class ArrayGen:
    """Writes one random array program; the rng makes it reproducible."""

    def __init__(self, rng):
        self.rng = rng
        self.pool = {S: ["x", "y"], V: ["a"], W: [], MAT: ["M"], T3: ["T"]}
        self.counter = 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def expr(self, shape, depth=2):
        r = self.rng
        if depth <= 0 and self.pool[shape]:
            return r.choice(self.pool[shape])  # a name: needs no parentheses
        options = [t for t in EXPRS[shape] if "{W}" not in t or self.pool[W] or depth > 0]
        t = r.choice(options)
        fill = {"S": lambda: self.expr(S, depth - 1), "V": lambda: self.expr(V, depth - 1),
                "W": lambda: self.expr(W, depth - 1), "M": lambda: self.expr(MAT, depth - 1),
                "T": lambda: r.choice(self.pool[T3]), "k": lambda: str(r.randint(-4, 3)),
                "Q": lambda: (lambda v: f"{v} * {v}")(self.expr(V, 0))}  # one name squared
        out = t
        while "{" in out:
            i = out.index("{")
            j = out.index("}", i)
            out = out[:i] + fill[out[i + 1:j]]() + out[j + 1:]
        return "(" + out + ")"

    def new(self, shape, e):
        v = self.fresh({S: "s", V: "v", W: "w", MAT: "m"}[shape])
        self.pool[shape].append(v)
        return [f"    {v} = {e}"]

    def statement(self):
        r = self.rng
        if self.containers and r.random() < 0.2:  # a loop over a list of tuples in P
            acc = self.fresh("s")
            if r.random() < 0.3:  # over P's keys (Python iterates a dict's keys)
                out = [f"    {acc} = {self.expr(S, 0)}", "    for key in P:",
                       "        if key == \"k\":",
                       f"            {acc} = {acc} * P[key] + {self.expr(S, 0)}",
                       "        else:",
                       f"            {acc} = {acc} + np.sum(P[key][0][0] * {self.expr(V, 0)})"]
                self.pool[S].append(acc)
                return out
            out = [f"    {acc} = P[\"k\"] * {self.expr(S, 0)}",
                   "    for pw, pb in P[\"layers\"]:",
                   f"        {acc} = {acc} + np.sum(np.tanh(pw * {self.expr(S, 0)} + pb))"]
            self.pool[S].append(acc)
            return out
        if self.draws and r.random() < 0.3:
            return self.draw()
        if r.random() < 0.06:  # a list that grows in a run-time loop, stacked or summed
            ls, v = self.fresh("ls"), self.fresh("v")
            if r.random() < 0.5:
                out = [f"    {ls} = []", "    for i in range(n):",
                       f"        {ls}.append(np.sin({self.expr(V, 1)}) * a[i])"]
                if r.random() < 0.5:
                    out.append(f"    {v} = np.sum(np.stack({ls}), axis=0) + {ls}[-1]")
                else:  # read back from the last one: a second, order-dependent pass
                    out += [f"    {v} = {self.expr(V, 1)}", f"    for h in reversed({ls}):",
                            f"        {v} = np.tanh(0.5 * {v} + h)"]
                self.pool[V].append(v)
            else:
                out = [f"    {ls} = [{self.expr(S, 0)}]", "    i = 0", "    while i < n:",
                       "        if a[i] > -0.5:", f"            {ls}.append(a[i] * {self.expr(S, 0)})",
                       "        i += 1", f"    {v} = sum({ls}) + {ls}[0] * len({ls})"]
                self.pool[S].append(v)
            return out
        if r.random() < 0.06:  # locals holding containers: a list of dicts, nested lists
            cfg, acc, grid = self.fresh("cfg"), self.fresh("s"), self.fresh("g")
            out = [f"    {cfg} = {{\"layers\": [{{\"w\": {self.expr(V, 1)}, \"c\": {self.expr(S, 0)}}}, "
                   f"{{\"w\": {self.expr(V, 1)}, \"c\": {self.expr(S, 0)}}}], \"k\": {self.expr(S, 0)}}}",
                   f"    {acc} = 0.0",
                   f"    for ly in {cfg}[\"layers\"]:",
                   f"        {acc} = {acc} + np.sum(np.tanh(ly[\"w\"] * ly[\"c\"])) * {cfg}[\"k\"]",
                   f"    {grid} = [[{self.expr(V, 0)}, {cfg}[\"layers\"][1][\"w\"]], {acc}]"]
            self.pool[S].append(f"{grid}[1]")
            self.pool[V].append(f"{grid}[0][1]")
            return out
        if r.random() < 0.05:  # a list of arrays, one item bound again (hs[k] = ...)
            ls, v = self.fresh("ls"), self.fresh("v")
            k = r.choice(["0", "1", "-1"])
            out = [f"    {ls} = [{self.expr(V, 1)}, {self.expr(V, 0)}]",
                   f"    {ls}[{k}] = {ls}[{r.choice(['0', '1'])}] * {self.expr(S, 0)} + "
                   f"{self.expr(V, 0)}",
                   f"    {v} = {ls}[0] * {ls}[1]"]
            self.pool[V].append(v)
            return out
        if r.random() < 0.05:  # a parameter's neighbouring elements (elements carried from
            # step to step: passes/rotate.py), a gap, a guarded read, a wrapped i - 1, a row
            acc = self.fresh("s")
            offs = sorted(r.sample([-2, -1, 0, 1, 2], r.randint(1, 3)))
            lo = r.choice([0, max(0, -offs[0])])          # 0 with i - 1: a[-1] at i = 0
            hi = max(0, offs[-1])
            terms = [f"a[i{'' if c == 0 else f' + {c}' if c > 0 else f' - {-c}'}]" for c in offs]
            step = " * ".join(terms) + f" * {self.expr(S, 0)} + np.sin({r.choice(terms)})"
            out = [f"    {acc} = 0.0",
                   f"    for i in range({lo}, n{f' - {hi}' if hi else ''}):",
                   f"        {acc} += {step}"]
            if r.random() < 0.3:
                out += [f"        if a[i] > {r.uniform(-0.5, 0.5):.3f}:",
                        f"            {acc} += {r.choice(terms)} * {r.choice(terms)}"]
            if r.random() < 0.3:
                out += ["    for j in range(M.shape[1] - 1):",
                        f"        {acc} += M[1, j] * M[1, j + 1] * {self.expr(S, 0)}"]
            self.pool[S].append(acc)
            return out
        if r.random() < 0.05:  # a recurrent cell: products and broadcast sums in a loop,
            # read back in reverse only for their shapes (passes/shape_redo.py)
            h = self.fresh("h")
            if r.random() < 0.5:  # a vector state; a bias of a number, a vector or one element
                bias = r.choice([self.expr(S, 0), self.expr(W, 0), "a[0:1]"])
                out = [f"    {h} = {self.expr(W, 1)}", "    for t in range(n - 1):",
                       f"        {h} = np.tanh(M[:, 0:3] @ {h} + M @ {self.expr(V, 0)} * a[t] + {bias})"]
                self.pool[W].append(h)
            else:  # a matrix state; a row broadcast down the columns, or one element
                bias = r.choice([self.expr(S, 0), "a", "a[0:1]", self.expr(MAT, 0)])
                out = [f"    {h} = {self.expr(MAT, 1)}", "    for t in range(n - 1):",
                       f"        {h} = np.tanh(M[:, 0:3] @ {h} - M[:, 1:4] @ {self.expr(MAT, 0)} * 0.5"
                       f" + {bias}) * {r.choice(['1.0', 'a[t]'])}"]
                self.pool[MAT].append(h)
            return out
        if r.random() < 0.04:  # tuples of tuples: swapped, unpacked with a star, rebuilt
            ta, tb, v = self.fresh("t"), self.fresh("t"), self.fresh("v")
            out = [f"    {ta} = ({self.expr(V, 1)}, {self.expr(S, 0)})",
                   f"    {tb} = ({self.expr(V, 0)}, {self.expr(S, 1)})"]
            form = r.choice(["swap", "star", "literal", "zip"])
            if form == "swap":
                out += [f"    {ta}, {tb} = {tb}, {ta}",
                        f"    {v} = {ta}[0] * {ta}[1] + {tb}[0] * {tb}[1]"]
            elif form == "star":
                rest = self.fresh("rest")
                out += [f"    {ta}, *{rest} = ({tb}, {ta}, {tb})",
                        f"    {v} = {ta}[0] * {rest}[0][1] + {rest}[1][0] * {ta}[1]"]
            elif form == "zip":  # pairs listed from two tuples, then looped over
                ls = self.fresh("ls")
                out += [f"    {ls} = list(zip(({ta}[0], {tb}[0]), ({tb}[1], {ta}[1])))",
                        f"    {v} = {self.expr(V, 0)}",
                        f"    for pv, ps in {ls}:",
                        f"        {v} = np.tanh({v} * ps + pv)"]
            else:
                out += [f"    {ta}, {tb} = ({tb}[0] * 2.0, {ta}[1]), ({ta}[0], {tb}[1])",
                        f"    {v} = {ta}[0] * {tb}[1] + np.sin({tb}[0]) * {ta}[1]"]
            self.pool[V].append(v)
            return out
        if r.random() < 0.04:  # a matrix's rows (or columns) unpacked: views of it
            names = [self.fresh("r") for _ in range(3 if r.random() < 0.5 else 4)]
            v = self.fresh("v")
            if len(names) == 3:  # rows, (4,) each
                out = [f"    {', '.join(names)} = {self.expr(MAT, 1)}",
                       f"    {v} = {names[0]} * {names[1]} + np.sin({names[2]})"]
                self.pool[V].append(v)
            else:  # columns, (3,) each
                out = [f"    {', '.join(names)} = ({self.expr(MAT, 1)}).T",
                       f"    {v} = {names[0]} * {names[3]} + {names[1]} - {names[2]}"]
                self.pool[W].append(v)
            return out
        k = r.random()
        shape = r.choice([S, S, V, V, W, MAT])
        if k < 0.35:
            return self.new(shape, self.expr(shape))
        if k < 0.45:  # a copy, then element and slice writes
            c = self.fresh("c")
            src = r.choice(self.pool[V])
            out = [f"    {c} = {r.choice([f'{src}.copy()', f'np.copy({src})'])}",
                   f"    {c}[{r.randint(0, 3)}] = {self.expr(S, 1)}",
                   f"    {c}[1:3] = {self.expr(V, 1)}[0:2] * {self.expr(S, 0)}"]
            if r.random() < 0.6:  # a slice read (a view) and written back: its old values
                out.append(r.choice([f"    {c}[1:] *= {self.expr(S, 0)}",
                                     f"    {c}[0:2] += {c}[2:4] * {self.expr(S, 0)}",
                                     f"    {c}[::2] = {c}[::2] * {c}[1::2]"]))
            if r.random() < 0.25:  # a call that writes into it (frontend/mutating_calls.py)
                out.append(r.choice([f"    {c}.sort()", f"    {c}.fill({self.expr(S, 0)})",
                                     f"    np.copyto({c}, {self.expr(V, 1)} * {self.expr(S, 0)})"]))
            self.pool[V].append(c)
            return out
        if k < 0.52:  # a double buffer: the explicit heat-equation step
            u = self.fresh("u")
            coef = r.uniform(0.05, 0.3)
            out = [f"    {u} = {self.expr(V, 1)}",
                   "    for t in range(2):",
                   f"        nxt = {u}.copy()",
                   "        for i in range(1, n - 1):",
                   f"            nxt[i] = {u}[i] + {coef:.3f} * ({u}[i - 1] - 2.0 * {u}[i] + {u}[i + 1])",
                   f"        {u} = nxt"]
            self.pool[V].append(u)
            return out
        if k < 0.6:  # repeated integer indices: a write (last wins), += (buffered), np.add.at
            # (every contribution)
            c = self.fresh("c")
            op = r.choice(["=", "+=", "add.at", "subtract.at"])
            idx = r.choice(["IDX", "IDX", "[0, 2, 2, -1]"])  # (a literal list: NumPy's array)
            out = [f"    {c} = {self.expr(V, 0)}.copy()",
                   f"    {c}[{idx}] {op} {self.expr(V, 1)} * {self.expr(S, 0)}" if "." not in op
                   else f"    np.{op}({c}, IDX, {self.expr(V, 1)} * {self.expr(S, 0)})"]
            self.pool[V].append(c)
            return out
        if k < 0.68:  # tuples: packing, indexing by a variable, unpacking
            tp, p, q, s = self.fresh("tp"), self.fresh("p"), self.fresh("q"), self.fresh("s")
            pr, w = self.fresh("pr"), self.fresh("v")
            out = [f"    {tp} = {self.expr(S, 1)}, {self.expr(S, 1)}, {self.expr(S, 0)}",
                   f"    {pr} = {self.expr(V, 0)}, {tp}[-1]",
                   f"    {p}, {q}, {self.fresh('r')} = {r.choice([tp, tp, self.expr(W, 0)])}",
                   f"    {s} = 0.0",
                   "    for i in range(3):",
                   f"        {s} = {s} + {tp}[i] * {pr}[0][i]",
                   f"    {w} = {pr}[0] * {pr}[1] + {p} * {q}"]
            self.pool[V].append(w)
            self.pool[S] += [p, q, s]
            return out
        if k < 0.76:  # built element by element, with a loop-carried recurrence
            c = self.fresh("c")
            out = [f"    {c} = np.zeros(n)",
                   f"    {c}[0] = {self.expr(S, 1)}",
                   "    for i in range(1, n):",
                   f"        {c}[i] = {c}[i - 1] * {r.uniform(-0.9, 0.9):.3f} + {self.expr(V, 0)}[i]"]
            self.pool[V].append(c)
            return out
        if k < 0.84:  # a matrix filled row by row
            d = self.fresh("d")
            out = [f"    {d} = np.zeros((3, 4))",
                   "    for i in range(3):",
                   f"        {d}[i, :] = {self.expr(MAT, 0)}[i, :] * {self.expr(V, 0)}"]
            if r.random() < 0.4:  # a row and a column read (views) and written back
                out += [f"    {d}[1] *= {self.expr(S, 0)}",
                        f"    {d}[:, 2] += {d}[:, 0] * {self.expr(S, 0)}"]
            elif r.random() < 0.3:  # each row divided by a function of itself (two views)
                out += ["    for i in range(3):",
                        f"        {d}[i] /= 1.0 + np.sum({d}[i] * {d}[i])"]
            elif r.random() < 0.4:  # entries and columns by integer arrays, one repeated
                out += [f"    {d}[np.array([0, 2, 0]), np.array([1, 3, 1])] = "
                        f"{self.expr(S, 0)} * np.array([1.0, 2.0, 3.0])",
                        f"    {d}[:, np.array([2, 0, 2])] = {self.expr(MAT, 0)}[:, 0:3]"]
            self.pool[MAT].append(d)
            return out
        if k < 0.9 and r.random() < 0.6:  # a row bound to a name, read element by element
            # (with parallel=True a prange loop: its adjoint zeroes the row's adjoint per step)
            acc, rw, t = self.fresh("s"), self.fresh("rw"), self.fresh("t")
            ri, ki = self.fresh("ri"), self.fresh("ki")
            out = [f"    {acc} = 0.0", f"    for {ri} in range(3):",
                   f"        {rw} = ({self.expr(MAT, 0)})[{ri}]", f"        {t} = 0.0",
                   f"        for {ki} in range(4):",
                   f"            {t} = {t} + {rw}[{ki}] * np.tanh({rw}[{ki}] * {self.expr(S, 0)})",
                   f"        {acc} = {acc} + {t} * {t}"]
            self.pool[S].append(acc)
            return out
        if k < 0.9:  # loops over sequences: rows, values, zip, enumerate, a tuple (unrolled)
            acc, it = self.fresh("s"), self.fresh("e")
            loop = r.choice([
                (f"for {it} in {self.expr(MAT, 0)}:", f"np.sum(np.tanh({it} * {self.expr(V, 0)}))"),
                (f"for {it} in {self.expr(V, 0)}:", f"{it} * {self.expr(S, 0)}"),
                (f"for {it} in reversed({self.expr(MAT, 0)}):", f"np.sum(np.sin({it})) - 0.5 * {acc}"),
                (f"for {it}, u in zip({self.expr(V, 0)}, {self.expr(W, 0)}):", f"{it} * u"),
                (f"for i, {it} in enumerate({self.expr(W, 0)}, 1):", f"i * np.sin({it})"),
                (f"for {it}, u in (({self.expr(V, 0)}, {self.expr(S, 0)}), ({self.expr(V, 0)}, 0.5)):",
                 f"np.sum({it} * u)")])
            if r.random() < 0.3:  # a list of a run-time length bound to a name, then used
                ls = self.fresh("ls")
                made = r.choice([f"[np.sin({it}) * {self.expr(S, 0)} for {it} in {self.expr(V, 0)}]",
                                 f"list({self.expr(MAT, 0)})", f"{self.expr(W, 0)}.tolist()",
                                 f"[{self.expr(V, 0)} * i for i in range(n) if i != 1]",
                                 f"[a * b for a, b in zip({self.expr(V, 0)}, {self.expr(W, 0)})]"])
                self.pool[S].append(acc)  # (after the list's expressions: it is set after them)
                return [f"    {ls} = {made}",
                        f"    {acc} = np.sum(np.array({ls}) * {ls}[0]) + np.sum(sum({ls}))"]
            self.pool[S].append(acc)
            return [f"    {acc} = 0.0", f"    {loop[0]}", f"        {acc} = {acc} + {loop[1]}"]
        if k < 0.905:  # a dict local: read by its keys, and a loop over its items
            dd, acc = self.fresh("dd"), self.fresh("s")
            out = [f"    {dd} = {{\"p\": {self.expr(V, 1)}, \"q\": {self.expr(S, 1)}}}",
                   f"    {acc} = np.sum({dd}[\"p\"] * {dd}[\"q\"])",
                   f"    for key, val in {dd}.items():",
                   f"        {acc} = {acc} + np.sum(val * val) * (2.0 if key == \"p\" else 1.0)"]
            self.pool[S].append(acc)
            return out
        if k < 0.92 and getattr(self, "nested", False):  # the nested def, twice
            v = self.fresh("v")
            line = f"    {v} = nd({self.expr(V, 1)}, 0.5) + nd({self.expr(V, 0)}, {self.expr(S, 0)})"
            self.pool[V].append(v)
            return [line]
        if k < 0.94:  # a lambda closing over a value, a comprehension, sum of a generator
            lam, v, acc = self.fresh("lam"), self.fresh("v"), self.fresh("s")
            out = [f"    {lam} = lambda t: np.sin(t) * {self.expr(S, 0)} + t * t",
                   f"    {v} = {lam}({self.expr(V, 1)})",
                   f"    {acc} = sum(np.sum({lam}(u)) for u in [{self.expr(V, 0)}, {self.expr(W, 0)}])"
                   f" + sum([{lam}(u) for u in ({self.expr(S, 0)}, 0.5)])"]
            self.pool[V].append(v)
            self.pool[S].append(acc)
            return out
        # a branch defining the same name both ways (or decided by isinstance of a parameter)
        v = self.fresh({S: "s", V: "v", W: "w", MAT: "m"}[shape])
        test = f"{self.expr(S, 1)} > {r.uniform(-0.5, 0.5):.3f}" if r.random() < 0.7 else \
            f"isinstance({r.choice(['x', 'a'])}, {r.choice(['np.ndarray', 'float'])})" \
            if r.random() < 0.5 else r.choice([f"np.any({self.expr(V, 1)} > 0.3)",
                                              f"({self.expr(MAT, 0)} > -0.5).all()"])
        out = [f"    if {test}:",
               f"        {v} = {self.expr(shape, 1)}", "    else:",
               f"        {v} = {self.expr(shape, 1)}"]
        self.pool[shape].append(v)
        return out

    def draw(self):
        """Random draws from ``rng``: constants of the derivative, used reparameterized."""
        r = self.rng
        k = r.random()
        if k < 0.4:
            e, v = self.fresh("eps"), self.fresh("v")
            call = r.choice(["rng.standard_normal(4)", "rng.normal(0.0, 0.5, 4)",
                             "rng.uniform(-1.0, 1.0, n)", "rng.standard_normal(size=4)"])
            out = [f"    {e} = {call}", f"    {v} = {self.expr(V, 1)} + np.exp({self.expr(S, 0)}) * {e}"]
            self.pool[V].append(v)
        elif k < 0.6:
            e, m = self.fresh("e"), self.fresh("m")
            out = [f"    {e} = rng.random((3, 4))", f"    {m} = {self.expr(MAT, 1)} * {e}"]
            self.pool[MAT].append(m)
        elif k < 0.8:  # draws in a loop, one per step
            acc = self.fresh("s")
            out = [f"    {acc} = 0.0", "    for i in range(3):",
                   "        z = rng.standard_normal()",
                   f"        {acc} = {acc} + np.sin({self.expr(S, 0)} * z) * z"]
            self.pool[S].append(acc)
        else:  # a draw in one branch only
            acc = self.fresh("s")
            test = r.choice([f"{self.expr(S, 0)} > 0.0", f"{self.expr(S, 0)} > 0.0",
                             f"np.any({self.expr(V, 0)} > 0.5)", f"({self.expr(MAT, 0)} < 2.0).all()"])
            out = [f"    if {test}:",
                   f"        {acc} = {self.expr(S, 0)} * rng.exponential(1.0)", "    else:",
                   f"        {acc} = {self.expr(S, 1)}"]
            self.pool[S].append(acc)
        return out

    def program(self):
        r = self.rng
        body = []
        self.containers = r.random() < 0.25
        self.draws = r.random() < 0.2
        if self.containers:  # the container's leaves, read by literal paths
            self.pool[V].append('P["layers"][0][0]')
            self.pool[W].append('P["layers"][1][0]')
            self.pool[S] += ['P["layers"][0][1]', 'P["k"]']
        self.nested = r.random() < 0.25
        if self.nested:  # a nested def closing over a parameter, called by statements below
            body += ["    def nd(t, u):", "        return np.sin(t) * u + t * x"]
        for _ in range(r.randint(2, 6)):
            body += self.statement()
        total = " + ".join(f"np.sum({v} * {v})" for v in r.sample(
            self.pool[V] + self.pool[W] + self.pool[MAT], 2)) + " + " + r.choice(self.pool[S])
        if r.random() < 0.2:  # a parameter rebound to another rank: split into versions
            body.append("    M = np.sum(M * np.tanh(M))")
        kind = 0.0 if self.draws else r.random()  # grad of a program that draws: a scalar
        if kind < 0.6:
            body.append(f"    return {total}")
        elif kind < 0.75:
            body.append(f"    return {total}, {r.choice(self.pool[V])} * x")
        elif kind < 0.85:
            body.append(f"    return {{\"loss\": {total}, \"parts\": [{r.choice(self.pool[V])} * x, "
                        f"{r.choice(self.pool[S])}]}}")
        else:
            body.append(f"    return np.tanh({r.choice(self.pool[V])}) * ({total})")
        params = "x, y, a, M, T, n" + (", P" if self.containers else "") + \
            (", rng" if self.draws else "")
        return "\n".join(HEADER + [f"def f({params}):"] + body) + "\n"

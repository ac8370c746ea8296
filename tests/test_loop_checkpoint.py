"""Loop checkpoints (``grad(f, checkpoint=s)``, srcgrad/passes/revolve.py): the schedule is
the binomial optimum, gradients equal the unchekpointed ones, the reverse sweep's memory is
bounded by the snapshots, and what cannot be checkpointed is said at its line."""
import functools
import math
import pickle
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

import srcgrad
from checks import check_grads
from srcgrad.runtime.checkpoint import (CKPT_ADJOINT, CKPT_ADVANCE, CKPT_DONE, CKPT_KIND,
                                        CKPT_RESTORE, CKPT_THEN_ADJOINT,
                                        CKPT_STORE, binomial_steps, checkpoint_compact,
                                        checkpoint_next, checkpoint_online,
                                        checkpoint_online_end, checkpoint_place,
                                        checkpoint_schedule)


# ---- the schedule ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def least_steps(T, s):
    """The recurrence's minimum: advance m steps, snapshot, reverse the rest with one snapshot
    fewer, then the first m with as many (Griewank 1992), by brute force."""
    if T <= 1:
        return 0
    if s == 1:
        return T * (T - 1) // 2
    return min(m + least_steps(T - m, s - 1) + least_steps(m, s) for m in range(1, T))


def play(rv, snaps, state, s):
    """Play a schedule on a state that is the step number: every adjoint must see its own
    step's state, each once, the last first; returns the steps run again."""
    again, adjoints = 0, []
    while True:
        action, slot, step, to = checkpoint_next(rv)
        if action == CKPT_DONE:
            break
        if action == CKPT_ADJOINT:
            assert state == step
            adjoints.append(step)
            state = None
            continue
        kind = action & CKPT_KIND
        if kind == CKPT_STORE:  # then on to ``to``
            assert state == step and slot < s
            snaps[slot] = step
        elif kind == CKPT_RESTORE:  # then on to ``to``
            assert snaps[slot] == step
            state = step
        else:
            assert kind == CKPT_ADVANCE and to > step
        assert state == step and to >= step
        again, state = again + to - step, to
        if action & CKPT_THEN_ADJOINT:
            adjoints.append(to)
            state = None
    assert adjoints == list(range(len(adjoints) - 1, -1, -1))
    return again, adjoints


def run_schedule(T, s):
    """A schedule known before the loop runs; returns (advanced steps, snapshots used)."""
    snaps = {}
    advanced, adjoints = play(checkpoint_schedule(T, s), snaps, 0, s)
    assert len(adjoints) == T
    return advanced, len(snaps)


@pytest.mark.parametrize("s", [1, 2, 3, 4, 6])
def test_schedule_advances_the_binomial_least_number_of_steps(s):
    for T in range(0, 45):
        advanced, used = run_schedule(T, s)
        assert used <= s
        assert advanced == least_steps(T, s) == binomial_steps(T, s)


def test_binomial_bound_in_closed_form_at_large_sizes():
    # r*T - beta(s+1, r-1) with beta(s, r-1) < T <= beta(s, r)
    for T, s in [(10**5, 10), (10**5, 100), (10**6, 30), (1000, 1)]:
        r = 0
        while math.comb(s + r, s) < T:
            r += 1
        want = T * (T - 1) // 2 if s == 1 else r * T - math.comb(s + r, s + 1)
        assert binomial_steps(T, s) == want
    assert run_schedule(3000, 10)[0] == binomial_steps(3000, 10)


def run_online(T, s):
    """The same for a loop whose trips are known only at its end: the forward sweep keeps
    states as it runs (thinned), then the reverse; returns the steps run again."""
    rv = checkpoint_online(s)
    snaps, state = [None] * s, 0
    for _ in range(T):
        slot, thinned = checkpoint_place(rv)
        if thinned:
            checkpoint_compact(snaps, thinned)
        if slot >= 0:
            snaps[slot] = state
        state += 1
    checkpoint_online_end(rv)
    again, adjoints = play(rv, snaps, state, s)
    assert len(adjoints) == T
    return again


def test_online_schedule_for_loops_of_unknown_length():
    for T in range(0, 70):
        for s in range(1, 7):
            run_online(T, s)
    for T, s in [(3000, 10), (3000, 30), (20000, 100)]:
        # every step once forward, then the reverse: within 15 % of revolve knowing T
        assert T + run_online(T, s) <= 1.15 * (T + binomial_steps(T, s))


# ---- gradients -----------------------------------------------------------------------------------
def heat(u0, k, T):
    u = u0.copy()
    n = u.shape[0]
    e = 0.0
    for t in range(T):
        lap = np.zeros(n)
        for i in range(1, n - 1):
            lap[i] = u[i - 1] - 2.0 * u[i] + u[i + 1]
        u = u + k * lap
        e = e + np.sum(u * u) * 0.5
    return e + np.sum(u ** 3)


def branchy(x, a, n):
    s = 0.0
    y = x * 1.0
    c = a
    for t in range(2, n, 3):
        if y[0] > 0.1:
            y = np.sin(y) * c + t
        else:
            y = y * y
        c = c * 0.9 + np.sum(y) * 0.01
        y[1] = y[1] * c
        s = s + np.dot(y, x) * a
    return s + c * np.sum(y)


def inplace(x, a, n):
    z = x[0] * a
    w = np.cos(x)
    q = w * 2.0
    for i in range(n):
        tmp = np.sum(w) * z
        z = math.sin(z) + tmp * 0.1
        for j in range(w.shape[0]):
            w[j] = w[j] * 0.5 + z * x[j]
    return np.sum(q * w) + z


def scalar_state(x, a, n):
    acc = 0.0
    v = a
    for k in range(n):
        v = v * 0.9 + math.tanh(v) * x[k % x.shape[0]]
        acc = acc + v * v
    return acc


def two_loops(x, a, n):
    h = np.zeros(x.shape[0])
    m = x * a
    s = 0.0
    for t in range(n):
        h = np.tanh(m * h + x)
        s = s + h[0]
    g = h * 1.0
    for t in range(n - 1, 0, -2):
        g = g * a + np.sin(g)
    return s * np.sum(h) + np.sum(g)


def newton_sqrt(x, a, tol):
    v = a
    k = 0
    err = 1.0
    while err > tol and k < 100:
        nv = 0.5 * (v + x[0] / v)
        err = abs(nv - v)
        v = nv
        k = k + 1
    return v * a + np.sum(x) * 0.0


def relax(u0, k, tol):
    u = u0 * 1.0
    change = 1.0
    while change > tol:
        un = u + k * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1)) - 0.01 * u ** 3
        change = np.max(np.abs(un - u))
        u = un
    return np.sum(u * u)


PROGRAMS = [heat, branchy, inplace, scalar_state, two_loops, newton_sqrt, relax]
X = np.linspace(0.2, 1.0, 6)


def _args(f):
    return {heat: (X, 0.1, 13), newton_sqrt: (X + 1.0, 1.5, 1e-12),
            relax: (X, 0.2, 1e-3)}.get(f, (X, 0.7, 11))


def _close(got, want):
    for g, w in zip(got, want):
        assert np.allclose(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_checkpointed_gradients_equal_stored_ones(f):
    args = _args(f)
    keep = X.copy()
    v, ref = srcgrad.value_and_grad(f, wrt=(0, 1), backend="python")(*args)
    for s in (1, 2, 5, 40):
        got_v, got = srcgrad.value_and_grad(f, wrt=(0, 1), backend="python", checkpoint=s)(*args)
        assert got_v == pytest.approx(v, rel=1e-12)
        _close(got, ref)
    assert X.tobytes() == keep.tobytes()
    # and the stored ones are right: central differences along a direction
    d = np.cos(np.arange(X.size))
    h = 1e-6
    x0 = args[0]
    fd = (f(x0 + h * d, *args[1:]) - f(x0 - h * d, *args[1:])) / (2 * h)
    assert np.dot(ref[0], d) == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_vjp_and_chosen_loops():
    args = _args(two_loops)
    out, fn = srcgrad.vjp(two_loops, *args, wrt=(0, 1), backend="python")
    ref = fn(1.5)
    for which in (2, {"t": 2}, {two_loops.__code__.co_firstlineno + 4: 3}):
        out_c, fn_c = srcgrad.vjp(two_loops, *args, wrt=(0, 1), backend="python",
                                  checkpoint=which)
        assert out_c == out
        _close(fn_c(1.5), ref)
    src = srcgrad.source(two_loops, args=args, checkpoint={"t": 4})
    assert src.count("checkpoint_schedule(") == 2  # both loops run over t


def reused_index(a, n):
    u = a * 1.0
    for t in range(2):
        nxt = u.copy()
        for i in range(1, n - 1):  # may run no times: i unbound after it
            nxt[i] = u[i] + 0.25 * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = nxt
    c = np.zeros(n)
    c[0] = a[0] * 2.0
    for i in range(1, n):
        c[i] = c[i - 1] * -0.3 + a[i]
    return np.sum(u * c)


def test_loop_variable_bound_only_by_an_earlier_loop():  # fuzzer seed 9303
    for n in (2, 4):
        a = np.linspace(0.1, 1.0, n)
        _close([srcgrad.grad(reused_index, backend="python", checkpoint=3)(a, n)],
               [srcgrad.grad(reused_index, backend="python")(a, n)])


def test_zero_and_one_trips():
    g = srcgrad.grad(scalar_state, wrt=(0, 1), backend="python", checkpoint=3)
    for n in (0, 1, 2):
        _close(g(X, 0.7, n), srcgrad.grad(scalar_state, wrt=(0, 1), backend="python")(X, 0.7, n))


# ---- counting the steps the generated code runs --------------------------------------------
CALLS = {"step": 0, "taped": 0}


@srcgrad.custom_vjp(out="u")
def counted_step(u, k):
    CALLS["step"] += 1
    return u + k * np.sin(u)


def _step_fwd(u, k):
    CALLS["taped"] += 1
    return u + k * np.sin(u), (u, k)


def _step_bwd(res, g):
    u, k = res
    return g * (1.0 + k * np.cos(u)), np.sum(g * np.sin(u))


counted_step.defvjp(_step_fwd, _step_bwd)


def integrate(u0, k, T):
    u = u0 * 1.0
    for t in range(T):
        u = counted_step(u, k)
    return np.sum(u * u)


@pytest.mark.parametrize("T, s", [(50, 1), (50, 3), (200, 7), (200, 200), (1, 2)])
def test_generated_code_runs_the_binomial_number_of_steps(T, s):
    u0 = np.linspace(0.0, 1.0, 4)
    g = srcgrad.grad(integrate, backend="python", checkpoint=s)
    g(u0, 0.3, T)
    CALLS.update(step=0, taped=0)
    got = g(u0, 0.3, T)
    # each of the T steps is run once for its adjoint (the rule's fwd), and the steps to get
    # there from the snapshots are binomial_steps(T, s), the least any schedule with s
    # snapshots can do, plus the last step once more (its result is the loop's, needed
    # before the reverse sweep starts)
    assert CALLS["taped"] == T
    assert CALLS["step"] == binomial_steps(T, s) + 1
    _close([got], [srcgrad.grad(integrate, backend="python")(u0, 0.3, T)])


# ---- memory ----------------------------------------------------------------------------------
def diffuse(u0, k, T):
    u = u0 * 1.0
    for t in range(T):
        lap = np.zeros(u.shape[0])
        lap[1:-1] = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u = u + k * np.tanh(lap)
    return np.sum(u * u)


def _peak(g, *args):
    g(*args)  # transformed once: measure the call only
    tracemalloc.start()
    try:
        g(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reverse_sweep_memory_is_bounded_by_the_snapshots():
    n, s = 2000, 10
    state = n * 8
    u0 = np.sin(np.linspace(0, 3, n))
    plain = srcgrad.grad(diffuse, backend="python")
    ckpt = srcgrad.grad(diffuse, backend="python", checkpoint=s)
    one_step = _peak(plain, u0, 0.1, 1)             # a step's own values, stored
    assert _peak(plain, u0, 0.1, 300) > 300 * 2 * state  # every step's lap and u are kept
    long, short = _peak(ckpt, u0, 0.1, 300), _peak(ckpt, u0, 0.1, 50)
    assert long - short < state                      # does not grow with the trips
    assert long < one_step + (s + 8) * state         # s snapshots and one step's values
    _close([ckpt(u0, 0.1, 40)], [plain(u0, 0.1, 40)])


# ---- what is refused or said --------------------------------------------------------------------
def early_exit(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[i]
        if s > 3.0:
            break
    return s


def draws(x, n, rng):
    s = 0.0
    for i in range(n):
        s = s + x[i] * rng.normal()
    return s


def born_inside(x, n):
    s = 0.0
    for i in range(n):
        if i > 0:
            s = s + prev * x[i]  # noqa: F821 -- carried from the step before
        prev = x[i] * 2.0
    return s + prev


def test_refusals_name_the_loop_line():
    x = np.linspace(0.1, 1.0, 5)
    with pytest.raises(srcgrad.UnsupportedError, match=r"test_loop_checkpoint.py:\d+.*draws "
                                                       "random numbers"):
        srcgrad.grad(draws, backend="python", checkpoint={"i": 2})(x, 5,
                                                                    np.random.default_rng(0))
    with pytest.raises(srcgrad.UnsupportedError, match="'prev', carried .* first assigned"):
        srcgrad.grad(born_inside, backend="python", checkpoint={"i": 2})(x, 5)
    with pytest.raises(srcgrad.SrcgradError, match="no top-level for loop over 'j'"):
        srcgrad.grad(early_exit, backend="python", checkpoint={"j": 2})(x, 5)
    with pytest.raises(ValueError, match="int >= 1"):
        srcgrad.grad(early_exit, checkpoint=0)
    with pytest.raises(srcgrad.SrcgradError, match="checkpointed gradient"):
        srcgrad.grad(srcgrad.grad(scalar_state, checkpoint=2))


def grows(a, y, n):
    """A list that grows in the loop (found by the array fuzzer: its snapshots were wrong)."""
    ls = []
    for i in range(n):
        ls.append(np.sin(a * y) * a[i])
    v = np.sum(np.stack(ls), axis=0) + ls[-1]
    return np.sum(v * v)


def test_every_loop_asked_for_warns_for_one_it_cannot_take():
    x = np.linspace(0.1, 1.0, 5)
    with pytest.warns(srcgrad.CheckpointWarning, match="draws random numbers"):
        got = srcgrad.grad(draws, backend="python", checkpoint=2)(x, 5, np.random.default_rng(0))
    assert np.allclose(got, srcgrad.grad(draws, backend="python")(x, 5, np.random.default_rng(0)))
    a = np.array([0.5, -0.2, 0.9, 0.1])
    with pytest.warns(srcgrad.CheckpointWarning, match="appends to a list"):
        got = srcgrad.grad(grows, wrt=(0, 1), backend="python", checkpoint=2)(a, 0.7, 3)
    want = srcgrad.grad(grows, wrt=(0, 1), backend="python")(a, 0.7, 3)
    assert np.allclose(got[0], want[0], rtol=1e-12) and np.isclose(got[1], want[1], rtol=1e-12)
    check_grads(grows, (a, 0.7, 3), wrt=(0, 1), backends=("python",))
    with pytest.raises(srcgrad.UnsupportedError, match=r"test_loop_checkpoint.py:\d+.*appends "
                                                       "to a list"):
        srcgrad.grad(grows, backend="python", checkpoint={"i": 2})(a, 0.7, 3)


def returns_inside(x, n):
    s = 0.0
    for i in range(1, n, 2):
        s = s * 0.9 + math.sin(x[i] * s + 1.0)
        if s > 1.5:
            return s * 2.0
    return s


@pytest.mark.parametrize("f", [early_exit, returns_inside], ids=lambda f: f.__name__)
def test_for_loops_that_end_early_get_the_online_schedule(f):
    x = np.linspace(0.1, 1.0, 12)
    for n in (0, 3, 12):  # ends with its range, or early
        ref = srcgrad.grad(f, backend="python")(x, n)
        for s in (1, 2, 5):
            _close([srcgrad.grad(f, backend="python", checkpoint=s)(x, n)], [ref])
    assert "checkpoint_online(" in srcgrad.source(f, args=(x, 12), checkpoint=2)


def test_pickles_with_its_checkpoint():
    g = srcgrad.grad(scalar_state, wrt=(0, 1), backend="python", checkpoint=3)
    g2 = pickle.loads(pickle.dumps(g))
    _close(g2(X, 0.7, 9), g(X, 0.7, 9))
    assert "checkpoint_next" in g2.source


KERNEL = ("import math\n\n"
          "def f(x, a, n):\n"
          "    v = a\n"
          "    for k in range(n):\n"
          "        v = v * 0.9 + math.tanh(v) * x[k]\n"
          "    return v\n")  # a file for the command line's tests


def test_dump_shows_the_schedule(tmp_path):
    path = tmp_path / "kern.py"
    path.write_text(KERNEL)
    out = subprocess.run([sys.executable, "-m", "srcgrad", "dump", f"{path}:f", "--no-color",
                          "--args", "x=f8[:], a=float, n=int", "--checkpoint", "k=4"],
                         capture_output=True, text=True, check=True).stdout
    for text in ("# checkpoint: 4 snapshots", "checkpoint_next(_schedule)", "_snap_v[_slot] = v",
                 "while _action == CKPT_ADJOINT:", "# grad of: v = v * 0.9"):
        assert text in out
    bad = subprocess.run([sys.executable, "-m", "srcgrad", "dump", f"{path}:f",
                          "--checkpoint", "k"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--checkpoint" in bad.stderr


# ---- the construct tests' loops, checkpointed ----------------------------------------------------
def _construct_loops():
    import test_constructs as c
    cases = [(c.scalar_loop, (c.X5, 5)), (c.recurrence, (0.5, 0.01, 200)), (c.rosenbrock, (c.X5,)),
             (c.ranges, (c.X5,)), (c.nested, (c.A34,)), (c.loop_branch, (c.X5,)),
             (c.while_loop, (1.3,)), (c.newton_sqrt, (2.0,)), (c.nested_while, (c.X5,)),
             (c.with_break, (c.X5,)), (c.with_continue, (np.linspace(0.5, 2.0, 8),)),
             (c.early_return, (1.0, 0.5)), (c.strided_recurrence,
                                            (0.7, np.array([1.1, 0.9, 1.3, 0.8]))),
             (c.nested_saves, (0.3, 5))]
    compiled = {"recurrence", "nested", "while_loop", "strided_recurrence"}
    return [pytest.param(f, a, b, id=f"{f.__name__}-{b}") for f, a in cases
            for b in (("python", "numba") if f.__name__ in compiled else ("python",))]


@pytest.mark.parametrize("f, args, backend", _construct_loops())
def test_construct_loops_checkpointed(f, args, backend):
    wrt = tuple(i for i, a in enumerate(args) if np.asarray(a).dtype.kind == "f")
    ref = srcgrad.grad(f, wrt=wrt, backend=backend)(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.CheckpointWarning)
        got = srcgrad.grad(f, wrt=wrt, backend=backend, checkpoint=2)(*args)
    _close(got if isinstance(got, tuple) else [got], ref if isinstance(ref, tuple) else [ref])

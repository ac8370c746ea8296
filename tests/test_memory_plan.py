"""``memory=`` plans (srcgrad/memory_plan.py): which loops to checkpoint and how many snapshots,
chosen for each call's sizes from a probe of what every loop would keep; the budget checked
against what the generated code really keeps (srcgrad.memory), the gradients against the ones
kept whole."""
import itertools

import numba
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import srcgrad
from srcgrad.memory_plan import SNAPSHOT_EXTRA, CallUse, LoopUse, Plan, choose
from test_loop_checkpoint import _peak


def big_and_small(u0, k, T):
    """A loop keeping arrays (u, lap) every step, then a scalar loop keeping a number a step,
    then a loop appending to a list (never checkpointed: its list keeps every step anyway)."""
    u = u0 * 1.0
    for t in range(T):
        lap = np.zeros(u.shape[0])
        lap[1:-1] = u[:-2] - 2.0 * u[1:-1] + u[2:]
        u = u + k * np.tanh(lap)
    v = np.sum(u)
    for j in range(T):
        v = v * 0.99 + k * np.sin(v)
    rows = []
    for i in range(3):
        rows.append(u * v * (i + 1.0))
    return np.sum(np.stack(rows) ** 2)


U0 = np.sin(np.linspace(0.0, 3.0, 200))   # the state of the first loop: 1.6 kB
ARGS = (U0, 0.05, 300)


@pytest.fixture(scope="module")
def whole():
    return srcgrad.grad(big_and_small, wrt=(0, 1))(*ARGS)


def _close(got, want):
    for g, w in zip(got, want):
        assert np.allclose(g, w, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("backend", ["numba", "python"])
@pytest.mark.parametrize("budget, checkpointed", [("10MB", set()), ("200kB", {0}),
                                                  ("25kB", {0, 1})])
def test_the_plan_checkpoints_the_loops_it_must_and_stays_in_the_budget(backend, budget,
                                                                        checkpointed, whole):
    keep = U0.copy()
    g = srcgrad.grad(big_and_small, wrt=(0, 1), memory=budget, backend=backend)
    _close(g(*ARGS), whole)
    assert U0.tobytes() == keep.tobytes()
    plan = g.plan
    assert set(plan.snapshots) == checkpointed
    limit = srcgrad.passes.revolve.parse_bytes(budget)
    assert plan.total <= limit
    # the plan's loops as measured on the generated code (kept, not counted)
    report = srcgrad.memory(big_and_small, *ARGS, wrt=(0, 1), memory=budget, backend=backend)
    assert report.total <= plan.total
    for lp, used in zip(report.loops, plan.loops):
        if lp.snapshots is None:  # kept whole: the probe counted what the code keeps
            assert used.stored == lp.kept
        else:
            assert lp.snapshots == plan.snapshots[used.number]
            assert lp.state == used.state
    text = str(plan)
    assert "appends to a list" not in text or "whole" in text
    assert ("everything whole" in text) == (not checkpointed)


def test_the_plan_follows_the_sizes_of_each_call(whole):
    g = srcgrad.grad(big_and_small, wrt=(0, 1), memory="200kB")
    short = (U0, 0.05, 20)
    _close(g(*short), srcgrad.grad(big_and_small, wrt=(0, 1))(*short))
    assert g.plan.snapshots == {}   # 20 steps fit whole
    assert "checkpoint_schedule" not in g.source
    _close(g(*ARGS), whole)
    assert set(g.plan.snapshots) == {0}
    assert "checkpoint_schedule" in g.source


def test_value_and_grad_and_vjp_plan_too(whole):
    v, got = srcgrad.value_and_grad(big_and_small, wrt=(0, 1), memory="40kB",
                                    backend="python")(*ARGS)
    assert v == pytest.approx(big_and_small(*ARGS), rel=1e-12)
    _close(got, whole)
    out, fn = srcgrad.vjp(big_and_small, *ARGS, wrt=(0, 1), memory="40kB", backend="python")
    _close(fn(1.0), whole)


def test_a_budget_nothing_fits_says_how_much_is_needed():
    with pytest.raises(ValueError) as e:
        srcgrad.grad(big_and_small, wrt=(0, 1), memory="5kB", backend="python")(*ARGS)
    msg = str(e.value)
    assert "memory=5.0 kB: the reverse sweep of big_and_small() needs at least" in msg
    assert "test_memory_plan.py:" in msg and "cannot be checkpointed: a checkpointed loop " \
        "that appends to a list" in msg
    need = int(msg.split("needs at least ")[1].split(" bytes")[0].replace(",", ""))
    g = srcgrad.grad(big_and_small, wrt=(0, 1), memory=need, backend="python")
    g(*ARGS)  # exactly what it said is enough
    assert g.plan.total <= need and len(g.plan.snapshots) == 2


def draws(x, n, rng):
    s = 0.0
    for i in range(n):
        s = s + np.sum(np.sin(x * rng.normal()))
    return s


def test_the_probe_does_not_draw_from_the_callers_generator():
    x = np.linspace(0.1, 1.0, 5)
    g = srcgrad.grad(draws, memory="1MB", backend="python")
    rng = np.random.default_rng(3)
    got = g(x, 20, rng)
    want = srcgrad.grad(draws, backend="python")(x, 20, np.random.default_rng(3))
    assert np.array_equal(got, want)
    assert rng.normal() == np.random.default_rng(3).normal(size=21)[20]


# ---- calls ----------------------------------------------------------------------------------
def layer(h, W):
    z = h @ W
    a = np.tanh(z)
    return a * a + z


def deep(x, W1, W2, W3, W4):
    """Four calls of a helper keeping three arrays each (z, a, a * a) for its reverse sweep."""
    h = layer(x, W1)
    h = layer(h, W2)
    h = layer(h, W3)
    h = layer(h, W4)
    return np.sum(h * h)


RNG = np.random.default_rng(5)
DEEP = (RNG.normal(size=(250, 20)),) + tuple(RNG.normal(size=(20, 20)) * 0.3 for _ in range(4))
H = 250 * 20 * 8  # one layer's output: 40 kB
LINE = deep.__code__.co_firstlineno + 2  # the first call


@pytest.fixture(scope="module")
def deep_whole():
    return {b: srcgrad.grad(deep, wrt=(0, 1, 2, 3, 4), backend=b)(*DEEP)
            for b in ("python", "numba")}


@pytest.mark.parametrize("budget, calls, backend", [
    ("1MB", [], "python"), ("360kB", [0, 1, 2], "python"), ("300kB", [0, 1, 2, 3], "python"),
    ("300kB", [0, 1, 2, 3], "numba")])
def test_the_plan_checkpoints_the_calls_it_must_and_stays_in_the_budget(budget, calls, backend,
                                                                        deep_whole):
    keep = [a.copy() for a in DEEP]
    g = srcgrad.grad(deep, wrt=(0, 1, 2, 3, 4), memory=budget, backend=backend)
    _close(g(*DEEP), deep_whole[backend])
    assert all(a.tobytes() == k.tobytes() for a, k in zip(DEEP, keep))
    plan = g.plan
    assert sorted(plan.calls) == [("call", LINE + k, 8) for k in calls]
    # each call keeps two arrays inlined (a * a, read only for its shape, is not kept:
    # passes/known_shapes.py); checkpointed, nothing more than what the forward sweep keeps
    # anyway (the h it is given is saved where the next line overwrites it)
    assert [(c.line, c.stored, c.inputs) for c in plan.call_uses] == \
        [(LINE + k, 2 * H, 0) for k in range(4)]
    assert plan.total <= srcgrad.passes.revolve.parse_bytes(budget)
    assert g.source.count("layer_checkpoint_vjp(") == len(calls)
    report = srcgrad.memory(deep, *DEEP, wrt=(0, 1, 2, 3, 4), memory=budget, backend=backend)
    assert report.total <= plan.total  # measured on the generated code
    for k in range(4):
        assert ("h = layer(" in str(plan).split("\n")[k + 1]) and \
            (("checkpointed" in str(plan).split("\n")[k + 1]) == (k in calls))


def test_checkpointed_calls_keep_less_when_they_run():
    whole = srcgrad.grad(deep, wrt=(0, 1, 2, 3, 4), backend="python")
    planned = srcgrad.grad(deep, wrt=(0, 1, 2, 3, 4), memory="300kB", backend="python")
    a, b = _peak(whole, *DEEP), _peak(planned, *DEEP)
    # whole: 4 x 2 arrays of the calls, 3 saved h and the last; planned: those 4 h and one
    # call's 2 arrays while its adjoint runs (both: the adjoint's own arrays, temporaries)
    assert a - b >= 3 * 2 * H * 0.95


def test_the_report_names_each_call_by_its_line():
    report = srcgrad.memory(deep, *DEEP, wrt=(0, 1, 2, 3, 4), backend="python")
    assert [(line, n) for line, _, n in report.statements] == \
        [(LINE, 2 * H), (LINE + 1, 3 * H), (LINE + 2, 3 * H), (LINE + 3, 4 * H)]
    assert report.statements[1][1] == "h = layer(h, W2)"
    assert report.total == 12 * H


def in_a_loop(x, W, n):
    h = x
    for i in range(n):
        h = layer(h, W)
    return h


def looping(h, n):
    for i in range(n):
        h = np.sin(h) * 1.5
    return h


def passes(h, f):
    return f(h) * h


def calls_not_chosen(x, W, n):
    h = looping(x @ W, n)       # its loop is a top-level loop: the loop may be checkpointed
    h = passes(h, np.tanh)      # a function passed in
    h = in_a_loop(h, W, n)      # the call is inlined, with its loop
    if n > 2:
        h = layer(h, W)         # in a branch
    h = layer(h, W)             # the calls a plan may checkpoint (one alone would keep as
    h = layer(h, W)             # much: its values, while its adjoint runs)
    return np.sum(h * h)


def test_calls_in_loops_branches_or_with_loops_are_not_chosen():
    args = (DEEP[0], DEEP[1], 5)
    g = srcgrad.grad(calls_not_chosen, wrt=(0, 1), memory="850kB", backend="python")
    _close(g(*args), srcgrad.grad(calls_not_chosen, wrt=(0, 1), backend="python")(*args))
    plan = g.plan
    line = calls_not_chosen.__code__.co_firstlineno
    assert [c.line for c in plan.call_uses] == [line + 6, line + 7]
    assert len(plan.calls) == 2 and len(plan.snapshots) == 2 and plan.total <= 850_000


@numba.vectorize
def half_square(p):
    return 0.5 * p * p


def with_a_vectorized_call(x, W, y):
    s = half_square(y)   # (fuzz seed 9773: its number body is inlined, and is not a call site)
    h = layer(x, W)
    h = layer(h, W)
    return np.sum(h * h) * s


def test_a_vectorized_call_is_not_a_call_to_checkpoint():
    args = (DEEP[0], DEEP[1], 0.7)
    g = srcgrad.grad(with_a_vectorized_call, wrt=(0, 1, 2), memory="250kB", backend="python")
    _close(g(*args), srcgrad.grad(with_a_vectorized_call, wrt=(0, 1, 2),
                                  backend="python")(*args))
    line = with_a_vectorized_call.__code__.co_firstlineno
    assert [c.line for c in g.plan.call_uses] == [line + 2, line + 3]
    assert len(g.plan.calls) == 2


def noisy_layer(h, W):
    return np.tanh(h @ W) * (1.0 + 0.1 * np.random.normal())


def noisy_deep(x, W):
    h = noisy_layer(x, W)
    h = noisy_layer(h, W)
    h = noisy_layer(h, W)
    return np.sum(h * h)


def test_calls_that_draw_random_numbers_are_not_checkpointed_and_the_probe_draws_nothing():
    """Run again, such a call would draw other numbers; the probe runs the forward sweep
    and must leave NumPy's global generator as it found it."""
    args = (DEEP[0], DEEP[1])
    np.random.seed(7)
    want = srcgrad.grad(noisy_deep, wrt=(0, 1), backend="python")(*args)
    after = np.random.get_state()[1].copy()
    np.random.seed(7)
    g = srcgrad.grad(noisy_deep, wrt=(0, 1), memory="10MB", backend="python")
    got = g(*args)
    assert np.array_equal(np.random.get_state()[1], after)  # the same draws, no more
    _close(got, want)
    assert g.plan.call_uses == []
    line = noisy_deep.__code__.co_firstlineno
    assert [(w, why) for w, _, why in g.plan.refused] == [
        (f"test_memory_plan.py:{line + k}", "it draws random numbers (run again, it would "
         "draw others)") for k in (1, 2, 3)]
    assert str(g.plan).count("cannot be checkpointed: it draws random numbers") == 3
    with pytest.raises(ValueError, match=f"the call at test_memory_plan.py:{line + 1} cannot "
                                         "be checkpointed: it draws random numbers"):
        srcgrad.grad(noisy_deep, wrt=(0, 1), memory="1kB", backend="python")(*args)
    np.random.seed(7)
    report = srcgrad.memory(noisy_deep, *args, wrt=(0, 1), backend="python")
    assert report.total > 0 and np.random.randint(1 << 30) == \
        np.random.RandomState(7).randint(1 << 30)


def scaled_in_place(h, W):
    h[0] = 0.5 * h[1]            # writes into the caller's array: not run again
    return np.tanh(h @ W)


def in_place_calls(x, W):
    h = x * 1.0
    z = scaled_in_place(h, W)
    z2 = scaled_in_place(z, W)
    return np.sum(z2 * z2) + np.sum(h * h)


def test_calls_that_write_into_their_arguments_are_not_checkpointed():
    args = (DEEP[0], DEEP[1])
    g = srcgrad.value_and_grad(in_place_calls, wrt=(0, 1), memory="10MB", backend="python")
    v, got = g(*args)
    assert v == pytest.approx(in_place_calls(args[0].copy(), args[1]), rel=1e-12)
    _close(got, srcgrad.grad(in_place_calls, wrt=(0, 1), backend="python")(*args))
    assert g.plan.call_uses == []
    assert [why for _, _, why in g.plan.refused] == ["it writes into its arguments"] * 2


# ---- the choice itself -----------------------------------------------------------------------
def _loop(k, trips, per_step, state, why_not=None):
    return LoopUse(k, 10 + k, f"loop {k}", trips, trips * per_step, per_step, state, False,
                   why_not)


def test_the_fewest_loops_then_the_fewest_steps_run_again():
    big, small = _loop(0, 1000, 800, 400), _loop(1, 1000, 16, 16)
    fits_whole = Plan(0, [big, small], 100, {}).total
    assert choose(fits_whole, [big, small], 100).snapshots == {}
    # a byte short: one loop is enough, and the small one runs fewer bytes of steps again
    plan = choose(fits_whole - 1, [big, small], 100)
    assert set(plan.snapshots) == {1} and plan.total <= fits_whole - 1
    # more than the small loop keeps: the big one (alone), the snapshots filling what is left
    plan = choose(fits_whole - 20_000, [big, small], 100)
    assert set(plan.snapshots) == {0} and plan.total <= fits_whole - 20_000
    assert plan.snapshots[0] == big.trips  # a snapshot a step: the most that helps
    plan = choose(fits_whole - 400_000, [big, small], 100)
    assert set(plan.snapshots) == {0} and plan.total <= fits_whole - 400_000
    assert plan.total + big.state + SNAPSHOT_EXTRA > fits_whole - 400_000  # none left over
    tight = 100 + big.least() + small.least() + 2000
    plan = choose(tight, [big, small], 100)
    assert set(plan.snapshots) == {0, 1} and plan.total <= tight
    refused = _loop(2, 50, 64, 8, why_not="a checkpointed loop that draws random numbers")
    plan = choose(tight + refused.stored, [big, small, refused], 100)
    assert 2 not in plan.snapshots


def test_calls_are_checkpointed_where_what_they_keep_outweighs_one_run_of_them():
    loop = _loop(0, 100, 800, 400, why_not="a checkpointed loop that draws random numbers")
    big, small = CallUse(("call", 5, 4), "h = f(h)", 90_000, 1_000), \
        CallUse(("call", 6, 4), "h = f(h)", 30_000, 0)
    whole = Plan(0, [loop], 100, {}, calls=[big, small]).total
    assert whole == 100 + 80_000 + 120_000
    assert choose(whole, [loop], 100, calls=[big, small]).calls == set()
    # one call alone keeps as much checkpointed (its values, again, while its adjoint runs);
    # both keep their arguments and the larger one's values
    plan = choose(whole - 20_000, [loop], 100, calls=[big, small])
    assert plan.calls == {big.site, small.site}
    assert plan.total == 100 + 80_000 + 1_000 + 90_000
    assert "h = f(h) -- checkpointed" in str(plan) and "2 calls run again" in str(plan)
    with pytest.raises(ValueError, match="needs at least 171,100 bytes"):
        choose(170_000, [loop], 100, calls=[big, small])


def _call(k, stored, inputs):
    return CallUse(("call", 100 + k, 4), f"h = f{k}(h)", stored, inputs)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(8, 5000), st.integers(8, 4000),
                          st.booleans()), min_size=0, max_size=4),
       st.lists(st.tuples(st.integers(0, 500_000), st.integers(0, 100_000)), max_size=4),
       st.integers(0, 10_000), st.integers(1_000, 5_000_000))
def test_any_plan_fits_its_budget_with_the_fewest_checkpoints(loops, calls, outside, budget):
    uses = [_loop(k, t, p, s, None if ok else "no") for k, (t, p, s, ok) in enumerate(loops)]
    cs = [_call(k, a, b) for k, (a, b) in enumerate(calls)]
    items = [u for u in uses if u.why_not is None] + cs

    def least(chosen):  # what checkpointing ``chosen`` keeps at the least
        return outside + sum(u.least() if u in chosen else u.stored for u in uses) + \
            sum(c.inputs if c in chosen else c.stored for c in cs) + \
            max([c.stored for c in cs if c in chosen], default=0)
    try:
        plan = choose(budget, uses, outside, calls=cs)
    except ValueError as e:
        need = int(str(e).split("needs at least ")[1].split(" bytes")[0].replace(",", ""))
        assert need > budget
        assert need == min(least(ch) for r in range(len(items) + 1)
                           for ch in itertools.combinations(items, r))
        return
    assert plan.total <= budget
    for k, s in plan.snapshots.items():
        assert uses[k].why_not is None and 1 <= s <= uses[k].trips
    assert plan.total == least([u for u in uses if u.number in plan.snapshots] +
                               [c for c in cs if c.site in plan.calls]) + \
        sum((s - 1) * (uses[k].state + SNAPSHOT_EXTRA) for k, s in plan.snapshots.items())
    # no smaller set of checkpointed loops and calls would fit
    for r in range(len(plan.snapshots) + len(plan.calls)):
        for fewer in itertools.combinations(items, r):
            assert least(fewer) > budget

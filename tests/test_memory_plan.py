"""``memory=`` plans (srcgrad/memory_plan.py): which loops to checkpoint and how many snapshots,
chosen for each call's sizes from a probe of what every loop would keep; the budget checked
against what the generated code really keeps (srcgrad.memory), the gradients against the ones
kept whole."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import srcgrad
from srcgrad.memory_plan import SNAPSHOT_EXTRA, LoopUse, Plan, choose


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
                                                  ("14kB", {0, 1})])
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
    assert ("every loop whole" in text) == (not checkpointed)


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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(8, 5000), st.integers(8, 4000),
                          st.booleans()), min_size=1, max_size=4),
       st.integers(0, 10_000), st.integers(1_000, 5_000_000))
def test_any_plan_fits_its_budget_with_the_fewest_checkpointed_loops(loops, outside, budget):
    uses = [_loop(k, t, p, s, None if ok else "no") for k, (t, p, s, ok) in enumerate(loops)]
    try:
        plan = choose(budget, uses, outside)
    except ValueError as e:
        need = int(str(e).split("needs at least ")[1].split(" bytes")[0].replace(",", ""))
        assert need > budget
        return
    assert plan.total <= budget
    for k, s in plan.snapshots.items():
        assert uses[k].why_not is None and 1 <= s <= uses[k].trips
    # no smaller set of checkpointed loops would fit
    for r in range(len(plan.snapshots)):
        for fewer in itertools.combinations([u for u in uses if u.why_not is None], r):
            least = outside + sum(u.least() if u in fewer else u.stored for u in uses)
            assert least > budget

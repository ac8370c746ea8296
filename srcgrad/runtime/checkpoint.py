"""The schedule of a binomially checkpointed loop (Griewank and Walther's "revolve"), as a
small state machine the generated adjoint asks for its next action.

    schedule = checkpoint_schedule(T, s)   # T steps, s snapshots (the first holds step 0)
    action, slot, step, to = checkpoint_next(schedule)

An action is one of CKPT_STORE (keep the state, at ``step``, in snapshot ``slot``), CKPT_RESTORE
(the state at ``step`` from snapshot ``slot``) or CKPT_ADVANCE, each then followed by running
steps ``step`` to ``to`` (none for a store that ends at ``step``), and with the flag
CKPT_THEN_ADJOINT set (``action & CKPT_THEN_ADJOINT``), by the adjoint of step ``to``; or
CKPT_ADJOINT of step ``step`` alone; or CKPT_DONE.  ``action & CKPT_KIND`` is the kind.
Folding the advance after a store and the adjoint after an advance into one action halves the
calls (about two a step, not four: the machine's bookkeeping is most of a cheap step's cost).
        # CKPT_STORE: snapshot ``slot`` keeps the state at ``step``;
        # CKPT_RESTORE: the state at ``step`` from snapshot ``slot``, then run steps to ``to``;
        # CKPT_ADVANCE: run steps ``step`` to ``to``; CKPT_ADJOINT: the adjoint of ``step``;
        # CKPT_DONE

The schedule reverses steps [lo, hi) holding the state at ``lo`` in a snapshot and ``c`` more
snapshots free: it advances to a split point ``m``, stores the state there, reverses [m, hi)
with one snapshot fewer, then [lo, m) with as many.  Choosing ``m`` in the interval below makes
the number of advanced steps the least possible, ``r*T - beta(s + 1, r - 1)`` for the ``r``
with ``beta(s, r - 1) < T <= beta(s, r)``, ``beta(s, r) = (s + r)! / (s! r!)`` (Griewank 1992;
checked against the recurrence's minimum in tests/test_loop_checkpoint.py).  The machine keeps
its stack of ranges in one int64 array (one int a range), so it runs inside compiled code, one
call per action, with memory in the number of snapshots, not of steps.
"""
from .cached_numpy import np
from numba.core import types
from numba.extending import register_jitable

from .jit import overload

__all__ = ["checkpoint_schedule", "checkpoint_next", "checkpoint_snapshots", "checkpoint_online",
           "checkpoint_place", "checkpoint_compact", "checkpoint_online_end", "CKPT_ADVANCE",
           "CKPT_STORE", "CKPT_RESTORE", "CKPT_ADJOINT", "CKPT_DONE", "CKPT_THEN_ADJOINT",
           "CKPT_KIND", "kept_bytes"]

CKPT_DONE, CKPT_ADVANCE, CKPT_STORE, CKPT_RESTORE, CKPT_ADJOINT = 0, 1, 2, 3, 4
CKPT_THEN_ADJOINT, CKPT_KIND = 8, 7


@register_jitable
def binomial_steps(T, s):
    """The least number of advanced steps to reverse T steps with s snapshots."""
    if T <= 1:
        return 0
    if s <= 1:
        return T * (T - 1) // 2
    r, b, b1 = 0, 1, 0  # b = beta(s, r), b1 = beta(s + 1, r - 1)
    while b < T:
        r += 1
        b1 = 1 if r == 1 else b1 * (s + r) // (r - 1)
        b = b * (s + r) // r
    return r * T - b1


@register_jitable
def _split(length, s):
    """How far to advance before the next snapshot, reversing ``length`` steps with ``s``
    snapshots (the one holding the start among them): the largest optimal choice.  The
    binomials are computed in floating point: each is an integer below 2**53 (it stops at
    the first not below ``length``), so every product and quotient is exact, and a float
    division costs a fraction of an integer one (this runs once or twice a step)."""
    r, b, b_prev, b_prev2 = 0, 1.0, 0.0, 0.0  # beta(s, r), beta(s, r - 1), beta(s, r - 2)
    while b < length:
        r += 1
        b_prev2, b_prev = b_prev, b
        b = b * (s + r) / r
    fewer = int(b * s / (s + r))                                  # beta(s - 1, r)
    fewer_prev = int(b_prev * s / (s + r - 1)) if r > 0 else 0    # beta(s - 1, r - 1)
    low = max(1, int(b_prev2), length - fewer)
    high = min(length - 1, int(b_prev), length - fewer_prev)
    return max(low, high)


@register_jitable
def checkpoint_snapshots(budget, trips, state_bytes, what):
    """How many snapshots of ``state_bytes`` each a loop of ``trips`` steps (-1: not known
    yet) keeps within ``budget`` bytes (no more than it has steps; the schedule's own two ints
    a snapshot counted); ValueError naming the loop (``what``) and the bytes it needs if not
    even one fits."""
    per = state_bytes + 16
    if per > budget:
        raise ValueError(what + ": one snapshot of the state it carries needs " +
                         str(per) + " bytes; the budget gives it " + str(budget) +
                         ": give memory= at least that")
    if trips < 0:
        return max(1, budget // per)
    return max(1, min(budget // per, max(trips, 1)))


def kept_bytes(v):
    """Bytes compiled code spends keeping ``v`` (an array's data, 8 a number): what a memory
    plan's probe counts where the adjoint would save ``v`` (srcgrad/memory_plan.py)."""
    if isinstance(v, np.ndarray):
        return v.nbytes
    if isinstance(v, (tuple, list)):
        return sum(kept_bytes(e) for e in v)
    return 0 if v is None else 8


@overload(kept_bytes)
def _kept_bytes(v):
    if isinstance(v, types.Array):
        return lambda v: v.nbytes
    if isinstance(v, types.UniTuple) and isinstance(v.dtype, types.Array):
        def tuple_of_arrays(v):
            n = 0
            for e in v:
                n += e.nbytes
            return n
        return tuple_of_arrays
    if isinstance(v, (types.Number, types.Boolean)):
        return lambda v: 8
    if isinstance(v, types.BaseTuple) and all(isinstance(t, (types.Number, types.Boolean))
                                              for t in v.types):
        n = 8 * len(v.types)
        return lambda v: n
    if isinstance(v, types.List) and isinstance(v.dtype, (types.Array, types.Number,
                                                          types.Boolean)):
        def list_of(v):
            n = 0
            for e in v:
                n += kept_bytes(e)
            return n
        return list_of
    if isinstance(v, types.BaseTuple) and len(v.types) <= 32:  # mixed: element by element
        ns = {"kept_bytes": kept_bytes}
        terms = " + ".join(f"kept_bytes(v[{i}])" for i in range(len(v.types))) or "0"
        exec(f"def mixed(v):\n    return {terms}\n", ns)
        return ns["mixed"]
    if isinstance(v, (types.NoneType, types.Omitted)):
        return lambda v: 0
    return None  # (a typing error: the probe runs as Python instead)


# the schedule's state: one int64 array, a head, then one int per range being reversed (range k
# starts where range k - 1 ends; the first at ROOT_LO; its start is in snapshot ROOT_SLOT + k,
# and s - 1 - ROOT_SLOT - k snapshots are free for it), then (online) the snapshots' steps
_DEPTH, _CUR, _S, _STARTED, _ONLINE, _M, _D, _T, _K = range(9)
_HEAD = 9


@register_jitable
def checkpoint_schedule(T, s):
    """The schedule reversing ``T`` steps with ``s`` >= 1 snapshots, known before they run."""
    if s < 1:
        raise ValueError("a checkpointed loop needs at least one snapshot")
    rv = np.zeros(_HEAD + min(s, max(T, 1)) + 1, dtype=np.int64)
    rv[_S] = s
    if T > 0:
        rv[_DEPTH] = 1
        rv[_HEAD] = T
    return rv


@register_jitable
def checkpoint_online(s):
    """The schedule of a loop whose trips are known only at its end (a ``while``): as it
    runs, ``checkpoint_place`` keeps the state every ``d`` steps in at most half the
    snapshots, doubling ``d`` and dropping every other snapshot when they are full
    ("thinning"); at its end, ``checkpoint_online_end``; then each stretch between two kept
    states is reversed, the last first, as a known loop with the snapshots left free."""
    if s < 1:
        raise ValueError("a checkpointed loop needs at least one snapshot")
    rv = np.zeros(_HEAD + (s + 1) + s, dtype=np.int64)
    rv[_S] = s
    rv[_ONLINE] = 1
    rv[_STARTED] = 1
    rv[_D] = 1
    return rv


@register_jitable
def checkpoint_place(rv):
    """Before each step of an online loop: (the snapshot its state goes to, or -1; the number
    of snapshots to thin first (keep every other: ``checkpoint_compact``), or 0)."""
    i, d, m = rv[_T], rv[_D], rv[_M]
    cap = max(1, rv[_S] // 2)
    pos = _HEAD + rv[_S] + 1
    rv[_T] = i + 1
    thinned = 0
    if i % d != 0:
        return -1, 0
    if m == cap:
        thinned = m
        keep = (m + 1) // 2
        for j in range(keep):
            rv[pos + j] = rv[pos + 2 * j]
        m = keep
        rv[_D] = d = 2 * d
        if i % d != 0:
            rv[_M] = m
            return -1, thinned
    rv[pos + m] = i
    rv[_M] = m + 1
    return m, thinned


@register_jitable
def checkpoint_compact(snapshots, m):
    """Keep every other of the first ``m`` snapshots, moved to the front (thinning)."""
    for j in range(1, (m + 1) // 2):
        snapshots[j] = snapshots[2 * j]


@register_jitable
def checkpoint_online_end(rv):
    """The online loop ended: reverse its last stretch first."""
    m = rv[_M]
    if rv[_T] == 0 or m == 0:
        rv[_DEPTH] = 0
        return
    rv[_K] = m - 1
    rv[_DEPTH] = 1
    rv[_HEAD] = rv[_T]
    rv[_CUR] = -1


@register_jitable
def checkpoint_next(rv):
    """(action, slot, step, to): the next thing the adjoint does, the schedule advanced past
    it."""
    if rv[_STARTED] == 0:  # first of all, the state at step 0 goes to snapshot 0
        rv[_STARTED] = 1
        if rv[_DEPTH] > 0:
            return CKPT_STORE, 0, 0, 0
    pos = _HEAD + rv[_S] + 1
    while True:
        if rv[_DEPTH] == 0:
            if rv[_ONLINE] == 0 or rv[_K] == 0 or rv[_T] == 0:
                return CKPT_DONE, 0, 0, 0
            rv[_K] -= 1  # the stretch before: from its kept state to the next one's
            rv[_DEPTH] = 1
            rv[_HEAD] = rv[pos + rv[_K] + 1]
        k = rv[_DEPTH] - 1
        root = rv[pos + rv[_K]] if rv[_ONLINE] else 0
        slot = (rv[_K] if rv[_ONLINE] else 0) + k
        lo = rv[_HEAD + k - 1] if k > 0 else root
        hi = rv[_HEAD + k]
        free = rv[_S] - 1 - slot
        cur = rv[_CUR]
        if hi <= lo:  # this range is reversed
            rv[_DEPTH] -= 1
            continue
        if hi - lo == 1 or free == 0:
            target = hi - 1
            rv[_HEAD + k] = target  # the adjoint of the last step of the range: done below
            rv[_CUR] = -1
            if cur == target:
                return CKPT_ADJOINT, -1, target, target
            if lo <= cur and cur < target:
                return CKPT_ADVANCE | CKPT_THEN_ADJOINT, -1, cur, target
            return CKPT_RESTORE | CKPT_THEN_ADJOINT, slot, lo, target
        target = lo + _split(hi - lo, free + 1)
        if cur == target:  # snapshot it; reverse [target, hi) first, then [lo, target)
            rv[_HEAD + k] = target
            rv[_HEAD + k + 1] = hi
            rv[_DEPTH] += 1
            # ... and on, in the same action, to the next range's first target
            if hi - target == 1 or free == 1:
                rv[_HEAD + k + 1] = hi - 1
                rv[_CUR] = -1
                return CKPT_STORE | CKPT_THEN_ADJOINT, slot + 1, target, hi - 1
            nxt = target + _split(hi - target, free)
            rv[_CUR] = nxt
            return CKPT_STORE, slot + 1, target, nxt
        rv[_CUR] = target
        if lo <= cur and cur < target:
            return CKPT_ADVANCE, -1, cur, target
        return CKPT_RESTORE, slot, lo, target  # and on to the target: one call, not two

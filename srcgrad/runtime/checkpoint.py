"""The schedule of a binomially checkpointed loop (Griewank and Walther's "revolve"), as a
small state machine the generated adjoint asks for its next action.

    schedule = checkpoint_schedule(T, s)     # T steps, s snapshots (the first holds step 0)
    action, a, b = checkpoint_next(schedule) # CKPT_ADVANCE from step a to b, CKPT_STORE or
                                             # CKPT_RESTORE snapshot a (step b), CKPT_ADJOINT
                                             # of step a, or CKPT_DONE

The schedule reverses steps [lo, hi) holding the state at ``lo`` in a snapshot and ``c`` more
snapshots free: it advances to a split point ``m``, stores the state there, reverses [m, hi)
with one snapshot fewer, then [lo, m) with as many.  Choosing ``m`` in the interval below makes
the number of advanced steps the least possible, ``r*T - beta(s + 1, r - 1)`` for the ``r``
with ``beta(s, r - 1) < T <= beta(s, r)``, ``beta(s, r) = (s + r)! / (s! r!)`` (Griewank 1992;
checked against the recurrence's minimum in tests/test_loop_checkpoint.py).  The machine keeps
its stack of ranges in one int64 array, so it runs inside compiled code, one call per action,
with memory in the number of snapshots, not of steps.
"""
import numpy as np
from numba.extending import register_jitable

__all__ = ["checkpoint_schedule", "checkpoint_next", "checkpoint_snapshots", "CKPT_ADVANCE", "CKPT_STORE", "CKPT_RESTORE",
           "CKPT_ADJOINT", "CKPT_DONE"]

CKPT_DONE, CKPT_ADVANCE, CKPT_STORE, CKPT_RESTORE, CKPT_ADJOINT = 0, 1, 2, 3, 4
_HEAD = 4  # frames, the step the working state holds (-1: none), snapshots, started
_FRAME = 4  # lo, hi, free snapshots, the snapshot holding the state at lo


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
    snapshots (the one holding the start among them): the largest optimal choice."""
    r, b, b_prev, b_prev2 = 0, 1, 0, 0  # beta(s, r), beta(s, r - 1), beta(s, r - 2)
    while b < length:
        r += 1
        b_prev2, b_prev = b_prev, b
        b = b * (s + r) // r
    fewer = b * s // (s + r)                           # beta(s - 1, r)
    fewer_prev = b_prev * s // (s + r - 1) if r > 0 else 0  # beta(s - 1, r - 1)
    low = max(1, b_prev2, length - fewer)
    high = min(length - 1, b_prev, length - fewer_prev)
    return max(low, high)


@register_jitable
def checkpoint_snapshots(budget, trips, state_bytes, what):
    """How many snapshots of ``state_bytes`` each a loop of ``trips`` steps keeps within
    ``budget`` bytes (no more than it has steps); ValueError naming the loop (``what``) and
    the bytes it needs if not even one fits."""
    if state_bytes > budget:
        raise ValueError(what + ": one snapshot of the state it carries needs " +
                         str(state_bytes) + " bytes; the budget gives it " + str(budget) +
                         ": give memory= at least that")
    return max(1, min(budget // max(state_bytes, 1), max(trips, 1)))


@register_jitable
def checkpoint_schedule(T, s):
    """The state of the schedule reversing ``T`` steps with ``s`` >= 1 snapshots."""
    if s < 1:
        raise ValueError("a checkpointed loop needs at least one snapshot")
    rv = np.zeros(_HEAD + _FRAME * (s + 1), dtype=np.int64)
    rv[1] = 0
    rv[2] = s
    if T > 0:
        rv[0] = 1
        rv[_HEAD] = 0
        rv[_HEAD + 1] = T
        rv[_HEAD + 2] = s - 1
        rv[_HEAD + 3] = 0
    return rv


@register_jitable
def checkpoint_next(rv):
    """(action, a, b): the next thing the adjoint does, the schedule advanced past it."""
    if rv[3] == 0:  # first of all, the state at step 0 goes to snapshot 0
        rv[3] = 1
        if rv[0] > 0:
            return CKPT_STORE, 0, 0
    while rv[0] > 0:
        f = _HEAD + _FRAME * (rv[0] - 1)
        lo, hi, free, slot = rv[f], rv[f + 1], rv[f + 2], rv[f + 3]
        cur = rv[1]
        if hi <= lo:  # this range is reversed
            rv[0] -= 1
            continue
        if hi - lo == 1 or free == 0:
            target = hi - 1
            if cur == target:  # the adjoint of the last step of the range
                rv[f + 1] = target
                rv[1] = -1
                return CKPT_ADJOINT, target, 0
        else:
            target = lo + _split(hi - lo, free + 1)
            if cur == target:  # snapshot it; reverse [target, hi) first, then [lo, target)
                rv[f + 1] = target
                g = f + _FRAME
                rv[g], rv[g + 1], rv[g + 2], rv[g + 3] = target, hi, free - 1, slot + 1
                rv[0] += 1
                return CKPT_STORE, slot + 1, target
        if lo <= cur and cur < target:
            rv[1] = target
            return CKPT_ADVANCE, cur, target
        rv[1] = lo
        return CKPT_RESTORE, slot, lo
    return CKPT_DONE, 0, 0


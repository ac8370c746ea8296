"""Golden tests: generated source is deterministic and reads as committed in tests/golden/.

After an intended change to generated code, regenerate with
    SRCGRAD_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
and read the diff.
"""
import os

import numpy as np
import pytest

import srcgrad
import test_constructs as T
import test_parallel as P

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
X5 = np.linspace(0.5, 1.5, 5)

CASES = {
    "rosenbrock_forward": (T.rosenbrock, (X5,), 0, "forward"),
    "recurrence_forward": (T.recurrence, (0.5, 0.01, 10), (0, 1), "forward"),
    "element_writes_forward": (T.element_writes, (X5,), 0, "forward"),
    "rosenbrock": (T.rosenbrock, (X5,), 0),
    "scalar_loop": (T.scalar_loop, (X5, 5), 0),
    "recurrence": (T.recurrence, (0.5, 0.01, 10), (0, 1)),
    "branches": (T.branches, (1.0, 2.0), (0, 1)),
    "while_loop": (T.while_loop, (1.3,), 0),
    "element_writes": (T.element_writes, (X5,), 0),
    "with_break": (T.with_break, (X5,), 0),
    "linalg": (T.linalg, (np.ones((3, 4)), np.ones(4), np.ones((3, 2))), (0, 1)),
    "einsum": (T.einsum_chain, (np.ones((2, 3)), np.ones((3, 2))), (0, 1)),
    "recurrence_checkpointed": (T.recurrence, (0.5, 0.01, 10), (0, 1), "reverse",
                                {"checkpoint": 4}),
    "while_loop_checkpointed": (T.while_loop, (1.3,), 0, "reverse", {"checkpoint": 3}),
    "with_break_checkpointed": (T.with_break, (X5,), 0, "reverse", {"checkpoint": 2}),
    # prange steps run again in their adjoint: saves in an array sized as the step starts
    # (passes/step_stacks.py), a row's adjoint zeroed at each step's start
    "parallel_step_stacks": (P.keeps_in_branches, (np.ones((4, 3)), np.ones(3)), (0, 1)),
    "parallel_row_elements": (P.row_elements, (np.ones((2, 3)), np.ones((4, 3))), (0, 1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_source(name):
    f, args, wrt, *rest = CASES[name]
    mode = rest[0] if rest else "reverse"
    options = rest[1] if len(rest) > 1 else {}
    text = srcgrad.source(f, mode=mode, wrt=wrt, args=args, **options)
    assert text == srcgrad.source(f, mode=mode, wrt=wrt, args=args, **options)  # again
    path = os.path.join(HERE, name + ".py")
    if os.environ.get("SRCGRAD_UPDATE_GOLDEN") or not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(text)
    with open(path) as fh:
        assert text == fh.read(), f"generated source of {name} changed; see {path}"

"""A view read by the reverse sweep whose base is written after it was made: NumPy's view
then shows the new values, so the base's old values must come back before the view's
readers' adjoints run.  ``y[1:] *= c`` is the everyday case: it reads the slice (a view),
then writes it.  Each of these returned a wrong gradient without a warning (the restore
analysis saw only the base's own name); each is checked against finite differences in both
modes and backends, and under ``hessian``."""
import numpy as np
import pytest

import srcgrad

from checks import check_grads, check_hessian

RNG = np.random.default_rng(2901)
X = RNG.normal(size=3)


def scale_tail(x):
    y = x * 1.0
    y[1:] *= x[0]
    return np.sum(y ** 2)


def scale_row(x):
    A = np.outer(x, x)
    A[1] *= x[0]
    return np.sum(A ** 2)


def scale_first_row_after_a_column(x):
    A = np.ones((2, 3))
    A[:, 1] = x[:2]
    A[0, :] *= x[2]
    return np.sum(A ** 2)


def square_through_a_name(x):
    y = x * 1.0
    r = y[1:]
    y[1:] = r * r
    return np.sum(y ** 2)


def square_a_row_through_a_name(x):
    A = np.ones((2, 3)) * x[0]
    r = A[0, :]
    A[0, :] = r * r * x[1]
    return np.sum(A ** 2)


def rows_rescaled(X, w):
    Y = X * 1.0
    for i in range(Y.shape[0]):
        Y[i] *= np.tanh(w[i])
    return np.sum(np.sin(Y))


def normalize_rows(x):
    """``A[i] /= norm(A[i])``: the quotient of two views of the row, recomputed in the
    reverse sweep before the row's restore, divided the new row (a wrong gradient)."""
    A = x.reshape(2, 3) * 1.0
    for i in range(2):
        A[i] /= np.linalg.norm(A[i])
    return np.sum(A * np.arange(6.0).reshape(2, 3))


def another_name_then_write(x):
    """``z = y`` is the same array: the adjoint of ``z * z`` needs y's old element."""
    y = x * 1.0
    z = y
    w = z * z
    y[0] = 3.0 * x[1]
    return np.sum(w * y)


def rebound_between(x):
    """``u = un`` shares memory only until ``un`` is made anew: the step's writes into the
    new ``un`` keep no old values (an array made anew each step: tests/test_memory_report)."""
    u = x * 1.0
    for t in range(3):
        un = np.empty(x.shape[0])
        for i in range(x.shape[0]):
            un[i] = np.sin(u[i]) + u[i - 1] * 0.5
        u = un
    return np.sum(u * u)


def transpose_then_write(x):
    A = np.outer(x, x[:2])
    B = A.T
    A[0, 0] = 2.0 * x[1]
    return np.sum(B * B)


def reshaped_then_written(x):
    y = np.sin(x) * 1.0
    v = y.reshape(3, 1)
    y[0] = x[2]
    return np.sum(np.exp(v))


@pytest.mark.parametrize("f,args", [
    (scale_tail, (X,)), (scale_row, (X,)), (scale_first_row_after_a_column, (X,)),
    (square_through_a_name, (X,)), (square_a_row_through_a_name, (X,)),
    (rows_rescaled, (RNG.normal(size=(3, 4)), RNG.normal(size=3))),
    (another_name_then_write, (X,)), (rebound_between, (X,)),
    (normalize_rows, (RNG.normal(size=6),)),
])
def test_views_of_written_arrays(f, args):
    check_grads(f, args)


@pytest.mark.parametrize("f,names", [(transpose_then_write, "'A', which shares memory "
                                      "with 'B'"),
                                     (reshaped_then_written, "'y', which shares memory with 'v'")])
def test_views_the_function_reads_after_the_write_are_refused(f, names):
    """A view the function itself reads after the write (NumPy's meaning: the new values):
    refused at the write's line, before any of this."""
    with pytest.raises(srcgrad.UnsupportedError, match=f"write into {names}") as e:
        srcgrad.grad(f, backend="python")(X)
    assert "test_views_written.py" in str(e.value)


def test_hessians_through_written_views():
    check_hessian(scale_tail, (X,), "y[1:] *= x[0]")
    check_hessian(square_a_row_through_a_name, (X,), "A[0, :] = r * r * x[1]")


def test_a_view_ends_where_its_base_is_made_anew():
    src = srcgrad.source(rebound_between, args=(X,))
    assert "_stack_un_elem" not in src, src
    src = srcgrad.source(scale_tail, args=(X,))
    assert "_saved_y_slice = np.copy(y[1:])" in src, src

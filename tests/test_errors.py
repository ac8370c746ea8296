"""Every unsupported construct gives an UnsupportedError at the user's line, with the
construct named and a suggestion; the decorator reports all problems at once."""
import inspect
import math

import numpy as np
import pytest

import srcgrad
import unsupported_cases as U

ROWS = [
    (U.uses_try, "try/except", "move error handling outside"),
    (U.uses_lambda, "lambda", "def"),
    (U.uses_listcomp, "comprehension with several `for` clauses", "nest loops"),
    (U.uses_generator, "generator expression", "range"),
    (U.uses_with, "with statement", "context manager"),
    (U.uses_global, "global statement", "argument"),
    (U.uses_yield, "yield", "return an array"),
    (U.uses_closure, "function defined inside a loop or a branch", "top level"),
    (U.uses_star, "*args", "name every parameter"),
    (U.uses_dict, "dict", "arrays"),
    (U.uses_list, "list", "np.zeros"),
    (U.uses_class, "call to Box() with no derivative rule", "plain Python function"),
    (U.uses_scipy, "call to scipy.special.kv() with no derivative rule",
     "no derivative rule for scipy.special.kv"),
    (U.uses_unknown_method, "method call .argpartition()", "supported methods"),
    (U.uses_a_missing_numpy_function, "call to np.trapz(), which module numpy",
     "AttributeError there too"),
    (U.uses_attr, "attribute access .real", ".shape"),
    (U.uses_for_over_array, "differentiated value of unknown kind", "supported operations"),
    (U.recursive, "recursive call to recursive()", "loop"),
    (U.uses_for_else, "for/else", "flag"),
    (U.uses_walrus, "assignment expression", "line of its own"),
    (U.writes_through_view, "shares memory with 'A', still read afterwards", "copy"),
    (U.uses_getattr, "call to getattr() with no derivative rule", "adding-a-rule"),
    (U.uses_c_function, "call to math.nextafter() with no derivative rule", "adding-a-rule"),
    (U.writes_through_alias, "shares memory with 'x', still read afterwards", "copy"),
]


def marked_lines(fn):
    lines, first = inspect.getsourcelines(fn)
    return [first + k for k, line in enumerate(lines) if "# <-" in line]


@pytest.mark.parametrize("fn,construct,hint", ROWS, ids=[r[0].__name__ for r in ROWS])
def test_unsupported_construct_is_located(fn, construct, hint):
    with pytest.raises(srcgrad.UnsupportedError) as info:
        srcgrad.grad(fn)(1.5)
    err = info.value
    msg = str(err)
    expected_line = marked_lines(fn)[0]
    assert err.problems[0].lineno == expected_line, msg
    assert f"unsupported_cases.py:{expected_line}:" in msg
    assert construct in msg and hint in msg, msg
    assert "^" in msg  # a caret under the quoted line
    assert isinstance(err, srcgrad.SrcgradError)


def test_all_problems_reported_at_once():
    with pytest.raises(srcgrad.UnsupportedError) as info:
        srcgrad.grad(U.two_problems)(1.0)
    assert [p.lineno for p in info.value.problems] == marked_lines(U.two_problems)


def test_caret_points_at_column():
    with pytest.raises(srcgrad.UnsupportedError) as info:
        srcgrad.grad(U.uses_scipy)(1.0)
    lines = str(info.value).splitlines()
    quoted, caret = lines[1], lines[2]
    assert quoted[caret.index("^"):].startswith("scipy.special.kv")


def f_scalar_out(x):
    return x * 2.0


def f_array_out(x):
    return x * 2.0


def test_grad_of_array_output_says_use_vjp():
    with pytest.raises(ValueError, match=r"shape \(3,\).*vjp"):
        srcgrad.grad(f_array_out)(np.ones(3))


def int_arg(x, n):
    return x * n


def test_wrt_integer_argument_is_an_error():
    with pytest.raises(srcgrad.SrcgradError, match="'n'.*integer"):
        srcgrad.grad(int_arg, wrt=1)(1.0, 3)


def test_bad_wrt():
    with pytest.raises(srcgrad.SrcgradError, match="not a parameter"):
        srcgrad.grad(int_arg, wrt="z")
    with pytest.raises(srcgrad.SrcgradError, match="out of range"):
        srcgrad.grad(int_arg, wrt=5)


def test_lambdas_are_functions_and_two_on_a_line_are_located():
    f = lambda x: x * 2.0 + x * x  # noqa: E731
    assert srcgrad.grad(f, backend="python")(1.5) == 5.0  # 2 + 2x at 1.5, by hand
    g, h = lambda x: x * 2.0, lambda x: x * 3.0  # noqa: E731
    with pytest.raises(srcgrad.UnsupportedError, match="one lambda per line") as e:
        srcgrad.grad(g)
    assert "test_errors.py" in str(e.value)


def test_builtin_function_rejected():
    with pytest.raises(srcgrad.UnsupportedError, match="not a Python function"):
        srcgrad.grad(math.sin)


def test_strict_and_fallback():
    # np.nanmedian has no rule: a located error at the user's line (NumPy's own Python source
    # is never looked into), never a fallback
    def uses_nanmedian(x):
        return np.nanmedian(x)
    with pytest.raises(srcgrad.UnsupportedError, match=r"np.nanmedian\(\) with no derivative rule") as e:
        srcgrad.grad(uses_nanmedian)(np.ones(3))
    assert "test_errors.py" in str(e.value) and "site-packages" not in str(e.value)


def test_cli_check_lists_every_problem():
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "srcgrad", "check",
                        "tests/unsupported_cases.py:two_problems"], capture_output=True, text=True)
    assert r.returncode == 1 and "2 unsupported constructs" in r.stdout
    assert "try/except" in r.stdout and "list" in r.stdout
    r = subprocess.run([sys.executable, "-m", "srcgrad", "check", "examples/rosenbrock.py:rosenbrock"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "0 unsupported constructs" in r.stdout


@pytest.mark.parametrize("fn,arg", [(U.sums_over_two_axes, np.ones((2, 3))),
                                    (U.expands_two_axes, np.ones(3))])
def test_a_tuple_of_axes_is_refused_where_one_axis_is_meant(fn, arg):
    """The rank srcgrad infers for one axis would be wrong for several: a located error, not
    a Numba fallback with the wrong kinds."""
    with pytest.raises(srcgrad.UnsupportedError, match="takes an integer \\(one axis\\)|all "
                       "non-negative or all negative") as e:
        srcgrad.grad(fn)(arg)
    assert f"unsupported_cases.py:{marked_lines(fn)[0]}:" in str(e.value)


def test_a_refused_join_names_the_users_call():
    """np.stack becomes expand_dims and concat inside; the error names np.stack."""
    with pytest.raises(srcgrad.UnsupportedError, match=r"an argument of np.stack\(\) is a float"):
        srcgrad.grad(U.stacks_scalars)(1.0, 2.0)


@pytest.mark.parametrize("fn,arg,says", [
    (U.squeezes_all_axes, np.ones((3, 1)), "np.squeeze\\(\\) without an axis"),
    (U.casts_to_int, np.ones(3), "dtype=np.float32"),
    (U.rolls_negative_axis, np.ones((2, 3)), "np.rollaxis\\(\\) with axis -1")])
def test_shape_calls_outside_their_rules_are_located(fn, arg, says):
    """np.squeeze without an axis (its rank would depend on the sizes), astype to float32,
    rollaxis with a negative axis: refused at the user's line, never guessed."""
    with pytest.raises(srcgrad.UnsupportedError, match=says) as e:
        srcgrad.grad(fn)(arg)
    assert f"unsupported_cases.py:{marked_lines(fn)[0]}:" in str(e.value)


def test_split_into_a_number_of_pieces_known_only_at_run_time_is_located():
    with pytest.raises(srcgrad.UnsupportedError, match="into n pieces") as e:
        srcgrad.grad(U.splits_into_n)(np.ones(4), 2)
    assert f"unsupported_cases.py:{marked_lines(U.splits_into_n)[0]}:" in str(e.value)


def halves(x):
    a, b = np.split(x, 2)
    return np.sum(a * b)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_an_uneven_np_split_raises_as_numpy_does(backend):
    with pytest.raises(ValueError, match="equal division"):
        np.split(np.ones(5), 2)
    with pytest.raises(ValueError, match="equal division"):
        srcgrad.grad(halves, backend=backend)(np.ones(5))


@pytest.mark.parametrize("fn,says", [(U.einsum_with_ellipsis, "an ellipsis"),
                                     (U.einsum_wrong_count, "2 subscripts for 1 operands")])
def test_einsum_outside_literal_letters_is_located(fn, says):
    with pytest.raises(srcgrad.UnsupportedError, match=says) as e:
        srcgrad.grad(fn)(np.ones((2, 2)))
    assert f"unsupported_cases.py:{marked_lines(fn)[0]}:" in str(e.value)


def einsum_sizes_disagree(A, B):
    return np.sum(np.einsum("ij,jk->ik", A, B))


def test_einsum_operands_that_disagree_raise_as_numpy_does():
    with pytest.raises(ValueError):
        np.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="size of subscript j"):
        srcgrad.grad(einsum_sizes_disagree, backend="python")(np.ones((2, 3)), np.ones((2, 2)))


@pytest.mark.parametrize("fn,arg,says", [
    (U.spectral_norm, np.ones((2, 2)), "is a 2-D float array"),
    (U.norm_ord_three, np.ones(3), "takes ord None, 2, 'fro', 1 or np.inf"),
    (U.fro_norm_of_vector, np.ones(3), "is a 1-D float array")])
def test_norms_srcgrad_has_no_rule_for_are_located(fn, arg, says):
    """ord=2 of a matrix is its spectral norm (not the 2-norm of its entries): refused by
    rank, never computed as the Frobenius norm."""
    with pytest.raises(srcgrad.UnsupportedError, match=says) as e:
        srcgrad.grad(fn)(arg)
    assert f"unsupported_cases.py:{marked_lines(fn)[0]}:" in str(e.value)


RAISE_MESSAGE = "the first entry must not exceed 0.5"


def raises_a_global_message(x):
    if x[0] > 0.5:
        raise ValueError(RAISE_MESSAGE)
    return np.sum(x * x)


def raises_a_computed_message(x):
    if x[0] > 0.5:
        raise ValueError(f"x[0] = {x[0]}")
    return np.sum(x * x)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_raise_with_a_global_message(backend):
    """A global string as the message is its value in generated code (it read as a call with
    no derivative rule, or as a name generated code never set); a message computed at run
    time is refused at its line, by name."""
    np.testing.assert_allclose(srcgrad.grad(raises_a_global_message, backend=backend,
                                            strict=True)(np.full(2, 0.25)), np.full(2, 0.5))
    with pytest.raises(ValueError, match="must not exceed"):
        srcgrad.grad(raises_a_global_message, backend=backend)(np.ones(2))
    with pytest.raises(srcgrad.UnsupportedError, match="computed at run time") as e:
        srcgrad.grad(raises_a_computed_message, backend=backend)(np.ones(2))
    assert "test_errors.py" in str(e.value)

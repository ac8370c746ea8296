"""A name the function binds is its own wherever it is read, even where the module has a global
of that name (frontend/source.py ``own_scope_names``): Python decides scope per function, and
so does srcgrad.  These globals are deliberately a number array, a function and a tuple of
the same names as the locals: before, the subset check compared the array with ``sum`` and
failed inside srcgrad, and a closure's late-bound scalar read the module's value."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian

g = np.ones(3)          # an array named like the functions' local lambdas and helpers
scale = (2.0, 5.0)      # a tuple named like a local number


def h(t):
    return t * t


def lambda_named_like_an_array(x):
    c = 1.0
    g = lambda t: t * c  # noqa: E731
    c = 3.0              # the lambda reads c when it is called: 3.0
    return np.sum(g(x))


def helper_named_like_an_array(x):
    a = x[0]

    def g(t):
        return t * a
    r = g(x)
    a = x[1]
    return np.sum(r + g(x))


def local_named_like_a_function(x):
    h = x * 2.0
    return np.sum(h * x)


def local_number_named_like_a_tuple(x):
    scale = 3.0
    return np.sum(np.sin(x) * scale)


def generator_over_a_local_named_like_an_array(x):
    g = x[1:]
    return sum(v * v for v in g) + max(v for v in g)


CASES = [lambda_named_like_an_array, helper_named_like_an_array, local_named_like_a_function,
         local_number_named_like_a_tuple, generator_over_a_local_named_like_an_array]
X = np.array([0.5, 1.2, -0.7, 0.3])


@pytest.mark.parametrize("f", CASES)
def test_against_finite_differences(f):
    check_grads(f, (X,))


def test_hessians():
    check_hessian(helper_named_like_an_array, (X,), "a helper that hides a global array")
    check_hessian(local_named_like_a_function, (X,), "a local that hides a global function")


def test_late_binding_is_pythons():
    """The closure reads ``c`` when it is called: the derivative is 3, not 1."""
    np.testing.assert_allclose(srcgrad.grad(lambda_named_like_an_array)(X), np.full(4, 3.0))


def test_own_scope_names():
    import ast
    from srcgrad.frontend.source import own_scope_names
    tree = ast.parse("def f(a, *b, c, **d):\n"
                     "    global G\n"
                     "    G = 1\n"
                     "    e = [t for t in a]\n"
                     "    y = [(w := t) for t in a]\n"
                     "    def k(q):\n"
                     "        z = q\n"
                     "    for i, (j, m) in enumerate(a):\n"
                     "        pass\n"
                     "    import os.path\n").body[0]
    assert own_scope_names(tree) == {"a", "b", "c", "d", "e", "y", "w", "k", "i", "j", "m"}


def test_a_late_import_is_one_problem():
    """An import after other statements is refused at its line; its module's uses are not
    reported again as unknown names."""
    def late_import(x):
        y = x * 2.0
        import numpy as np  # (the module's np too)
        return np.sum(np.sin(y))
    with pytest.raises(srcgrad.UnsupportedError) as e:
        srcgrad.grad(late_import)(X)
    assert "import inside the function, after other statements" in str(e.value)
    assert len(e.value.problems) == 1

"""Functions as values: lambdas (module-level and inside the function), nested defs reading
the enclosing function's variables, functions passed as arguments; and the built-ins and
comprehensions over sequences (passes/sequences.py).  Each against finite differences."""
import numpy as np
import pytest
import scipy.special as sp

import srcgrad
from checks import check_grads

RNG = np.random.default_rng(6)

kernel = lambda a, b: np.exp(-0.5 * (a - b) ** 2)  # noqa: E731


def gp_style(x, ell):
    """A kernel lambda at module level and one inside, read through a nested def."""
    scaled = lambda v: v / ell  # noqa: E731

    def gram(u):
        return kernel(scaled(u)[:, None], scaled(u)[None, :])
    K = gram(x) + 0.1 * np.eye(x.shape[0])
    return np.sum(np.linalg.solve(K, x) * x)


def rnn(h0, Wh, Wx, xs):
    def step(h, x):
        return np.tanh(Wh @ h + Wx @ x)  # Wh, Wx: the enclosing function's parameters
    h = h0
    for x in xs:
        h = step(h, x)
    return np.sum(h * h)


def net(W, x, act):
    return np.sum(act(W @ x))


def softplus(v):
    return np.log1p(np.exp(v))


def objective(f, x):
    return f(x) * 2.0


def comprehensions(W1, W2, x):
    ws = [W1, W2]
    reg = sum(np.sum(W * W) for W in ws)
    hs = [np.tanh(W @ x) for W in ws]
    total = sum(x[i] ** 2 for i in range(x.shape[0]) if i != 1)
    return reg + np.sum(np.stack(hs)) + max(hs[0][0], hs[1][1]) + total + \
        np.sum(np.array([x[k] * 2.0 for k in range(2)]))


def appended(W1, W2, x):
    outs = []
    for W in (W1, W2):
        outs.append(np.tanh(W @ x))
    outs.append(x)
    return np.sum(np.stack(outs) ** 2) + sum(np.sum(o) for o in outs)


def layer(W, x, act):
    return act(W @ x)


def apply_scaled(g, u):
    s = 100.0  # the same name as the caller's: the lambda must read the caller's
    return g(u) * s + 0.5 * g(2.0 * u)


def passes_on(g, u):
    return apply_scaled(g, u) * 2.0


def helpers_given_functions(W, x):
    """Functions passed to helpers inside the function: a NumPy ufunc, a module-level
    function, a SciPy function, a nested def and a lambda (closures over the caller's
    variables, whatever the helper's own locals are called), passed on twice."""
    s = 2.0

    def sq(t):
        return t * t * x[0]
    lam = lambda t: t * s  # noqa: E731
    h = layer(W, x, np.tanh) + layer(W, x, softplus) + layer(W, x, sp.expit)
    return np.sum(h) + np.sum(passes_on(sq, x)) + np.sum(apply_scaled(lam, x)) \
        + np.sum(passes_on(lambda t: np.sin(t) * s, x))


@pytest.mark.parametrize("f,args", [
    (helpers_given_functions, (RNG.normal(size=(2, 3)), RNG.normal(size=3))),
    (gp_style, (RNG.normal(size=4), 0.8)),
    (net, (RNG.normal(size=(2, 3)), RNG.normal(size=3), np.tanh)),
    (net, (RNG.normal(size=(2, 3)), RNG.normal(size=3), softplus)),
    (objective, (softplus, 0.3)),
    (objective, (lambda v: v ** 3, 1.7)),
    (comprehensions, (RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=3))),
    (appended, (RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=3))),
])
def test_functions_as_values(f, args):
    wrt = tuple(i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray)))
    check_grads(f, args, wrt=wrt, backends=("python",))


def test_functions_given_to_helpers_compile():
    check_grads(helpers_given_functions, (RNG.normal(size=(2, 3)), RNG.normal(size=3)),
                backends=("numba",))


def test_nested_step_function_compiles():
    check_grads(rnn, (RNG.normal(size=3), 0.5 * RNG.normal(size=(3, 3)),
                      RNG.normal(size=(3, 2)), RNG.normal(size=(5, 2))), backends=("numba",))


def test_module_lambda_is_differentiated():
    g = srcgrad.grad(kernel, wrt=(0, 1), backend="python")(0.3, 1.1)
    k = np.exp(-0.5 * 0.8 ** 2)
    np.testing.assert_allclose(g, (0.8 * k, -0.8 * k), rtol=1e-12)  # by hand


def writes_captured(x):
    y = x.copy()

    def poke(v):
        y[0] = v
        return v
    return poke(x[1]) + np.sum(y)


def lambda_in_a_call(x):
    return np.sum(np.apply_along_axis(lambda r: r * 2.0, 0, x))


def appends_in_a_range_loop(x):
    hs = []
    for i in range(3):
        hs.append(x * i)
    return np.sum(np.stack(hs))


def test_appends_in_a_range_loop_grow_the_list():
    """(Refused before lists could grow in loops: passes/growing.py.)  d/dx sum(x * i) over
    i = 0, 1, 2 is 3 in each entry."""
    np.testing.assert_allclose(srcgrad.grad(appends_in_a_range_loop, backend="python")(
        np.ones(2)), [3.0, 3.0])


def comprehension_over_runtime_length(x, n):
    return np.sum(np.stack([x * i for i in range(n)]))


@pytest.mark.parametrize("f,args,what", [
    (writes_captured, (np.ones(3),), "write into 'y' of the enclosing function"),
    (lambda_in_a_call, (np.ones((2, 2)),), "lambda outside an assignment"),
    (comprehension_over_runtime_length, (np.ones(2), 3), "comprehension over a run-time length"),
])
def test_refusals_are_located(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as e:
        srcgrad.grad(f, backend="python")(*args)
    assert "test_functions.py" in str(e.value)


def calls_in_a_test(x):
    g = lambda v: np.sum(v * v)  # noqa: E731
    y = x * 2.0
    if sp.logsumexp(x) > 0.0 and g(x) > 0.1 and sum(v for v in (x[0], x[1])) < 5.0:
        y = np.sin(x) * sp.logsumexp(x)
    return np.sum(y)


def test_library_local_and_sequence_calls_inside_a_condition():
    """A condition is kept whole, but a call in it to a SciPy shim, a nested function or sum
    of a generator becomes statements of its own (it was inlined from SciPy's own source;
    the array fuzzer found it)."""
    check_grads(calls_in_a_test, (np.array([0.3, 1.2, -0.4]),))


def dispatch(x, s):
    """isinstance() of a parameter decides its branch from the argument's kind at the call:
    the branch not taken, invalid for that kind, is never differentiated."""
    if isinstance(x, np.ndarray):
        y = np.sum(x * x.shape[0])
    else:
        y = x * 3.0
    return y * s if isinstance(s, float) and not isinstance(s, bool) else y


def ambiguous(x):
    return x * 2.0 if isinstance(x, np.floating) else x


def test_isinstance_of_a_parameter():
    check_grads(dispatch, (RNG.normal(size=3), 0.7))
    check_grads(dispatch, (0.4, 0.7))
    np.testing.assert_allclose(srcgrad.grad(dispatch, backend="python")(np.ones(3), 2.0),
                               np.full(3, 6.0))
    # a Python float or a NumPy float64 answer differently here: a located error
    with pytest.raises(srcgrad.UnsupportedError, match="isinstance"):
        srcgrad.grad(ambiguous)(1.0)


# ---- calls into Numba code -----------------------------------------------------------------
import numba  # noqa: E402


@numba.njit
def nb_softplus(v):
    return np.log1p(np.exp(v))


@numba.njit
def nb_energy(x, k):
    e = 0.0
    for i in range(x.shape[0] - 1):
        e += k * (x[i + 1] - x[i]) ** 2
    return e


def calls_njit_helpers(x, w):
    return np.sum(nb_softplus(x * w)) + nb_energy(x, 0.5)


def test_calls_to_njit_functions_differentiate_their_python():
    """A call to a user's @numba.njit function differentiates its Python source (.py_func),
    like any helper's: both modes, both backends, against finite differences."""
    check_grads(calls_njit_helpers, (np.linspace(-1.0, 1.0, 5), 0.7))


@numba.njit
def nb_scaled_energy(x, k):  # an @njit function calling another
    return 2.0 * nb_energy(x, k) + np.sum(nb_softplus(x))


@numba.vectorize
def nb_relu2(v):
    if v > 0.0:
        return v * v
    return 0.1 * v


def calls_njit_chain_and_vectorize(x, A, s):
    return nb_scaled_energy(x, 0.5) + np.sum(nb_relu2(x) * x) + np.sum(nb_relu2(A) * s) \
        + nb_relu2(s)


def test_njit_calling_njit_and_vectorize_functions():
    """A @numba.vectorize function's scalar body is mapped over the entries of arrays (1-D and
    2-D) and inlined for numbers; an @njit function calling another is read through both."""
    x = np.array([0.3, -1.2, 0.8, 2.0])
    A = np.array([[0.5, -1.0], [2.0, 0.1]])
    check_grads(calls_njit_chain_and_vectorize, (x, A, 0.7))
    d = np.where(A > 0, 2 * A, 0.1)
    g = srcgrad.grad(calls_njit_chain_and_vectorize, wrt=1)(x, A, 0.7)
    np.testing.assert_allclose(g, d * 0.7, rtol=1e-14)  # a closed form: relu2' times s

"""Each benchmark kernel's gradient, at a small size, against finite differences (both modes,
both backends), against the hand-written adjoints, and against PyTorch where installed."""
import os
import sys

import numpy as np
import pytest

import srcgrad
from checks import check_grads

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from hand_adjoints import HAND  # noqa: E402
from kernels import KERNELS  # noqa: E402


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_gradient_matches_finite_differences(name):
    f, wrt, make, _, small = KERNELS[name]
    check_grads(f, make(small), wrt=wrt if isinstance(wrt, tuple) else (wrt,), n_dirs=1)


def _flat(g):
    return np.concatenate([np.ravel(np.asarray(p, dtype=float))
                           for p in (g if isinstance(g, tuple) else (g,))])


@pytest.mark.parametrize("name,version", [(n, k) for n in sorted(HAND)
                                          for k in range(len(HAND[n]))])
def test_kernel_gradient_matches_hand_adjoint(name, version):
    """As Python (the compiled gradients are checked above; the hand versions' Python
    functions are the code Numba compiles for tools/bench.py)."""
    f, wrt, make, _, small = KERNELS[name]
    args = make(small)
    got = srcgrad.grad(f, wrt=wrt, backend="python")(*args)
    np.testing.assert_allclose(_flat(got), _flat(HAND[name][version].py_func(*args)),
                               rtol=1e-11, atol=1e-14)


def test_kernel_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    f, wrt, make, _, small = KERNELS["scalar_loop"]
    (x,) = make(small)
    xt = torch.tensor(x, requires_grad=True)
    s = sum(torch.sin(xt[i]) * xt[i + 1] ** 2 + torch.exp(-xt[i]) for i in range(len(x) - 1))
    s.backward()
    np.testing.assert_allclose(srcgrad.grad(f)(x), xt.grad.numpy(), rtol=1e-12)
    f, wrt, make, _, small = KERNELS["mlp"]
    args = make(small)
    W = [torch.tensor(a, requires_grad=True) for a in args[:4]]
    X, Y = torch.tensor(args[4]), torch.tensor(args[5])
    z = torch.relu(X @ W[0] + W[1]) @ W[2] + W[3]
    z = z - z.max()
    (torch.logsumexp(z, 1) - (z * Y).sum(1)).mean().backward()
    for got, w in zip(srcgrad.grad(f, wrt=wrt)(*args), W):
        np.testing.assert_allclose(got, w.grad.numpy(), rtol=1e-10, atol=1e-13)

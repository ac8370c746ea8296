"""The examples' gradients against a peer's, where one is installed (HIPS autograd and JAX
are optional: ``pip install -e ".[bench]"``; without them these tests skip).  Each example
module's own source is run again with the peer's NumPy and SciPy in place of NumPy's, so both
tools differentiate the very same code."""
import os

import numpy as np
import pytest

import srcgrad
from srcgrad.pytree import flatten

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PEERS = {
    "autograd": {"import numpy as np": "import autograd.numpy as np",
                 "import scipy.stats as st": "import autograd.scipy.stats as st",
                 "from scipy.special import logsumexp": "from autograd.scipy.special import logsumexp"},
    "jax": {"import numpy as np": "import jax.numpy as np",
            "import scipy.stats as st": "import jax.scipy.stats as st",
            "from scipy.special import logsumexp": "from jax.scipy.special import logsumexp"},
}


def _peer(name, example):
    """The example module run with the peer's NumPy, and the peer's ``grad``."""
    pytest.importorskip(name)
    if name == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
        grad = jax.grad
    else:
        import autograd
        grad = autograd.grad
    text = open(os.path.join(ROOT, "examples", example)).read()
    for a, b in PEERS[name].items():
        text = text.replace(a, b)
    namespace = {"__name__": f"peer_{example[:-3]}"}
    exec(compile(text, f"<{name} {example}>", "exec"), namespace)
    return namespace, grad


def _examples():
    import runpy
    ml = runpy.run_path(os.path.join(ROOT, "examples", "ml_params.py"))
    gp = runpy.run_path(os.path.join(ROOT, "examples", "gp_rnn.py"))
    rng = np.random.default_rng(0)
    params = [(0.5 * rng.normal(size=(m, n)), 0.1 * rng.normal(size=n))
              for m, n in ((5, 8), (8, 3))]
    X, Y = rng.normal(size=(16, 5)), np.eye(3)[rng.integers(0, 3, 16)]
    theta = {"means": (rng.normal(size=2), rng.normal(size=2) + 2.0),
             "factors": (0.5 * rng.normal(size=(2, 2)), 0.5 * rng.normal(size=(2, 2))),
             "logits": np.array([0.2, -0.1])}
    Xg = rng.normal(size=(20, 2))
    p = {"Wh": 0.5 * rng.normal(size=(3, 3)), "Wx": rng.normal(size=(3, 2)),
         "b": 0.1 * rng.normal(size=3), "Wo": rng.normal(size=(1, 3))}
    xs, target = rng.normal(size=(4, 2)), np.array([0.3])
    Xp = np.sort(rng.uniform(-3, 3, 8))
    return [("ml_params.py", "mlp_loss", ml["mlp_loss"], (params, X, Y)),
            ("ml_params.py", "gmm_loglik", ml["gmm_loglik"], (theta, Xg)),
            ("gp_rnn.py", "rnn_loss", gp["rnn_loss"], (p, xs, target)),
            ("gp_rnn.py", "gp_nll", gp["gp_nll"], (0.1, -0.2, -1.5, Xp, np.sin(Xp)))]


def _numpy(x):
    """A gradient with its arrays (JAX's, autograd's) as NumPy arrays and its dicts' keys in
    order (JAX sorts them; ours keep the argument's order), so that two flatten alike."""
    if isinstance(x, dict):
        return {k: _numpy(x[k]) for k in sorted(x)}
    if isinstance(x, (list, tuple)):
        return type(x)(_numpy(v) for v in x)
    return np.asarray(x)


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_examples_against_a_peer(peer):
    for example, name, f, args in _examples():
        namespace, grad = _peer(peer, example)
        ours = _numpy(srcgrad.grad(f, backend="python")(*args))
        theirs = _numpy(grad(namespace[name])(*args))
        for a, b in zip(flatten(ours)[0], flatten(theirs)[0]):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-8, atol=1e-10,
                                       err_msg=f"{name} against {peer}")

"""Normalize, calls of a user's ``@numba.vectorize`` function: its Python body is for numbers,
so on arrays it is mapped over the entries by a loop srcgrad writes (the operands' ranks come
from the kinds pass, as for ``np.tensordot``: a placeholder first, then the loop).

    relu2(x)       x a float       ->  the body of relu2, inlined
    relu2(x, s)    x a 2-D array   ->  def vectorized_relu2(a0, a1):
                                           f0 = np.ravel(a0)
                                           out = np.zeros(f0.shape[0])
                                           for k in range(f0.shape[0]):
                                               out[k] = relu2(f0[k], a1)
                                           return np.reshape(out, a0.shape)
"""
import ast
import types

import numpy as np

from . import einsum


class Elementwise:
    """Mixed into the normalizer."""

    def elementwise_call(self, fn, e, out):
        name = fn.__name__
        if e.keywords or any(isinstance(a, ast.Starred) for a in e.args):
            self.fail(e, f"call to {name}() with keywords", "pass its arguments positionally.")
        key = (self.src.filename, e.lineno, e.col_offset)
        ranks = (self.ranks or {}).get(key)
        if ranks is None:  # the first normalization: a placeholder for the kinds pass
            node = ast.copy_location(ast.Call(ast.Name(name, ast.Load()),
                                              [self.atom(a, out) for a in e.args], []), e)
            node.rank_site, node.rank_origin, node.elementwise = key, (self.src, e), True
            return node
        body = _for_numbers(fn)
        if not any(ranks):
            return self.inline(body, e, out, site=False)
        arrays = {r for r in ranks if r}
        if len(arrays) > 1:
            self.fail(e, f"{name}() of arrays of ranks {', '.join(map(str, sorted(arrays)))}",
                      "pass arrays of one shape (and numbers): srcgrad maps the function over "
                      "their entries without broadcasting.")
        callee = einsum.located_source(_loop(name, ranks), e, self.src,
                                       {"np": np, name: body})
        return self.inline_source(callee, f"vectorized_{name}", e.args, out)


def _for_numbers(fn):
    """The vectorized function's Python body as a function of numbers (a copy without the
    mark that sends its calls here)."""
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                              fn.__closure__)


def _loop(name, ranks):
    params = [f"a{k}" for k in range(len(ranks))]
    first = next(k for k, r in enumerate(ranks) if r)
    lines = [f"def vectorized_{name}({', '.join(params)}):"]
    for k, r in enumerate(ranks):
        if r and k != first:
            for axis in range(r):
                lines += [f"    if a{k}.shape[{axis}] != a{first}.shape[{axis}]:",
                          f"        raise ValueError('{name}: its array arguments differ in "
                          "shape (srcgrad does not broadcast them)')"]
    flat = {k: (f"a{k}" if ranks[k] == 1 else f"f{k}") for k, r in enumerate(ranks) if r}
    for k, r in enumerate(ranks):
        if r > 1:
            lines.append(f"    f{k} = np.ravel(a{k})")
    n = f"{flat[first]}.shape[0]"
    items = ", ".join(f"{flat[k]}[k]" if r else f"a{k}" for k, r in enumerate(ranks))
    lines += [f"    out = np.zeros({n})", f"    for k in range({n}):",
              f"        out[k] = {name}({items})"]
    lines.append("    return out" if ranks[first] == 1 else
                 f"    return np.reshape(out, a{first}.shape)")
    return "\n".join(lines) + "\n"

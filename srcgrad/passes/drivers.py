"""Jacobian drivers: generated functions that run every sweep inside compiled code.

    def f_jacfwd(x, n):                       one tangent sweep per input direction
        _y = f_primal(x, n)
        J_x = np.empty((_y.size, x.size))
        for k in range(x.size):
            _e = np.zeros(x.size)
            _e[k] = 1.0
            _, _dy = f_jvp(x, n, _e.reshape(x.shape))
            J_x[:, k] = np.ravel(_dy)
        return J_x.reshape(_y.shape + x.shape)

``f_jacrev`` is the same with one adjoint sweep per output direction, filling rows.
"""
import ast

from .types import is_array


def _size(v, kind):
    return f"{v}.size" if is_array(kind) else "1"


def _unit(v, kind, k, name):
    """Statements making ``name`` the k-th unit vector shaped like ``v``."""
    if not is_array(kind):
        return [f"{name} = 1.0"]
    return [f"_e = np.zeros({v}.size)", f"_e[{k}] = 1.0", f"{name} = _e.reshape({v}.shape)"]


def _zero(v, kind):
    return f"np.zeros_like({v})" if is_array(kind) else "0.0"


def _shape(out_kind, v, kind):
    parts = (["_y.shape"] if is_array(out_kind) else []) + ([f"{v}.shape"] if is_array(kind) else [])
    return " + ".join(parts)


def _finish(J, out_kind, v, kind):
    shape = _shape(out_kind, v, kind)
    return f"{J}.reshape({shape})" if shape else f"{J}[0, 0]"


def jacobian_driver(name, fname, params, wrt, kinds, out_kind, how):
    """Source of the driver; ``how`` is "fwd" (calls ``{fname}_jvp``, one sweep per input
    direction) or "rev" (calls ``{fname}_vjp``, one sweep per output direction)."""
    args = ", ".join(params)
    m = "_y.size" if is_array(out_kind) else "1"
    lines = [f"def {name}({args}):", f"    _y = {fname}_primal({args})"]
    for w in wrt:
        lines.append(f"    J_{w} = np.empty(({m}, {_size(w, kinds[w])}))")
    if how == "fwd":
        for w in wrt:
            lines.append(f"    for k in range({_size(w, kinds[w])}):")
            lines += ["        " + s for s in _unit(w, kinds[w], "k", "_dw")]
            tangents = ", ".join("_dw" if u == w else _zero(u, kinds[u]) for u in wrt)
            lines.append(f"        _out, _dy = {fname}_jvp({args}, {tangents})")
            lines.append(f"        J_{w}[:, k] = " + ("np.ravel(_dy)" if is_array(out_kind) else "_dy"))
    else:
        lines.append(f"    for k in range({m}):")
        lines += ["        " + s for s in _unit("_y", out_kind, "k", "_seed")]
        grads = ", ".join(f"_g_{u}" for u in wrt)
        lines.append(f"        {grads} = {fname}_vjp({args}, _seed)")
        for w in wrt:
            lines.append(f"        J_{w}[k, :] = " +
                         (f"np.ravel(_g_{w})" if is_array(kinds[w]) else f"_g_{w}"))
    results = [_finish(f"J_{w}", out_kind, w, kinds[w]) for w in wrt]
    ret = results[0] if len(results) == 1 else "(" + ", ".join(results) + ")"
    lines.append(f"    return {ret}")
    src = "\n".join(lines) + "\n"
    ast.parse(src)  # generated drivers are valid Python, or fail here
    return src


def hessian_driver(name, params, w, kind, hvp_name, seed):
    """Source of a driver filling the Hessian column by column, one forward-over-reverse
    sweep (``hvp_name``: the tangent of the adjoint) per input direction."""
    args = ", ".join(params)
    n = _size(w, kind)
    lines = [f"def {name}({args}):", f"    H = np.empty(({n}, {n}))", f"    for k in range({n}):"]
    lines += ["        " + s for s in _unit(w, kind, "k", "_dw")]
    lines.append(f"        _g, _hv = {hvp_name}({args}, {seed}, _dw)")
    lines.append("        H[:, k] = " + ("np.ravel(_hv)" if is_array(kind) else "_hv"))
    lines.append(f"    return H.reshape({w}.shape + {w}.shape)" if is_array(kind)
                 else "    return H[0, 0]")
    src = "\n".join(lines) + "\n"
    ast.parse(src)
    return src

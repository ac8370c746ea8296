"""Kinds: what srcgrad specializes generated code on, and every way to get one.

A kind is a tuple: ``("s", "f")`` float, ``("s", "i")`` int, ``("s", "b")`` bool,
``("a", ndim, dtype)`` array, ``("t", kinds)`` tuple, ``("r",)`` a random generator; ``None``
when not known.  A kind comes from an argument's value at a call (``kind_of_value``), from
text the user wrote (``parse``: ``"x=f8[:], A=f8[:,:], n=int"``, Numba's spelling), from the
function's annotations (``annotated``: ``x: "f8[:]"``, ``n: int``, ``A: numba.float64[:, :]``),
or, before any call and with nothing written, is guessed from how a parameter is used
(``guess``).  ``for_source`` puts them together and says which were guessed.
"""
import ast
import inspect
import re

import numpy as np

from .errors import SrcgradError

FLOAT, INT, BOOL = ("s", "f"), ("s", "i"), ("s", "b")
RNG = ("r",)  # a np.random.Generator or RandomState: draws come from it, never derivatives

def kind_of_value(v):
    if isinstance(v, (np.random.Generator, np.random.RandomState)):
        return RNG
    if isinstance(v, (bool, np.bool_)):
        return BOOL
    if isinstance(v, (int, np.integer)):
        return INT
    if isinstance(v, (float, np.floating)):
        return FLOAT
    if isinstance(v, np.ndarray):
        return ("a", v.ndim, "f" if v.dtype.kind == "f" else ("b" if v.dtype.kind == "b" else "i"))
    if isinstance(v, tuple):
        return ("t", tuple(kind_of_value(x) for x in v))
    return None


def literal_dtype(lst):
    """"b" for a (nested) list literal of bools only, "i" of ints only, else None."""
    leaves = [v for r in lst.elts for v in (r.elts if isinstance(r, ast.List) else [r])]
    leaves = [v.operand if isinstance(v, ast.UnaryOp) and isinstance(v.op, (ast.USub, ast.UAdd))
              and isinstance(v.operand, ast.Constant) and type(v.operand.value) is int else v
              for v in leaves]  # -1 is an int literal too
    types = {type(v.value) if isinstance(v, ast.Constant) else None for v in leaves}
    return {frozenset({bool}): "b", frozenset({int}): "i"}.get(frozenset(types))


def is_array(k):
    return k is not None and k[0] == "a"


def is_scalar(k):
    return k is not None and k[0] == "s"


def is_float(k):
    """May this kind carry a derivative?  (A stack of generated code may, if its items may.)"""
    return k is not None and ((k[0] == "s" and k[1] == "f") or (k[0] == "a" and k[2] == "f")
                              or (k[0] == "l" and is_float(k[1])))


def ndim(k):
    return k[1] if is_array(k) else 0


def join(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a[0] == b[0] == "s":
        return FLOAT if "f" in (a[1], b[1]) else INT
    if a[0] == b[0] == "l":
        return ("l", join(a[1], b[1]))
    if a[0] == b[0] == "a" and a[1] == b[1]:
        return ("a", a[1], "f" if "f" in (a[2], b[2]) else a[2])
    return a  # conflicting kinds: Numba will report it when compiling


def describe(k, article=True):
    """``a float``, ``an integer``, ``a 2-D float array``, ``a tuple``: for messages."""
    if k is None:
        return "of unknown kind"
    names = {"f": "float", "i": "integer", "b": "boolean"}
    if k == RNG:
        return "a random generator" if article else "random generator"
    if k[0] == "a":
        text = f"{k[1]}-D {names[k[2]]} array"
    elif k[0] == "t":
        text = "tuple"
    else:
        text = names[k[1]]
    if not article:
        return text
    return ("an " if text[0] in "aeiou" else "a ") + text


def guess(src):
    """Argument kinds read off how parameters are used, for ``.source`` before any call:
    subscripted k times -> k-d array, used as a bound/index/size -> int, otherwise float."""
    params = src.params
    kinds = {p: FLOAT for p in params}
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in kinds:
            n = len(node.slice.elts) if isinstance(node.slice, ast.Tuple) else 1
            old = kinds[node.value.id]
            kinds[node.value.id] = ("a", max(n, ndim(old)), "f")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in kinds and node.attr in ("shape", "size", "T"):
            if not is_array(kinds[node.value.id]):
                kinds[node.value.id] = ("a", 2 if node.attr == "T" else 1, "f")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            a = node.args[0]
            if isinstance(a, ast.Name) and a.id in kinds:
                if node.func.id == "range":
                    kinds[a.id] = INT
                elif node.func.id == "len" and not is_array(kinds[a.id]):
                    kinds[a.id] = ("a", 1, "f")
            for b in node.args[1:]:
                if node.func.id == "range" and isinstance(b, ast.Name) and b.id in kinds:
                    kinds[b.id] = INT
    for node in ast.walk(src.tree):  # reduced along an axis: 2-D; operands of @: arrays
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name) \
                and node.args[0].id in kinds and (len(node.args) > 1 or any(
                    k.arg == "axis" for k in node.keywords)) \
                and ast.unparse(node.func).split(".")[-1] in ("sum", "mean", "max", "min", "amax", "amin"):
            kinds[node.args[0].id] = ("a", max(2, ndim(kinds[node.args[0].id])), "f")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            for side, nd in ((node.left, 2), (node.right, 1)):
                if isinstance(side, ast.Name) and side.id in kinds \
                        and not is_array(kinds[side.id]):
                    kinds[side.id] = ("a", nd, "f")
    for node in ast.walk(src.tree):  # names used inside an index are ints
        if isinstance(node, ast.Subscript):
            for n in ast.walk(node.slice):
                if isinstance(n, ast.Name) and n.id in kinds and not is_array(kinds[n.id]):
                    kinds[n.id] = INT
    return kinds


# ---- kinds the user writes -------------------------------------------------------------------
_SCALAR_NAMES = {"f8": "f", "float64": "f", "float": "f", "double": "f",
                 "i8": "i", "int64": "i", "int": "i", "intp": "i",
                 "b1": "b", "bool": "b", "boolean": "b", "bool_": "b"}
_ITEM = re.compile(r"\s*(?:(?P<name>[A-Za-z_]\w*)\s*=\s*)?"
                   r"(?P<type>[A-Za-z_][\w.]*|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
                   r"(?P<dims>\[[^\]]*\])?\s*(?:,|$)")
SPELLING = ("float or f8, int or i8, bool or b1; arrays as f8[:] (1-D), f8[:,:] (2-D), "
            "f8[:,:,:] (3-D)")


def parse(text, params):
    """``"x=f8[:], A=f8[:,:], n=int"`` (or without the names, in parameter order) as
    {parameter: kind}; a SrcgradError naming what it could not read."""
    kinds, pos, order = {}, 0, list(params)
    text = text.strip()
    while pos < len(text):
        m = _ITEM.match(text, pos)
        if m is None or m.end() == pos:
            raise SrcgradError(f"cannot read the argument kinds {text!r} at {text[pos:]!r}: "
                               f"write name=kind, separated by commas ({SPELLING})")
        pos = m.end()
        name = m.group("name")
        if name is None:
            if len(kinds) >= len(order):
                raise SrcgradError(f"argument kinds {text!r}: more kinds than parameters "
                                   f"{tuple(order)}")
            name = order[len(kinds)]
        if name not in order:
            raise SrcgradError(f"argument kinds {text!r}: {name!r} is not a parameter; the "
                               f"parameters are {tuple(order)}")
        if name in kinds:
            raise SrcgradError(f"argument kinds {text!r}: {name!r} is given twice")
        kinds[name] = _one(m.group("type"), m.group("dims"), text)
    return kinds


def _literal(type_name):
    """A number written as the kind (``n=3``, ``s=0.5``), or None."""
    if type_name[0].isalpha() or type_name[0] == "_":
        return None
    return int(type_name) if re.fullmatch(r"[-+]?\d+", type_name) else float(type_name)


def _one(type_name, dims, text):
    value = _literal(type_name)
    if value is not None:
        if dims is not None:
            raise SrcgradError(f"argument kinds {text!r}: a number ({type_name}) has no "
                               "dimensions")
        return INT if isinstance(value, int) else FLOAT
    base = type_name.split(".")[-1].lower()
    if base not in _SCALAR_NAMES:
        raise SrcgradError(f"argument kinds {text!r}: unknown type {type_name!r} ({SPELLING})")
    dt = _SCALAR_NAMES[base]
    if dims is None:
        return ("s", dt)
    return ("a", len(_dims(dims, text)), dt)


def _dims(dims, text):
    """``[:, :]`` or ``[3, 4]`` (a shape, for values made up to the kind): one entry per
    dimension, None for ``:``."""
    inner = dims[1:-1].replace(" ", "")
    parts = inner.split(",")
    if not inner or any(p != ":" and not p.isdigit() for p in parts):
        raise SrcgradError(f"argument kinds {text!r}: write an array's dimensions as [:] or "
                           f"[:,:] (or a shape, [3] or [3,4]), not {dims!r}")
    return [None if p == ":" else int(p) for p in parts]


def values(text, params, seed=0):
    """Arguments made up to ``text``: numbers as written (``n=3``), random normal floats,
    arrays of the shapes written (``f8[5, 3]``; 3 for each ``:``), for checking derivatives
    from the command line (``srcgrad check --fd``).  Integers must be written as values."""
    kinds = parse(text, params)
    missing = [p for p in params if p not in kinds]
    if missing:
        raise SrcgradError(f"--args gives no value for {', '.join(missing)}: give every "
                           "parameter (n=3, s=0.5, x=f8[5])")
    rng = np.random.default_rng(seed)
    out, pos = {}, 0
    order = list(params)
    while pos < len(text.strip()):
        m = _ITEM.match(text.strip(), pos)
        pos = m.end()
        name = m.group("name") or order[len(out)]
        value = _literal(m.group("type"))
        k = kinds[name]
        if value is not None:
            out[name] = float(value) if k == FLOAT and isinstance(value, float) else value
        elif k[0] == "a":
            shape = [n if n is not None else 3 for n in _dims(m.group("dims"), text)]
            if k[2] != "f":
                raise SrcgradError(f"--args: give {name} as a float array to make it up")
            out[name] = rng.standard_normal(shape)
        elif k == FLOAT:
            out[name] = float(rng.standard_normal())
        else:
            raise SrcgradError(f"--args: give {name}'s value ({name}=3), not only its kind")
    return [out[p] for p in params]


def of_spec(spec, params):
    """Kinds given in Python: a text as :func:`parse` reads, or a dict of parameter to text,
    Python type (float, int, bool), NumPy scalar type or Numba type."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        return parse(spec, params)
    if not isinstance(spec, dict):
        raise SrcgradError(f"kinds must be a text like 'x=f8[:], n=int' or a dict, not "
                           f"{type(spec).__name__}")
    out = {}
    for name, v in spec.items():
        if name not in params:
            raise SrcgradError(f"kinds: {name!r} is not a parameter; the parameters are "
                               f"{tuple(params)}")
        k = of_annotation(v)
        if k is None:
            raise SrcgradError(f"kinds: cannot read {v!r} for {name!r} ({SPELLING})")
        out[name] = k
    return out


def of_annotation(a):
    """The kind an annotation (or a dict value of ``kinds=``) names, or None when it names
    none srcgrad can use (``np.ndarray`` says nothing of the rank)."""
    if isinstance(a, str):
        try:
            return _one_text(a)
        except SrcgradError:
            return None
    if a in (float, np.float64):
        return FLOAT
    if a in (int, np.int64):
        return INT
    if a in (bool, np.bool_):
        return BOOL
    nb_kind = _numba_kind(a)
    return nb_kind


def _one_text(text):
    m = _ITEM.fullmatch(text.strip())
    if m is None or m.group("name"):
        raise SrcgradError(f"cannot read {text!r}")
    return _one(m.group("type"), m.group("dims"), text)


def _numba_kind(a):
    """``numba.float64`` or ``numba.float64[:, :]`` (a Numba type), without importing Numba
    when the annotation is not one."""
    if not type(a).__module__.startswith("numba"):
        return None
    dtype = getattr(a, "dtype", a)
    name = str(dtype)
    dt = _SCALAR_NAMES.get(name)
    if dt is None:
        return None
    nd = getattr(a, "ndim", None)
    return ("s", dt) if nd is None else ("a", nd, dt)


def annotated(fn, params):
    """{parameter: kind} for the parameters whose annotations name a kind."""
    try:
        ann = inspect.get_annotations(fn, eval_str=True)
    except Exception:  # noqa: BLE001 -- a string annotation that does not evaluate
        ann = inspect.get_annotations(fn) if callable(fn) else {}
    out = {}
    for p in params:
        if p in ann:
            k = of_annotation(ann[p])
            if k is not None:
                out[p] = k
    return out


def for_source(src, given=None):
    """(kinds, how): every parameter's kind, from ``given`` (parsed), the annotations, or a
    guess; ``how`` maps each parameter to "given", "annotation" or "guessed"."""
    given = dict(given or {})
    ann = annotated(src.fn, src.params) if inspect.isfunction(src.fn) else {}
    guessed = guess(src)
    kinds, how = {}, {}
    for p in src.params:
        for source, table in (("given", given), ("annotation", ann), ("guessed", guessed)):
            if p in table:
                kinds[p], how[p] = table[p], source
                break
    return kinds, how


def header(kinds, how):
    """The line generated code for guessed kinds starts with (none when nothing was guessed:
    the code is then what a call with arguments of those kinds generates)."""
    if all(h != "guessed" for h in how.values()):
        return ""
    said = ", ".join(f"{p}: {describe(k, article=False)}"
                     + (" (guessed from its use)" if how[p] == "guessed" else "")
                     for p, k in kinds.items())
    return f"# argument kinds guessed: {said}\n"

"""NumPy coverage against HIPS autograd's list, generated from the rule table.

The list below is our reading of what autograd differentiates for real inputs: the functions
given a VJP in ``autograd/numpy/numpy_vjps.py`` and ``linalg.py``, the list-taking functions
of ``numpy_wrapper.py``, and the operators, methods and attributes of ``numpy_boxes.py``.
Left out: complex-only functions (``real``, ``imag``, ``conj``, ``angle``, ``eig``), FFTs,
autograd's own helpers (``make_diagonal``), ``np.msort`` and ``ndarray.ptp`` (gone from
NumPy 2) and the index
tricks ``r_``/``c_``.

An entry counts as supported when srcgrad's tables know the call (``rules/table.py``: CALLS,
JOIN_CALLS, NONDIFF_CALLS, METHODS, or an operator the frontend lowers) **and** a row of the
test table (``tests/rule_cases.py``) spells it, so it is checked in reverse mode, forward
mode and forward-over-reverse against finite differences.  Nothing here is typed by hand
as "supported": the table cannot drift from the code.

    python tools/numpy_coverage.py            # print the table and the count
    python tools/numpy_coverage.py --write    # rewrite the generated part of docs/subset.md
    python tools/numpy_coverage.py --check    # exit 1 if docs/subset.md is out of date (a test)
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from srcgrad.rules import table  # noqa: E402
from rule_cases import CASES  # noqa: E402

DOC = os.path.join(ROOT, "docs", "subset.md")
BEGIN, END = "<!-- coverage: begin (tools/numpy_coverage.py --write) -->", "<!-- coverage: end -->"

# (family, spelling) -- spelling is "np.<f>", "np.linalg.<f>", ".<method>()", ".T", "x[i]",
# or an operator
AUTOGRAD = [
    ("binary ufuncs", f"np.{n}") for n in
    "add subtract multiply divide true_divide maximum minimum fmax fmin logaddexp logaddexp2 "
    "mod remainder power".split()
] + [
    ("unary ufuncs", f"np.{n}") for n in
    "negative abs fabs absolute reciprocal exp exp2 expm1 log log2 log10 log1p sin cos tan "
    "arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh rad2deg degrees deg2rad "
    "radians square sqrt sinc nan_to_num".split()
] + [
    ("selection and creation", f"np.{n}") for n in "where clip cross linspace full select array".split()
] + [
    ("shape", f"np.{n}") for n in
    "reshape ravel expand_dims squeeze roll diag flipud fliplr rot90 triu tril swapaxes "
    "moveaxis rollaxis transpose atleast_1d atleast_2d atleast_3d repeat tile diff".split()
] + [
    ("join and split", f"np.{n}") for n in
    "concatenate stack vstack row_stack hstack column_stack append split array_split vsplit "
    "hsplit dsplit".split()
] + [
    ("reductions", f"np.{n}") for n in
    "sum mean prod var std max min amax amin cumsum trace sort partition".split()
] + [
    ("products", f"np.{n}") for n in "dot matmul inner outer tensordot kron einsum diagonal".split()
] + [
    ("linear algebra", f"np.linalg.{n}") for n in "det slogdet inv pinv solve norm eigh cholesky svd".split()
] + [
    ("methods", f".{n}()") for n in
    "clip compress cumprod cumsum diagonal max mean min prod ravel repeat reshape squeeze "
    "std sum swapaxes take trace transpose var flatten astype".split()
] + [("methods", ".T"), ("methods", "x[i]")] + [
    ("operators", op) for op in ["+", "-", "*", "/", "**", "@", "%", "unary -", "abs()"]
]

# how an operator shows in the test table, and the prim the frontend lowers it to
OPERATORS = {"+": (" + ", "add"), "-": (" - ", "sub"), "*": (" * ", "mul"), "/": (" / ", "truediv"),
             "**": (" ** ", "pow"), "@": (" @ ", "matmul_mm"), "%": (" % ", "mod"),
             "unary -": ("-x", "neg"), "abs()": ("abs(", "abs"), "x[i]": ("x[", "gather_last"),
             ".T": (".T", "transpose")}


def _object(spelling):
    """The NumPy function a spelling names (None for methods and operators)."""
    if not spelling.startswith("np."):
        return None
    obj = np
    for part in spelling.split(".")[1:]:
        obj = getattr(obj, part, None)
    return obj


def _known(spelling):
    """Does a table of srcgrad say what this call means?"""
    if spelling in OPERATORS:
        return OPERATORS[spelling][1] in table.RULES
    if spelling.startswith("."):
        return spelling[1:-2] in table.METHODS
    obj = _object(spelling)
    return obj is not None and any(obj in t for t in (table.CALLS, table.JOIN_CALLS,
                                                     table.NONDIFF_CALLS,
                                                     table.ARRAY_LITERAL_CALLS, table.SPLIT_CALLS,
                                                     table.EINSUM_CALLS, table.SELECT_CALLS))


def _tested(spelling):
    """Does a row of the test table spell it (so it runs in both modes and under hessian)?"""
    exprs = [expr for cases in CASES.values() for expr, _ in cases]
    if spelling in OPERATORS:
        text = OPERATORS[spelling][0]
    elif spelling.startswith("."):
        text = spelling[:-1]  # ".sum(" matches ".sum()" and ".sum(axis=0)"
    else:
        text = spelling + "("
    return any(text in e for e in exprs)


def rows():
    return [(fam, sp, _known(sp) and _tested(sp)) for fam, sp in AUTOGRAD]


def markdown():
    rs = rows()
    done = sum(ok for _, _, ok in rs)
    out = [BEGIN, "",
           f"**{done} of the {len(rs)} entries** of autograd's list (our reading, see "
           "`tools/numpy_coverage.py`) are differentiated by srcgrad in both modes and tested "
           "against finite differences (generated from the rule table and the test table).", "",
           "| family | supported | not yet |", "|---|---|---|"]
    for fam in dict.fromkeys(f for f, _, _ in rs):
        yes = [f"`{s}`" for f, s, ok in rs if f == fam and ok]
        no = [f"`{s}`" for f, s, ok in rs if f == fam and not ok]
        out.append(f"| {fam} | {' '.join(yes) or '-'} | {' '.join(no) or '-'} |")
    out += ["", END]
    return "\n".join(out)


def _doc_with(generated):
    with open(DOC) as f:
        text = f.read()
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        return head + generated + tail
    return text.rstrip("\n") + "\n\n## Coverage of autograd's NumPy list\n\n" + generated + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group()
    g.add_argument("--write", action="store_true", help="rewrite the table in docs/subset.md")
    g.add_argument("--check", action="store_true", help="exit 1 if docs/subset.md is stale")
    a = p.parse_args(argv)
    gen = markdown()
    if a.write:
        text = _doc_with(gen)  # read before the file is opened for writing
        with open(DOC, "w") as f:
            f.write(text)
    elif a.check:
        with open(DOC) as f:
            current = f.read()
        if _doc_with(gen) != current:
            print("docs/subset.md is out of date: run python tools/numpy_coverage.py --write")
            return 1
    else:
        print(gen)
    return 0


if __name__ == "__main__":
    sys.exit(main())

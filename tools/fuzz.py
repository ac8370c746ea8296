"""Differential fuzzer: random programs inside the supported subset, checked four ways.

    python tools/fuzz.py --seed 0 --count 300       # a fixed run (the test suite runs one)
    python tools/fuzz.py --minutes 30               # a long run, new seeds until time is up

For each program: the primal (srcgrad's normalized code, both backends) against plain Python;
reverse mode against central finite differences in a random direction; forward mode against
reverse (<u, J v> = <J^T u, v>); and the Numba backend against the Python backend (every
``--numba-every``-th program, since compiling is what costs time).  Points where finite
differences with two step sizes disagree are not smooth (a branch flips, a tie) and are
skipped.  A failing program is shrunk (statements deleted while it still fails) and saved as
a regression test under tests/fuzz_regressions/.

Three kinds of program alternate (``--kinds``): scalar loops and branches (``Gen`` below),
array programs checked with every transform (fuzz_arrays.py, fuzz_checks.py), and programs
run at several shapes that broadcast with one generated code (fuzz_broadcast.py).
"""
import argparse
import atexit
import hashlib
import importlib.util
import inspect
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import srcgrad  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tools"))
import fuzz_arrays  # noqa: E402
import fuzz_broadcast  # noqa: E402
import fuzz_checks  # noqa: E402

N = 4  # array length of generated programs

UNARY = ["math.sin({})", "math.cos({})", "math.tanh({})", "math.exp(math.sin({}))",
         "math.log(1.0 + {0} * {0})", "math.sqrt(1.0 + {0} * {0})", "math.atan({})",
         "({0} * {0})", "-{}", "abs({}) + 1.0",
         "math.asinh({})", "math.erf({})", "math.exp2(math.sin({}))", "np.sinc({})",
         "math.degrees({}) * 0.01", "np.cbrt(1.5 + {0} * {0})", "np.reciprocal(1.5 + {0} * {0})",
         "math.lgamma(2.0 + math.sin({}))", "math.gamma(2.0 + math.sin({}))"]
ARRAY_UNARY = ["np.sin({})", "np.tanh({})", "np.cos({})", "({0} * {0})", "np.exp(np.sin({}))"]
BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / (1.5 + {} * {})", "max({}, {})", "min({}, {})",
          "math.atan2({}, 1.0 + {} * {})", "np.logaddexp({}, {})", "np.fmax({}, {})",
          "math.fmod({}, 1.5 + {} * {})", "max({}, {}, {})", "min({}, {}, {})",
          "math.copysign({}, {})", "np.float_power(math.exp(math.sin({})), {})", "{} * {} "]


class Gen:
    """Writes one random program; the rng makes it reproducible."""

    def __init__(self, rng):
        self.rng = rng
        self.scalars = ["x", "y"]
        self.lines = []
        self.helpers = []
        self.counter = 0
        self.uses_m = False

    def fresh(self):
        self.counter += 1
        return f"v{self.counter}"

    def atom(self, loop_var=None):
        r = self.rng
        choices = list(self.scalars) + ["a[0]", "a[3]", f"{r.uniform(-1.5, 1.5):.3f}"]
        if loop_var:
            # (a[i - 1]: the element before, the last one at i = 0: carried, passes/rotate.py)
            choices += [f"a[{loop_var}]", f"b[{loop_var}]", f"a[{loop_var} - 1]"]
        return r.choice(choices)

    def expr(self, depth, loop_var=None):
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return self.atom(loop_var)
        k = r.random()
        if k < 0.4:
            return "(" + r.choice(UNARY).format(self.expr(depth - 1, loop_var)) + ")"
        if k < 0.85:
            t = r.choice(BINARY)
            n = t.count("{}")
            parts = [self.expr(depth - 1, loop_var) for _ in range(n)]
            if "/ (1.5" in t or "1.0 + {} * {}" in t:
                parts[2] = parts[1]
            if t == "{} * {} ":  # one value squared (z * z: one term, 2 z g)
                parts[1] = parts[0]
            return "(" + t.format(*parts) + ")"
        if self.helpers:
            h = r.choice(self.helpers)
            if r.random() < 0.25:  # a tuple, indexed or passed straight on
                e1, e2 = self.expr(depth - 1, loop_var), self.expr(depth - 1, loop_var)
                return r.choice([f"hpair({e1}, {e2})[{r.randint(-2, 1)}]",
                                 f"htup(({e1}, {e2}))", f"htup(hpair({e1}, {e2}))",
                                 f"hdef({e1})", f"hdef({e1}, k={e2})", f"hdef(q={e2}, p={e1})"])
            return f"{h}({self.expr(depth - 1, loop_var)}, {self.expr(depth - 1, loop_var)})"
        return self.atom(loop_var)

    def block(self, indent, depth, loop_var=None, in_loop=False):
        r = self.rng
        out = []
        for _ in range(r.randint(1, 3)):
            k = r.random()
            pad = "    " * indent
            if k < 0.45 or depth <= 0:
                e = self.expr(3, loop_var)               # before a new name exists
                if self.scalars and r.random() < 0.5:
                    v = r.choice(self.scalars)           # reassignment / overwrite
                else:
                    v = self.fresh()
                    self.scalars.append(v)
                out.append(f"{pad}{v} = {e}")
            elif k < 0.6:
                c = self.expr(2, loop_var)
                out.append(f"{pad}if {c} > {r.uniform(-0.5, 0.5):.3f}:")
                out += self.scoped(indent + 1, depth - 1, loop_var, in_loop)
                out.append(f"{pad}else:")
                out += self.scoped(indent + 1, depth - 1, loop_var, in_loop)
            elif k < 0.66 and not in_loop:  # numbers only, carried: passes/preaccumulate.py
                out += self.recurrence(pad)
            elif k < 0.75 and not in_loop:
                i = "i" if loop_var is None else "j"
                header = r.choice(['range(n)', 'range(n - 1)', 'range(2)', 'reversed(range(n))',
                                   'reversed(range(1, n))', 'reversed(range(0, n, 2))'])
                out.append(f"{pad}for {i} in {header}:")
                inner = self.scoped(indent + 1, depth - 1, i, True)
                if r.random() < 0.5:
                    inner.append(f"{pad}    b[{i}] = {self.expr(2, i)}")
                elif r.random() < 0.3:  # a tuple of element targets: NumPy assigns in turn
                    inner.append(f"{pad}    b[{i}], b[{i} - 1] = b[{i} - 1], {self.expr(2, i)}")
                if i == "i" and r.random() < 0.6:
                    inner += self.nested(pad + "    ")
                ends = r.random() < 0.2
                if ends:
                    inner.append(f"{pad}    if {self.expr(1, i)} > 1.2:")
                    inner.append(f"{pad}        break")
                out += inner
                if not ends and r.random() < 0.2:  # the loop variable after the loop: its last
                    w = r.choice(self.scalars)
                    out.append(f"{pad}{w} = {w} + a[{i}] * {self.expr(1, None)}")
            elif k < 0.85 and not in_loop:
                s = r.choice(self.scalars)
                out.append(f"{pad}k = 0")
                out.append(f"{pad}while k < 3 and {s} < {r.uniform(0.0, 2.0):.3f}:")
                out.append(f"{pad}    {s} = {s} + 0.25 + 0.1 * {self.expr(2, loop_var)}")
                out.append(f"{pad}    k += 1")
            else:
                v = self.fresh()
                self.scalars.append(v)
                out.append(f"{pad}{v} = np.sum({r.choice(ARRAY_UNARY).format('a')} * b)")
        return out

    def recurrence(self, pad):
        """A loop whose step carries one or two numbers through calls and reads no array: its
        step's partial derivatives may be kept by the forward sweep."""
        r = self.rng
        state = r.sample(self.scalars, min(len(self.scalars), r.choice([1, 2])))
        new = [f"0.6 * {v} + 0.3 * {self.number_expr(2)}" for v in state]
        return [f"{pad}for i in range({r.choice(['n', 'n - 1', '3'])}):",
                f"{pad}    {', '.join(state)} = {', '.join(new)}"]

    def number_expr(self, depth):
        r = self.rng
        if depth <= 0 or r.random() < 0.3:
            return r.choice(self.scalars + ["(i * 0.1)", f"{r.uniform(-1.0, 1.0):.3f}"])
        if r.random() < 0.5:
            return "(" + r.choice(UNARY).format(self.number_expr(depth - 1)) + ")"
        t = r.choice(BINARY)
        parts = [self.number_expr(depth - 1) for _ in range(t.count("{}"))]
        if "/ (1.5" in t or "1.0 + {} * {}" in t:
            parts[2] = parts[1]
        return "(" + t.format(*parts) + ")"

    def nested(self, pad):
        """Loops inside the loop over i: a number set anew and added up over j (its partial
        sums need no saving), a row of M written at [i, j] and read back in a later inner
        loop (each step its own elements), inner steps that only add into adjoints."""
        r = self.rng
        self.uses_m = True
        v = r.choice(self.scalars) if r.random() < 0.7 else self.fresh()
        out = [f"{pad}{v} = {self.expr(1, 'i')}", f"{pad}for j in range(2):"]
        body = [f"{pad}    {v} = {v} + {self.expr(2, 'j')}"]
        if r.random() < 0.7:
            body.append(f"{pad}    M[i, j] = {self.expr(2, 'j')}")
        r.shuffle(body)
        out += body
        if r.random() < 0.6:
            w = r.choice(self.scalars)
            # (a step that reads w saves it, every inner step: the forward sweep's stack is
            # then an array sized before the loop over i, passes/step_stacks.py)
            step = r.choice([f"{w} * 0.5 + M[i, j] * {self.expr(1, 'j')}",
                             f"{w} * math.tanh(M[i, j] + {self.expr(1, 'j')})",
                             f"max({w}, M[i, j] * {self.expr(1, 'j')})"])
            out += [f"{pad}for j in range(2):", f"{pad}    {w} = {step}"]
        if v not in self.scalars:
            self.scalars.append(v)
        return out

    def scoped(self, *a):
        """A nested block whose new names are not used after it (they may not exist)."""
        saved = list(self.scalars)
        out = self.block(*a)
        self.scalars = saved
        return out

    def program(self):
        r = self.rng
        src = ["import math", "import numpy as np", "from numba import prange", "",
               "def hpair(p, q):", "    return p * q, p - q", "",
               "def htup(t):", "    return t[0] * t[1] + t[1]", "",
               "def hdef(p, q=0.5, k=-2):", "    return p * q + math.sin(p) * k", ""]
        for h in range(r.randint(0, 2)):
            name = f"h{h}"
            body = self.expr_helper()
            src += [f"def {name}(p, q):", f"    return {body}", ""]
            self.helpers.append(name)
        body = ["    b = np.zeros(n)", "    for i in range(n):", "        b[i] = a[i] * x"]
        block = self.block(1, 2)
        if self.uses_m:
            body.append("    M = np.zeros((n, 2))")
        body += block
        ret = " + ".join(r.sample(self.scalars, min(3, len(self.scalars))))
        if self.uses_m:
            ret += " + np.sum(M * M)"
        if r.random() < 0.3:  # a last loop adding up (its adjoint may be fused: loop_order.py;
            # over prange, in parallel: parallel.py)
            step = f"acc + {self.expr(2, 'i')}" if r.random() < 0.7 else \
                f"acc * 0.9 + {self.expr(1, 'i')}"  # a carried adjoint: never fused
            header = "prange" if step.startswith("acc + ") and r.random() < 0.4 else "range"
            body += [f"    acc = {ret} + np.sum(b * b)", f"    for i in {header}(n - 1):"]
            if r.random() < 0.15:  # a while with a break in a step (prange, or with
                # parallel=True: passes/parallel.py)
                body += ["        wu = a[i] * 0.5", "        wj = 0", "        while wj < 3:",
                         f"            wu = math.tanh(wu) * {self.expr(1, 'i')} + a[i + 1]",
                         "            wj += 1", "            if wu > 0.8:", "                break",
                         "        acc = acc + wu * wu"]
            elif r.random() < 0.3:
                body += [f"        if a[i] > {r.uniform(-0.5, 0.5):.3f}:",
                         f"            acc = {step}", "        else:",
                         f"            acc = acc + a[i + 1] * {self.expr(1, 'i')}"]
            else:
                body.append(f"        acc = {step}")
            body.append("    return acc")
        else:
            body.append(f"    return {ret} + np.sum(b * b)")
        src += ["def f(x, y, a, n):"] + body
        return "\n".join(src) + "\n"

    def expr_helper(self):
        saved = self.scalars
        self.scalars = ["p", "q"]
        e = self.expr(2)
        self.scalars = saved
        return e.replace("a[0]", "p").replace("a[3]", "q")


_RUN_DIR = []  # this process's directory of program files, removed when it exits


def load(text, tag):
    """The program's ``f``, imported from a file of its own (srcgrad reads the source) under
    one directory per process, which goes when the process exits."""
    if not _RUN_DIR:
        _RUN_DIR.append(tempfile.mkdtemp(prefix="srcgrad-fuzz-"))
        atexit.register(shutil.rmtree, _RUN_DIR[0], True)
    d = tempfile.mkdtemp(dir=_RUN_DIR[0])
    path = os.path.join(d, f"fuzz_{tag}.py")
    with open(path, "w") as fh:
        fh.write(text)
    spec = importlib.util.spec_from_file_location(f"fuzz_{tag}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod.f


def _fd(f, args, v, u, h):
    def at(t):
        a = list(args)
        a[0] = args[0] + t * v[0]
        a[1] = args[1] + t * v[1]
        a[2] = args[2] + t * v[2]
        return u * f(*a)
    return (at(h) - at(-h)) / (2 * h)


class Failure(Exception):
    pass


def check(f, seed, use_numba):
    """Raise Failure (with a reason) if any of the four checks fails; True if checked,
    False if the point was not smooth (skipped)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1.0, 1.0, N)
    args = (float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1)), a, N)
    expected = f(*args)
    backends = ("python", "numba") if use_numba else ("python",)
    v = [float(rng.standard_normal()), float(rng.standard_normal()), rng.standard_normal(N)]
    u = float(rng.standard_normal())
    fd1, fd2 = _fd(f, args, v, u, 1e-5), _fd(f, args, v, u, 1e-6)
    smooth = abs(fd1 - fd2) <= 1e-5 * max(1.0, abs(fd1))
    results = {}
    ends_in_a_loop = "    return acc\n" in inspect.getsource(inspect.getmodule(f))
    for backend in backends:
        with warnings.catch_warnings():
            warnings.simplefilter("error", srcgrad.FallbackWarning)
            out, vjp_fn = srcgrad.vjp(f, *args, wrt=("x", "y", "a"), backend=backend, cache=False)
            if not np.isclose(out, expected, rtol=1e-12, atol=1e-12):
                raise Failure(f"[{backend}] primal {out!r} != Python {expected!r}")
            bx, by, ba = vjp_fn(u)
            fuzz_checks.same_with_checkpoints(f, args, ("x", "y", "a"), u, (bx, by, ba), backend)
            fuzz_checks.same_with_parallel(f, args, ("x", "y", "a"), u, (bx, by, ba), backend)
            rev = bx * v[0] + by * v[1] + float(np.dot(ba, v[2]))
            if ends_in_a_loop:  # value_and_grad may fuse that loop (passes/loop_order.py)
                value, grads = srcgrad.value_and_grad(f, wrt=("x", "y", "a"), backend=backend,
                                                      cache=False)(*args)
                if not np.isclose(value, expected, rtol=1e-12, atol=1e-12):
                    raise Failure(f"[{backend}] value_and_grad's value {value!r} != {expected!r}")
                for g, c in zip(grads, (bx, by, ba)):  # vjp's cotangents: u times the gradient
                    if not np.allclose(u * np.asarray(g), c, rtol=1e-9, atol=1e-12):
                        raise Failure(f"[{backend}] value_and_grad {g!r} but vjp / u {c!r}")
            _, tan = srcgrad.jvp(f, args, (v[0], v[1], v[2], None), backend=backend, cache=False)
        fwd = u * tan
        if abs(fwd - rev) > 1e-9 * max(1.0, abs(rev)):
            raise Failure(f"[{backend}] forward <u, J v> = {fwd!r} but reverse gives {rev!r}")
        if smooth and abs(rev - fd2) > 1e-5 * max(1.0, abs(fd2)):
            raise Failure(f"[{backend}] reverse {rev!r} but finite differences {fd2!r}")
        results[backend] = (bx, by, ba)
    if use_numba:
        for p, q in zip(results["python"], results["numba"]):
            if not np.allclose(p, q, rtol=1e-10, atol=1e-12):
                raise Failure(f"Numba {q!r} and Python {p!r} backends differ")
    return smooth


def checker(text):
    """The check that fits a program: array programs take (x, y, a, M, T, n[, P][, rng]),
    broadcasting ones (A, B, r, W, gamma)."""
    if "def f(A, B, r, W, gamma)" in text:
        return fuzz_broadcast.check
    return fuzz_checks.check if "def f(x, y, a, M, T, n" in text else check


def fails(text, tag, seed, use_numba):
    try:
        checker(text)(load(text, tag), seed, use_numba)
        return None
    except Failure as e:
        return str(e)
    except srcgrad.UnsupportedError as e:
        return f"UnsupportedError on a program inside the subset: {e}"
    except Exception as e:  # noqa: BLE001 -- any crash is a finding
        return f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}"


def shrink(text, tag, seed, use_numba, reason):
    """Delete lines of f's body (a statement with its nested block; an if with its else)
    while the program still parses and fails the same way."""
    import ast
    kind = reason.split(":")[0]
    lines = text.split("\n")
    changed = True
    while changed:
        changed = False
        for i in range(len(lines) - 1, -1, -1):
            ln = lines[i]
            if not ln.startswith("    ") or ln.strip().startswith(("return", "b = np.zeros")):
                continue
            indent = len(ln) - len(ln.lstrip())
            j = i + 1
            while j < len(lines) and lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) > indent:
                j += 1
            if ln.strip() == "else:":
                continue
            if ln.strip().startswith("if ") and j < len(lines) and lines[j].strip() == "else:":
                j += 1  # the else block goes with its if
                while j < len(lines) and lines[j].strip() and \
                        len(lines[j]) - len(lines[j].lstrip()) > indent:
                    j += 1
            cand = "\n".join(lines[:i] + lines[j:])
            try:
                ast.parse(cand)
            except SyntaxError:
                continue
            why = fails(cand, tag + "s", seed, use_numba)
            if why and why.split(":")[0] == kind:
                lines = cand.split("\n")
                changed = True
                break
    return "\n".join(lines)


def save_regression(text, seed, reason):
    d = os.path.join(ROOT, "tests", "fuzz_regressions")
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha256(text.encode()).hexdigest()[:10]
    path = os.path.join(d, f"test_fuzz_{h}.py")
    body = ("# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.\n"
            f"# It failed with: {reason.splitlines()[0][:200]}\n"
            "import os\nimport sys\n\n"
            "sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))\n"
            "import fuzz  # noqa: E402\n\n"
            f"PROGRAM = {text!r}\n\n\n"
            f"def test_fuzz_{h}():\n"
            f"    fuzz.checker(PROGRAM)(fuzz.load(PROGRAM, 'r{h}'), {seed}, use_numba=True)\n")
    with open(path, "w") as fh:
        fh.write(body)
    return path


def run(seed=0, count=300, minutes=None, numba_every=10, save=True, log=print, shrink_them=True,
        kinds=("scalar", "array", "broadcast"), counts=None, progress=False):
    """Check ``count`` programs (or until ``minutes`` pass), alternating between ``kinds``
    (scalar programs from Gen, array programs from fuzz_arrays.ArrayGen, every transform;
    programs run at several shapes that broadcast from fuzz_broadcast.BroadcastGen);
    returns (checked, skipped, failures); ``counts`` (a dict) gets programs per kind."""
    deadline = time.time() + 60 * minutes if minutes else None
    checked = skipped = 0
    failures = []
    k = 0
    while (deadline is None and k < count) or (deadline is not None and time.time() < deadline):
        s = seed + k
        kind = kinds[k % len(kinds)]
        gen = {"scalar": Gen, "array": fuzz_arrays.ArrayGen,
               "broadcast": fuzz_broadcast.BroadcastGen}[kind]
        text = gen(random.Random(s)).program()
        use_numba = numba_every and k % numba_every < len(kinds)
        if counts is not None:
            counts[kind] = counts.get(kind, 0) + 1
            counts[kind + " with numba"] = counts.get(kind + " with numba", 0) + bool(use_numba)
        try:
            smooth = checker(text)(load(text, f"p{s}"), s, use_numba)
            checked += 1
            skipped += not smooth
        except Exception as e:  # noqa: BLE001
            reason = f"{type(e).__name__}: {e}"
            small = shrink(text, f"p{s}", s, use_numba, reason) if shrink_them else text
            path = save_regression(small, s, reason) if save else None
            failures.append((s, reason, small, path))
            log(f"FAIL seed {s}: {reason.splitlines()[0][:300]}\n{small}\nsaved: {path}")
        k += 1
        if progress:
            left = f", {max(0, deadline - time.time()):.0f} s left" if deadline else f" of {count}"
            print(f"\r[fuzz] {k} programs{left}: {len(failures)} failed", end="",
                  file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return checked, skipped, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--preaccumulate-all", action="store_true",
                    help="keep every qualifying loop step's partial derivatives, however many "
                         "(passes/preaccumulate.py GROWTH=None)")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--numba-every", type=int, default=10)
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--no-shrink", action="store_true",
                    help="report a failing program as generated (shrinking can take minutes)")
    ap.add_argument("--kinds", default="scalar,array,broadcast",
                    help="program kinds to alternate: scalar, array (every transform), "
                         "broadcast (one generated code at several shapes)")
    ap.add_argument("--checkpoint", type=int, default=None, metavar="S",
                    help="also check that gradients with every top-level loop checkpointed "
                         "(S snapshots) equal those without")
    ap.add_argument("--memory", default=None, metavar="BUDGET",
                    help='also check that gradients with a memory budget ("2kB": the loops '
                         'its plan chose checkpointed; "least": the least budget each program '
                         'can meet; "calls": every top-level helper call a plan could choose '
                         "checkpointed) equal those without")
    a = ap.parse_args()
    fuzz_checks.CHECKPOINT = a.checkpoint
    fuzz_checks.MEMORY = a.memory
    from srcgrad.passes import preaccumulate
    if a.preaccumulate_all:
        preaccumulate.GROWTH = None
    planned, preaccumulated = preaccumulate._Step.plan, [0]

    def counted(step):  # how often a loop step's partials were kept, for the summary
        p = planned(step)
        preaccumulated[0] += p is not None
        return p
    preaccumulate._Step.plan = counted
    t0 = time.time()
    counts = {}
    checked, skipped, failures = run(a.seed, a.count, a.minutes, a.numba_every, not a.no_save,
                                     shrink_them=not a.no_shrink,
                                     kinds=tuple(a.kinds.split(",")), counts=counts,
                                     progress=sys.stderr.isatty())
    print(f"{checked + len(failures)} programs in {time.time() - t0:.0f} s: {checked} passed "
          f"({skipped} at non-smooth points, derivative checks other than finite differences "
          f"only), {len(failures)} failed; per kind: "
          + ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
          + f"; loop steps whose partials were kept: {preaccumulated[0]}")
    if a.memory:
        print(f"memory={a.memory} plans: " + ", ".join(f"{k} {n}" for k, n in
                                                      fuzz_checks.PLANS.items()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

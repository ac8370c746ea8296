"""``srcgrad dump file.py:func [--wrt x,y] [--mode reverse|forward|primal] [--args KINDS]
[--side-by-side] [--no-color]``, ``srcgrad check file.py:func [--args KINDS] [--fd]``,
``srcgrad export file.py:func [--wrt x] [--args KINDS] [--mode reverse,forward] [-o out.py]``,
``srcgrad cache info|clear``

``--args "x=f8[:], A=f8[:,:], n=int"`` gives the argument kinds (Numba's spelling); without it
they come from the function's annotations, or are guessed from how the parameters are used
(and the output's first line says so).  Prints the generated source, highlighted with
Pygments on a terminal (not when piped, with ``--no-color`` or ``NO_COLOR`` set).  Exit status
2 for a bad path or a missing function, 1 for code srcgrad cannot differentiate (with the
located error); never a traceback.  ``dump`` and
``check`` import FILE.py, which runs its top-level code: what it prints goes to stderr, not
into the dumped source, and an exit or interrupt at import is a one-line error.
"""
import contextlib
import argparse
import importlib.util
import os
import re
import sys

from . import api
from .display import colorize, side_by_side, use_color  # noqa: F401 -- colorize: API
from .errors import SrcgradError, UnsupportedError




def load_function(target):
    """``path/to/file.py:func`` -> the function object (the file is imported)."""
    if ":" not in target:
        raise _Usage(f"expected FILE.py:FUNCTION, got {target!r}")
    path, name = target.rsplit(":", 1)
    if not os.path.isfile(path):
        raise _Usage(f"no such file: {path}")
    mod_name = "_srcgrad_cli_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # its prints are not generated source
            spec.loader.exec_module(module)
    except (Exception, SystemExit, KeyboardInterrupt) as e:  # noqa: BLE001 -- report, no trace
        raise _Usage(f"importing {path} failed: {type(e).__name__}: {e}")
    fn = getattr(module, name, None)
    if fn is None:
        raise _Usage(f"{path} has no function {name!r}")
    fn = getattr(fn, "primal", fn)  # a function decorated with @srcgrad.grad
    return fn


class _Usage(Exception):
    pass


def _checkpoint(text):
    """``--checkpoint 10`` or ``--checkpoint t=10,14=5`` (argparse type)."""
    try:
        if "=" not in text:
            return int(text)
        out = {}
        for part in text.split(","):
            which, n = (p.strip() for p in part.split("="))
            out[int(which) if which.isdigit() else which] = int(n)
        return out
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected S or NAME=S,LINE=S (S snapshots), "
                                         f"got {text!r}") from None


ARGS_HELP = ('argument kinds, e.g. "x=f8[:], A=f8[:,:], n=int" (float or f8, int or i8, bool; '
             "arrays as f8[:], f8[:,:]); default: the annotations, else guessed")


def _kinds(fn, text):
    """The --args text, checked now: a mistake in it is a usage error (exit 2)."""
    if text is None:
        return None
    from .frontend.source import read_source
    from .kinds import parse
    try:
        parse(text, read_source(fn).params)
    except SrcgradError as e:
        raise _Usage(str(e))
    return text


def _check_fd(fn, args):
    """``check --fd``: each statement's derivative against finite differences."""
    from .frontend.source import read_source
    from .gradcheck import check_grads
    from .kinds import values
    if args.args is None:
        print("srcgrad: check --fd needs --args with the values or shapes to check at "
              '(e.g. --args "x=f8[5], A=f8[5,5], n=3")', file=sys.stderr)
        return 2
    try:
        made = values(args.args, read_source(fn).params, seed=args.seed)
        report = check_grads(fn, *made, raise_=False)
    except SrcgradError as e:
        print(f"srcgrad: {e}", file=sys.stderr)
        return 1
    print(report)
    return 0 if report.ok else 1


def _said(work):
    """``work()``'s result, or the exit code after saying why it failed: 2 for a usage
    mistake, 1 for what srcgrad cannot do (never a traceback)."""
    try:
        return work(), 0
    except _Usage as e:
        print(f"srcgrad: {e}", file=sys.stderr)
        return None, 2
    except (SrcgradError, ValueError) as e:
        print(f"srcgrad: {e}", file=sys.stderr)
        return None, 1


def _memory(args):
    from .frontend.source import read_source
    from .kinds import values
    from .memory_report import memory

    def work():
        fn = load_function(args.target)
        made = values(args.args, read_source(fn).params)
        return memory(fn, *made, wrt=tuple(args.wrt.split(",")) if args.wrt else None,
                      checkpoint=args.checkpoint, memory=args.memory,
                      backend="python" if args.python else "numba")
    report, code = _said(work)
    if code == 0:
        sys.stdout.write(str(report))
    return code


def _export(args):
    from .export import export

    def work():
        fn = load_function(args.target)
        modes = tuple(m.strip() for m in args.mode.split(","))
        return export(fn, args.output, wrt=_wrt(args), kinds=_kinds(fn, args.args), modes=modes)
    text, code = _said(work)
    if code:
        return code
    if args.output is None:
        sys.stdout.write(text)
    else:
        print(f"srcgrad: wrote {args.output}", file=sys.stderr)
    return 0


def _wrt(args):
    wrt = tuple(w.strip() for w in args.wrt.split(",")) if args.wrt else 0
    if isinstance(wrt, tuple) and len(set(wrt)) != len(wrt):
        raise _Usage(f"--wrt names a parameter twice: {args.wrt}")
    if isinstance(wrt, tuple) and len(wrt) == 1:
        wrt = wrt[0]
    return wrt


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="srcgrad", description="srcgrad: source-transformation AD. dump and check import "
        "FILE.py, which runs its top-level code (as `python FILE.py` would, minus __main__).")
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump", help="print the generated derivative source of FILE.py:FUNCTION")
    dump.add_argument("target", metavar="FILE.py:FUNCTION")
    dump.add_argument("--wrt", default=None, help="comma-separated parameter names (default: the first)")
    dump.add_argument("--mode", default="reverse", choices=["reverse", "forward", "primal"])
    dump.add_argument("--args", default=None, metavar="KINDS", help=ARGS_HELP)
    dump.add_argument("--checkpoint", default=None, metavar="S", type=_checkpoint,
                      help="loop checkpoints: S snapshots for every top-level loop, or "
                           "t=S,12=S by loop variable or line (reverse mode)")
    dump.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    dump.add_argument("--side-by-side", action="store_true", help="each generated line next "
                      "to the line of FILE.py it comes from")
    check = sub.add_parser("check", help="list every construct of FILE.py:FUNCTION srcgrad "
                                         "cannot differentiate (exit 1 if any)")
    check.add_argument("target", metavar="FILE.py:FUNCTION")
    check.add_argument("--args", default=None, metavar="KINDS", help=ARGS_HELP + "; with "
                       "them the check also transforms the function for those kinds")
    check.add_argument("--wrt", default=None, help="comma-separated parameter names")
    check.add_argument("--fd", action="store_true", help="also compare every statement's "
                       "derivative with finite differences at arguments made up to --args "
                       "(shapes as f8[5,3], numbers as n=3); exit 1 at the first that "
                       "disagrees")
    check.add_argument("--seed", type=int, default=0, help="for the made-up arguments")
    exp = sub.add_parser("export", help="write FILE.py:FUNCTION's primal and derivatives as "
                                        "a module needing only NumPy (Numba if installed)")
    exp.add_argument("target", metavar="FILE.py:FUNCTION")
    exp.add_argument("--wrt", default=None, help="comma-separated parameter names")
    exp.add_argument("--args", default=None, metavar="KINDS", help=ARGS_HELP)
    exp.add_argument("--mode", default="reverse", help="comma-separated: reverse, forward, "
                     "value_and_grad (default reverse)")
    exp.add_argument("-o", "--output", default=None, help="the module to write (default: "
                     "print it)")
    mem = sub.add_parser("memory", help="what the reverse sweep of FILE.py:FUNCTION's "
                                        "gradient keeps, loop by loop, at arguments --args")
    mem.add_argument("target", metavar="FILE.py:FUNCTION")
    mem.add_argument("--args", required=True, metavar="KINDS", help="the arguments to measure "
                     'at: shapes and numbers, e.g. "u0=f8[1000], k=0.1, T=100000"')
    mem.add_argument("--wrt", default=None, help="comma-separated parameter names (default: "
                     "every float argument)")
    mem.add_argument("--checkpoint", default=None, metavar="S", type=_checkpoint,
                     help="with loop checkpoints, as for dump")
    mem.add_argument("--memory", default=None, metavar="BUDGET", help='with a budget, e.g. "8MB":'
                     " the snapshots it chooses and the steps they cost")
    mem.add_argument("--python", action="store_true", help="run the forward sweep as Python "
                     "(no compile)")
    cache_cmd = sub.add_parser("cache", help="the on-disk cache of generated and compiled code")
    cache_cmd.add_argument("action", choices=["info", "clear"])
    args = parser.parse_args(argv)
    if args.command == "cache":
        from .backend import cache as diskcache
        directory = diskcache.cache_dir(trusted=False)
        if args.action == "clear":
            print(f"srcgrad: {diskcache.clear(directory)}")
        else:
            i = diskcache.info(directory)
            print(f"directory: {i['directory'] or '(caching off: SRCGRAD_CACHE_DIR is empty)'}\n"
                  f"entries:   {i['entries']}\nsize:      {i['bytes'] / 1e6:.1f} MB")
        return 0
    if args.command == "export":
        return _export(args)
    if args.command == "memory":
        return _memory(args)
    if args.command == "check":
        from .frontend.check import check_function
        from .frontend.source import read_source
        try:
            fn = load_function(args.target)
            problems = check_function(read_source(fn))
            if not problems and args.args is not None:  # the kinds' own problems too
                api.source(fn, wrt=_wrt(args), kinds=_kinds(fn, args.args))
        except _Usage as e:
            print(f"srcgrad: {e}", file=sys.stderr)
            return 2
        except UnsupportedError as e:
            problems = e.problems
        except SrcgradError as e:
            print(f"srcgrad: {e}", file=sys.stderr)
            return 1
        for p in problems:
            print(p.format())
        print(f"{len(problems)} unsupported construct{'s' if len(problems) != 1 else ''} "
              f"in {args.target}")
        if problems or not args.fd:
            return 1 if problems else 0
        return _check_fd(fn, args)
    try:
        fn = load_function(args.target)
        from .transforms.derived import generated
        text, lines = generated(fn, mode=args.mode, wrt=_wrt(args), kinds=_kinds(fn, args.args),
                                checkpoint=args.checkpoint)
    except _Usage as e:
        print(f"srcgrad: {e}", file=sys.stderr)
        return 2
    except UnsupportedError as e:
        print(f"srcgrad: cannot differentiate {args.target}:\n{e}", file=sys.stderr)
        return 1
    except SrcgradError as e:
        print(f"srcgrad: {e}", file=sys.stderr)
        return 1
    color = use_color(sys.stdout, args.no_color)
    if args.side_by_side:
        sys.stdout.write(side_by_side(text, lines, color=color))
    else:
        sys.stdout.write(colorize(text) if color else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

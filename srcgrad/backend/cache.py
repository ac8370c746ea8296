"""A persistent cache: generated source, and Numba's machine code for it, on disk.

    <dir>/g_<key>.json   the result of transforming a function: source and metadata
    <dir>/m_<hash>.py    generated source as a module, so Numba's cache=True can work;
    <dir>/__pycache__/   Numba's own cache files for those modules

The directory is ``$SRCGRAD_CACHE_DIR``, else ``$XDG_CACHE_HOME/srcgrad`` or
``~/.cache/srcgrad``; ``SRCGRAD_CACHE_DIR=""`` (or ``cache=False``) disables caching.

Keys cover everything the output depends on: the source of the function *and of every user
function it calls, transitively* (Numba does not track dependencies: a cached caller would
keep a stale callee), the values of global constants it reads, srcgrad's, Numba's and NumPy's
versions, the mode, ``wrt`` and argument kinds.  A module's name is the hash of its own text,
and a module that calls other generated functions names their hashes in its text, so a change
anywhere below gives new files.  Files are written to a temporary name and renamed (atomic;
an existing file is never rewritten in place, since Numba keys its index on mtime and size).
A corrupt entry is rebuilt with a CacheWarning; an unwritable directory means no caching.
"""
import hashlib
import inspect
import json
import numbers
import os
import sys
import tempfile
import threading
import types
import warnings

import numba
import numpy as np

from ..errors import CacheWarning
from . import cachedir

VERSION = "srcgrad-cache-1"
# (np: NumPy with its allocation functions' Numba implementations cached, runtime/cached_numpy.py)
MODULE_HEADER = ("import math\nfrom srcgrad.runtime.cached_numpy import np\n"
                 "from srcgrad.runtime import *  # noqa\n\n")


def cache_dir(enabled=None, trusted=True):
    """The cache directory, or None when caching is off (or, with ``trusted``, when the
    directory is not safe to use: see cachedir.py)."""
    if enabled is False:
        return None
    env = os.environ.get("SRCGRAD_CACHE_DIR")
    if env is not None:
        directory = env or None
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        directory = os.path.join(base, "srcgrad")
    return cachedir.usable(directory) if trusted else directory


_OWN_CODE = []
_IMPORT_LOCK = threading.Lock()


def _own_code():
    """A hash of srcgrad's own source files, once per process: a changed rule or pass must
    never be answered from a cache written by other code under the same version string."""
    if not _OWN_CODE:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        h = hashlib.sha256()
        for folder, dirs, files in sorted(os.walk(root)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".py"):
                    path = os.path.join(folder, f)
                    h.update(os.path.relpath(path, root).encode() + b"\0")
                    with open(path, "rb") as fh:
                        h.update(fh.read() + b"\0")
        _OWN_CODE.append(h.hexdigest()[:16])
    return _OWN_CODE[0]


def _versions():
    from .. import __version__
    return (f"{VERSION} srcgrad {__version__} code {_own_code()} numba {numba.__version__} "
            f"numpy {np.__version__}")


def _digest(parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _value_bytes(v):
    fingerprint = getattr(v, "fingerprint", None)  # a user's rule (srcgrad/custom.py)
    if isinstance(fingerprint, str):
        return fingerprint.encode()
    if isinstance(v, np.ndarray):
        return repr((v.dtype.str, v.shape)).encode() + np.ascontiguousarray(v).tobytes()
    return (type(v).__name__ + ":" + repr(v)).encode()


def source_closure(src):
    """Sources of ``src``'s function and every user function it calls, transitively, and the
    values of the global constants they read."""
    import ast
    from ..frontend.source import _MISSING, read_source
    parts, seen, todo = [], set(), [src]
    while todo:
        s = todo.pop()
        if s.filename + s.name in seen:
            continue
        seen.add(s.filename + s.name)
        owner = f"{getattr(s.fn, '__module__', '')}.{getattr(s.fn, '__qualname__', s.name)}"
        parts.append(ast.dump(s.tree, include_attributes=True) + s.filename + "\0" + owner)
        for node in ast.walk(s.tree):
            if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
                obj = s.resolve(node)
                if obj is _MISSING or inspect.ismodule(obj):
                    continue
                if getattr(obj, "__srcgrad_rule__", False):  # a user's rule: its functions
                    parts.append(owner.encode() + b":" + ast.unparse(node).encode() + b"="
                                 + obj.natives()["PRIMAL"].fingerprint.encode())
                    for f in (obj.fn, obj.fwd, obj.bwd, obj.jvp):  # and what they call
                        f = getattr(f, "py_func", f)
                        if inspect.isfunction(f):
                            try:
                                todo.append(read_source(f))
                            except Exception:  # noqa: BLE001 -- the fingerprint has its text
                                pass
                    continue
                if inspect.isfunction(obj) and not getattr(obj, "__module__", "").startswith(
                        ("numpy", "math", "scipy", "numba")):
                    try:
                        todo.append(read_source(obj))
                    except Exception:  # noqa: BLE001 -- the check stage reports it
                        pass
                elif isinstance(obj, (numbers.Number, np.ndarray)):
                    parts.append(owner.encode() + b":" + ast.unparse(node).encode() + b"="
                                 + _value_bytes(obj))
    return sorted(p if isinstance(p, bytes) else p.encode() for p in parts)


def transform_key(src, wrt, kinds, mode, intermediates, checkpoint=(), parallel=False,
                  budgeted=False, long_axes=()):
    return _digest([_versions(), mode, tuple(wrt), tuple(intermediates), repr(checkpoint),
                    "parallel" if parallel else "serial", "budgeted" if budgeted else "",
                    tuple(sorted(long_axes)),
                    tuple(sorted((k, repr(v)) for k, v in kinds.items()))] + source_closure(src))


def _write_atomic(path, data):
    """Write ``data`` to ``path`` via a temporary file and a rename; False if the directory is
    not writable."""
    d = os.path.dirname(path)
    try:
        os.makedirs(d, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:  # full disk, file-size limit: compiled but not cached; no litter
        try:
            os.remove(tmp)
        except OSError:
            pass
        return False


def _checksum(meta):
    body = {k: v for k, v in meta.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def load_transform(directory, key):
    """The cached transformation result (a dict), or None.  An entry that does not match the
    checksum written with it is never used (nothing in it runs): it is deleted and rebuilt."""
    path = os.path.join(directory, f"g_{key}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            meta = json.load(fh)
        if not isinstance(meta, dict) or meta.get("sha256") != _checksum(meta):
            raise ValueError("checksum mismatch")
        if meta.get("key") != key or not isinstance(meta.get("source"), str):
            raise ValueError("wrong key or no source")
        compile(meta["source"], path, "exec")
        return meta
    except FileNotFoundError:
        return None
    except (OSError, ValueError, SyntaxError, UnicodeDecodeError, TypeError) as e:
        warnings.warn(f"srcgrad cache entry {path} is unreadable ({type(e).__name__}: {e}); "
                      "rebuilding it", CacheWarning, stacklevel=4)
        try:
            os.remove(path)
        except OSError:
            pass
        return None


def store_transform(directory, key, meta):
    meta = {"key": key, **meta}
    meta["sha256"] = _checksum(meta)
    _write_atomic(os.path.join(directory, f"g_{key}.json"), json.dumps(meta))


def module_text(source, deps, constants):
    """The text of a generated module: imports, the hashes of what it calls and of the
    constants it reads (so that any change gives another file), and the source."""
    lines = [MODULE_HEADER.rstrip("\n")]
    for name, h in sorted(deps.items()):
        lines.append(f"# calls {name} from module {h}")
    for name, v in sorted(constants.items()):
        lines.append(f"# constant {name}: {_digest([_value_bytes(v)])}")
    return "\n".join(lines) + "\n\n" + source


def module_hash(text):
    return "m_" + _digest([_versions(), text])


def import_module(directory, text):
    """Import generated ``text`` as a module in ``directory`` (written once, by content hash);
    returns (module, hash) or (None, hash) when the directory cannot be used."""
    h = module_hash(text)
    path = os.path.join(directory, h + ".py")
    try:
        with open(path, "rb") as fh:  # bytes: a flipped bit may not decode
            ok = fh.read() == text.encode("utf-8")  # the whole text is known
        if not ok:
            warnings.warn(f"srcgrad cache file {path} is corrupt; rebuilding it", CacheWarning,
                          stacklevel=4)
    except FileNotFoundError:
        ok = False
    except OSError:
        return None, h
    if not ok and not _write_atomic(path, text):
        return None, h
    with _IMPORT_LOCK:  # one thread executes a module; it is published only once complete
        if h in sys.modules:
            return sys.modules[h], h
        # the text just compared is what runs, under the file's name (Numba's cache=True
        # finds its files from it), never the file again or a .pyc written beside it
        module = types.ModuleType(h)
        module.__file__ = path
        try:
            exec(compile(text, path, "exec"), module.__dict__)
        except Exception:  # noqa: BLE001 -- unusable entry: no caching for it
            return None, h
        sys.modules[h] = module
    return module, h


def _numba_files(directory, h):
    folder = os.path.join(directory, "__pycache__")
    try:
        return folder, sorted(f for f in os.listdir(folder)
                              if f.startswith(h + ".") and f.endswith((".nbi", ".nbc")))
    except OSError:
        return folder, []


def _file_sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def verify_numba_files(directory, h):
    """Before Numba may load its cached machine code for module ``h``: every one of its files
    must match the checksums srcgrad recorded after Numba wrote them.  Files that do not (a
    flipped bit, a foreign file, no record) are deleted, so Numba compiles afresh instead of
    loading damaged code."""
    folder, files = _numba_files(directory, h)
    if not files:
        return
    try:
        with open(os.path.join(directory, h + ".numba.json"), encoding="utf-8") as fh:
            sums = json.load(fh)
        ok = isinstance(sums, dict) and all(
            sums.get(f) == _file_sha(os.path.join(folder, f)) for f in files)
    except (OSError, ValueError):
        ok = False
    if not ok:
        warnings.warn(f"srcgrad: Numba's cached code for {h} does not match its checksums; "
                      "recompiling it", CacheWarning, stacklevel=5)
        for f in files:
            try:
                os.remove(os.path.join(folder, f))
            except OSError:
                pass


def record_numba_files(directory, h):
    """After Numba compiled (and cached) code for module ``h``: record its files' checksums."""
    folder, files = _numba_files(directory, h)
    try:
        sums = {f: _file_sha(os.path.join(folder, f)) for f in files}
    except OSError:
        return
    path = os.path.join(directory, h + ".numba.json")
    try:
        with open(path, encoding="utf-8") as fh:
            if json.load(fh) == sums:
                return  # loaded from the cache: nothing new to record
    except (OSError, ValueError):
        pass
    if sums:
        _write_atomic(path, json.dumps(sums))


def info(directory):
    if not directory or not os.path.isdir(directory):
        return {"directory": directory, "entries": 0, "bytes": 0}
    n, size = 0, 0
    for root, _, files in os.walk(directory):
        for f in files:
            size += os.path.getsize(os.path.join(root, f))
            n += f.startswith("g_")
    return {"directory": directory, "entries": n, "bytes": size}


def clear(directory):
    """Delete srcgrad's own entries only; returns a one-line message."""
    return cachedir.clear(directory)

"""The cache directory and whether to trust it, as ``ssh`` trusts ``~/.ssh``.

    usable("~/.cache/srcgrad")   ->  the directory (created 0700 with a marker file), or
                                     None with one CacheWarning when it is not safe to use

A cache holds code that srcgrad executes, so a directory is used only when this user owns it
and nobody else can write to it (``SRCGRAD_CACHE_SHARED=1`` opts in to a group-shared cache on
a cluster, whose members then trust each other).  Generated modules are imported through a
finder that knows only ``m_<32 hex digits>`` names in used directories, never by putting the
directory on ``sys.path``.  ``clear`` deletes only srcgrad's own entries, and only in a
directory that carries srcgrad's marker.
"""
import importlib.abc
import importlib.util
import os
import re
import shutil
import sys
import warnings

from ..errors import CacheWarning

MARKER = ".srcgrad-cache"
_MODULE = re.compile(r"m_[0-9a-f]{32}")
_RUNTIME = re.compile(r"runtime-[0-9a-f]{16}-numba[0-9a-z.]+-O[0-3]")
_ENTRY = re.compile(r"(g_[0-9a-f]{32}\.json|m_[0-9a-f]{32}\.(py|numba\.json)|\.tmp-.*)")
_warned = set()
_checked = {}


def _warn_once(directory, why):
    if directory not in _warned:
        _warned.add(directory)
        warnings.warn(f"srcgrad: not using the cache directory {directory}: {why}; caching is "
                      "off (see docs/cache.md)", CacheWarning, stacklevel=5)


def usable(directory):
    """``directory`` if it is safe to read and write code in (created if missing), else None."""
    if not directory:
        return None
    if directory in _checked:
        return _checked[directory]
    _checked[directory] = result = _check(directory)
    if result:
        _FINDER.directories.append(result)
    return result


def _check(directory):
    try:
        if not os.path.lexists(directory):
            os.makedirs(directory, mode=0o700, exist_ok=True)
            os.chmod(directory, 0o700)
            open(os.path.join(directory, MARKER), "w").close()
        if os.path.islink(directory) and not os.path.isdir(directory):
            _warn_once(directory, "it is a dangling symbolic link")
            return None
        st = os.stat(directory)
    except OSError as e:
        _warn_once(directory, f"{type(e).__name__}: {e.strerror or e}")
        return None
    if not os.path.isdir(directory):
        _warn_once(directory, "it is not a directory")
        return None
    if os.environ.get("SRCGRAD_CACHE_SHARED") != "1":
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            _warn_once(directory, "it belongs to another user")
            return None
        if st.st_mode & 0o022:
            _warn_once(directory, "others can write to it (chmod 700 it, or set "
                                  "SRCGRAD_CACHE_SHARED=1 for a shared cache)")
            return None
    if not os.path.exists(os.path.join(directory, MARKER)):
        try:
            open(os.path.join(directory, MARKER), "w").close()
        except OSError:
            pass  # read-only: still readable
    return directory


def clear(directory):
    """Delete srcgrad's entries in ``directory``; returns a one-line message."""
    if not directory:
        return "caching is off"
    if not os.path.isdir(directory):
        return f"{directory} is not a directory; nothing cleared"
    if not os.path.exists(os.path.join(directory, MARKER)):
        return f"{directory} is not a srcgrad cache (no {MARKER} file); nothing cleared"
    n = 0
    for name in os.listdir(directory):  # the runtime helpers' machine code (runtime/jit.py)
        path = os.path.join(directory, name)
        if _RUNTIME.fullmatch(name) and os.path.isdir(path) and not os.path.islink(path):
            n += len(os.listdir(path))
            shutil.rmtree(path, ignore_errors=True)
    for folder in (directory, os.path.join(directory, "__pycache__")):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            ours = _ENTRY.fullmatch(name) or (folder != directory and name.startswith("m_"))
            path = os.path.join(folder, name)
            if ours and os.path.isfile(path) and not os.path.islink(path):
                os.remove(path)
                n += 1
    return f"cleared {n} files from {directory}"


class _Finder(importlib.abc.MetaPathFinder):
    """Imports ``m_<hash>`` generated modules (Numba imports them by name when it loads cached
    code that calls another generated function) from used cache directories only."""

    def __init__(self):
        self.directories = []

    def find_spec(self, name, path=None, target=None):
        if not _MODULE.fullmatch(name):
            return None
        for d in self.directories:
            f = os.path.join(d, name + ".py")
            if os.path.isfile(f):
                return importlib.util.spec_from_file_location(name, f)
        return None


_FINDER = _Finder()
sys.meta_path.append(_FINDER)

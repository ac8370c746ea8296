"""Stages 7 and 8: emit source (emit.py) and compile it (compile.py)."""

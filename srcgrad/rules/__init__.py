"""Derivative rules: one table (table.py), read by the reverse and forward passes."""
from .table import RULES, CALLS, NONDIFF_CALLS, CREATION_CALLS, Rule  # noqa: F401

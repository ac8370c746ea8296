"""Derivative rules: one table (table.py), read by the reverse and forward passes."""
from .table import CALLS, CREATION_CALLS, NONDIFF_CALLS, RULES, Rule

__all__ = ["RULES", "CALLS", "NONDIFF_CALLS", "CREATION_CALLS", "Rule"]

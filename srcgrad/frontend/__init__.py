"""Stage 1 and 2: read the user's function (source.py) and check the subset (check.py)."""

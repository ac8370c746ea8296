"""docs/subset.md's coverage table is generated from the rule table and the test table
(tools/numpy_coverage.py); it must say what the code does."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import numpy_coverage as cov  # noqa: E402


def test_coverage_table_in_docs_is_current():
    assert cov.main(["--check"]) == 0, "run: python tools/numpy_coverage.py --write"


def test_an_entry_counts_only_with_a_rule_and_a_test_row():
    rows = {sp: ok for _, sp, ok in cov.rows()}
    assert rows["np.sin"] and rows[".sum()"] and rows["@"]
    assert rows["np.partition"] and rows["np.sort"]
    assert cov._known("np.no_such_function") is False
    # a call in the tables but spelled by no test row is not counted either
    assert cov._tested("np.no_such_function") is False

"""Transformation time grows linearly with the function's size (issue 11): the ratio of the
times for 4000 and 1000 statements (500 and 125 as one loop's body), measured in the same
process, is a growth ratio, not a speed: 4 for a linear pass, 16 for a quadratic one.  Before
the passes were made linear the loop's ratio was 12.4.  The absolute times are measured by
``python tools/transform_time.py`` (docs/benchmarks.md)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tools"))
import transform_time  # noqa: E402

# three primitive operations a statement keep the straight-line test cheap (about 6 s in all)
LIGHT = "s = s * y + {k}.0 * {x}"


def _growth(tmp_path, n, loop, statement):
    small = min(transform_time.transform_seconds(n, tmp_path, loop, statement=statement)
                for _ in range(2))
    large = transform_time.transform_seconds(4 * n, tmp_path, loop, statement=statement)
    return large / small


def test_straight_line_code_transforms_in_linear_time(tmp_path):
    ratio = _growth(str(tmp_path), 1000, False, LIGHT)  # measured: 4.6
    assert ratio < 7, f"4x the statements took {ratio:.1f}x the time"


def test_a_long_loop_body_transforms_in_linear_time(tmp_path):
    ratio = _growth(str(tmp_path), 125, True, transform_time.STATEMENT)  # measured: 5.0
    assert ratio < 7, f"4x the statements took {ratio:.1f}x the time"

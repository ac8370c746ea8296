import os
import sys
import warnings

# the suite tests compilation itself; tests/test_cache.py turns the disk cache on explicitly
os.environ["SRCGRAD_CACHE_DIR"] = ""
# The suite checks what compiled code computes, not how fast: LLVM's optimizer (most of
# Numba's compile time) off halves the suite's compiles.  Without fastmath, which srcgrad
# never asks for, the IEEE results are the same at every level; tools/bench.py measures speed
# at Numba's default level.  NUMBA_OPT=3 in the environment runs the suite as users compile.
os.environ.setdefault("NUMBA_OPT", "0")

sys.path.insert(0, os.path.dirname(__file__))
warnings.filterwarnings("ignore", category=__import__("numba").NumbaPerformanceWarning)

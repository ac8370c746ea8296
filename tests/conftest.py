import os
import sys
import warnings

# the suite tests compilation itself; tests/test_cache.py turns the disk cache on explicitly
os.environ["SRCGRAD_CACHE_DIR"] = ""

sys.path.insert(0, os.path.dirname(__file__))
warnings.filterwarnings("ignore", category=__import__("numba").NumbaPerformanceWarning)

"""Parallel loops: ``prange`` (Numba's; a plain range when run as Python), and the thread a
step runs on, for the per-thread copies of an adjoint that several steps add into
(passes/parallel.py).  Numba's own functions, which run both compiled and as Python (thread 0
of however many Numba would use)."""
import numba

__all__ = ["prange", "thread_id", "num_threads"]

prange = numba.prange
thread_id = numba.get_thread_id
num_threads = numba.get_num_threads

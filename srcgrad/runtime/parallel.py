"""Parallel loops: ``prange`` (Numba's; a plain range when run as Python), and the thread a
step runs on, for the per-thread copies of an adjoint that several steps add into
(passes/parallel.py).  They run both compiled and as Python (thread 0 of however many Numba
would use).

``num_threads`` is not Numba's ``get_num_threads`` inside compiled code: Numba's calls its
threading layer through a ctypes function pointer, and machine code holding one cannot be
cached ("uses dynamic globals"), so every parallel gradient was compiled again in every
process, with Numba's warning.  Ours calls the same function of the threading layer by its
symbol's name, as Numba's ``get_thread_id`` does, and caches.
"""
import numba

__all__ = ["prange", "thread_id", "num_threads"]

prange = numba.prange
thread_id = numba.get_thread_id


def num_threads():
    """The number of threads Numba runs a parallel loop on (in this thread's setting)."""
    return numba.get_num_threads()


def _compiled_num_threads():
    """``num_threads`` in compiled code: a call of the threading layer's function by name.
    (Imported here, not at the top: an exported module copies this one and runs it without
    Numba, where only ``num_threads`` itself is needed; srcgrad/export.py.)"""
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic, overload

    @intrinsic
    def _threading_layer_num_threads(typingctx):
        numba.get_num_threads()  # (starts the threading layer, whose symbol the call links to)

        def codegen(context, builder, signature, args):
            fnty = ir.FunctionType(cgutils.intp_t, [])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "get_num_threads")
            return builder.call(fn, [])
        return types.intp(), codegen

    @overload(num_threads)
    def _ol_num_threads():
        def impl():
            return _threading_layer_num_threads()
        return impl


if getattr(numba, "config", None) is not None:  # (Numba itself, not an export's stand-in)
    _compiled_num_threads()

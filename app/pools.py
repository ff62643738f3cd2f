"""The executors one app computes with, created from its settings by create_app and shut down
with it (issue 26): a test or a second app in one process gets its own.

    compute  one thread per computation slot, below the event loop's priority (api.compute)
    beside   a helper thread per slot: half of the Jacobian norms' SVDs beside the request's thread
    apart    one process for the gradient check (finite differences hold the GIL)
"""

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from .settings import Settings


def lower_priority(nice: int) -> None:
    """Runs in each new computation thread and in the apart process. On Linux a thread has its own
    nice value, and 0 names the calling thread; elsewhere it would name the whole process, the
    event loop too, so not there."""
    if nice and sys.platform.startswith("linux"):
        os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0) + nice)


def _apart(priority: int, server: int) -> None:
    """Runs once in the apart process: one BLAS thread (app.main says why), the computations'
    priority, and a watch that ends it with the server's process. A server stopped by SIGTERM
    (uvicorn re-raises it after its own shutdown, so no exit hook runs) had left it orphaned.
    The priority is set, not added: a process spawned from a computation thread inherits that
    thread's lowered one (adding to it had lowered it twice)."""
    threadpool_limits(1, user_api="blas")
    if sys.platform.startswith("linux") and os.getpriority(os.PRIO_PROCESS, 0) < priority:
        os.setpriority(os.PRIO_PROCESS, 0, priority)

    def watch():
        while os.getppid() == server:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-server").start()


def _own_priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0) if sys.platform.startswith("linux") else 0


@dataclass(frozen=True)
class Pools:
    compute: Executor
    beside: Executor
    apart: Executor

    @classmethod
    def create(cls, settings: Settings) -> "Pools":
        slots = settings.max_concurrent_computations
        return cls(
            # the computations' own threads (not the pool that serves FastAPI's plain def
            # endpoints): at most one per slot, each below the event loop's priority
            compute=ThreadPoolExecutor(slots, thread_name_prefix="compute", initializer=lower_priority,
                                       initargs=(settings.compute_nice,)),
            # started from a computation thread, so sharing its lower priority
            beside=ThreadPoolExecutor(slots, thread_name_prefix="beside"),
            # Finite differences are thousands of small NumPy calls that each take the GIL: an answer
            # computed meanwhile in this process waited on them (a slider's, T = 32 H = 16: 2 ms
            # alone, 630 ms beside checks in a thread, 2 ms beside checks here). One process, started
            # fresh (spawn: forking a process that runs threads is unsafe) at the first check and kept.
            apart=ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_apart,
                                      initargs=(_own_priority() + settings.compute_nice, os.getpid())),
        )

    def close(self) -> None:
        """Nothing queued runs; the threads end with what they are computing. The process is
        waited for: left to Python's exit, its wake-up pipe, already closed, raised at shutdown."""
        for pool in (self.compute, self.beside):
            pool.shutdown(wait=False, cancel_futures=True)
        self.apart.shutdown(wait=True, cancel_futures=True)


class AppPools:
    """An app's pools, made at its first computation and again after a shutdown: one app can be
    started and stopped more than once in a process (a test client per test; schemathesis reads
    the schema through a started app), and a stopped app's executors take no more work."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._pools: Pools | None = None
        self._lock = threading.Lock()

    def get(self) -> Pools:
        with self._lock:
            if self._pools is None:
                self._pools = Pools.create(self.settings)
            return self._pools

    def close(self) -> None:
        with self._lock:
            if self._pools is not None:
                self._pools.close()
                self._pools = None

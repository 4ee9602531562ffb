"""Worker processes end when the process that started them dies.

A sweep's main process can be killed outright (SIGKILL, an out-of-memory kill, a closed
terminal). Its pool workers, the ``forkserver`` they fork from and the resource tracker
would then keep running. Two guards, both cheap:

- :func:`die_with_parent` asks Linux to send SIGKILL to this process when its parent ends
  (``prctl(PR_SET_PDEATHSIG)``); elsewhere it does nothing;
- :func:`watch` starts a daemon thread that ends this process once a given process (the
  sweep's main process) no longer exists, whatever the start method made its parent.

This module is also a ``forkserver`` preload: imported in the fork server (and only
there: it checks), it makes the server die with the main process, so the resource
tracker, which lives while any of them holds its pipe, ends too.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from sim.run.outdir import pid_alive

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        pass


def watch(pid: int, interval: float = 0.5) -> None:
    """End this process (without cleanup: its parent is gone) once ``pid`` has ended."""

    def loop() -> None:
        while pid_alive(pid) and os.getppid() != 1:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=loop, name="alliance-sim-orphan-watch", daemon=True).start()


def worker_started(main_pid: int) -> None:
    """Pool initializer part: a worker ends with the sweep's main process."""
    die_with_parent()
    watch(main_pid)


if "multiprocessing.forkserver" in sys.modules and sys.argv[:1] == ["-c"]:  # preloaded in the fork server
    die_with_parent()

"""A run's figures drawn by another process, alongside the run.

Importing matplotlib and drawing the three run figures took as long as the rest of a
run. ``alliance-sim run`` therefore starts a figure process as soon as it has read the
scenario: while the run imports Mesa and steps its model, that process imports
matplotlib and draws what the scenario fixes of the pair-levels figure (its panels, axes
and key: :mod:`sim.plots.draft`); when the model is done the run sends it the figures'
record of the run (:class:`sim.run.figure_data.FigureRun`, a few arrays) and writes its
tables and report while the figure process, and a helper it forks for the other figures,
draw. The run itself never imports matplotlib, and the drawing processes leave without
the interpreter's clean-up.

The run folder still appears whole or not at all (:func:`sim.files.atomic_folder`): the
run waits for the figures before its folder is renamed into place; a figure that fails
sends back its name and traceback, and the run fails with a :class:`sim.errors.FigureError`
and leaves no folder. If the run stops first (an error, Ctrl-C), the figure process is
told to stop (it ends and reaps its helpers) and reaped before the temporary folder is
removed; the drawing processes die with the run if it is killed outright.

With one core, no ``fork`` (Windows), or other Python threads in the process (a notebook, a
test runner), the figures are drawn in the run's own process when the model is done, with the
same errors.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import traceback
import warnings
from pathlib import Path
from typing import Callable

from sim.ensembles.orphans import die_with_parent
from sim.errors import FigureError
from sim.run.figure_data import FigurePlan, FigureRun
from sim.run.outdir import RUN_FIGURES

#: Which figures each drawing process draws: the figure process the first group, a helper it
#: forks each other group. The pair levels are the longest to draw, unless drawn in advance
#: (:func:`sim.plots.run.run_drafts`): then finishing them is short, and the figure
#: process draws the heatmap too.
GROUPS = (("levels",), ("heatmap", "network"))
GROUPS_DRAFTED = (("levels", "heatmap"), ("network",))
#: Seconds a figure process is given to leave when the run stops before its figures are drawn.
GRACE = 2.0


class _Failed(Exception):
    """A drawing process's report: the figure's name on the first line, then the traceback."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether the figures are drawn by forked processes: ``fork`` exists, there is a second
    core to draw on, and no other Python thread runs (a fork copies the calling thread only,
    so a lock another thread held would stay locked in the child; ``alliance-sim`` runs
    one, a notebook or a test runner may run more, and draws in its own process)."""
    return hasattr(os, "fork") and cores() >= 2 and threading.active_count() == 1


def _fork_alone() -> int:
    """``os.fork``, without Python's warning that the process runs other threads: with no
    other Python thread, those are native threads of libraries that prepare for a fork
    themselves (pyarrow's jemalloc, numpy's OpenBLAS register fork handlers)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        return os.fork()


class FigureProcess:
    """The process that draws one run's figures: started early, sent the run when it is done.

    Use :meth:`start`, then :meth:`send` (or :meth:`stop` if the run fails before its
    figures), then :meth:`wait`; :meth:`stop` is always safe to call at the end.
    """

    def __init__(self) -> None:
        self.pid: int | None = None  # None: the figures are drawn in this process
        self.report = -1  # read end of the process's report pipe
        self.payload = -1  # write end of the pipe that carries the run to it

    @classmethod
    def start(cls, plan: FigurePlan | None = None) -> "FigureProcess":
        """Fork the figure process (it imports matplotlib at once), where forking pays.

        Given the run's ``plan``, it then draws what the scenario fixes of the figures
        while it waits for the run.
        """
        self = cls()
        if not can_fork():
            return self
        read, self.payload = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()  # nothing buffered before the fork may be written twice
        try:
            self.pid, self.report = _fork(lambda: _figure_process(read, self.payload, plan), os.getpid())
        except OSError:  # pragma: no cover - no process to be had (a limit): drawn here
            os.close(self.payload)
            self.payload = -1
        finally:
            os.close(read)
        return self

    def send(self, run: FigureRun, folder: Path) -> None:
        """Draw ``run``'s figures into ``folder`` (in this process if there is no figure process)."""
        if self.pid is None:
            _draw(run, tuple(RUN_FIGURES), Path(folder), here=True)
            return
        data = pickle.dumps((run, Path(folder)), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.payload, view):]
        except BrokenPipeError:  # the figure process has ended: wait() says why
            pass
        finally:
            os.close(self.payload)
            self.payload = -1

    def wait(self) -> None:
        """Wait until the figures are drawn; a FigureError names the first that failed."""
        if self.pid is None:
            return
        report = _collect(self.pid, self.report)
        self.pid = None
        if report:
            name, _, detail = report.partition("\n")
            raise _figure_error(name, detail)

    def stop(self) -> None:
        """End the figure process if it is still there (the run failed or was interrupted).

        It is asked first (SIGTERM: it kills and reaps its helpers, then leaves, within a
        drawing call); if it has not left after :data:`GRACE` seconds it is killed, and its
        helpers die with it.
        """
        if self.payload >= 0:
            os.close(self.payload)
            self.payload = -1
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                if not select.select([self.report], [], [], GRACE)[0]:  # pragma: no cover - a stuck process
                    os.kill(self.pid, signal.SIGKILL)
                _collect(self.pid, self.report)
            except (ProcessLookupError, ChildProcessError, OSError):  # pragma: no cover - reaped already
                pass
            self.pid = None


def _fork(work: Callable[[], None], parent: int) -> tuple[int, int]:
    """Fork a process that does ``work`` and ends; its id and the read end of its report pipe."""
    read, write = os.pipe()
    pid = _fork_alone()
    if pid == 0:  # pragma: no cover - the child; what it does is seen in the files it writes
        os.close(read)
        _child(work, write, parent)
    os.close(write)
    return pid, read


def _child(work: Callable[[], None], pipe: int, parent: int) -> None:  # pragma: no cover - in the child
    """Do ``work`` and leave the process; a failure goes back through ``pipe``."""
    status = 1
    try:
        _bound_to_parent(parent)
        work()
        status = 0
    except _Failed as failed:
        _write_all(pipe, str(failed))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent; nothing escapes a child
        _write_all(pipe, "\n" + traceback.format_exc())
    finally:
        try:
            sys.stderr.flush()  # a library's warnings
        finally:
            os._exit(status)


def _collect(pid: int, pipe: int) -> str:
    """Read a child's report to its end (it ends when the child does) and reap the child.

    Returns:
        "" when it did its work, else the figure's name, a line break and what went wrong.
    """
    chunks = []
    while chunk := os.read(pipe, 65536):
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    os.close(pipe)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return ""
    report = b"".join(chunks).decode("utf-8", "replace")
    return report or (f"\nkilled by signal {-code}" if code < 0 else f"\nexit status {code}")


def _figure_process(payload: int, unused: int, plan: FigurePlan | None) -> None:  # pragma: no cover - in the child
    """Import matplotlib and draw what the plan fixes, read the run, draw the first group and
    have helpers draw the others."""
    os.close(unused)  # the run's end of the payload pipe: its end of file must come from the run alone
    signal.signal(signal.SIGTERM, _stopped)  # leave through the clean-up below, helpers reaped
    from sim.plots.run import run_drafts  # the figures' modules, while the run imports Mesa and steps
    from sim.plots.style import warm_up

    warm_up()  # and the rest of matplotlib and the font
    try:
        drafts = run_drafts(plan) if plan is not None else {}
    except Exception:  # the figure it drafts fails, named as a failure in drawing it would be
        raise _Failed(f"levels\n{traceback.format_exc()}") from None
    groups = GROUPS_DRAFTED if "levels" in drafts else GROUPS
    chunks = []
    while chunk := os.read(payload, 1 << 20):
        chunks.append(chunk)
    if not chunks:  # the run stopped before its figures
        return
    run, folder = pickle.loads(b"".join(chunks))
    run.dyads  # noqa: B018 - built once, before the helpers are forked
    helpers = [_fork(lambda names=names: _draw(run, names, folder), os.getpid()) for names in groups[1:]]
    reports = []
    try:
        _draw(run, groups[0], folder, drafts=drafts)
        while helpers:
            reports.append(_collect(*helpers[0]))
            helpers.pop(0)
    except BaseException:  # a figure failed, or the run stopped us: no helper may outlive this process
        for pid, pipe in helpers:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                _collect(pid, pipe)
        raise
    if report := next((r for r in reports if r), ""):
        raise _Failed(report)


def _stopped(signum, frame):  # pragma: no cover - in the figure process
    # The request can land inside a callback (an import's module-lock clean-up runs as one
    # while the figure modules load). Python cannot raise out of a callback: it would print
    # "Exception ignored in ..." with a traceback on the terminal the process shares with the
    # run, which is already reporting its own error, and carry on drawing.
    sys.unraisablehook = _leave_quietly
    raise SystemExit(1)


def _leave_quietly(unraisable) -> None:  # pragma: no cover - in the figure process
    """A stop caught in a callback: leave now, silently (helpers die with this process,
    :func:`_bound_to_parent`); any other exception lost in a callback while stopping is dropped."""
    if isinstance(unraisable.exc_value, SystemExit):
        os._exit(1)


def _draw(run: FigureRun, names: tuple[str, ...], folder: Path, here: bool = False, drafts=None) -> None:
    """Draw ``names``, finishing ``drafts`` (:func:`sim.plots.run.run_drafts`) where there are;
    a failure names its figure (a FigureError ``here``, in the run's process)."""
    from sim.plots.run import draw_run_figure

    for name in names:
        try:
            draw_run_figure(run, name, folder, drafts)
        except Exception:
            if here:
                raise _figure_error(name, traceback.format_exc()) from None
            raise _Failed(f"{name}\n{traceback.format_exc()}") from None


def _bound_to_parent(parent: int) -> None:  # pragma: no cover - runs in the child
    """Leave Ctrl-C to the run (it stops the drawing and cleans up), and die with the parent:
    a run killed outright (SIGKILL) must not leave processes writing into a temporary
    folder that the next run removes (:func:`sim.run.outdir.remove_stale_temporaries`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the request took hold
        os._exit(1)


def _write_all(fd: int, text: str) -> None:  # pragma: no cover - in the child
    try:
        view = memoryview(text.encode("utf-8", "replace"))
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        pass


def _figure_error(name: str, detail: str) -> FigureError:
    return FigureError(f"could not draw {RUN_FIGURES.get(name, 'the figures')} ({_last_line(detail)}); "
                       "no run folder was written", detail)


def _last_line(detail: str) -> str:
    """The exception line of a traceback (``ValueError: ...``)."""
    lines = [line for line in detail.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no reason given"

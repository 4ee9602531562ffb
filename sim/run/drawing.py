"""A run's figures drawn by child processes while the run writes its tables and report.

After the model has stepped, importing matplotlib and drawing the three run figures take
longer than everything else a run does. On a machine with two or more cores the run forks
child processes that draw them (the finished model is shared with each child,
copy-on-write, so nothing is copied or computed twice) while the parent writes the
tables, manifest and report into the same temporary folder. The parent imports no
matplotlib; a child imports it, draws its figures and leaves at once, without the
interpreter's clean-up.

The run folder still appears whole or not at all (:func:`sim.files.atomic_folder`): the
parent waits for every child before the folder is renamed into place, and a child that
fails sends its traceback back, so the run fails with a :class:`sim.errors.FigureError`
naming the figure and leaves no folder behind. If the parent stops first (an error, Ctrl-C)
the children are killed and reaped before the temporary folder is removed.

Where ``fork`` is missing (Windows) or one core is all there is, the figures are drawn in
the process, with the same errors.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import FigureError
from sim.run.outdir import RUN_FIGURES

if TYPE_CHECKING:  # pragma: no cover
    from sim.run.simulate import RunResult

#: Which figures each child draws: the pair levels (the longest to draw) alone, the other two together.
GROUPS = (("levels",), ("heatmap", "network"))


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass
class Drawing:
    """The run figures being drawn into one folder: a child process per group of figures.

    Attributes:
        folder: Where the figures go (the run's temporary folder).
        children: {process id: (figures it draws, read end of its error pipe)} of the
            children not yet waited for.
    """

    folder: Path
    children: dict[int, tuple[tuple[str, ...], int]] = field(default_factory=dict)

    def wait(self) -> None:
        """Wait for every child; a FigureError names the first that failed."""
        failures = [failure for pid in list(self.children) if (failure := self._reap(pid))]
        if failures:
            files, detail = failures[0]
            raise _failed(files, detail)

    def stop(self) -> None:
        """Kill and reap the children still drawing (the run failed or was interrupted)."""
        for pid, (_, pipe) in list(self.children.items()):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):  # pragma: no cover - reaped already
                pass
            os.close(pipe)
            del self.children[pid]

    def _reap(self, pid: int) -> tuple[str, str] | None:
        """Read a child's report to its end (it ends when the child does), then its exit status.

        Returns:
            None when the child drew its figures, else the figure file(s) it failed on and why.
        """
        names, pipe = self.children[pid]
        chunks = []
        while chunk := os.read(pipe, 65536):
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        os.close(pipe)
        del self.children[pid]
        code = os.waitstatus_to_exitcode(status)
        if code == 0:
            return None
        name, _, detail = b"".join(chunks).decode("utf-8", "replace").partition("\n")
        if name in RUN_FIGURES:
            return RUN_FIGURES[name], detail
        return " and ".join(RUN_FIGURES[n] for n in names), (f"killed by signal {-code}" if code < 0
                                                             else f"exit status {code}")


def start_drawing(res: "RunResult", folder: Path) -> Drawing:
    """Start drawing the run figures of ``res`` (:data:`~sim.run.outdir.RUN_FIGURES`) into
    ``folder``; :meth:`Drawing.wait` for them.

    Without fork or a second core they are drawn here and now, before this returns.
    """
    drawing = Drawing(Path(folder))
    if not hasattr(os, "fork") or cores() < 2:
        _draw_here(res, drawing.folder)
        return drawing
    res.dyads  # noqa: B018 - built once, before the fork, for the tables and every figure
    sys.stdout.flush()
    sys.stderr.flush()  # nothing buffered before the fork may be written twice
    parent = os.getpid()
    try:
        for names in GROUPS:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child; its work is seen in the files it writes
                os.close(read)
                _child(res, names, drawing.folder, write, parent)
            os.close(write)
            drawing.children[pid] = (names, read)
    except BaseException:
        drawing.stop()
        raise
    return drawing


def _child(res: "RunResult", names: tuple[str, ...], folder: Path, pipe: int,
           parent: int) -> None:  # pragma: no cover
    """Draw ``names`` and leave the process; a failure goes back through ``pipe`` as the
    figure's name on one line and the traceback after it."""
    status, name = 1, names[0]
    try:
        _bound_to_parent(parent)
        from sim.plots.run import draw_run_figure

        for name in names:
            draw_run_figure(res, name, folder)
        status = 0
    except BaseException:  # noqa: BLE001 - everything goes back to the parent; nothing escapes a child
        try:
            os.write(pipe, f"{name}\n{traceback.format_exc()}".encode("utf-8", "replace"))
        except OSError:
            pass
    finally:
        try:
            sys.stderr.flush()  # a library's warnings
        finally:
            os._exit(status)


def _bound_to_parent(parent: int) -> None:  # pragma: no cover - runs in the child
    """Leave Ctrl-C to the parent (it stops the children and cleans up), and die with it:
    a parent killed outright (SIGKILL) must not leave children writing into a temporary
    folder that the next run removes (:func:`sim.run.outdir.remove_stale_temporaries`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took hold
        os._exit(1)


def _draw_here(res: "RunResult", folder: Path) -> None:
    """Draw every figure in this process, failing as a child would."""
    from sim.plots.run import draw_run_figure

    for name in RUN_FIGURES:
        try:
            draw_run_figure(res, name, folder)
        except Exception:
            raise _failed(RUN_FIGURES[name], traceback.format_exc()) from None


def _failed(files: str, detail: str) -> FigureError:
    return FigureError(f"could not draw {files} ({_last_line(detail)}); no run folder was written", detail)


def _last_line(detail: str) -> str:
    """The exception line of a traceback (``ValueError: ...``)."""
    lines = [line for line in detail.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no reason given"

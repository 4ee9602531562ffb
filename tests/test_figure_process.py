"""The run figures drawn by a figure process (sim.run.drawing): the same pictures as drawn in
the run's own process, and a figure that fails fails the run cleanly, leaving no folder and
no process behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import sim.plots.run as figures
from sim.cli.main import main
from sim.run import drawing
from sim.run.outdir import RUN_FIGURES
from sim.run.figure_data import figure_run
from sim.run.simulate import simulate, write_run
from tests.conftest import SCENARIOS

SCENARIO = SCENARIOS / "central_asia_1991_2024.yaml"
@pytest.fixture
def forked(monkeypatch):
    """Figure processes forked as ``alliance-sim`` forks them (a test runner may run threads
    of its own), if there is a second core."""
    if drawing.cores() < 2:
        pytest.skip("one core: the figures are always drawn in the run's process")
    monkeypatch.setattr(drawing, "can_fork", lambda: True)


def _all_children() -> set[int]:
    """The processes this one has started and not yet reaped (zombies included)."""
    me = str(os.getpid())
    found = set()
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1] == me:
                found.add(int(d))
        except (OSError, IndexError):
            pass
    return found


_BEFORE: set[int] = set()


@pytest.fixture(autouse=True)
def _children_before_the_test():
    """Other tests in the same worker may keep processes of their own (a CLI driver, a
    browser); only the processes started during this test count."""
    _BEFORE.clear()
    _BEFORE.update(_all_children())


def children() -> list[int]:
    """The processes this test has started and not yet reaped (zombies included)."""
    return sorted(_all_children() - _BEFORE)


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_the_figure_process_draws_the_same_pictures_as_the_run_process(tmp_path, monkeypatch, forked):
    res = simulate(SCENARIO, 0)
    write_run(res, tmp_path / "forked", plots=True, report=True)
    monkeypatch.setattr(drawing, "can_fork", lambda: False)  # no figure process: drawn here
    write_run(res, tmp_path / "here", plots=True, report=True)
    for name in RUN_FIGURES.values():
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    assert (tmp_path / "forked" / "report.md").read_text() == (tmp_path / "here" / "report.md").read_text()
    assert not children()


@pytest.mark.parametrize("figure", ["level_lines", "snapshots"], ids=["figure process", "its helper"])
@pytest.mark.parametrize("fork", [True, False], ids=["forked", "drawn here"])
def test_a_figure_that_fails_fails_the_run_with_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys,
                                                                            figure, fork):
    def broken(*args, **kwargs):
        raise ValueError("no room for the legend")

    monkeypatch.setattr(figures, figure, broken)  # the figure processes are forked from this one
    if fork and drawing.cores() < 2:
        pytest.skip("one core: the figures are always drawn in the run's process")
    monkeypatch.setattr(drawing, "can_fork", lambda: fork)
    out = tmp_path / "runs" / "r"
    status = main(["run", str(SCENARIO), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    file = RUN_FIGURES["levels" if figure == "level_lines" else "network"]
    assert status == 1
    assert err[-1] == (f"alliance-sim: error: could not draw {file} (ValueError: no room for the legend); "
                       "no run folder was written")
    assert any("Traceback" in line for line in err[:-1]), "the failure's traceback, for a bug report"
    assert not out.exists() and not hidden(tmp_path / "runs"), "no run folder, whole or half-written"
    assert not children(), "no figure process left behind"


def test_an_earlier_run_folder_survives_a_run_whose_figures_fail(tmp_path, monkeypatch, capsys, forked):
    out = tmp_path / "r"
    assert main(["run", str(SCENARIO), "--out", str(out), "--no-plots"]) == 0
    before = sorted(p.name for p in out.iterdir())
    monkeypatch.setattr(figures, "snapshots", lambda *a, **k: 1 / 0)
    assert main(["run", str(SCENARIO), "--out", str(out)]) == 1
    assert "could not draw network_snapshots.png (ZeroDivisionError" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_run_that_fails_before_its_figures_stops_the_figure_process(tmp_path, monkeypatch, capsys, forked):
    started = []  # the processes' ids
    start = drawing.FigureProcess.start

    def recorded(*args):
        process = start(*args)
        started.append(process.pid)
        return process

    monkeypatch.setattr(drawing.FigureProcess, "start", recorded)
    # a reference table of the wrong kind: readable, refused by the checks that run after the fork
    blocs = "reference=../seeds/reference/central_asia_reference_blocs.csv"
    assert main(["run", str(SCENARIO), "--out", str(tmp_path / "r"), "--set", blocs]) == 2
    assert "expected a reference timeline" in capsys.readouterr().err
    assert started and started[0], "the figure process was started before the checks"
    assert not (tmp_path / "r").exists()
    assert not children()


def test_a_figure_process_stopped_before_it_is_sent_a_run_leaves_quietly(forked):
    process = drawing.FigureProcess.start()
    assert process.pid
    process.stop()
    assert process.pid is None and not children()


def test_a_figure_process_killed_outright_fails_the_run(tmp_path, monkeypatch, capsys, forked):
    import signal

    monkeypatch.setattr(figures, "level_lines", lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
    out = tmp_path / "r"
    assert main(["run", str(SCENARIO), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert ("alliance-sim: error: could not draw the figures (killed by signal 9); no run folder was written"
            in err), err
    assert not out.exists() and not hidden(tmp_path)
    assert not children(), "the figure process was reaped"


def test_a_run_stopped_while_its_figures_are_drawn_leaves_no_drawing_process(tmp_path, monkeypatch, forked):
    import ctypes
    import time

    # Orphans are handed to this process instead of init, so that a helper left behind shows.
    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1) != 0:
        pytest.skip("no child subreaper on this system")
    monkeypatch.setattr(figures, "level_lines", lambda *a, **k: time.sleep(60))  # the figure process
    monkeypatch.setattr(figures, "snapshots", lambda *a, **k: time.sleep(60))  # its helper
    process = drawing.FigureProcess.start()
    process.send(figure_run(simulate(SCENARIO, 0)), tmp_path)
    time.sleep(1.0)  # both are drawing
    start = time.monotonic()
    process.stop()
    assert time.monotonic() - start < drawing.GRACE + 1
    time.sleep(0.2)
    assert not children(), "the figure process and its helper are gone and reaped"


def test_a_stop_that_lands_inside_a_callback_prints_no_traceback():
    """The figure process is asked to stop while it may be importing; a stop that lands in
    an import's module-lock clean-up (a weakref callback) left the callback with SystemExit,
    and Python printed "Exception ignored in ... Traceback" on the terminal the run shares
    (a hostile-input run failed CI that way), and the process carried on. Reproduced here
    with a weakref callback: the process leaves at once with the stop's exit status, and
    nothing reaches stderr."""
    import subprocess
    import sys

    code = ("import gc, weakref\n"
            "from sim.run.drawing import _stopped\n"
            "class Lock: pass\n"
            "lock = Lock()\n"
            "ref = weakref.ref(lock, lambda _: _stopped(15, None))\n"
            "del lock\n"
            "gc.collect()\n"
            "print('after')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr == "", proc.stderr
    assert proc.returncode == 1 and proc.stdout == ""  # stopped in the callback, not after it

"""Hostile and careless input, driven only through the command line (issue 11).

Every case runs the command line (``sim.cli.main.main``) in a long-lived driver process
(``tests/cli_driver.py``, one per test process, restarted after any crash or time-out)
whose working directory is a fresh temporary folder holding a copy of
``tests/data/hostile``, under a wall-time limit and an address-space limit; a
representative handful, the ``--out`` and interruption tests also run as real
``python -m sim`` processes. A refusal must be exit status 2 with one line
``alliance-sim: error: FILE[:LINE]: field 'FIELD': expected ...`` naming the file that holds
the problem, the field and the line where the corpus says there is one; no traceback, no
MemoryError, nothing written, and never the contents of a file that was not what was
expected. The corpus is described row by row in ``tests/data/hostile/cases.csv``:

``file``        the hostile file (in tests/data/hostile)
``command``     check | run | validate | sweep (how the file is given, see ``command_for``)
``exit``        expected exit status (2)
``field``       the field or column the message must name (quoted), empty where none applies
``line``        the line number the message must give (``:N:`` or ``line N``), empty if none
``names``       the file the message must name (default: ``file``)
``secret``      text of a private file that must never appear in the output
``extra``       extra command-line arguments (for ``run``, replaces ``--no-plots``)

Big or special inputs (50 MB files, 3,000 states, symlinks, FIFOs, devices, deep
``extends`` chains) are made at run time so the repository stays small. The tests do not
import the ``sim`` package: they depend only on its command line and file formats.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
CASES = list(csv.DictReader((HOSTILE / "cases.csv").open(encoding="utf-8", newline="")))
TIME_LIMIT = 20.0             # seconds of wall time per command
MEMORY_LIMIT = 2 * 1024 ** 3  # bytes of address space per command
SECRET = "s3cr3t-h05t1le-42"   # the token inside hostile/secret.txt
VALID = ("name: ok\ntime: {start: 2000, end: 2005}\nstates:\n  - {id: A, power: 0.5}\n"
         "  - {id: B, power: 0.4}\n  - {id: C, power: 0.3}\noutputs: {pairs: [[A, B]]}\n")


# ---------------------------------------------------------------------------------------
# Running the command line under limits
# ---------------------------------------------------------------------------------------

@dataclass
class Result:
    args: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("alliance-sim: error:")]

    def head(self, n: int = 4) -> str:
        lines = (self.stderr.strip() or self.stdout.strip()).splitlines()
        shown = lines[:n]
        if len(lines) > n:
            shown.append(f"... ({len(lines) - n} more lines; last: {lines[-1][:300]})")
        return "\n".join(shown)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _env() -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("PYTHONPATH", None)
    return env


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    """A real ``python -m sim ARGS`` in ``cwd``, with the limits, in its own session."""
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                            preexec_fn=_limits, start_new_session=True)


def sim(*args, cwd: Path, timeout: float = TIME_LIMIT, subprocess_: bool = False) -> Result:
    """``alliance-sim ARGS`` in ``cwd`` with time and memory limits.

    By default the command runs in this test process's long-lived driver
    (``tests/cli_driver.py``, the same limits, one import of ``sim`` for many cases);
    ``subprocess_=True`` starts a real ``python -m sim`` as a user would.
    """
    if not subprocess_:
        return _DRIVER.run([*map(str, args)], cwd, timeout)
    argv = [*map(str, args)]
    t0 = time.monotonic()
    proc = _start(argv, cwd)
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        timed_out = True
    return Result(argv, proc.returncode, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), time.monotonic() - t0, timed_out)


class _Driver:
    """One ``tests/cli_driver.py`` process per test process, restarted after any surprise."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        driver = Path(__file__).resolve().parent / "cli_driver.py"
        return subprocess.Popen([sys.executable, str(driver)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=_env(), preexec_fn=_limits,
                                start_new_session=True)

    def stop(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc.pid)
            self.proc.wait()
            self.proc.stdout.close()
            self.proc.stdin.close()
            self.proc = None

    def run(self, args: list[str], cwd: Path, timeout: float) -> Result:
        import select

        fresh = self.proc is None or self.proc.poll() is not None
        if fresh:
            self.stop()
            self.proc = self._start()
        t0 = time.monotonic()
        self.proc.stdin.write((json.dumps({"argv": args, "cwd": str(cwd)}) + "\n").encode())
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout + (5 if fresh else 0))
        line = self.proc.stdout.readline() if ready else b""
        seconds = time.monotonic() - t0
        if not line:  # timed out, or the driver died (the memory limit, a signal)
            code = None
            if ready:
                try:
                    code = self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            self.stop()
            return Result(args, code, "", "", seconds, not ready)
        reply = json.loads(line)
        res = Result(args, reply["returncode"], reply["stdout"], reply["stderr"], seconds, False)
        if res.returncode not in (0, 2) or "MemoryError" in res.output:
            self.stop()  # a fresh process for the next case
        return res


_DRIVER = _Driver()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under root with its type, size and content hash for small files."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            st = p.lstat()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir",)
            elif not stat.S_ISREG(st.st_mode):
                out[rel] = ("special", st.st_mode)
            else:
                out[rel] = ("file", st.st_size, hash(p.read_bytes()) if st.st_size < 1 << 20 else st.st_mtime_ns)
    return out


def command_for(case: dict, out: str = "out") -> list[str]:
    file = f"hostile/{case['file']}"
    extra = shlex.split(case.get("extra") or "")
    cmd = case["command"]
    if cmd == "check":
        return ["check", file, *extra]
    if cmd == "run":
        return ["run", file, "--out", out, *(extra or ["--no-plots"])]
    if cmd == "validate":
        return ["validate", "hostile/ok_ab.yaml", "--reference", file, "--seeds", "1", "--states", "A,B",
                "--out", out, *extra]
    if cmd == "sweep":
        return ["sweep", file, "--out", out, "--workers", "1", "--no-progress", "--no-plots", *extra]
    raise ValueError(f"unknown command {cmd!r} in cases.csv")


def _field_named(field: str, line: str) -> bool:
    """The field, quoted; a more precise path inside it also counts ('time' by 'time.start')."""
    q = re.escape(field)
    return re.search(rf"""(?:'{q}(?:[.\[][^']*)?'|"{q}(?:[.\[][^"]*)?"|`{q}(?:[.\[][^`]*)?`)""", line) is not None


def refusal_problems(res: Result, *, names: str | None, field: str = "", line: str = "",
                     secret: str = "", exit_code: int = 2) -> list[str]:
    """Everything wrong with a refusal; empty when it is right."""
    problems = []
    if res.timed_out:
        problems.append(f"still running after {TIME_LIMIT:.0f} s (killed)")
    if "MemoryError" in res.output or (not res.timed_out and res.returncode in
                                       (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT)):
        problems.append(f"ran out of memory or was killed (limit {MEMORY_LIMIT >> 30} GB, status {res.returncode})")
    if "RecursionError" in res.output:
        problems.append("RecursionError")
    if "Traceback" in res.output:
        problems.append("traceback in the output")
    if not res.timed_out and res.returncode != exit_code:
        problems.append(f"exit status {res.returncode}, expected {exit_code}")
    errors = res.error_lines()
    if len(errors) != 1:
        problems.append(f"{len(errors)} 'alliance-sim: error:' lines, expected exactly one")
    msg = errors[0] if errors else ""
    if errors:
        if names and Path(names).name not in msg:
            problems.append(f"message does not name the file {Path(names).name}")
        if field and not _field_named(field, msg):
            problems.append(f"message does not name the field '{field}'")
        if line and not (f":{line}:" in msg or re.search(rf"\bline {line}\b", msg)):
            problems.append(f"message does not give line {line}")
        if "expected" not in msg:
            problems.append("message does not say what was expected")
    if secret and secret in res.output:
        problems.append("message echoes the contents of a private file")
    return problems


def _fail(problems: list[str], res: Result) -> None:
    if problems:
        pytest.fail("; ".join(problems) + f"\n$ alliance-sim {shlex.join(res.args)}\n"
                    f"exit {res.returncode}, {res.seconds:.1f} s\n{res.head()}", pytrace=False)


def _refused_untouched(root: Path, judge: Callable[[Result], list[str]], *args, **sim_kwargs) -> None:
    """Run ``alliance-sim ARGS`` in root, judge its refusal and fail if any file under root
    changed: a refusal must leave every file as it was."""
    before = snapshot(root)
    res = sim(*args, cwd=root, **sim_kwargs)
    problems = judge(res)
    after = snapshot(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        problems.append(f"files changed: {changed[:5]}")
    _fail(problems, res)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A working folder holding a private copy of the corpus as ``hostile/``."""
    shutil.copytree(HOSTILE, tmp_path / "hostile", symlinks=True)
    return tmp_path


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------

def test_the_corpus_is_large_and_consistent():
    assert len(CASES) >= 100
    assert len({c["file"] for c in CASES}) == len(CASES), "one row per file"
    for c in CASES:
        assert (HOSTILE / c["file"]).is_file(), c["file"]
        assert c["command"] in ("check", "run", "validate", "sweep"), c
        assert c["exit"] == "2" and c["description"], c
        assert c["line"] == "" or c["line"].isdigit(), c
    big = [p for p in HOSTILE.rglob("*") if p.is_file() and p.stat().st_size > 64 * 1024]
    assert not big, f"corpus files must stay small: {big}"


def _prepare(case: dict, work: Path) -> None:
    """Cases that need something the repository must not hold."""
    if case["file"] == "sweep_runner_evil.yaml":  # a module next to the user, on sys.path under -m
        shutil.copy(work / "hostile" / "pwned_runner.py", work / "pwned_runner.py")
    if case["file"] == "extends_deep_chain.yaml":
        for i in range(1, 1500):
            (work / "hostile" / f"chain_{i}.yaml").write_text(f"extends: chain_{i + 1}.yaml\nname: c{i}\n")
        (work / "hostile" / "chain_1500.yaml").write_text(VALID)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_hostile_input_is_refused_cleanly(case, work):
    _prepare(case, work)
    before = snapshot(work)
    res = sim(*command_for(case), cwd=work)
    problems = refusal_problems(res, names=case["names"] or case["file"], field=case["field"],
                                line=case["line"], secret=case["secret"], exit_code=int(case["exit"]))
    after = snapshot(work)
    added = sorted(set(after) - set(before))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    removed = sorted(set(before) - set(after))
    if added:
        problems.append(f"wrote {added[:5]}")
    if changed or removed:
        problems.append(f"changed or removed input files {(changed + removed)[:5]}")
    _fail(problems, res)


def test_two_events_of_one_name_are_refused_naming_the_first(work):
    """Event names were not checked: a scenario loaded and ran with two events named
    'coup', which drop_events and the explanations could not tell apart. The second is
    refused at its own field and line, with the name and where the first one is."""
    res = sim("check", "hostile/event_name_twice.yaml", cwd=work)
    problems = refusal_problems(res, names="event_name_twice.yaml", field="events[2].name", line="14")
    if res.error_lines() and not res.error_lines()[0].endswith(
            "hostile/event_name_twice.yaml:14: field 'events[2].name': expected a name no other event "
            "has (events[0] on line 8 has it already; drop_events and explanations name an event by "
            "its name), got 'coup'"):
        problems.append("message does not give the name and where the first event of that name is")
    _fail(problems, res)


# ---------------------------------------------------------------------------------------
# Inputs made at run time: size, devices, symlinks, FIFOs, state counts
# ---------------------------------------------------------------------------------------

def _big_many_lines(work: Path) -> tuple[list, dict]:
    p = work / "big50mb.yaml"
    with p.open("w") as fh:
        fh.write(VALID)
        line = "# " + "x" * 98 + "\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    return ["check", p.name], dict(names=p.name)


def _big_one_line(work: Path) -> tuple[list, dict]:
    p = work / "longline.yaml"
    p.write_text(VALID + "description: " + "y" * (20 * 1024 * 1024) + "\n")
    return ["check", p.name], dict(names=p.name)


def _many_states(work: Path) -> tuple[list, dict]:
    p = work / "states3000.yaml"
    body = "".join(f"  - {{id: S{i}, power: {0.1 + (i % 7) / 10}}}\n" for i in range(3000))
    p.write_text("name: many\ntime: {start: 2000, end: 2030}\nstates:\n" + body)
    return ["check", p.name], dict(names=p.name, field="states", line="3")


def _many_states_run(work: Path) -> tuple[list, dict]:
    args, kw = _many_states(work)
    return ["run", args[1], "--out", "out", "--no-plots"], kw


def _scenario_symlink_to_dev_zero(work: Path) -> tuple[list, dict]:
    (work / "zero.yaml").symlink_to("/dev/zero")
    return ["check", "zero.yaml"], dict(names="zero.yaml")


def _scenario_symlink_loop(work: Path) -> tuple[list, dict]:
    (work / "loop_a.yaml").symlink_to("loop_b.yaml")
    (work / "loop_b.yaml").symlink_to("loop_a.yaml")
    return ["check", "loop_a.yaml"], dict(names="loop_a.yaml")


def _scenario_symlink_to_dir(work: Path) -> tuple[list, dict]:
    (work / "dir.yaml").symlink_to(work / "hostile")
    return ["check", "dir.yaml"], dict(names="dir.yaml")


def _csv_symlink_to_secret(work: Path) -> tuple[list, dict]:
    (work / "pairs.csv").symlink_to(work / "hostile" / "secret.txt")
    (work / "s.yaml").write_text(VALID + "pairs: {csv: pairs.csv}\n")
    return ["check", "s.yaml"], dict(names="pairs.csv", secret=SECRET)


def _states_fifo(work: Path) -> tuple[list, dict]:
    os.mkfifo(work / "states.yaml")
    (work / "s.yaml").write_text("name: f\ntime: {start: 2000, end: 2005}\nstates: states.yaml\n")
    return ["check", "s.yaml"], dict(names="s.yaml", field="states", line="3")


def _scenario_fifo(work: Path) -> tuple[list, dict]:
    os.mkfifo(work / "fifo.yaml")
    return ["check", "fifo.yaml"], dict(names="fifo.yaml")


def _check_dev_zero(work: Path) -> tuple[list, dict]:
    return ["check", "/dev/zero"], dict(names="/dev/zero")


def _check_dev_urandom(work: Path) -> tuple[list, dict]:
    return ["run", "/dev/urandom", "--out", "out", "--no-plots"], dict(names="/dev/urandom")


def _set_states_dev_zero(work: Path) -> tuple[list, dict]:
    (work / "s.yaml").write_text(VALID)
    return ["check", "s.yaml", "--set", "states=/dev/zero"], dict(names="s.yaml", field="states")


def _set_alias(work: Path) -> tuple[list, dict]:
    (work / "s.yaml").write_text(VALID)
    return ["check", "s.yaml", "--set", "mechanism.temperature=[" + "[" * 3000 + "]" * 3000 + "]"], \
        dict(names="s.yaml", field="mechanism.temperature")


def _sweep_dev_zero(work: Path) -> tuple[list, dict]:
    return ["sweep", "/dev/zero", "--out", "out", "--workers", "1", "--no-progress"], dict(names="/dev/zero")


def _validate_reference_dev_zero(work: Path) -> tuple[list, dict]:
    return ["validate", "hostile/ok_ab.yaml", "--reference", "/dev/zero", "--seeds", "1", "--states", "A,B"], \
        dict(names="/dev/zero")


def _validate_reference_fifo(work: Path) -> tuple[list, dict]:
    os.mkfifo(work / "ref.csv")
    return ["validate", "hostile/ok_ab.yaml", "--reference", "ref.csv", "--seeds", "1", "--states", "A,B"], \
        dict(names="ref.csv")


def _validate_big_reference(work: Path) -> tuple[list, dict]:
    p = work / "bigref.csv"
    with p.open("w") as fh:
        fh.write("a,b,year,de_jure,de_facto,source,confidence,note\n")
        row = "A,B,2001,1,1,s,1," + "n" * 200 + "\n"
        fh.write(row * (60 * 1024 * 1024 // len(row)))
    return ["validate", "hostile/ok_ab.yaml", "--reference", p.name, "--seeds", "1", "--states", "A,B"], \
        dict(names=p.name)


def _explain_outside(work: Path) -> tuple[list, dict]:
    return ["explain", "/proc/self", "A", "B"], dict(names="/proc/self")


SPECIAL = {
    "file_50mb_many_lines": _big_many_lines,
    "file_20mb_one_line": _big_one_line,
    "states_3000_check": _many_states,
    "states_3000_run": _many_states_run,
    "scenario_symlink_dev_zero": _scenario_symlink_to_dev_zero,
    "scenario_symlink_loop": _scenario_symlink_loop,
    "scenario_symlink_directory": _scenario_symlink_to_dir,
    "csv_symlink_to_private_file": _csv_symlink_to_secret,
    "states_file_is_fifo": _states_fifo,
    "scenario_is_fifo": _scenario_fifo,
    "check_dev_zero": _check_dev_zero,
    "run_dev_urandom": _check_dev_urandom,
    "set_states_dev_zero": _set_states_dev_zero,
    "set_deeply_nested_value": _set_alias,
    "sweep_file_dev_zero": _sweep_dev_zero,
    "validate_reference_dev_zero": _validate_reference_dev_zero,
    "validate_reference_fifo": _validate_reference_fifo,
    "validate_reference_60mb": _validate_big_reference,
    "explain_proc_self": _explain_outside,
}


@pytest.mark.parametrize("name", list(SPECIAL))
def test_special_hostile_input_is_refused_cleanly(name, tmp_path):
    shutil.copytree(HOSTILE, tmp_path / "hostile", symlinks=True)
    args, expect = SPECIAL[name](tmp_path)
    before = snapshot(tmp_path)
    res = sim(*args, cwd=tmp_path)
    problems = refusal_problems(res, **expect)
    added = sorted(set(snapshot(tmp_path)) - set(before))
    if added:
        problems.append(f"wrote {added[:5]}")
    _fail(problems, res)


# ---------------------------------------------------------------------------------------
# --out safety: never delete what the program did not write
# ---------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "s.yaml").write_text(VALID)
    return tmp_path


def _no_hidden_temp(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.is_dir()]


def test_out_into_a_folder_holding_a_users_file_is_refused(project):
    out = project / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("three years of work\n")
    before = snapshot(out)
    res = sim("run", "proj/s.yaml", "--out", "mine", "--no-plots", cwd=project, subprocess_=True)
    problems = refusal_problems(res, names="mine")
    if snapshot(out) != before:
        problems.append(f"the folder changed: {sorted(snapshot(out))}")
    if _no_hidden_temp(project):
        problems.append(f"left {_no_hidden_temp(project)}")
    if "--out" not in res.stderr and "overwrite" not in res.stderr.lower():
        problems.append("message does not say how to choose another folder or overwrite")
    _fail(problems, res)


def test_out_at_an_existing_file_is_refused(project):
    (project / "notes.txt").write_text("keep me\n")
    res = sim("run", "proj/s.yaml", "--out", "notes.txt", "--no-plots", cwd=project, subprocess_=True)
    problems = refusal_problems(res, names="notes.txt")
    if not (project / "notes.txt").is_file() or (project / "notes.txt").read_text() != "keep me\n":
        problems.append("the file was renamed, replaced or changed")
    leftovers = sorted(p.name for p in project.iterdir() if p.name not in ("proj", "notes.txt"))
    if leftovers:
        problems.append(f"left {leftovers}")
    _fail(problems, res)


@pytest.mark.parametrize("scenario, out, cwd, names", [("proj/s.yaml", "proj", ".", "proj"),
                                                       ("s.yaml", ".", "proj", None)],
                         ids=["named", "dot"])
def test_out_at_the_scenarios_own_folder_is_refused(project, scenario, out, cwd, names):
    before = snapshot(project / "proj")
    res = sim("run", scenario, "--out", out, "--no-plots", cwd=project / cwd, subprocess_=True)
    problems = refusal_problems(res, names=names)
    if snapshot(project / "proj") != before:
        problems.append(f"the scenario's folder changed: {sorted(snapshot(project / 'proj'))}")
    _fail(problems, res)


@pytest.mark.parametrize("kind", ["table", "base scenario", "states file"])
def test_out_at_a_folder_holding_an_input_is_refused_even_with_overwrite(project, kind):
    """A run folder replaces its folder whole: one holding a table the scenario reads, or
    the base scenario it extends, would lose it (found by probing: --overwrite deleted both)."""
    inputs = project / "inputs"
    inputs.mkdir()
    if kind == "table":
        (inputs / "pairs.csv").write_text("a,b,initial_de_facto,initial_de_jure\nA,B,2,1\n")
        (project / "proj" / "t.yaml").write_text(VALID + f"pairs: {{csv: {inputs / 'pairs.csv'}}}\n")
    elif kind == "base scenario":
        (inputs / "base.yaml").write_text(VALID)
        (project / "proj" / "t.yaml").write_text("extends: ../inputs/base.yaml\nname: counterfactual\n")
    else:
        (inputs / "states.yaml").write_text("- {id: A, power: 0.5}\n- {id: B, power: 0.4}\n- {id: C, power: 0.3}\n")
        (project / "proj" / "t.yaml").write_text(VALID.split("states:")[0] + "states: ../inputs/states.yaml\n")
    assert sim("check", "proj/t.yaml", cwd=project, subprocess_=True).returncode == 0
    before = snapshot(inputs)
    res = sim("run", "proj/t.yaml", "--out", "inputs", "--overwrite", "--no-plots", cwd=project, subprocess_=True)
    problems = refusal_problems(res, names="inputs", field="--out")
    if snapshot(inputs) != before:
        problems.append(f"the inputs' folder changed: {sorted(snapshot(inputs))}")
    _fail(problems, res)


@pytest.mark.parametrize("command", ["run", "validate", "landscape"])
@pytest.mark.parametrize("link", ["dangling", "to a folder"])
def test_out_at_a_symbolic_link_is_refused(project, command, link):
    """A run folder replaces its folder whole: through a link it replaced the link and left
    a hidden '...previous' folder behind, and a dangling link ended in a traceback."""
    (project / "target").mkdir()
    os.symlink("target" if link == "to a folder" else "/nonexistent/alliance-dir", project / "lnk")
    args = {"run": ("run", "proj/s.yaml", "--no-plots"),
            "validate": ("validate", "proj/s.yaml", "--reference", "ref.csv", "--seeds", "1"),
            "landscape": ("landscape", str(HOSTILE.parents[2] / "scenarios" / "landscape_two_pairs.yaml"))}[command]
    (project / "ref.csv").write_text("a,b,year,de_jure,de_facto,source,confidence,note\nA,B,2001,0,1,t,1,\n")
    before = snapshot(project)
    res = sim(*args, "--out", "lnk", cwd=project, subprocess_=True)
    problems = refusal_problems(res, names="lnk", field="--out")
    if snapshot(project) != before:
        problems.append(f"files changed: {sorted(set(snapshot(project)) ^ set(before))[:5]}")
    if not (project / "lnk").is_symlink():
        problems.append("the link was replaced")
    _fail(problems, res)


def test_a_run_folder_is_as_readable_as_any_new_folder(project):
    """mkdtemp makes a private folder (0700); the published run folder follows the umask."""
    res = sim("run", "proj/s.yaml", "--out", "r", "--no-plots", cwd=project, subprocess_=True)
    assert res.returncode == 0, res.head()
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE((project / "r").stat().st_mode) == 0o777 & ~mask


def test_out_under_a_file_is_refused(project):
    (project / "afile").write_text("x\n")
    res = sim("run", "proj/s.yaml", "--out", "afile/run", "--no-plots", cwd=project, subprocess_=True)
    problems = refusal_problems(res, names="afile")
    if (project / "afile").read_text() != "x\n":
        problems.append("the file changed")
    _fail(problems, res)


def test_out_in_an_unwritable_place_is_refused(project):
    if os.geteuid() == 0:
        target = "/proc/self/alliance-run"  # not writable even for root
    else:
        locked = project / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = str(locked / "run")
    res = sim("run", "proj/s.yaml", "--out", target, "--no-plots", cwd=project, subprocess_=True)
    _fail(refusal_problems(res, names=Path(target).parent.name if os.geteuid() else "alliance-run"), res)


def test_rerun_into_an_earlier_run_folder_is_allowed(project):
    first = sim("run", "proj/s.yaml", "--out", "runs/r", "--no-plots", cwd=project, subprocess_=True)
    assert first.returncode == 0, first.head()
    assert (project / "runs" / "r" / "manifest.json").is_file()
    second = sim("run", "proj/s.yaml", "--out", "runs/r", "--no-plots", "--seed", "3", cwd=project, subprocess_=True)
    assert second.returncode == 0, second.head()
    assert json.loads((project / "runs" / "r" / "manifest.json").read_text())["seed"] == 3
    assert not _no_hidden_temp(project / "runs"), _no_hidden_temp(project / "runs")


def test_a_folder_with_a_fake_manifest_and_user_files_is_not_a_run_folder(project):
    """A manifest.json alone is not a licence to delete: a run folder holds only run files."""
    out = project / "mine"
    out.mkdir()
    (out / "manifest.json").write_text("{}\n")
    (out / "data.csv").write_text("precious\n")
    res = sim("run", "proj/s.yaml", "--out", "mine", "--no-plots", cwd=project, subprocess_=True)
    problems = refusal_problems(res, names="mine")
    if not (out / "data.csv").is_file():
        problems.append("the user's data.csv was deleted")
    if "(data.csv)" not in res.stderr:  # what --overwrite would delete, named before the user chooses
        problems.append("the refusal does not name data.csv")
    _fail(problems, res)


# ---------------------------------------------------------------------------------------
# Interruption
# ---------------------------------------------------------------------------------------

SLOW = ("name: slow\ntime: {start: 1800, end: 2000}\nstates:\n"
        + "".join(f"  - {{id: S{i}, power: {0.2 + (i % 5) / 10}, capital: {{lat: {i % 60}, lon: {i % 90}}}}}\n"
                  for i in range(40)) + "outputs: {snapshots: [1900, 2000], pairs: [[S0, S1]]}\n")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_run_leaves_no_hidden_folder_after_the_next_run(tmp_path, sig):
    (tmp_path / "slow.yaml").write_text(SLOW)
    (tmp_path / "runs").mkdir()
    proc = _start(["run", "slow.yaml", "--out", "runs/r"], tmp_path)  # with plots: a slow write
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not _no_hidden_temp(tmp_path / "runs"):
            time.sleep(0.02)
        if proc.poll() is not None:
            pytest.skip("the run finished before its temporary folder could be seen")
        if not _no_hidden_temp(tmp_path / "runs"):
            pytest.fail("no temporary folder appeared within 120 s")
        time.sleep(0.3)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=30)
    finally:
        _kill_group(proc.pid)
    assert b"Traceback" not in err, err.decode(errors="replace")[-2000:]
    if sig == signal.SIGTERM:
        assert not _no_hidden_temp(tmp_path / "runs"), \
            f"SIGTERM should be handled like SIGINT (clean up at once): left {_no_hidden_temp(tmp_path / 'runs')}"
    (tmp_path / "quick.yaml").write_text(VALID)
    again = sim("run", "quick.yaml", "--out", "runs/other", "--no-plots", cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.head()
    assert not _no_hidden_temp(tmp_path / "runs"), f"stale temporary folders: {_no_hidden_temp(tmp_path / 'runs')}"


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3, 0.5, 0.8])
def test_sigint_during_start_up_prints_no_traceback(tmp_path, delay):
    (tmp_path / "s.yaml").write_text(VALID)
    proc = _start(["run", "s.yaml", "--out", "r", "--no-plots"], tmp_path)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        _kill_group(proc.pid)
    text = (out + err).decode(errors="replace")
    if "KeyboardInterrupt" in text and not re.search(r'File "[^"]*/sim/', text):
        # On a loaded machine the signal can land while the interpreter itself starts
        # (site.py, runpy), before the first line of alliance-sim runs: the traceback is
        # Python's own, and no program can handle it.
        pytest.skip("interrupted inside the interpreter's start-up, before alliance-sim's code")
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-1500:]
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, text[-500:])
    assert not _no_hidden_temp(tmp_path)


# ---------------------------------------------------------------------------------------
# Sweeps: killing the parent must not leave workers behind
# ---------------------------------------------------------------------------------------

def _children_of(pid: int) -> dict[int, int]:
    """pid -> ppid for every live process descending from pid (walking /proc)."""
    table: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                text = Path(f"/proc/{d}/stat").read_text()
                table[int(d)] = int(text.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in table.items():
            if ppid == parent and child not in found:
                found[child] = ppid
                frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_killing_a_sweeps_parent_leaves_no_worker(tmp_path):
    (tmp_path / "base.yaml").write_text(VALID)
    (tmp_path / "many.yaml").write_text(
        "name: many\nbase: base.yaml\nparameters:\n  mechanism.temperature: {low: 0.0, high: 0.5, n: 50}\n"
        "design: {kind: grid}\nreplicates: 2000\nseed: 1\noutputs: {summary: true}\n")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", "many.yaml", "--out", "sw", "--workers", "2",
                             "--no-progress", "--no-plots"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
                            start_new_session=True)
    descendants: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            descendants.update(_children_of(proc.pid))
            if len(descendants) >= 2 and any((tmp_path / "sw" / "results").glob("part-*.parquet")):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the sweep ended before it could be killed; make it longer"
        assert descendants, "no worker process was seen"
        descendants.update(_children_of(proc.pid))
        os.kill(proc.pid, signal.SIGKILL)  # the parent only
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in descendants):
            time.sleep(0.2)
        left = {p: Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ")[:120].decode(errors="replace")
                for p in descendants if _alive(p)}
    finally:
        for p in descendants:
            try:
                os.kill(p, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _kill_group(proc.pid)
    assert not left, f"{len(left)} of {len(descendants)} processes of the sweep still alive 10 s " \
                     f"after its parent was killed: {left}"


# ---------------------------------------------------------------------------------------
# A representative handful as real processes (tracebacks, memory and time limits, sys.path)
# ---------------------------------------------------------------------------------------

AS_A_USER = ["yaml_alias_bomb.yaml", "sweep_runner_evil.yaml", "states_file_dev_stdin.yaml", "time_span_10000.yaml"]
SPECIAL_AS_A_USER = ["check_dev_zero", "scenario_is_fifo", "states_3000_run"]


@pytest.mark.parametrize("name", AS_A_USER)
def test_hostile_input_is_refused_cleanly_by_a_real_process(name, work):
    case = next(c for c in CASES if c["file"] == name)
    _prepare(case, work)
    before = snapshot(work)
    res = sim(*command_for(case), cwd=work, subprocess_=True)
    problems = refusal_problems(res, names=case["names"] or case["file"], field=case["field"],
                                line=case["line"], secret=case["secret"], exit_code=int(case["exit"]))
    added = sorted(set(snapshot(work)) - set(before))
    if added:
        problems.append(f"wrote {added[:5]}")
    _fail(problems, res)


@pytest.mark.parametrize("name", SPECIAL_AS_A_USER)
def test_special_hostile_input_is_refused_cleanly_by_a_real_process(name, tmp_path):
    shutil.copytree(HOSTILE, tmp_path / "hostile", symlinks=True)
    args, expect = SPECIAL[name](tmp_path)
    before = snapshot(tmp_path)
    res = sim(*args, cwd=tmp_path, subprocess_=True)
    problems = refusal_problems(res, **expect)
    added = sorted(set(snapshot(tmp_path)) - set(before))
    if added:
        problems.append(f"wrote {added[:5]}")
    _fail(problems, res)


# ---------------------------------------------------------------------------------------
# Command-line options of every command: refused by name before any work
# ---------------------------------------------------------------------------------------

LANDSCAPE = "name: l\nmechanism: landscape\nactors:\n  - {id: A}\n  - {id: B}\n  - {id: C}\n" \
            "sizes: {A: 1, B: 1, C: 2}\npropensities:\n  - {a: A, b: B, value: 1}\n  - {a: A, b: C, value: -1}\n"


def option_problems(res: Result, option: str) -> list[str]:
    """Everything wrong with the refusal of a bad option value (argparse's or ours)."""
    problems = []
    if "Traceback" in res.output:
        problems.append("traceback in the output")
    if res.returncode != 2:
        problems.append(f"exit status {res.returncode}, expected 2")
    errors = [ln for ln in res.stderr.splitlines() if re.match(r"alliance-sim( [\w-]+)?: error:", ln)]
    if len(errors) != 1:
        problems.append(f"{len(errors)} error lines, expected exactly one")
    elif option not in errors[0] or "expected" not in errors[0]:
        problems.append(f"message does not name {option} and what was expected")
    return problems


@pytest.mark.parametrize("args", [
    ["run", "s.yaml", "--seed", "-1", "--out", "out", "--no-plots"],
    ["structure", "s.yaml", "--seed", "-1"],
    ["landscape", "l.yaml", "--seed", "-3", "--starts", "5", "--out", "out"],
    ["sensitivity", "nowhere", "--output", "x", "--seed", "-1"],
], ids=["run", "structure", "landscape", "sensitivity"])
def test_a_negative_seed_is_refused_by_name(args, tmp_path):
    """numpy refused a negative seed deep inside the run, as a traceback."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "l.yaml").write_text(LANDSCAPE)
    _refused_untouched(tmp_path, lambda res: option_problems(res, "--seed"), *args)


# ---------------------------------------------------------------------------------------
# --out of validate, landscape, sweep, calibrate and schema: never over a run's or a user's files
# ---------------------------------------------------------------------------------------

SWEEP = "name: sw\nbase: s.yaml\nparameters:\n  mechanism.temperature: {values: [0.1]}\n"
REFERENCE = "a,b,year,de_jure,de_facto,source,confidence,note\nA,B,2001,1,1,s,1,n\n"
OUT_COMMANDS = {
    "validate": ["validate", "run", "--reference", "ref.csv", "--out"],
    "landscape": ["landscape", "l.yaml", "--out"],
    "sweep": ["sweep", "sw.yaml", "--workers", "1", "--no-progress", "--no-plots", "--out"],
    "calibrate": ["calibrate", "--out"],
    "schema": ["schema", "--out"],
    "fit": ["fit", "fit.yaml", "--out"],
}
FIT = ("name: f\nscenario: s.yaml\nreference: fitref.csv\nparams:\n  mechanism.temperature: [0.0, 0.5]\n"
       "train_end: 2002\nseeds: 1\nmaxiter: 1\npopsize: 2\n")


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    """A working folder with a run folder ``run`` and the inputs of every command above."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "l.yaml").write_text(LANDSCAPE)
    (tmp_path / "sw.yaml").write_text(SWEEP)
    (tmp_path / "ref.csv").write_text(REFERENCE)
    (tmp_path / "fit.yaml").write_text(FIT)
    (tmp_path / "fitref.csv").write_text(REFERENCE + "".join(f"A,B,{y},1,1,s,1,n\n" for y in range(2002, 2006)))
    res = sim("run", "s.yaml", "--out", "run", "--no-plots", cwd=tmp_path)
    assert res.returncode == 0, res.head()
    return tmp_path


@pytest.mark.parametrize("command", ["validate", "landscape", "sweep", "fit"])
def test_another_commands_out_into_a_run_folder_is_refused(command, outputs):
    """validate overwrote the run's report.md; landscape and fit replaced the whole run folder."""
    before = snapshot(outputs)
    res = sim(*OUT_COMMANDS[command], "run", cwd=outputs)
    problems = refusal_problems(res, names="run", field="--out")
    if snapshot(outputs) != before:
        problems.append(f"files changed: {sorted(set(snapshot(outputs)) ^ set(before))[:5]} "
                        f"(report.md {'kept' if (outputs / 'run' / 'report.md').is_file() else 'lost'})")
    _fail(problems, res)


def _out_refused(outputs: Path, args: tuple, names: str) -> None:
    """Run a command whose --out must be refused: fail on a bad refusal or any file touched."""
    _refused_untouched(outputs, lambda res: refusal_problems(res, names=names, field="--out"), *args)


@pytest.mark.parametrize("command", ["validate", "landscape", "sweep", "fit"])
def test_another_commands_out_into_a_users_folder_is_refused(command, outputs):
    (outputs / "mine").mkdir()
    (outputs / "mine" / "thesis.tex").write_text("three years of work\n")
    (outputs / "mine" / "manifest.json").write_text("{}\n")
    _out_refused(outputs, (*OUT_COMMANDS[command], "mine"), "mine")


@pytest.mark.parametrize("command", list(OUT_COMMANDS))
def test_another_commands_out_at_an_existing_file_is_refused(command, outputs):
    """landscape replaced the file with its folder (the file renamed to a hidden name)."""
    (outputs / "notes.txt").write_text("keep me\n")
    target = "notes.txt" if command != "schema" else "notes.txt/schema.json"
    _out_refused(outputs, (*OUT_COMMANDS[command], target), "notes.txt")


@pytest.mark.parametrize("command", list(OUT_COMMANDS))
def test_another_commands_out_in_an_unwritable_place_is_refused(command, outputs):
    """A traceback from mkdtemp, mkdir or the rename, after the work."""
    if os.geteuid() == 0:
        target = "/proc/self/alliance-out"  # not writable even for root
    else:
        (outputs / "locked").mkdir()
        (outputs / "locked").chmod(0o500)
        target = str(outputs / "locked" / "alliance-out")
    _out_refused(outputs, (*OUT_COMMANDS[command], target), "alliance-out")


@pytest.mark.parametrize("command, files", [("validate", "report.md"), ("landscape", "minima.csv"),
                                            ("sweep", "design.parquet"), ("fit", "fit.json")])
def test_another_commands_out_may_be_its_own_earlier_output(command, files, outputs):
    args = OUT_COMMANDS[command]
    first = sim(*args, "again", cwd=outputs)
    assert first.returncode == 0, first.head()
    assert (outputs / "again" / files).is_file()
    second = sim(*args, "again", *(["--resume"] if command == "sweep" else []), cwd=outputs)
    assert second.returncode == 0, second.head()


@pytest.mark.parametrize("prefix", ["../escaped", "/tmp/escaped", ""])
def test_calibrate_prefix_is_a_name_inside_out(prefix, outputs):
    """--prefix ../x wrote the calibrated tables outside --out."""
    before = snapshot(outputs)
    res = sim("calibrate", "--out", "cal", "--prefix", prefix, cwd=outputs)
    problems = refusal_problems(res, names=None, field="--prefix")
    if snapshot(outputs) != before or list(Path("/tmp").glob("escaped_*")):
        problems.append("wrote files")
    _fail(problems, res)


@pytest.mark.parametrize("seeds", ["0", "-3", "1000000000000"])
def test_validate_seeds_outside_its_range_is_refused_by_name(seeds, outputs):
    """0 and -3 said 'expected a scenario whose runs produce dyad-year tables'; 10^12 ran on."""
    def judge(res: Result) -> list[str]:
        problems = option_problems(res, "--seeds")
        if "10,000" not in res.stderr:
            problems.append("message does not give the range")
        return problems
    _refused_untouched(outputs, judge,
                       "validate", "s.yaml", "--reference", "ref.csv", "--seeds", seeds, "--out", "v")


@pytest.mark.parametrize("body, extra, field", [
    (REFERENCE.splitlines()[0] + "\n", [], ""),
    (REFERENCE, ["--from-year", "2004"], "year"),
], ids=["header_only", "from_year_after_every_row"])
def test_validate_with_no_reference_rows_left_is_refused(body, extra, field, outputs):
    """An empty reference reached int(NaN) in the scoring: a traceback."""
    (outputs / "ref0.csv").write_text(body)
    def judge(res: Result) -> list[str]:
        problems = refusal_problems(res, names="ref0.csv", field=field)
        if extra and "2004" not in res.stderr:
            problems.append("message does not name the --from-year")
        return problems
    _refused_untouched(outputs, judge, "validate", "run", "--reference", "ref0.csv", "--out", "v", *extra)


def test_validate_a_reversed_period_is_refused(outputs):
    """--periods 2005-2001 was accepted and scored nothing under that row."""
    res = sim("validate", "run", "--reference", "ref.csv", "--periods", "2000-2002,2005-2001", cwd=outputs)
    _fail(refusal_problems(res, names=None, field="--periods"), res)


@pytest.mark.parametrize("args, option", [
    (["landscape", "l.yaml", "--k", "1000000000", "--out", "out"], "--k"),   # never finished
    (["landscape", "l.yaml", "--starts", "1000000000000", "--out", "out"], "--starts"),  # MemoryError traceback
    (["structure", "s.yaml", "--k", "0"], "--k"),  # ValueError traceback from numpy
], ids=["landscape_k_huge", "landscape_starts_huge", "structure_k_zero"])
def test_landscape_sizes_outside_their_range_are_refused_by_name(args, option, tmp_path):
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "l.yaml").write_text(LANDSCAPE)
    _refused_untouched(tmp_path, lambda res: option_problems(res, option), *args)


@pytest.mark.parametrize("host", ["999.1.1.1", "", " "], ids=["not_this_machine", "empty", "blank"])
@pytest.mark.parametrize("port", ["0", "8765"])
def test_viz_host_that_is_not_this_machine_is_refused_by_name(port, host, tmp_path):
    """--port 0 with a bad --host was a socket.gaierror traceback; other ports blamed --port.
    An empty --host listened on every interface and printed 'http://:PORT/'."""
    (tmp_path / "s.yaml").write_text(VALID)
    res = sim("viz", "s.yaml", "--host", host, "--port", port, cwd=tmp_path)
    _fail(refusal_problems(res, names=None, field="--host"), res)


@pytest.mark.parametrize("command", ["validate", "explain"])
@pytest.mark.parametrize("reverse", [False, True], ids=["same_order", "reversed"])
def test_a_run_folder_with_a_pair_year_twice_is_refused(command, reverse, outputs):
    """A second row for one pair and year in dyads.csv was dropped silently (first one kept)."""
    dyads = outputs / "run" / "dyads.csv"
    lines = dyads.read_text().splitlines()
    extra = next(ln for ln in lines if ln.startswith("2001,A,B,"))
    extra = extra.replace("2001,A,B,", "2001,B,A,") if reverse else extra
    dyads.write_text("\n".join(lines + [extra]) + "\n")
    args = ["validate", "run", "--reference", "ref.csv"] if command == "validate" else ["explain", "run", "A", "B"]
    res = sim(*args, cwd=outputs)
    _fail(refusal_problems(res, names="dyads.csv", field="a,b,year", line=str(len(lines) + 1)), res)


@pytest.mark.parametrize("command", ["validate", "explain"])
def test_a_run_folder_pairing_a_state_with_itself_is_refused(command, outputs):
    """A dyad row of a state with itself (a table edited by hand) was scored as a pair, exit 0."""
    dyads = outputs / "run" / "dyads.csv"
    lines = dyads.read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("2001,A,B,"))
    lines[k] = lines[k].replace("2001,A,B,", "2001,B,B,")
    dyads.write_text("\n".join(lines) + "\n")
    args = ["validate", "run", "--reference", "ref.csv"] if command == "validate" else ["explain", "run", "A", "B"]
    res = sim(*args, cwd=outputs)
    _fail(refusal_problems(res, names="dyads.csv", field="a,b", line=str(k + 1)), res)


@pytest.mark.parametrize("body, field, line", [
    ("state,bloc,year,member\nRUS,CSTO,2001,1\n", "state", "2"),   # a traceback from the scoring (merge on str and float)
    ("state,bloc,year,member\nA,CSTO,2001,1\n", "bloc", "2"),     # the run has no blocs: the same traceback
    ("state,bloc,year,member\n", "", ""),                         # numpy warnings, a membership table of NaN
], ids=["no_state_of_the_run", "no_bloc_of_the_run", "header_only"])
def test_validate_a_bloc_reference_with_nothing_to_score_is_refused(body, field, line, outputs):
    (outputs / "blocs.csv").write_text(body)
    def judge(res: Result) -> list[str]:
        problems = refusal_problems(res, names="blocs.csv", field=field, line=line)
        if "Warning" in res.stderr:
            problems.append("warnings in the output")
        return problems
    _refused_untouched(outputs, judge,
                       "validate", "run", "--reference", "ref.csv", "--blocs", "blocs.csv", "--out", "v")


PATTERN = "patterns:\n  - id: x\n    claim: a claim\n    source: a passage\n    conditions:\n      - {COND}\n"


@pytest.mark.parametrize("cond, field, line", [
    ("kind: level, years: [2001, 2004], value: 1", "patterns[0].conditions[0]", "6"),  # TypeError traceback
    ("kind: level, pair: [A, B], years: [2001, 2004], value: high", "patterns[0].conditions[0]", "6"),  # ValueError
    ("kind: member, state: A, bloc: B1, years: [2001, 2004], value: 5", "patterns[0].conditions[0]", "6"),
    ("kind: level, pair: [A, B], years: [2004, 2001], value: 1", "patterns[0].conditions[0]", "6"),  # never held
    ("kind: class, pair: [A, B], years: [2001, 2004], value: 3", "patterns[0].conditions[0]", "6"),  # never held
    ("kind: level, pair: [A, RUS], years: [2001, 2004], value: 1", "patterns[0].conditions[0].pair", ""),  # failed in every run
    ("kind: member, state: A, bloc: CSTO, years: [2001, 2004], value: 0", "patterns[0].conditions[0].bloc", ""),  # held in every run
    ("kind: level, pair: [A, B], years: [1800, 1900], value: 1", "patterns[0].conditions[0].years", ""),
], ids=["no_pair", "level_not_a_number", "member_not_0_or_1", "years_reversed", "class_not_a_class",
        "state_not_in_the_run", "bloc_not_in_the_run", "years_outside_the_run"])
def test_validate_a_pattern_the_run_cannot_check_is_refused(cond, field, line, outputs):
    (outputs / "patterns.yaml").write_text(PATTERN.replace("COND", cond))
    _refused_untouched(outputs, lambda res: refusal_problems(res, names="patterns.yaml", field=field, line=line),
                       "validate", "run", "--reference", "ref.csv", "--patterns", "patterns.yaml", "--out", "v")


@pytest.mark.parametrize("body, names, field, line", [
    ("patterns: []\n", "patterns.yaml", "patterns", "1"),  # KeyError traceback
    (PATTERN.replace("COND", "kind: level, pair: [A, B], years: [2001, 2004], value: 1").replace(
        "    source:", "    id: y\n    source:"), "patterns.yaml", "patterns[0].id", "4"),  # the second id won
    (None, "zero", "", ""),  # /dev/zero was read whole: the process was killed for its memory
], ids=["empty_list", "duplicate_key", "dev_zero"])
def test_validate_a_malformed_patterns_file_is_refused(body, names, field, line, outputs):
    if body is None:
        (outputs / "patterns.yaml").symlink_to("/dev/zero")
    else:
        (outputs / "patterns.yaml").write_text(body)
    res = sim("validate", "run", "--reference", "ref.csv", "--patterns", "patterns.yaml", cwd=outputs)
    _fail(refusal_problems(res, names="patterns.yaml", field=field, line=line), res)


@pytest.mark.parametrize("args, field", [
    (["calibrate", "--evidence", "SPECIAL", "--out", "cal"], "--evidence"),
    (["calibrate", "--documents", "SPECIAL", "--out", "cal"], "--documents"),
    (["calibrate", "--rules", "SPECIAL", "--out", "cal"], "--rules"),
    (["explain-param", "KZK", "power", "--evidence", "SPECIAL"], "--evidence"),
    (["evidence", "check", "SPECIAL"], ""),
    (["evidence", "suggest", "SPECIAL"], ""),
], ids=["calibrate_evidence", "calibrate_documents", "calibrate_rules", "explain_param_evidence",
        "evidence_check", "evidence_suggest"])
@pytest.mark.parametrize("special", ["folder", "dev_zero", "binary"])
def test_calibration_inputs_that_are_not_text_files_are_refused(args, field, special, tmp_path):
    """The calibration's readers opened these files directly: IsADirectoryError and
    UnicodeDecodeError tracebacks, and /dev/zero read until memory ran out."""
    if special == "folder":
        (tmp_path / "input").mkdir()
    elif special == "dev_zero":
        (tmp_path / "input").symlink_to("/dev/zero")
    else:
        (tmp_path / "input").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    before = snapshot(tmp_path)
    res = sim(*[a if a != "SPECIAL" else "input" for a in args], cwd=tmp_path)
    problems = refusal_problems(res, names="input", field=field)
    if snapshot(tmp_path) != before:
        problems.append("wrote files")
    _fail(problems, res)


@pytest.mark.parametrize("alignment, field", [
    ("{a: A, b: ZZZ, year: 2003, min_de_facto: 1}", "outputs.alignments[0].b"),
    ("{a: A, b: B, year: 1800, min_de_facto: 1}", "outputs.alignments[0].year"),
    ("{a: A, b: A, year: 2003, min_de_facto: 1}", "outputs.alignments"),
], ids=["unknown_state", "year_outside_the_span", "same_state_twice"])
def test_sweep_alignment_output_the_base_cannot_have_is_refused(alignment, field, tmp_path):
    """Such a column was 0 in every run ('never aligned'), and the sweep ran to the end."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "sw.yaml").write_text(SWEEP + f"outputs:\n  alignments:\n    - {alignment}\n")
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names="sw.yaml", field=field, line="7"),
                       "sweep", "sw.yaml", "--out", "out", "--workers", "1", "--no-progress", "--no-plots")


@pytest.mark.parametrize("body, field, line", [
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "", "1"),                              # UnicodeDecodeError traceback
    (LANDSCAPE.replace("mechanism:", "name: m\nmechanism:").encode(), "name", "2"),  # the second name won
    (VALID.encode(), "mechanism", ""),                                         # 'expected Field required'
], ids=["binary", "duplicate_key", "agent_scenario"])
def test_landscape_reads_its_file_as_scenario_files_are_read(body, field, line, tmp_path):
    (tmp_path / "l.yaml").write_bytes(body)
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names="l.yaml", field=field, line=line),
                       "landscape", "l.yaml", "--out", "out")


def test_fit_zero_workers_is_refused_by_name(outputs):
    """--workers 0 was accepted (sweep refuses it)."""
    _refused_untouched(outputs, lambda res: option_problems(res, "--workers"),
                       "fit", "fit.yaml", "--workers", "0", "--out", "f")


@pytest.mark.parametrize("out", ["notes.txt", "run", "UNWRITABLE"])
def test_sensitivity_out_is_checked_before_the_work(out, outputs):
    """A file or an unwritable place was a traceback from mkdir; a run folder got its files."""
    (outputs / "mo.yaml").write_text("name: mo\nbase: s.yaml\nparameters:\n  mechanism.temperature: {low: 0, high: 0.5}\n"
                                     "  mechanism.threat.mix: {low: 0, high: 1}\ndesign: {kind: morris, samples: 2}\n")
    done = sim("sweep", "mo.yaml", "--out", "mo", "--workers", "1", "--no-progress", "--no-plots", cwd=outputs)
    assert done.returncode == 0, done.head()
    (outputs / "notes.txt").write_text("keep me\n")
    if out == "UNWRITABLE":
        out = "/proc/self/alliance-out" if os.geteuid() == 0 else str(outputs / "locked" / "alliance-out")
        if os.geteuid():
            (outputs / "locked").mkdir()
            (outputs / "locked").chmod(0o500)
    _refused_untouched(outputs, lambda res: refusal_problems(res, names=Path(out).name, field="--out"),
                       "sensitivity", "mo", "--output", "final_mean_de_facto", "--out", out)


def test_calibrate_empty_out_is_refused(tmp_path):
    """--out '' (an unset variable) wrote the calibrated tables into the working folder."""
    res = sim("calibrate", "--out", "", cwd=tmp_path)
    problems = refusal_problems(res, names=None, field="--out")
    if list(tmp_path.iterdir()):
        problems.append(f"wrote {sorted(p.name for p in tmp_path.iterdir())}")
    _fail(problems, res)


def test_structure_year_outside_the_span_is_refused_before_the_run(tmp_path):
    """The year was checked after the run had printed its whole balance table."""
    (tmp_path / "s.yaml").write_text(VALID)
    res = sim("structure", "s.yaml", "--year", "1800", cwd=tmp_path)
    problems = refusal_problems(res, names="s.yaml", field="--year")
    if res.stdout.strip():
        problems.append("printed results before refusing")
    _fail(problems, res)


def test_sweep_files_own_out_is_named_when_refused(outputs):
    """A folder named by the sweep file's 'out' was blamed on an --out never given."""
    (outputs / "sw_out.yaml").write_text(SWEEP.replace("base: s.yaml\n", "base: s.yaml\nout: run\n"))
    _refused_untouched(outputs, lambda res: refusal_problems(res, names="sw_out.yaml", field="out", line="3"),
                       "sweep", "sw_out.yaml", "--workers", "1", "--no-progress", "--no-plots")


@pytest.mark.parametrize("body", [REFERENCE.splitlines()[0] + "\n", REFERENCE.replace("A,B,", "X,Y,")],
                         ids=["header_only", "other_states"])
def test_sweep_reference_with_nothing_to_score_is_refused(body, tmp_path):
    """Every run's scores were empty (numpy warnings) and the sweep ended with status 0."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "r.csv").write_text(body)
    (tmp_path / "sw.yaml").write_text(SWEEP + "outputs:\n  reference: r.csv\n")
    _refused_untouched(tmp_path,
                       lambda res: refusal_problems(res, names="sw.yaml", field="outputs.reference", line="6"),
                       "sweep", "sw.yaml", "--out", "out", "--workers", "1", "--no-progress", "--no-plots")


def test_check_set_on_a_landscape_file_is_refused(tmp_path):
    """The overrides were ignored and check said ok, even for k=99 (the file allows 2..12)."""
    (tmp_path / "l.yaml").write_text(LANDSCAPE)
    res = sim("check", "l.yaml", "--set", "k=99", cwd=tmp_path)
    _fail(refusal_problems(res, names="l.yaml", field="--set"), res)


@pytest.mark.parametrize("args", [["structure", "l.yaml"], ["validate", "l.yaml", "--reference", "ref.csv"],
                                  ["fit", "fitl.yaml", "--out", "f"]], ids=["structure", "validate", "fit"])
def test_a_landscape_file_where_an_agent_scenario_is_read_is_named_as_such(args, outputs):
    """It was refused for its 'name' (a landscape name may hold spaces), as a broken agent scenario."""
    (outputs / "l.yaml").write_text(LANDSCAPE.replace("name: l", "name: two pairs"))
    (outputs / "fitl.yaml").write_text(FIT.replace("scenario: s.yaml", "scenario: l.yaml"))
    res = sim(*args, cwd=outputs)
    _fail(refusal_problems(res, names="l.yaml", field="mechanism", line="2"), res)


@pytest.mark.parametrize("change, field, line", [
    (("seeds: 1", "seeds: 1000000000000"), "seeds", "7"),        # MemoryError traceback (range of 10^12)
    (("maxiter: 1", "maxiter: 1000000000"), "maxiter", "8"),     # ran generation after generation
    (("popsize: 2", "popsize: 1000000000"), "popsize", "9"),     # a population of 10^9 members
    (("seeds: 1", "seeds: true"), "seeds", "7"),                 # read as one seed
    (("popsize: 2", "popsize: 2\nrng: -1"), "rng", "10"),         # ValueError traceback from numpy
    (("popsize: 2", "popsize: 100\nmax_evals: 1000000000"), "max_evals", "10"),
    (("seeds: 1\nmaxiter: 1\npopsize: 2", "seeds: 100\nmaxiter: 1000\npopsize: 100"), "maxiter", "8"),
    (("[0.0, 0.5]", "[0.0, .inf]"), "params.mechanism.temperature", "5"),   # ValueError traceback from scipy
    (("[0.0, 0.5]", "[0.0, 1e300]"), "params.mechanism.temperature", "5"),  # 'fitted' 3e298
    (("[0.0, 0.5]", "[0.5, 0.0]"), "params.mechanism.temperature", "5"),    # named no file ('<input>')
    (("name: f", "name: ../../escaped"), "name", "1"),            # wrote ./escaped outside runs/fits
], ids=["seeds_huge", "maxiter_huge", "popsize_huge", "seeds_bool", "rng_negative", "max_evals_huge",
        "runs_in_all", "bound_inf", "bound_huge", "bounds_reversed", "name_traversal"])
def test_fit_file_settings_outside_their_range_are_refused_before_the_work(change, field, line, outputs):
    """The fit's settings had no upper bounds: a slip ran for ever or ran out of memory."""
    (outputs / "fit2.yaml").write_text(FIT.replace(*change))
    before = snapshot(outputs)
    res = sim("fit", "fit2.yaml", cwd=outputs, timeout=10)
    problems = refusal_problems(res, names="fit2.yaml", field=field, line=line)
    if field in ("seeds", "maxiter", "popsize") and not re.search(r"from [\d,]+ to [\d,]+|at most [\d,]+", res.stderr):
        problems.append("message does not give the allowed range")
    if snapshot(outputs) != before or (outputs.parent / "escaped").exists():
        problems.append("wrote files")
    _fail(problems, res)


@pytest.mark.parametrize("params, field", [
    ("  states: [0.0, 1.0]\n", "params.states"),                         # ran the whole fit, then failed
    ("  mechanism.temperature: [-5.0, -1.0]\n", "params.mechanism.temperature"),  # every evaluation invalid
    ("  mechanism.nonsense: [0.0, 1.0]\n", "params.mechanism.nonsense"),  # named the scenario only
], ids=["not_a_number", "no_valid_value", "unknown_field"])
def test_fit_params_the_scenario_cannot_take_are_refused_naming_the_fit_file(params, field, outputs):
    (outputs / "fit2.yaml").write_text(FIT.replace("  mechanism.temperature: [0.0, 0.5]\n", params))
    def judge(res: Result) -> list[str]:
        problems = refusal_problems(res, names="fit2.yaml", field=field)
        if "generation" in res.stderr:
            problems.append("the optimiser ran before the refusal")
        return problems
    _refused_untouched(outputs, judge, "fit", "fit2.yaml")


@pytest.mark.parametrize("args, names, field", [
    (["fit", "fit2.yaml"], "fit2.yaml", "train_end"),
    (["fit", "fit.yaml", "--train-end", "3000"], None, "--train-end"),
], ids=["file", "option"])
def test_fit_split_year_outside_the_reference_names_where_it_came_from(args, names, field, outputs):
    """Both were '<input>: field 'train_end'', naming neither the file nor the option."""
    (outputs / "fit2.yaml").write_text(FIT.replace("train_end: 2002", "train_end: 1800"))
    res = sim(*args, cwd=outputs)
    problems = refusal_problems(res, names=names, field=field)
    if "<input>" in res.stderr and names:
        problems.append("message names '<input>'")
    _fail(problems, res)


@pytest.mark.parametrize("values", ["[-5, -6]", "[0.1, -5]"], ids=["every run", "one value"])
def test_a_sweep_value_the_scenario_refuses_is_refused_before_any_run(outputs, values):
    """A value that fails every run it is in: once let through, a sweep of them exited 0 with
    a folder whose manifest said 'complete' (every run failed), or recorded the failures one
    by one. Now the sweep is refused before it starts, as `check --set` refuses the value,
    and leaves nothing. (Runs that fail for other reasons are counted and recorded:
    tests/test_sweep.py, the stand-in runner.)"""
    (outputs / "bad.yaml").write_text(SWEEP.replace("values: [0.1]", f"values: {values}") + "replicates: 2\n")
    before = snapshot(outputs)
    res = sim("sweep", "bad.yaml", "--out", "runs/bad", "--workers", "2", "--no-progress", cwd=outputs)
    problems = refusal_problems(res, names="bad.yaml", field="parameters.mechanism.temperature")
    if res.error_lines() and "got -5" not in res.error_lines()[0]:
        problems.append("message does not give the value refused (-5)")
    if snapshot(outputs) != before:
        problems.append(f"left {sorted(set(snapshot(outputs)) - set(before))[:5]}")
    _fail(problems, res)


@pytest.mark.parametrize("executor", ["dask", "local"])
def test_a_scheduler_that_cannot_be_used_is_refused_before_the_sweep_folder(outputs, executor):
    """An unreachable scheduler was refused only after the folder was begun (manifest
    'running', design.parquet); with the local executor the address was ignored without a
    word."""
    before = snapshot(outputs)
    res = sim("sweep", "sw.yaml", "--out", "runs/sw", "--no-progress", "--no-plots", "--executor", executor,
              "--scheduler", "tcp://127.0.0.1:1", cwd=outputs, timeout=60)
    problems = refusal_problems(res, names=None, field="--scheduler")
    if res.error_lines() and not res.error_lines()[0].startswith("alliance-sim: error: command line: option"):
        problems.append("the message does not say it is about an option of the command line")
    if snapshot(outputs) != before:
        problems.append(f"left {sorted(set(snapshot(outputs)) - set(before))[:5]}")
    _fail(problems, res)


@pytest.mark.parametrize("command", ["run", "validate", "landscape", "sweep", "fit"])
def test_an_empty_out_is_refused(outputs, command):
    """An unset shell variable ('--out "$DIR"') was taken as 'not given': the output went to
    the default folder, or (validate) nowhere, with exit 0."""
    args = ["run", "s.yaml", "--no-plots", "--out"] if command == "run" else OUT_COMMANDS[command]
    before = snapshot(outputs)
    res = sim(*args, "", cwd=outputs)
    problems = []
    if res.returncode != 2 or "--out" not in res.stderr or "empty" not in res.stderr:
        problems.append("not refused as an empty --out")
    if snapshot(outputs) != before:
        problems.append(f"wrote {sorted(set(snapshot(outputs)) - set(before))[:5]}")
    _fail(problems, res)


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("kind", ["sweep", "fit"])
def test_a_sweep_or_fit_file_given_as_a_scenario_is_named(outputs, command, kind):
    """They were refused as scenarios missing 'time', which says nothing of the mistake."""
    name = {"sweep": "sw.yaml", "fit": "fit.yaml"}[kind]
    res = sim(command, name, *(["--no-plots"] if command == "run" else []), cwd=outputs)
    problems = refusal_problems(res, names=name)
    if res.error_lines() and f"this is a {kind} file" not in res.error_lines()[0]:
        problems.append(f"the message does not say it is a {kind} file")
    _fail(problems, res)


def _edit_dyads(outputs: Path, prefix: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in the first line of the run's dyads.csv that starts with
    ``prefix``; return that line's number."""
    dyads = outputs / "run" / "dyads.csv"
    lines = dyads.read_text().splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.startswith(prefix))
    lines[row] = lines[row].replace(old, new, 1)
    dyads.write_text("\n".join(lines) + "\n")
    return row + 1


@pytest.mark.parametrize("old, new, field", [
    ("2001,", "2001.5,", "year"),      # read as 2001: a silent wrong year
    ("A,B,0,0,", "A,B,99,0,", "de_facto"),   # explain: KeyError: 99 traceback
    ("A,B,0,0,", "A,B,0.5,0,", "de_facto"),  # read as level 0
], ids=["fractional_year", "level_off_the_scale", "fractional_level"])
@pytest.mark.parametrize("command", ["explain", "validate"])
def test_a_run_table_with_a_year_or_level_it_cannot_hold_is_refused(command, old, new, field, outputs):
    line = _edit_dyads(outputs, "2001,A,B,", old, new)
    args = (["explain", "run", "A", "B", "2001"] if command == "explain"
            else ["validate", "run", "--reference", "ref.csv"])
    res = sim(*args, cwd=outputs)
    _fail(refusal_problems(res, names="dyads.csv", field=field, line=str(line)), res)


def test_explain_a_run_table_with_components_but_no_total_is_refused(outputs):
    """A utility component table without a_total was a KeyError traceback."""
    _edit_dyads(outputs, "year,", ",a_total,", ",a_sum,")
    res = sim("explain", "run", "A", "B", cwd=outputs)
    _fail(refusal_problems(res, names="dyads.csv", field="a_total", line="1"), res)


@pytest.mark.parametrize("extra, field", [
    (["--split-year", "3000"], "--split-year"),    # an empty out-of-sample table, status 0
    (["--split-year", "2001"], "--split-year"),    # baselines fitted on no earlier year
    (["--periods", "1800-1850,2001-2003"], "--periods"),  # the period left out without a word
    (["--periods", ""], "--periods"),              # ignored: the default periods instead
], ids=["split_after_every_year", "split_at_the_first_year", "period_without_a_year", "periods_empty"])
def test_validate_years_that_select_nothing_are_refused(extra, field, outputs):
    (outputs / "ref5.csv").write_text(REFERENCE + "".join(f"A,B,{y},1,1,s,1,n\n" for y in range(2002, 2006)))
    _refused_untouched(outputs, lambda res: refusal_problems(res, names=None, field=field),
                       "validate", "run", "--reference", "ref5.csv", "--out", "v", *extra)


@pytest.mark.parametrize("body, names, field, line", [
    (LANDSCAPE.replace("sizes: {A: 1, B: 1, C: 2}", "sizes: {A: 1, B: 1e308, C: 1e308}"), "l2.yaml", "sizes.B", "7"),
    (LANDSCAPE.replace("value: 1}", "value: 1e308}"), "l2.yaml", "propensities[0].value", "9"),
    (LANDSCAPE.replace("sizes: {A: 1, B: 1, C: 2}", "sizes_csv: sizes.csv"), "sizes.csv", "sizes.B", ""),
], ids=["size_1e308", "propensity_1e308", "size_1e300_in_csv"])
def test_landscape_numbers_too_large_for_the_energy_are_refused(body, names, field, line, tmp_path):
    """Energies came out NaN and the minima table was written anyway."""
    (tmp_path / "l2.yaml").write_text(body)
    (tmp_path / "sizes.csv").write_text("actor,size\nA,1\nB,1e300\nC,1\n")
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names=names, field=field, line=line),
                       "landscape", "l2.yaml", "--out", "out")


def _break_sweep(folder: Path, how: str) -> None:
    if how == "bad_json":
        (folder / "manifest.json").write_text("{\n")
    elif how == "manifest_not_a_sweep":
        (folder / "manifest.json").write_text('{"sweep": 5}\n')
    elif how == "junk_part":
        next((folder / "results").glob("part-*.parquet")).write_bytes(b"junk\n")
    elif how == "no_design":
        (folder / "design.parquet").unlink()
    elif how == "no_results":
        shutil.rmtree(folder / "results")


@pytest.mark.parametrize("how, target, output, names, field", [
    ("", "run", "final_mean_de_facto", "manifest.json", "sweep"),   # KeyError: 'sweep'
    ("bad_json", "mo", "final_mean_de_facto", "manifest.json", ""),  # JSONDecodeError
    ("manifest_not_a_sweep", "mo", "final_mean_de_facto", "manifest.json", "sweep"),  # TypeError
    ("junk_part", "mo", "final_mean_de_facto", "part-000000.parquet", ""),  # ArrowInvalid
    ("no_design", "mo", "final_mean_de_facto", "design.parquet", ""),  # FileNotFoundError
    ("no_results", "mo", "final_mean_de_facto", "results", ""),  # "one of the sweep's outputs: , got"
    ("", "mo", "status", None, "--output"),                      # TypeError: str has no mean
    ("", "mo", "mechanism.temperature", None, "--output"),      # a parameter 'explaining' itself
    ("", "s.yaml", "final_mean_de_facto", "s.yaml", ""),        # blamed --out
], ids=["run_folder", "manifest_not_json", "manifest_not_a_sweep", "results_part_not_parquet",
        "no_design_table", "no_results", "text_column", "parameter_column", "a_file"])
def test_sensitivity_of_what_is_not_a_finished_sweep_is_refused(how, target, output, names, field, outputs):
    (outputs / "mo.yaml").write_text("name: mo\nbase: s.yaml\nparameters:\n  mechanism.temperature: {low: 0, high: 0.5}\n"
                                     "  mechanism.threat.mix: {low: 0, high: 1}\ndesign: {kind: morris, samples: 2}\n")
    done = sim("sweep", "mo.yaml", "--out", "mo", "--workers", "1", "--no-progress", "--no-plots", cwd=outputs)
    assert done.returncode == 0, done.head()
    _break_sweep(outputs / "mo", how)
    _refused_untouched(outputs, lambda res: refusal_problems(res, names=names, field=field),
                       "sensitivity", target, "--output", output, "--out", "sens")


@pytest.mark.parametrize("body, field, line", [
    ("", "", ""),                                                       # EmptyDataError traceback
    ("a,b,year,de_jure,de_facto\n", "", ""),                            # 'reference span nan-nan'
    ("a,b,year,de_jure,de_facto\nA,B,2001,abc,1\nA,B,2003,1,1\n", "de_jure", "2"),   # RuntimeError from scipy
    ("a,b,year,de_jure,de_facto\nA,B,2001,9,1\nA,B,2003,1,1\n", "de_jure", "2"),     # scored as level 9
    ("a,b,year,de_jure,de_facto\nA,B,2001.5,1,1\nA,B,2003,1,1\n", "year", "2"),      # read as 2001
    ("a,b,year,de_jure,de_facto\nA,B,2001,1,1\nA,B,2003,1\n", "", "3"),             # the short row: a gap
    ("a,b,year,de_jure,de_facto\nA,B,2001,1,1\nB,A,2001,2,2\nA,B,2003,1,1\n", "a,b,year", "3"),  # both kept
    ("a,b,year,de_jure,de_facto\nA,A,2001,1,1\nA,B,2003,1,1\n", "b", "2"),            # a self-pair scored
    ("a,b,year,de_jure,de_facto\nX,Y,2001,1,1\nX,Y,2004,1,1\n", "a", "2"),         # NaN scores, status 0
    ("a,b,year,de_jure,de_facto\nA,B,2001,1,1\nA,B,2090,1,1\n", "a,b,year", ""),     # no test year scored
    ("a,b,year,de_jure,de_facto\nA,B,2001,1,1\nA,Z,2004,1,1\nA,B,2004,1,1\n", "b", ""),  # Z's row left out, exit 0
], ids=["empty", "header_only", "level_text", "level_off_the_scale", "fractional_year", "ragged",
        "pair_year_twice", "self_pair", "other_states", "nothing_to_test", "a_state_not_the_scenarios"])
def test_fit_reference_tables_are_checked_like_reference_timelines(body, field, line, outputs):
    """A reference without the documented source columns was read by pandas unchecked."""
    (outputs / "lv.csv").write_text(body)
    (outputs / "fit2.yaml").write_text(FIT.replace("fitref.csv", "lv.csv"))
    def judge(res: Result) -> list[str]:
        problems = refusal_problems(res, names="lv.csv", field=field, line=line)
        if "Warning" in res.stderr or "generation" in res.stderr:
            problems.append("warnings or optimiser output before the refusal")
        return problems
    _refused_untouched(outputs, judge, "fit", "fit2.yaml", "--out", "f")


@pytest.mark.parametrize("args, field", [
    (["calibrate", "--states", "", "--out", "cal"], "--states"),    # calibrated the rules file's states
    (["calibrate", "--states", ",,", "--out", "cal"], "--states"),
    (["calibrate", "--start", "-100000", "--end", "5", "--out", "cal"], "--start"),  # ran for minutes
    (["calibrate", "--start", "-4000", "--end", "5", "--out", "cal"], "--end"),
    (["explain-param", "KZK", "power", "-5"], "year"),             # -5 was read as a parameter
], ids=["states_empty", "states_commas", "start_absurd", "span_of_4000_years", "negative_year"])
def test_calibrate_options_that_select_nothing_or_too_much_are_refused(args, field, tmp_path):
    res = sim(*args, cwd=tmp_path, timeout=30)
    problems = option_problems(res, field) if field.startswith("--start") else \
        refusal_problems(res, names=None, field=field)
    if list(tmp_path.iterdir()):
        problems.append(f"wrote {sorted(p.name for p in tmp_path.iterdir())}")
    _fail(problems, res)


RULES = Path(__file__).resolve().parents[1] / "seeds" / "calibration_rules.yaml"
DOCUMENTS = Path(__file__).resolve().parents[1] / "seeds" / "documents.yaml"


@pytest.mark.parametrize("option, edit, field, line", [
    ("--rules", lambda t: t + "rules: 5\n", "rules", ""),      # TypeError traceback (the second 'rules' won)
    ("--rules", lambda t: t.replace("USA: {ccode: 2,", "USA: {ccode: abc,"), "states.USA.ccode", ""),  # ValueError
    ("--documents", lambda t: t + "documents: {}\n", "documents", ""),  # the second one won
    ("--documents", lambda t: "x: [\n", "", "2"),               # 'valid YAML (ParserError)', no line
], ids=["rules_key_twice", "rules_ccode_not_a_number", "documents_key_twice", "documents_no_line"])
def test_calibration_yaml_files_are_read_as_every_yaml_input(option, edit, field, line, tmp_path):
    source = RULES if option == "--rules" else DOCUMENTS
    (tmp_path / "input.yaml").write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    res = sim("calibrate", option, "input.yaml", "--out", "cal", cwd=tmp_path)
    problems = refusal_problems(res, names="input.yaml", field=field, line=line)
    if (tmp_path / "cal").exists():
        problems.append("wrote cal")
    _fail(problems, res)


@pytest.mark.parametrize("extra, field, line", [
    ("outputs:\n  alignments:\n    - {a: A, b: B, year: 2003, min_de_jure: 99}\n", "outputs.alignments", "7"),  # never aligned
    ("plots: {x: nonsense}\n", "plots.x", "5"),        # no map, no word
], ids=["alignment_level_off_the_scale", "plot_axis_not_swept"])
def test_sweep_outputs_and_plots_it_cannot_make_are_refused(extra, field, line, tmp_path):
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "sw.yaml").write_text(SWEEP + extra)
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names="sw.yaml", field=field, line=line),
                       "sweep", "sw.yaml", "--out", "out", "--workers", "1", "--no-progress")


@pytest.mark.parametrize("chunks", ["0", "-3"])
def test_sweep_chunksize_below_one_is_refused_by_name(chunks, tmp_path):
    """0 ran no run and said the sweep was complete; -3 was a ValueError traceback."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "sw.yaml").write_text(SWEEP)
    res = sim("sweep", "sw.yaml", "--out", "out", "--workers", "1", "--no-progress", "--chunksize", chunks,
              cwd=tmp_path)
    problems = option_problems(res, "--chunksize")
    if (tmp_path / "out").exists():
        problems.append("wrote out")
    _fail(problems, res)


def test_sweep_summary_key_no_run_has_is_named_in_the_failure(tmp_path):
    """Every run failed with a bare KeyError: 'nonsense'; then every run failed with the key
    named; now the sweep file is refused when it is read, before any run."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "sw.yaml").write_text(SWEEP + "outputs: {summary: [nonsense]}\n")
    res = sim("sweep", "sw.yaml", "--out", "out", "--workers", "1", "--no-progress", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.output, res.head()
    assert re.search(r"field 'outputs\.summary\[0\]'.*final_mean_de_facto.*got 'nonsense'", res.stderr), res.head()
    assert not (tmp_path / "out").exists()


def test_sweep_plot_metric_that_is_no_result_column_is_reported(tmp_path):
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "sw.yaml").write_text(SWEEP + "plots: {metrics: [zzz]}\n")
    res = sim("sweep", "sw.yaml", "--out", "out", "--workers", "1", "--no-progress", cwd=tmp_path)
    assert res.returncode == 0, res.head()
    assert "warning: plots.metrics: 'zzz' is not a result column" in res.stderr, res.head()


@pytest.mark.parametrize("body, field, line", [
    ("", "name", ""),                   # 'expected a plain name ..., got {}'
    ("[1]\n", "", "1"),
    ("name: f\nscenario: s.yaml\nparams: {mechanism.temperature: [0, 1]}\n", "train_end", ""),
], ids=["empty", "a_list", "no_train_end"])
def test_fit_file_without_its_fields_says_which(body, field, line, outputs):
    (outputs / "fit2.yaml").write_text(body)
    res = sim("fit", "fit2.yaml", cwd=outputs)
    problems = refusal_problems(res, names="fit2.yaml", field=field, line=line)
    if "got {" in res.stderr:
        problems.append("echoes the whole file as the value")
    _fail(problems, res)


BLOCS_SCENARIO = VALID.replace("outputs:", "blocs:\n  - {id: B1, founders: [A, B], founded: 2001}\noutputs:")


@pytest.mark.parametrize("body, field, line", [
    ("state,bloc,year,member\nA,B1,2002.5,1\n", "year", "2"),   # read as 2002
    ("state,bloc,year,member\nA,B1,1800,1\n", "year", "2"),     # a table of NaN, status 0
    ("state,bloc,year,member\nA,B1,2002,2\n", "member", "2"),   # said got np.float64(2.0)
], ids=["fractional_year", "years_outside_the_run", "member_2"])
def test_validate_bloc_reference_rows_the_run_cannot_score_are_refused(body, field, line, tmp_path):
    (tmp_path / "b.yaml").write_text(BLOCS_SCENARIO)
    (tmp_path / "ref.csv").write_text(REFERENCE)
    (tmp_path / "bl.csv").write_text(body)
    done = sim("run", "b.yaml", "--out", "rb", "--no-plots", cwd=tmp_path)
    assert done.returncode == 0, done.head()
    res = sim("validate", "rb", "--reference", "ref.csv", "--blocs", "bl.csv", cwd=tmp_path)
    problems = refusal_problems(res, names="bl.csv", field=field, line=line)
    if "np.float64" in res.stderr:
        problems.append("message shows a numpy repr")
    _fail(problems, res)


def test_validate_blocs_of_a_run_table_without_its_blocs_column_is_refused(tmp_path):
    """A states.csv without 'blocs' was a KeyError traceback when --blocs scored it."""
    (tmp_path / "b.yaml").write_text(BLOCS_SCENARIO)
    (tmp_path / "ref.csv").write_text(REFERENCE)
    (tmp_path / "bl.csv").write_text("state,bloc,year,member\nA,B1,2002,1\n")
    done = sim("run", "b.yaml", "--out", "rb", "--no-plots", cwd=tmp_path)
    assert done.returncode == 0, done.head()
    states = tmp_path / "rb" / "states.csv"
    states.write_text(states.read_text().replace(",blocs,", ",blcs,", 1))
    res = sim("validate", "rb", "--reference", "ref.csv", "--blocs", "bl.csv", cwd=tmp_path)
    _fail(refusal_problems(res, names="states.csv", field="blocs", line="1"), res)


@pytest.mark.parametrize("body", [VALID, f"name: x\ntoken: {SECRET}\n"], ids=["a_scenario", "a_private_mapping"])
def test_sweep_of_a_file_without_base_never_echoes_the_file(body, tmp_path):
    """'expected Field required, got {...}' printed the whole file as the value."""
    (tmp_path / "notsweep.yaml").write_text(body)
    res = sim("sweep", "notsweep.yaml", "--out", "out", "--workers", "1", "--no-progress", cwd=tmp_path)
    problems = refusal_problems(res, names="notsweep.yaml", field="base", line="1", secret=SECRET)
    if "{'name'" in res.stderr:
        problems.append("echoes the file's mapping")
    _fail(problems, res)


def _special_file(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    else:
        (path.parent / "target.txt").write_text("keep me\n")
        path.symlink_to("target.txt")


@pytest.mark.parametrize("kind", ["device", "fifo", "link"])
def test_schema_out_never_replaces_a_special_file(kind, tmp_path):
    """'schema --out /dev/null' renamed a plain file over the machine's /dev/null."""
    _special_file(tmp_path / "out.json", kind)
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names="out.json", field="--out"),
                       "schema", "--out", "out.json")


@pytest.mark.parametrize("victim", ["scenario", "manifest"])
def test_schema_out_never_replaces_a_file_that_is_not_a_schema(victim, tmp_path):
    """'schema --out s.yaml' replaced a scenario with JSON, and 'schema --out run/manifest.json'
    a run's manifest; an earlier schema file is replaced as before."""
    name = {"scenario": "s.yaml", "manifest": "manifest.json"}[victim]
    (tmp_path / name).write_text(VALID if victim == "scenario" else '{"scenario_name": "ok", "seed": 0}\n')
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names=name, field="--out"),
                       "schema", "--out", name)
    assert sim("schema", "--out", "schema.json", cwd=tmp_path).returncode == 0
    again = sim("schema", "--out", "schema.json", cwd=tmp_path)
    assert again.returncode == 0, again.head()


@pytest.mark.parametrize("kind", ["device", "fifo", "link"])
def test_calibrate_never_replaces_a_special_file_in_out(kind, tmp_path):
    (tmp_path / "cal").mkdir()
    _special_file(tmp_path / "cal" / "central_asia_states.csv", kind)
    _refused_untouched(tmp_path, lambda res: refusal_problems(res, names="central_asia_states.csv"),
                       "calibrate", "--out", "cal", timeout=60)


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_scenario_that_run_cannot_step_is_refused_by_check_too(command, tmp_path):
    """'check' said ok to a mechanism 'run' refuses (and 'landscape' too), though check
    promises to accept only what run completes."""
    (tmp_path / "s.yaml").write_text(VALID)
    res = sim(command, "s.yaml", "--set", "mechanism.kind=landscape", *(["--no-plots"] if command == "run" else []),
              cwd=tmp_path)
    _fail(refusal_problems(res, names="s.yaml", field="mechanism.kind"), res)


@pytest.mark.parametrize("path", ["mechanism..temperature", ".mechanism.temperature", "mechanism.temperature."])
def test_set_with_an_empty_part_of_the_path_is_refused(path, tmp_path):
    """Read as mechanism.temperature, such a path got around the refusal of a path set twice:
    the later value won without a word."""
    (tmp_path / "s.yaml").write_text(VALID)
    res = sim("check", "s.yaml", "--set", "mechanism.temperature=1", "--set", f"{path}=0.2", cwd=tmp_path)
    _fail(refusal_problems(res, names="s.yaml", field=path), res)


@pytest.mark.parametrize("command", ["check", "run"])
def test_set_of_one_path_twice_is_refused(command, tmp_path):
    """The last value won without a word (a key twice in a scenario file is refused)."""
    (tmp_path / "s.yaml").write_text(VALID)
    extra = ["--out", "out", "--no-plots"] if command == "run" else []
    res = sim(command, "s.yaml", "--set", "mechanism.temperature=0.1", "--set", "mechanism.temperature=0.2",
              *extra, cwd=tmp_path)
    problems = refusal_problems(res, names="s.yaml", field="mechanism.temperature")
    if (tmp_path / "out").exists():
        problems.append("wrote out")
    _fail(problems, res)


def test_sensitivity_output_given_twice_is_analysed_once(outputs):
    """--output x --output x wrote every row of indices.csv twice."""
    (outputs / "mo.yaml").write_text("name: mo\nbase: s.yaml\nparameters:\n  mechanism.temperature: {low: 0, high: 0.5}\n"
                                     "  mechanism.threat.mix: {low: 0, high: 1}\ndesign: {kind: morris, samples: 2}\n")
    assert sim("sweep", "mo.yaml", "--out", "mo", "--workers", "1", "--no-progress", "--no-plots",
               cwd=outputs).returncode == 0
    res = sim("sensitivity", "mo", "--output", "final_mean_de_facto", "--output", "final_mean_de_facto",
              "--out", "sens", cwd=outputs)
    assert res.returncode == 0, res.head()
    rows = (outputs / "sens" / "indices.csv").read_text().splitlines()
    assert len(rows) == 1 + 2, rows  # a header and one row per swept parameter


@pytest.mark.parametrize("command", ["sweep", "fit"])
def test_workers_beyond_this_machine_are_refused_by_name(command, outputs):
    """--workers 100000 was accepted: one process per queued chunk, each with a copy of the model."""
    args = (["sweep", "sw.yaml", "--no-progress", "--no-plots", "--out", "w"] if command == "sweep"
            else ["fit", "fit.yaml", "--out", "w"])
    _refused_untouched(outputs, lambda res: option_problems(res, "--workers"), *args, "--workers", "100000")


# ---------------------------------------------------------------------------------------
# Paths and keys that reach the same field, or none (second probe)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("first, second", [
    ("states.A.power=0.5", "states.0.power=0.2"),         # by id and by index
    ("states.-3.power=0.5", "states.0.power=0.2"),        # a negative index is the same entry
    ("states.A.power=0.5", "states.0={id: A, power: 0.1}"),  # the entry set whole after a field in it
    ("states.0={id: X, power: 0.1}", "states.A.power=0.2"),  # ... and before (A is then no longer there)
    ("mechanism.threat={preset: balance_of_power}", "mechanism.threat.mix=0.3"),
], ids=["id_and_index", "negative_index", "field_then_whole", "whole_then_field", "mapping_then_key"])
@pytest.mark.parametrize("command", ["check", "run"])
def test_set_of_two_paths_to_one_field_is_refused_naming_both(command, first, second, tmp_path):
    """states.A.power=0.5 with states.0.power=0.2 ran at 0.2 and exited 0, the manifest
    listing both overrides as if both held."""
    (tmp_path / "s.yaml").write_text(VALID)
    extra = ["--out", "out", "--no-plots"] if command == "run" else []
    res = sim(command, "s.yaml", "--set", first, "--set", second, *extra, cwd=tmp_path)
    path1, path2 = first.split("=")[0], second.split("=")[0]
    problems = refusal_problems(res, names="s.yaml", field=path2)
    if res.error_lines() and not all(f"{p} " in res.error_lines()[0] for p in (path1, path2)):
        problems.append(f"the message does not name both {path1} and {path2}")
    if (tmp_path / "out").exists():
        problems.append("wrote out")
    _fail(problems, res)


def test_set_of_two_fields_of_one_entry_is_still_accepted(tmp_path):
    """The refusal above is of one field reached twice, not of two fields of one entry."""
    (tmp_path / "s.yaml").write_text(VALID)
    res = sim("run", "s.yaml", "--set", "states.A.power=0.6", "--set", "states.0.economy=2",
              "--set", "states.1.power=0.2", "--out", "out", "--no-plots", cwd=tmp_path)
    assert res.returncode == 0, res.head()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    states = {s["id"]: s for s in manifest["scenario"]["states"]}
    assert (states["A"]["power"], states["A"]["economy"], states["B"]["power"]) == (0.6, 2, 0.2)


@pytest.mark.parametrize("design", ["parameters", "points"])
def test_sweep_over_two_paths_to_one_field_is_refused_naming_both(design, tmp_path):
    """Every point ran at states.0.power's 0.2 while results.parquet recorded
    states.A.power as 0.1 and 0.5."""
    (tmp_path / "s.yaml").write_text(VALID)
    body = ("parameters:\n  states.A.power: {values: [0.1, 0.5]}\n  states.0.power: {values: [0.2]}\n"
            if design == "parameters" else
            "design:\n  kind: points\n  points:\n    - {states.A.power: 0.1, states.0.power: 0.2}\n")
    (tmp_path / "dup.yaml").write_text("name: dup\nbase: s.yaml\n" + body)
    res = sim("sweep", "dup.yaml", "--out", "o", "--workers", "1", "--no-progress", "--no-plots", cwd=tmp_path)
    field = "parameters.states.0.power" if design == "parameters" else "design.points"
    problems = refusal_problems(res, names="dup.yaml", field=field)
    if res.error_lines() and not all(p in res.error_lines()[0] for p in ("states.A.power", "states.0.power")):
        problems.append("the message does not name both paths")
    if (tmp_path / "o").exists():
        problems.append("wrote o")
    _fail(problems, res)


def test_fit_of_two_paths_to_one_field_is_refused_before_it_starts(outputs):
    """Every evaluation failed and counted as a bad corner of the box: a flat fit, exit 0."""
    (outputs / "fit2.yaml").write_text(FIT.replace("  mechanism.temperature: [0.0, 0.5]\n",
                                                   "  states.A.power: [0.1, 0.9]\n  states.0.power: [0.1, 0.9]\n"))
    res = sim("fit", "fit2.yaml", "--out", "f", cwd=outputs)
    problems = refusal_problems(res, names="fit2.yaml", field="params.states.0.power")
    if res.error_lines() and "states.A.power" not in res.error_lines()[0]:
        problems.append("the message does not name states.A.power")
    if (outputs / "f").exists():
        problems.append("wrote f")
    _fail(problems, res)


def test_bloc_context_member_that_is_a_scenario_state_is_refused(tmp_path):
    """events.csv said 'B1 founded by A, C (outside the scenario)' though C is a state of
    the scenario, and never a member."""
    (tmp_path / "s.yaml").write_text(VALID.replace(
        "outputs:", "blocs:\n  - {id: B1, founders: [A], founded: 2001, context_members: [GEORGIA, C]}\noutputs:"))
    res = sim("check", "s.yaml", cwd=tmp_path)
    problems = refusal_problems(res, names="s.yaml", field="blocs[0].context_members[1]", line="8")
    if res.error_lines() and "founders" not in res.error_lines()[0]:
        problems.append("the message does not say to list the state among the founders")
    _fail(problems, res)


EFFECTS = VALID.replace("outputs:", "events:\n  - {year: 2002, name: ev, effects: [EFFECT]}\noutputs:")


@pytest.mark.parametrize("effect, key", [
    ("{field: power, state: C, op: mul, value: 0.2, target: A}", "target"),
    ("{field: power, state: C, op: mul, value: 0.2, observer: A}", "observer"),
    ("{field: power, state: C, a: A, b: B, op: mul, value: 0.2}", "a"),
    ("{field: power, state: C, value: 0.2, index: 1}", "index"),
    ("{field: interests, a: A, b: B, state: C, value: 0.5}", "state"),
    ("{field: intent, state: A, target: C, value: 0.5}", "state"),
    ("{field: intent, observer: A, target: C, a: A, b: C, value: 0.5}", "a"),
    ("{field: intent, observer: A, target: C, directed: true, value: 0.5}", "directed"),
    ("{field: leader, state: B, value: New leader, op: mul}", "op"),
    ("{field: neutral, state: B, value: true, op: add}", "op"),
    ("{field: leader, state: B, value: New leader, bloc: B1}", "bloc"),
    ("{field: power, state: C, value: 0.2, index: 0}", "index"),
    ("{field: power, state: C, value: 0.2, directed: false}", "directed"),
    ("{field: power, state: C, value: 0.2, target: null}", "target"),
    ("{field: intent, observer: A, target: C, directed: false, value: 0.5}", "directed"),
    ("{field: bloc, bloc: B1, value: found, state: null}", "state"),
], ids=["target_on_power", "observer_on_power", "pair_on_power", "index_on_power", "state_on_interests",
        "state_on_intent", "pair_beside_observer", "directed_beside_observer", "mul_on_leader", "add_on_neutral",
        "bloc_on_leader", "default_index_on_power", "default_directed_on_power", "null_target_on_power",
        "default_directed_beside_observer", "null_state_on_bloc"])
def test_effect_key_its_field_does_not_read_is_refused_by_name(effect, key, tmp_path):
    """'check' said ok and the run ignored the key: a target on a power effect, a state on
    a pair field, op mul on a leader. A key written with its default value (index: 0 on a
    power effect) was let through too, because the check looked at values, not at the keys
    written; it is as meaningless there as any other value."""
    (tmp_path / "s.yaml").write_text(EFFECTS.replace("EFFECT", effect))
    res = sim("check", "s.yaml", cwd=tmp_path)
    problems = refusal_problems(res, names="s.yaml", field=f"events[0].effects[0].{key}", line="8")
    if res.error_lines() and "takes" not in res.error_lines()[0] and "op set" not in res.error_lines()[0]:
        problems.append("the message does not say which keys the field takes")
    if res.error_lines() and "in event 'ev'" not in res.error_lines()[0]:
        problems.append("the message does not name the event")
    _fail(problems, res)


def test_effects_with_the_keys_their_fields_read_are_accepted(tmp_path):
    """The refusals above leave every shape of effect apply_effect reads."""
    effects = ", ".join([
        "{field: power, state: [A, B], op: mul, value: 0.5}", "{field: power, state: all, op: add, value: 0.1}",
        "{field: interests, a: A, b: B, directed: true, op: add, value: 0.2}",
        "{field: intent, observer: all, target: C, value: 0.9}", "{field: leader, state: B, op: set, value: X}",
        "{field: neutral, state: C, value: true}", "{field: ideology, state: A, index: 0, value: 0.4}",
        "{field: interests, a: A, b: C, directed: false, value: 0.1}",
    ])
    (tmp_path / "s.yaml").write_text(EFFECTS.replace("[EFFECT]", f"[{effects}]").replace(
        "{id: A, power: 0.5}", "{id: A, power: 0.5, ideology: [0.1]}"))
    res = sim("check", "s.yaml", cwd=tmp_path)
    assert res.returncode == 0, res.head()


def test_a_sweep_over_a_scenario_with_every_shape_of_effect_runs(tmp_path):
    """A sweep rebuilds its base scenario from a dump with every default written in; the
    refusal of keys an effect's field does not read goes by the keys written, so the dump
    must leave those keys out, or every sweep over a scenario with events is refused."""
    effects = ", ".join([
        "{field: power, state: A, op: mul, value: 0.9}", "{field: intent, observer: all, target: C, value: 0.9}",
        "{field: interests, a: A, b: B, value: 0.2}", "{field: leader, state: B, value: X}",
    ])
    (tmp_path / "s.yaml").write_text(EFFECTS.replace("[EFFECT]", f"[{effects}]"))
    (tmp_path / "sw.yaml").write_text(SWEEP)
    res = sim("sweep", "sw.yaml", "--out", "o", "--workers", "1", "--no-progress", "--no-plots", cwd=tmp_path)
    assert res.returncode == 0 and "1 run now (0 failed)" in res.output, res.head()


@pytest.mark.parametrize("command, file, body, field, words", [
    ("check", "s.yaml", VALID.replace("name: ok", "name: " + "x" * 40), "name", "a name of at most 32 characters"),
    ("check", "s.yaml", VALID.replace("id: C", "id: " + "C" * 33), "states[2].id", "an id of at most 32 characters"),
    ("check", "s.yaml", VALID.replace("  - {id: B, power: 0.4}\n  - {id: C, power: 0.3}\n", "")
     .replace("[[A, B]]", "[]"), "states", "a list of at least 2 items"),
    ("landscape", "l.yaml", "name: l\nmechanism: landscape\nactors:\n  - {id: A}\nsizes: {A: 1}\n", "actors",
     "two or more actors"),
    ("sweep", "sw.yaml", "name: " + "x" * 101 + "\nbase: s.yaml\nparameters:\n  mechanism.temperature: {values: [0.1]}\n",
     "name", "a plain name (letters, digits, '_', '.', '-'; at most 100)"),
], ids=["scenario_name", "state_id", "states", "landscape_actors", "sweep_name"])
def test_length_bounds_are_worded_as_the_projects_other_messages(command, file, body, field, words, tmp_path):
    """A name over 32 characters printed pydantic's 'expected String should have at most 32 characters'."""
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / file).write_text(body)
    extra = {"check": [], "landscape": ["--out", "o"], "sweep": ["--out", "o", "--workers", "1", "--no-progress"]}
    res = sim(command, file, *extra[command], cwd=tmp_path)
    problems = refusal_problems(res, names=file, field=field)
    if res.error_lines() and f"expected {words}" not in res.error_lines()[0]:
        problems.append(f"the message does not say 'expected {words}'")
    if "should have" in res.output:
        problems.append("pydantic's wording")
    _fail(problems, res)


def test_a_snapshot_year_between_steps_is_refused_by_name(tmp_path):
    """With time.step 2 a run simulates 2000, 2002 and 2004: a snapshot of 2003 passed
    'check' and the network figure then had no year to draw."""
    text = VALID.replace("end: 2005}", "end: 2005, step: 2}").replace(
        "outputs: {pairs: [[A, B]]}", "outputs: {pairs: [[A, B]], snapshots: [2002, 2003]}")
    (tmp_path / "s.yaml").write_text(text)
    res = sim("check", "s.yaml", cwd=tmp_path)
    assert refusal_problems(res, names="s.yaml", field="outputs.snapshots[1]") == []
    assert "a simulated year (2000 plus a multiple of time.step 2)" in res.error_lines()[0]
    (tmp_path / "s.yaml").write_text(text.replace("2003]", "2004]"))
    assert sim("check", "s.yaml", cwd=tmp_path).returncode == 0

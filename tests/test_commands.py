"""Command behaviours users meet: the report lists every pair, landscape writes under
runs/, progress bars on a terminal only, the Python API of the README."""

import pandas as pd

from tests.conftest import ROOT, SCENARIOS, run_cli


def test_report_alignment_table_lists_every_pair_including_class_none(tmp_path):
    out = tmp_path / "run"
    proc = run_cli("run", SCENARIOS / "known_paper_alliance.yaml", "--out", out, "--no-plots")
    assert proc.returncode == 0, proc.stderr
    d = pd.read_csv(out / "dyads.csv")
    last = d[d.year == d.year.max()]
    quiet = last[(last.de_facto == 0) & (last.de_jure == 0) & (last.classification == "none")]
    assert len(quiet), "the scenario should end with a distant pair of class none"
    report = (out / "report.md").read_text()
    section = report.split(f"## Alignments in {int(d.year.max())}")[1].split("\n## ")[0]
    for r in last.itertuples():
        assert f"| {r.a}-{r.b} | {r.de_facto} " in section, f"{r.a}-{r.b} missing"
    for r in quiet.itertuples():
        assert f"| {r.a}-{r.b} | 0 distant | 0 none | none |" in section


def test_landscape_writes_under_runs_by_default(tmp_path):
    proc = run_cli("landscape", SCENARIOS / "landscape_two_pairs.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "runs" / "landscape" / "landscape_two_pairs" / "minima.csv").is_file()
    assert not (tmp_path / "results").exists()
    assert "runs/landscape/landscape_two_pairs" in proc.stdout
    assert "default runs/landscape" in " ".join(run_cli("landscape", "--help").stdout.split())


def run_on_terminal(*args: str, timeout: int = 300):
    """Run ``python -m sim ...`` with stdout on a pseudo-terminal (as in a shell) and stderr
    piped; return (exit status, stdout, stderr)."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    master, slave = pty.openpty()
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], cwd=ROOT, env=env,
                            stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks: list[bytes] = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    err = proc.communicate(timeout=timeout)[1]
    reader.join(10)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode(errors="replace"), err.decode(errors="replace")


def test_structure_shows_a_progress_bar_on_a_terminal_only():
    args = ("structure", SCENARIOS / "central_asia_1991_2024.yaml")
    code, out, err = run_on_terminal(*args)
    assert code == 0, err
    assert "structural balance" in err and "%|" in err and "year" in err
    piped = run_cli(*args)
    assert piped.returncode == 0 and "%|" not in piped.stderr and "%|" not in piped.stdout


def test_validate_shows_a_progress_bar_over_the_seeds_on_a_terminal_only():
    args = ("validate", SCENARIOS / "central_asia_1991_2024.yaml", "--reference",
            ROOT / "seeds" / "reference" / "central_asia_reference.csv", "--seeds", "2", "--from-year", "1992")
    code, out, err = run_on_terminal(*args)
    assert code == 0, err
    assert "simulating central_asia_1991_2024.yaml" in err and "0/2" in err and "run/s" in err
    piped = run_cli(*args)
    assert piped.returncode == 0 and "%|" not in piped.stderr and "Overall" in piped.stdout


def test_readme_python_api_snippet_runs_and_summary_is_a_property(monkeypatch):
    import re

    from sim.run.simulate import RunResult

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len([line for line in code.splitlines() if line and not line.startswith(("from ", "import "))]) == 3
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md (Python API)", "exec"), namespace)
    for name in ("dyads", "states", "events"):
        assert isinstance(namespace[name], pd.DataFrame) and len(namespace[name])
    res = namespace["res"]
    assert isinstance(RunResult.__dict__["summary"], property)
    summary = res.summary
    assert isinstance(summary, dict) and summary and all(isinstance(k, str) for k in summary)
    assert set(namespace["dyads"].a) | set(namespace["dyads"].b) == set(res.ids)


def test_the_readme_main_job_can_run_twice(tmp_path):
    """run, validate into the run folder, run again: a validated run folder is still ours to
    replace, but a folder with a user's file in it is not."""
    from sim.cli.main import main

    scenario = str(ROOT / "scenarios" / "central_asia_1991_2024.yaml")
    out = tmp_path / "ca"
    reference = str(ROOT / "seeds" / "reference" / "central_asia_reference.csv")
    assert main(["run", scenario, "--out", str(out), "--no-plots"]) == 0
    assert main(["validate", str(out), "--reference", reference, "--from-year", "1992",
                 "--out", str(out / "validation")]) == 0
    assert main(["run", scenario, "--out", str(out), "--no-plots"]) == 0
    assert not (out / "validation").exists()  # replaced with the run folder it belonged to
    (out / "validation").mkdir()
    (out / "validation" / "notes.txt").write_text("mine")
    assert main(["run", scenario, "--out", str(out), "--no-plots"]) == 2
    assert (out / "validation" / "notes.txt").read_text() == "mine"

"""Command behaviours users meet: the report lists every pair, landscape writes under
runs/, progress bars on a terminal only, the Python API of the README."""

import pandas as pd

from conftest import ROOT, SCENARIOS, run_cli


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

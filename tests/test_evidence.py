"""Tests for the evidence ledger: validation errors, coverage, paraphrase originality, suggest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.calibration import evidence as ev
from sim.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "data" / "calibration"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def ledger():
    return ev.load_ledger()


def test_ledger_has_enough_records_covering_every_seed_document(ledger):
    docs = ev.load_documents()
    seed_docs = {k for k, v in docs.items() if v["kind"] == "seed"}
    assert len(ledger) >= 60
    assert seed_docs <= {r.doc for r in ledger}
    assert len({r.id for r in ledger}) == len(ledger)
    # every use is present and outcomes are never calibration inputs
    assert {r.use for r in ledger} == set(ev.USES)
    assert all(r.use == "reference" for r in ledger if r.dimension == "alignment_outcome")


def test_good_fixture_loads():
    records = ev.load_ledger(FIX / "good.csv", FIX / "documents.yaml")
    assert [r.id for r in records] == ["E001"]
    assert records[0].actors == ("KZK", "RUS") and records[0].line == 2


@pytest.mark.parametrize("name, field", [
    ("bad_state", "actors"), ("bad_dimension", "dimension"), ("bad_strength", "strength"),
    ("reversed_period", "period_end"), ("missing_passage", "passage"), ("unknown_doc", "doc"),
    ("bad_direction", "direction"), ("outcome_as_input", "use"), ("duplicate_id", "id"),
    ("one_actor_pair", "actors"),
])
def test_malformed_record_names_file_line_and_field(name, field):
    with pytest.raises(InputError) as info:
        ev.load_ledger(FIX / f"{name}.csv", FIX / "documents.yaml")
    err = info.value
    assert err.field == field
    assert err.line == 3  # header is line 1, the good record line 2
    assert f"{name}.csv:3:" in err.message() and f"'{field}'" in err.message()


def test_directed_dimension_matches_only_the_perceiver():
    rec = ev.parse_record(
        {"id": "E009", "doc": "doc_a", "passage": "l.1", "actors": "UZB;USA;RUS", "dimension": "perceived_intent",
         "direction": "1", "strength": "3", "period_start": "2005", "period_end": "2007",
         "paraphrase": "x", "confidence": "0.5", "use": "calibration"},
        Path("x.csv"), 2, {"doc_a": {}})
    assert rec.involves_pair("UZB", "USA") and rec.involves_pair("UZB", "RUS")
    assert not rec.involves_pair("USA", "UZB") and not rec.involves_pair("USA", "RUS")
    assert rec.covers(2005) and rec.covers(2007) and not rec.covers(2008)


@pytest.mark.skipif(not SEEDS.exists(), reason="source documents not available")
def test_no_paraphrase_shares_a_12_word_run_with_the_sources(ledger):
    def words(text):
        return re.findall(r"[a-z0-9']+", text.lower())

    grams = set()
    for path in SEEDS.glob("*.txt"):
        w = words(path.read_text(encoding="utf-8", errors="replace"))
        grams |= {tuple(w[i:i + 12]) for i in range(len(w) - 11)}
    for rec in ledger:
        w = words(rec.paraphrase)
        shared = [" ".join(w[i:i + 12]) for i in range(len(w) - 11) if tuple(w[i:i + 12]) in grams]
        assert not shared, f"{rec.id} copies: {shared[0]}"


TEXT = """Moscow and Astana found that their interests converged on most questions.
The weather in Tashkent was warm. Uzbek officials feared that Washington would interfere in domestic affairs.
Kazakhstan signed a trade deal. Turkmenistan declared itself neutral, and Ashgabat told Kabul so.
"""


def test_suggest_finds_the_expected_candidates():
    found = ev.suggest(TEXT)
    got = [(s.line, s.states, s.dimension, s.direction) for s in found]
    assert got == [
        (1, ("RUS", "KZK"), "interest_convergence", 1),
        (2, ("UZB", "USA"), "perceived_intent", 1),
        (3, ("TKM", "AFG"), "doctrine_neutrality", 1),
    ]
    # a sentence naming one state only is never suggested
    assert all("weather" not in s.sentence and "trade deal" not in s.sentence for s in found)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_evidence_check_and_suggest(tmp_path):
    ok = _cli("evidence", "check")
    assert ok.returncode == 0 and "OK, " in ok.stdout
    bad = _cli("evidence", "check", str(FIX / "bad_strength.csv"), "--documents", str(FIX / "documents.yaml"))
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "bad_strength.csv:3: field 'strength'" in bad.stderr
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    out = _cli("evidence", "suggest", str(doc))
    assert out.returncode == 0
    assert "doc.txt:2\tUZB;USA\tperceived_intent\t+1" in out.stdout
    assert "3 candidate passage(s)" in out.stdout


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_suggest_reads_a_document_saved_as_utf16_or_with_a_bom(tmp_path, encoding):
    """A UTF-16 document (as Windows editors save it) was read as UTF-8 with its bytes
    replaced, and gave '0 candidate passage(s)' with exit 0."""
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding=encoding)
    out = _cli("evidence", "suggest", str(doc))
    assert out.returncode == 0, out.stderr
    assert "3 candidate passage(s)" in out.stdout


def test_suggest_refuses_text_with_nul_bytes_by_name(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_bytes(TEXT.encode("utf-16-le"))  # no byte-order mark
    out = _cli("evidence", "suggest", str(doc))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert ("doc.txt:1: expected text (a plain-text document, or UTF-16 with a byte-order mark); the file "
            "holds a NUL byte on line 1") in out.stderr

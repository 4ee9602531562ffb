"""A run's tables are what the golden fingerprints say: speed work changes no result.

The fingerprints (``tests/data/golden_tables.json``) were written by ``tests/golden_tables.py``
from the mechanisms of the commit that wrote them; a change meant to change results
rewrites them with ``.venv/bin/python tests/golden_tables.py write`` (see that module).
"""

from __future__ import annotations

import json

import pytest

import golden_tables as golden


@pytest.mark.parametrize("case", sorted(golden.CASES))
def test_tables_match_the_golden_fingerprints(case):
    expected = json.loads(golden.GOLDEN.read_text())[case]
    found = golden.fingerprints([case])
    assert golden.differences(found, {case: expected}) == [], (
        "a table changed; if the change of results is meant, rewrite the fingerprints with "
        "'.venv/bin/python tests/golden_tables.py write'")


def test_a_changed_table_is_named():
    """The comparison names the case and table that differ (so it can fail)."""
    golden_fp = {"c": {"dyads.csv": "aa", "events.csv": "bb"}}
    assert golden.differences({"c": {"dyads.csv": "aa", "events.csv": "cc"}}, golden_fp) == [
        "c/events.csv: cc != golden bb"]
    assert golden.differences({}, golden_fp)[0].startswith("c/dyads.csv: None")

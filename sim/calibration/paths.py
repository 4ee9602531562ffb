"""Where calibration reads and writes by default: the repository's ``seeds/`` folder.

Kept apart from the rules and the ledger (which need pandas and yaml) so that the command
line can show these defaults without loading the calibration itself.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LEDGER = ROOT / "seeds" / "evidence.csv"
DEFAULT_DOCUMENTS = ROOT / "seeds" / "documents.yaml"
DEFAULT_DATA = ROOT / "seeds" / "data"
DEFAULT_RULES = ROOT / "seeds" / "calibration_rules.yaml"
DEFAULT_OUT = ROOT / "seeds" / "calibrated"

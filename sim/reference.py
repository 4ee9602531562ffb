"""Reading a reference timeline (dyad-year de jure and de facto levels with sources)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.tables import read_csv


def load_reference(path: str | Path) -> pd.DataFrame:
    """Read a reference CSV (a, b, year, de_jure, de_facto, ...); empty levels are NaN."""
    df = read_csv(path, required=["a", "b", "year"], numeric=["year", "de_jure", "de_facto"],
                  allow_empty=["de_jure", "de_facto"])
    df["year"] = df["year"].astype(int)
    return df

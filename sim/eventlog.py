"""The run's log of events, with the many changes of a large system kept as arrays.

A year of a few hundred states can change tens of thousands of pairs; one Python record
per change, with its drivers written out, would cost more than the year's mathematics. So
the model logs each year's pair changes as one :class:`PairChanges` batch of index arrays,
and rows (and their driver text) are built, once, when someone reads the log; the order
of rows is the order in which the model logged them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class PairChanges:
    """Changes of pair levels in one year, ``i[e] < j[e]``.

    Attributes:
        kinds: One kind per change (an array of strings) or one kind for all.
        text: The row's text, formatted with the old and new level (``"de facto {} -> {}"``).
        drivers: Given the batch, the driver text of each change; None: no drivers.
    """

    year: int
    kinds: np.ndarray | str
    i: np.ndarray
    j: np.ndarray
    old: np.ndarray
    new: np.ndarray
    text: str
    drivers: Callable[["PairChanges"], list[str]] | None = None

    def __len__(self) -> int:
        return len(self.i)

    def kind_counts(self) -> Counter:
        if isinstance(self.kinds, str):
            return Counter({self.kinds: len(self)})
        return Counter(self.kinds.tolist())

    def rows(self, ids: list[str]) -> list[dict]:
        kinds = [self.kinds] * len(self) if isinstance(self.kinds, str) else self.kinds.tolist()
        drivers = self.drivers(self) if self.drivers is not None else [""] * len(self)
        year, text = int(self.year), self.text
        return [{"year": year, "kind": k, "a": ids[a], "b": ids[b], "text": text.format(o, n), "drivers": d}
                for k, a, b, o, n, d in zip(kinds, self.i.tolist(), self.j.tolist(), self.old.tolist(),
                                            self.new.tolist(), drivers)]


class EventLog:
    """Rows (dicts with year, kind, a, b, text, drivers) and batches of pair changes, in order."""

    def __init__(self, ids: list[str]):
        self.ids = ids
        self._items: list[tuple[dict, Callable[[], str] | None] | PairChanges] = []
        self._rows: list[dict] = []  # the items already turned into rows
        self._done = 0

    def add(self, row: dict, drivers: Callable[[], str] | None = None) -> None:
        """Log one row; ``drivers``, if given, writes its driver text when the row is read."""
        self._items.append((row, drivers))

    def add_changes(self, batch: PairChanges) -> None:
        if len(batch):
            self._items.append(batch)

    def rows(self) -> list[dict]:
        """Every event as a row; batches are written out on the first read that reaches them."""
        for item in self._items[self._done:]:
            if isinstance(item, PairChanges):
                self._rows.extend(item.rows(self.ids))
                continue
            row, drivers = item
            if drivers is not None:
                row["drivers"] = drivers()
            self._rows.append(row)
        self._done = len(self._items)
        return self._rows

    def kind_counts(self) -> Counter:
        """How many events of each kind, without writing out any row."""
        counts: Counter = Counter()
        for item in self._items:
            counts.update(item.kind_counts() if isinstance(item, PairChanges) else {item[0]["kind"]: 1})
        return counts


#: A bloc founded in the year the log gives it (``NAME founded by ...``).
BLOC_FOUNDED = "bloc_founded"
#: A bloc older than the scenario's part of it, entering the scenario in the year the log
#: gives it (``NAME (founded YEAR) enters the scenario with ...``): the CSCE, founded in 1975,
#: enters a 1991 scenario in 1992. Calling that a founding would date the organisation wrongly.
BLOC_ENTERED = "bloc_entered_scenario"


def bloc_start(name: str, year: int, members: list[str], context_members: list[str],
               established: int | None) -> tuple[str, str]:
    """The kind and text of the row that logs a bloc's first year in a scenario.

    Args:
        name: The bloc's name as reports show it.
        year: The year it starts in the scenario (its ``founded`` year, or the first year).
        members: The scenario's states that are members from that year (its ``founders``).
        context_members: Members from outside the scenario, named for the record.
        established: The year the organisation itself was founded, if the scenario gives
            one; when it is before ``year`` the row says the bloc enters the scenario, with
            its real founding year, rather than that it was founded in ``year``.
    """
    who = ", ".join(list(members) + [f"{c} (outside the scenario)" for c in context_members])
    if established is not None and established < year:
        return BLOC_ENTERED, f"{name} (founded {established}) enters the scenario with {who}"
    return BLOC_FOUNDED, f"{name} founded by {who}"


def names_bloc_start(text: str, name: str) -> bool:
    """Whether a row's text (as :func:`bloc_start` words it) starts bloc ``name``."""
    return text.startswith(f"{name} founded by ") or text.startswith(f"{name} (founded ")


def kinds_of(codes: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Kind names for an array of codes into ``names``."""
    return np.asarray(names, dtype=object)[codes]

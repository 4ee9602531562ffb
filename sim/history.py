"""Year-by-year views that a run rebuilds when read instead of keeping.

A run's utility components are ten floating-point ``n x n`` arrays a year: 13 MB a year at
400 states, more than a gigabyte over a century. They are a pure function of the year's
inputs and of the de facto levels the states valued, which the record keeps as one
``int8`` array, so :class:`Rebuilt` recomputes a year's components (and the classes that
read them) when someone asks for them, the same to the last bit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Callable


class Rebuilt(Sequence):
    """``view[t]`` is ``build(t)`` for each year the record holds; the last few are kept.

    Args:
        build: Rebuilds year ``t``'s value from the record.
        kept: The record list whose length is the number of years (one entry a year).
        cache: How many rebuilt years to keep (tables and drivers read years in order and
            need this year and the one before).
    """

    def __init__(self, build: Callable[[int], Any], kept: list, cache: int = 2):
        self._build, self._kept, self._size = build, kept, cache
        self._cache: OrderedDict[int, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self[k] for k in range(*t.indices(len(self)))]
        t = int(t) + (len(self) if t < 0 else 0)
        if not 0 <= t < len(self):
            raise IndexError(f"year index {t} outside the {len(self)} years recorded")
        if t not in self._cache:
            self._cache[t] = self._build(t)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return self._cache[t]

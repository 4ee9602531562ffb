"""Pairwise inputs stored once per distinct year instead of once per year.

A century of a 400-state system is 101 years of five ``400 x 400`` pairwise inputs: 620 MB
as plain arrays, although most of them change in a few years only (an event, a new table
row). :class:`ByYear` keeps each distinct year's array once and, for every year, which of
them holds. Reading a year (``x[t]``, ``x[t, i]``) costs what it costs on an array;
writing (``x[t0:t1, i, j] = v``, as events and table rows do) copies a shared year's array
only when the years written no longer share all of it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin


class ByYear(NDArrayOperatorsMixin):
    """A ``(T, ...)`` array held as distinct arrays ``values`` and ``index[t]`` into them.

    Reading a year gives a read-only view: a change must go through item assignment, which
    keeps the years that share an array apart. Arithmetic and comparisons (``a != b``,
    ``np.clip(a, ...)``) work on the whole ``(T, ...)`` array, written out: for analyses
    and tests, not for the model's inner loop.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(isinstance(x, ByYear) for x in kwargs.get("out", ())):
            return NotImplemented  # in place: use item assignment or clip_years
        inputs = tuple(np.asarray(x) if isinstance(x, ByYear) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __init__(self, values: list[np.ndarray], index: np.ndarray):
        self.values = values
        self.index = np.asarray(index, dtype=np.intp)

    @classmethod
    def constant(cls, value: np.ndarray, years: int) -> "ByYear":
        """The same array in every one of ``years`` years."""
        return cls([np.array(value)], np.zeros(years, dtype=np.intp))

    @classmethod
    def built(cls, years: int, key: Callable[[int], object], build: Callable[[int], np.ndarray]) -> "ByYear":
        """Year t's array is ``build(t)``, built once for all the years with the same ``key(t)``."""
        made: dict[object, int] = {}
        values, index = [], np.zeros(years, dtype=np.intp)
        for t in range(years):
            k = key(t)
            if k not in made:
                made[k] = len(values)
                values.append(build(t))
            index[t] = made[k]
        return cls(values, index)

    @classmethod
    def of(cls, full: np.ndarray) -> "ByYear":
        """A plain ``(T, ...)`` array, each run of equal consecutive years kept once."""
        values, index = [], np.zeros(len(full), dtype=np.intp)
        for t in range(len(full)):
            if not t or not np.array_equal(full[t], full[t - 1], equal_nan=True):
                values.append(np.array(full[t]))
            index[t] = len(values) - 1
        return cls(values, index)

    def distinct(self) -> list[np.ndarray]:
        """The arrays some year holds, each once, read-only: for a question every year
        sharing an array answers alike (is any value not 0?), without writing out all years."""
        out = []
        for k in np.unique(self.index):
            view = self.values[k].view()
            view.flags.writeable = False
            out.append(view)
        return out

    def map(self, fn: Callable[[np.ndarray], np.ndarray]) -> "ByYear":
        """``fn`` applied to every distinct year's array (years keep sharing)."""
        return ByYear([fn(v) for v in self.values], self.index.copy())

    # -- array protocol ------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.index),) + self.values[0].shape

    @property
    def ndim(self) -> int:
        return 1 + self.values[0].ndim

    @property
    def dtype(self):
        return self.values[0].dtype

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.values) + self.index.nbytes

    def __len__(self) -> int:
        return len(self.index)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.stack([self.values[k] for k in self.index])
        return out if dtype is None else out.astype(dtype)

    def _years(self, key) -> tuple[np.ndarray, tuple, bool]:
        """The years a key selects, the rest of the key, and whether the year was one integer."""
        key = key if isinstance(key, tuple) else (key,)
        first, rest = key[0], key[1:]
        one = isinstance(first, (int, np.integer))
        return np.atleast_1d(np.arange(len(self.index))[first]), rest, one

    def __getitem__(self, key):
        ts, rest, one = self._years(key)
        if one:
            view = self.values[self.index[ts[0]]].view()
            view.flags.writeable = False
            return view[rest] if rest else view
        parts = {k: self.values[k][rest] for k in np.unique(self.index[ts])}
        return np.stack([parts[k] for k in self.index[ts]])

    def __setitem__(self, key, value) -> None:
        ts, rest, one = self._years(key)
        shape = self.values[0][rest].shape
        given = np.broadcast_to(np.asarray(value, dtype=self.dtype), ((1,) if one else (len(ts),)) + shape)
        for base in np.unique(self.index[ts]):
            years = ts[self.index[ts] == base]
            rows = given[np.isin(ts, years)] if not one else given
            if len(years) == np.count_nonzero(self.index == base) and (rows == rows[:1]).all():
                self.values[base][rest] = rows[0]  # every year of this array gets the same change
                continue
            made: dict[bytes, int] = {}
            for t, row in zip(years, rows):
                k = row.tobytes()
                if k not in made:
                    arr = self.values[base].copy()
                    arr[rest] = row
                    made[k] = len(self.values)
                    self.values.append(arr)
                self.index[t] = made[k]
        self.compact()

    def compact(self) -> None:
        """Drop arrays no year uses any more."""
        used = np.unique(self.index)
        if len(used) == len(self.values):
            return
        renumber = np.zeros(len(self.values), dtype=np.intp)
        renumber[used] = np.arange(len(used))
        self.values = [self.values[k] for k in used]
        self.index = renumber[self.index]

    def hold_after(self, t: int) -> None:
        """Every year after ``t`` as year ``t`` (a forecaster's inputs frozen at ``t``)."""
        self.index[t + 1:] = self.index[t]
        self.compact()


def clip_years(arr, lo: float, hi: float) -> None:
    """Clip an array or a :class:`ByYear` in place."""
    for v in (arr.values if isinstance(arr, ByYear) else [arr]):
        np.clip(v, lo, hi, out=v)


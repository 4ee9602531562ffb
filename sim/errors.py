"""Errors that reach the user as one clear sentence, never as a traceback.

Every input the project reads (scenario files, CSV tables, evidence ledgers, sweep files)
reports a problem through :class:`InputError`, which names the file, the line where it is
known, the field and what was expected. The command line turns it into exit status 2.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem in a file the user gave us.

    Args:
        file: The file that holds the problem.
        field: Dotted path of the offending field or column (``states[2].power``).
        expected: What a valid value looks like, in words.
        line: 1-based line number in the file, when known.
        got: The offending value, shown abbreviated.
        row: 1-based row of a table that has no lines (Parquet), when known; the header is
            not a row. A Parquet table's row cited as a line sent the reader to a line
            that does not exist.
    """

    def __init__(self, file: str | Path | None, field: str | None, expected: str,
                 *, line: int | None = None, got: object = None, row: int | None = None):
        self.file = str(file) if file is not None else "<input>"
        self.field = field
        self.expected = expected
        self.line = line
        self.got = got
        self.row = row
        super().__init__(self.message())

    def __reduce__(self):
        """Pickled with its fields (and a subclass's), so that an error raised in a worker
        process reaches the parent whole; the default pickling would call ``__init__`` with
        the message alone and break the process pool."""
        return _rebuilt, (type(self), self.__dict__)

    def message(self) -> str:
        option = self.file == "<input>" and bool(self.field) and self.field.startswith("-")
        where = "command line" if option else self.file + (f":{self.line}" if self.line else "")
        if self.row and not option:
            where += f", row {self.row}"
        parts = [where + ":"]
        if self.field:
            parts.append(f"{'option' if option else 'field'} '{self.field}':")
        parts.append(f"expected {self.expected}")
        if self.got is not None:
            got = self.got.item() if type(self.got).__module__ == "numpy" and hasattr(self.got, "item") else self.got
            shown = repr(got)  # a numpy number as the number it is, not np.float64(...)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            parts[-1] += f", got {shown}"
        return " ".join(parts)


def _rebuilt(cls: type[InputError], fields: dict) -> InputError:
    error = cls.__new__(cls)
    error.__dict__.update(fields)
    Exception.__init__(error, error.message())
    return error


class FigureError(Exception):
    """A run figure could not be drawn; the run fails and writes no run folder.

    Args:
        message: Which figure failed and why, in one sentence.
        detail: The traceback of the failure (drawn in another process, it cannot travel
            as an exception), for a bug report.
    """

    def __init__(self, message: str, detail: str = ""):
        self.detail = detail
        super().__init__(message)


class RunsFailed(Exception):
    """Every run of a batch of work failed, so it produced no result (exit status 1).

    Unlike :class:`InputError` this comes after the work ran: each run's own error is
    known only then (a value valid for the file's checks may still break every run).

    Args:
        message: How many runs failed and the first one's reason, in one sentence.
    """

"""Argument types shared by several commands: refused by argparse, before any work."""

from __future__ import annotations

import argparse
import os
from typing import Callable


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number in ``low..high`` (no upper bound if None).

    A seed must not be negative (numpy's seed sequence refuses it only deep inside the
    run, as a traceback), and a count of runs needs both bounds; argparse reports the
    option by name and exits with status 2.
    """
    expected = f"a whole number from {low:,} to {high:,}" if high is not None else f"a whole number >= {low:,}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in some messages
    return parse


#: ``--seed`` of every command: numpy seeds are whole numbers >= 0 (of any size).
seed = whole_number(0)


#: Most local worker processes ``--workers`` may start: each holds its own copy of the model,
#: and more processes than a few per core only compete for the cores (``sweep --workers
#: 100000`` would have started one process per queued chunk, until memory ran out).
MAX_LOCAL_WORKERS = 4 * (os.cpu_count() or 1)

#: ``--workers`` of the commands that start local processes (sweep, fit).
local_workers = whole_number(1, MAX_LOCAL_WORKERS)


def folder_path(text: str) -> str:
    """An argparse ``type`` for ``--out``: an empty path (an unset shell variable) is refused,
    where it was taken as 'not given' and the output went to the default folder, or nowhere."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder path, got an empty one")
    return text


folder_path.__name__ = "folder path"

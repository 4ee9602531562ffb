"""Progress bars for long work: tqdm on stderr, shown only when stdout is a terminal, so
pipes, logs, tests and notebooks stay free of them (``sweep`` has its own switch)."""

from __future__ import annotations

import sys
from typing import Any, Iterable


def on_terminal() -> bool:
    """Whether stdout is an interactive terminal."""
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):  # replaced or closed stdout
        return False


def progress(iterable: Iterable | None = None, *, total: int | None = None, desc: str | None = None,
             unit: str = "it", enabled: bool | None = None, **kwargs: Any):
    """A tqdm bar around ``iterable`` (or a manual one with ``total``) on stderr.

    Args:
        enabled: True or False to force it; None (default) shows it when stdout is a
            terminal.
    """
    from tqdm import tqdm

    show = on_terminal() if enabled is None else enabled
    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, disable=not show,
                dynamic_ncols=True, leave=False, **kwargs)

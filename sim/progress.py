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


class Steps:
    """A bar over the named steps of a command whose work is not one loop (simulate, then
    write; score, then draw), so a terminal shows which step the seconds go to.

    Use as a context manager and call :meth:`next` as each step finishes.
    """

    def __init__(self, desc: str, names: list[str], enabled: bool | None = None):
        self.names = list(names)
        self.done = 0
        self.bar = progress(total=len(self.names), desc=desc, unit="step", enabled=enabled)
        self.bar.set_postfix_str(self.names[0])

    def next(self) -> None:
        """The current step is done; show the next one's name."""
        self.done += 1
        self.bar.update()
        if self.done < len(self.names):
            self.bar.set_postfix_str(self.names[self.done])

    def __enter__(self) -> "Steps":
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()

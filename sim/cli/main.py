"""The ``alliance-sim`` command line.

Each sub-command lives in the module that owns its idea; that module exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a handler taking the
parsed arguments and returning an exit status. Errors in user input are
:class:`sim.errors.InputError` and become one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import sys

from sim import __version__
from sim.errors import FigureError, InputError, RunsFailed
from sim.threads import prefer_single_thread

#: Modules that contribute sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = [
    "sim.cli.run",
    "sim.cli.viz",
    "sim.cli.sweep",
    "sim.cli.landscape",
    "sim.cli.validate",
    "sim.cli.calibrate",
]

#: Allocations between two collections of the youngest generation while a command runs
#: (Python's default is 700). A command imports numpy, pandas, Mesa and matplotlib: about a
#: million objects that all live to the end, which the default had the collector walk over
#: and over (0.1 s of a 1.4 s run); short-lived cycles are still collected.
YOUNG_GENERATION = 10_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-sim",
        description="Agent-based simulation of how states form, keep and break alliances.",
    )
    parser.add_argument("--version", action="version", version=f"alliance-sim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a feature module not yet installed
            if exc.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def _terminate(signum, frame):
    """SIGTERM is handled like Ctrl-C: the command cleans up its temporary files and stops."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the command in ``argv`` (default: the process's arguments); return the exit status.

    Without ``argv`` main is the program (the console script, ``python -m sim``), and its
    return ends the process: the objects left are then frozen (:func:`gc.freeze`), so that
    the interpreter's exit does not search them for garbage (0.3 s after a run).
    """
    prefer_single_thread()
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, *thresholds[1:])
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (called from a library): leave signals alone
        previous = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"alliance-sim: error: {exc.message()}", file=sys.stderr)
        return 2
    except RunsFailed as exc:  # the work ran and nothing came of it: not a refusal of input
        print(f"alliance-sim: error: {exc}", file=sys.stderr)
        return 1
    except FigureError as exc:  # a failure of the program, not of the input: its traceback, for a bug report
        print(exc.detail.rstrip(), file=sys.stderr)
        print(f"alliance-sim: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("alliance-sim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a pager or `head` that closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        gc.set_threshold(*thresholds)
        if argv is None:
            gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

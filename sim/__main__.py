"""``python -m sim``: the command line, quiet when interrupted while it starts up."""

import os
import signal
import sys


def _interrupted(signum, frame):  # pragma: no cover - timing-dependent
    # During the imports below nothing has been written yet: leave at once, no traceback.
    os.write(2, b"alliance-sim: interrupted\n")
    os._exit(130 if signum == signal.SIGINT else 128 + signum)


signal.signal(signal.SIGINT, _interrupted)
signal.signal(signal.SIGTERM, _interrupted)
from sim.cli.main import main  # noqa: E402 - after the handlers, on purpose

try:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    status = main()
except KeyboardInterrupt:  # pragma: no cover - an interrupt in the instants around main's own handler
    os.write(2, b"alliance-sim: interrupted\n")
    status = 130
finally:
    # The command is done and has said so: a Ctrl-C while the interpreter shuts down must
    # not print a traceback from whatever cleanup it interrupts.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.exit(status)

"""Run many ``alliance-sim`` commands in one long-lived process (used by the hostile corpus).

Starting ``python -m sim`` costs about a second of imports; the corpus has some 200 cases.
This driver imports the command line once and then reads one JSON request per line on
stdin, ``{"argv": [...], "cwd": "..."}``, runs ``sim.cli.main.main(argv)`` as ``python -m
sim`` would (working folder on ``sys.path[0]``, an uncaught exception printed as a
traceback with status 1) with file descriptors 1 and 2 sent to temporary files, and answers
one JSON line ``{"returncode", "stdout", "stderr"}`` on the descriptor that was stdout when
it started. The test side enforces the wall-time limit by killing the driver, and starts a
fresh one after any case that did not end with status 0 or 2.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback


def _run(argv: list[str]) -> int:
    from sim.cli.main import main

    try:
        return int(main(argv) or 0)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - report it as the interpreter would
        traceback.print_exc()
        return 1


def serve() -> None:
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the commands under test read no stdin (as with stdin=DEVNULL)
    os.close(null)
    import sim.cli.main  # noqa: F401 - pay for the imports once

    for line in requests:
        req = json.loads(line)
        os.chdir(req["cwd"])
        sys.path[0] = req["cwd"]  # as under `python -m`: the working folder is importable
        import importlib
        importlib.invalidate_caches()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            sys.stdout.flush()
            sys.stderr.flush()
            saved = os.dup(1), os.dup(2)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                code = _run(req["argv"])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                os.close(saved[0])
                os.close(saved[1])
            texts = []
            for fh in (out, err):
                fh.seek(0)
                texts.append(fh.read().decode("utf-8", "replace"))
        reply.write(json.dumps({"returncode": code, "stdout": texts[0], "stderr": texts[1]}) + "\n")
        reply.flush()


if __name__ == "__main__":
    serve()

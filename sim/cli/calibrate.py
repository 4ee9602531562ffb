"""Command-line front end for calibration and the evidence ledger.

Sub-commands: ``calibrate``, ``explain-param`` and ``evidence {suggest,check}``. The work
is done in :mod:`sim.calibration.rules` and :mod:`sim.calibration.evidence`; this module only parses
arguments and prints.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from sim.calibration import paths
from sim.cli import options
from sim.errors import InputError

#: What ``--prefix`` may be: the start of a file name.
PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=str(paths.DEFAULT_DATA), help="data directory (default seeds/data)")
    parser.add_argument("--evidence", default=str(paths.DEFAULT_LEDGER), help="evidence ledger CSV")
    parser.add_argument("--documents", default=str(paths.DEFAULT_DOCUMENTS), help="documents.yaml")
    parser.add_argument("--rules", default=str(paths.DEFAULT_RULES), help="calibration rules YAML")
    parser.add_argument("--states", default=None,
                        help="comma-separated COW abbreviations or codes (default: the rules file's states)")
    parser.add_argument("--start", type=options.whole_number(-5000, 5000), default=1991,
                        help="first year (-5000 to 5000, as a scenario's years; default 1991)")
    parser.add_argument("--end", type=options.whole_number(-5000, 5000), default=2024,
                        help="last year, inclusive (default 2024); a span of at most 1000 years")


def _readable(path: str, option: str, kind: str, what: str) -> None:
    """Refuse a file the calibration's readers would choke on, before they open it.

    Those readers open the file directly: a folder, a device (/dev/zero, read until memory
    ran out) or a binary file was a traceback. Here it is read as every input is
    (:mod:`sim.reading`: a regular UTF-8 file within its size limit) and the option named.
    """
    from sim.reading import FileProblem, read_text

    try:
        read_text(path, kind=kind, what=what)
    except FileProblem as exc:
        raise InputError(exc.path, option, exc.expected, line=exc.line) from None


def _run(args):
    from sim.calibration import rules as cal

    _readable(args.evidence, "--evidence", "csv", "an evidence ledger CSV")
    _readable(args.documents, "--documents", "yaml", "a documents YAML file")
    _readable(args.rules, "--rules", "yaml", "a calibration rules YAML file")
    states = [s.strip() for s in args.states.split(",") if s.strip()] if args.states is not None else None
    if states == []:  # '' (an unset variable) or ',' calibrated the rules file's states instead
        raise InputError(None, "--states", "comma-separated COW abbreviations or codes", got=args.states)
    from sim.scenario.checks import MAX_STEPS
    if args.end - args.start + 1 > MAX_STEPS:  # the tables feed a scenario, which allows no more
        raise InputError(None, "--end", f"a span of at most {MAX_STEPS} years from --start ({args.start})",
                         got=args.end)
    return cal.calibrate(states, args.start, args.end, data_dir=args.data, evidence=args.evidence,
                         documents=args.documents, rules=args.rules)


def cmd_calibrate(args) -> int:
    from sim.calibration import rules as cal
    from sim.run.outdir import check_folder_place

    if not PREFIX.fullmatch(args.prefix):  # names files inside --out, never a path out of it
        raise InputError(None, "--prefix", "a plain name of letters, digits, '_' or '-' (the tables are "
                         "written inside --out)", got=args.prefix)
    check_folder_place(args.out)  # before the work: no report without its tables
    if args.report:
        from sim.run.outdir import check_output_folder

        check_folder_place(args.report, "--report")
        report_dir = Path(args.report)
        if report_dir.is_dir() and any(e.name not in cal.REPORT_FILES for e in os.scandir(report_dir)):
            # the data folder, or a user's: its files would be overwritten, or mixed with the report's
            check_output_folder(report_dir, own=lambda name: name in cal.REPORT_FILES, what="calibration report",
                                option="--report")
    result = _run(args)
    report = cal.write_report(result, args.report) if args.report else None
    for path in cal.write_outputs(result, args.out, prefix=args.prefix):
        print(f"wrote {path}")
    if report:
        print(f"wrote {report}")
    return 0


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cmd_explain(args) -> int:
    tokens = list(args.what)
    year = None
    if tokens and re.fullmatch(r"[+-]?\d+", tokens[-1].strip()):  # -5 too: a year, refused as one
        year = int(tokens.pop())
    elif tokens and _is_number(tokens[-1]):  # 2000.0, 1e3: a year meant, not a third id
        raise InputError("explain-param", "YEAR", "a whole year", got=tokens[-1])
    if len(tokens) == 2:
        entity, parameter = tokens
    elif len(tokens) == 3:
        entity, parameter = f"{tokens[0]}-{tokens[1]}", tokens[2]
    else:
        raise InputError("explain-param", "arguments", "STATE PARAM [YEAR] or A B PARAM [YEAR]",
                         got=" ".join(args.what))
    from sim.calibration import rules as cal

    result = _run(args)
    print(cal.explain(result, entity, parameter, year))
    return 0


def cmd_suggest(args) -> int:
    from sim.calibration import evidence as ev

    from sim.reading import FileProblem, read_bytes

    path = Path(args.file)
    try:  # a regular file within the CSV size limit
        data = read_bytes(path, kind="csv", what="a plain-text document")
    except FileProblem as exc:
        raise InputError(exc.path, None, exc.expected) from None
    text = _document_text(data, path)
    found = ev.suggest(text)
    for s in found:
        shown = s.sentence if len(s.sentence) <= 160 else s.sentence[:157] + "..."
        print(f"{path.name}:{s.line}\t{';'.join(s.states)}\t{s.dimension}\t{s.direction:+d}\t[{s.cue}]\t{shown}")
    print(f"{len(found)} candidate passage(s); review before coding them into the ledger.")
    return 0


def _document_text(data: bytes, path: Path) -> str:
    """A document's text: UTF-16 where a byte-order mark says so (Windows editors save it),
    else UTF-8 as every input file is read (:func:`sim.reading.decode`), which refuses NUL
    bytes (read as UTF-8 they gave no candidate passage, without a word) and bytes of
    another encoding (Latin-1's \xe9 became U+FFFD, so a passage was quoted with a letter
    the document does not hold and a cue word spelt with it was never found), naming the
    byte and its line."""
    from sim.reading import decode

    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(path, None, "a plain-text document (it starts as UTF-16 but is not)") from None
    return decode(data, path, what="a plain-text document, or UTF-16 with a byte-order mark")


def cmd_check(args) -> int:
    from sim.calibration import evidence as ev

    _readable(args.file, "file", "csv", "an evidence ledger CSV")
    _readable(args.documents, "--documents", "yaml", "a documents YAML file")
    records = ev.load_ledger(args.file, args.documents)
    uses = {u: sum(r.use == u for r in records) for u in ev.USES}
    docs = sorted({r.doc for r in records})
    print(f"{args.file}: OK, {len(records)} records ({', '.join(f'{k} {v}' for k, v in uses.items())}); "
          f"documents cited: {', '.join(docs)}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("calibrate", help="build calibrated state and dyad tables from data + evidence")
    _common(p)
    p.add_argument("--out", default=str(paths.DEFAULT_OUT), help="output directory (default seeds/calibrated)")
    p.add_argument("--report", default=None, help="also write a markdown report with plots to this directory")
    p.add_argument("--prefix", default="central_asia",
                   help="output names PREFIX_states.csv, PREFIX_dyads.csv (and PREFIX_provenance.csv "
                        "unless central_asia, which writes provenance.csv)")
    p.set_defaults(func=cmd_calibrate)

    p = subparsers.add_parser("explain-param", help="show a calibrated value and every source behind it",
                              description="alliance-sim explain-param STATE PARAM [YEAR] | A B PARAM [YEAR]")
    p.add_argument("what", nargs="+", metavar="ARG", help="STATE PARAM [YEAR] or A B PARAM [YEAR]")
    _common(p)
    p.set_defaults(func=cmd_explain)

    p = subparsers.add_parser("evidence", help="work with the evidence ledger")
    sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    s = sub.add_parser("suggest", help="list candidate passages in a text for a person to code")
    s.add_argument("file", help="plain-text document")
    s.set_defaults(func=cmd_suggest)
    c = sub.add_parser("check", help="validate a ledger")
    c.add_argument("file", nargs="?", default=str(paths.DEFAULT_LEDGER))
    c.add_argument("--documents", default=str(paths.DEFAULT_DOCUMENTS))
    c.set_defaults(func=cmd_check)

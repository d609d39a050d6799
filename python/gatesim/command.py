"""What the gatesim command line runs in Python: `gatesim export` calls
`python3 -m gatesim.command export FILE --format csv|json|xlsx -o OUT`, so that the CLI and
gs.load(...).export(...) write the same tables; `gatesim report` calls
`python3 -m gatesim.command report FILE... -o DIR --audience investor|policy` (gs.report). Exit codes as the CLI's: 0 success, 2 bad
input (a file that cannot be read or written), 1 internal error, 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys

from . import export
from .errors import ResultsFileError
from .files import load


def export_command(args) -> int:
    obj = load(args.file)
    written = export.write(obj, args.output, args.format, series=False if args.no_series else None)
    for path in written if isinstance(written, list) else [written]:
        print(path)
    return 0


def report_command(args) -> int:
    from .report import report

    try:
        written = report(args.files, args.output, args.audience, pdf=not args.no_pdf, title=args.title)
    except ResultsFileError:
        raise
    except OSError as e:  # the inputs were fine; writing failed (a full disk): exit 1, as the CLI's writers
        print(f"gatesim: writing the briefing failed: {e}", file=sys.stderr)
        return 1
    for path in written.values():
        print(path)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="gatesim", description="gatesim commands run in Python")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("export", help="a results or study file as CSV, JSON or Excel")
    p.add_argument("file")
    p.add_argument("--format", choices=export.FORMATS, required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--no-series", action="store_true", help="only the summary tables")
    r = commands.add_parser("report", help="an investor or policy briefing (HTML and PDF) from results files")
    r.add_argument("files", nargs="+")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("--audience", choices=("investor", "policy"), default="policy")
    r.add_argument("--title")
    r.add_argument("--no-pdf", action="store_true", help="only the HTML page")
    args = parser.parse_args(argv)
    try:
        return report_command(args) if args.command == "report" else export_command(args)
    except (ResultsFileError, ValueError, OSError) as e:
        print(f"gatesim: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ngatesim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

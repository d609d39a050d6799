"""What the gatesim command line runs in Python: `gatesim export` calls
`python3 -m gatesim.command export FILE --format csv|json|xlsx -o OUT`, so that the CLI and
gs.load(...).export(...) write the same tables. Exit codes as the CLI's: 0 success, 2 bad
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="gatesim", description="gatesim commands run in Python")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("export", help="a results or study file as CSV, JSON or Excel")
    p.add_argument("file")
    p.add_argument("--format", choices=export.FORMATS, required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--no-series", action="store_true", help="only the summary tables")
    args = parser.parse_args(argv)
    try:
        return export_command(args)
    except (ResultsFileError, ValueError, OSError) as e:
        print(f"gatesim: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ngatesim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

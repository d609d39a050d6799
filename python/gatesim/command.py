"""What the gatesim command line runs in Python: `gatesim export` calls
`python3 -m gatesim.command export FILE --format csv|json|xlsx -o OUT`, so that the CLI and
gs.load(...).export(...) write the same tables; `gatesim report` calls
`python3 -m gatesim.command report FILE... -o DIR --audience investor|policy` (gs.report). Exit codes as the CLI's: 0 success, 2 bad
input (a file that cannot be read or written), 1 internal error, 130 interrupted.
`gatesim calibrate` calls `python3 -m gatesim.command calibrate SCENARIO OBS --parameters ... -o OUT`
(gs.calibrate).
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
        written = report(args.files, args.output, args.audience, pdf=not args.no_pdf, title=args.title,
                         calibration=args.calibration)
    except ResultsFileError:
        raise
    except OSError as e:  # the inputs were fine; writing failed (a full disk): exit 1, as the CLI's writers
        print(f"gatesim: writing the briefing failed: {e}", file=sys.stderr)
        return 1
    for path in written.values():
        print(path)
    return 0


def calibrate_command(args) -> int:
    import os

    from .calibration import calibrate
    from .scenario import Scenario

    overrides = args.set or None
    is_file = os.path.exists(args.scenario) or args.scenario.endswith((".yaml", ".yml")) or os.sep in args.scenario
    scenario = Scenario.load(args.scenario, overrides) if is_file else Scenario.library(args.scenario, overrides)
    pool = None
    if args.workers and args.workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(args.workers)
    try:
        cal = calibrate(scenario, args.observations, args.parameters, trials=args.trials, replicates=args.replicates,
                        method=args.method, level=args.level, seed=args.seed, output=args.output, resume=args.resume,
                        executor=pool, ranks=args.ranks)
    except KeyboardInterrupt:
        if os.path.exists(args.output + ".journal"):
            print(f"\ngatesim: interrupted; the finished trials are kept in {args.output}.journal; continue with the "
                  "same command and --resume", file=sys.stderr)
            return 130
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    print(cal.summary())
    print(f"results   {args.output}")
    return 0


def _calibrate_parser(commands) -> None:
    c = commands.add_parser("calibrate", help="fit parameters to observed series (gs.calibrate)")
    c.add_argument("scenario")
    c.add_argument("observations")
    c.add_argument("--parameters", required=True)
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--set", action="append")
    c.add_argument("--trials", type=int, default=60)
    c.add_argument("--replicates", type=int, default=4)
    c.add_argument("--method", choices=("tpe", "cmaes", "random"), default="tpe")
    c.add_argument("--level", type=float, default=0.95)
    c.add_argument("--seed", type=int)
    c.add_argument("--workers", type=int, default=1)
    c.add_argument("--ranks", type=int)
    c.add_argument("--resume", action="store_true")


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
    r.add_argument("--calibration", help="a calibration file (gatesim calibrate) for a calibration section")
    _calibrate_parser(commands)
    args = parser.parse_args(argv)
    run = {"report": report_command, "export": export_command, "calibrate": calibrate_command}[args.command]
    try:
        return run(args)
    except (ResultsFileError, ValueError, OSError, KeyError) as e:
        print(f"gatesim: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ngatesim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

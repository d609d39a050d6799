"""Running scenarios: one run or an ensemble of replicates held in memory (gs.run).

Every simulation runs in the C++ core (simulate, or the ensemble runner for several replicates)
on worker threads with the GIL released; this module only chooses options, shows progress and
wraps the results. Ctrl-C cancels a run cleanly and raises KeyboardInterrupt. Comparisons,
sweeps and sensitivity analyses are in studies.py.
"""
from __future__ import annotations

import datetime
import os
import sys
import warnings
from contextlib import nullcontext

from . import _core
from .errors import SanityWarning
from .results import Results, scope_spec
from .scenario import Scenario, as_scenario


def _interactive() -> bool:
    """A terminal or a Jupyter kernel: somewhere a progress bar is read by a person."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _progress_bar(progress: bool | None, total: int, label: str, unit: str = "day"):
    """A tqdm bar counting simulated days or runs, or a null context. Widgets in notebooks that have
    ipywidgets, text elsewhere; it appears only for runs longer than half a second."""
    if progress is None:
        progress = _interactive()
    if not progress:
        return nullcontext(None)
    try:
        try:
            import ipywidgets  # noqa: F401  (tqdm.auto needs it for the notebook widget)
            from tqdm.auto import tqdm
        except ImportError:
            from tqdm import tqdm
    except ImportError:
        return nullcontext(None)
    return tqdm(total=total, desc=label, unit=unit, delay=0.5, leave=False)


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_threads(threads: int | None) -> int:
    threads = (os.cpu_count() or 1) if threads is None else int(threads)
    if threads < 1:
        raise ValueError("threads must be at least 1")
    return threads


def progress_reporter(bar):
    """The callable the extension polls with (done, total), or None without a bar."""
    if bar is None:
        return None

    def report(done, total):
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return report


def run(scenario: Scenario | str, replicates: int = 1, *, threads: int | None = None, seed: int | None = None,
        first_replicate: int = 0, noise_replicates: int = 0, progress: bool | None = None,
        label: str | None = None, scope=None) -> Results:
    """Runs replicates first_replicate .. first_replicate + replicates - 1 of a scenario.

    scenario: a Scenario, a scenario file or a library name. threads: worker threads (default:
    all cores); results do not depend on it. seed: overrides the scenario's seed. progress:
    show a progress bar (default: in terminals and notebooks). Two scenarios run with the same
    seed and replicates share their random numbers, so res.delta(baseline) is paired.

    One replicate is one engine run, exactly as `gatesim run` (uncertain fields at their central
    values). Several go through the C++ ensemble runner, in parallel, kept in memory; fields
    written as distributions where a number is expected are drawn once per parameter draw of
    noise_replicates runs (default: as the CLI's ensemble).

    scope: a subset of users whose summary scalars are computed too, like --scope on the CLI:
    'region=india;segment=consumer', {"region": "india"}, or a list of such; read them with
    res.summary(scope=...). Outputs that contradict the world's scale warn (SanityWarning) and
    are kept in res.warnings.
    """
    sc = as_scenario(scenario)
    if seed is not None:
        sc = sc.updated({"seed": seed})
    if scope is not None:
        scopes = [scope] if isinstance(scope, (str, dict)) else list(scope)
        sc = sc.updated({"reporting.scopes": list(sc.get("reporting.scopes") or []) + [scope_spec(x) for x in scopes]})
    threads = default_threads(threads)
    replicates, first_replicate = int(replicates), int(first_replicate)
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    if first_replicate < 0:
        raise ValueError("first_replicate must be >= 0")
    label = label or sc.name
    provenance = {"start_time": utc_now(), "threads": threads,
                  "command_line": f"python: gatesim.run({label!r}, replicates={replicates}, "
                                  f"first_replicate={first_replicate})"}
    single = replicates == 1
    total = sc.days if single else replicates
    with _progress_bar(progress, total, label, "day" if single else "run") as bar:
        if single:
            runs = [_core.run_single(sc._impl, first_replicate, threads, progress_reporter(bar))]
            parameters = {}
        else:
            records, paths, _ = _core.run_ensemble(sc._impl, replicates, first_replicate, noise_replicates, threads,
                                                   progress_reporter(bar))
            runs = [r for r, _, _ in records]
            parameters = {path: [values[i] for _, _, values in records] for i, path in enumerate(paths)}
    results = Results._from_runs(runs, scenario=sc.copy(), label=label, provenance=provenance, parameters=parameters)
    for message in results.warnings:
        warnings.warn(f"{label}: {message}", SanityWarning, stacklevel=2)
    return results

"""Running scenarios: one run or an ensemble of replicates (gs.run).

Every simulation runs in the C++ core on worker threads with the GIL released: one run through
simulate(), several through the CLI's ensemble study, whose C++ reductions (bands, scalar
distributions, variance decompositions) come back with the replicates, held in memory or, with
output=, in an ensemble file. This module only chooses options, shows progress and wraps the
results. Ctrl-C cancels cleanly and raises KeyboardInterrupt. Comparisons, sweeps and
sensitivity analyses are in studies.py.
"""
from __future__ import annotations

import datetime
import os
import sys
import warnings
from contextlib import nullcontext
from typing import Sequence

from . import _core, parallel, study_data
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


def default_threads(threads: int | None, pooled: bool = False) -> int:
    """threads=, else all cores, or 1 per run when a pool of processes computes the runs."""
    threads = (1 if pooled else (os.cpu_count() or 1)) if threads is None else int(threads)
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
        label: str | None = None, output: str | os.PathLike | None = None, keep_replicates: bool = True,
        quantiles: Sequence[float] | None = None, resume: bool = False, executor=None,
        ranks: int | None = None, scope=None) -> Results:
    """Runs replicates of a scenario.

    scenario: a Scenario, a scenario file or a library name. threads: worker threads (default:
    all cores); results do not depend on it. seed: overrides the scenario's seed. progress:
    show a progress bar (default: in terminals and notebooks). Two scenarios run with the same
    seed and replicates share their random numbers, so res.delta(baseline) is paired.

    One replicate is one engine run, exactly as `gatesim run` (uncertain fields at their central
    values; first_replicate picks which). Several are the CLI's ensemble study
    (`gatesim run --replicates`): replicates 0 .. n-1 in parallel, fields written as distributions
    drawn once per parameter draw of noise_replicates runs, with the C++ bands and distributions
    (quantiles, default the CLI's). They are held in memory, or with output= written to an
    ensemble file (resume=True continues an interrupted one); keep_replicates keeps every
    replicate's daily series (else only the bands).

    executor: a concurrent.futures executor (e.g. ProcessPoolExecutor) to compute the replicates
    on, or ranks=N for an MPI pool of N worker ranks (gatesim.parallel); threads then counts per
    run (default 1). The results are those of a serial run, bit for bit.

    scope: a subset of users whose summary scalars are computed too, like --scope on the CLI:
    'region=india;segment=consumer', {"region": "india"}, or a list of such; read them with
    res.summary(scope=...). A single run whose outputs contradict the world's scale warns
    (SanityWarning) and keeps the messages in res.warnings.
    """
    sc = as_scenario(scenario)
    if seed is not None:
        sc = sc.updated({"seed": seed})
    if scope is not None:
        scopes = [scope] if isinstance(scope, (str, dict)) else list(scope)
        sc = sc.updated({"reporting.scopes": list(sc.get("reporting.scopes") or []) + [scope_spec(x) for x in scopes]})
    threads = default_threads(threads, executor is not None or ranks is not None)
    replicates, first_replicate = int(replicates), int(first_replicate)
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    if first_replicate < 0:
        raise ValueError("first_replicate must be >= 0")
    label = label or sc.name
    if replicates == 1 and not resume:
        res = _single(sc, first_replicate, threads, progress, label)
        if output is not None:
            res.save(output)
        return res
    if first_replicate != 0:
        raise ValueError("first_replicate picks the replicate of a single run; an ensemble runs replicates "
                         "0 .. replicates-1, as `gatesim run --replicates` does")
    command = f"gatesim.run({label!r}, replicates={replicates})"
    with _progress_bar(progress, replicates, label, "run") as bar, parallel.pool(executor, ranks) as pool:
        pooled = {} if pool is None else {"executor": pool, "in_flight": parallel.in_flight(pool)}
        data = _core.ensemble_study(sc._impl, replicates, int(noise_replicates),
                                    output=os.fspath(output) if output is not None else "",
                                    provenance=study_provenance(sc, threads, command), threads=threads,
                                    resume=resume, keep_replicates=keep_replicates,
                                    quantiles=[float(q) for q in quantiles or []], progress=progress_reporter(bar),
                                    **pooled)
    return study_data.ensemble(data, label=label)


def _single(sc: Scenario, replicate: int, threads: int, progress, label: str) -> Results:
    provenance = {"start_time": utc_now(), "threads": threads,
                  "command_line": f"python: gatesim.run({label!r}, first_replicate={replicate})"}
    with _progress_bar(progress, sc.days, label, "day") as bar:
        run = _core.run_single(sc._impl, replicate, threads, progress_reporter(bar))
    results = Results._from_runs([run], scenario=sc.copy(), label=label, provenance=provenance)
    _warn(results, label)
    return results


def _warn(results: Results, label: str) -> None:
    for message in results.warnings:
        warnings.warn(f"{label}: {message}", SanityWarning, stacklevel=3)


def study_provenance(sc: Scenario, threads: int, command: str) -> dict:
    """What a study records of itself (docs/results-format.md, /provenance)."""
    return {"scenario_yaml": sc.to_yaml(), "scenario_file": sc.source or "", "command_line": f"python: {command}",
            "start_time": utc_now(), "threads": threads}

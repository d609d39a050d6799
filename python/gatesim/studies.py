"""Comparisons, sweeps and sensitivity analyses from Python (gs.compare, gs.sweep,
gs.sensitivity).

Each runs the C++ study of sim/study/studies, exactly as the CLI's study commands: the runs stream
into a study file (kept at `output=`, else a temporary file that is removed), and the reductions
(scalar distributions, paired deltas with bootstrap intervals, Sobol' or Morris indices) come
back as pandas tables. Ctrl-C stops a study cleanly; with output= its finished runs are kept
beside it (output + ".partial"; a file at output is never touched) and resume=True continues.
executor= or ranks= computes the runs on a pool of processes (gatesim.parallel), with the
results of a serial run.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Any, Mapping, Sequence

from . import _core, parallel
from .running import _progress_bar, default_threads, progress_reporter, utc_now
from .scenario import Scenario, as_scenario


def _scalar_table(rows: list[dict], index: list[str]):
    import pandas as pd

    frame = pd.DataFrame(rows)
    return frame.set_index(index) if not frame.empty else frame


class StudyOutcome:
    """How far a study got: completed_runs of total_runs, complete, cancelled."""

    def __init__(self, outcome: Mapping[str, Any]):
        self.__dict__.update(outcome)

    def __repr__(self) -> str:
        return f"<{self.completed_runs}/{self.total_runs} runs, {'complete' if self.complete else 'incomplete'}>"


class Comparison:
    """Scenarios run under common random numbers against the first (the reference).

    cmp.summary()   each scenario's summary scalars: count, mean, sd, quantiles (index scenario, metric)
    cmp.deltas()    paired differences from the reference: mean with bootstrap interval, sd of the
                    paired differences next to the sd an unpaired comparison would have, quantiles
    """

    def __init__(self, report: Mapping[str, Any], path: str | None):
        self.names: list[str] = list(report["names"])
        self.reference = self.names[0]
        self.outcome = StudyOutcome(report["outcome"])
        #: The study file, when output= was given.
        self.path = path
        self._summary = [dict(row, scenario=name) for name, rows in zip(self.names, report["scenarios"]) for row in rows]
        self._deltas = list(report["deltas"])

    def summary(self):
        return _scalar_table(self._summary, ["scenario", "metric"])

    def deltas(self):
        return _scalar_table(self._deltas, ["scenario", "metric"])

    def __repr__(self) -> str:
        return f"<gatesim.Comparison of {', '.join(self.names)} against {self.reference!r}: {self.outcome!r}>"


class Sweep:
    """A scenario run over a design of parameter values.

    sw.points       the parameter values of each point (index point)
    sw.summary()    each point's summary scalars (index point, metric) with its parameter values
    """

    def __init__(self, report: Mapping[str, Any], path: str | None):
        import pandas as pd

        self.parameters: list[str] = list(report["parameters"])
        self.outcome = StudyOutcome(report["outcome"])
        self.path = path
        self.points = pd.DataFrame(report["values"], columns=self.parameters).rename_axis("point")
        self._rows = [dict(row, point=p) for p, rows in enumerate(report["points"]) for row in rows]

    def summary(self):
        import pandas as pd

        table = pd.DataFrame(self._rows)
        if table.empty:
            return table
        table = table.merge(self.points.reset_index(), on="point")
        return table.set_index(["point", "metric"])

    def __repr__(self) -> str:
        return f"<gatesim.Sweep of {', '.join(self.parameters)} over {len(self.points)} points: {self.outcome!r}>"


class Sensitivity:
    """Global sensitivity indices of summary outputs to parameters.

    sens.indices    one row per output and parameter: Sobol' first_order and total with bootstrap
                    intervals, or Morris mu, mu_star (with interval) and sigma
    sens.ranking(output)   parameters by total (Sobol') or mu_star (Morris), largest first
    """

    def __init__(self, report: Mapping[str, Any], method: str, path: str | None):
        import pandas as pd

        self.method = method
        self.parameters: list[str] = list(report["parameters"])
        self.outcome = StudyOutcome(report["outcome"])
        self.path = path
        self.indices = pd.DataFrame(report["indices"])

    @property
    def measure(self) -> str:
        return "total" if self.method == "sobol" else "mu_star"

    def ranking(self, output: str | None = None):
        table = self.indices
        if output is not None:
            table = table[table["output"] == output]
        return table.sort_values(self.measure, ascending=False).reset_index(drop=True)

    def __repr__(self) -> str:
        return f"<gatesim.Sensitivity ({self.method}) of {', '.join(self.parameters)}: {self.outcome!r}>"


def _whole(name: str, value: Any) -> int:
    """value as an int (a float must be a whole number), else ValueError. Its range is checked
    by the C++ study against the CLI's limits (sim/study/limits.hpp), so both refuse alike."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    try:
        number = int(value)
        exact = number == value
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if not exact:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return number


def _number(key_path: str, value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{key_path}: values must be finite numbers, got {value!r}")
    return number


def _range(key_path: str, low: Any, high: Any, **extra) -> dict:
    low, high = _number(key_path, low), _number(key_path, high)
    if not low <= high:
        raise ValueError(f"{key_path}: a range needs low <= high, got ({low:g}, {high:g})")
    return {"key_path": key_path, "kind": "range", "low": low, "high": high, **extra}


def parameter_spec(key_path: str, spec: Any) -> dict:
    """A swept parameter: [values...], (low, high), {low, high, levels}, {values: [...]}, or a
    distribution {dist: ...} (optionally with levels)."""
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ValueError(f"{key_path}: a range is (low, high), got {spec!r}")
        return _range(key_path, spec[0], spec[1])
    if isinstance(spec, Mapping):
        spec = dict(spec)
        levels = {"levels": _whole(f"{key_path}: levels", spec.pop("levels"))} if "levels" in spec else {}
        if "dist" in spec:
            return {"key_path": key_path, "kind": "distribution", "distribution": spec, **levels}
        if "values" in spec:
            return {"key_path": key_path, "kind": "values", "values": [_number(key_path, v) for v in spec["values"]],
                    **levels}
        if {"low", "high"} <= set(spec):
            return _range(key_path, spec["low"], spec["high"], **levels)
        raise ValueError(f"{key_path}: expected values, (low, high), {{low, high}} or {{dist: ...}}, got {spec!r}")
    if isinstance(spec, (list, range)) or hasattr(spec, "tolist"):
        values = spec.tolist() if hasattr(spec, "tolist") else list(spec)
        return {"key_path": key_path, "kind": "values", "values": [_number(key_path, v) for v in values]}
    raise ValueError(f"{key_path}: expected values, (low, high), {{low, high}} or {{dist: ...}}, got {spec!r}")


@contextmanager
def _study_file(output: str | os.PathLike | None, kind: str):
    """The path a study writes: output=, or a temporary file removed afterwards."""
    if output is not None:
        yield os.fspath(output), True
        return
    folder = tempfile.mkdtemp(prefix=f"gatesim-{kind}-")
    try:
        yield os.path.join(folder, f"{kind}.h5"), False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_study(kind: str, output, progress, label: str, call, executor=None, ranks=None):
    """Runs `call(path, report_progress, pool_arguments)` into a study file, on a pool when
    executor= or ranks= is given."""
    with _study_file(output, kind) as (path, kept):
        try:
            with _progress_bar(progress, 0, label, "run") as bar, parallel.pool(executor, ranks) as pool:
                pooled = {} if pool is None else {"executor": pool, "in_flight": parallel.in_flight(pool)}
                report = call(path, progress_reporter(bar), pooled)
        except KeyboardInterrupt:
            if kept:
                raise KeyboardInterrupt(f"interrupted; the finished runs of the {kind} are kept in {path}.partial: "
                                        "call again with resume=True to continue") from None
            raise
        return report, (path if kept else None)


def _provenance(sc: Scenario, threads: int, command: str) -> dict:
    return {"scenario_yaml": sc.to_yaml(), "scenario_file": sc.source or "", "command_line": f"python: {command}",
            "start_time": utc_now(), "threads": threads}


def compare(scenarios: Sequence[Scenario | str] | Mapping[str, Scenario | str], baseline: Scenario | str | int | None = None,
            *, replicates: int = 20, noise_replicates: int = 0, threads: int | None = None, seed: int | None = None,
            output: str | os.PathLike | None = None, resume: bool = False, keep_replicates: bool = False,
            quantiles: Sequence[float] | None = None, bootstrap: int = 1000, confidence: float = 0.95,
            progress: bool | None = None, executor=None, ranks: int | None = None) -> Comparison:
    """Runs scenarios under common random numbers (every one with the reference's seed and the
    same replicate indices) and returns paired deltas against the reference.

    scenarios: Scenarios, files or library names, or {label: scenario}; baseline: the reference
    (a scenario, or the index or label of one of them; default the first). output: keep the
    study file there (docs/results-format.md); keep_replicates: keep every run's series in it.
    executor= (a concurrent.futures executor) or ranks=N (an MPI pool) computes the runs on other
    processes, with the results of a serial run (gatesim.parallel); as in gs.sweep and
    gs.sensitivity.
    """
    items = list(scenarios.items()) if isinstance(scenarios, Mapping) else [(None, s) for s in scenarios]
    loaded = []
    for label, s in items:
        sc = as_scenario(s)
        loaded.append(sc.updated({"name": label}) if label is not None and label != sc.name else sc)
    if baseline is not None:
        if isinstance(baseline, int):
            index = baseline
        else:
            names = [sc.name for sc in loaded]
            key = baseline if isinstance(baseline, str) and baseline in names else as_scenario(baseline).name
            if key not in names:
                loaded.insert(0, as_scenario(baseline))
                index = 0
            else:
                index = names.index(key)
        loaded.insert(0, loaded.pop(index))
    if len(loaded) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    replicates = _whole("replicates", replicates)
    noise_replicates = _whole("noise_replicates", noise_replicates)
    if seed is not None:
        loaded[0] = loaded[0].updated({"seed": seed})
    threads = default_threads(threads, executor is not None or ranks is not None)
    command = f"gatesim.compare([{', '.join(repr(sc.name) for sc in loaded)}], replicates={replicates})"
    report, path = _run_study("comparison", output, progress, "compare", lambda path, report_progress, pooled: _core.compare_study(
        [sc._impl for sc in loaded], [sc.source or sc.name for sc in loaded], int(replicates), int(noise_replicates),
        path, _provenance(loaded[0], threads, command), threads, resume, keep_replicates, list(quantiles or []),
        int(bootstrap), float(confidence), report_progress, **pooled), executor, ranks)
    return Comparison(report, path)


def sweep(scenario: Scenario | str, parameters: Mapping[str, Any], *, design: str = "grid", points: int = 5,
          replicates: int = 4, noise_replicates: int = 0, threads: int | None = None, seed: int | None = None,
          output: str | os.PathLike | None = None, resume: bool = False, keep_replicates: bool = False,
          quantiles: Sequence[float] | None = None, progress: bool | None = None, executor=None,
          ranks: int | None = None) -> Sweep:
    """Runs a scenario over values of numeric fields, e.g. {"directive.day": [7, 14, 28],
    "segments.consumer.patience_days": (3, 14)}: a full grid (ranges get `points` levels), or
    `points` points of a Latin hypercube (design="lhs") or a Sobol' sequence ("sobol")."""
    points = _whole("points", points)
    replicates = _whole("replicates", replicates)
    noise_replicates = _whole("noise_replicates", noise_replicates)
    specs = [parameter_spec(k, v) for k, v in parameters.items()]
    sc = as_scenario(scenario)
    if seed is not None:
        sc = sc.updated({"seed": seed})
    threads = default_threads(threads, executor is not None or ranks is not None)
    command = f"gatesim.sweep({sc.name!r}, {list(parameters)}, design={design!r}, points={points})"
    report, path = _run_study("sweep", output, progress, "sweep", lambda path, report_progress, pooled: _core.sweep_study(
        sc._impl, specs, design, int(points), int(replicates), int(noise_replicates), path,
        _provenance(sc, threads, command), threads, resume, keep_replicates, list(quantiles or []), report_progress,
        **pooled), executor, ranks)
    return Sweep(report, path)


def sensitivity(scenario: Scenario | str, parameters: Mapping[str, Any], *,
                outputs: Sequence[str] = ("churn_at_horizon",), method: str = "morris", samples: int = 10,
                levels: int = 4, replicates: int = 1, threads: int | None = None, seed: int | None = None,
                output: str | os.PathLike | None = None, resume: bool = False, bootstrap: int = 1000,
                confidence: float = 0.95, progress: bool | None = None, executor=None,
                ranks: int | None = None) -> Sensitivity:
    """Global sensitivity of summary outputs to parameters given as ranges (low, high) or
    distributions {dist: ...}: Morris elementary effects (samples = trajectories) or Sobol'
    indices (method="sobol", samples = base samples n, n(k+2) rows). Each row's output is the
    mean over `replicates` runs."""
    samples = _whole("samples", samples)
    levels = _whole("levels", levels)
    replicates = _whole("replicates", replicates)
    specs = [parameter_spec(k, v) for k, v in parameters.items()]
    sc = as_scenario(scenario)
    if seed is not None:
        sc = sc.updated({"seed": seed})
    threads = default_threads(threads, executor is not None or ranks is not None)
    command = f"gatesim.sensitivity({sc.name!r}, {list(parameters)}, method={method!r}, samples={samples})"
    report, path = _run_study("sensitivity", output, progress, "sensitivity",
                              lambda path, report_progress, pooled: _core.sensitivity_study(
                                  sc._impl, specs, method, list(outputs), int(samples), int(levels), int(replicates),
                                  path, _provenance(sc, threads, command), threads, resume, int(bootstrap),
                                  float(confidence), report_progress, **pooled), executor, ranks)
    return Sensitivity(report, method, path)

"""Comparisons, sweeps and sensitivity analyses from Python (gs.compare, gs.sweep,
gs.sensitivity), and the objects gs.load returns for their files.

Each runs the C++ study of sim/study/studies, exactly as the CLI's study commands, into a memory
store or, with output=, a study file; either way the object is built from the tables the C++
reductions wrote (scalar distributions, paired deltas with bootstrap intervals, Sobol' or
Morris indices), so its numbers are the CLI's. Ctrl-C stops a study cleanly; with output= its
finished runs are kept beside it (output + ".partial"; a file at output is never touched) and
resume=True continues. executor= or ranks= computes the runs on a pool of processes
(gatesim.parallel), with the results of a serial run.
"""
from __future__ import annotations

import math
import os
from typing import Any, Mapping, Sequence

import numpy as np

from . import _core, parallel, stats, study_data, tables
from .results import Reductions, Results
from .running import _progress_bar, default_threads, progress_reporter, study_provenance
from .scenario import Scenario, as_scenario


class StudyOutcome:
    """How far a study got: completed_runs of total_runs, complete, cancelled, resumed_runs."""

    def __init__(self, data: Mapping):
        plan = study_data.plan(data)
        outcome = data.get("outcome") or {
            "completed_runs": int(plan.get("completed_runs", 0)), "total_runs": int(plan.get("runs", 0)),
            "resumed_runs": 0, "complete": bool(data["complete"]), "cancelled": False}
        self.__dict__.update(outcome)

    def __repr__(self) -> str:
        return f"<{self.completed_runs}/{self.total_runs} runs, {'complete' if self.complete else 'incomplete'}>"


class Study:
    """What every study object shares: its data (the tables of its file), provenance, outcome,
    the path it was written to or read from, save() and export()."""

    kind = ""

    def __init__(self, data: Mapping, path: str | None = None):
        self._data = data
        #: The study file, when the study was written to one or read from one.
        self.path = path
        self.outcome = StudyOutcome(data)
        self.provenance = study_data.provenance(data)
        self.plan = study_data.plan(data)

    @property
    def complete(self) -> bool:
        return bool(self._data["complete"])

    def save(self, path: str | os.PathLike) -> None:
        """Writes the study file (docs/results-format.md); gs.load reads it back identically."""
        _core.write_study(os.fspath(path), self._data)

    def export(self, path: str | os.PathLike, format: str | None = None, **options) -> str:
        """Writes the study's tables as CSV, JSON or an Excel workbook (see gatesim.export)."""
        from . import export

        return export.write(self, path, format, **options)

    def _table(self, path: str) -> dict:
        return self._data["tables"][path]

    def _labels(self, path: str) -> list[str]:
        return list(self._data["labels"][path])


def _statistics_rows(data: Mapping, prefix: str, labels_path: str, keys: dict, point: int | None = None):
    """One row per scalar of the summary tables under a prefix ("scenarios/x/summary/")."""
    labels = data["labels"][labels_path]
    rows = []
    for name, t in study_data.children(data, prefix):
        values = t["values"] if point is None else t["values"][point]
        rows.append({**keys, "metric": name, "unit": t["unit"], **dict(zip(labels, (float(v) for v in values)))})
    return rows


def _frame(rows: list[dict], index: list[str], raw: bool, sign_columns: Sequence[str] = ()):
    import pandas as pd

    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.set_index(index)
    for column in tables.COUNT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    return frame if raw else tables.readable_frame(frame, sign_columns=sign_columns)


class Comparison(Study):
    """Scenarios run under common random numbers against the first (the reference).

    cmp["nationality_gate"]   that scenario's own Results (bands, distributions, replicates' scalars)
    cmp.summary()             each scenario's scalars: count, mean, sd, quantiles (index scenario, metric)
    cmp.deltas()              paired differences from the reference: mean with bootstrap interval, sd of
                              the paired differences next to the sd of an unpaired comparison, quantiles
    cmp.delta(name)           the paired differences as Results (per replicate, with bands)
    cmp.table()               each scenario's level next to its paired delta, as `gatesim compare` prints
    """

    kind = "comparison"

    def __init__(self, data: Mapping, path: str | None = None):
        super().__init__(data, path)
        self.names: list[str] = self._labels("axes/scenario")
        self.reference = self.names[0]
        self._results: dict[str, Results] = {}

    def __getitem__(self, name: str) -> Results:
        return self.results(name)

    def __iter__(self):
        return iter(self.names)

    def results(self, name: str) -> Results:
        """The scenario's own results: an ensemble of its replicates, as gs.run would give."""
        if name not in self.names:
            raise KeyError(f"no scenario {name!r} in the comparison; scenarios: {', '.join(self.names)}")
        if name not in self._results:
            self._results[name] = study_data.ensemble(self._data, f"scenarios/{name}", label=name)
        return self._results[name]

    def summary(self, raw: bool = False):
        """Every scenario's summary scalars over replicates (index scenario, metric): count,
        not_reached, mean, sd, min, quantiles, max. raw=True gives numbers."""
        rows = []
        for name in self.names:
            rows += _statistics_rows(self._data, f"scenarios/{name}/summary/", f"scenarios/{name}/axes/statistic",
                                     {"scenario": name})
        return _frame(rows, ["scenario", "metric"], raw)

    def deltas(self, raw: bool = True):
        """Paired deltas of every scalar, each compared scenario minus the reference (index
        scenario, metric): count, mean, mean_low, mean_high (bootstrap interval of the mean), sd,
        unpaired_sd, quantiles of the paired differences. Numbers; raw=False formats them."""
        compared = self._labels("axes/compared")
        labels = self._labels("axes/delta_statistic")
        rows = []
        for metric, t in study_data.children(self._data, "deltas/"):
            for i, name in enumerate(compared):
                rows.append({"scenario": name, "metric": metric, "unit": t["unit"],
                             **dict(zip(labels, (float(v) for v in t["values"][i])))})
        return _frame(rows, ["scenario", "metric"], raw, sign_columns=[c for c in labels if c != "sd"])

    def delta(self, name: str) -> Results:
        """The paired differences of one compared scenario from the reference, as Results: each
        replicate's scalar deltas, and per-day bands of the series deltas."""
        compared = self._labels("axes/compared")
        if name not in compared:
            raise KeyError(f"{name!r} is not compared with {self.reference!r}; compared: {', '.join(compared)}")
        i = compared.index(name)
        own, reference = self.results(name), self.results(self.reference)
        scalars = {m: own.info(m, "scalar") for m, _ in study_data.children(self._data, "deltas/runs/")}
        columns = {m: t["values"][i] for m, t in study_data.children(self._data, "deltas/runs/")}
        pairs = min((len(v) for v in columns.values()), default=0)
        pairs = min(pairs, own.replicates, reference.replicates)
        quantile = self._data["tables"].get("deltas/bands/quantile")
        reductions = Reductions(probabilities=tuple(float(q) for q in quantile["values"]) if quantile else ())
        series = {}
        for metric, t in study_data.children(self._data, "deltas/bands/"):
            if metric != "quantile" and np.isfinite(t["values"][i]).any() and metric in reference.series_names:
                series[metric] = reference.info(metric)
                reductions.bands[metric] = t["values"][i]
        return Results(series, scalars, [{} for _ in range(pairs)],
                       [{m: float(v[r]) for m, v in columns.items()} for r in range(pairs)], days=reference.days,
                       seeds=reference.seeds[:pairs], replicate_ids=range(pairs), scenario=own.scenario,
                       label=f"{name} - {self.reference}", baseline_label=self.reference, reductions=reductions,
                       start_date=reference.start_date)

    def table(self, metrics: Sequence[str] | None = None, raw: bool = False):
        """Each compared scenario's level (median over replicates) next to the reference's and the
        paired delta (mean with its bootstrap interval), as `gatesim compare` prints it."""
        deltas = self.deltas(raw=True)
        rows = []
        for name in self.names[1:]:
            own, reference = self.results(name), self.results(self.reference)
            for metric in metrics or reference.scalar_names:
                if (name, metric) not in deltas.index:
                    continue
                d = deltas.loc[(name, metric)]
                rows.append({"scenario": name, "metric": metric, "unit": d["unit"],
                             self.reference: reference.quantile(metric, 0.5, kind="scalar"),
                             "level": own.quantile(metric, 0.5, kind="scalar"), "delta": d["mean"],
                             "delta_low": d["mean_low"], "delta_high": d["mean_high"], "pairs": d["count"]})
        return _frame(rows, ["scenario", "metric"], raw, sign_columns=["delta", "delta_low", "delta_high"])

    def to_pandas(self, metrics=None, **options):
        """Every scenario's tidy series table (Results.to_pandas) with a scenario column."""
        import pandas as pd

        frames = [self.results(n).to_pandas(metrics, **options).assign(scenario=n) for n in self.names]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["scenario"] + [c for c in frame.columns if c != "scenario"]]

    def plot(self, metrics: Sequence[str] | str = ("churn_at_horizon",), **kwargs):
        from . import plots

        return plots.comparison(self, metrics, **kwargs)

    def __repr__(self) -> str:
        return f"<gatesim.Comparison of {', '.join(self.names)} against {self.reference!r}: {self.outcome!r}>"


class DesignStudy(Study):
    """A study over a design of parameter values (sweeps, sensitivity analyses): its points."""

    def __init__(self, data: Mapping, path: str | None = None):
        import pandas as pd

        super().__init__(data, path)
        self.parameters: list[str] = self._labels("axes/sweep_parameter")
        #: The parameter values of each point (index point).
        self.points = pd.DataFrame(self._table("points/values")["values"], columns=self.parameters).rename_axis("point")

    def point(self, i: int) -> Results:
        """Point i's results: its replicates (with bands and distributions, for sweeps) and its
        scenario with the point's values."""
        i = range(len(self.points))[i]
        values = ", ".join(f"{k}={stats.compact(v, '')}" for k, v in self.points.iloc[i].items())
        res = study_data.ensemble(self._data, "", i)
        res.label = f"{res.label} [{values}]"
        return res


class Sweep(DesignStudy):
    """A scenario run over a design of parameter values.

    sw.points       the parameter values of each point (index point)
    sw.summary()    each point's summary scalars (index point, metric) with its parameter values
    sw.point(i)     point i's Results (bands, distributions, replicates' scalars)
    """

    kind = "sweep"

    def summary(self, raw: bool = False):
        """Each point's summary scalars over its replicates with the point's parameter values
        (index point, metric), formatted for reading; raw=True gives the numbers."""
        rows = []
        for p in range(len(self.points)):
            rows += _statistics_rows(self._data, "summary/", "axes/statistic", {"point": p}, point=p)
        if not rows:
            return _frame(rows, ["point", "metric"], raw)
        import pandas as pd

        frame = pd.DataFrame(rows).merge(self.points.reset_index(), on="point")
        return _frame(frame.to_dict("records"), ["point", "metric"], raw)

    def __repr__(self) -> str:
        return f"<gatesim.Sweep of {', '.join(self.parameters)} over {len(self.points)} points: {self.outcome!r}>"


class Sensitivity(DesignStudy):
    """Global sensitivity indices of summary outputs to parameters.

    sens.indices    one row per output and parameter: Sobol' first_order and total with bootstrap
                    intervals, or Morris mu, mu_star (with interval) and sigma
    sens.ranking(output)   parameters by total (Sobol') or mu_star (Morris), largest first
    """

    kind = "sensitivity"

    def __init__(self, data: Mapping, path: str | None = None):
        import pandas as pd

        super().__init__(data, path)
        self.method: str = str(self.plan.get("method", "sobol"))
        index = data["labels"].get("axes/index", [])
        rows = []
        for output, t in study_data.children(data, "sensitivity/"):
            for parameter, values in zip(self.parameters, t["values"]):
                rows.append({"output": output, "unit": t["unit"], "parameter": parameter,
                             **dict(zip(index, (float(v) for v in values)))})
        self.indices = pd.DataFrame(rows)

    @property
    def measure(self) -> str:
        return "total" if self.method == "sobol" else "mu_star"

    def ranking(self, output: str | None = None):
        table = self.indices
        if output is not None:
            table = table[table["output"] == output]
        return table.sort_values(self.measure, ascending=False).reset_index(drop=True)

    def plot(self, output: str | None = None, **kwargs):
        from . import plots

        return plots.tornado(self, metric=output, **kwargs)

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


def _run_study(kind: str, output, resume: bool, progress, label: str, call, executor=None,
               ranks=None) -> tuple[dict, str | None]:
    """Runs `call(path, report_progress, pool_arguments)`: a study into memory, or into the file
    at output (its finished runs kept for resume after Ctrl-C); on a pool when executor= or
    ranks= is given."""
    if resume and output is None:
        raise ValueError("resume=True continues the interrupted study at output=; give output=")
    path = os.fspath(output) if output is not None else ""
    try:
        with _progress_bar(progress, 0, label, "run") as bar, parallel.pool(executor, ranks) as pool:
            pooled = {} if pool is None else {"executor": pool, "in_flight": parallel.in_flight(pool)}
            data = call(path, progress_reporter(bar), pooled)
    except KeyboardInterrupt:
        if path:
            raise KeyboardInterrupt(f"interrupted; the finished runs of the {kind} are kept in {path}.partial: "
                                    "call again with resume=True to continue") from None
        raise
    return data, path or None


def _comparison_scenarios(scenarios, baseline) -> list[Scenario]:
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
    return loaded


def compare(scenarios: Sequence[Scenario | str] | Mapping[str, Scenario | str], baseline: Scenario | str | int | None = None,
            *, replicates: int = 20, noise_replicates: int = 0, threads: int | None = None, seed: int | None = None,
            output: str | os.PathLike | None = None, resume: bool = False, keep_replicates: bool = False,
            quantiles: Sequence[float] | None = None, bootstrap: int = 1000, confidence: float = 0.95,
            progress: bool | None = None, executor=None, ranks: int | None = None) -> Comparison:
    """Runs scenarios under common random numbers (every one with the reference's seed and the
    same replicate indices) and returns paired deltas against the reference.

    scenarios: Scenarios, files or library names, or {label: scenario}; baseline: the reference
    (a scenario, or the index or label of one of them; default the first). output: write the
    study file there (docs/results-format.md), else it is held in memory; keep_replicates: keep
    every run's series. executor= (a concurrent.futures executor) or ranks=N (an MPI pool)
    computes the runs on other processes, with the results of a serial run (gatesim.parallel);
    as in gs.sweep and gs.sensitivity.
    """
    loaded = _comparison_scenarios(scenarios, baseline)
    replicates = _whole("replicates", replicates)
    noise_replicates = _whole("noise_replicates", noise_replicates)
    if seed is not None:
        loaded[0] = loaded[0].updated({"seed": seed})
    threads = default_threads(threads, executor is not None or ranks is not None)
    command = f"gatesim.compare([{', '.join(repr(sc.name) for sc in loaded)}], replicates={replicates})"
    data, path = _run_study("comparison", output, resume, progress, "compare", lambda path, report, pooled: _core.compare_study(
        [sc._impl for sc in loaded], [sc.source or sc.name for sc in loaded], int(replicates), int(noise_replicates),
        int(bootstrap), float(confidence), output=path, provenance=study_provenance(loaded[0], threads, command),
        threads=threads, resume=resume, keep_replicates=keep_replicates, quantiles=list(quantiles or []),
        progress=report, **pooled), executor, ranks)
    return Comparison(data, path)


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
    data, path = _run_study("sweep", output, resume, progress, "sweep", lambda path, report, pooled: _core.sweep_study(
        sc._impl, specs, design, int(points), int(replicates), int(noise_replicates), output=path,
        provenance=study_provenance(sc, threads, command), threads=threads, resume=resume,
        keep_replicates=keep_replicates, quantiles=list(quantiles or []), progress=report, **pooled), executor, ranks)
    return Sweep(data, path)


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
    data, path = _run_study("sensitivity", output, resume, progress, "sensitivity",
                            lambda path, report, pooled: _core.sensitivity_study(
                                sc._impl, specs, method, list(outputs), int(samples), int(levels), int(replicates),
                                int(bootstrap), float(confidence), output=path,
                                provenance=study_provenance(sc, threads, command), threads=threads, resume=resume,
                                progress=report, **pooled), executor, ranks)
    return Sensitivity(data, path)

"""Results of runs: one run or an ensemble of replicates of one scenario, the same object whether
from gs.run or from a file (gs.load), and for each scenario of a comparison or point of a sweep.

Series and scalars are generic: whatever the engine measures appears here by name, with its
unit, description and labelled axes. A single run's series are numpy views of the C++ results'
memory (no copies, read-only). An ensemble carries the reductions the C++ study wrote (quantile
bands, scalar distributions, variance decompositions), so its numbers are the CLI's and the
file's; other quantiles are computed by the same C++ functions (gatesim.stats).
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from . import _core, stats, tables
from .errors import ScenarioError
from .stats import DEFAULT_QUANTILES, quantile_label


@dataclass(frozen=True)
class SeriesInfo:
    """What a daily series measures. axes: ((axis name, labels), ...) after the day axis."""

    name: str
    unit: str
    description: str
    axes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def dims(self) -> tuple[str, ...]:
        return ("day",) + tuple(a for a, _ in self.axes)

    def labels(self, axis: str) -> tuple[str, ...]:
        for name, labels in self.axes:
            if name == axis:
                return labels
        raise KeyError(f"series {self.name!r} has no axis {axis!r}")


@dataclass(frozen=True)
class ScalarInfo:
    name: str
    unit: str
    description: str


def scope_spec(scope) -> str:
    """A scope as the engine writes it: 'region=india' stays; {"region": ["india", "brazil"],
    "segment": "consumer"} becomes 'region=india,brazil;segment=consumer'."""
    if isinstance(scope, str):
        return scope
    if isinstance(scope, Mapping):
        terms = []
        for key, values in scope.items():
            values = [values] if isinstance(values, str) else list(values)
            terms.append(f"{key}={','.join(values)}")
        return ";".join(terms)
    raise TypeError(f"a scope is 'key=ids;...' or a dict {{key: ids}}, got {type(scope).__name__}")


def _scope_terms(spec: str) -> dict[str, frozenset]:
    terms = {}
    for term in spec.split(";"):
        key, _, values = term.partition("=")
        terms[key.strip()] = frozenset(v.strip() for v in values.split(","))
    return terms



@dataclass
class Reductions:
    """What a study computed over an ensemble's replicates (in C++): per-day quantile bands at
    `probabilities`, each scalar's distribution (count, mean, sd, quantiles, ...) and variance
    decomposition, keyed by metric name."""

    probabilities: tuple[float, ...] = ()
    bands: dict[str, np.ndarray] = field(default_factory=dict)
    summaries: dict[str, dict[str, float]] = field(default_factory=dict)
    variances: dict[str, dict[str, float]] = field(default_factory=dict)

    def band_index(self, q: Sequence[float]) -> list[int] | None:
        """Positions of the probabilities q among the bands', or None if one is missing."""
        found = []
        for p in q:
            match = [i for i, b in enumerate(self.probabilities) if abs(b - p) < 1e-12]
            if not match:
                return None
            found.append(match[0])
        return found


class Results:
    """Replicates of one scenario: daily series and summary scalars in real-world units.

    res["blocked"]               one run: (day,) view of the C++ memory; ensemble: (replicate, day)
    res.quantile("blocked")      (quantile, day) bands, P5/P25/median/P75/P95 by default
    res.scalar("churn_share")    float, or one value per replicate
    res.summary()                scalars with their distributions, formatted; raw=True for numbers
    res.delta(baseline)          paired differences, replicate by replicate
    res.to_pandas(), res.to_xarray(), res.save(path), res.export(path)
    """

    def __init__(self, series_info: Mapping[str, SeriesInfo], scalar_info: Mapping[str, ScalarInfo],
                 values: Sequence[Mapping[str, np.ndarray]], scalars: Sequence[Mapping[str, float]], *,
                 days: int, seeds: Sequence[int], replicate_ids: Sequence[int], scenario=None,
                 label: str | None = None, provenance: Mapping | None = None, runs: Sequence = (),
                 baseline_label: str | None = None, parameters: Mapping[str, Sequence[float]] | None = None,
                 reductions: Reductions | None = None, start_date: str | None = None, study: Mapping | None = None,
                 warnings: Sequence[str] = ()):
        if not len(values) == len(scalars) == len(seeds) == len(replicate_ids):
            raise ValueError("Results need one entry of values, scalars, seed and replicate id per replicate")
        if not scalars and reductions is None:
            raise ValueError("Results need at least one replicate")
        self._series = dict(series_info)
        self._scalar_info = dict(scalar_info)
        self._values = [dict(v) for v in values]
        self._scalars = [dict(s) for s in scalars]
        self._runs = list(runs)  # the C++ results the views point into (also kept by each view)
        self._reductions = reductions
        self._study = study  # the study data this came from, for save()
        self.days = int(days)
        self.seeds = tuple(int(s) for s in seeds)
        self.replicate_ids = tuple(int(r) for r in replicate_ids)
        #: The scenario that was run (None when a loaded file's scenario no longer validates).
        self.scenario = scenario
        self.label = label or (scenario.name if scenario is not None else "results")
        #: For results files: who wrote them, from what, and when (see docs/results-format.md).
        self.provenance = dict(provenance or {})
        #: For paired deltas: the label of the baseline that was subtracted.
        self.baseline_label = baseline_label
        #: Uncertain parameters' values per replicate (key path -> array), when drawn.
        self.parameters = {k: np.asarray(v, dtype=float) for k, v in (parameters or {}).items()}
        #: Calendar date of day 0 (YYYY-MM-DD) when the scenario sets one, else None.
        self.start_date = start_date or None
        #: Sanity warnings of the runs (outputs that contradict the world's scale), each once.
        self.warnings = list(dict.fromkeys(warnings))

    # --- construction -------------------------------------------------------------------
    @classmethod
    def _from_runs(cls, runs: Sequence["_core.Run"], *, scenario=None, label=None, provenance=None) -> "Results":
        first = runs[0]
        series_info = {}
        for name, unit, description, axes in first.series_info():
            series_info[name] = SeriesInfo(name, unit, description,
                                           tuple((a, tuple(labels)) for a, labels in axes))
        scalar_info = {name: ScalarInfo(name, unit, description) for name, unit, description, _ in first.scalars()}
        values = [{name: run.values(name) for name in series_info} for run in runs]
        scalars = [{name: value for name, _, _, value in run.scalars()} for run in runs]
        found = [w for run in runs if hasattr(run, "warnings") for w in run.warnings()]
        return cls(series_info, scalar_info, values, scalars, days=first.days, seeds=[r.seed for r in runs],
                   replicate_ids=[r.replicate for r in runs], scenario=scenario, label=label,
                   provenance=provenance, runs=runs, start_date=first.start_date, warnings=found)

    @classmethod
    def from_arrays(cls, series: Mapping[str, np.ndarray], scalars: Mapping[str, float | Sequence[float]] = None, *,
                    axes: Mapping[str, Sequence[tuple[str, Sequence[str]]]] | None = None,
                    units: Mapping[str, str] | None = None, replicates: int | None = None,
                    seed: int = 0, label: str = "results", scenario=None, start_date: str | None = None) -> "Results":
        """Results from arrays, e.g. for plots of data made elsewhere. A series is (day, axis...)
        or, with replicates, (replicate, day, axis...); axes gives each series' labelled axes."""
        axes, units, scalars = dict(axes or {}), dict(units or {}), dict(scalars or {})
        arrays = {name: np.asarray(a, dtype=float) for name, a in series.items()}
        if replicates is None:
            replicates = 1
            arrays = {name: a[np.newaxis] for name, a in arrays.items()}
        days = next(iter(arrays.values())).shape[1] if arrays else 0
        series_info = {name: SeriesInfo(name, units.get(name, ""), "",
                                        tuple((a, tuple(labels)) for a, labels in axes.get(name, ())))
                       for name in arrays}
        scalar_info = {name: ScalarInfo(name, units.get(name, ""), "") for name in scalars}
        scalar_values = {name: np.broadcast_to(np.asarray(v, dtype=float), (replicates,)) for name, v in scalars.items()}
        return cls(series_info, scalar_info,
                   [{name: a[r] for name, a in arrays.items()} for r in range(replicates)],
                   [{name: float(v[r]) for name, v in scalar_values.items()} for r in range(replicates)],
                   days=days, seeds=[seed] * replicates, replicate_ids=range(replicates), label=label,
                   scenario=scenario, start_date=start_date)

    # --- shape --------------------------------------------------------------------------
    @property
    def replicates(self) -> int:
        return len(self._scalars)

    @property
    def is_ensemble(self) -> bool:
        """An ensemble (with distributions over replicates) rather than a single run."""
        return self._reductions is not None or self.replicates > 1

    @property
    def day(self) -> np.ndarray:
        """Day indices 0 .. days-1."""
        return np.arange(self.days)

    @property
    def dates(self) -> np.ndarray | None:
        """The calendar date of each day (datetime64[D]) when the scenario sets a start date."""
        if not self.start_date:
            return None
        return np.datetime64(self.start_date, "D") + np.arange(self.days)

    @property
    def series_names(self) -> list[str]:
        return list(self._series)

    @property
    def scalar_names(self) -> list[str]:
        return list(self._scalar_info)

    @property
    def reductions(self) -> Reductions | None:
        """The bands and distributions the C++ study computed, when this is a study's ensemble."""
        return self._reductions

    def info(self, name: str, kind: str | None = None) -> SeriesInfo | ScalarInfo:
        """Unit, description (and axes, for a series) of a metric; kind="scalar" picks the
        scalar when a series has the same name."""
        if self._is_scalar(name, kind):
            if name in self._scalar_info:
                return self._scalar_info[name]
        elif name in self._series:
            return self._series[name]
        raise KeyError(self._unknown(name))

    def dims(self, name: str) -> tuple[str, ...]:
        """Dimension names of res[name]: ('day', axis...), with 'replicate' first for ensembles."""
        dims = self._info_series(name).dims
        return dims if self.replicates == 1 else ("replicate",) + dims

    def _unknown(self, name: str) -> str:
        return (f"no metric named {name!r}; series: {', '.join(self._series) or 'none'}; "
                f"scalars: {', '.join(self._scalar_info) or 'none'}")

    def _info_series(self, name: str) -> SeriesInfo:
        try:
            return self._series[name]
        except KeyError:
            raise KeyError(self._unknown(name)) from None

    def has_replicate_series(self, name: str | None = None) -> bool:
        """Whether every replicate's daily values are held (a study file keeps them only with
        --keep-replicates; its bands are always there)."""
        names = [name] if name is not None else list(self._series)
        return bool(self._values) and all(n in self._values[0] for n in names)

    def _require_values(self, name: str) -> None:
        self._info_series(name)
        if not self.has_replicate_series(name):
            raise ValueError(f"{self.label}: the replicates' daily values of {name!r} were not kept (only its bands: "
                             f"res.quantile({name!r})); run the study with keep_replicates=True or --keep-replicates")

    # --- values -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        return self.series(name)

    def __contains__(self, name: str) -> bool:
        return name in self._series or name in self._scalar_info

    def series(self, name: str) -> np.ndarray:
        """One run: the (day, axis...) values, a read-only view without a copy. An ensemble:
        (replicate, day, axis...) stacked."""
        self._require_values(name)
        if self.replicates == 1:
            return self._values[0][name]
        return np.stack([v[name] for v in self._values])

    def _is_scalar(self, name: str, kind: str | None) -> bool:
        if kind not in (None, "series", "scalar"):
            raise ValueError("kind is 'series', 'scalar' or None")
        if kind is None:  # a series wins when a scalar has the same name (as res[name] does)
            return name not in self._series and name in self._scalar_info
        return kind == "scalar"

    def stack(self, name: str, kind: str | None = None) -> np.ndarray:
        """(replicate, ...) values of a series or a scalar, whatever the number of replicates.
        kind="scalar" picks the scalar when a series has the same name."""
        if self._is_scalar(name, kind):
            if name not in self._scalar_info:
                raise KeyError(self._unknown(name))
            return np.array([s[name] for s in self._scalars], dtype=float)
        self._require_values(name)
        return np.stack([v[name] for v in self._values])

    def scalar(self, name: str):
        """A summary scalar: a float for one run, an array with one value per replicate otherwise."""
        if name not in self._scalar_info:
            raise KeyError(self._unknown(name))
        return self._scalars[0][name] if self.replicates == 1 else self.stack(name, "scalar")

    @property
    def scalars(self) -> dict:
        """Every summary scalar by name (see scalar)."""
        return {name: self.scalar(name) for name in self._scalar_info}

    def quantile(self, name: str, q: float | Sequence[float] = DEFAULT_QUANTILES, kind: str | None = None) -> np.ndarray:
        """Quantiles across replicates of a series, (quantile, day, axis...), or of a scalar,
        (quantile,). A single q drops the quantile axis. NaN replicates are left out. A study's
        own bands and distributions are used where they hold q, else the C++ statistics."""
        probabilities = [float(p) for p in np.atleast_1d(np.asarray(q, dtype=float))]
        if self._is_scalar(name, kind):
            out = self._scalar_quantiles(name, probabilities)
        else:
            out = self._series_quantiles(name, probabilities)
        return out[0] if np.ndim(q) == 0 else out

    def _scalar_quantiles(self, name: str, probabilities: list[float]) -> np.ndarray:
        stored = self._reductions.summaries.get(name) if self._reductions else None
        labels = [quantile_label(p) for p in probabilities]
        if stored is not None and all(label in stored for label in labels):
            return np.array([stored[label] for label in labels])
        return stats.quantiles(self.stack(name, "scalar"), probabilities)

    def _series_quantiles(self, name: str, probabilities: list[float]) -> np.ndarray:
        self._info_series(name)
        bands = self._reductions.bands.get(name) if self._reductions else None
        index = self._reductions.band_index(probabilities) if bands is not None else None
        if index is not None:
            return bands[index]
        if bands is not None and not self.has_replicate_series(name):
            raise ValueError(f"{self.label}: {name!r} has bands at "
                             f"{', '.join(quantile_label(p) for p in self._reductions.probabilities)} only, and its "
                             "replicates' values were not kept")
        return stats.quantiles(self.stack(name), probabilities)

    def median(self, name: str, kind: str | None = None) -> np.ndarray:
        return self.quantile(name, 0.5, kind)

    def replicate(self, index: int) -> "Results":
        """The index-th replicate alone (its series stay views, without copies)."""
        i = range(self.replicates)[index]
        return Results(self._series if self.has_replicate_series() else {}, self._scalar_info, [self._values[i]],
                       [self._scalars[i]], days=self.days, seeds=[self.seeds[i]], replicate_ids=[self.replicate_ids[i]],
                       scenario=self.scenario, label=self.label, provenance=self.provenance,
                       runs=self._runs[i:i + 1] if self._runs else (), baseline_label=self.baseline_label,
                       parameters={k: v[i:i + 1] for k, v in self.parameters.items()}, start_date=self.start_date)

    def __iter__(self):
        """Iterates over the replicates (as single-replicate Results)."""
        return (self.replicate(i) for i in range(self.replicates))

    def __len__(self) -> int:
        return self.replicates

    # --- analysis -----------------------------------------------------------------------
    def distribution(self, name: str, quantiles: Sequence[float] | None = None) -> dict[str, float]:
        """A scalar's distribution over replicates: count, not_reached, mean, sd, min, pN..., max
        (the study's own when it holds these quantiles, else computed by the C++ core)."""
        q = tuple(quantiles) if quantiles is not None else self.default_quantiles
        stored = self._reductions.summaries.get(name) if self._reductions else None
        wanted = ["count", "not_reached", "mean", "sd", "min"] + [quantile_label(p) for p in q] + ["max"]
        if stored is not None and all(k in stored for k in wanted):
            return {k: stored[k] for k in wanted}
        return stats.distribution(self.stack(name, "scalar"), q)

    @property
    def default_quantiles(self) -> tuple[float, ...]:
        """The quantiles of this ensemble's bands (the study's), else DEFAULT_QUANTILES."""
        return tuple(self._reductions.probabilities) if self._reductions and self._reductions.probabilities \
            else DEFAULT_QUANTILES

    def summary(self, quantiles: Sequence[float] | None = None, raw: bool = False,
                scope=None) -> "pandas.DataFrame":  # noqa: F821
        """The summary scalars, one row each: unit and value for one run; for an ensemble count,
        not_reached (NaN replicates), mean, sd, min, quantiles (the bands' by default) and max.
        Values are formatted for reading (12.3M, 12.5%); raw=True gives the numbers. scope: the
        same scalars over a subset of users the run was asked to report (gs.run(..., scope=...)
        or reporting.scopes), as 'region=india;segment=consumer' or {"region": "india",
        "segment": ["consumer"]}; see scopes()."""
        return tables.summary_frame(self, quantiles, raw, self._scoped_names(scope))

    def variance(self) -> "pandas.DataFrame":  # noqa: F821
        """Each scalar's variance decomposition over parameter draws and noise replicates, as the
        study computed it (docs/uncertainty.md): total, between-parameter and within-noise
        variance, their shares, draws and noise replicates. Empty for results of no study."""
        import pandas as pd

        rows = {name: v for name, v in (self._reductions.variances.items() if self._reductions else [])}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("metric")

    def scopes(self) -> list[str]:
        """Labels of the scopes whose scalars the results hold (scalar names end in [label])."""
        return list(dict.fromkeys(n[n.index("[") + 1:-1] for n in self._scalar_info if n.endswith("]") and "[" in n))

    def _scoped_names(self, scope) -> dict[str, str]:
        """{plain scalar name: stored name} for the whole population (scope None) or one scope."""
        if scope is None:
            return {n: n for n in self._scalar_info if not n.endswith("]")}
        wanted = _scope_terms(scope_spec(scope))
        for label in self.scopes():
            if _scope_terms(label) == wanted:
                suffix = f"[{label}]"
                return {n[:-len(suffix)]: n for n in self._scalar_info if n.endswith(suffix)}
        raise KeyError(f"no scope {scope_spec(scope)!r} in these results; they have: {', '.join(self.scopes()) or 'none'} "
                       "(run with gs.run(..., scope=...) or set reporting.scopes)")

    def delta(self, baseline: "Results") -> "Results":
        """Paired differences self - baseline, replicate by replicate. Both must come from the
        same seed and replicate indices (common random numbers), so the differences carry no
        extra sampling noise; summary() and quantile() of the result give intervals."""
        if not isinstance(baseline, Results):
            raise TypeError("delta expects the baseline's Results")
        if self.replicates != baseline.replicates or self.seeds != baseline.seeds \
                or self.replicate_ids != baseline.replicate_ids:
            raise ValueError(
                f"cannot pair {self.label!r} ({self.replicates} replicates, seeds {sorted(set(self.seeds))}) with "
                f"{baseline.label!r} ({baseline.replicates} replicates, seeds {sorted(set(baseline.seeds))}): run both "
                "with the same seed, replicates and first replicate")
        if self.days != baseline.days:
            raise ValueError(f"cannot pair runs of {self.days} and {baseline.days} days")
        series = {n: i for n, i in self._series.items() if n in baseline._series and baseline._series[n].axes == i.axes
                  and self.has_replicate_series(n) and baseline.has_replicate_series(n)}
        scalars = {n: i for n, i in self._scalar_info.items() if n in baseline._scalar_info}
        values = [{n: np.subtract(a[n], b[n]) for n in series} for a, b in zip(self._values, baseline._values)]
        scalar_values = [{n: a[n] - b[n] for n in scalars} for a, b in zip(self._scalars, baseline._scalars)]
        return Results(series, scalars, values, scalar_values, days=self.days, seeds=self.seeds,
                       replicate_ids=self.replicate_ids, scenario=self.scenario,
                       label=f"{self.label} - {baseline.label}", baseline_label=baseline.label,
                       start_date=self.start_date)

    #: Scalars that mark a day on charts, when the engine reports them: (label, scalar name).
    MARKERS = (("directive", "directive_day"), ("restore", "restore_day"), ("regulator decision", "decision_day"))

    def marker_days(self) -> dict[str, np.ndarray]:
        """Days to mark on charts, per replicate: the directive, and the restore or the
        regulator's decision, from the engine's scalars, else the directive day of the scenario."""
        out = {}
        for key, scalar in self.MARKERS:
            if scalar in self._scalar_info:
                out[key] = self.stack(scalar, "scalar")
        if "directive" not in out and self.scenario is not None:
            day = self.scenario.get("directive.day")
            if isinstance(day, (int, float)):
                out["directive"] = np.full(self.replicates, float(day))
        return out

    # --- conversion ---------------------------------------------------------------------
    def to_pandas(self, metrics: Iterable[str] | str | None = None, quantiles: Sequence[float] | str | None = "auto",
                  replicates: bool = False, dense: bool = False) -> "pandas.DataFrame":  # noqa: F821
        """A tidy DataFrame of the daily series, one row per value: metric, unit, day, date (when
        the scenario sets a start date), one column per axis of the selected metrics, quantile
        (ensembles: the bands' quantiles by default) or replicate (replicates=True), value.

        A metric that is not broken down along an axis has the label 'all' there, so no cell is
        empty. Label combinations whose values are zero on every day (mostly combinations that
        cannot occur, such as consumers on the cloud channel) are left out, unless the metric is
        zero throughout; dense=True keeps them all.
        """
        return tables.series_frame(self, metrics, quantiles, replicates, dense)

    def to_xarray(self, quantiles: Sequence[float] | None = None) -> "xarray.Dataset":  # noqa: F821
        """An xarray Dataset: one variable per series (dims day and its axes, with a date
        coordinate when the scenario sets a start date) and per scalar, with units and
        descriptions. Ensembles keep a replicate dimension, or with quantiles=[...] a quantile
        dimension instead (the bands). Where names clash, a series named like an axis becomes
        <name>_series and a scalar named like a series <name>_summary."""
        return tables.dataset(self, quantiles)

    def save(self, path: str | os.PathLike) -> None:
        """Writes these results in the CLI's format (docs/results-format.md): a single run as a
        results file, an ensemble as an ensemble file; gs.load reads either back identically."""
        if self._study is not None:
            return _core.write_study(os.fspath(path), self._study)
        if self.replicates != 1 or not self._runs:
            raise ValueError(f"{self.label}: these results were derived (a paired delta, a replicate, a scenario of a "
                             "comparison or a point of a sweep) and have no file of their own; save the run, "
                             "ensemble or study they came from")
        import datetime

        provenance = {
            "scenario_yaml": self.scenario.to_yaml() if self.scenario is not None
            else self.provenance.get("scenario_yaml", ""),
            "scenario_file": (self.scenario.source or "") if self.scenario is not None
            else self.provenance.get("scenario_file", ""),
            "command_line": self.provenance.get("command_line") or "python: gatesim.run",
            "start_time": self.provenance.get("start_time")
            or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "threads": int(self.provenance.get("threads", 1)),
        }
        _core.write_results(os.fspath(path), self._runs[0], provenance)

    def export(self, path: str | os.PathLike, format: str | None = None, **options) -> str:
        """Writes the results as CSV, JSON or an Excel workbook (format from the suffix, or
        "csv", "json", "xlsx"); see gatesim.export. Returns the path written."""
        from . import export

        return export.write(self, path, format, **options)

    def plot(self, metric: str = "blocked", **kwargs):
        """A time series chart of one metric with its bands (see gatesim.plots.timeseries)."""
        from . import plots

        return plots.timeseries(self, metric, **kwargs)

    def __repr__(self) -> str:
        kind = f"{self.replicates} replicates" if self.is_ensemble else f"replicate {self.replicate_ids[0]}"
        start = f", from {self.start_date}" if self.start_date else ""
        return (f"<gatesim.Results {self.label!r}: {self.days} days{start}, {kind}, seed "
                f"{self.seeds[0] if self.seeds else '-'}; {len(self._series)} series, {len(self._scalar_info)} scalars>")


def scenario_from_text(text: str, origin: str, source: str | None = None):
    """The Scenario recorded in a file, or None (with a warning) when it no longer validates,
    as in a file from an older gatesim: its numbers stay readable."""
    if not text:
        return None
    from .scenario import Scenario

    try:
        scenario = Scenario.from_yaml(text, origin=origin)
    except ScenarioError as e:
        warnings.warn(f"{origin}: the recorded scenario does not load with this gatesim ({e.problems[0]}); "
                      "the results' scenario is None, their provenance keeps the text", stacklevel=3)
        return None
    scenario.source = source or None
    return scenario


def load_results(path: str | os.PathLike) -> Results:
    """Reads a single-run results file (`gatesim run -o`, Results.save)."""
    path = os.fspath(path)
    run, provenance, schema_version = _core.read_results(path)
    provenance = dict(provenance, schema_version=schema_version, seed=run.seed, replicate=run.replicate)
    scenario = scenario_from_text(provenance.get("scenario_yaml", ""), f"{path}:/provenance/scenario",
                                  provenance.get("scenario_file"))
    label = scenario.name if scenario is not None else os.path.splitext(os.path.basename(path))[0]
    return Results._from_runs([run], scenario=scenario, label=label, provenance=provenance)

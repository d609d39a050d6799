"""Results of runs, the same object whether from gs.run or from a results file (gs.load).

A Results holds one or more replicates of the same scenario. Series and scalars are generic:
whatever the engine measures appears here by name, with its unit, description and labelled
axes. A single run's series are numpy views of the C++ results' memory (no copies, read-only);
ensembles add quantile bands; paired deltas compare two runs replicate by replicate.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from . import _core
from .errors import ScenarioError

#: Quantiles of the bands and summaries when none are given: P5, median, P95.
DEFAULT_QUANTILES = (0.05, 0.5, 0.95)


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


def quantile_label(q: float) -> str:
    """0.05 -> 'p5', 0.5 -> 'p50', 0.025 -> 'p2.5'."""
    return f"p{q * 100:g}"


def _quantiles(stack: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles over the first axis, ignoring NaN ("not reached") replicates."""
    if not np.isnan(stack).any():  # the same numbers; nanquantile is orders of magnitude slower on wide series
        return np.quantile(stack, q, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as they should
        return np.nanquantile(stack, q, axis=0)


class Results:
    """Replicates of one scenario: daily series and summary scalars in real-world units.

    res["blocked"]               one run: (day,) view of the C++ memory; ensemble: (replicate, day)
    res.quantile("blocked")      (quantile, day) bands, P5/median/P95 by default
    res.scalar("churn_share")    float, or one value per replicate
    res.summary()                scalars with bands, as a DataFrame
    res.delta(baseline)          paired differences, replicate by replicate
    res.to_pandas(), res.to_xarray()
    """

    def __init__(self, series_info: Mapping[str, SeriesInfo], scalar_info: Mapping[str, ScalarInfo],
                 values: Sequence[Mapping[str, np.ndarray]], scalars: Sequence[Mapping[str, float]], *,
                 days: int, seeds: Sequence[int], replicate_ids: Sequence[int], scenario=None,
                 label: str | None = None, provenance: Mapping | None = None, runs: Sequence = (),
                 baseline_label: str | None = None, parameters: Mapping[str, Sequence[float]] | None = None,
                 warnings: Sequence[str] = ()):
        if not values or not len(values) == len(scalars) == len(seeds) == len(replicate_ids):
            raise ValueError("Results need one entry of values, scalars, seed and replicate id per replicate")
        self._series = dict(series_info)
        self._scalar_info = dict(scalar_info)
        self._values = [dict(v) for v in values]
        self._scalars = [dict(s) for s in scalars]
        self._runs = list(runs)  # the C++ results the views point into (also kept by each view)
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
        #: Sanity warnings of the runs (outputs that contradict the world's scale), each once.
        self.warnings = list(dict.fromkeys(warnings))

    # --- construction -------------------------------------------------------------------
    @classmethod
    def _from_runs(cls, runs: Sequence["_core.Run"], *, scenario=None, label=None, provenance=None,
                   parameters=None) -> "Results":
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
                   provenance=provenance, runs=runs, parameters=parameters, warnings=found)

    @classmethod
    def from_arrays(cls, series: Mapping[str, np.ndarray], scalars: Mapping[str, float | Sequence[float]] = None, *,
                    axes: Mapping[str, Sequence[tuple[str, Sequence[str]]]] | None = None,
                    units: Mapping[str, str] | None = None, replicates: int | None = None,
                    seed: int = 0, label: str = "results", scenario=None) -> "Results":
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
                   scenario=scenario)

    # --- shape --------------------------------------------------------------------------
    @property
    def replicates(self) -> int:
        return len(self._values)

    @property
    def day(self) -> np.ndarray:
        """Day indices 0 .. days-1."""
        return np.arange(self.days)

    @property
    def series_names(self) -> list[str]:
        return list(self._series)

    @property
    def scalar_names(self) -> list[str]:
        return list(self._scalar_info)

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

    # --- values -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        return self.series(name)

    def __contains__(self, name: str) -> bool:
        return name in self._series or name in self._scalar_info

    def series(self, name: str) -> np.ndarray:
        """One run: the (day, axis...) values, a read-only view without a copy. An ensemble:
        (replicate, day, axis...) stacked."""
        self._info_series(name)
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
            return np.array([s[name] for s in self._scalars])
        self._info_series(name)
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
        (quantile,). A single q drops the quantile axis. NaN replicates are ignored."""
        out = _quantiles(self.stack(name, kind), np.atleast_1d(np.asarray(q, dtype=float)))
        return out[0] if np.ndim(q) == 0 else out

    def median(self, name: str, kind: str | None = None) -> np.ndarray:
        return self.quantile(name, 0.5, kind)

    def replicate(self, index: int) -> "Results":
        """The index-th replicate alone (its series stay views, without copies)."""
        i = range(self.replicates)[index]
        return Results(self._series, self._scalar_info, [self._values[i]], [self._scalars[i]], days=self.days,
                       seeds=[self.seeds[i]], replicate_ids=[self.replicate_ids[i]], scenario=self.scenario,
                       label=self.label, provenance=self.provenance, runs=self._runs[i:i + 1] if self._runs else (),
                       baseline_label=self.baseline_label,
                       parameters={k: v[i:i + 1] for k, v in self.parameters.items()})

    def __iter__(self):
        """Iterates over the replicates (as single-replicate Results)."""
        return (self.replicate(i) for i in range(self.replicates))

    def __len__(self) -> int:
        return self.replicates

    # --- analysis -----------------------------------------------------------------------
    def summary(self, quantiles: Sequence[float] = DEFAULT_QUANTILES, scope=None) -> "pandas.DataFrame":  # noqa: F821
        """The summary scalars, one row each: unit and value for one run; mean, quantile
        columns (p5, p50, p95 by default) and n, the replicates where the value is not NaN, for
        an ensemble. scope: the same scalars over a subset of users the run was asked to report
        (gs.run(..., scope=...) or reporting.scopes), as 'region=india;segment=consumer' or
        {"region": "india", "segment": ["consumer"]}; see scopes()."""
        import pandas as pd

        names = self._scoped_names(scope)
        rows = []
        for plain, name in names.items():
            info = self._scalar_info[name]
            row = {"metric": plain, "unit": info.unit}
            if self.replicates == 1:
                row["value"] = self._scalars[0][name]
            else:
                values = self.stack(name, "scalar")
                finite = values[~np.isnan(values)]
                row["mean"] = finite.mean() if finite.size else np.nan
                for q, v in zip(quantiles, self.quantile(name, list(quantiles), "scalar")):
                    row[quantile_label(q)] = v
                row["n"] = int(finite.size)
            rows.append(row)
        return pd.DataFrame(rows).set_index("metric")

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
        series = {n: i for n, i in self._series.items() if n in baseline._series and baseline._series[n].axes == i.axes}
        scalars = {n: i for n, i in self._scalar_info.items() if n in baseline._scalar_info}
        values = [{n: np.subtract(a[n], b[n]) for n in series} for a, b in zip(self._values, baseline._values)]
        scalar_values = [{n: a[n] - b[n] for n in scalars} for a, b in zip(self._scalars, baseline._scalars)]
        return Results(series, scalars, values, scalar_values, days=self.days, seeds=self.seeds,
                       replicate_ids=self.replicate_ids, scenario=self.scenario,
                       label=f"{self.label} - {baseline.label}", baseline_label=baseline.label)

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
    def to_pandas(self, metrics: Iterable[str] | None = None, quantiles: Sequence[float] | str | None = "auto",
                  replicates: bool = False) -> "pandas.DataFrame":  # noqa: F821
        """A tidy DataFrame of the daily series: columns day, metric, one column per axis
        (e.g. model; empty for series without it), quantile (for ensembles: P5, median, P95 by
        default) and value. replicates=True gives a replicate column instead of quantiles."""
        import pandas as pd

        if quantiles == "auto":
            quantiles = DEFAULT_QUANTILES if self.replicates > 1 and not replicates else None
        names = list(self._series) if metrics is None else list(metrics)
        axis_columns: list[str] = []
        frames = []
        for name in names:
            info = self._info_series(name)
            levels = [np.arange(self.days)] + [list(labels) for _, labels in info.axes]
            level_names = list(info.dims)
            if replicates:
                data = self.stack(name)
                levels, level_names = [list(self.replicate_ids)] + levels, ["replicate"] + level_names
            elif quantiles is not None:
                q = list(quantiles)
                data = self.quantile(name, q)
                levels, level_names = [q] + levels, ["quantile"] + level_names
            else:
                data = self._values[0][name] if self.replicates == 1 else self.median(name)
            index = pd.MultiIndex.from_product(levels, names=level_names)
            frame = pd.DataFrame({"value": np.asarray(data).reshape(-1)}, index=index).reset_index()
            frame.insert(1, "metric", name)
            frames.append(frame)
            axis_columns += [a for a, _ in info.axes if a not in axis_columns]
        lead = ["replicate"] if replicates else (["quantile"] if quantiles is not None else [])
        columns = ["day", "metric"] + axis_columns + lead + ["value"]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True).reindex(columns=columns)

    def to_xarray(self, quantiles: Sequence[float] | None = None) -> "xarray.Dataset":  # noqa: F821
        """An xarray Dataset: one variable per series (dims day and its axes) and per scalar,
        with unit and description attributes. Ensembles keep a replicate dimension, or with
        quantiles=[...] a quantile dimension instead. Where names clash, a series named like an
        axis becomes <name>_series and a scalar named like a series <name>_summary."""
        import xarray as xr

        lead: tuple[str, ...] = ()
        coords: dict[str, object] = {"day": np.arange(self.days)}
        if quantiles is not None:
            lead, coords["quantile"] = ("quantile",), list(quantiles)
        elif self.replicates > 1:
            lead, coords["replicate"] = ("replicate",), list(self.replicate_ids)

        def values(name, per_replicate, single):
            # A scalar may share its name with a series.
            if quantiles is not None:
                return _quantiles(per_replicate, np.asarray(quantiles, dtype=float))
            return per_replicate if self.replicates > 1 else single

        for info in self._series.values():
            coords.update({a: list(labels) for a, labels in info.axes})
        data = {}
        for name, info in self._series.items():
            array = values(name, np.stack([v[name] for v in self._values]) if self.replicates > 1 or quantiles
                           else None, self._values[0][name])
            # xarray cannot hold a variable named like a dimension (verification over the
            # verification axis): such a series becomes <name>_series.
            data[name if name not in coords else f"{name}_series"] = xr.DataArray(array, dims=lead + info.dims,
                                      attrs={"unit": info.unit, "description": info.description})
        for name, info in self._scalar_info.items():
            key = name if name not in data and name not in coords else f"{name}_summary"
            array = values(name, np.array([s[name] for s in self._scalars]), self._scalars[0][name])
            data[key] = xr.DataArray(array, dims=lead, attrs={"unit": info.unit, "description": info.description})
        attrs = {"label": self.label, "seed": self.seeds[0], "replicates": self.replicates}
        if self.baseline_label:
            attrs["baseline"] = self.baseline_label
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def save(self, path: str | os.PathLike) -> None:
        """Writes a single run as a results file in the CLI's format (docs/results-format.md)."""
        if self.replicates != 1 or not self._runs:
            raise ValueError("only a single run made by gs.run or read by gs.load can be saved as a results file")
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

    def plot(self, metric: str = "blocked", **kwargs):
        """A time series chart of one metric with its bands (see gatesim.plots.timeseries)."""
        from . import plots

        return plots.timeseries(self, metric, **kwargs)

    def __repr__(self) -> str:
        kind = f"{self.replicates} replicates" if self.replicates > 1 else f"replicate {self.replicate_ids[0]}"
        return (f"<gatesim.Results {self.label!r}: {self.days} days, {kind}, seed {self.seeds[0]}; "
                f"series {', '.join(self._series)}; scalars {', '.join(self._scalar_info)}>")


def load(path: str | os.PathLike) -> Results:
    """Reads a results file written by the CLI (`gatesim run -o`) or by Results.save."""
    path = os.fspath(path)
    run, provenance, schema_version = _core.read_results(path)
    provenance = dict(provenance, schema_version=schema_version, seed=run.seed, replicate=run.replicate)
    scenario = None
    if provenance.get("scenario_yaml"):
        from .scenario import Scenario

        try:
            scenario = Scenario.from_yaml(provenance["scenario_yaml"], origin=f"{path}:/provenance/scenario")
            scenario.source = provenance.get("scenario_file") or None
        except ScenarioError as e:
            # A file from an older schema still has its numbers; its scenario text is kept.
            warnings.warn(f"{path}: the recorded scenario does not load with this gatesim ({e.problems[0]}); "
                          "results.scenario is None, results.provenance['scenario_yaml'] has the text",
                          stacklevel=2)
    label = scenario.name if scenario is not None else os.path.splitext(os.path.basename(path))[0]
    return Results._from_runs([run], scenario=scenario, label=label, provenance=provenance)

"""Results as tables: the tidy pandas frame of the daily series, the summary table (readable or
raw), and the xarray Dataset. Works on anything shaped like gatesim.Results (its public
methods), so it imports nothing from the modules that build results.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from . import stats

#: The label of an axis along which a metric is not broken down (a total or mean over it, or
#: an axis that does not apply), so the tidy table has no empty cells.
ALL = "all"

#: Columns of summary tables that count replicates rather than measure the metric.
COUNT_COLUMNS = ("count", "not_reached", "draws", "noise_replicates", "pairs")


def readable_frame(frame, unit_column: str = "unit", sign_columns: Sequence[str] = ()):
    """A numeric table formatted for reading: each value in its row's unit (12.3M, 12.5%), counts
    as whole numbers, NaN as n/a; the unit column says 'share' for fractions."""
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    units = frame[unit_column] if unit_column in frame.columns else pd.Series("", index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column == unit_column:
            out[column] = [("share" if u == "fraction" else u) for u in values]
        elif column in COUNT_COLUMNS:
            out[column] = ["n/a" if v != v else f"{int(v):,}" for v in values]
        elif np.issubdtype(values.dtype, np.number):
            out[column] = [stats.compact(v, u, column in sign_columns) for v, u in zip(values, units)]
        else:
            out[column] = values
    return out


def summary_frame(res, quantiles: Sequence[float] | None, raw: bool, names: dict[str, str] | None = None):
    """names: {metric shown: scalar stored} (a scope's scalars), default every scalar."""
    import pandas as pd

    rows = []
    for shown, name in (names or {n: n for n in res.scalar_names}).items():
        row = {"metric": shown, "unit": res.info(name, "scalar").unit}
        if res.is_ensemble:
            q = tuple(quantiles) if quantiles is not None else res.default_quantiles
            row.update(res.distribution(name, q))
        else:
            row["value"] = res.scalar(name)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.set_index("metric")
    for column in COUNT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    return frame if raw else readable_frame(frame)


def _metric_names(res, metrics) -> list[str]:
    if metrics is None:
        return list(res.series_names)
    return [metrics] if isinstance(metrics, str) else list(metrics)


def _metric_values(res, name: str, mode: str, quantiles):
    """(lead labels or None, values shaped (lead, day, columns) or (1, day, columns))."""
    if mode == "replicate":
        data, lead = res.stack(name), list(res.replicate_ids)
    elif mode == "quantile":
        data, lead = res.quantile(name, list(quantiles)), list(quantiles)
    else:
        data = res.series(name) if res.replicates == 1 and res.has_replicate_series(name) else res.median(name)
        data, lead = np.asarray(data)[np.newaxis], None
    data = np.asarray(data, dtype=float)
    return lead, data.reshape(data.shape[0], data.shape[1], -1)


def _metric_frame(res, name: str, mode: str, quantiles, dense: bool, axis_columns: list[str]) -> dict:
    info = res.info(name)
    lead, data = _metric_values(res, name, mode, quantiles)
    columns = np.arange(data.shape[2])
    if not dense and info.axes:
        used = np.any(data != 0, axis=(0, 1))  # NaN counts as a value
        if used.any():  # a metric zero throughout keeps its rows, so that it still appears
            columns = columns[used]
    n_lead, days = data.shape[0], data.shape[1]
    rows = n_lead * days * len(columns)
    out = {"metric": np.full(rows, name, dtype=object), "unit": np.full(rows, info.unit, dtype=object),
           "day": np.tile(np.repeat(np.arange(days), len(columns)), n_lead)}
    coordinates = np.unravel_index(columns, [len(labels) for _, labels in info.axes]) if info.axes else ()
    labelled = {axis: np.asarray(labels, dtype=object)[c] for (axis, labels), c in zip(info.axes, coordinates)}
    for axis in axis_columns:
        out[axis] = np.tile(labelled[axis], n_lead * days) if axis in labelled else np.full(rows, ALL, dtype=object)
    if lead is not None:
        out[mode] = np.repeat(np.asarray(lead), days * len(columns))
    out["value"] = data[:, :, columns].reshape(-1)
    return out


def series_frame(res, metrics: Iterable[str] | str | None, quantiles, replicates: bool, dense: bool):
    import pandas as pd

    names = _metric_names(res, metrics)
    if quantiles == "auto":
        quantiles = res.default_quantiles if res.is_ensemble and not replicates else None
    mode = "replicate" if replicates else ("quantile" if quantiles is not None else "single")
    axis_columns: list[str] = []
    for name in names:
        axis_columns += [a for a, _ in res.info(name).axes if a not in axis_columns]
    parts = [_metric_frame(res, name, mode, quantiles, dense, axis_columns) for name in names]
    lead = [mode] if mode != "single" else []
    date = ["date"] if res.start_date else []
    columns = ["metric", "unit", "day"] + date + axis_columns + lead + ["value"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in parts[0]})
    for c in ["metric", "unit"] + axis_columns:
        frame[c] = frame[c].astype("category")
    if date:
        frame["date"] = np.datetime64(res.start_date, "D") + frame["day"].to_numpy().astype("timedelta64[D]")
    return frame[columns]


def dataset(res, quantiles: Sequence[float] | None):
    """The xarray Dataset of Results.to_xarray."""
    import xarray as xr

    lead: tuple[str, ...] = ()
    coords: dict[str, object] = {"day": np.arange(res.days)}
    if res.dates is not None:
        coords["date"] = ("day", res.dates.astype("datetime64[ns]"))
    if quantiles is None and res.is_ensemble and not res.has_replicate_series():
        quantiles = res.default_quantiles  # only the bands were kept
    if quantiles is not None:
        lead, coords["quantile"] = ("quantile",), list(quantiles)
    elif res.replicates > 1:
        lead, coords["replicate"] = ("replicate",), list(res.replicate_ids)
    for name in res.series_names:
        coords.update({a: list(labels) for a, labels in res.info(name).axes})
    data = {}
    for name in res.series_names:
        info = res.info(name)
        if quantiles is not None:
            array = res.quantile(name, list(quantiles))
        else:
            array = res.stack(name) if res.replicates > 1 else res.series(name)
        # xarray cannot hold a variable named like a dimension: such a series is <name>_series.
        key = name if name not in coords else f"{name}_series"
        data[key] = xr.DataArray(array, dims=lead + info.dims,
                                 attrs={"units": info.unit, "description": info.description})
    for name in res.scalar_names:
        info = res.info(name, "scalar")
        key = name if name not in data and name not in coords else f"{name}_summary"
        if quantiles is not None:
            array = res.quantile(name, list(quantiles), kind="scalar")
        else:
            array = res.stack(name, "scalar") if res.replicates > 1 else res.scalar(name)
        data[key] = xr.DataArray(array, dims=lead, attrs={"units": info.unit, "description": info.description})
    attrs = {"label": res.label, "seed": res.seeds[0] if res.seeds else 0, "replicates": res.replicates}
    if res.start_date:
        attrs["start_date"] = res.start_date
    if res.baseline_label:
        attrs["baseline"] = res.baseline_label
    return xr.Dataset(data, coords=coords, attrs=attrs)

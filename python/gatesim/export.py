"""Results and studies as CSV, JSON or an Excel workbook, for spreadsheets and other tools.

    gs.load("cmp.h5").export("cmp.xlsx")          # or res.export("run.csv"), ... .export("x.json")
    gatesim export cmp.h5 --format xlsx            # the same, from the command line

Every export holds the same tables, each with its units:
- "series": the tidy daily table (Results.to_pandas: metric, unit, day, date, axes, quantile or
  replicate, value); a comparison adds a scenario column;
- "summary": the summary scalars (raw numbers); a comparison adds "deltas" (paired differences
  from the reference) and "levels" (each scenario's level next to its delta); a sweep has
  "points" and its per-point "summary"; a sensitivity analysis "indices" and "points";
- "metrics": every series and scalar with its unit, description and axes; "about": the file
  type and provenance (who made it, from what, when, the seed).

CSV writes one file per table: the path given holds the first, the others sit beside it as
<stem>-<table>.csv. JSON writes one file, tables column-wise, NaN as null, dates as
YYYY-MM-DD. Excel writes one sheet per table, except that each daily series gets a sheet of its
own in wide form (rows: days and dates; columns: its labels, per quantile or replicate, per
scenario), titled with the metric, its unit and its description, ready for charts.

Works on anything shaped like gatesim.Results or a gatesim study (their public methods).
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Iterable

FORMATS = ("csv", "json", "xlsx")


def _is_results(obj) -> bool:
    return hasattr(obj, "series_names") and hasattr(obj, "stack")


def _frames(obj) -> list:
    """(name of the scenario or "", Results) pairs whose series an export shows."""
    if _is_results(obj):
        return [("", obj)]
    if getattr(obj, "kind", "") == "comparison":
        return [(name, obj[name]) for name in obj.names]
    return []


def _described(obj) -> list:
    """Results whose series and scalars describe what the export holds."""
    if _frames(obj):
        return [res for _, res in _frames(obj)]
    return [obj.point(0)] if len(getattr(obj, "points", ())) else []


def metrics_table(obj):
    """Every series and scalar: kind, unit, description, axes (dimensions after the day)."""
    import pandas as pd

    rows, seen = [], set()
    for res in _described(obj):
        for name in res.series_names:
            info = res.info(name)
            if ("series", name) not in seen:
                seen.add(("series", name))
                rows.append({"metric": name, "kind": "series", "unit": info.unit, "description": info.description,
                             "axes": ", ".join(("day",) + tuple(a for a, _ in info.axes))})
        for name in res.scalar_names:
            info = res.info(name, "scalar")
            if ("scalar", name) not in seen:
                seen.add(("scalar", name))
                rows.append({"metric": name, "kind": "scalar", "unit": info.unit, "description": info.description,
                             "axes": ""})
    return pd.DataFrame(rows, columns=["metric", "kind", "unit", "description", "axes"])


def about_table(obj):
    import pandas as pd

    provenance = dict(getattr(obj, "provenance", {}) or {})
    fields = {"label": getattr(obj, "label", ""), "file_type": provenance.pop("file_type", ""),
              "start_date": getattr(obj, "start_date", "") or ""}
    res = _described(obj)[0] if _described(obj) else None
    if res is not None:
        fields.update({"days": res.days, "replicates": res.replicates, "seed": res.seeds[0] if res.seeds else ""})
    if getattr(obj, "kind", ""):
        outcome = obj.outcome
        fields.update({"kind": obj.kind, "complete": obj.complete, "completed_runs": outcome.completed_runs,
                       "total_runs": outcome.total_runs})
    fields.update(provenance)
    return pd.DataFrame({"field": list(fields), "value": [str(v) for v in fields.values()]})


def tables(obj, series: bool | None = None, dense: bool = False) -> dict:
    """The tables of an export, by name, as pandas DataFrames (see the module doc). series:
    include the daily series table (default: yes, except for sweeps and sensitivity analyses)."""
    out = {}
    kind = getattr(obj, "kind", "")
    if series is None:
        series = kind in ("", "comparison")
    if series and _frames(obj):
        out["series"] = obj.to_pandas(dense=dense)
    if _is_results(obj):
        out["summary"] = obj.summary(raw=True).reset_index()
    elif kind == "comparison":
        out["levels"] = obj.table(raw=True).reset_index()
        out["deltas"] = obj.deltas(raw=True).reset_index()
        out["summary"] = obj.summary(raw=True).reset_index()
    elif kind == "sweep":
        out["points"] = obj.points.reset_index()
        out["summary"] = obj.summary(raw=True).reset_index()
    elif kind == "sensitivity":
        out["indices"] = obj.indices
        out["points"] = obj.points.reset_index()
    out["metrics"] = metrics_table(obj)
    out["about"] = about_table(obj)
    return out


def write(obj, path: str | os.PathLike, format: str | None = None, **options) -> str | list[str]:
    """Writes obj (Results or a study) as CSV, JSON or Excel; the format comes from the suffix
    unless given. Returns the path written (CSV: the list of files). options: series, dense."""
    path = Path(path)
    format = (format or path.suffix.lstrip(".")).lower()
    if format not in FORMATS:
        raise ValueError(f"cannot export as {format!r}: the formats are {', '.join(FORMATS)} (from the file's suffix, "
                         "or format=)")
    if format == "xlsx":
        return write_excel(obj, path, **options)
    data = tables(obj, **options)
    if format == "json":
        return write_json(obj, data, path)
    return write_csv(data, path)


def write_csv(data: dict, path: Path) -> list[str]:
    written = []
    for i, (name, frame) in enumerate(data.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}-{name}.csv")
        _replace(target, lambda tmp, frame=frame: frame.to_csv(tmp, index=False, date_format="%Y-%m-%d"))
        written.append(str(target))
    return written


def _json_value(v: Any):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    return v


def _json_columns(frame) -> dict:
    return {"columns": [str(c) for c in frame.columns],
            "data": {str(c): [_json_value(v) for v in frame[c].tolist()] for c in frame.columns}}


def write_json(obj, data: dict, path: Path) -> str:
    document = {"file_type": getattr(obj, "provenance", {}).get("file_type", ""),
                "tables": {name: _json_columns(frame) for name, frame in data.items()}}
    _replace(path, lambda tmp: Path(tmp).write_text(json.dumps(document, allow_nan=False), encoding="utf-8"))
    return str(path)


def _series_sheet(frames: Iterable, name: str, dense: bool):
    """One series in wide form: rows (day, date), columns (scenario, quantile/replicate, labels...)."""
    import pandas as pd

    parts = []
    for scenario, res in frames:
        if name not in res.series_names:
            continue
        table = res.to_pandas(name, dense=dense)
        if scenario:
            table.insert(0, "scenario", scenario)
        parts.append(table)
    table = pd.concat(parts, ignore_index=True)
    if "scenario" in table.columns:  # in the comparison's order, not alphabetically
        table["scenario"] = pd.Categorical(table["scenario"], categories=[s for s, _ in frames])
    index = ["day"] + (["date"] if "date" in table.columns else [])
    columns = [c for c in table.columns if c not in index + ["metric", "unit", "value"]]
    if not columns:
        return table[index + ["value"]].set_index(index).rename(columns={"value": name})
    wide = table.pivot(index=index, columns=columns, values="value")
    if wide.columns.nlevels == 1:  # so that the sheet names the axis above its labels, in label order
        order = list(dict.fromkeys(table[columns[0]].astype(str)))
        wide.columns = wide.columns.astype(str)
        wide = wide[order]
        wide.columns = pd.MultiIndex.from_arrays([wide.columns], names=[columns[0]])
    return wide


def _sheet_name(name: str, used: set) -> str:
    base = name[:31]
    candidate, n = base, 2
    while candidate in used:
        suffix = f"~{n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def _cell(v):
    """A value as a spreadsheet cell: NaN empty, numpy scalars as Python ones, dates as dates."""
    if hasattr(v, "to_pydatetime"):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _table_sheet(book, name: str, frame) -> None:
    sheet = book.create_sheet(name)
    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])


def _series_sheet_rows(sheet, title: str, description: str, wide) -> None:
    """Title and description, one header row per column level (its name, then the labels), the
    index names, then a row per day."""
    import pandas as pd

    sheet.append([title])
    sheet.append([description])
    index_names = list(wide.index.names)
    if isinstance(wide.columns, pd.MultiIndex):
        for level, name in enumerate(wide.columns.names):
            sheet.append([None] * (len(index_names) - 1) + [name] + [str(c[level]) for c in wide.columns])
        sheet.append(index_names)
    else:
        sheet.append(index_names + [str(c) for c in wide.columns])
    for key, values in zip(wide.index, wide.to_numpy()):
        key = key if isinstance(key, tuple) else (key,)
        sheet.append([_cell(k) for k in key] + [_cell(v) for v in values])


def write_excel(obj, path: Path, series: bool | None = None, dense: bool = False) -> str:
    """The workbook: summary tables first, then one sheet per daily series (see the module doc).
    Written in openpyxl's streaming mode, row by row."""
    from openpyxl import Workbook

    data = tables(obj, series=False, dense=dense)
    frames = _frames(obj) if (series is None or series) else []
    used: set = set()

    def save(tmp):
        book = Workbook(write_only=True)
        for name, frame in data.items():
            _table_sheet(book, _sheet_name(name, used), frame)
        for name in dict.fromkeys(n for _, res in frames for n in res.series_names):
            info = next(res.info(name) for _, res in frames if name in res.series_names)
            sheet = book.create_sheet(_sheet_name(name, used))
            _series_sheet_rows(sheet, f"{name} ({info.unit})" if info.unit else name, info.description,
                               _series_sheet(frames, name, dense))
        book.save(tmp)

    _replace(path, save)
    return str(path)


def _replace(path: Path, write_to) -> None:
    """Writes through a temporary file beside the target, renamed into place when complete."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}{path.suffix}")
    try:
        write_to(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()

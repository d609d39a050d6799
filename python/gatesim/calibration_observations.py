"""Observations a calibration fits to (docs/calibration.md): a CSV file whose commented header is
a small YAML document naming what each quantity is in the results.

    # quantities:
    #   returned:                          # the name used in the quantity column
    #     series: returned                 # a daily series of the results ...
    #   frontier_users_india:
    #     series: users_by_model_region_and_segment
    #     select: {model: a_frontier, region: india}   # ... its cells, summed over the other axes
    #   churn_india:
    #     scalar: churn_share              # or a summary scalar
    #     scope: region=india              # over a scope of users (added to reporting.scopes)
    day,quantity,value,uncertainty
    30,returned,1.2e6,5e4

Columns: `day` (0-based day index) or `date` (YYYY-MM-DD, with the scenario's start date),
`quantity`, `value`, optional `uncertainty` (one standard deviation of the observation; empty
or absent where unknown). Every problem is an ObservationsError located at file:line:column.
"""
from __future__ import annotations

import csv
import datetime
import io
import math
import os
from dataclasses import dataclass, field

import numpy as np

from .errors import ObservationsError

COLUMNS = ("day", "date", "quantity", "value", "uncertainty")


@dataclass
class Quantity:
    """One observed quantity: what it is in the results, and its observations in file order."""

    name: str
    kind: str  # "series" or "scalar"
    metric: str
    select: dict = field(default_factory=dict)  # series: axis -> labels kept (summed over the rest)
    scope: str | None = None  # scalar: a scope spec, 'region=india'
    where: tuple = ("", 0, 0)  # (file, line, column) of its header entry
    select_where: dict = field(default_factory=dict)  # axis -> (file, line, column) of its select entry
    days: list = field(default_factory=list)
    values: list = field(default_factory=list)
    uncertainties: list = field(default_factory=list)  # NaN where not given
    rows: list = field(default_factory=list)  # (line, column of day) of each observation

    @property
    def observed(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float)

    @property
    def sigma(self) -> np.ndarray:
        return np.asarray(self.uncertainties, dtype=float)

    def describe(self) -> str:
        if self.kind == "scalar":
            return self.metric + (f"[{self.scope}]" if self.scope else "")
        cells = ";".join(f"{a}={','.join(v)}" for a, v in self.select.items())
        return self.metric + (f"[{cells}]" if cells else "")


@dataclass
class Observations:
    path: str
    quantities: dict  # name -> Quantity, in header order
    text: str  # the file as read, kept in the calibration file

    @property
    def count(self) -> int:
        return sum(len(q.values) for q in self.quantities.values())

    def scopes(self) -> list[str]:
        return list(dict.fromkeys(q.scope for q in self.quantities.values() if q.scope))


def _split_header(text: str) -> tuple[str, int]:
    """The YAML of the leading '#' lines (the '#' and one space removed, so columns stay those of
    the file less two) and the number of header lines."""
    lines = text.splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line[2:] if line.startswith("# ") else line[1:])
    return "\n".join(header), len(header)


def _parse_header(path: str, text: str):
    import yaml

    header, count = _split_header(text)
    if not header.strip():
        raise ObservationsError(path, 1, 1, "quantities",
                                "no header: begin the file with '# quantities:' lines naming what each quantity is "
                                "(docs/calibration.md)")
    try:
        root = yaml.compose(header)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ObservationsError(path, (mark.line + 1) if mark else 1, (mark.column + 3) if mark else 1, "",
                                f"the header is not YAML: {getattr(e, 'problem', e)}") from None
    return root, count


def _where(path: str, node) -> tuple:
    return (path, node.start_mark.line + 1, node.start_mark.column + 3)  # '# ' shifts columns by two


def _mapping(path: str, node, key: str) -> dict:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise ObservationsError(*_where(path, node), key, "expected a mapping")
    return {k.value: (k, v) for k, v in node.value}


def _quantity(path: str, name: str, key_node, node) -> Quantity:
    import yaml

    fields = _mapping(path, node, f"quantities.{name}")
    for k, (knode, _) in fields.items():
        if k not in ("series", "scalar", "select", "scope"):
            raise ObservationsError(*_where(path, knode), f"quantities.{name}.{k}",
                                    "unknown key; expected series or scalar, and select (series) or scope (scalar)")
    kinds = [k for k in ("series", "scalar") if k in fields]
    if len(kinds) != 1:
        raise ObservationsError(*_where(path, key_node), f"quantities.{name}",
                                "give exactly one of series: NAME or scalar: NAME")
    kind = kinds[0]
    q = Quantity(name, kind, fields[kind][1].value, where=_where(path, fields[kind][1]))
    if "select" in fields:
        if kind != "series":
            raise ObservationsError(*_where(path, fields["select"][0]), f"quantities.{name}.select",
                                    "select picks cells of a series; a scalar takes scope:")
        for axis, (anode, vnode) in _mapping(path, fields["select"][1], f"quantities.{name}.select").items():
            labels = [v.value for v in vnode.value] if isinstance(vnode, yaml.SequenceNode) else [vnode.value]
            q.select[axis] = tuple(labels)
            q.select_where[axis] = _where(path, anode)
    if "scope" in fields:
        if kind != "scalar":
            raise ObservationsError(*_where(path, fields["scope"][0]), f"quantities.{name}.scope",
                                    "scope applies to a scalar; a series takes select: {axis: label}")
        q.scope = fields["scope"][1].value
    return q


def _header_quantities(path: str, text: str) -> tuple[dict, int]:
    root, count = _parse_header(path, text)
    top = _mapping(path, root, "")
    if "quantities" not in top:
        raise ObservationsError(*_where(path, root), "quantities", "the header needs a 'quantities:' mapping")
    quantities = {}
    for name, (knode, vnode) in _mapping(path, top["quantities"][1], "quantities").items():
        quantities[name] = _quantity(path, name, knode, vnode)
    if not quantities:
        raise ObservationsError(*_where(path, root), "quantities", "name at least one quantity")
    return quantities, count


def _number(path, line, column, key, text, what) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ObservationsError(path, line, column, key, f"expected {what}, got {text!r}") from None
    if not math.isfinite(value):
        raise ObservationsError(path, line, column, key, f"expected a finite {what}, got {text!r}")
    return value


def _columns(path: str, header: list[str], line: int) -> dict:
    names = [h.strip() for h in header]
    index = {n: i for i, n in enumerate(names)}
    for n in names:
        if n not in COLUMNS:
            raise ObservationsError(path, line, 1, n, f"unknown column; expected day or date, quantity, value, uncertainty")
    for required in ("quantity", "value"):
        if required not in index:
            raise ObservationsError(path, line, 1, required, f"missing column '{required}' (columns: {', '.join(names)})")
    if ("day" in index) == ("date" in index):
        raise ObservationsError(path, line, 1, "day", "give exactly one of the columns 'day' and 'date'")
    return index


def _day_of(path, line, column, text, index, start_date, days) -> int:
    if "date" in index:
        if not start_date:
            raise ObservationsError(path, line, column, "date",
                                    "dates need the scenario's start_date; set it or give a day column")
        try:
            date = datetime.date.fromisoformat(text.strip())
        except ValueError:
            raise ObservationsError(path, line, column, "date", f"expected a date YYYY-MM-DD, got {text!r}") from None
        day = (date - datetime.date.fromisoformat(start_date)).days
    else:
        value = _number(path, line, column, "day", text, "a day index")
        if value != int(value):
            raise ObservationsError(path, line, column, "day", f"expected a whole day index, got {text!r}")
        day = int(value)
    if not 0 <= day < days:
        shown = text.strip()
        raise ObservationsError(path, line, column, "date" if "date" in index else "day",
                                f"{shown} is outside the scenario's horizon (days 0..{days - 1}"
                                f"{', from ' + start_date if start_date else ''})")
    return day


def read(path: str | os.PathLike, days: int, start_date: str | None = None) -> Observations:
    """Reads an observations file against a scenario of `days` days (starting on start_date):
    header, columns, quantities and days are all checked; ObservationsError otherwise."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ObservationsError(path, 0, 0, "", f"cannot read the observations file: {e.strerror or e}") from None
    quantities, skip = _header_quantities(path, text)
    reader = csv.reader(io.StringIO("\n".join(text.splitlines()[skip:])))
    header = next(reader, None)
    if header is None:
        raise ObservationsError(path, skip + 1, 1, "quantity", "no column header after the '#' header")
    index = _columns(path, header, skip + 1)
    for row in reader:
        line = skip + reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        offsets = [1 + sum(len(c) + 1 for c in row[:i]) for i in range(len(row))]

        def cell(name, row=row, offsets=offsets, line=line):
            i = index[name]
            if i >= len(row):
                raise ObservationsError(path, line, 1 + len(",".join(row)), name, f"missing the '{name}' field")
            return row[i], offsets[i]

        name, col = cell("quantity")
        if name.strip() not in quantities:
            raise ObservationsError(path, line, col, "quantity",
                                    f"unknown quantity {name.strip()!r}; the header names: {', '.join(quantities)}")
        q = quantities[name.strip()]
        day_text, day_col = cell("date" if "date" in index else "day")
        day = _day_of(path, line, day_col, day_text, index, start_date, days)
        value_text, value_col = cell("value")
        value = _number(path, line, value_col, "value", value_text, "a number")
        sigma = math.nan
        if "uncertainty" in index and index["uncertainty"] < len(row) and row[index["uncertainty"]].strip():
            u_text, u_col = cell("uncertainty")
            sigma = _number(path, line, u_col, "uncertainty", u_text, "a standard deviation")
            if sigma <= 0:
                raise ObservationsError(path, line, u_col, "uncertainty", f"must be positive, got {u_text!r}")
        if q.kind == "scalar" and q.days:
            raise ObservationsError(path, line, col, "quantity",
                                    f"{q.name} is a scalar ({q.metric}): observe it once, not on several days")
        q.days.append(day)
        q.values.append(value)
        q.uncertainties.append(sigma)
        q.rows.append((line, day_col))
    empty = [q for q in quantities.values() if not q.values]
    if empty:
        raise ObservationsError(*empty[0].where, f"quantities.{empty[0].name}", "no observations of this quantity in the file")
    return Observations(path, quantities, text)


def check_against(observations: Observations, results) -> None:
    """Every quantity names a series (with axes and labels) or a scalar (with scope) that the
    results hold; ObservationsError at the header entry otherwise."""
    for q in observations.quantities.values():
        key = f"quantities.{q.name}"
        if q.kind == "series":
            if q.metric not in results.series_names:
                raise ObservationsError(*q.where, f"{key}.series",
                                        f"no series {q.metric!r} in the results; series: {', '.join(results.series_names)}")
            info = results.info(q.metric, "series")
            axes = dict(info.axes)
            for axis, labels in q.select.items():
                if axis not in axes:
                    raise ObservationsError(*q.select_where[axis], f"{key}.select.{axis}",
                                            f"{q.metric} has no axis {axis!r}; axes: {', '.join(axes) or 'none'}")
                for label in labels:
                    if label not in axes[axis]:
                        raise ObservationsError(*q.select_where[axis], f"{key}.select.{axis}",
                                                f"no {axis} {label!r}; {axis}: {', '.join(axes[axis])}")
        else:
            plain = [n for n in results.scalar_names if not n.endswith("]")]
            if q.metric not in plain:
                raise ObservationsError(*q.where, f"{key}.scalar",
                                        f"no scalar {q.metric!r} in the results; scalars: {', '.join(plain)}")


def predicted(q: Quantity, results) -> np.ndarray:
    """(replicate, observation) values of a quantity in the results, at its observed days."""
    if q.kind == "scalar":
        name = results._scoped_names(q.scope)[q.metric] if q.scope else q.metric
        return results.stack(name, "scalar")[:, None]
    values = results.stack(q.metric, "series")  # (replicate, day, axis...)
    info = results.info(q.metric, "series")
    for position, (axis, labels) in reversed(list(enumerate(info.axes))):
        keep = [labels.index(x) for x in q.select[axis]] if axis in q.select else list(range(len(labels)))
        values = values.take(keep, axis=2 + position).sum(axis=2 + position)
    return values[:, q.days]


def synthetic(scenario, values: dict, quantities: dict, days, path: str | os.PathLike, *, noise: float = 0.03,
              replicates: int = 4, seed: int = 1, noise_seed: int = 0) -> Observations:
    """Writes an observations file generated by the model at known parameter `values` (for
    checking that a calibration recovers them): each quantity ({name: {"series": ..., "select":
    ...} or {"scalar": ..., "scope": ...}}) at `days`, as the mean of `replicates` runs with
    `seed` (not the scenario's, so the calibration's common random numbers do not see these
    draws), with Gaussian noise of `noise` x the value's magnitude added and stated as the
    uncertainty, together with the runs' own spread."""
    import yaml

    from .running import run

    sc = scenario.updated(dict(values)).updated({"seed": seed})
    header = "\n".join("# " + line for line in yaml.safe_dump({"quantities": quantities}, sort_keys=False).splitlines())
    draft = header + "\nday,quantity,value\n" + "".join(f"{d},{n},0\n" for n, q in quantities.items()
                                                           for d in (days if "series" in q else days[:1]))
    with open(path, "w", encoding="utf-8") as f:
        f.write(draft)
    obs = read(path, sc.days, sc.get("start_date") or None)
    res = run(sc, replicates=replicates, progress=False, threads=1, scope=obs.scopes() or None)
    check_against(obs, res)
    rng = np.random.default_rng(noise_seed)
    rows = []
    for name, q in obs.quantities.items():
        p = predicted(q, res)
        mean, spread = p.mean(axis=0), p.std(axis=0, ddof=1) if len(p) > 1 else np.zeros(p.shape[1])
        scale = noise * np.maximum(np.abs(mean), np.abs(mean).max() * 0.05)
        sigma = np.sqrt(scale ** 2 + spread ** 2) + 1e-9 * np.abs(mean).max() + 1e-12
        observed = mean + rng.normal(0, 1, len(mean)) * sigma
        rows += [f"{d},{name},{v:.10g},{s:.6g}\n" for d, v, s in zip(q.days, observed, sigma)]
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + "\nday,quantity,value,uncertainty\n" + "".join(rows))
    return read(path, sc.days, sc.get("start_date") or None)

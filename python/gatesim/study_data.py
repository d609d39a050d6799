"""Views of a study's data, the dict the C++ core returns for a study that ran in memory or was
read from a file (the same either way; see docs/results-format.md for the paths): its plan, and
one run group's (or one sweep point's) runs and reductions, from which the package builds its
Results, Comparison, Sweep and Sensitivity objects.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from . import _core
from .results import Reductions, Results, ScalarInfo, SeriesInfo, scenario_from_text


def attributes(data: Mapping, obj: str = "") -> dict:
    return dict(data["attributes"].get(obj, {}))


def plan(data: Mapping) -> dict:
    """/plan: points, replicates, noise_replicates, parameter_draws, runs, completed_runs,
    keep_replicates, job_order, plan_digest, and the study's own (design, method, ...)."""
    return attributes(data, "plan")


def completed_replicates(data: Mapping, point: int) -> int:
    """Replicates of a plan point among the completed runs (a prefix 0..n-1), by job order."""
    p = plan(data)
    replicates, points = int(p["replicates"]), int(p["points"])
    done = int(p.get("completed_runs", replicates * points))
    if p.get("job_order") == "replicate_major":
        return min(replicates, done // points + (1 if point < done % points else 0))
    return max(0, min(replicates, done - point * replicates))


def children(data: Mapping, prefix: str) -> list[tuple[str, dict]]:
    """(name, table) of the tables directly under a path prefix ("bands/"), in stored order."""
    return [(path[len(prefix):], t) for path, t in data["tables"].items()
            if path.startswith(prefix) and "/" not in path[len(prefix):]]


def provenance(data: Mapping) -> dict:
    return dict(data["provenance"], schema_version=data["schema_version"], file_type=data["file_type"])


class StudyGroup:
    """One run group of a study (the root, or "scenarios/<name>" of a comparison), or one point
    of a sweep's root group: its runs' scalars and series, parameters and reductions."""

    def __init__(self, data: Mapping, group: str = "", point: int | None = None):
        self.data = data
        self.group = group
        self.prefix = f"{group}/" if group else ""
        self.point = point
        names = data["labels"].get("axes/scenario")
        self.plan_point = names.index(group.split("/", 1)[1]) if group and names else (point or 0)
        self.completed = completed_replicates(data, self.plan_point)
        self.provenance = provenance(data)
        self.seed = int(data["provenance"].get("seed", 0))
        self.start_date = attributes(data, group).get("start_date") or None

    def _labels(self, axis: str) -> tuple[str, ...]:
        labels = self.data["labels"].get(f"{self.prefix}axes/{axis}")
        if labels is None:
            raise KeyError(f"the study has no labels for axis {axis!r} in {self.group or 'its root'}")
        return tuple(labels)

    def _here(self, table: Mapping) -> tuple[np.ndarray, tuple[str, ...]]:
        """A table's values and axes at this group's point (dropping a leading point axis)."""
        values, axes = table["values"], tuple(table["axes"])
        if axes and axes[0] == "point":
            if self.point is None:
                raise ValueError("this study has points: choose one")
            return values[self.point], axes[1:]
        return values, axes

    def scalar_info(self) -> dict[str, ScalarInfo]:
        return {name: ScalarInfo(name, t["unit"], t["description"])
                for name, t in children(self.data, f"{self.prefix}runs/summary/")}

    def scalar_values(self) -> list[dict[str, float]]:
        columns = {name: self._here(t)[0] for name, t in children(self.data, f"{self.prefix}runs/summary/")}
        return [{name: float(v[r]) for name, v in columns.items()} for r in range(self.completed)]

    def _series_tables(self) -> tuple[list[tuple[str, dict]], bool]:
        kept = children(self.data, f"{self.prefix}runs/timeseries/")
        if kept:
            return kept, True
        return [(n, t) for n, t in children(self.data, f"{self.prefix}bands/") if n != "quantile"], False

    def series_info(self) -> dict[str, SeriesInfo]:
        out = {}
        tables, kept = self._series_tables()
        for name, t in tables:
            axes = self._here(t)[1]
            named = axes[axes.index("day") + 1:]
            description = t["description"]
            prefix = _core.band_description_prefix
            if not kept and description.startswith(prefix):
                description = description[len(prefix):]
            out[name] = SeriesInfo(name, t["unit"], description, tuple((a, self._labels(a)) for a in named))
        return out

    def series_values(self) -> list[dict[str, np.ndarray]]:
        tables, kept = self._series_tables()
        if not kept:
            return [{} for _ in range(self.completed)]
        stacks = {name: self._here(t)[0] for name, t in tables}
        return [{name: v[r] for name, v in stacks.items()} for r in range(self.completed)]

    def parameters(self) -> dict[str, np.ndarray]:
        table = self.data["tables"].get(f"{self.prefix}runs/parameters")
        if table is None:
            return {}
        values = self._here(table)[0][:self.completed]
        return {key: values[:, i] for i, key in enumerate(self._labels("parameter"))}

    def reductions(self) -> Reductions | None:
        quantile = self.data["tables"].get(f"{self.prefix}bands/quantile")
        if quantile is None:
            return None
        out = Reductions(probabilities=tuple(float(q) for q in quantile["values"]))
        for name, t in children(self.data, f"{self.prefix}bands/"):
            if name != "quantile":
                out.bands[name] = self._here(t)[0]
        for kind, target in (("summary", out.summaries), ("variance", out.variances)):
            labels = self._labels("statistic" if kind == "summary" else "variance_component")
            for name, t in children(self.data, f"{self.prefix}{kind}/"):
                target[name] = dict(zip(labels, (float(v) for v in self._here(t)[0])))
        return out

    def scenario(self):
        text = self.data["texts"].get(f"{self.prefix}scenario") or self.data["provenance"].get("scenario_yaml", "")
        file = attributes(self.data, self.group).get("scenario_file") or self.data["provenance"].get("scenario_file")
        scenario = scenario_from_text(text, f"{self.group or 'provenance'}/scenario", file)
        values = self.data["tables"].get("points/values")
        if scenario is not None and self.point is not None and values is not None:
            keys = self.data["labels"]["axes/sweep_parameter"]
            scenario = scenario.updated({k: float(v) for k, v in zip(keys, values["values"][self.point])})
        return scenario

    def days(self, scenario) -> int:
        for name, t in self._series_tables()[0]:
            values, axes = self._here(t)
            return int(values.shape[axes.index("day")])
        return int(scenario.days) if scenario is not None else 0


def ensemble(data: Mapping, group: str = "", point: int | None = None, *, label: str | None = None) -> Results:
    """The Results of a study's root group, a comparison's scenario group ("scenarios/<name>") or
    one point of a sweep (point=i). The root of an ensemble study keeps the data, to save()."""
    g = StudyGroup(data, group, point)
    scenario = g.scenario()
    n = g.completed
    return Results(g.series_info(), g.scalar_info(), g.series_values(), g.scalar_values(), days=g.days(scenario),
                   seeds=[g.seed] * n, replicate_ids=range(n), scenario=scenario,
                   label=label or (scenario.name if scenario is not None else None), provenance=g.provenance,
                   parameters=g.parameters(), reductions=g.reductions(), start_date=g.start_date,
                   study=data if data["file_type"] == "gatesim-ensemble" else None)

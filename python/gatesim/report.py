"""Briefings: `gatesim report FILE... -o DIR --audience investor|policy` and gs.report(...).

Writes DIR/briefing.html (one self-contained page: figures as inline SVG, no external request,
a Content-Security-Policy that forbids any) and DIR/briefing.pdf (WeasyPrint, from the same HTML)
from finished results: single-run, ensemble, comparison and sensitivity files, as gs.load opens
them. Nothing is simulated or re-estimated here: every printed number is a value of a file's
dataset, and is printed inside a tag naming it, e.g.

    <span class="num" data-file="cmp.h5" data-dataset="scenarios/global_shutdown/summary/peak_blocked"
          data-select="statistic=p50" data-value="41234567.0" data-unit="users">41.2M</span>

so that a test can check every number against the file (tests/python/test_report.py;
docs/report.md). The page is written into a temporary directory beside DIR and renamed into
place: DIR is never left half-written.
"""
from __future__ import annotations

import datetime
import hashlib
import html
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .errors import GatesimError, ResultsFileError

AUDIENCES = ("investor", "policy")


class ReportError(GatesimError, ValueError):
    """The inputs or options of a briefing are unusable (CLI: exit 2)."""


# --- numbers, each tied to the dataset it comes from -----------------------------------------
def human(value: float, unit: str, sign: bool = False) -> str:
    """A number as a briefing prints it: 41.2M, 1.23bn, $12.3bn, 12.5%; n/a for NaN."""
    from .plots import human_number

    return human_number(value, unit, sign)


def unit_words(unit: str) -> str:
    """What follows a number in a sentence: 'users', 'user-days'; money and shares say it in the number."""
    if unit == "fraction" or unit == "USD":
        return ""
    return unit.replace("USD ", "").replace("USD", "").strip()


@dataclass(frozen=True)
class Number:
    """One printed number: its value, and the file, dataset and coordinates it was read from."""

    value: float
    unit: str
    file: str
    dataset: str
    select: tuple[tuple[str, str], ...] = ()
    sign: bool = False

    @property
    def text(self) -> str:
        return human(self.value, self.unit, self.sign)

    def __html__(self) -> str:
        select = ";".join(f"{k}={v}" for k, v in self.select)
        return (f'<span class="num" data-file="{html.escape(self.file)}" data-dataset="{html.escape(self.dataset)}" '
                f'data-select="{html.escape(select)}" data-value="{self.value!r}" data-unit="{html.escape(self.unit)}">'
                f'{html.escape(self.text)}</span>')

    def __str__(self) -> str:
        return self.__html__()


def tagged(kind: str, file: str, where: str, text: str) -> str:
    """A provenance or assumption value: data-{kind} names where in the file it is."""
    return (f'<span class="{kind}" data-file="{html.escape(file)}" data-{kind}="{html.escape(where)}">'
            f'{html.escape(text)}</span>')


def interval_kind(lo: float, hi: float) -> str:
    """'90% of runs: P5-P95' for the outer quantiles of a band."""
    from .stats import quantile_label

    share = round(100 * (hi - lo))
    return f"{share}% of runs, {quantile_label(lo).upper()}-{quantile_label(hi).upper()}"


# --- the scenarios of the inputs ---------------------------------------------------------------
@dataclass
class Entry:
    """One scenario of the briefing: its Results and where in which file its numbers are."""

    label: str
    res: object
    file: str                # the input's file name, as data-file says it
    group: str               # "" (a run or an ensemble) or "scenarios/<name>" (a comparison)
    scenario_dataset: str    # where the file keeps its resolved scenario
    deltas: object = None    # the comparison's deltas table, for compared scenarios
    reference: str | None = None
    confidence: float | None = None

    @property
    def ensemble(self) -> bool:
        return self.res.is_ensemble

    def has(self, metric: str) -> bool:
        return metric in self.res.scalar_names

    def unit(self, metric: str) -> str:
        return self.res.info(metric, "scalar").unit

    def _summary(self, metric: str) -> str:
        return f"{self.group}/summary/{metric}" if self.group else f"summary/{metric}"

    def stat(self, metric: str, statistic: str = "p50") -> Number:
        """The median (or another statistic of the ensemble's distribution); a run's value."""
        if not self.ensemble:
            return Number(float(self.res.scalar(metric)), self.unit(metric), self.file, self._summary(metric))
        value = self.res.distribution(metric)[statistic]
        return Number(float(value), self.unit(metric), self.file, self._summary(metric), (("statistic", statistic),))

    def outer(self) -> tuple[float, float]:
        q = self.res.default_quantiles
        return min(q), max(q)

    def interval(self, metric: str) -> tuple[Number, Number, str] | None:
        if not self.ensemble:
            return None
        from .stats import quantile_label

        lo, hi = self.outer()
        return self.stat(metric, quantile_label(lo)), self.stat(metric, quantile_label(hi)), interval_kind(lo, hi)

    def delta(self, metric: str, statistic: str = "mean") -> Number | None:
        if self.deltas is None or (self.label, metric) not in self.deltas.index:
            return None
        row = self.deltas.loc[(self.label, metric)]
        return Number(float(row[statistic]), "runs" if statistic == "count" else str(row["unit"]), self.file, f"deltas/{metric}",
                      (("compared", self.label), ("delta_statistic", statistic)), sign=statistic != "count")

    def delta_kind(self, metric: str) -> str:
        """'95% bootstrap interval of the mean paired difference over 20 paired runs' (tagged)."""
        pairs = self.delta(metric, "count")
        level = tagged("plan", self.file, "confidence", f"{100 * self.confidence:.0f}%") + " " if self.confidence else ""
        return f"{level}bootstrap interval of the mean paired difference over {pairs.__html__()} paired runs"

    def scenario_value(self, key: str):
        sc = self.res.scenario
        if sc is None:
            return None
        try:
            return sc.get(key)
        except (KeyError, ValueError):
            return None


@dataclass
class Input:
    path: str
    name: str
    obj: object
    file_type: str
    provenance: dict
    entries: list = field(default_factory=list)


def _open(path: str) -> Input:
    import h5py

    from .files import load

    if not os.path.isfile(path):
        raise ReportError(f"{path}: no such file (give results written by gatesim run, compare or sensitivity)")
    try:
        obj = load(path)
    except ResultsFileError as e:
        raise ReportError(f"{path}: {e}") from None
    with h5py.File(path, "r") as f:
        file_type = str(f.attrs["file_type"])
        provenance = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f["provenance"].attrs.items()}
    if file_type == "gatesim-sweep":
        raise ReportError(f"{path}: a sweep has no scenarios to brief on; report its points' ensembles or a comparison")
    inp = Input(path, os.path.basename(path), obj, file_type, provenance)
    if file_type == "gatesim-comparison":
        deltas = obj.deltas(raw=True)
        confidence = obj.plan.get("confidence")
        for name in obj.names:
            inp.entries.append(Entry(name, obj.results(name), inp.name, f"scenarios/{name}", f"scenarios/{name}/scenario",
                                     deltas if name != obj.reference else None, obj.reference,
                                     float(confidence) if confidence is not None else None))
    elif file_type in ("gatesim-results", "gatesim-ensemble"):
        inp.entries.append(Entry(obj.label, obj, inp.name, "", "provenance/scenario"))
    return inp


def open_inputs(paths: Sequence) -> list[Input]:
    if not paths:
        raise ReportError("give at least one results file")
    inputs = [_open(os.fspath(getattr(p, "path", None) or p)) for p in paths]
    names = [i.name for i in inputs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ReportError(f"two inputs are named {', '.join(twice)}: the briefing names files by their name; rename one")
    labels = [e.label for i in inputs for e in i.entries]
    if not labels:
        raise ReportError("the inputs hold no scenario (a sensitivity analysis alone): add its scenario's results")
    if len(set(labels)) != len(labels):
        raise ReportError(f"scenario labels repeat across the inputs ({', '.join(labels)}): give each scenario once")
    return inputs


# --- content ------------------------------------------------------------------------------------
def restricted_provider(entry: Entry) -> str:
    models = entry.scenario_value("directive.models") or []
    for model in models:
        provider = entry.scenario_value(f"models.{model}.provider")
        if provider:
            return str(provider)
    return "the provider"


def _has_directive(entry: Entry) -> bool:
    return entry.has("affected_users") and entry.stat("affected_users").value > 0


def sentence(entry: Entry, metric: str, words: str) -> str:
    """'{median} words (90% of runs, P5-P95: lo-hi)' for an ensemble, '{value} words (one run)'."""
    value = entry.stat(metric)
    interval = entry.interval(metric)
    unit = unit_words(value.unit)
    head = f"{'median ' if interval else ''}{value.__html__()}{(' ' + unit) if unit else ''} {words}"
    if interval is None:
        return f"{head} (a single run: no interval)"
    lo, hi, kind = interval
    return f'{head} (<span class="literal">{kind}</span>: {lo.__html__()} to {hi.__html__()})'


INVESTOR_METRICS = ("peak_blocked", "churn_at_horizon", "revenue_loss_restricted", "competitor_revenue_gain",
                    "cloud_partner_revenue_change", "cumulative_value_lost")
POLICY_METRICS = ("peak_blocked_intended", "peak_blocked_collateral", "foreign_access_days_prevented",
                  "prevented_share", "leakage_share", "us_person_blocked_days", "cost_per_foreign_access_day_prevented")
METRIC_NAMES = {
    "peak_blocked": "users blocked at peak", "churn_at_horizon": "users on an alternative at the horizon",
    "revenue_loss_restricted": "provider's revenue loss", "competitor_revenue_gain": "rivals' revenue gain",
    "cloud_partner_revenue_change": "cloud partners' revenue change", "cumulative_value_lost": "value of work lost",
    "peak_blocked_intended": "intended: foreign nationals blocked at peak",
    "peak_blocked_collateral": "collateral: others blocked at peak",
    "foreign_access_days_prevented": "foreign access-days prevented", "prevented_share": "share of foreign access prevented",
    "leakage_share": "share of foreign access that leaks", "us_person_blocked_days": "US-person blocked-days",
    "cost_per_foreign_access_day_prevented": "cost per foreign access-day prevented",
}


def summary_sentences(entry: Entry, audience: str) -> list[str]:
    if not _has_directive(entry):
        return [f"<b>{html.escape(entry.label)}</b> has no directive in force: the world as it would be, the "
                "reference of the paired differences."]
    provider = html.escape(restricted_provider(entry))
    out = [f"<b>{html.escape(entry.label)}</b>: " + sentence(entry, "peak_blocked", "blocked at peak") + "; of them "
           + sentence(entry, "peak_blocked_collateral", "are collateral (US persons and others the order does not bar)") + "."]
    if audience == "investor":
        out.append(f"{provider} loses " + sentence(entry, "revenue_loss_restricted", "of net revenue over the horizon")
                   + "; its rivals gain " + sentence(entry, "competitor_revenue_gain", "") + "; its cloud partners' "
                   "revenue changes by " + sentence(entry, "cloud_partner_revenue_change", "") + ".")
        out.append(sentence(entry, "churn_at_horizon", "are still on an alternative at the horizon") + ".")
    else:
        out.append("It prevents " + sentence(entry, "foreign_access_days_prevented", "of foreign access to the controlled models")
                   + "; the share that leaks is " + sentence(entry, "leakage_share", "") + ".")
        out.append("Collateral: " + sentence(entry, "us_person_blocked_days", "of US persons blocked") + ".")
    headline = "revenue_loss_restricted" if audience == "investor" else "foreign_access_days_prevented"
    delta = entry.delta(headline)
    if delta is not None and np.isfinite(delta.value):
        lo, hi = entry.delta(headline, "mean_low"), entry.delta(headline, "mean_high")
        out.append(f"Against {html.escape(entry.reference)}, {METRIC_NAMES[headline]} changes by a mean "
                   f'{delta.__html__()} (<span class="literal">{entry.delta_kind(headline)}</span>: {lo.__html__()} to '
                   f"{hi.__html__()}).")
    return out


def table_rows(entries: list[Entry], metrics: Sequence[str]) -> list[dict]:
    rows = []
    for e in entries:
        cells = []
        for m in metrics:
            if not e.has(m):
                cells.append(None)
                continue
            interval = e.interval(m)
            delta = e.delta(m)
            cells.append({"level": e.stat(m), "lo": interval[0] if interval else None,
                          "hi": interval[1] if interval else None,
                          "delta": delta if delta is not None and np.isfinite(delta.value) else None,
                          "delta_lo": e.delta(m, "mean_low"), "delta_hi": e.delta(m, "mean_high")})
        rows.append({"label": e.label, "cells": cells})
    return rows


# --- assumptions and provenance --------------------------------------------------------------
#: The inputs that drive the answers most (docs/report.md says why these).
KEY_ASSUMPTIONS = (
    "population.users", "directive.day", "regulator.decision_after_days", "segments.consumer.patience_days",
    "segments.developer.patience_days", "segments.consumer.return_probability", "enterprises.integration_days",
    "enterprises.multi_homed_share", "verification.capacity_per_day", "verification.false_reject",
    "verification.abandon_at_check", "regions.us.us_person_share",
)


def _sources_file() -> Path | None:
    here = Path(__file__).resolve().parent
    for candidate in (here / "parameter-sources.yaml", here.parents[1] / "docs" / "parameter-sources.yaml"):
        if candidate.is_file():
            return candidate
    return None


def parameter_sources() -> dict[str, str]:
    import yaml

    path = _sources_file()
    if path is None:
        return {}
    with open(path, encoding="utf-8") as f:
        return {str(k): str(v) for k, v in (yaml.safe_load(f) or {}).items()}


def source_of(key: str, sources: Mapping[str, str]) -> str:
    """The entry of parameter-sources.yaml for a key path ('*' matches one id)."""
    parts = key.split(".")
    for pattern, text in sources.items():
        p = pattern.split(".")
        if len(p) == len(parts) and all(a == "*" or a == b for a, b in zip(p, parts)):
            return text
    return "not listed in docs/parameter-sources.yaml"


def scenario_comments(entry: Entry) -> dict[str, str]:
    """{leaf key: its comment} from the scenario's own files (the file and what it extends, up to
    but not including defaults.yaml, whose sources are parameter-sources.yaml's), most derived first."""
    import re

    import yaml

    source = getattr(entry.res.scenario, "source", None)
    comments: dict[str, str] = {}
    path = Path(source) if source else None
    while path is not None and path.is_file() and path.name != "defaults.yaml":
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"^\s*([A-Za-z_][\w]*):[^#\n]*#\s*(.+)$", text, re.M):
            comments.setdefault(m.group(1), f"{path.name}: {m.group(2).strip()}")
        extends = (yaml.safe_load(text) or {}).get("extends")
        path = (path.parent / extends) if isinstance(extends, str) else None
    return comments


def yaml_text(value) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip()


def assumptions(entries: list[Entry]) -> list[dict]:
    sources = parameter_sources()
    comments = [scenario_comments(e) for e in entries]
    rows = []
    for key in KEY_ASSUMPTIONS:
        values = []
        for e in entries:
            value = e.scenario_value(key)
            if value is not None:
                values.append((e, value))
        if not values:
            continue
        first = values[0][1]
        shown = values[:1] if all(v == first for _, v in values) else values
        cells = [{"label": e.label if len(shown) > 1 else "all scenarios",
                  "value": tagged("assumption", e.file, f"{e.scenario_dataset}#{key}", yaml_text(v))} for e, v in shown]
        own = dict.fromkeys(c[key.rsplit(".", 1)[-1]] for c in comments if key.rsplit(".", 1)[-1] in c)
        source = "; ".join(list(own) + [source_of(key, sources)]) if key.startswith(("directive.", "regulator.")) \
            else source_of(key, sources)
        rows.append({"key": key, "values": cells, "source": source})
    return rows


def scenario_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def provenance_rows(inputs: list[Input]) -> list[dict]:
    import h5py

    rows = []
    for inp in inputs:
        p = inp.provenance
        digests = []
        with h5py.File(inp.path, "r") as f:
            for e in inp.entries:
                text = f[e.scenario_dataset].asstr()[()]
                digests.append((e.label, tagged("sha256", inp.name, e.scenario_dataset, scenario_digest(text))))
            replicates = f["plan"].attrs.get("replicates") if "plan" in f else None
        attr = lambda k: tagged("provenance", inp.name, k, str(p.get(k, "")))  # noqa: E731
        rows.append({"file": inp.name, "type": inp.file_type.removeprefix("gatesim-"), "version": attr("gatesim_version"),
                     "commit": attr("git_commit"), "seed": attr("seed"), "start_time": attr("start_time"),
                     "replicates": tagged("plan", inp.name, "replicates", str(int(replicates))) if replicates is not None
                     else '<span class="literal">1 (a single run)</span>', "command": str(p.get("command_line", "")), "digests": digests})
    return rows


def reproduce_commands(inputs: list[Input], audience: str, output: str) -> list[str]:
    commands = [i.provenance.get("command_line", "") for i in inputs]
    commands = [c if not c.startswith("python:") else f"# {c}" for c in commands if c]
    commands.append(f"gatesim report {' '.join(i.path for i in inputs)} -o {os.fspath(output)} --audience {audience}")
    return commands


# --- writing ------------------------------------------------------------------------------------
def render_html(inputs: list[Input], audience: str, output: str, title: str | None = None, calibration=None) -> str:
    import jinja2

    from . import _core, briefing_figures, briefing_template

    entries = [e for i in inputs for e in i.entries]
    sensitivity = [i.obj for i in inputs if i.file_type == "gatesim-sensitivity"]
    metrics = INVESTOR_METRICS if audience == "investor" else POLICY_METRICS
    metrics = [m for m in metrics if any(e.has(m) for e in entries)]
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(briefing_template.TEMPLATE)
    figures = briefing_figures.figures(entries, audience, sensitivity)
    reference = next((e.reference for e in entries if e.reference), None)
    return template.render(
        title=title or f"{'Investor' if audience == 'investor' else 'Policy'} briefing: "
                       f"{', '.join(e.label for e in entries)}",
        audience=audience, css=briefing_template.CSS, csp=briefing_template.CSP,
        summary=[_markup(s) for e in entries for s in summary_sentences(e, audience)],
        metrics=[(m, METRIC_NAMES.get(m, m), entries[0].unit(m) if entries[0].has(m) else "") for m in metrics],
        rows=table_rows(entries, metrics), reference=reference,
        delta_kind=next((_markup(e.delta_kind(metrics[0])) for e in entries if e.delta(metrics[0]) is not None), None),
        level_kind=interval_kind(*entries[0].outer()) if entries[0].ensemble else None,
        figures=figures, calibration=_calibration_section(calibration), assumptions=[{**a, "values": [{**v, "value": _markup(v["value"])} for v in a["values"]],
                                       "source": a["source"]} for a in assumptions(entries)],
        provenance=[{k: (_markup(v) if isinstance(v, str) and v.startswith("<span") else v) for k, v in row.items()}
                    | {"digests": [(label, _markup(d)) for label, d in row["digests"]]} for row in provenance_rows(inputs)],
        commands=reproduce_commands(inputs, audience, output), version=_core.__version__,
        generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def _calibration_section(calibration):
    """The calibration section's content (calibration_report), from a Calibration or its file."""
    if calibration is None:
        return None
    from . import calibration_report
    from .calibration import Calibration

    return calibration_report.section(Calibration.load(calibration) if isinstance(calibration, (str, os.PathLike))
                                      else calibration)


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


def report(inputs, output: str | os.PathLike, audience: str = "policy", *, pdf: bool = True,
           title: str | None = None, calibration=None) -> dict[str, str]:
    """Writes output/briefing.html and output/briefing.pdf from results files (paths, or objects
    gs.load returned, which remember their file) and returns their paths. audience: "investor"
    or "policy". calibration: a calibration file or Calibration (gs.calibrate), for a section on
    what was fitted and how well it is pinned down. Raises ReportError for unusable inputs;
    output is replaced only when complete."""
    if audience not in AUDIENCES:
        raise ReportError(f"audience: say investor or policy, not {audience!r}")
    inputs = [inputs] if isinstance(inputs, (str, os.PathLike)) or hasattr(inputs, "path") else list(inputs)
    output = Path(os.fspath(output))
    if output.exists() and not output.is_dir():
        raise ReportError(f"{output}: exists and is not a folder (-o names the folder the briefing goes into)")
    if not output.parent.is_dir():
        raise ReportError(f"{output.parent}: no such folder")
    if not os.access(output.parent, os.W_OK | os.X_OK) or (output.is_dir() and not os.access(output, os.W_OK | os.X_OK)):
        raise ReportError(f"{output}: cannot write there (the briefing is made beside it, then moved in)")
    opened = open_inputs(inputs)
    page = render_html(opened, audience, str(output), title, calibration)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
    try:
        (staging / "briefing.html").write_text(page, encoding="utf-8")
        if pdf:
            import weasyprint

            weasyprint.HTML(string=page, base_url=str(staging)).write_pdf(str(staging / "briefing.pdf"))
        _publish(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = {"html": str(output / "briefing.html")}
    if pdf:
        written["pdf"] = str(output / "briefing.pdf")
    return written


def _publish(staging: Path, output: Path) -> None:
    """Moves the finished files into output (made if missing), each by an atomic rename."""
    output.mkdir(exist_ok=True)
    for item in sorted(staging.iterdir()):
        os.replace(item, output / item.name)
    staging.rmdir()

"""Reads a briefing's tagged values back (docs/report.md) and checks each against its HDF5 file:
what test_report.py asserts, in one place, so that a failure names the value that is wrong."""
from __future__ import annotations

import hashlib
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import h5py
import yaml

TAGS = ("num", "provenance", "sha256", "plan", "assumption")
SKIPPED = ("svg", "pre", "code", "style", "title", "script")
SUFFIX = {"": 1.0, "k": 1e3, "M": 1e6, "bn": 1e9, "tn": 1e12}


class Page(HTMLParser):
    """The tagged values (tag attributes and their text) and the visible text outside them."""

    def __init__(self):
        super().__init__()
        self.values: list[dict] = []
        self.free_text: list[str] = []
        self._stack: list[tuple[str, dict | None, bool]] = []  # (element, tagged value, literal)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        value = None
        kind = next((k for k in TAGS if k in classes), None) if "data-file" in attrs else None
        if kind:
            value = {"kind": kind, **attrs, "text": ""}
            self.values.append(value)
        literal = tag in SKIPPED or "literal" in classes
        if tag in ("br", "meta", "img", "input", "link"):
            return
        self._stack.append((tag, value, literal))

    def handle_endtag(self, tag):
        while self._stack:
            top = self._stack.pop()[0]
            if top == tag:
                break

    def handle_data(self, data):
        value = next((v for _, v, _ in reversed(self._stack) if v is not None), None)
        if value is not None:
            value["text"] += data
        elif not any(literal for _, _, literal in self._stack):
            self.free_text.append(data)


def parse(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    return page


def parse_number(text: str) -> float:
    """'41.2M' -> 41.2e6, '$1.23bn' -> 1.23e9, '-12.5%' -> -0.125, '+3' -> 3."""
    m = re.fullmatch(r"([+-]?)\$?([0-9.]+)(k|M|bn|tn)?(%?)", text.strip())
    if not m:
        raise ValueError(f"not a briefing number: {text!r}")
    sign, digits, suffix, percent = m.groups()
    value = float(digits) * SUFFIX[suffix or ""] / (100 if percent else 1)
    return -value if sign == "-" else value


def labels(f: h5py.File, dataset: str, dim: str) -> list[str]:
    """The labels of a dimension: the nearest axes/<dim> going up from the dataset's group."""
    parts = dataset.split("/")[:-1]
    while True:
        path = "/".join(parts + ["axes", dim])
        if path in f:
            return list(f[path].asstr()[:])
        if not parts:
            raise KeyError(f"no labels of {dim} for {dataset}")
        parts.pop()


def file_value(f: h5py.File, dataset: str, select: str) -> float:
    d = f[dataset]
    dims = [a for a in d.attrs.get("axes", "").split(",") if a]
    chosen = dict(term.split("=", 1) for term in select.split(";") if term)
    index = tuple(labels(f, dataset, dim).index(chosen[dim]) for dim in dims)
    assert set(chosen) == set(dims), f"{dataset}: select {select!r} does not name its axes {dims}"
    return float(d[index] if index else d[()])


def plain(value):
    """Numbers written as YAML 1.2 allows (5e+06) are strings to PyYAML's YAML 1.1: as floats."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def walk(node, key: str):
    for part in key.split("."):
        node = node[part]
    return node


def check_value(v: dict, files: dict[str, Path]) -> None:
    """Raises AssertionError when a tagged value differs from its file."""
    with h5py.File(files[v["data-file"]], "r") as f:
        if v["kind"] == "num":
            stored = file_value(f, v["data-dataset"], v["data-select"])
            tagged = float(v["data-value"])
            assert stored == tagged or (math.isnan(stored) and math.isnan(tagged)), \
                f"{v['data-dataset']} [{v['data-select']}]: file {stored!r}, briefing {tagged!r}"
            if math.isnan(stored):
                assert v["text"] == "n/a", v
                return
            shown = parse_number(v["text"])
            assert abs(shown - stored) <= 0.0051 * abs(stored) + 1e-12, \
                f"{v['data-dataset']} [{v['data-select']}]: prints {v['text']!r} for {stored!r}"
        elif v["kind"] == "provenance":
            stored = f["provenance"].attrs[v["data-provenance"]]
            assert str(stored.decode() if isinstance(stored, bytes) else stored) == v["text"], v
        elif v["kind"] == "plan":
            stored = float(f["plan"].attrs[v["data-plan"]])
            assert abs(parse_number(v["text"]) - stored) <= 0.0051 * abs(stored), v
        elif v["kind"] == "sha256":
            text = f[v["data-sha256"]].asstr()[()]
            assert hashlib.sha256(text.encode()).hexdigest().startswith(v["text"]) and len(v["text"]) == 12, v
        elif v["kind"] == "assumption":
            dataset, key = v["data-assumption"].split("#", 1)
            scenario = yaml.safe_load(f[dataset].asstr()[()])
            stored, shown = plain(walk(scenario, key)), plain(yaml.safe_load(v["text"]))
            assert stored == shown, f"{key}: file {stored!r}, briefing {v['text']!r}"

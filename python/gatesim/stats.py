"""Statistics and number formatting, from the C++ core (sim/study/statistics, sim/io/number_format).

The package computes no statistic of its own: quantiles across replicates, distributions of
summary scalars and their defaults are the ones the CLI and the study files use, so every number
agrees wherever it is read. Formatting is the CLI's too (12.3M users, 12.5%).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _core

#: Quantiles of bands and summaries when none are given: P5, P25, median, P75, P95 (the CLI's).
DEFAULT_QUANTILES: tuple[float, ...] = tuple(_core.default_quantiles)


def quantile_label(q: float) -> str:
    """0.05 -> 'p5', 0.5 -> 'p50', 0.025 -> 'p2.5'."""
    return _core.quantile_label(float(q))


def quantiles(stack, q: Sequence[float]) -> np.ndarray:
    """Quantiles over the first (replicate) axis, NaN replicates left out: (quantile, ...)."""
    return _core.quantiles(np.asarray(stack, dtype=float), [float(p) for p in q])


def quantile_of(values, q: float) -> float:
    """One quantile of a 1-D set of values (NaN left out); NaN when none are finite."""
    return float(quantiles(np.asarray(values, dtype=float).reshape(-1), [q])[0])


def distribution(values, q: Sequence[float] = DEFAULT_QUANTILES) -> dict[str, float]:
    """count, not_reached, mean, sd, min, one pN per quantile, max: as a study file's summary."""
    return _core.distribution([float(v) for v in np.asarray(values, dtype=float).reshape(-1)], [float(p) for p in q])


def compact(value: float, unit: str, sign: bool = False) -> str:
    """Three significant digits with k/M/B/T (12.3M), fractions as percentages, NaN 'n/a'."""
    return _core.compact(float(value), unit, sign)


def readable(value: float, unit: str) -> str:
    """12,345,678 users; 12.5%; 'not reached' for NaN."""
    return _core.readable(float(value), unit)

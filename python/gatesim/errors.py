"""Typed exceptions raised by gatesim, mirroring the C++ core's errors.

The extension raises these from its exception translator, so a scenario problem looks the same
in Python as on the command line: file, line, column, key path and message.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence


class Problem(NamedTuple):
    """One problem found in a scenario. line and column are 1-based, 0 when unknown."""

    file: str
    line: int
    column: int
    key_path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line > 0 else self.file
        key = f"{self.key_path}: " if self.key_path else ""
        return f"{where}: {key}{self.message}"


class GatesimError(Exception):
    """Base class of gatesim's own errors."""


class ScenarioError(GatesimError, ValueError):
    """A scenario failed to load or validate. .problems lists every problem found, in order;
    .key_path, .file, .line and .column describe the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = [p if isinstance(p, Problem) else Problem(*p) for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))

    def _first(self, field: str, empty):
        return getattr(self.problems[0], field) if self.problems else empty

    @property
    def key_path(self) -> str:
        return self._first("key_path", "")

    @property
    def file(self) -> str:
        return self._first("file", "")

    @property
    def line(self) -> int:
        return self._first("line", 0)

    @property
    def column(self) -> int:
        return self._first("column", 0)

    def __reduce__(self):  # picklable, e.g. across multiprocessing
        return (type(self), (list(self.problems),))


class ResultsFileError(GatesimError, OSError):
    """A results file is missing, not HDF5, not a gatesim file, or of another schema version."""


class SanityWarning(UserWarning):
    """A run's output contradicts the world's own scale (penalties above the provider's revenue,
    more users blocked than exist, ...): the same sentences as on stderr and in the file's
    /warnings."""


class ObservationsError(GatesimError, ValueError):
    """An observations file a calibration cannot use (docs/calibration.md): .file, .line and
    .column (1-based, 0 when unknown) locate the problem, .key names the column or header key."""

    def __init__(self, file: str, line: int, column: int, key: str, message: str):
        self.file, self.line, self.column, self.key, self.message = file, int(line), int(column), key, message
        super().__init__(str(Problem(file, self.line, self.column, key, message)))

    def __reduce__(self):
        return (type(self), (self.file, self.line, self.column, self.key, self.message))


class CalibrationError(GatesimError, ValueError):
    """A calibration that cannot run as asked: a parameter that is no numeric field, a range
    outside the field's, too few trials, or a calibration file gatesim cannot read."""

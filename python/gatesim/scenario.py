"""Scenarios from Python: load a file, a library scenario or a dict; read and set fields by key
path; save as YAML.

Loading, merging, overriding and validation are done by the C++ core exactly as for the CLI
(`sc["directive.day"] = 10` is `--set directive.day=10`), so errors and messages are the same;
they are raised as gatesim.ScenarioError.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import _core
from .errors import ScenarioError

_PACKAGE_SCENARIOS = Path(__file__).resolve().parent / "scenarios"
_NOTHING = object()


def library_dirs() -> list[Path]:
    """Where Scenario.library looks: $GATESIM_SCENARIOS (os.pathsep-separated), then the
    scenario library shipped with the package."""
    dirs = [Path(d) for d in os.environ.get("GATESIM_SCENARIOS", "").split(os.pathsep) if d]
    return dirs + [_PACKAGE_SCENARIOS]


def _assignments(overrides) -> list[str]:
    """Overrides as CLI assignments: a mapping {key.path: value} or strings 'key.path=value'."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{key}={_core.yaml_flow(value)}" for key, value in overrides.items()]
    return [str(o) for o in overrides]


class Scenario:
    """A validated scenario.

    sc = Scenario.load("scenarios/global_shutdown.yaml")   # or .library("global_shutdown")
    sc["directive.day"]                                     # -> 14
    sc["directive.day"] = 10                                # validated like --set
    sc.save("mine.yaml")
    """

    __slots__ = ("_impl", "source")

    def __init__(self, impl: "_core.Scenario", source: str | None = None):
        if not isinstance(impl, _core.Scenario):
            raise TypeError("use Scenario.load, Scenario.library, Scenario.from_dict or Scenario.from_yaml")
        self._impl = impl
        #: The file it was loaded from, or a description such as "<dict>".
        self.source = source

    # --- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike, overrides=None) -> "Scenario":
        """Loads a scenario file (following `extends:`), applies overrides ({key.path: value}
        or ['key.path=value', ...]) and validates. Raises ScenarioError."""
        path = os.fspath(path)
        # As bytes: a file name need not be UTF-8 (the core escapes such bytes in messages).
        return cls(_core.Scenario.load(os.fsencode(path), _assignments(overrides)), path)

    @classmethod
    def library(cls, name: str | None = None, overrides=None):
        """A scenario of the library by name (e.g. "global_shutdown"); without a name, the list
        of available names."""
        if name is None:
            names = set()
            for d in library_dirs():
                names.update(p.stem for p in d.glob("*.yaml") if p.stem != "defaults")
            return sorted(names)
        stem = name[:-5] if name.endswith(".yaml") else name
        for d in library_dirs():
            candidate = d / f"{stem}.yaml"
            if candidate.is_file():
                return cls.load(candidate, overrides)
        raise KeyError(f"no library scenario named {name!r}; available: {', '.join(cls.library())}")

    @classmethod
    def from_yaml(cls, text: str, base_dir: str | os.PathLike = ".", origin: str = "<yaml>",
                  overrides=None) -> "Scenario":
        """A scenario from YAML text; `extends:` is resolved relative to base_dir."""
        return cls(_core.Scenario.from_text(text, origin, os.fspath(base_dir), _assignments(overrides)), origin)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], base_dir: str | os.PathLike = ".",
                  origin: str = "<dict>") -> "Scenario":
        """A scenario from a dict shaped like a scenario file. An `extends` key names a file
        relative to base_dir (default: the current directory), e.g.
        Scenario.from_dict({"extends": "scenarios/baseline.yaml", "days": 90})."""
        if not isinstance(document, Mapping):
            raise TypeError(f"from_dict expects a mapping, got {type(document).__name__}")
        return cls(_core.Scenario.from_object(dict(document), origin, os.fspath(base_dir)), origin)

    # --- fields by key path -------------------------------------------------------------
    def __getitem__(self, key_path: str) -> Any:
        """The value at a key path of the resolved scenario, as plain Python (dicts, lists,
        numbers, strings). A restore that never happens reads as 'never'."""
        return self._impl.get(key_path)

    def __setitem__(self, key_path: str, value: Any) -> None:
        """Sets a field as `--set key.path=value` would, and re-validates; on error the
        scenario is unchanged. None removes an entity (models.x = None) or an optional value."""
        self._impl.set(key_path, value)

    def __contains__(self, key_path: str) -> bool:
        return self.get(key_path, _NOTHING) is not _NOTHING

    def get(self, key_path: str, default: Any = None) -> Any:
        try:
            return self._impl.get(key_path)
        except KeyError:
            return default

    def set(self, assignment: str) -> None:
        """Applies one CLI-style assignment, 'key.path=value' with the value written as YAML."""
        self._impl.apply(assignment)

    def update(self, values: Mapping[str, Any] | Iterable[str]) -> None:
        """Sets several fields at once; all or nothing. Changes that are only consistent
        together (shares that must keep summing to one) are validated together."""
        assignments = _assignments(values)
        trial = self._impl.copy()
        try:
            for assignment in assignments:
                trial.apply(assignment)
        except ScenarioError:
            if len(assignments) <= 1:
                raise
            trial = _core.Scenario.from_text(self._impl.to_yaml(), f"<{self.name}>", ".", assignments)
        self._impl = trial

    def updated(self, values: Mapping[str, Any] | Iterable[str]) -> "Scenario":
        """A copy with the given fields set (see update)."""
        other = self.copy()
        other.update(values)
        return other

    def where(self, key_path: str) -> tuple[str, int, int] | None:
        """(file, line, column) where a field was last set, or None if it was not set in a file."""
        return self._impl.location(key_path)

    # --- whole scenario -----------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.get("name", "") or "")

    @property
    def uncertain(self) -> dict:
        """Fields written as distributions where a number is expected ({key path: distribution}):
        single runs use their central values, ensembles draw them per parameter draw."""
        return self._impl.uncertain

    @property
    def days(self) -> int:
        return self._impl.days

    @property
    def seed(self) -> int:
        return self._impl.seed

    def with_parameters_from(self, path: str | os.PathLike) -> "Scenario":
        """A copy whose studies draw the parameters a calibration fitted (gatesim calibrate -o
        path, gs.calibrate(..., output=path)) from its sample: a whole row per parameter draw,
        chosen by the study's own parameter stream, so the fitted fields keep their dependence
        (like --parameters-from on the CLI). The copy's YAML shows each field's marginal (a
        choice among its sampled values); the joint draw lives in this object."""
        copy = self.copy()
        copy._impl.use_sample(os.fspath(path))
        return copy

    def copy(self) -> "Scenario":
        return Scenario(self._impl.copy(), self.source)

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def to_dict(self) -> dict:
        """The fully resolved scenario as nested dicts."""
        return self._impl.get("")

    def to_yaml(self) -> str:
        """The fully resolved scenario as YAML; loading it again gives the same scenario."""
        return self._impl.to_yaml()

    def save(self, path: str | os.PathLike) -> None:
        """Writes the fully resolved scenario (no `extends`) as a YAML file."""
        text = self.to_yaml()
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_yaml() == other.to_yaml()

    __hash__ = None  # mutable

    def __getstate__(self):
        return {"yaml": self.to_yaml(), "source": self.source}

    def __setstate__(self, state):
        self._impl = _core.Scenario.from_text(state["yaml"], state["source"] or "<pickle>", ".", [])
        self.source = state["source"]

    def __repr__(self) -> str:
        parts = [f"{self.days} days"]
        agents = self.get("population.agents")
        if agents is not None:
            parts.append(f"{agents} agents")
        parts.append(f"seed {self.seed}")
        return f"<gatesim.Scenario {self.name!r}: {', '.join(parts)}>"


def as_scenario(value: "Scenario | str | os.PathLike") -> Scenario:
    """A Scenario from a Scenario, a file path, or a library name."""
    if isinstance(value, Scenario):
        return value
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if os.path.exists(text) or text.endswith((".yaml", ".yml")) or os.sep in text:
            return Scenario.load(text)
        return Scenario.library(text)
    raise TypeError(f"expected a gatesim.Scenario, a scenario file or a library name, got {type(value).__name__}")

"""Shared fixtures of the Python tests: the source tree, the build (for the CLI and the install
tests) and small library scenarios. ctest runs these with PYTHONPATH=<build>/python,
GATESIM_BUILD_DIR=<build> and GATESIM_SOURCE_DIR=<source>; by hand, from the source tree:
    PYTHONPATH=build/python GATESIM_BUILD_DIR=build /usr/bin/python3 -m pytest tests/python
"""
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # before any pyplot import: tests draw off screen

import gatesim as gs  # noqa: E402

ROOT = Path(os.environ.get("GATESIM_SOURCE_DIR") or Path(__file__).resolve().parents[2])
# Small enough that a run takes milliseconds, large enough that every segment is present.
AGENTS = 3000
ENTERPRISES = 250  # enterprises scale with the users (the defaults: 20,000 for 500,000)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def build_dir() -> Path:
    path = os.environ.get("GATESIM_BUILD_DIR")
    if not path:
        pytest.skip("GATESIM_BUILD_DIR is not set (ctest sets it)")
    return Path(path).resolve()


@pytest.fixture(scope="session")
def cli(build_dir) -> Path:
    path = build_dir / "bin" / "gatesim"
    if not path.exists():
        pytest.skip(f"no CLI at {path}")
    return path


def small_scenario(name: str = "global_shutdown", overrides=None) -> gs.Scenario:
    """A library scenario at a test-sized population, with {key.path: value} overrides."""
    values = {"population.agents": AGENTS, "enterprises.agents": ENTERPRISES}
    values.update(overrides or {})
    return gs.Scenario.library(name, values)


@pytest.fixture(scope="session")
def small():
    return small_scenario


@pytest.fixture
def shutdown() -> gs.Scenario:
    return small_scenario("global_shutdown")


@pytest.fixture
def baseline() -> gs.Scenario:
    return small_scenario("baseline")


def distribution_field(sc: gs.Scenario) -> str:
    """The key path of the first field written as a distribution map ({dist: ...}), so tests
    do not depend on which fields the schema of the day makes uncertain."""
    def walk(node, path):
        if isinstance(node, dict):
            if "dist" in node:
                yield path
                return
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}" if path else key)

    found = next(walk(sc.to_dict(), ""), None)
    if found is None:
        pytest.skip("the scenario has no distribution-valued field")
    return found

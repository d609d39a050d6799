"""The default world falls within the public ranges of docs/calibration-of-defaults.md, measured
from the simulator (analysis/calibration_of_defaults.py) rather than from a closed form."""
import importlib.util

import pytest


@pytest.fixture(scope="module")
def calibration(root):
    spec = importlib.util.spec_from_file_location("calibration_of_defaults", root / "analysis" / "calibration_of_defaults.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_default_world_matches_the_public_record(calibration):
    measured = calibration.measure(agents=200_000)
    missed = [(what, value, lo, hi) for what, value, lo, hi, _, _, ok in calibration.checks(measured) if not ok]
    assert not missed, missed
    # The market adds up: every user is counted once, at one provider.
    users = sum(sum(v.values()) for v in measured["users"].values())
    assert users == pytest.approx(2.25e9, rel=1e-9)
    # A provider absent from a region has no users there.
    for provider in ("lab_a", "lab_b", "lab_c"):
        assert measured["users_by_region"][provider]["china"] == 0

"""Study sizes from Python: a count outside its limit (sim/study/limits.hpp) is a ValueError
naming it, raised before any run, exactly as the CLI refuses it with exit 2; a negative count
is a ValueError too, not a TypeError; and a study at a limit runs."""
import pytest

import gatesim as gs

PATIENCE = {"segments.consumer.patience_days": (3, 14)}


@pytest.mark.parametrize("keywords, message", [
    ({"bootstrap": -1}, "bootstrap must not be negative"),
    ({"bootstrap": 10**11}, "bootstrap resamples: 100,000,000,000 exceeds the limit of 100,000"),
    ({"bootstrap": 2**70}, "far beyond any limit"),
    ({"replicates": 100_001}, "replicates per point: 100,001 exceeds the limit of 100,000"),
    ({"replicates": -3}, "replicates must not be negative"),
    ({"noise_replicates": -1}, "noise_replicates must not be negative"),
    ({"confidence": 1.5}, "between 0.5 and 0.999"),
    ({"quantiles": [0.5, 1.5]}, "not a probability between 0 and 1"),
])
def test_a_comparison_beyond_its_limits_is_a_value_error(small, tmp_path, keywords, message):
    with pytest.raises(ValueError, match=message):
        gs.compare([small("baseline"), small("global_shutdown")], threads=2, progress=False,
                   output=tmp_path / "c.h5", **keywords)
    assert list(tmp_path.iterdir()) == []  # refused before any run


@pytest.mark.parametrize("keywords, message", [
    ({"points": 2**40, "design": "lhs"}, "points: 1,099,511,627,776 exceeds the limit of 100,000"),
    ({"points": 2**40}, "the grid has more than 100000 points"),
    ({"points": -1}, "points must not be negative"),
])
def test_a_sweep_beyond_its_limits_is_a_value_error(small, keywords, message):
    with pytest.raises(ValueError, match=message):
        gs.sweep(small("global_shutdown"), PATIENCE, progress=False, **keywords)


@pytest.mark.parametrize("keywords, message", [
    ({"samples": 100_000}, "has more than the limit of 100,000 rows; use at most 50,000"),
    ({"levels": -2}, "levels must not be negative"),
    ({"levels": 1002}, "Morris levels: 1,002 exceeds the limit of 1,000"),
    ({"bootstrap": 100_001}, "bootstrap resamples: 100,001 exceeds the limit"),
])
def test_a_sensitivity_analysis_beyond_its_limits_is_a_value_error(small, keywords, message):
    with pytest.raises(ValueError, match=message):
        gs.sensitivity(small("global_shutdown"), PATIENCE, progress=False, **keywords)


def test_runs_in_memory_are_limited_too(small):
    with pytest.raises(ValueError, match="replicates per point: 1,000,000 exceeds the limit of 100,000"):
        gs.run(small("global_shutdown"), replicates=10**6, progress=False)


def test_a_study_at_the_bootstrap_limit_runs(small):
    days = {"days": 20}
    cmp = gs.compare([small("baseline", days), small("global_shutdown", days)], replicates=2, threads=2,
                     bootstrap=100_000, progress=False)
    assert cmp.outcome.complete

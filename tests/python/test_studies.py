"""Comparisons, sweeps and sensitivity analyses run the C++ studies (as the CLI does) and come
back as tables; kept study files stay where asked. Small: the tables, not the science."""
import numpy as np
import pytest

import gatesim as gs


@pytest.fixture(scope="module")
def comparison():
    from conftest import small_scenario

    return gs.compare({"baseline": small_scenario("baseline"), "shutdown": small_scenario("global_shutdown")},
                      replicates=4, threads=2, bootstrap=50)


def test_compare_gives_paired_deltas(comparison):
    assert comparison.names == ["baseline", "shutdown"] and comparison.reference == "baseline"
    assert comparison.outcome.complete and comparison.outcome.completed_runs == 8
    assert comparison.path is None, "no output=: the study file was temporary"
    deltas = comparison.deltas()
    row = deltas.loc[("shutdown", "peak_blocked")]
    assert row["count"] == 4 and row["mean_low"] <= row["mean"] <= row["mean_high"]
    assert row["p5"] <= row["p50"] <= row["p95"] and row["p5"] > 0
    summary = comparison.summary(raw=True)
    assert summary.loc[("baseline", "peak_blocked"), "max"] == 0
    assert summary.loc[("shutdown", "churn_at_horizon"), "count"] == 4
    assert comparison.summary().loc[("shutdown", "churn_at_horizon"), "count"] == "4"


def test_compare_matches_runs_with_the_same_seed(comparison, small):
    """The study's runs are the runs gs.run makes: same seed, same replicates."""
    shutdown = gs.run(small("global_shutdown"), replicates=4, threads=2)
    assert comparison.summary(raw=True).loc[("shutdown", "peak_blocked"), "mean"] == pytest.approx(
        shutdown.scalar("peak_blocked").mean(), rel=1e-12)


def test_compare_baseline_choice_and_output(small, tmp_path):
    path = tmp_path / "cmp.h5"
    cmp = gs.compare([small("global_shutdown"), small("baseline")], baseline="baseline", replicates=2, threads=2,
                     output=path, bootstrap=20)
    assert cmp.reference == "baseline" and cmp.path == str(path) and path.is_file()
    with pytest.raises(ValueError, match="at least two"):
        gs.compare([small("baseline")])


def test_sweep_grid(small):
    sw = gs.sweep(small("global_shutdown"), {"segments.consumer.return_probability": [0.5, 0.8],
                                             "segments.consumer.patience_days": (3, 14)},
                  points=2, replicates=2, threads=2)
    assert list(sw.points.columns) == ["segments.consumer.return_probability", "segments.consumer.patience_days"]
    assert len(sw.points) == 4 and sorted(set(sw.points["segments.consumer.return_probability"])) == [0.5, 0.8]
    churn = sw.summary(raw=True).xs("churn_at_horizon", level="metric")
    assert len(churn) == 4 and (churn["count"] == 2).all()
    with pytest.raises(ValueError):
        gs.sweep(small("global_shutdown"), {"segments.consumer.patience_days": [7]}, design="nonsense")
    with pytest.raises(ValueError, match="no_such"):
        gs.sweep(small("global_shutdown"), {"segments.no_such.patience_days": [1, 2]})


def test_sensitivity_morris(small):
    sens = gs.sensitivity(small("global_shutdown"),
                          {"segments.consumer.return_probability": (0.4, 0.9),
                           "segments.consumer.patience_days": {"dist": "uniform", "low": 3, "high": 14}},
                          samples=4, threads=2, bootstrap=50)
    assert sens.outcome.complete and set(sens.parameters) == {"segments.consumer.return_probability",
                                                             "segments.consumer.patience_days"}
    ranking = sens.ranking("churn_at_horizon")
    assert len(ranking) == 2 and np.all(np.isfinite(ranking["mu_star"]))
    assert (ranking["mu_star"].diff().dropna() <= 0).all()
    # Higher return probability lowers churn: its mean elementary effect is negative.
    effect = sens.indices.set_index("parameter").loc["segments.consumer.return_probability", "mu"]
    assert effect < 0


def test_parameter_specs():
    from gatesim.studies import parameter_spec

    assert parameter_spec("a", [1, 2])["kind"] == "values"
    assert parameter_spec("a", (1, 2)) == {"key_path": "a", "kind": "range", "low": 1.0, "high": 2.0}
    assert parameter_spec("a", {"low": 1, "high": 2, "levels": 3})["levels"] == 3
    assert parameter_spec("a", {"dist": "uniform", "low": 1, "high": 2})["kind"] == "distribution"
    with pytest.raises(ValueError):
        parameter_spec("a", "text")


def test_unwritable_output_and_bad_plans_raise_typed_errors(small, tmp_path):
    """Output-path problems are found before any run and raised as ResultsFileError (an OSError);
    bad plans stay ValueError; a refused resume too."""
    with pytest.raises(gs.ResultsFileError, match="it is a directory"):
        gs.compare([small("baseline"), small("global_shutdown")], replicates=2, threads=2, output=tmp_path)
    with pytest.raises(gs.ResultsFileError, match="does not exist"):
        gs.sweep(small("global_shutdown"), {"segments.consumer.patience_days": [3, 7]}, replicates=1, threads=2,
                 output=tmp_path / "none" / "s.h5")
    with pytest.raises(ValueError, match="cannot resume"):
        gs.compare([small("baseline"), small("global_shutdown")], replicates=2, threads=2,
                   output=tmp_path / "absent.h5", resume=True)
    assert not (tmp_path / "absent.h5").exists()


def test_study_sizes_and_ranges_are_bounded_like_the_cli(small):
    sc = small("global_shutdown")
    with pytest.raises(ValueError, match="points"):
        gs.sweep(sc, {"segments.consumer.patience_days": (3, 14)}, points=2**40)
    with pytest.raises(ValueError, match="points"):
        gs.sweep(sc, {"segments.consumer.patience_days": (3, 14)}, points=0)
    with pytest.raises(ValueError, match="replicates"):
        gs.sweep(sc, {"segments.consumer.patience_days": (3, 14)}, replicates=2**41)
    with pytest.raises(ValueError, match="trajectories has more than the limit"):
        gs.sensitivity(sc, {"segments.consumer.patience_days": (3, 14)}, samples=2**31)
    with pytest.raises(ValueError, match="replicates"):
        gs.compare([sc, small("baseline")], replicates=0)
    with pytest.raises(ValueError, match="low <= high"):
        gs.sensitivity(sc, {"segments.consumer.patience_days": (14, 3)})
    with pytest.raises(ValueError, match="low <= high"):
        gs.sweep(sc, {"segments.consumer.patience_days": {"low": 14, "high": 3}})
    with pytest.raises(ValueError, match="finite"):
        gs.sweep(sc, {"segments.consumer.patience_days": [1, float("nan")]})

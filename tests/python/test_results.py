"""Results: zero-copy arrays, files written by the CLI, ensembles with bands, paired deltas,
tidy and labelled conversions."""
import gc
import subprocess

import numpy as np
import pytest

import gatesim as gs
from gatesim import _core

SERIES = ("blocked", "waiting", "switched", "returned", "users_by_model")
SCALARS = ("peak_blocked", "churn_at_horizon", "churn_share", "affected_users", "days_to_90pct_recovery")


def bitwise_equal(a: gs.Results, b: gs.Results) -> bool:
    if a.series_names != b.series_names or a.scalar_names != b.scalar_names:
        return False
    same_series = all(a.stack(n).tobytes() == b.stack(n).tobytes() for n in a.series_names)
    return same_series and all(a.stack(n).tobytes() == b.stack(n).tobytes() for n in a.scalar_names)


def test_single_run_has_the_metrics(shutdown):
    res = gs.run(shutdown, threads=1)
    assert res.replicates == 1 and res.days == shutdown.days
    assert set(SERIES) <= set(res.series_names) and set(SCALARS) <= set(res.scalar_names)
    assert res["blocked"].shape == (res.days,)
    assert res.dims("users_by_model") == ("day", "model")
    assert res["users_by_model"].shape == (res.days, len(res.info("users_by_model").labels("model")))
    assert res.info("blocked").unit == "users"
    assert res.scalar("peak_blocked") == res["blocked"].max() > 0
    assert isinstance(res.scalars["churn_share"], float)
    with pytest.raises(KeyError, match="no metric named 'nope'"):
        res["nope"]


def test_series_are_views_of_the_cpp_memory(shutdown):
    res = gs.run(shutdown)
    blocked = res["blocked"]
    again = res.series("blocked")
    assert np.shares_memory(blocked, again), "each access is a view of the same C++ vector"
    assert not blocked.flags.owndata and not blocked.flags.writeable
    assert isinstance(blocked.base, _core.Run)
    with pytest.raises(ValueError):
        blocked[0] = 1.0
    expected = blocked.copy()
    del res, again
    gc.collect()
    # The view keeps the C++ results alive.
    assert np.array_equal(blocked, expected)
    assert isinstance(blocked.base, _core.Run)


def test_cli_file_equals_python_run_bit_for_bit(small, root, cli, tmp_path):
    path = tmp_path / "cli.h5"
    subprocess.run([str(cli), "run", str(root / "scenarios" / "global_shutdown.yaml"), "--set",
                    f"population.agents={small()['population.agents']}", "--set",
                    f"enterprises.agents={small()['enterprises.agents']}", "--seed", "7", "--threads", "2", "-o",
                    str(path)], check=True, capture_output=True)
    loaded = gs.load(path)
    ran = gs.run(small("global_shutdown"), seed=7, threads=1)
    assert bitwise_equal(loaded, ran)
    assert loaded.seeds == (7,) and loaded.provenance["seed"] == 7
    assert loaded.provenance["schema_version"] == _core.results_schema_version
    assert loaded.scenario == ran.scenario
    assert not loaded["blocked"].flags.owndata


def test_save_and_load_round_trip(shutdown, tmp_path):
    res = gs.run(shutdown)
    path = tmp_path / "py.h5"
    res.save(path)
    again = gs.load(path)
    assert bitwise_equal(res, again)
    assert again.scenario == res.scenario
    again.save(tmp_path / "again.h5")
    assert bitwise_equal(gs.load(tmp_path / "again.h5"), res)


def test_results_file_errors(tmp_path):
    with pytest.raises(gs.ResultsFileError) as failure:
        gs.load(tmp_path / "absent.h5")
    assert isinstance(failure.value, OSError)
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    with pytest.raises(gs.ResultsFileError):
        gs.load(junk)


def test_ensemble_bands_and_determinism(shutdown):
    res = gs.run(shutdown, replicates=6, threads=2)
    assert res.replicates == 6 and res.replicate_ids == tuple(range(6))
    assert res["blocked"].shape == (6, res.days)
    assert res.dims("blocked") == ("replicate", "day")
    assert res.scalar("churn_at_horizon").shape == (6,)
    p5, p50, p95 = res.quantile("switched")
    assert np.all(p5 <= p50) and np.all(p50 <= p95)
    assert res.quantile("churn_share", 0.5) == pytest.approx(np.nanmedian(res.scalar("churn_share")))
    # Replicates do not depend on threads, and replicate r of an ensemble is the run of replicate r.
    assert bitwise_equal(res, gs.run(shutdown, replicates=6, threads=1))
    assert bitwise_equal(res.replicate(4), gs.run(shutdown, first_replicate=4))
    assert len(set(res.scalar("churn_at_horizon"))) > 1, "replicates draw different numbers"


def test_summary(shutdown):
    single = gs.run(shutdown).summary()
    assert list(single.columns) == ["unit", "value"]
    assert set(SCALARS) <= set(single.index)
    ensemble = gs.run(shutdown, replicates=5).summary()
    assert list(ensemble.columns) == ["unit", "mean", "p5", "p50", "p95", "n"]
    row = ensemble.loc["churn_at_horizon"]
    assert row.p5 <= row.p50 <= row.p95 and row.n == 5


def test_paired_delta(shutdown, baseline):
    a = gs.run(shutdown, replicates=4)
    b = gs.run(baseline, replicates=4)
    d = a.delta(b)
    assert d.baseline_label == b.label and d.label == f"{a.label} - {b.label}"
    assert np.array_equal(d.stack("blocked"), a.stack("blocked") - b.stack("blocked"))
    assert np.array_equal(d.scalar("peak_blocked"), a.scalar("peak_blocked") - b.scalar("peak_blocked"))
    assert np.all(a.delta(a).stack("switched") == 0)
    assert d.summary().loc["peak_blocked", "p50"] > 0
    with pytest.raises(ValueError, match="cannot pair"):
        a.delta(gs.run(baseline, replicates=4, seed=99))
    with pytest.raises(ValueError, match="cannot pair"):
        a.delta(gs.run(baseline, replicates=3))


def test_to_pandas_is_tidy(shutdown):
    res = gs.run(shutdown)
    df = res.to_pandas()
    axes = {a for name in res.series_names for a, _ in res.info(name).axes}
    assert list(df.columns[:2]) == ["day", "metric"] and df.columns[-1] == "value"
    assert set(df.columns[2:-1]) == axes and "model" in axes
    assert set(df.metric.unique()) == set(res.series_names)
    blocked = df[df.metric == "blocked"]
    assert np.array_equal(blocked.value.to_numpy(), res["blocked"]) and blocked[list(axes)].isna().all().all()
    by_model = df[df.metric == "users_by_model"]
    labels = res.info("users_by_model").labels("model")
    assert len(by_model) == res.days * len(labels)
    first_day = by_model[by_model.day == 0].set_index("model").value
    assert np.array_equal(first_day.loc[list(labels)].to_numpy(), res["users_by_model"][0])

    bands = gs.run(shutdown, replicates=3).to_pandas(metrics=["blocked"])
    assert list(bands.columns) == ["day", "metric", "quantile", "value"]
    assert sorted(bands["quantile"].unique()) == list(gs.DEFAULT_QUANTILES)
    wide = bands.pivot(index="day", columns="quantile", values="value")
    assert (wide[0.05] <= wide[0.5]).all() and (wide[0.5] <= wide[0.95]).all()
    per_replicate = gs.run(shutdown, replicates=3).to_pandas(metrics=["blocked"], replicates=True)
    assert list(per_replicate.columns) == ["day", "metric", "replicate", "value"] and len(per_replicate) == 3 * res.days


def test_to_xarray(shutdown):
    ds = gs.run(shutdown).to_xarray()
    assert ds["users_by_model"].dims == ("day", "model")
    assert list(ds["model"].values) == list(ds["users_by_model"]["model"].values)
    assert ds["blocked"].attrs["unit"] == "users"
    assert float(ds["peak_blocked"]) == float(ds["blocked"].max())
    ens = gs.run(shutdown, replicates=3).to_xarray()
    assert ens["blocked"].dims == ("replicate", "day") and ens["churn_share"].dims == ("replicate",)
    q = gs.run(shutdown, replicates=3).to_xarray(quantiles=[0.05, 0.5, 0.95])
    assert q["blocked"].dims == ("quantile", "day")
    assert (q["blocked"].sel(quantile=0.05) <= q["blocked"].sel(quantile=0.95)).all()


def test_from_arrays_and_iteration():
    res = gs.Results.from_arrays({"x": np.ones((2, 5))}, {"s": [1.0, 2.0]}, replicates=2, label="made")
    assert res.replicates == 2 and res.days == 5 and list(res.scalar("s")) == [1.0, 2.0]
    assert [r.scalar("s") for r in res] == [1.0, 2.0]


def test_scoped_summary(shutdown):
    res = gs.run(shutdown, scope={"region": ["us", "india"], "segment": "consumer"})
    assert res.scopes() == ["region=us,india;segment=consumer"]
    whole, scoped = res.summary(), res.summary(scope="segment=consumer;region=india,us")  # any order of keys and ids
    assert "peak_blocked[region=us,india;segment=consumer]" not in whole.index, "the plain summary is the whole population"
    assert list(scoped.index) == [n for n in whole.index if n not in ("directive_day", "first_stage_day", "decision_day", "escalation_day")]
    assert 0 < scoped.loc["peak_blocked", "value"] < whole.loc["peak_blocked", "value"]
    assert np.isnan(scoped.loc["peak_enterprises_disrupted", "value"]), "no enterprise has a consumer segment"
    with pytest.raises(KeyError, match="no scope"):
        res.summary(scope="region=europe")
    # Several scopes at once; a scoped scenario keeps its scopes in the file.
    two = gs.run(shutdown, scope=["region=us", {"region": "india"}])
    assert two.scopes() == ["region=us", "region=india"]


def test_sanity_warnings(small, tmp_path):
    fence = small("geo_fence")
    assert gs.run(fence).warnings == []
    absurd = fence.updated({"regulator.enforcement.minimum_charged_violations": 1e6,
                            "regulator.enforcement.statutory_max_per_violation": 1e9,
                            "regulator.enforcement.routes.permitted.case_probability": 1})
    with pytest.warns(gs.SanityWarning, match="expected_penalties"):
        res = gs.run(absurd)
    assert len(res.warnings) == 1
    res.save(tmp_path / "absurd.h5")
    assert gs.load(tmp_path / "absurd.h5").warnings == res.warnings

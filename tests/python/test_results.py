"""Results: zero-copy arrays, files written by the CLI, ensembles with the C++ study's bands and
distributions, paired deltas, tidy and labelled conversions."""
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
    assert gs.DEFAULT_QUANTILES == (0.05, 0.25, 0.5, 0.75, 0.95), "the CLI's default bands"
    p5, p25, p50, p75, p95 = res.quantile("switched")
    assert np.all(p5 <= p25) and np.all(p25 <= p50) and np.all(p50 <= p75) and np.all(p75 <= p95)
    # Replicates do not depend on threads, and replicate r of an ensemble is the run of replicate r.
    assert bitwise_equal(res, gs.run(shutdown, replicates=6, threads=1))
    assert bitwise_equal(res.replicate(4), gs.run(shutdown, first_replicate=4))
    assert len(set(res.scalar("churn_at_horizon"))) > 1, "replicates draw different numbers"
    with pytest.raises(ValueError, match="first_replicate"):
        gs.run(shutdown, replicates=3, first_replicate=2)


def test_ensemble_statistics_are_the_studys(shutdown):
    """The bands and distributions are those the C++ study wrote (exactly), and other quantiles
    come from the same C++ statistics; numpy serves only as an independent oracle here."""
    res = gs.run(shutdown, replicates=7, threads=2)
    stack = res.stack("blocked")
    assert np.array_equal(res.quantile("blocked"), res.reductions.bands["blocked"])
    assert np.allclose(res.quantile("blocked"), np.nanquantile(stack, gs.DEFAULT_QUANTILES, axis=0), rtol=1e-12)
    # A quantile the study did not write is computed by the C++ core, also matching type-7 quantiles.
    assert np.allclose(res.quantile("blocked", 0.1), np.nanquantile(stack, 0.1, axis=0), rtol=1e-12)
    churn = res.scalar("churn_share")
    assert res.quantile("churn_share", 0.5) == pytest.approx(np.nanmedian(churn), rel=1e-12)
    stored = res.reductions.summaries["churn_share"]
    assert res.distribution("churn_share") == {k: stored[k] for k in res.distribution("churn_share")}
    assert stored["count"] == 7 and stored["mean"] == pytest.approx(churn.mean(), rel=1e-12)
    assert res.distribution("churn_share", [0.1])["p10"] == pytest.approx(np.nanquantile(churn, 0.1), rel=1e-12)


def test_ensemble_numbers_equal_the_clis_file(small, root, cli, tmp_path):
    """One source of statistics: an in-memory ensemble's bands and distributions equal, bit for
    bit, those of the ensemble file the CLI writes for the same runs."""
    import h5py

    path = tmp_path / "ens.h5"
    subprocess.run([str(cli), "run", str(root / "scenarios" / "global_shutdown.yaml"), "--set",
                    f"population.agents={small()['population.agents']}", "--set",
                    f"enterprises.agents={small()['enterprises.agents']}", "--replicates", "5", "--threads", "2",
                    "-o", str(path)], check=True, capture_output=True)
    res = gs.run(small("global_shutdown"), replicates=5, threads=2)
    with h5py.File(path) as f:
        assert list(f["bands/quantile"][:]) == list(res.reductions.probabilities)
        assert np.array_equal(f["bands/users_by_model"][:], res.quantile("users_by_model"), equal_nan=True)
        labels = list(f["axes/statistic"].asstr()[:])
        for name in ("peak_blocked", "churn_at_horizon", "days_to_90pct_recovery"):
            from_file = dict(zip(labels, f[f"summary/{name}"][:]))
            mine = res.distribution(name)
            assert all(np.array_equal(from_file[k], mine[k], equal_nan=True) for k in mine), name


def test_summary(shutdown):
    single = gs.run(shutdown)
    raw = single.summary(raw=True)
    assert list(raw.columns) == ["unit", "value"]
    assert set(SCALARS) <= set(raw.index)
    assert raw.loc["peak_blocked", "value"] == single.scalar("peak_blocked")
    readable = single.summary()
    assert readable.loc["peak_blocked", "value"] == gs.stats.compact(single.scalar("peak_blocked"), "users")
    assert readable.loc["churn_share", "value"].endswith("%") and readable.loc["churn_share", "unit"] == "share"
    ensemble = gs.run(shutdown, replicates=5).summary(raw=True)
    assert list(ensemble.columns) == ["unit", "count", "not_reached", "mean", "sd", "min", "p5", "p25", "p50", "p75",
                                      "p95", "max"]
    row = ensemble.loc["churn_at_horizon"]
    assert row.p5 <= row.p50 <= row.p95 and row["count"] == 5
    assert gs.run(shutdown, replicates=5).summary([0.1, 0.9], raw=True).columns.tolist()[6:8] == ["p10", "p90"]


def test_paired_delta(shutdown, baseline):
    a = gs.run(shutdown, replicates=4)
    b = gs.run(baseline, replicates=4)
    d = a.delta(b)
    assert d.baseline_label == b.label and d.label == f"{a.label} - {b.label}"
    assert np.array_equal(d.stack("blocked"), a.stack("blocked") - b.stack("blocked"))
    assert np.array_equal(d.scalar("peak_blocked"), a.scalar("peak_blocked") - b.scalar("peak_blocked"))
    assert np.all(a.delta(a).stack("switched") == 0)
    assert d.summary(raw=True).loc["peak_blocked", "p50"] > 0
    with pytest.raises(ValueError, match="cannot pair"):
        a.delta(gs.run(baseline, replicates=4, seed=99))
    with pytest.raises(ValueError, match="cannot pair"):
        a.delta(gs.run(baseline, replicates=3))


def test_to_pandas_is_tidy(shutdown):
    res = gs.run(shutdown)
    df = res.to_pandas()
    axes = {a for name in res.series_names for a, _ in res.info(name).axes}
    assert list(df.columns[:3]) == ["metric", "unit", "day"] and df.columns[-1] == "value"
    assert set(df.columns[3:-1]) == axes and "model" in axes
    # No empty cells: a metric not broken down along an axis reads 'all' (values are NaN only
    # where the engine says "undefined", e.g. a capability gap on a day nobody is blocked).
    assert not df.drop(columns="value").isna().any().any()
    assert set(df.metric.unique()) == set(res.series_names)
    blocked = df[df.metric == "blocked"]
    assert np.array_equal(blocked.value.to_numpy(), res["blocked"]) and (blocked[list(axes)] == "all").all().all()
    assert (blocked.unit == "users").all()
    by_model = df[df.metric == "users_by_model"]
    labels = res.info("users_by_model").labels("model")
    assert len(by_model) == res.days * len(labels)
    first_day = by_model[by_model.day == 0].set_index("model").value
    assert np.array_equal(first_day.loc[list(labels)].to_numpy(), res["users_by_model"][0])
    # Label combinations that are zero on every day are left out, unless dense=True.
    cells = res["users_blocked"].reshape(res.days, -1)
    present = int(np.any(cells != 0, axis=0).sum())
    assert 0 < present < cells.shape[1]
    assert len(df[df.metric == "users_blocked"]) == res.days * present
    assert len(res.to_pandas("users_blocked", dense=True)) == cells.size
    assert list(res.to_pandas("users_by_model").columns) == ["metric", "unit", "day", "model", "value"]

    bands = gs.run(shutdown, replicates=3).to_pandas(metrics=["blocked"])
    assert list(bands.columns) == ["metric", "unit", "day", "quantile", "value"]
    assert sorted(bands["quantile"].unique()) == list(gs.DEFAULT_QUANTILES)
    wide = bands.pivot(index="day", columns="quantile", values="value")
    assert (wide[0.05] <= wide[0.5]).all() and (wide[0.5] <= wide[0.95]).all()
    per_replicate = gs.run(shutdown, replicates=3).to_pandas(metrics=["blocked"], replicates=True)
    assert list(per_replicate.columns) == ["metric", "unit", "day", "replicate", "value"]
    assert len(per_replicate) == 3 * res.days


def test_to_xarray(shutdown):
    ds = gs.run(shutdown).to_xarray()
    assert ds["users_by_model"].dims == ("day", "model")
    assert list(ds["model"].values) == list(ds["users_by_model"]["model"].values)
    assert ds["blocked"].attrs["units"] == "users" and ds["blocked"].attrs["description"]
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
    whole, scoped = res.summary(raw=True), res.summary(scope="segment=consumer;region=india,us", raw=True)  # any order
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

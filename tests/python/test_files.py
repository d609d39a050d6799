"""Every file gatesim writes opens everywhere: gs.load returns the object the Python call makes
(with the same numbers), save() writes it back so that it loads identically, xarray opens every
group with coordinates, units and descriptions, files of the previous schema are read, and the
exports (CSV, JSON, Excel) carry units and coordinates."""
import json
import subprocess
import warnings

import h5py
import numpy as np
import pytest

import gatesim as gs

AGENTS, DAYS, START = 1500, 40, "2026-06-15"
SETTINGS = [f"population.agents={AGENTS}", f"days={DAYS}", f"start_date={START}"]


def cli_file(cli, root, tmp, name, *args):
    path = tmp / name
    command = [str(cli), *args]
    for s in SETTINGS:
        command += ["--set", s]
    subprocess.run(command + ["--threads", "2", "-o", str(path)], check=True, capture_output=True, cwd=root)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory, root, build_dir):
    """One file of each kind, written by the CLI."""
    cli = build_dir / "bin" / "gatesim"
    tmp = tmp_path_factory.mktemp("files")
    study = tmp / "study.yaml"
    study.write_text(f"extends: {root / 'scenarios' / 'global_shutdown.yaml'}\n"
                     "sweep:\n  parameters:\n    segments.consumer.patience_days: [3, 9]\n"
                     "sensitivity:\n  method: morris\n  samples: 2\n  outputs: [churn_at_horizon]\n"
                     "  parameters:\n    segments.consumer.patience_days: {low: 2, high: 14}\n")
    return {
        "results": cli_file(cli, root, tmp, "run.h5", "run", "scenarios/global_shutdown.yaml"),
        "ensemble": cli_file(cli, root, tmp, "ens.h5", "run", "scenarios/global_shutdown.yaml", "--replicates", "3"),
        "kept": cli_file(cli, root, tmp, "kept.h5", "run", "scenarios/global_shutdown.yaml", "--replicates", "2",
                         "--keep-replicates"),
        "comparison": cli_file(cli, root, tmp, "cmp.h5", "compare", "scenarios/baseline.yaml",
                               "scenarios/global_shutdown.yaml", "--replicates", "3", "--bootstrap", "50"),
        "sweep": cli_file(cli, root, tmp, "sweep.h5", "sweep", str(study), "--replicates", "2"),
        "sensitivity": cli_file(cli, root, tmp, "sens.h5", "sensitivity", str(study), "--bootstrap", "50"),
    }


def scenario(name="global_shutdown"):
    return gs.Scenario.library(name, {s.split("=")[0]: s.split("=")[1] for s in SETTINGS})


def same_data(a: dict, b: dict) -> None:
    """Two studies' data are identical: every table (values bit for bit), label, text and attribute."""
    assert a["file_type"] == b["file_type"] and a["complete"] == b["complete"]
    assert list(a["tables"]) == list(b["tables"])
    for path, t in a["tables"].items():
        u = b["tables"][path]
        assert (t["axes"], t["unit"], t["description"]) == (u["axes"], u["unit"], u["description"]), path
        assert t["values"].shape == u["values"].shape and t["values"].tobytes() == u["values"].tobytes(), path
    assert a["labels"] == b["labels"] and a["texts"] == b["texts"] and a["attributes"] == b["attributes"]


def test_load_returns_the_objects_of_the_python_calls(files):
    assert isinstance(gs.load(files["results"]), gs.Results) and not gs.load(files["results"]).is_ensemble
    ensemble = gs.load(files["ensemble"])
    assert isinstance(ensemble, gs.Results) and ensemble.is_ensemble and ensemble.replicates == 3
    assert isinstance(gs.load(files["comparison"]), gs.Comparison)
    assert isinstance(gs.load(files["sweep"]), gs.Sweep)
    assert isinstance(gs.load(files["sensitivity"]), gs.Sensitivity)


def test_loaded_numbers_are_those_of_the_python_calls(files):
    run = gs.run(scenario(), threads=2)
    loaded = gs.load(files["results"])
    assert all(loaded[n].tobytes() == run[n].tobytes() for n in run.series_names)
    ensemble, mine = gs.load(files["ensemble"]), gs.run(scenario(), replicates=3, threads=2)
    assert np.array_equal(ensemble.quantile("blocked"), mine.quantile("blocked"))
    assert ensemble.summary(raw=True).equals(mine.summary(raw=True))
    assert not ensemble.has_replicate_series(), "the CLI keeps bands only, unless --keep-replicates"
    with pytest.raises(ValueError, match="keep_replicates"):
        ensemble.stack("blocked")
    kept = gs.load(files["kept"])
    assert kept["blocked"].shape == (2, DAYS)
    cmp, mine = gs.load(files["comparison"]), gs.compare([scenario("baseline"), scenario()], replicates=3,
                                                         threads=2, bootstrap=50)
    assert cmp.deltas().equals(mine.deltas()) and cmp.summary(raw=True).equals(mine.summary(raw=True))


def test_a_comparison_gives_each_scenarios_own_results(files):
    cmp = gs.load(files["comparison"])
    assert cmp.names == ["baseline", "global_shutdown"] and cmp.reference == "baseline"
    own = cmp["global_shutdown"]
    assert own.replicates == 3 and own.scenario.name == "global_shutdown"
    assert np.array_equal(own.scalar("peak_blocked"), gs.run(scenario(), replicates=3).scalar("peak_blocked"))
    assert own.quantile("blocked").shape == (5, DAYS)
    delta = cmp.delta("global_shutdown")
    assert np.allclose(delta.scalar("peak_blocked"), own.scalar("peak_blocked") - cmp["baseline"].scalar("peak_blocked"))
    assert delta.quantile("blocked").shape == (5, DAYS) and delta.baseline_label == "baseline"
    levels = cmp.table(["peak_blocked"], raw=True).loc[("global_shutdown", "peak_blocked")]
    assert levels["level"] == own.quantile("peak_blocked", 0.5) and levels["baseline"] == 0
    assert levels["delta"] == pytest.approx(delta.scalar("peak_blocked").mean())


@pytest.mark.parametrize("kind", ["results", "ensemble", "kept", "comparison", "sweep", "sensitivity"])
def test_save_writes_a_file_that_loads_identically(files, kind, tmp_path):
    first = gs.load(files[kind])
    first.save(tmp_path / "again.h5")
    again = gs.load(tmp_path / "again.h5")
    assert type(again) is type(first)
    if kind == "results":
        assert all(again[n].tobytes() == first[n].tobytes() for n in first.series_names)
        assert again.scalars == first.scalars or all(
            a == b or (a != a and b != b) for a, b in zip(again.scalars.values(), first.scalars.values()))
        assert again.start_date == first.start_date == START
        return
    same_data(first._study if kind in ("ensemble", "kept") else first._data,
              again._study if kind in ("ensemble", "kept") else again._data)
    assert again.provenance["command_line"] == first.provenance["command_line"], "who made it is kept"


@pytest.mark.parametrize("make", ["ensemble", "comparison", "sweep", "sensitivity"])
def test_studies_made_in_python_save_and_load_identically(make, tmp_path):
    if make == "ensemble":
        made = gs.run(scenario(), replicates=2, threads=2)
        data = made._study
    elif make == "comparison":
        made = gs.compare([scenario("baseline"), scenario()], replicates=2, threads=2, bootstrap=20)
        data = made._data
    elif make == "sweep":
        made = gs.sweep(scenario(), {"segments.consumer.patience_days": [3, 9]}, replicates=1, threads=2)
        data = made._data
    else:
        made = gs.sensitivity(scenario(), {"segments.consumer.patience_days": (2, 14)}, samples=2, threads=2,
                              bootstrap=20)
        data = made._data
    made.save(tmp_path / "made.h5")
    loaded = gs.load(tmp_path / "made.h5")
    same_data(data, loaded._study if make == "ensemble" else loaded._data)


def test_derived_results_say_what_to_save(files, tmp_path):
    with pytest.raises(ValueError, match="derived"):
        gs.load(files["comparison"])["baseline"].save(tmp_path / "x.h5")


def test_files_of_schema_1_are_read_and_saved_as_schema_2(root, tmp_path):
    old = gs.load(root / "tests" / "data" / "schema1" / "ensemble.h5")
    assert old.provenance["schema_version"] == 1 and old.replicates == 2
    assert old.info("blocked").unit == "users" and old.quantile("blocked").shape == (5, 16)
    old.save(tmp_path / "new.h5")
    with h5py.File(tmp_path / "new.h5") as f:
        assert f.attrs["schema_version"] == 2 and f["bands/blocked"].attrs["units"] == "users"
    same_data(old._study, gs.load(tmp_path / "new.h5")._study)
    single = gs.load(root / "tests" / "data" / "schema1" / "results.h5")
    assert single.provenance["schema_version"] == 1 and single.info("blocked").unit == "users"


def test_files_of_other_schemas_are_refused_clearly(files, tmp_path):
    path = tmp_path / "future.h5"
    path.write_bytes(files["ensemble"].read_bytes())
    with h5py.File(path, "r+") as f:
        f.attrs["schema_version"] = np.int32(7)
    with pytest.raises(gs.ResultsFileError, match="schema_version is 7.*versions 1 to 2.*newer gatesim"):
        gs.load(path)


def study_groups(path):
    groups = [""]
    with h5py.File(path) as f:
        f.visit(lambda name: groups.append(name) if isinstance(f[name], h5py.Group) else None)
    return groups


@pytest.mark.parametrize("kind", ["results", "ensemble", "kept", "comparison", "sweep", "sensitivity"])
def test_xarray_opens_every_group_with_coordinates_units_and_descriptions(files, kind):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    dated = 0
    for group in study_groups(files[kind]):
        with xr.open_dataset(files[kind], engine="h5netcdf", group=group or None) as ds:
            for name, var in ds.data_vars.items():
                assert all(d in ds.coords for d in var.dims), (group, name, var.dims)
                if var.dtype.kind == "f" and "axes" in var.attrs:
                    assert "units" in var.attrs and var.attrs["description"], (group, name)
            if "day" in ds.dims:
                assert ds["date"].dtype.kind == "M" and str(ds["date"].values[0])[:10] == START, group
                dated += 1
    assert dated > 0 or kind == "sensitivity"


def test_xarray_reads_the_same_numbers_and_labels(files):
    xr = pytest.importorskip("xarray")
    res = gs.load(files["results"])
    with xr.open_dataset(files["results"], engine="h5netcdf", group="timeseries") as ds:
        assert np.array_equal(ds["users_by_model"].values, res["users_by_model"])
        assert list(ds["model"].values) == list(res.info("users_by_model").labels("model"))
        assert ds["users_by_model"].attrs["units"] == "users"
    cmp = gs.load(files["comparison"])
    with xr.open_dataset(files["comparison"], engine="h5netcdf", group="deltas") as ds:
        row = ds["peak_blocked"].sel(compared="global_shutdown", delta_statistic="mean")
        assert float(row) == cmp.deltas().loc[("global_shutdown", "peak_blocked"), "mean"]
    with xr.open_dataset(files["comparison"], engine="h5netcdf", group="scenarios/global_shutdown/bands") as ds:
        assert np.array_equal(ds["blocked"].sel(quantile=0.5).values, cmp["global_shutdown"].quantile("blocked", 0.5))


def test_dates_in_pandas_xarray_and_plots(files):
    res = gs.load(files["ensemble"])
    assert res.start_date == START and str(res.dates[0]) == START
    df = res.to_pandas("blocked")
    assert str(df["date"].iloc[0].date()) == START and (df["date"] - df["date"].iloc[0]).dt.days.equals(df["day"])
    assert str(res.to_xarray()["date"].values[0])[:10] == START
    import matplotlib.dates as mdates

    fig = res.plot("blocked")
    left = mdates.num2date(fig.axes[0].get_xlim()[0]).date()
    assert str(left) == START, "the x axis is in calendar dates"


def test_exports_carry_units_and_coordinates(files, tmp_path):
    cmp = gs.load(files["comparison"])
    written = cmp.export(tmp_path / "cmp.csv")
    import pandas as pd

    series = pd.read_csv(written[0])
    assert {"scenario", "metric", "unit", "day", "date", "quantile", "value"} <= set(series.columns)
    assert set(series.scenario) == {"baseline", "global_shutdown"}
    assert any(p.endswith("cmp-deltas.csv") for p in written)
    document = json.loads((tmp_path / "c.json").read_text()) if cmp.export(tmp_path / "c.json") else None
    deltas = document["tables"]["deltas"]["data"]
    assert "global_shutdown" in deltas["scenario"] and "unit" in deltas


def test_an_excel_workbook_has_units_and_coordinates(files, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    res = gs.load(files["results"])
    path = res.export(tmp_path / "run.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert {"summary", "metrics", "about", "blocked", "users_by_model"} <= set(book.sheetnames)
    sheet = list(book["users_by_model"].iter_rows(values_only=True))
    assert sheet[0][0] == "users_by_model (users)" and sheet[1][0].startswith("Users using each model")
    header = next(row for row in sheet if len(row) > 1 and row[1] == "model")  # the axis, then its labels
    assert list(header[2:]) == list(res.info("users_by_model").labels("model"))
    first_day = next(row for row in sheet if len(row) > 2 and row[0] == 0)
    assert str(first_day[1])[:10] == START
    assert list(first_day[2:]) == pytest.approx(list(res["users_by_model"][0]), rel=1e-14)  # Excel keeps 15 digits
    units = {r[0]: r[2] for r in book["metrics"].iter_rows(values_only=True)}
    assert units["users_by_model"] == "users" and units["churn_share"] == "fraction"


def test_an_ensemble_written_by_gs_run_loads_as_itself(tmp_path):
    res = gs.run(scenario(), replicates=2, threads=2, output=tmp_path / "ens.h5")
    assert (tmp_path / "ens.h5").is_file() and res.has_replicate_series()
    same_data(res._study, gs.load(tmp_path / "ens.h5")._study)
    assert not res.variance().empty and "between_parameter_share" in res.variance().columns


def test_a_stopped_study_leaves_no_file_and_an_old_incomplete_one_loads_with_a_warning(root, build_dir, tmp_path):
    path = tmp_path / "part.h5"
    command = [str(build_dir / "bin" / "gatesim"), "run", "scenarios/global_shutdown.yaml", "--replicates", "4",
               "-o", str(path), *sum((["--set", s] for s in SETTINGS), [])]
    subprocess.run(command + ["--stop-after", "2"], check=True, capture_output=True, cwd=root)
    assert not path.exists() and (tmp_path / "part.h5.partial").exists()
    with pytest.raises(gs.ResultsFileError, match="part.h5"):
        gs.load(path)
    subprocess.run(command + ["--resume"], check=True, capture_output=True, cwd=root)
    assert gs.load(path).replicates == 4
    # Earlier versions left incomplete files at the path (complete = 0); they still open, with a warning.
    with h5py.File(path, "r+") as f:
        f.attrs["complete"] = np.uint8(0)
    with pytest.warns(UserWarning, match="incomplete \\(4 of 4 runs\\).*interrupted study of an earlier gatesim"):
        part = gs.load(path)
    assert not part._study["complete"]

"""Charts: each returns a matplotlib Figure with the expected marks (drawn with Agg)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import gatesim as gs
from gatesim import plots


@pytest.fixture(scope="module")
def pair():
    from conftest import small_scenario

    shutdown = gs.run(small_scenario("global_shutdown"), replicates=5, threads=2)
    baseline = gs.run(small_scenario("baseline"), replicates=5, threads=2)
    return shutdown, baseline


def save(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path)
    assert path.stat().st_size > 0
    plt.close(fig)


def test_timeseries_with_bands_and_markers(pair, tmp_path):
    shutdown, baseline = pair
    fig = plots.timeseries(shutdown, "blocked")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.collections, "a quantile band"
    labels = [line.get_label() for line in ax.get_lines()]
    assert "directive" in labels
    save(fig, tmp_path, "timeseries")
    fig = plots.timeseries({"shutdown": shutdown, "baseline": baseline}, "users_by_model",
                           select={"model": shutdown.info("users_by_model").labels("model")[0]})
    save(fig, tmp_path, "overlay")
    fig = gs.run(shutdown.scenario).plot("switched")
    assert isinstance(fig, Figure) and not fig.axes[0].collections
    save(fig, tmp_path, "single")
    with pytest.raises(ValueError, match="model axis"):
        plots.timeseries(shutdown, "users_by_model")


def test_substitution_area_and_flow(pair, tmp_path):
    shutdown, _ = pair
    fig = plots.substitution(shutdown, kind="area")
    assert isinstance(fig, Figure) and fig.axes[0].collections
    save(fig, tmp_path, "area")
    fig = plots.substitution(shutdown)  # a flow diagram when the engine reports model -> model flows
    assert isinstance(fig, Figure)
    save(fig, tmp_path, "auto")
    models = ["a", "b", "c"]
    flows = np.zeros((2, 10, 3, 3))
    flows[:, 2:5, 0, 1] = 5.0
    flows[:, 2:5, 0, 2] = 1.0
    made = gs.Results.from_arrays({"switch_flows": flows, "users_by_model": np.ones((2, 10, 3))}, replicates=2,
                                  axes={"switch_flows": [("from_model", models), ("to_model", models)],
                                        "users_by_model": [("model", models)]})
    fig = plots.substitution(made)
    assert isinstance(fig, Figure)
    widths = sorted(line.get_linewidth() for line in fig.axes[0].get_lines())
    assert len(widths) == 2 and widths[1] > widths[0], "line width follows the flow"
    save(fig, tmp_path, "flow")
    no_flows = gs.Results.from_arrays({"users_by_model": np.ones((10, 3))}, axes={"users_by_model": [("model", models)]})
    with pytest.raises(ValueError, match="no model -> model flow"):
        plots.substitution(no_flows, kind="flow")


def test_comparison_of_paired_deltas(pair, tmp_path):
    shutdown, baseline = pair
    fig = plots.comparison({"global_shutdown": shutdown.delta(baseline), "none": baseline.delta(baseline)},
                           ["churn_at_horizon", "peak_blocked"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert "baseline" in fig._suptitle.get_text()
    save(fig, tmp_path, "comparison")


def test_tornado(tmp_path):
    table = [{"parameter": "a", "low": 1.0, "high": 3.0}, {"parameter": "b", "low": 1.8, "high": 2.1},
             {"parameter": "c", "low": 0.2, "high": 2.5}]
    fig = plots.tornado(table, baseline=2.0, metric="churn_share", unit="fraction")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a", "c"], "widest swing on top"
    save(fig, tmp_path, "tornado")
    with pytest.raises(ValueError, match="missing"):
        plots.tornado([{"parameter": "a"}], baseline=0)


def test_study_charts(tmp_path):
    from conftest import small_scenario

    cmp = gs.compare([small_scenario("baseline"), small_scenario("global_shutdown")], replicates=3, threads=2,
                     bootstrap=20)
    fig = plots.comparison(cmp, ["peak_blocked", "churn_at_horizon"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    save(fig, tmp_path, "study_comparison")
    sens = gs.sensitivity(small_scenario("global_shutdown"), {"segments.consumer.return_probability": (0.4, 0.9),
                                                              "segments.consumer.patience_days": (3, 14)},
                          samples=3, threads=2, bootstrap=20)
    fig = plots.tornado(sens)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][-1] == sens.ranking().parameter.iloc[0]
    save(fig, tmp_path, "ranking")


def test_figures_follow_the_briefing_rules(pair):
    shutdown, baseline = pair
    model = shutdown.info("users_by_model").labels("model")[0]
    fig = plots.timeseries({"global_shutdown": shutdown, "baseline": baseline}, "users_by_model", select={"model": model})
    ax = fig.axes[0]
    assert f"model={model}" in ax.get_title() and "_" not in ax.get_ylabel().split("(")[0]
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1, "the legend sits right of the data"
    colours = {line.get_label(): line.get_color() for line in ax.get_lines() if line.get_label().endswith("median")}
    assert colours["global_shutdown: median"] == plots.scenario_colour("global_shutdown")
    assert tuple(fig.get_size_inches()) == plots.SLIDE
    plt.close(fig)
    assert plots.human_number(1.234e9, "users") == "1.23bn" and plots.human_number(-4.5e10, "USD") == "-$45bn"
    assert plots.human_number(41.2e6, "users", True) == "+41.2M" and plots.human_number(0.125, "fraction") == "12.5%"


def test_confidence_is_honoured(pair):
    shutdown, baseline = pair
    delta = shutdown.delta(baseline)
    for confidence, (lo, hi) in ((0.9, (0.05, 0.95)), (0.5, (0.25, 0.75))):
        fig = plots.comparison({"global_shutdown": delta}, "peak_blocked", confidence=confidence)
        bar = fig.axes[0].collections[0].get_segments()[0]
        assert np.allclose(sorted(bar[:, 0]), delta.quantile("peak_blocked", [lo, hi], kind="scalar"))
        assert f"{round(100 * (hi - lo))}% of runs" in fig._suptitle.get_text()
        plt.close(fig)
    fig = plots.timeseries(shutdown, "blocked", confidence=0.5)
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.max(), shutdown.quantile("blocked", 0.75).max())
    plt.close(fig)
    with pytest.raises(ValueError, match="confidence"):
        plots.timeseries(shutdown, "blocked", confidence=1.5)


def test_a_fan_of_runs_draws_each_run(pair):
    shutdown, _ = pair
    fig = plots.timeseries(shutdown, "blocked", fan=3, markers=False)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 4 and not fig.axes[0].collections  # three runs and the median, no band
    assert np.array_equal(lines[1].get_ydata(), shutdown.stack("blocked")[1])
    plt.close(fig)


def test_options_and_savefig_with_provenance(pair, tmp_path):
    from PIL import Image

    shutdown, _ = pair
    dpi = gs.options.dpi
    try:
        gs.options.dpi = 50
        fig = plots.timeseries(shutdown, "blocked")
        assert fig.dpi == 50
        path = gs.savefig(fig, tmp_path / "blocked.png", shutdown)
    finally:
        gs.options.dpi = dpi
    text = Image.open(path).text
    assert text["gatesim:gatesim_version"] == gs.__version__ and text["gatesim:label"] == shutdown.label
    assert '"git_commit"' in text["gatesim"]
    gs.savefig(fig, tmp_path / "blocked.svg", shutdown)
    assert gs.__version__ in (tmp_path / "blocked.svg").read_text()
    plt.close(fig)

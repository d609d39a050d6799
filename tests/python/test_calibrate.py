"""Calibration (gs.calibrate, gatesim calibrate; docs/calibration.md): synthetic recovery of known
parameter values, a region that narrows with more observations, a non-identifiable pair reported
as such, located errors in observations files, the calibration file and --parameters-from."""
import subprocess

import numpy as np
import pytest

import gatesim as gs
from conftest import ROOT
from gatesim import calibration_observations as observations

# Big enough that a few hundred agents are blocked (each agent stands for ~200k users), small
# enough that a trial of 4 replicates takes about half a second.
AGENTS = 10_000
PATIENCE = "segments.consumer.patience_days"
TRUTH = 7.0


def world(**overrides):
    return gs.Scenario.library("global_shutdown", {"population.agents": AGENTS, "enterprises.agents": 800,
                                                   "days": 60, **overrides})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Observations generated at a known patience (7 days), with other random numbers than the
    calibration's, and 3% noise."""
    path = tmp_path_factory.mktemp("calib") / "obs.csv"
    observations.synthetic(world(), {PATIENCE: TRUTH}, {"waiting": {"series": "waiting"},
                                                        "switched": {"series": "switched"}},
                           list(range(14, 60, 3)), path)
    return path


@pytest.fixture(scope="module")
def recovered(synthetic, tmp_path_factory):
    out = tmp_path_factory.mktemp("calib") / "calib.h5"
    return gs.calibrate(world(), synthetic, f"{PATIENCE}=1:30", trials=30, replicates=4, output=out, progress=False)


def test_the_known_value_lies_inside_the_reported_region(recovered):
    region = recovered.region().loc[PATIENCE]
    assert region["low"] <= TRUTH <= region["high"], region
    assert recovered.contains({PATIENCE: TRUTH})
    # ... and the region is an estimate, not the prior: well under half of the range 1..30.
    assert region["width_share"] < 0.4
    assert recovered.flags == []


def test_the_region_narrows_as_observations_are_added(recovered):
    widths = [recovered.with_observations(f).region().loc[PATIENCE, "width_share"] for f in (0.15, 0.4, 1.0)]
    assert widths[0] > widths[2], widths
    assert widths == sorted(widths, reverse=True), widths


def test_a_non_identifiable_pair_is_reported_as_such(synthetic, tmp_path):
    # One observation (waiting users on day 20) cannot tell a short patience from a steep growth
    # of impatience: the data pin down a combination only.
    one = tmp_path / "one.csv"
    day20 = [line for line in synthetic.read_text().splitlines() if line.startswith("20,waiting,")]
    one.write_text("# quantities:\n#   waiting: {series: waiting}\nday,quantity,value,uncertainty\n" + day20[0] + "\n")
    cal = gs.calibrate(world(), one, {PATIENCE: (1, 30), "segments.consumer.impatience_growth": (0, 0.5)},
                       trials=24, replicates=2, progress=False)
    assert cal.non_identifiable_pairs() == [(PATIENCE, "segments.consumer.impatience_growth")], cal.flags
    assert any("not separately identified" in f for f in cal.flags)
    assert cal.region()["width_share"].min() > 0.5  # neither is reported as a sharp estimate


def test_the_calibration_file_reads_back_and_draws_its_sample_jointly(recovered):
    again = gs.load(recovered.path)
    assert isinstance(again, gs.Calibration)
    assert again.best == recovered.best
    assert np.array_equal(again.sample, recovered.sample)
    assert again.region().equals(recovered.region())
    # A later ensemble draws the parameter from the sample: every run's value is one of its rows.
    sc = world().with_parameters_from(recovered.path)
    res = gs.run(sc, replicates=8, noise_replicates=1, threads=2, progress=False)
    drawn = res.parameters[PATIENCE]
    assert set(drawn) <= set(recovered.sample[:, 0]) and len(set(drawn)) > 1


def test_the_fit_and_pair_plots_draw_the_band_and_the_region(recovered):
    fit = recovered.fit("waiting")
    assert (fit["p5"] <= fit["p95"]).all()
    assert np.mean(np.abs(fit["best"] - fit["observed"]) <= 3 * fit["uncertainty"]) > 0.8
    fig = recovered.plot_fit()
    assert len(fig.axes) == 2 and fig.axes[0].collections  # the band
    pairs = recovered.plot_pairs()
    assert len(pairs.axes) == 1


def test_the_briefing_reports_the_calibration(cli, recovered, tmp_path):
    ens = tmp_path / "ens.h5"
    gs.run(world(), replicates=2, threads=2, progress=False, output=ens)
    run = subprocess.run([str(cli), "report", str(ens), "-o", str(tmp_path / "briefing"), "--no-pdf",
                          "--calibration", recovered.path], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "briefing" / "briefing.html").read_text()
    section = page[page.index("<h2>Calibration</h2>"):page.index("<h2>Assumptions")]
    region = recovered.region().loc[PATIENCE]
    assert f"<code>{PATIENCE}</code>" in section and "32 observations" in section
    assert gs.plots.human_number(region["best"], "") in section
    assert 'id="calibration-fit"' in section and 'id="calibration-pairs"' in section
    assert "Not pinned down" not in section  # this one is pinned down


@pytest.mark.parametrize("body, where, expected", [
    ("day,quantity,value\n10,churn,5\n", (5, 4), "unknown quantity 'churn'"),
    ("day,quantity,value\n75,waiting,5\n", (5, 1), "outside the scenario's horizon (days 0..59"),
    ("day,value\n10,5\n", (4, 1), "missing column 'quantity'"),
    ("day,quantity,value,uncertainty\n10,waiting,5,-1\n", (5, 14), "must be positive"),
    ("date,quantity,value\n2026-01-01,waiting,5\n", (5, 1), "start_date"),
])
def test_bad_observations_are_located(tmp_path, body, where, expected):
    path = tmp_path / "obs.csv"
    path.write_text("# quantities:\n#   waiting:\n#     series: waiting\n" + body)
    with pytest.raises(gs.ObservationsError) as e:
        observations.read(path, 60)
    assert (e.value.line, e.value.column) == where, str(e.value)
    assert expected in str(e.value) and str(path) in str(e.value)


def test_a_quantity_the_results_lack_is_located_in_the_header(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text("# quantities:\n#   users:\n#     series: users_by_model\n#     select: {model: nope}\n"
                    "day,quantity,value\n20,users,5\n")
    with pytest.raises(gs.ObservationsError) as e:
        gs.calibrate(world(**{"population.agents": 2000}), path, f"{PATIENCE}=1:30", trials=4, replicates=1)
    assert e.value.line == 4 and e.value.key == "quantities.users.select.model"
    assert "no model 'nope'" in str(e.value)


def test_parameters_outside_their_field_are_refused(synthetic):
    with pytest.raises(gs.CalibrationError, match="models.a_frontier.capability"):
        gs.calibrate(world(), synthetic, "models.a_frontier.capability=-1:2", trials=6)
    with pytest.raises(gs.CalibrationError, match="not key.path=low:high"):
        gs.calibrate(world(), synthetic, "segments.consumer.patience_days=3", trials=6)


def test_the_cli_fits_resumes_and_carries_the_sample_into_an_ensemble(cli, root, synthetic, tmp_path):
    out = tmp_path / "calib.h5"
    scenario = [str(root / "scenarios" / "global_shutdown.yaml"), "--set", f"population.agents={AGENTS}", "--set", "enterprises.agents=800",
                "--set", "days=60"]
    fit = [str(cli), "calibrate", *scenario[:1], str(synthetic), "--parameters", f"{PATIENCE}=1:30", "-o", str(out),
           "--trials", "8", "--replicates", "2", *scenario[1:]]
    first = subprocess.run(fit, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "segments.consumer.patience_days  best" in first.stdout
    # The journal keeps the trials: asking again without --resume is refused, with it nothing reruns.
    again = subprocess.run(fit, capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr
    more = subprocess.run([*fit[:fit.index("--trials") + 1], "10", *fit[fit.index("--trials") + 2:], "--resume"],
                          capture_output=True, text=True)
    assert more.returncode == 0, more.stderr
    assert len(gs.load(out).loss) == 10
    ens = tmp_path / "ens.h5"
    run = subprocess.run([str(cli), "run", *scenario, "--replicates", "4", "--noise-replicates",
                          "1", "--parameters-from", str(out), "-o", str(ens)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert set(gs.load(ens).parameters[PATIENCE]) <= set(gs.load(out).sample[:, 0])
    bad = subprocess.run([str(cli), "run", scenario[0], "--replicates", "2", "--parameters-from", str(synthetic),
                          "-o", str(tmp_path / "x.h5")], capture_output=True, text=True)
    assert bad.returncode == 2 and str(synthetic) in bad.stderr


def corpus():
    return sorted((ROOT / "tests" / "scenarios" / "broken_observations").glob("*.csv"))


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.stem)
def test_the_cli_locates_every_broken_observations_file(cli, root, path, tmp_path):
    # The first line says what to expect: "# expect: LINE TEXT".
    _, _, line, text = path.read_text().splitlines()[0].split(" ", 3)
    out = tmp_path / "calib.h5"
    run = subprocess.run([str(cli), "calibrate", str(root / "scenarios" / "global_shutdown.yaml"), str(path),
                          "--parameters", f"{PATIENCE}=1:30", "-o", str(out), "--trials", "4", "--replicates", "1",
                          "--set", "population.agents=2000", "--set", "start_date=2026-01-15"],
                         capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert f"{path}:{line}:" in run.stderr and text in run.stderr, run.stderr
    assert not out.exists() and not (tmp_path / "calib.h5.journal").exists()

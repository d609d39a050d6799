"""gs.report and `gatesim report`: every number the briefing prints is its file's (checked by
briefing_check against the HDF5 file), the content a reader needs is there, and bad input is
refused before anything is written."""
import os
import re
import subprocess

import h5py
import pytest

import gatesim as gs
from briefing_check import check_value, parse

from conftest import small_scenario

SCENARIOS = ("baseline", "global_shutdown", "nationality_gate", "phased_reopening")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A four-scenario comparison, an ensemble and a single run, small and fast."""
    d = tmp_path_factory.mktemp("briefing")
    gs.compare([small_scenario(n) for n in SCENARIOS], replicates=6, threads=2, output=d / "cmp.h5")
    gs.run(small_scenario("geo_fence"), replicates=5, threads=2, output=d / "ens.h5")
    gs.run(small_scenario("vetted_partners"), threads=2).save(d / "run.h5")
    return d


def briefing(files, names, audience, out):
    written = gs.report([files / n if isinstance(n, str) else n for n in names], out, audience=audience, pdf=False)
    return open(written["html"], encoding="utf-8").read()


@pytest.mark.parametrize("audience", ["policy", "investor"])
def test_every_number_is_its_files(files, tmp_path, audience):
    page = parse(briefing(files, ["cmp.h5", "ens.h5", "run.h5"], audience, tmp_path / "b"))
    paths = {n: files / n for n in ("cmp.h5", "ens.h5", "run.h5")}
    numbers = [v for v in page.values if v["kind"] == "num"]
    assert len(numbers) > 60
    for value in page.values:
        check_value(value, paths)
    # every kind of number and place is there: levels, intervals, paired deltas, provenance, hashes
    datasets = {v["data-dataset"] for v in numbers}
    assert any(d.startswith("deltas/") for d in datasets)
    assert any(d.startswith("scenarios/phased_reopening/summary/") for d in datasets)
    assert {"summary/peak_blocked"} <= datasets  # ensemble and single run
    assert {v["kind"] for v in page.values} >= {"provenance", "sha256", "plan", "assumption"}
    # and no number is printed untagged outside figures, code and literal text
    free = "".join(page.free_text)
    assert not re.search(r"\d", free), re.findall(r".{0,40}\d.{0,40}", free)[:5]


def test_a_wrong_number_is_caught(files, tmp_path):
    text = briefing(files, ["cmp.h5"], "policy", tmp_path / "b")
    value = next(v for v in parse(text).values if v["kind"] == "num" and v["data-value"] not in ("0.0", "nan"))
    with pytest.raises(AssertionError):
        check_value({**value, "data-value": repr(float(value["data-value"]) * 1.01)}, {"cmp.h5": files / "cmp.h5"})
    with pytest.raises(AssertionError):
        check_value({**value, "text": "999bn"}, {"cmp.h5": files / "cmp.h5"})


def test_summary_names_each_intervals_kind(files, tmp_path):
    text = briefing(files, ["cmp.h5", "run.h5"], "policy", tmp_path / "b")
    summary = text[text.index("Executive summary"):text.index("<h2>Scenarios")]
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    assert len(items) >= 3 * 3 + 1
    for item in items:
        if "class=\"num\"" in item and "median" in item:
            assert "% of runs, P5-P95" in item, item
    words = re.sub(r"<[^>]+>", "", summary)
    assert "95% bootstrap interval of the mean paired difference over 6 paired runs" in words
    assert "a single run: no interval" in words
    with h5py.File(files / "cmp.h5") as f:
        assert float(f["plan"].attrs["confidence"]) == 0.95


def test_content_for_each_audience(files, tmp_path):
    policy = briefing(files, ["cmp.h5"], "policy", tmp_path / "p")
    investor = briefing(files, ["cmp.h5"], "investor", tmp_path / "i")
    for text in (policy, investor):
        for figure in ("disruption", "substitution", "revenue", "timeline"):
            assert f'id="figure-{figure}"' in text
        assert text.count("<figcaption") == text.count('class="chart"')
        assert "Reproduce this" in text and f"gatesim report {files / 'cmp.h5'} -o {tmp_path}" in text
        assert "zapier-2025" in text  # a source of an assumption, from docs/parameter-sources.yaml
        assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")
    assert 'id="figure-policy"' in policy and 'id="figure-policy"' not in investor
    assert "foreign access-days prevented" in policy and "rivals gain" in investor


def test_bad_input_is_refused_and_nothing_written(files, tmp_path):
    out = tmp_path / "b"
    with pytest.raises(gs.ReportError, match="no such file"):
        gs.report([files / "missing.h5"], out)
    not_hdf5 = tmp_path / "notes.h5"
    not_hdf5.write_text("hello")
    with pytest.raises(gs.ReportError, match="notes.h5"):
        gs.report([not_hdf5], out)
    with pytest.raises(gs.ReportError, match="audience"):
        gs.report([files / "cmp.h5"], out, audience="press")
    with pytest.raises(gs.ReportError, match="not a folder"):
        gs.report([files / "cmp.h5"], not_hdf5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.h5"]


def test_an_existing_briefing_is_replaced_whole(files, tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    (out / "briefing.html").write_text("old")
    (out / "keep.txt").write_text("mine")
    gs.report([files / "run.h5"], out, audience="investor", pdf=False)
    assert "Investor briefing" in (out / "briefing.html").read_text()
    assert (out / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # no temporary folder left


def test_cli_report(cli, files, tmp_path):
    out = tmp_path / "b"
    done = subprocess.run([str(cli), "report", str(files / "cmp.h5"), "-o", str(out), "--audience", "investor",
                           "--no-pdf"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "briefing.html").is_file() and not (out / "briefing.pdf").exists()
    bad = subprocess.run([str(cli), "report", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "c")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "missing.h5: no such file" in bad.stderr
    assert not (tmp_path / "c").exists()
    wrong = subprocess.run([str(cli), "report", str(files / "cmp.h5"), "-o", str(out), "--audience", "press"],
                           capture_output=True, text=True)
    assert wrong.returncode == 2


def test_a_sensitivity_file_adds_its_ranking(files, tmp_path):
    sens = gs.sensitivity(small_scenario("global_shutdown"), {"segments.consumer.patience_days": (3, 14),
                                                              "segments.consumer.return_probability": (0.4, 0.9)},
                          outputs=["churn_at_horizon"], samples=2, threads=2, output=tmp_path / "sens.h5")
    text = briefing(files, ["cmp.h5", tmp_path / "sens.h5"], "investor", tmp_path / "b")
    assert 'id="figure-sensitivity-0"' in text and sens.method in text.lower()
    for value in parse(text).values:
        check_value(value, {"cmp.h5": files / "cmp.h5", "sens.h5": tmp_path / "sens.h5"})
    with pytest.raises(gs.ReportError, match="no scenario"):
        gs.report([tmp_path / "sens.h5"], tmp_path / "c")


def test_a_failure_while_writing_leaves_nothing(files, tmp_path, monkeypatch):
    weasyprint = pytest.importorskip("weasyprint")

    class Broken:
        def __init__(self, **_):
            raise OSError("no space left on device")

    out = tmp_path / "b"
    out.mkdir()
    (out / "briefing.html").write_text("the previous briefing")
    monkeypatch.setattr(weasyprint, "HTML", Broken)
    with pytest.raises(OSError, match="no space"):
        gs.report([files / "run.h5"], out)
    assert (out / "briefing.html").read_text() == "the previous briefing"  # kept, not half-replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"] and sorted(p.name for p in out.iterdir()) == ["briefing.html"]

// Unit tests for study files and studies end to end (sim/io/study_h5.cpp, sim/study/studies.cpp):
// bands in the file equal bands from the runs, interrupted studies resume to the same file bit
// for bit from their journal, an interrupted study never touches a complete file at its path,
// temporary files never linger, and resume refuses a different plan.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <filesystem>

#include "study/statistics.hpp"
#include "study/studies.hpp"
#include "io/study_h5.hpp"
#include "h5_files.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using namespace gatesim::test;

namespace {

StudyScenario small_loaded(std::vector<std::string> overrides = {}) {
    overrides.insert(overrides.begin(), {"population.agents=2000", "days=40"});
    return study_scenario(load_scenario(test::library_file("global_shutdown"), overrides));
}

Provenance provenance() { return make_provenance("scenario: yaml", "s.yaml", "gatesim test", 2, "2026-01-01T00:00:00Z"); }

// A study run into a study file at `path`, as the CLI runs it.
template <class Study, class Report>
Report into_file(Report (*run)(const Study&, RunStore&, const StudyControl&), const Study& study, const fs::path& path,
                 const StudyControl& control) {
    StudyFile file(path, provenance());
    return run(study, file, control);
}

struct Collect : RunSink {
    std::vector<RunRecord> runs;
    void accept(const RunRecord& run) override { runs.push_back(run); }
};

}  // namespace

TEST_CASE("an ensemble file holds per-day bands equal to quantiles of the runs") {
    test::TempDir dir;
    EnsembleStudy study{small_loaded(), 9, 0};
    StudyControl control;
    control.threads = 2;
    const auto report = into_file(run_ensemble_study, study, dir / "e.h5", control);
    CHECK(report.outcome.complete);
    CHECK(read_attr<std::uint8_t>(dir / "e.h5", "/", "complete", H5T_NATIVE_UINT8) == 1);
    CHECK(dir.entries() == std::vector<std::string>{"e.h5"});  // no temporary or scratch file left
    CHECK_FALSE(exists(dir / "e.h5", "/runs/timeseries"));

    // The same runs in memory.
    Collect sink;
    run_ensemble(report.plan, sink);
    REQUIRE(sink.runs.size() == 9);
    const auto bands = read_doubles(dir / "e.h5", "/bands/blocked");
    const std::size_t days = 40, q = default_quantiles.size();
    REQUIRE(bands.size() == q * days);
    for (std::size_t d = 0; d < days; ++d) {
        std::vector<double> column;
        for (const auto& r : sink.runs) column.push_back(r.results.series_named("blocked").values[d]);
        const auto expected = quantiles(column, default_quantiles);
        for (std::size_t i = 0; i < q; ++i) REQUIRE(bands[i * days + d] == expected[i]);
    }
    std::vector<double> churn;
    for (const auto& r : sink.runs) churn.push_back(r.results.scalar("churn_at_horizon"));
    const auto stats = read_doubles(dir / "e.h5", "/summary/churn_at_horizon");
    CHECK(stats == statistics_vector(distribution_of(churn, default_quantiles)));
    CHECK(read_doubles(dir / "e.h5", "/runs/summary/churn_at_horizon") == churn);
}

TEST_CASE("--keep-replicates keeps every run's series") {
    test::TempDir dir;
    StudyControl control;
    control.keep_replicates = true;
    control.quantiles = {0.1, 0.5, 0.9};
    const auto report = into_file(run_ensemble_study, {small_loaded(), 3, 0}, dir / "k.h5", control);
    Collect sink;
    run_ensemble(report.plan, sink);
    const auto kept = read_doubles(dir / "k.h5", "/runs/timeseries/users_by_model");
    std::vector<double> expected;
    for (const auto& r : sink.runs) {
        const auto& v = r.results.series_named("users_by_model").values;
        expected.insert(expected.end(), v.begin(), v.end());
    }
    CHECK(kept == expected);
    CHECK(read_doubles(dir / "k.h5", "/bands/quantile") == std::vector<double>{0.1, 0.5, 0.9});
}

TEST_CASE("an interrupted ensemble resumes to the same file as an uninterrupted one") {
    test::TempDir dir;
    const UncertainParameter patience{"segments.consumer.patience_days", {.kind = DistributionKind::uniform, .low = 3, .high = 12}};
    EnsembleStudy study{small_loaded(), 8, 2};
    study.scenario.uncertain.push_back(patience);
    StudyControl control;
    control.threads = 2;
    into_file(run_ensemble_study, study, dir / "whole.h5", control);

    SECTION("stopped by a run limit") {
        control.max_runs = 3;
        const auto first = into_file(run_ensemble_study, study, dir / "part.h5", control);
        CHECK_FALSE(first.outcome.complete);
        CHECK(first.outcome.completed_runs == 3);
    }
    SECTION("stopped by the cancel flag (as Ctrl-C sets it)") {
        std::atomic<bool> cancel{false};
        control.cancel = &cancel;
        control.progress = [&](std::uint64_t done, std::uint64_t) {
            if (done == 2) cancel = true;
        };
        const auto first = into_file(run_ensemble_study, study, dir / "part.h5", control);
        CHECK(first.outcome.cancelled);
        CHECK(first.outcome.completed_runs >= 2);
        CHECK(first.outcome.completed_runs < 8);
        control.cancel = nullptr;
        control.progress = nullptr;
    }
    const fs::path part = dir / "part.h5";
    // The output path only ever holds a complete file: the finished runs wait in the journal.
    CHECK(dir.entries() == std::vector<std::string>{"part.h5.partial", "whole.h5"});

    control.max_runs = UINT64_MAX;
    control.resume = true;
    const auto resumed = into_file(run_ensemble_study, study, part, control);
    CHECK(resumed.outcome.complete);
    CHECK(resumed.outcome.resumed_runs > 0);
    CHECK(read_attr<std::uint8_t>(part, "/", "complete", H5T_NATIVE_UINT8) == 1);
    CHECK(dir.entries() == std::vector<std::string>{"part.h5", "whole.h5"});  // the journal is gone
    const auto a = contents(dir / "whole.h5"), b = contents(part);
    REQUIRE(a.size() == b.size());
    for (const auto& [path, values] : a) {
        INFO(path);
        REQUIRE(b.count(path));
        CHECK(values == b.at(path));
    }
    CHECK_FALSE(exists(part, "/runs/timeseries"));
}

TEST_CASE("resume refuses a missing file, a complete file and a different plan") {
    test::TempDir dir;
    StudyControl control;
    control.resume = true;
    CHECK_THROWS_AS(into_file(run_ensemble_study, {small_loaded(), 4, 0}, dir / "none.h5", control), PlanError);
    control.resume = false;
    control.max_runs = 2;
    into_file(run_ensemble_study, {small_loaded(), 4, 0}, dir / "part.h5", control);
    control.resume = true;
    control.max_runs = UINT64_MAX;
    CHECK_THROWS_WITH(into_file(run_ensemble_study, {small_loaded(), 5, 0}, dir / "part.h5", control),
                      Catch::Contains("different plan"));
    CHECK_THROWS_WITH(into_file(run_ensemble_study, {small_loaded({"seed=3"}), 4, 0}, dir / "part.h5", control),
                      Catch::Contains("different plan"));
    into_file(run_ensemble_study, {small_loaded(), 4, 0}, dir / "part.h5", control);
    CHECK_THROWS_WITH(into_file(run_ensemble_study, {small_loaded(), 4, 0}, dir / "part.h5", control),
                      Catch::Contains("complete"));
}

TEST_CASE("a sweep stores its points table and per-point reductions, and resumes exactly") {
    test::TempDir dir;
    SweepStudy study;
    study.scenario = small_loaded();
    study.parameters.push_back({.key_path = "segments.consumer.patience_days", .kind = SweepParameter::Kind::values,
                                .values = {3, 7, 14}});
    study.parameters.push_back({.key_path = "segments.developer.return_probability", .kind = SweepParameter::Kind::range,
                                .low = 0.2, .high = 0.8});
    study.design = SweepDesign::grid;
    study.points = 2;
    study.replicates = 2;
    StudyControl control;
    control.threads = 2;
    const auto whole = into_file(run_sweep_study, study, dir / "whole.h5", control);
    REQUIRE(whole.design.values.rows == 6);
    CHECK(read_doubles(dir / "whole.h5", "/points/values") == whole.design.values.data);
    CHECK(read_doubles(dir / "whole.h5", "/runs/summary/peak_blocked").size() == 12);
    CHECK(read_doubles(dir / "whole.h5", "/bands/blocked").size() == 6 * default_quantiles.size() * 40);
    // Point 2 has consumer patience 7 and developer return probability 0.2.
    const auto params = read_doubles(dir / "whole.h5", "/runs/parameters");
    CHECK(params[(2 * 2 + 1) * 2 + 0] == 7);
    CHECK(params[(2 * 2 + 1) * 2 + 1] == 0.2);

    control.max_runs = 5;
    CHECK_FALSE(into_file(run_sweep_study, study, dir / "part.h5", control).outcome.complete);
    control.max_runs = UINT64_MAX;
    control.resume = true;
    CHECK(into_file(run_sweep_study, study, dir / "part.h5", control).outcome.complete);
    CHECK(contents(dir / "whole.h5") == contents(dir / "part.h5"));
}

TEST_CASE("a comparison stores paired deltas per replicate and their statistics") {
    test::TempDir dir;
    ComparisonStudy study;
    study.scenarios = {small_loaded(), small_loaded({"name=patient", "segments.consumer.patience_days=12"})};
    study.files = {"a.yaml", "b.yaml"};
    study.replicates = 6;
    StudyControl control;
    control.threads = 2;
    const auto report = into_file(run_comparison_study, study, dir / "c.h5", control);
    REQUIRE(report.names == std::vector<std::string>{"global_shutdown", "patient"});
    const auto a = read_doubles(dir / "c.h5", "/scenarios/global_shutdown/runs/summary/churn_at_horizon");
    const auto b = read_doubles(dir / "c.h5", "/scenarios/patient/runs/summary/churn_at_horizon");
    const auto deltas = read_doubles(dir / "c.h5", "/deltas/runs/churn_at_horizon");
    REQUIRE(deltas.size() == 6);
    for (std::size_t r = 0; r < 6; ++r) CHECK(deltas[r] == b[r] - a[r]);
    for (const auto& d : report.deltas)
        if (d.scalar == "churn_at_horizon") CHECK(d.versus_reference.front().count == 6);
    CHECK(exists(dir / "c.h5", "/deltas/bands/blocked"));
    CHECK(exists(dir / "c.h5", "/scenarios/patient/bands/blocked"));

    study.scenarios[1].scenario.name = "global_shutdown";
    CHECK_THROWS_AS(into_file(run_comparison_study, study, dir / "d.h5", control), PlanError);
}

TEST_CASE("a sensitivity study writes indices and rejects an unknown output before running it all") {
    test::TempDir dir;
    SensitivityStudy study;
    study.scenario = small_loaded();
    study.method = SensitivityMethod::morris;
    study.parameters.push_back({.key_path = "segments.consumer.patience_days", .kind = SweepParameter::Kind::range,
                                .low = 2, .high = 20});
    study.parameters.push_back({.key_path = "segments.developer.patience_days", .kind = SweepParameter::Kind::range,
                                .low = 1, .high = 10});
    study.outputs = {"churn_at_horizon"};
    study.samples = 4;
    StudyControl control;
    control.threads = 2;
    control.bootstrap = 50;
    const auto report = into_file(run_sensitivity_study, study, dir / "g.h5", control);
    REQUIRE(report.outputs.size() == 1);
    CHECK(read_doubles(dir / "g.h5", "/sensitivity/churn_at_horizon").size() == 2 * 5);
    CHECK(read_doubles(dir / "g.h5", "/points/unit").size() == 4 * 3 * 2);

    study.outputs = {"churn_at_horizn"};
    CHECK_THROWS_WITH(into_file(run_sensitivity_study, study, dir / "h.h5", control), Catch::Contains("unknown output"));
    CHECK_FALSE(fs::exists(dir / "h.h5"));
    CHECK(dir.entries() == std::vector<std::string>{"g.h5"});
}

// Unit tests for StudyData (sim/io/study_export.cpp, study_reader.cpp, study_writer.cpp): a
// study that ran in memory exports exactly the data its study file reads back as, for every
// kind of study, complete or interrupted, so Python builds the same objects from either; data
// written with write_study reads back the same; files of schema 1 are read, others refused.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include <hdf5.h>

#include "io/study_export.hpp"
#include "io/run_journal.hpp"
#include "io/study_h5.hpp"
#include "io/study_reader.hpp"
#include "io/study_writer.hpp"
#include "study/memory_store.hpp"
#include "study/studies.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using namespace gatesim::test;

namespace {

StudyScenario small_study(std::vector<std::string> overrides = {}, const std::string& name = "global_shutdown") {
    overrides.insert(overrides.begin(), {"population.agents=1200", "days=25"});
    return study_scenario(load_scenario(library_file(name), overrides));
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// The order of the paths under one prefix (scalars and series keep the engine's order).
std::vector<std::string> order_under(const StudyData& d, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& t : d.tables)
        if (t.path.rfind(prefix, 0) == 0 && t.path.find('/', prefix.size()) == std::string::npos) out.push_back(t.path);
    return out;
}

void require_same(const StudyData& memory, const StudyData& file) {
    CHECK(memory.kind == file.kind);
    CHECK(memory.complete == file.complete);
    std::set<std::string> memory_paths, file_paths;
    for (const auto& t : memory.tables) memory_paths.insert(t.path);
    for (const auto& t : file.tables) file_paths.insert(t.path);
    CHECK(memory_paths == file_paths);
    for (const auto& t : memory.tables) {
        INFO("table " << t.path);
        const StudyTable* f = file.table(t.path);
        REQUIRE(f != nullptr);
        CHECK(f->dims == t.dims);
        CHECK(f->axes == t.axes);
        CHECK(f->unit == t.unit);
        CHECK(f->description == t.description);
        CHECK(same_bits(f->values, t.values));
    }
    for (const std::string prefix : {"runs/summary/", "summary/", "bands/", "scenarios/baseline/runs/summary/"})
        CHECK(order_under(memory, prefix) == order_under(file, prefix));
    std::map<std::string, std::vector<std::string>> memory_labels, file_labels;
    for (const auto& l : memory.labels) memory_labels[l.path] = l.labels;
    for (const auto& l : file.labels) file_labels[l.path] = l.labels;
    CHECK(memory_labels == file_labels);
    std::map<std::string, std::string> memory_texts, file_texts;
    for (const auto& t : memory.texts) memory_texts[t.path] = t.text;
    for (const auto& t : file.texts) file_texts[t.path] = t.text;
    CHECK(memory_texts == file_texts);
    std::map<std::pair<std::string, std::string>, StudyAttributeValue> memory_attrs, file_attrs;
    for (const auto& a : memory.attributes) memory_attrs[{a.object, a.name}] = a.value;
    for (const auto& a : file.attributes) file_attrs[{a.object, a.name}] = a.value;
    CHECK(memory_attrs == file_attrs);
}

// Runs `study` into a memory store and into a study file; the memory export must equal what
// the file reads back as.
template <class Study, class Report>
StudyData through_both(Report (*run)(const Study&, RunStore&, const StudyControl&), const Study& study,
                       const StudyControl& control, const fs::path& path) {
    MemoryStore memory;
    const Report in_memory = run(study, memory, control);
    const StudyData exported = export_memory_study(memory, in_memory.plan, in_memory.outcome);
    {
        StudyFile file(path, make_provenance("", "", "test", control.threads, ""));
        run(study, file, control);
    }
    const StudyFileContents read = read_study(path);
    CHECK(read.schema_version == study_schema_version);
    require_same(exported, read.data);
    // Saved again (what Python's save() does), it reads back the same.
    const fs::path again = path.parent_path() / ("again-" + path.filename().string());
    write_study(again, exported, read.provenance, read.seed);
    const StudyFileContents reread = read_study(again);
    require_same(exported, reread.data);
    CHECK(reread.seed == read.seed);
    CHECK(reread.provenance.command_line == read.provenance.command_line);
    return exported;
}

StudyControl two_threads() {
    StudyControl control;
    control.threads = 2;
    control.bootstrap = 50;
    return control;
}

}  // namespace

TEST_CASE("an ensemble exports the data its study file reads back as, with or without its runs' series") {
    TempDir dir;
    EnsembleStudy study{small_study(), 4, 2};
    study.scenario.uncertain.push_back({"segments.consumer.patience_days", {.kind = DistributionKind::uniform, .low = 3, .high = 12}});
    StudyControl control = two_threads();
    const StudyData plain = through_both(run_ensemble_study, study, control, dir / "e.h5");
    CHECK(plain.table("runs/summary/churn_at_horizon") != nullptr);
    CHECK(plain.table("runs/timeseries/blocked") == nullptr);
    CHECK(plain.table("runs/parameters")->dims == std::vector<std::size_t>{4, 1});
    CHECK(plain.labels_at("uncertain/key_path")->labels == std::vector<std::string>{"segments.consumer.patience_days"});
    control.keep_replicates = true;
    const StudyData kept = through_both(run_ensemble_study, study, control, dir / "k.h5");
    REQUIRE(kept.table("runs/timeseries/blocked") != nullptr);
    CHECK(kept.table("runs/timeseries/blocked")->dims == std::vector<std::size_t>{4, 25});
}

TEST_CASE("an interrupted ensemble leaves no file; resumed, it exports what an uninterrupted one does") {
    TempDir dir;
    const EnsembleStudy study{small_study(), 6, 0};
    StudyControl control = two_threads();
    control.max_runs = 3;
    const fs::path path = dir / "i.h5";
    {
        StudyFile file(path, make_provenance("", "", "test", control.threads, ""));
        CHECK_FALSE(run_ensemble_study(study, file, control).outcome.complete);
    }
    CHECK_FALSE(fs::exists(path));
    CHECK(fs::exists(partial_path(path)));
    control.max_runs = StudyControl{}.max_runs;
    control.resume = true;
    {
        StudyFile file(path, make_provenance("", "", "test", control.threads, ""));
        CHECK(run_ensemble_study(study, file, control).outcome.resumed_runs == 3);
    }
    control.resume = false;
    MemoryStore memory;
    const EnsembleReport in_memory = run_ensemble_study(study, memory, control);
    require_same(export_memory_study(memory, in_memory.plan, in_memory.outcome), read_study(path).data);
}

TEST_CASE("comparisons, sweeps and sensitivity analyses export the data of their study files") {
    TempDir dir;
    StudyControl control = two_threads();
    SECTION("comparison") {
        ComparisonStudy study{{small_study({}, "baseline"), small_study()}, {"a.yaml", "b.yaml"}, 3, 0};
        const StudyData d = through_both(run_comparison_study, study, control, dir / "c.h5");
        CHECK(d.table("scenarios/global_shutdown/summary/churn_at_horizon") != nullptr);
        CHECK(d.table("deltas/churn_at_horizon") != nullptr);
        CHECK(d.attribute("scenarios/baseline", "scenario_file") != nullptr);
    }
    SECTION("sweep") {
        SweepParameter p;
        p.key_path = "segments.consumer.patience_days";
        p.values = {3, 9};
        const SweepStudy study{small_study(), {p}, SweepDesign::grid, 2, 2, 0};
        const StudyData d = through_both(run_sweep_study, study, control, dir / "s.h5");
        CHECK(d.table("points/values")->dims == std::vector<std::size_t>{2, 1});
        CHECK(d.table("summary/churn_at_horizon")->axes == std::vector<std::string>{"point", "statistic"});
    }
    SECTION("sensitivity") {
        SensitivityStudy study;
        study.scenario = small_study();
        study.method = SensitivityMethod::morris;
        SweepParameter p;
        p.key_path = "segments.consumer.patience_days";
        p.kind = SweepParameter::Kind::range;
        p.low = 2;
        p.high = 14;
        study.parameters = {p};
        study.outputs = {"churn_at_horizon"};
        study.samples = 2;
        const StudyData d = through_both(run_sensitivity_study, study, control, dir / "m.h5");
        CHECK(d.table("sensitivity/churn_at_horizon") != nullptr);
        CHECK(d.attribute("plan", "method") != nullptr);
    }
}

TEST_CASE("reading a single-run file as a study says what it is") {
    TempDir dir;
    const auto path = dir / "r.h5";
    write_results(path, run(small("global_shutdown", {"days=20"}, 800)), make_provenance("", "", "test", 1, ""));
    CHECK(gatesim_file_type(path) == "gatesim-results");
    CHECK_THROWS_WITH(read_study(path), Catch::Contains("a single run"));
    CHECK_THROWS_AS(read_study(dir / "absent.h5"), ResultsFileError);
}

TEST_CASE("files of schema 1 are read, and saved as schema 2 with the same data") {
    TempDir dir;
    const std::string data_dir = std::string(GATESIM_TEST_DIR) + "/data/schema1/";
    const StudyFileContents old = read_study(data_dir + "ensemble.h5");
    CHECK(old.schema_version == 1);
    CHECK(old.data.kind == StudyKind::ensemble);
    REQUIRE(old.data.table("bands/blocked") != nullptr);
    CHECK(old.data.table("bands/blocked")->unit == "users");  // schema 1 called it `unit`
    CHECK(old.data.table("runs/summary/churn_at_horizon")->dims == std::vector<std::size_t>{2});
    write_study(dir / "upgraded.h5", old.data, old.provenance, old.seed);
    const StudyFileContents upgraded = read_study(dir / "upgraded.h5");
    CHECK(upgraded.schema_version == study_schema_version);
    require_same(old.data, upgraded.data);

    const ResultsFile single = read_results(data_dir + "results.h5");
    CHECK(single.schema_version == 1);
    CHECK(single.results.days == 16);
    CHECK(single.results.series_named("blocked").unit == "users");
    CHECK(single.results.start_date.empty());
}

TEST_CASE("files of a schema this gatesim does not know are refused with the versions it reads") {
    TempDir dir;
    const auto path = dir / "r.h5";
    write_results(path, run(small("global_shutdown", {"days=20"}, 800)), make_provenance("", "", "test", 1, ""));
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const int future = 99;
    const hid_t attr = H5Aopen(f, "schema_version", H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_INT, &future);
    H5Aclose(attr);
    H5Fclose(f);
    CHECK_THROWS_WITH(read_results(path), Catch::Contains("schema_version is 99") &&
                                              Catch::Contains("reads schema versions 1 to 2") &&
                                              Catch::Contains("newer gatesim"));
}

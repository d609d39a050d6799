// Unit tests for studies through the run-store interface (sim/study/studies.cpp,
// reductions.cpp, memory_store.cpp): a study kept in memory gets exactly the reductions a study
// file gets for the same runs, for every kind of study; it resumes like a file does, and refuses
// to resume what a file would refuse.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <variant>

#include "study/memory_store.hpp"
#include "study/studies.hpp"
#include "io/study_h5.hpp"
#include "h5_files.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using namespace gatesim::test;

namespace {

StudyScenario small_study(std::vector<std::string> overrides = {}) {
    overrides.insert(overrides.begin(), {"population.agents=1500", "enterprises.agents=125", "days=30"});
    return study_scenario(load_scenario(library_file("global_shutdown"), overrides));
}

const UncertainParameter patience{"segments.consumer.patience_days",
                                  {.kind = DistributionKind::uniform, .low = 3, .high = 12}};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// What a file holds besides reductions: the runs, provenance, the plan's records, and the labels
// of the axes its stored runs use.
bool run_record(const std::string& path) {
    return path.find("runs/") != std::string::npos || path.rfind("provenance/", 0) == 0 ||
           path.find("uncertain/") != std::string::npos;
}

// Every table, label set, scenario and attribute of the memory store equals what the study
// file holds at the same path: same shape and attributes, the same values bit for bit (NaN where
// the file has NaN); and the file holds no reduction the memory store lacks.
void require_same_reductions(const MemoryStore& memory, const fs::path& file) {
    const auto stored = stored_datasets(file);
    for (const auto& [path, table] : memory.tables()) {
        INFO("table " << path);
        REQUIRE(stored.count(path) == 1);
        const StoredDataset& d = stored.at(path);
        CHECK(d.dims == table.dims);
        REQUIRE(d.numbers.size() == table.values.size());
        for (std::size_t i = 0; i < d.numbers.size(); ++i) REQUIRE(same_bits(d.numbers[i], table.values[i]));
        CHECK(d.attributes.at("units") == table.unit);
        CHECK(d.attributes.at("axes") == table.axes);
        CHECK(d.attributes.at("description") == table.description);
    }
    for (const auto& [path, labels] : memory.labels()) {
        INFO("labels " << path);
        REQUIRE(stored.count(path) == 1);
        CHECK(stored.at(path).strings == labels);
    }
    for (const auto& [path, scenario] : memory.scenarios()) {
        INFO("scenario " << path);
        REQUIRE(stored.count(path) == 1);
        CHECK(stored.at(path).strings == std::vector<std::string>{to_yaml(scenario.scenario, scenario.uncertain)});
    }
    for (const auto& [key, value] : memory.attributes()) {
        INFO("attribute " << key.second << " of " << key.first);
        if (const auto* text = std::get_if<std::string>(&value)) CHECK(read_string_attr(file, key.first, key.second) == *text);
        else CHECK(same_bits(read_attr<double>(file, key.first, key.second, H5T_NATIVE_DOUBLE), std::get<double>(value)));
    }
    for (const auto& [path, d] : stored) {
        if (run_record(path) || (path.find("axes/") != std::string::npos && !memory.labels().count(path))) continue;
        if (d.coordinate && !memory.tables().count(path) && !memory.labels().count(path)) continue;  // for netCDF
        INFO("in the file only: " << path);
        CHECK((memory.tables().count(path) + memory.labels().count(path) + memory.scenarios().count(path)) == 1);
    }
}

// Runs `study` into a memory store and into a study file, then compares them.
template <class Study, class Report>
std::pair<Report, Report> through_both(Report (*run)(const Study&, RunStore&, const StudyControl&), const Study& study,
                                       const StudyControl& control, MemoryStore& memory, const fs::path& path) {
    const Report in_memory = run(study, memory, control);
    StudyFile file(path, make_provenance("", "", "test", control.threads, ""));
    const Report in_file = run(study, file, control);
    CHECK(memory.committed());
    CHECK(memory.complete() == in_file.outcome.complete);
    require_same_reductions(memory, path);
    return {in_memory, in_file};
}

void require_same_scalars(const std::vector<ScalarReport>& a, const std::vector<ScalarReport>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].info.name == b[i].info.name);
        const auto x = statistics_vector(a[i].distribution), y = statistics_vector(b[i].distribution);
        for (std::size_t j = 0; j < x.size(); ++j) CHECK(same_bits(x[j], y[j]));
        const auto u = variance_vector(a[i].variance), v = variance_vector(b[i].variance);
        for (std::size_t j = 0; j < u.size(); ++j) CHECK(same_bits(u[j], v[j]));
    }
}

}  // namespace

TEST_CASE("an ensemble in memory has exactly the reductions of its study file") {
    TempDir dir;
    EnsembleStudy study{small_study(), 8, 2};
    study.scenario.uncertain.push_back(patience);  // a nested design: the variance splits
    StudyControl control;
    control.threads = 2;
    MemoryStore memory;
    const auto [in_memory, in_file] = through_both(run_ensemble_study, study, control, memory, dir / "e.h5");
    require_same_scalars(in_memory.scalars, in_file.scalars);
    CHECK(memory.tables().count("bands/blocked") == 1);
    CHECK(memory.tables().count("variance/churn_at_horizon") == 1);

    // Independently of the file: the stored distribution is that of the runs kept in memory.
    const auto& runs = memory.runs(0, 0);
    REQUIRE(runs.size() == 8);
    std::vector<double> churn;
    for (const auto& r : runs) churn.push_back(r.results.scalar("churn_at_horizon"));
    CHECK(memory.table("summary/churn_at_horizon").values == statistics_vector(distribution_of(churn, default_quantiles)));
}

TEST_CASE("a comparison in memory has exactly the deltas and bands of its study file") {
    TempDir dir;
    ComparisonStudy study;
    study.scenarios = {small_study(), small_study({"name=patient", "segments.consumer.patience_days=12"})};
    study.files = {"a.yaml", "b.yaml"};
    study.replicates = 5;
    StudyControl control;
    control.threads = 2;
    control.bootstrap = 200;
    MemoryStore memory;
    const auto [in_memory, in_file] = through_both(run_comparison_study, study, control, memory, dir / "c.h5");
    REQUIRE(in_memory.deltas.size() == in_file.deltas.size());
    for (std::size_t i = 0; i < in_memory.deltas.size(); ++i) {
        const auto a = delta_vector(in_memory.deltas[i].versus_reference.front());
        const auto b = delta_vector(in_file.deltas[i].versus_reference.front());
        for (std::size_t j = 0; j < a.size(); ++j) CHECK(same_bits(a[j], b[j]));
    }
    CHECK(memory.tables().count("deltas/bands/blocked") == 1);
    CHECK(memory.tables().count("scenarios/patient/bands/blocked") == 1);
    CHECK(memory.scenarios().count("scenarios/patient/scenario") == 1);
}

TEST_CASE("a sweep and a sensitivity analysis in memory equal their study files, an interrupted sweep too") {
    TempDir dir;
    StudyControl control;
    control.threads = 2;
    control.bootstrap = 100;
    SECTION("a grid sweep, one row per point") {
        SweepStudy sweep;
        sweep.scenario = small_study();
        sweep.parameters.push_back({.key_path = "segments.consumer.patience_days", .kind = SweepParameter::Kind::values,
                                    .values = {3, 9}});
        sweep.parameters.push_back({.key_path = "segments.developer.return_probability",
                                    .kind = SweepParameter::Kind::range, .low = 0.2, .high = 0.8});
        sweep.points = 2;
        sweep.replicates = 2;
        MemoryStore memory;
        through_both(run_sweep_study, sweep, control, memory, dir / "s.h5");
        CHECK(memory.table("bands/blocked").dims.front() == 4);
        // Interrupted with point 1 half done, then resumed: the memory store keeps its runs, the
        // file its journal, and both end with the same reductions.
        control.max_runs = 3;
        MemoryStore part;
        run_sweep_study(sweep, part, control);
        CHECK_FALSE(part.complete());
        {
            StudyFile file(dir / "p.h5", make_provenance("", "", "test", control.threads, ""));
            CHECK_FALSE(run_sweep_study(sweep, file, control).outcome.complete);
        }
        CHECK(dir.entries() == std::vector<std::string>{"p.h5.partial", "s.h5"});
        control.max_runs = UINT64_MAX;
        control.resume = true;
        through_both(run_sweep_study, sweep, control, part, dir / "p.h5");
        CHECK(part.complete());
    }
    SECTION("Morris indices") {
        SensitivityStudy gsa;
        gsa.scenario = small_study();
        gsa.method = SensitivityMethod::morris;
        gsa.parameters.push_back({.key_path = "segments.consumer.patience_days", .kind = SweepParameter::Kind::range,
                                  .low = 2, .high = 20});
        gsa.parameters.push_back({.key_path = "segments.developer.patience_days", .kind = SweepParameter::Kind::range,
                                  .low = 1, .high = 10});
        gsa.outputs = {"churn_at_horizon", "peak_blocked"};
        gsa.samples = 3;
        MemoryStore memory;
        through_both(run_sensitivity_study, gsa, control, memory, dir / "m.h5");
        CHECK(memory.table("sensitivity/peak_blocked").dims == std::vector<std::size_t>{2, 5});
    }
}

TEST_CASE("an interrupted study in memory resumes to the same reductions as an uninterrupted one") {
    EnsembleStudy study{small_study(), 6, 2};
    study.scenario.uncertain.push_back(patience);
    StudyControl control;
    control.threads = 2;
    MemoryStore whole;
    run_ensemble_study(study, whole, control);

    MemoryStore part;
    control.max_runs = 3;
    const auto first = run_ensemble_study(study, part, control);
    CHECK_FALSE(first.outcome.complete);
    CHECK(part.committed());
    CHECK_FALSE(part.complete());
    control.max_runs = UINT64_MAX;
    control.resume = true;
    const auto resumed = run_ensemble_study(study, part, control);
    CHECK(resumed.outcome.resumed_runs == 3);
    CHECK(resumed.outcome.complete);
    REQUIRE(part.tables().size() == whole.tables().size());
    for (const auto& [path, table] : whole.tables()) {
        INFO(path);
        const auto& other = part.table(path).values;
        REQUIRE(other.size() == table.values.size());
        for (std::size_t i = 0; i < other.size(); ++i) CHECK(same_bits(other[i], table.values[i]));
    }
}

TEST_CASE("a memory store refuses to resume nothing, a complete study, or another plan") {
    EnsembleStudy study{small_study(), 4, 0};
    StudyControl control;
    control.threads = 2;
    control.resume = true;
    MemoryStore store;
    CHECK_THROWS_WITH(run_ensemble_study(study, store, control), Catch::Contains("cannot resume"));
    control.resume = false;
    run_ensemble_study(study, store, control);
    control.resume = true;
    CHECK_THROWS_WITH(run_ensemble_study(study, store, control), Catch::Contains("no interrupted study"));

    control.resume = false;
    control.max_runs = 2;
    run_ensemble_study(study, store, control);
    control.resume = true;
    control.max_runs = UINT64_MAX;
    EnsembleStudy other = study;
    other.replicates = 6;
    CHECK_THROWS_WITH(run_ensemble_study(other, store, control), Catch::Contains("different plan"));
    // A refused resume leaves the interrupted study resumable, as it leaves a file alone.
    CHECK(run_ensemble_study(study, store, control).outcome.complete);
}

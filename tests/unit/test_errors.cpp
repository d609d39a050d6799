// Unit tests for bad input (model/errors.hpp, io/output_path.hpp): every bad-input error is a
// BadInput whichever module throws it (so the CLI maps them to exit 2 in one place), a failed
// write is not, and every kind of unwritable output path is refused before anything is written,
// by the check and by both writers, leaving what is at the path alone.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <type_traits>

#include "model/errors.hpp"
#include "study/ensemble.hpp"
#include "study/parameters.hpp"
#include "io/output_path.hpp"
#include "io/results_h5.hpp"
#include "io/scenario_yaml.hpp"
#include "io/study_h5.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using Catch::Matchers::Contains;

namespace {

static_assert(std::is_base_of_v<BadInput, ScenarioError>);
static_assert(std::is_base_of_v<BadInput, ParameterError>);
static_assert(std::is_base_of_v<BadInput, PlanError>);
static_assert(std::is_base_of_v<BadInput, ResultsFileError>);
static_assert(std::is_base_of_v<BadInput, OutputPathError>);
static_assert(!std::is_base_of_v<BadInput, ResultsWriteError>);

// The message of the BadInput thrown by f, caught through the base alone.
template <class F>
std::string bad_input_of(F&& f) {
    try {
        f();
    } catch (const BadInput& e) {
        return e.what();
    }
    return "<no BadInput thrown>";
}

}  // namespace

TEST_CASE("scenario, parameter, plan, input-file and output-path errors are caught as BadInput") {
    test::TempDir dir;
    CHECK_THROWS_AS(load_scenario(dir / "absent.yaml"), ScenarioError);
    CHECK_THAT(bad_input_of([&] { load_scenario(dir / "absent.yaml"); }), Contains("absent.yaml"));

    Scenario scenario = test::small("baseline");
    CHECK_THROWS_AS(set_parameter(scenario, "segments.consumer.no_such_field", 1), ParameterError);
    CHECK_THAT(bad_input_of([&] { set_parameter(scenario, "segments.consumer.no_such_field", 1); }),
               Contains("no_such_field"));

    CHECK_THROWS_AS(check_plan(EnsemblePlan{}, true), PlanError);
    CHECK_THAT(bad_input_of([] { check_plan(EnsemblePlan{}, true); }), Contains("no points"));

    CHECK_THROWS_AS(read_results(dir / "missing.h5"), ResultsFileError);
    CHECK_THAT(bad_input_of([&] { read_results(dir / "missing.h5"); }), Contains("no such file"));

    CHECK_THROWS_AS(check_output_path(dir / "none" / "out.h5"), OutputPathError);
    CHECK_THAT(bad_input_of([&] { check_output_path(dir / "none" / "out.h5"); }), Contains("does not exist"));
}

TEST_CASE("a write that fails for another reason than the path is not bad input") {
    test::TempDir dir;
    Results results;
    results.days = 2;
    results.series.push_back({"short", "users", "", {}, {1.0}});  // 1 value for 2 days
    CHECK_THROWS_AS(write_results(dir / "out.h5", results, Provenance{}), ResultsWriteError);
    CHECK(dir.entries().empty());
}

TEST_CASE("every unwritable output path is refused before anything is written") {
    test::TempDir dir;
    struct Case {
        std::string kind;
        fs::path path;
        std::string reason;
    };
    const fs::path fifo = dir / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const fs::path file = dir.write("plain.txt", "not a directory\n");
    // Root may write into a folder without write permission; a pseudo file system refuses even
    // root.
    fs::path read_only = "/sys";
    if (::geteuid() != 0) {
        read_only = dir / "read-only";
        fs::create_directory(read_only);
        fs::permissions(read_only, fs::perms::owner_read | fs::perms::owner_exec);
    }
    const std::vector<Case> cases{
        {"a directory", dir / "plain-dir", "it is a directory"},
        {"a path that names no file", dir.path() / "", "does not name a file"},
        {"a missing directory", dir / "none" / "out.h5", "directory " + (dir / "none").string() + " does not exist"},
        {"a file where a directory should be", file / "out.h5", file.string() + " is not a directory"},
        {"a read-only folder", read_only / "gatesim-out.h5", "cannot create a file in directory " + read_only.string()},
        {"a name too long", dir / (std::string(250, 'n') + ".h5"), "too long"},
        {"a character device", "/dev/null", "it is a character device, not a regular file"},
        {"a FIFO", fifo, "it is a FIFO, not a regular file"},
    };
    fs::create_directory(dir / "plain-dir");
    const auto before = dir.entries();
    Results results;
    results.days = 1;
    for (const auto& c : cases) {
        INFO(c.kind << ": " << c.path.string());
        CHECK_THROWS_AS(check_output_path(c.path), OutputPathError);
        CHECK_THAT(bad_input_of([&] { check_output_path(c.path); }), Contains(c.reason) && Contains(c.path.string()));
        CHECK_THROWS_AS(write_results(c.path, results, Provenance{}), OutputPathError);
        CHECK_THROWS_AS(StudyFile(c.path, Provenance{}), OutputPathError);  // at once, before a study opens it
        CHECK(dir.entries() == before);
    }
    CHECK(fs::is_character_file("/dev/null"));
    CHECK(fs::is_fifo(fifo));
    if (::geteuid() != 0) fs::permissions(read_only, fs::perms::owner_all);
}

TEST_CASE("a writable path passes and the check leaves nothing behind") {
    test::TempDir dir;
    CHECK_NOTHROW(check_output_path(dir / "new.h5"));
    CHECK(dir.entries().empty());
    dir.write("old.h5", "an older file, replaced when the write succeeds\n");
    CHECK_NOTHROW(check_output_path(dir / "old.h5"));
    CHECK(dir.entries() == std::vector<std::string>{"old.h5"});
}

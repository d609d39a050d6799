// Unit tests for the HDF5 results files (sim/io/results_h5.cpp): round trips and atomic writes.
#include <catch2/catch.hpp>

#include "support.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "io/results_h5.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using Catch::Matchers::Contains;

namespace {


std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

// The message of the Error thrown by f (reading: ResultsFileError; writing: ResultsWriteError;
// an unwritable path: OutputPathError); any other exception escapes and fails the test.
template <class Error = ResultsFileError, class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "<no exception of the expected type thrown>";
}

// Bit patterns, so NaN == NaN and -0.0 != 0.0: the round trip must be exact.
std::vector<std::uint64_t> bits(const std::vector<double>& v) {
    std::vector<std::uint64_t> out;
    for (double d : v) out.push_back(std::bit_cast<std::uint64_t>(d));
    return out;
}

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

Results sample_results() {
    Results r;
    r.seed = 0xFEDCBA9876543210ULL;  // above INT64_MAX: must survive as unsigned
    r.replicate = 7;
    r.days = 4;
    const Axis model{"model", {"gpt-x", "claude-y", "llama-é"}};
    // Not alphabetical, to show the reader keeps the writer's order.
    r.series.push_back({"waiting", "users", "Users waiting for access", {}, {10, 20, 30, 40}});
    r.series.push_back({"blocked", "users", "Users blocked by policy", {}, {0, 1.5e6, 2.25e6, -0.0}});
    r.series.push_back({"users_by_model", "users", "Active users per model", {model},
                        {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5}});
    std::vector<double> flows(4 * 9);
    for (std::size_t i = 0; i < flows.size(); ++i) flows[i] = static_cast<double>(i) * 0.1;
    flows[5] = nan;
    flows[6] = inf;
    flows[7] = -inf;
    flows[8] = std::numeric_limits<double>::denorm_min();
    flows[9] = std::numeric_limits<double>::max();
    // The same axis twice (a from/to matrix) is stored once under /axes.
    r.series.push_back({"switch_flows", "users", "Users switching from one model to another",
                        {model, model}, flows});
    r.series.push_back({"alpha", "", "", {}, {1, 1, 2, 3}});
    r.scalars.push_back({"peak_blocked", "users", "Largest number of users blocked on one day", 2.25e6});
    r.scalars.push_back({"days_to_90pct_recovery", "days", "Days until 90% of users recovered", nan});
    r.scalars.push_back({"churn_at_horizon", "fraction", "Share of users lost at the horizon", 0.125});
    return r;
}

Provenance sample_provenance() {
    Provenance p;
    p.gatesim_version = "0.1.0";
    p.git_commit = "0123456789abcdef0123456789abcdef01234567";
    p.scenario_yaml =
        "# Szenario: Zugangsbeschränkung für Modelle\n"
        "name: \"模型 gate ✓\"\n"
        "models:\n"
        "  - id: llama-é\n"
        "    share: 0.25\n"
        "\n";
    p.scenario_file = "scenarios/exämple.yaml";
    p.command_line = "gatesim run --threads 4 --out 'out dir/run.h5' scenarios/exämple.yaml";
    p.start_time = "2024-05-01T12:00:00Z";
    p.threads = 4;
    return p;
}

void require_same(const Results& a, const Results& b) {
    REQUIRE(a.seed == b.seed);
    REQUIRE(a.replicate == b.replicate);
    REQUIRE(a.days == b.days);
    REQUIRE(a.series.size() == b.series.size());
    for (std::size_t i = 0; i < a.series.size(); ++i) {
        const Series& x = a.series[i];
        const Series& y = b.series[i];
        INFO("series " << x.name);
        REQUIRE(x.name == y.name);
        REQUIRE(x.unit == y.unit);
        REQUIRE(x.description == y.description);
        REQUIRE(x.axes.size() == y.axes.size());
        for (std::size_t k = 0; k < x.axes.size(); ++k) {
            REQUIRE(x.axes[k].name == y.axes[k].name);
            REQUIRE(x.axes[k].labels == y.axes[k].labels);
        }
        REQUIRE(bits(x.values) == bits(y.values));
    }
    REQUIRE(a.scalars.size() == b.scalars.size());
    for (std::size_t i = 0; i < a.scalars.size(); ++i) {
        INFO("scalar " << a.scalars[i].name);
        REQUIRE(a.scalars[i].name == b.scalars[i].name);
        REQUIRE(a.scalars[i].unit == b.scalars[i].unit);
        REQUIRE(a.scalars[i].description == b.scalars[i].description);
        REQUIRE(std::bit_cast<std::uint64_t>(a.scalars[i].value) ==
                std::bit_cast<std::uint64_t>(b.scalars[i].value));
    }
}

void require_same(const Provenance& a, const Provenance& b) {
    REQUIRE(a.gatesim_version == b.gatesim_version);
    REQUIRE(a.git_commit == b.git_commit);
    REQUIRE(a.scenario_yaml == b.scenario_yaml);
    REQUIRE(a.scenario_file == b.scenario_file);
    REQUIRE(a.command_line == b.command_line);
    REQUIRE(a.start_time == b.start_time);
    REQUIRE(a.threads == b.threads);
}

}  // namespace

TEST_CASE("results round-trip exactly through an HDF5 file", "[results_h5]") {
    test::TempDir dir;
    const auto path = dir / "out.h5";
    const Results results = sample_results();
    const Provenance provenance = sample_provenance();

    write_results(path, results, provenance);
    REQUIRE(dir.entries() == std::vector<std::string>{"out.h5"});

    const ResultsFile file = read_results(path);
    REQUIRE(file.schema_version == results_schema_version);
    require_same(file.provenance, provenance);
    require_same(file.results, results);

    // Spot checks through the public accessors, independent of require_same.
    const Results& r = file.results;
    REQUIRE(r.series_named("users_by_model").axes.at(0).labels ==
            std::vector<std::string>{"gpt-x", "claude-y", "llama-é"});
    REQUIRE(r.series_named("users_by_model").at(3, 2) == 12.5);
    REQUIRE(r.series_named("blocked").days() == 4);
    REQUIRE(std::isnan(r.scalar("days_to_90pct_recovery")));
    REQUIRE(r.scalar("peak_blocked") == 2.25e6);
    std::vector<std::string> order;
    for (const auto& s : r.series) order.push_back(s.name);
    REQUIRE(order == std::vector<std::string>{"waiting", "blocked", "users_by_model", "switch_flows", "alpha"});
}

TEST_CASE("long series round-trip through the chunked, compressed path", "[results_h5]") {
    test::TempDir dir;
    const auto path = dir / "long.h5";
    Results results;
    results.days = 3000;  // the day index itself is large enough to be chunked
    Series total{"returned", "users", "Users who came back", {}, {}};
    Series by_model{"users_by_model", "users", "Active users per model",
                    {Axis{"model", {"a", "b", "c", "d", "e"}}}, {}};
    for (int d = 0; d < results.days; ++d) {
        total.values.push_back(1000.0 * d);
        for (int m = 0; m < 5; ++m) by_model.values.push_back(static_cast<double>(d / 10 * 100 + m));
    }
    results.series = {total, by_model};

    write_results(path, results, sample_provenance());
    const ResultsFile file = read_results(path);
    require_same(file.results, results);
    // Smooth counts compress well; an uncompressed file would hold at least the raw doubles.
    const std::uintmax_t raw = (total.values.size() + by_model.values.size()) * sizeof(double);
    REQUIRE(fs::file_size(path) < raw / 2);
}

TEST_CASE("zero days and empty strings round-trip", "[results_h5]") {
    test::TempDir dir;
    const auto path = dir / "empty.h5";
    Results results;
    results.days = 0;
    results.series.push_back({"blocked", "", "", {}, {}});
    results.series.push_back({"users_by_model", "users", "", {Axis{"model", {"x", "y"}}}, {}});
    results.series.push_back({"by_nothing", "users", "", {Axis{"none", {}}}, {}});
    results.scalars.push_back({"peak_blocked", "", "", 0.0});
    Provenance provenance;  // every string empty

    write_results(path, results, provenance);
    const ResultsFile file = read_results(path);
    require_same(file.provenance, provenance);
    require_same(file.results, results);
}

TEST_CASE("writing over an existing file replaces it", "[results_h5]") {
    test::TempDir dir;
    const auto path = dir / "out.h5";
    write_results(path, sample_results(), sample_provenance());

    Results second;
    second.seed = 1;
    second.days = 2;
    second.series.push_back({"blocked", "users", "second run", {}, {5, 6}});
    Provenance p2 = sample_provenance();
    p2.scenario_yaml = "name: second\n";
    write_results(path, second, p2);

    const ResultsFile file = read_results(path);
    require_same(file.results, second);
    require_same(file.provenance, p2);
    REQUIRE(dir.entries() == std::vector<std::string>{"out.h5"});
}

TEST_CASE("a failed write leaves the existing file byte-identical and no temporary files",
          "[results_h5]") {
    test::TempDir dir;
    const auto path = dir / "out.h5";
    const Results good = sample_results();
    write_results(path, good, sample_provenance());
    const std::string before = read_bytes(path);
    REQUIRE(!before.empty());

    Results bad = good;
    Provenance provenance = sample_provenance();
    std::string expected;
    SECTION("conflicting labels for one axis name") {
        // The first series using "model" is written before the conflict is found, so this also
        // exercises removing a partly written temporary file.
        bad.series.push_back({"other_by_model", "users", "", {Axis{"model", {"p", "q", "r"}}},
                              std::vector<double>(3 * 4, 1.0)});
        expected = "axis 'model' has different labels";
    }
    SECTION("values inconsistent with width x days") {
        bad.series.push_back({"short", "users", "", {Axis{"model", {"gpt-x", "claude-y", "llama-é"}}},
                              std::vector<double>(11, 1.0)});
        expected = "has 11 values, expected 12";
    }
    SECTION("values inconsistent with days for a series without axes") {
        bad.series[0].values.push_back(50);
        expected = "has 5 values, expected 4";
    }
    SECTION("two series with one name") {
        bad.series.push_back(bad.series[0]);
        expected = "two series are named 'waiting'";
    }
    SECTION("a series named like the day index") {
        bad.series.push_back({"day", "", "", {}, {1, 2, 3, 4}});
        expected = "series name 'day' is the name of a coordinate";
    }
    SECTION("a series named like an axis, whose coordinate shares its group") {
        bad.series.push_back({"model", "", "", {}, {1, 2, 3, 4}});
        expected = "series name 'model' is the name of a coordinate";
    }
    SECTION("a name that is not a valid HDF5 link name") {
        bad.scalars.push_back({"a/b", "", "", 1.0});
        expected = "scalar name 'a/b' cannot be stored";
    }
    SECTION("a string HDF5 would truncate") {
        provenance.command_line = std::string("gatesim\0run", 11);
        expected = "contains a NUL character";
    }

    const std::string message = error_of<ResultsWriteError>([&] { write_results(path, bad, provenance); });
    REQUIRE_THAT(message, Contains(expected));
    REQUIRE_THAT(message, Contains(path.string()));
    REQUIRE(read_bytes(path) == before);
    REQUIRE(dir.entries() == std::vector<std::string>{"out.h5"});
    require_same(read_results(path).results, good);
}

TEST_CASE("a failed write without an existing target creates nothing", "[results_h5]") {
    test::TempDir dir;
    Results bad = sample_results();
    bad.series[1].values.pop_back();
    REQUIRE_THROWS_AS(write_results(dir / "new.h5", bad, sample_provenance()), ResultsWriteError);
    REQUIRE(dir.entries().empty());
}

TEST_CASE("writing into a missing directory throws a clear error", "[results_h5]") {
    test::TempDir dir;
    const auto path = dir / "no-such-dir" / "out.h5";
    const std::string message = error_of<OutputPathError>([&] { write_results(path, sample_results(), sample_provenance()); });
    REQUIRE_THAT(message, Contains("does not exist"));
    REQUIRE_THAT(message, Contains((dir / "no-such-dir").string()));
    REQUIRE(dir.entries().empty());
}

TEST_CASE("writing to a path that is a directory throws and leaves it alone", "[results_h5]") {
    test::TempDir dir;
    fs::create_directory(dir / "out.h5");
    const std::string message = error_of<OutputPathError>([&] { write_results(dir / "out.h5", sample_results(), sample_provenance()); });
    REQUIRE_THAT(message, Contains("is a directory"));
    REQUIRE(fs::is_directory(dir / "out.h5"));
    REQUIRE(dir.entries() == std::vector<std::string>{"out.h5"});
}

TEST_CASE("reading something that is not a results file throws", "[results_h5]") {
    test::TempDir dir;

    SECTION("a missing file") {
        const std::string message = error_of([&] { read_results(dir / "missing.h5"); });
        REQUIRE_THAT(message, Contains("no such file"));
        REQUIRE_THAT(message, Contains("missing.h5"));
    }
    SECTION("a text file") {
        write_bytes(dir / "notes.h5", "name: not hdf5 at all\n");
        REQUIRE_THAT(error_of([&] { read_results(dir / "notes.h5"); }), Contains("not an HDF5 file"));
    }
    SECTION("a directory") {
        REQUIRE_THAT(error_of([&] { read_results(dir.path()); }), Contains("not a regular file"));
    }
    SECTION("a truncated results file") {
        write_results(dir / "good.h5", sample_results(), sample_provenance());
        const std::string bytes = read_bytes(dir / "good.h5");
        write_bytes(dir / "cut.h5", bytes.substr(0, bytes.size() / 2));
        REQUIRE_THROWS_AS(read_results(dir / "cut.h5"), ResultsFileError);
    }
    SECTION("an HDF5 file of another kind") {
        // Flip the file_type string in place (variable-length strings live uncompressed in the
        // global heap, which has no checksum) to get a valid HDF5 file that is not ours.
        write_results(dir / "good.h5", sample_results(), sample_provenance());
        std::string bytes = read_bytes(dir / "good.h5");
        const std::string tag = "gatesim-results";
        const auto at = bytes.find(tag);
        REQUIRE(at != std::string::npos);
        REQUIRE(bytes.find(tag, at + 1) == std::string::npos);
        bytes.replace(at, tag.size(), "someone-elses!!");
        write_bytes(dir / "foreign.h5", bytes);
        const std::string message = error_of([&] { read_results(dir / "foreign.h5"); });
        REQUIRE_THAT(message, Contains("not a gatesim results file"));
        REQUIRE_THAT(message, Contains("someone-elses!!"));
        REQUIRE_THAT(message, Contains("expected \"gatesim-results\""));
    }
}

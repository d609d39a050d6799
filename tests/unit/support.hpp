// Helpers shared by the unit tests: library scenarios at test-sized populations.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "model/engine.hpp"
#include "model/world.hpp"
#include "study/ensemble.hpp"
#include "io/scenario_yaml.hpp"

namespace gatesim::test {

inline std::string library_file(const std::string& name) {
    return std::string(GATESIM_SOURCE_DIR) + "/scenarios/" + name + ".yaml";
}

// A fresh directory per test case, removed with its contents, so leftover temporary files are
// attributable and visible.
class TempDir {
public:
    TempDir() {
        static unsigned counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("gatesim-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()) + "-" +
                 std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return path_ / name;
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    std::filesystem::path path_;
};

// A TempDir holding a copy of scenarios/defaults.yaml, for scenario files that extend it.
struct Sandbox : TempDir {
    Sandbox() { std::filesystem::copy_file(library_file("defaults"), *this / "defaults.yaml"); }
};

// A library scenario with a small population, plus any overrides (key.path=value). Enterprises
// scale with it (one agent per 12 users, as 500 per 6,000) unless an override sets them.
inline Scenario small(const std::string& name, std::vector<std::string> overrides = {}, int agents = 6000) {
    overrides.insert(overrides.begin(), {"population.agents=" + std::to_string(agents), "enterprises.agents=" + std::to_string(agents / 12)});
    return load_scenario(library_file(name), overrides).scenario;
}

// Overrides that make the restricted provider lab_a large outside china (its weight 12 in every
// region it serves), so that a small population carries enough of its users for statistics on
// mechanisms. The default world gives lab_a about 5% of users.
inline std::vector<std::string> lab_a_heavy() {
    std::vector<std::string> out;
    for (const char* r : {"us", "india", "brazil", "japan", "south_korea", "europe", "rest"})
        out.push_back(std::string("regions.") + r + ".provider_weights.lab_a=12");
    return out;
}

// A library scenario with lab_a large (lab_a_heavy) and a small population.
inline Scenario heavy(const std::string& name, std::vector<std::string> overrides = {}, int agents = 6000) {
    auto o = lab_a_heavy();
    o.insert(o.end(), overrides.begin(), overrides.end());
    return small(name, o, agents);
}

// The scenario with overrides applied, validated exactly as the CLI validates --set.
inline Scenario with(const Scenario& s, const std::vector<std::string>& overrides) {
    return load_scenario_text(to_yaml(s), "test", ".", overrides).scenario;
}

// The same field set on every segment, as overrides for with().
inline std::vector<std::string> all_segments(const Scenario& s, const std::string& field, const std::string& value) {
    std::vector<std::string> out;
    for (const auto& g : s.segments) out.push_back("segments." + g.id + "." + field + "=" + value);
    return out;
}

// Enterprises in a state on a day.
inline double enterprises(const Results& r, std::size_t day, EnterpriseState st) {
    return r.series_named("enterprises_by_state").at(day, static_cast<std::size_t>(st));
}

// Sum of a breakdown series over all cells on a day.
inline double total(const Results& r, const char* name, std::size_t day) {
    const auto& s = r.series_named(name);
    double sum = 0;
    for (std::size_t c = 0; c < s.width(); ++c) sum += s.at(day, c);
    return sum;
}

inline Results run(const Scenario& s, int threads = 1) {
    RunOptions options;
    options.threads = threads;
    return simulate(s, options);
}

// A plan of one point: the scenario with its uncertain fields, `replicates` replicates, split
// into draws of `noise` noise replicates (default: one draw), recording the uncertain fields.
inline EnsemblePlan plan_of(const Scenario& s, std::uint64_t replicates, std::vector<UncertainParameter> uncertain = {},
                            std::uint64_t noise = 0) {
    EnsemblePlan plan;
    plan.points.push_back(EnsemblePoint::of(s, std::move(uncertain)));
    plan.replicates = replicates;
    plan.noise_replicates = noise ? noise : replicates;
    for (const auto& u : plan.points.front().uncertain) plan.recorded_parameters.push_back(u.key_path);
    return plan;
}

}  // namespace gatesim::test

// Helpers shared by the unit tests: library scenarios at test-sized populations.
#pragma once

#include <string>
#include <vector>

#include "core/engine.hpp"
#include "io/scenario_yaml.hpp"

namespace gatesim::test {

inline std::string library_file(const std::string& name) {
    return std::string(GATESIM_SOURCE_DIR) + "/scenarios/" + name + ".yaml";
}

// A library scenario with a small population, plus any overrides (key.path=value).
inline Scenario small(const std::string& name, std::vector<std::string> overrides = {}, int agents = 6000) {
    overrides.insert(overrides.begin(), "population.agents=" + std::to_string(agents));
    return load_scenario(library_file(name), overrides).scenario;
}

// The scenario with overrides applied, validated exactly as the CLI validates --set.
inline Scenario with(const Scenario& s, const std::vector<std::string>& overrides) {
    return load_scenario_text(to_yaml(s), "test", ".", overrides).scenario;
}

inline Results run(const Scenario& s, int threads = 1) {
    RunOptions options;
    options.threads = threads;
    return simulate(s, options);
}

}  // namespace gatesim::test

// libFuzzer harness of --set overrides: each line of the input (up to 8) is one
// `key.path=value` assignment, applied in turn with apply_override to the global_shutdown
// scenario. A failed assignment must be a ScenarioError and leave the scenario exactly as it
// was; the scenario the successful ones leave must load back the same from its own YAML.
// Anything else is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "io/scenario_yaml.hpp"

using namespace gatesim;

namespace {

[[noreturn]] void finding(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_override: %s\n%s\n", what, detail.c_str());
    std::abort();
}

const LoadedScenario& library_scenario() {
    static const LoadedScenario loaded = load_scenario(GATESIM_SOURCE_DIR "/scenarios/global_shutdown.yaml");
    return loaded;
}

const std::string& library_yaml() {
    static const std::string yaml = to_yaml(library_scenario());
    return yaml;
}

// Inputs of more lines add little coverage and much time (to_yaml is slow under the sanitizers).
constexpr int max_assignments = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    LoadedScenario scenario = library_scenario();
    std::string current = library_yaml();  // to_yaml(scenario), or empty when not yet known
    bool changed = false;
    std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
    int count = 0;
    for (std::string assignment; count < max_assignments && std::getline(lines, assignment); ++count) {
        const LoadedScenario before = scenario;
        try {
            apply_override(scenario, assignment);
        } catch (const ScenarioError&) {
            if (current.empty()) current = to_yaml(before);
            if (to_yaml(scenario) != current) finding("a failed override changed the scenario", assignment);
            continue;
        }
        current.clear();
        changed = true;
    }
    if (!changed) return 0;
    const std::string written = to_yaml(scenario);
    try {
        if (to_yaml(load_scenario_text(written, "<round trip>", ".")) != written)
            finding("the round trip changed the scenario", std::string(reinterpret_cast<const char*>(data), size) + "\n--- YAML:\n" + written);
    } catch (const ScenarioError& e) {
        finding("an overridden scenario does not load back from its own YAML",
                std::string(reinterpret_cast<const char*>(data), size) + "\n" + e.what());
    }
    return 0;
}

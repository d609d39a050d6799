// libFuzzer harness of --set overrides: each line of the input is one `key.path=value`
// assignment, applied in turn with apply_override to the global_shutdown scenario. A failed
// assignment must be a ScenarioError and leave the scenario exactly as it was; a successful one
// must leave a scenario that loads back from its own YAML. Anything else is a finding.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    LoadedScenario scenario = library_scenario();
    std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
    for (std::string assignment; std::getline(lines, assignment);) {
        const std::string before = to_yaml(scenario);
        try {
            apply_override(scenario, assignment);
        } catch (const ScenarioError&) {
            if (to_yaml(scenario) != before) finding("a failed override changed the scenario", assignment);
            continue;
        }
        const std::string written = to_yaml(scenario);
        try {
            if (to_yaml(load_scenario_text(written, "<round trip>", ".")) != written)
                finding("the round trip changed the scenario", assignment + "\n--- YAML:\n" + written);
        } catch (const ScenarioError& e) {
            finding("an overridden scenario does not load back from its own YAML", assignment + "\n" + e.what());
        }
    }
    return 0;
}

// libFuzzer harness of the scenario reader: any bytes as a scenario file (resolved next to the
// library, so `extends: defaults.yaml` works). A load either fails with a ScenarioError or
// succeeds; a scenario that loads must survive its own YAML: written with to_yaml and loaded
// again it must be the same scenario, with the same uncertain parameters. Anything else (another
// exception, a sanitizer report, a timeout) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/scenario_yaml.hpp"

using namespace gatesim;

namespace {

[[noreturn]] void finding(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_scenario: %s\n%s\n", what, detail.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    LoadedScenario first;
    try {
        first = load_scenario_text(text, "<fuzz>", GATESIM_SOURCE_DIR "/scenarios");
    } catch (const ScenarioError&) {
        return 0;  // bad input, reported as such
    }
    const std::string written = to_yaml(first);
    LoadedScenario again;
    try {
        again = load_scenario_text(written, "<round trip>", ".");
    } catch (const ScenarioError& e) {
        finding("a loaded scenario does not load back from its own YAML", e.what() + std::string("\n--- YAML:\n") + written);
    }
    if (to_yaml(again.scenario) != to_yaml(first.scenario))
        finding("the round trip changed the scenario", to_yaml(first.scenario) + "\n--- became:\n" + to_yaml(again.scenario));
    if (again.uncertain != first.uncertain) finding("the round trip changed the uncertain parameters", written);
    return 0;
}

// Scenario files: YAML in, typed and validated Scenario out, and back to YAML.
//
// A file may `extends:` another (path relative to the file). Layers apply base first, each
// one a deep patch over the previous: maps merge key by key, named entities (regions,
// models, ...) merge by id, lists and scalars replace. An entity set to null is removed.
// `--set key.path=value` overrides are one more layer on top.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "study/parameters.hpp"
#include "model/scenario.hpp"

namespace YAML {
class Node;
}

namespace gatesim {

struct SourceLocation {
    std::string file;  // a path, or a description such as "--set directive.day=3"
    int line = 0;      // 1-based; 0 when unknown
    int column = 0;    // 1-based; 0 when unknown
};

struct ScenarioProblem {
    SourceLocation where;
    std::string key_path;  // e.g. models.frontier.capability; empty for the document itself
    std::string message;

    std::string to_string() const;  // file:line:column: key.path: message
};

// Every problem found in a scenario, in the order found. what() lists them one per line.
class ScenarioError : public BadInput {
public:
    explicit ScenarioError(std::vector<ScenarioProblem> problems);
    const std::vector<ScenarioProblem>& problems() const { return problems_; }

private:
    std::vector<ScenarioProblem> problems_;
};

// A validated scenario and where each of its fields was last set.
struct LoadedScenario {
    Scenario scenario;
    std::map<std::string, SourceLocation> locations;
    // Numeric fields given as a distribution ({dist: lognormal, median: 3, sigma: 0.4}) where a
    // number is expected, in the order first set. The scenario holds each one's central value,
    // so validating, showing and single runs work; ensembles draw them per parameter draw.
    std::vector<UncertainParameter> uncertain;
};

// What studies take of it (sim/study knows no LoadedScenario).
inline StudyScenario study_scenario(const LoadedScenario& loaded) { return {loaded.scenario, loaded.uncertain}; }

// Loads, merges, overrides and validates. Throws ScenarioError.
LoadedScenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

// Same, from YAML text; `origin` names it in messages and `base_dir` resolves `extends:`.
LoadedScenario load_scenario_text(const std::string& yaml, const std::string& origin,
                                  const std::filesystem::path& base_dir,
                                  const std::vector<std::string>& overrides = {});

// Applies `key.path=value` (the value is YAML) and re-validates. Throws ScenarioError and
// leaves `loaded` unchanged on failure.
void apply_override(LoadedScenario& loaded, const std::string& assignment);

// The fully resolved scenario as YAML; loading it again gives the same scenario.
std::string to_yaml(const Scenario& scenario);
// Same, with uncertain fields written as their distributions (what `gatesim show` prints).
std::string to_yaml(const LoadedScenario& loaded);
std::string to_yaml(const Scenario& scenario, const std::vector<UncertainParameter>& uncertain);
// A distribution as a one-line YAML map, e.g. {dist: uniform, low: 1, high: 2}.
std::string to_yaml(const Distribution& distribution);

// Reads a number or a distribution map written as in scenario files, checking parameters
// against [min, max]; for the sections beside a scenario (sweep:, sensitivity:). Appends
// located problems and returns nothing when there are any.
std::optional<Distribution> read_distribution(const YAML::Node& node, const std::string& file,
                                              const std::string& key_path, double min, double max,
                                              std::vector<ScenarioProblem>& problems);

}  // namespace gatesim

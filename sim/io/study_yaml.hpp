// Study sections of scenario files: `sweep:` (parameters to vary and how) and `sensitivity:`
// (a global sensitivity analysis), read with located errors like the scenario itself.
//
//   sweep:
//     design: lhs                 # grid | lhs | sobol
//     points: 32                  # lhs/sobol points; grid: levels of each range/distribution
//     replicates: 4
//     parameters:
//       directive.day: [7, 14, 28]                                   # values
//       segments.consumer.patience_days: {low: 3, high: 14}         # a range (levels: n)
//       models.a_frontier.capability: {dist: triangular, low: 0.8, mode: 0.95, high: 1}
//   sensitivity:
//     method: sobol               # morris | sobol
//     samples: 256                # sobol: base samples n; morris: trajectories
//     bootstrap: 500
//     levels: 4                   # morris
//     outputs: [churn_at_horizon, peak_blocked]
//     parameters: {...}           # as in sweep:
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "study/designs.hpp"
#include "model/scenario.hpp"

namespace gatesim {

struct SweepSection {
    bool present = false;
    std::optional<SweepDesign> design;
    std::optional<std::uint64_t> points;
    std::optional<std::uint64_t> replicates;
    std::vector<SweepParameter> parameters;
};

struct SensitivitySection {
    bool present = false;
    std::optional<std::string> method;
    std::optional<std::uint64_t> samples;
    std::optional<std::uint64_t> bootstrap;
    std::optional<std::uint64_t> levels;
    std::optional<std::uint64_t> replicates;
    std::vector<std::string> outputs;
    std::vector<SweepParameter> parameters;
};

struct StudySections {
    SweepSection sweep;
    SensitivitySection sensitivity;
};

// Reads the sections of `file` (sections are not inherited through extends). Each parameter's
// key path must name a numeric field of `scenario`, and its values, range or distribution must
// lie in that field's range. With `sections_only`, any other top-level key is an error (a
// separate --sweep file). Throws ScenarioError.
StudySections load_study_sections(const std::filesystem::path& file, Scenario& scenario, bool sections_only);

}  // namespace gatesim

// Metrics: the daily tally each agent block fills, and the assembly of results (series and
// summary scalars, with paired deltas against the counterfactual) from the reduced tallies.
#pragma once

#include <cstddef>
#include <vector>

#include "model/tallies.hpp"
#include "model/results.hpp"
#include "model/scenario.hpp"
#include "model/world.hpp"

namespace gatesim {

Results assemble_results(const Scenario& s, const World& w, const TallyLayout& layout, const Trajectory& scenario,
                         const Trajectory& counterfactual, std::uint64_t replicate);

}  // namespace gatesim

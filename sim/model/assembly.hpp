// Results from the two trajectories of a run, the scenario's and its counterfactual's: the daily
// series (series.cpp) and the summary scalars (scalars.cpp), with paired deltas against the
// counterfactual.
#pragma once

#include <vector>

#include "model/results.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/world.hpp"

namespace gatesim {

// Headline totals, breakdowns by region x nationality x segment x channel, flows, revenue,
// enterprises, verification, leakage and paired deltas, in that order.
std::vector<Series> daily_series(const Scenario& s, const TrajectoryView& run, const TrajectoryView& counterfactual);

// Peak disruption, churn, recovery, value lost, revenue, leakage, collateral, costs, penalties,
// over the views' cells (a scope's, or everyone's). `run_level` adds the days of the run's events
// (order, first stage, decision, escalation), which no scope changes.
std::vector<Scalar> summary_scalars(const Scenario& s, const World& w, const TrajectoryView& run, const TrajectoryView& counterfactual,
                                    bool run_level = true);

// Sentences for the outputs that contradict the world's scale (Results::warnings).
std::vector<std::string> sanity_warnings(const Scenario& s, const World& w, const TrajectoryView& run, const TrajectoryView& counterfactual,
                                         const std::vector<Scalar>& scalars);

}  // namespace gatesim

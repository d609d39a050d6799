// Enterprises: each enterprise's workload state day by day. While disrupted it waits, fails over
// to a tested fallback, migrates (integration-depth days, at a cost) or, under a rule that takes
// attestations, sets up attestation for its US-person employees; it returns when access does.
// Employees follow their employer for work use (users.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "model/choice.hpp"
#include "model/regulation.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/world.hpp"

namespace gatesim {

// What the employees' step reads of their employers today.
struct EmployerStatus {
    explicit EmployerStatus(std::size_t enterprises) : disrupted(enterprises, 0), normal(enterprises, 1) {}
    std::vector<std::uint8_t> disrupted;  // [enterprise]: its primary model is closed to it today
    std::vector<std::uint8_t> normal;     // [enterprise]: employees work as usual today
};

// What every enterprise's decision reads on one day.
struct EnterpriseStep {
    const Scenario& s;
    std::uint64_t replicate;
    const DayPolicy& policy;
    const ChoiceUtilities& choices;
    int day;
};

// Advances every enterprise one day: updates `status`, adds enterprises by enterprise cell and
// state into `by_state` ([ecell * enterprise_state_count + state]) and the day's migration cost
// (USD) by enterprise cell into `migration_cost` ([ecell]).
void step_enterprises(const EnterpriseStep& step, EnterpriseTable& t, EmployerStatus& status, double* by_state, double* migration_cost);

}  // namespace gatesim

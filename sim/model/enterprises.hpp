// Enterprises: each enterprise's workload state day by day. While disrupted it waits, fails over
// to a tested fallback, migrates (integration-depth days, at a cost) or, under a rule that takes
// attestations, sets up attestation for its US-person employees; it returns when access does,
// and may then add a fallback. While served by a model the news puts at risk it may migrate or
// shift load ahead of a block (anticipation.hpp); a migration back takes its integration days.
// Fail-overs and migrations fit in competitors' spare capacity. Employees follow their employer
// for work use (users.cpp).
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
    double belief;            // today's belief that the models at risk will be lost (anticipation.hpp)
    const std::uint8_t* at_risk;  // [model]: put at risk by the news
    // Capacity (capacity.hpp): [model] users a model can still take today, drawn down as
    // enterprises move onto it; null when no model has a capacity. staff: [enterprise] real users.
    double* spare;
    const double* staff;
    int threads = 1;  // blocks of enterprises in parallel when no model has a capacity
};

// Real users employed by each enterprise: what its fail-over or migration brings onto a model.
std::vector<double> enterprise_staff(const Users& users, std::size_t enterprises, int threads);

// Each model's spare serving capacity for enterprises today: its capacity less the users it had
// yesterday (`yesterday` a day of the trajectory, or null on day 0: the users preferring it);
// infinite without a capacity. Empty when no model has a capacity.
std::vector<double> enterprise_spare_capacity(const Scenario& s, const TallyLayout& layout, const double* yesterday,
                                              const std::vector<double>& initial_home_users);

// What one day of enterprises adds to the trajectory, by enterprise cell.
struct EnterpriseDay {
    double* by_state;        // [ecell * enterprise_state_count + state]: enterprises
    double* migration_cost;  // [ecell]: USD spent on migrations today
    double* load_shifted;    // [ecell]: enterprises x share of their workload shifted onto the fallback
    std::size_t cells;       // enterprise cells
};

// Advances every enterprise one day: updates `status` and adds into `out`. Without capacities
// (which admit enterprises in index order) blocks of enterprises run in parallel, each adding into
// rows of its own that are summed in block order: the same for any thread count.
void step_enterprises(const EnterpriseStep& step, EnterpriseTable& t, EmployerStatus& status, const EnterpriseDay& out);

}  // namespace gatesim

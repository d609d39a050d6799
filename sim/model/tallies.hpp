// Tallies: the layout of one day's flat tally, the per-block tallies the user step fills and
// their reduction in block order, the trajectory that records every day, and a read-only view
// of a trajectory as daily quantities (what series.cpp and scalars.cpp assemble results from).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/rules.hpp"
#include "model/scenario.hpp"
#include "model/world.hpp"

namespace gatesim {

enum CellMetric : std::size_t {
    m_active, m_blocked, m_waiting, m_switched, m_returned, m_value_delivered, m_value_lost, m_spend, cell_metric_count
};

enum VerificationMetric : std::size_t {
    v_queue, v_in_review, v_checks, v_reviews, v_applied, v_verified_us, v_false_accept, v_false_reject, v_rejected_foreign,
    v_abandoned, verification_metric_count
};

// Offsets of every quantity in one flat day-tally, so blocks add up with one loop.
struct TallyLayout {
    std::size_t cells, models, channels;

    TallyLayout(const Scenario& s, const World& w)
        : cells(s.regions.size() * 2 * s.segments.size() * 3), models(s.models.size()), channels(w.channels) {}

    std::size_t cell(std::size_t c, CellMetric k) const { return c * cell_metric_count + k; }
    std::size_t users_by_model(std::size_t m, Nationality n) const { return cells * cell_metric_count + m * 2 + static_cast<std::size_t>(n); }
    std::size_t tokens(std::size_t m, std::size_t channel) const { return users_by_model(models, Nationality::us_person) + m * channels + channel; }
    std::size_t flow(std::size_t from, std::size_t to) const { return tokens(models, 0) + from * models + to; }
    std::size_t turned_away(std::size_t m) const { return flow(models, 0) + m; }
    std::size_t foreign_route(Route r) const { return turned_away(models) + static_cast<std::size_t>(r) - 1; }
    std::size_t gap_sum() const { return foreign_route(Route::permitted) + leak_route_count; }
    std::size_t cyber_gap_sum() const { return gap_sum() + 1; }
    std::size_t gap_weight() const { return gap_sum() + 2; }
    std::size_t us_blocked() const { return gap_sum() + 3; }
    std::size_t affected_us() const { return gap_sum() + 4; }
    std::size_t verified_affected_us() const { return gap_sum() + 5; }
    std::size_t verification(VerificationMetric v) const { return gap_sum() + 6 + v; }
    std::size_t width() const { return verification(verification_metric_count); }
};

// One day's tallies of each agent block. A block writes only its own, so the result never
// depends on how many threads ran or in which order.
class BlockTallies {
public:
    BlockTallies(std::size_t blocks, std::size_t width) : width_(width), values_(blocks * width, 0.0) {}

    std::size_t blocks() const { return values_.size() / width_; }
    double* block(std::size_t b) { return &values_[b * width_]; }
    const double* block(std::size_t b) const { return &values_[b * width_]; }
    // Adds every block into `row` in block order, so sums are identical for any thread count.
    void reduce_into(double* row) const;

private:
    std::size_t width_;
    std::vector<double> values_;
};

// Everything one trajectory (the scenario or its counterfactual) recorded, day by day.
struct Trajectory {
    std::vector<double> daily;                  // [day * layout.width() + offset]
    std::vector<double> enterprises_by_state;   // [day * enterprise_state_count + state], enterprises
    std::vector<double> migration_cost;         // [day], USD
    std::vector<double> verification_cost;      // [day], USD
    std::vector<std::uint8_t> controlled;       // [day * models + model]
    std::vector<double> initial_home_users;     // [model]: users preferring it before any directive
    int first_stage_day = -1;
    int decision_day = -1;
    int escalation_day = -1;
};

// An empty record of s.days days; initial_home_users from the users' preferred models.
Trajectory start_trajectory(const Scenario& s, const TallyLayout& layout, const Users& users);

// Reads one trajectory's tallies as daily quantities.
class TrajectoryView {
public:
    TrajectoryView(const Scenario& s, const World& w, const TallyLayout& L, const Trajectory& t) : s_(s), w_(w), L_(L), t_(t) {}

    int days() const { return s_.days; }
    double at(int day, std::size_t offset) const { return t_.daily[static_cast<std::size_t>(day) * L_.width() + offset]; }
    double cells_total(int day, CellMetric k) const;
    double users_of(int day, std::size_t m) const;
    double users_on(int day, const std::vector<std::string>& models) const;
    // Provider's share of a model's revenue on a channel, and the cloud partner's.
    double model_revenue(int day, std::size_t m, std::size_t channel) const;
    double provider_revenue(int day, std::size_t provider) const;
    double partner_revenue(int day, std::size_t partner) const;
    double foreign_access(int day) const;
    double value_delivered(int day) const { return cells_total(day, m_value_delivered); }
    double enterprises_in(int day, EnterpriseState state) const {
        return t_.enterprises_by_state[static_cast<std::size_t>(day) * enterprise_state_count + static_cast<std::size_t>(state)];
    }
    const Trajectory& trajectory() const { return t_; }
    const TallyLayout& layout() const { return L_; }

private:
    const Scenario& s_;
    const World& w_;
    const TallyLayout& L_;
    const Trajectory& t_;
};

}  // namespace gatesim

// Tallies: the layout of one day's flat tally, the tallies each group of agent blocks fills and
// their reduction in group order, the trajectory that records every day, and a read-only view of
// a trajectory as daily quantities over a selection of cells (what series.cpp and scalars.cpp
// assemble results from; a scope is such a selection).
//
// Everything a summary scalar needs is tallied by breakdown cell (region x nationality x segment
// x channel kind) or, for enterprises, by enterprise cell (HQ region x channel kind), so that any
// scope's scalars are the same formulas over fewer cells.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/rules.hpp"
#include "model/scenario.hpp"
#include "model/scope.hpp"
#include "model/world.hpp"

namespace gatesim {

// Per breakdown cell, per day, in real users or USD per day.
enum CellMetric : std::size_t {
    m_active,              // on the preferred model
    m_blocked,             // preferred model closed to the user (waiting or on an alternative)
    m_waiting,             // blocked, using no model
    m_switched,            // on an alternative because of the directive (blocked, or churned)
    m_returned,            // back on the preferred model after switching (state returned)
    m_value_delivered,     // USD: tasks x value per task x relative capability
    m_value_lost,          // USD: against the preferred model
    m_churned,             // on an alternative although the preferred model is open to the user
    m_value_lost_blocked,  // USD: value lost by users blocked today
    m_newly_blocked,       // blocked for the first time (a flow: its running sum is the users ever blocked)
    // Foreign nationals using a model of the order (or a successor), by route: unrestricted (no
    // rule governs the model today), then the Routes permitted .. reseller.
    m_access_unrestricted, m_access_permitted, m_access_false_accept, m_access_circumvention, m_access_exemption,
    m_access_account_sharing, m_access_reseller,
    m_access_equivalent,   // foreign nationals on another model of equivalent cyber capability
    // USD: what the foreign nationals on each route to a controlled model paid today (its transaction value).
    m_paid_permitted, m_paid_false_accept, m_paid_circumvention, m_paid_exemption, m_paid_account_sharing, m_paid_reseller,
    m_circumventing,       // users of any nationality on a model through circumvention of a location gate
    m_circumvention_detected,  // circumventors caught today (circumvention.adoption)
    m_account_sharing_detected, m_reseller_detected,  // users caught on a leakage route today (leakage.hpp)
    m_outside_market,      // users not yet in the market (market_entry.hpp): counted in nothing else
    m_flagged,             // users flagged today on a fenced model: caught circumventors and wrongly flagged (appeals.hpp)
    m_wrongly_flagged,     // legitimate users flagged today
    m_reinstated,          // flagged users an appeal reinstated today
    cell_metric_count
};

// Per breakdown cell: the verification programme's stocks (queue, in_review) and daily counts.
enum VerificationMetric : std::size_t {
    v_queue, v_in_review, v_checks, v_reviews, v_applied, v_verified_us, v_false_accept, v_false_reject, v_rejected_foreign,
    v_abandoned, verification_metric_count
};

// Per (region x nationality x segment, channel, provider): usage-billed sales at list price
// (USD per day, before any partner's share) and monthly recurring subscription revenue (USD per
// month, the stock of plans paid for).
enum MoneyMetric : std::size_t { money_usage, money_mrr, money_metric_count };

// The access metric of a route to a controlled model.
constexpr CellMetric access_metric(Route r) { return static_cast<CellMetric>(m_access_permitted + static_cast<std::size_t>(r) - 1); }
constexpr CellMetric paid_metric(Route r) { return static_cast<CellMetric>(m_paid_permitted + static_cast<std::size_t>(r) - 1); }

inline constexpr std::size_t channel_kinds = 3;

// Offsets of every quantity in one flat day-tally, so groups add up with one loop.
struct TallyLayout {
    std::size_t cells, models, channels, providers;

    TallyLayout(const Scenario& s, const World& w)
        : cells(s.regions.size() * 2 * s.segments.size() * channel_kinds), models(s.models.size()), channels(w.channels),
          providers(s.providers.size()) {}

    std::size_t cell(std::size_t c, CellMetric k) const { return c * cell_metric_count + k; }
    std::size_t verification(std::size_t c, VerificationMetric v) const { return cells * cell_metric_count + c * verification_metric_count + v; }
    // The first money slot of a cell's (region x nationality x segment) on `channel`, for `provider`.
    std::size_t money(std::size_t c, std::size_t channel, std::size_t provider) const {
        return verification(cells, v_queue) + (((c / channel_kinds) * channels + channel) * providers + provider) * money_metric_count;
    }
    // Users using model m, by the breakdown cell they belong to (all cells: these are not scoped).
    std::size_t users_by_model(std::size_t m, std::size_t c) const { return money(cells, 0, 0) + m * cells + c; }
    std::size_t flow(std::size_t from, std::size_t to) const { return users_by_model(models, 0) + from * models + to; }
    std::size_t turned_away(std::size_t m) const { return flow(models, 0) + m; }
    std::size_t gap_sum() const { return turned_away(models); }
    std::size_t cyber_gap_sum() const { return gap_sum() + 1; }
    std::size_t gap_weight() const { return gap_sum() + 2; }
    std::size_t affected_us() const { return gap_sum() + 3; }
    std::size_t verified_affected_us() const { return gap_sum() + 4; }
    std::size_t width() const { return gap_sum() + 5; }

    // A verification metric summed over every cell of a day's row.
    double verification_total(const double* row, VerificationMetric v) const;
};

// Agent blocks are tallied in groups: a group's blocks run in order on one thread into one tally,
// and groups add up in group order, so results never depend on the thread count. Groups keep the
// cost of clearing and adding up the (wide, per-cell) tallies small against the users' work,
// which settled block sums have made small: 64 blocks (262,144 users) a group.
inline constexpr std::size_t tally_group_blocks = 64;

class GroupTallies {
public:
    GroupTallies(std::size_t agent_blocks, std::size_t width)
        : width_(width), values_(((agent_blocks + tally_group_blocks - 1) / tally_group_blocks) * width, 0.0) {}

    std::size_t groups() const { return values_.size() / width_; }
    double* group(std::size_t g) { return &values_[g * width_]; }
    const double* group(std::size_t g) const { return &values_[g * width_]; }
    // Adds every group into `row` in group order, so sums are identical for any thread count
    // (threads share out the row's entries).
    void reduce_into(double* row, int threads) const;

private:
    std::size_t width_;
    std::vector<double> values_;
};

// Enterprise cells: HQ region x channel kind (api or cloud).
inline std::size_t enterprise_cell(std::size_t region, std::uint8_t channel) {
    return region * channel_kinds + static_cast<std::size_t>(channel_kind(channel));
}

// Everything one trajectory (the scenario or its counterfactual) recorded, day by day.
struct Trajectory {
    std::size_t enterprise_cells = 0;
    std::vector<double> daily;                  // [day * layout.width() + offset]
    std::vector<double> enterprises_by_state;   // [(day * enterprise_cells + ecell) * enterprise_state_count + state], enterprises
    std::vector<double> migration_cost;         // [day * enterprise_cells + ecell], USD
    std::vector<double> load_shifted;           // [day * enterprise_cells + ecell], enterprises x workload share on the fallback ahead of a block
    std::vector<std::uint8_t> controlled;       // [day * models + model]
    std::vector<double> initial_home_users;     // [model]: users preferring it before any directive
    int first_stage_day = -1;
    int decision_day = -1;
    int escalation_day = -1;
};

// An empty record of s.days days; initial_home_users from the users' preferred models.
Trajectory start_trajectory(const Scenario& s, const TallyLayout& layout, const Users& users, int threads);

// The cells a view reads: every cell, or a scope's.
struct CellSelection {
    std::vector<std::uint8_t> cell;    // [breakdown cell]
    std::vector<std::uint8_t> ecell;   // [enterprise cell]
    // Enterprise quantities are defined: the scope names no nationality (an enterprise has none)
    // and, if it names segments, the employees' segment.
    bool enterprises = true;

    static CellSelection of(const Scenario& s, const Scope& scope);
};

// Reads one trajectory's tallies as daily quantities, summed over the selected cells.
class TrajectoryView {
public:
    TrajectoryView(const Scenario& s, const TallyLayout& L, const Trajectory& t, const CellSelection& cells);

    int days() const { return s_.days; }
    double at(int day, std::size_t offset) const { return t_.daily[static_cast<std::size_t>(day) * L_.width() + offset]; }
    // A cell metric over the selected cells, or over those of one nationality.
    double cells_total(int day, CellMetric k) const;
    double cells_total(int day, CellMetric k, Nationality n) const;
    double verification(int day, VerificationMetric v) const;
    // Users using a model (all cells: not scoped), and those of one nationality.
    double users_of(int day, std::size_t m) const;
    double users_of(int day, std::size_t m, Nationality n) const;

    // Money of the selected cells. Usage-billed sales of a provider's models on a channel (gross);
    // its subscriptions (monthly recurring revenue, USD per month); what it keeps (net revenue, USD
    // per day: subscriptions recognised daily plus usage sales less partners' shares); what it
    // books as usage sales (gross, except resales the partner makes under its own licence).
    double usage_sales(int day, std::size_t provider, std::size_t channel) const;
    double mrr(int day, std::size_t provider) const;
    double provider_revenue(int day, std::size_t provider) const;
    double subscription_revenue(int day, std::size_t provider) const { return mrr(day, provider) * 12.0 / 365.0; }
    double booked_usage(int day, std::size_t provider) const;
    double partner_revenue(int day, std::size_t partner) const;
    double partner_revenue(int day, std::size_t partner, std::size_t provider) const;
    // The run-rate as providers report it: 13 x the last 28 days of booked usage sales + 12 x
    // monthly subscriptions (days before 0 repeat day 0); for a partner, 13 x its last 28 days.
    std::vector<double> run_rate_path(std::size_t provider) const;
    std::vector<double> partner_run_rate_path(std::size_t partner) const;

    // Foreign access to the order's models by all routes (unrestricted included).
    double foreign_access(int day) const;
    double enterprises_in(int day, EnterpriseState state) const;
    double enterprises_disrupted(int day) const;  // in any state but normal
    double migration_cost(int day) const;
    double load_shifted(int day) const;  // enterprises x share of workload shifted onto fallbacks
    double verification_cost(int day) const;  // checks and human reviews, USD
    double value_delivered(int day) const { return cells_total(day, m_value_delivered); }

    const Trajectory& trajectory() const { return t_; }
    const TallyLayout& layout() const { return L_; }
    const CellSelection& selection() const { return cells_; }
    const Scenario& scenario() const { return s_; }

private:
    double enterprise_cells_total(const std::vector<double>& by_day_and_cell, int day) const;  // over the selected enterprise cells

    const Scenario& s_;
    const TallyLayout& L_;
    const Trajectory& t_;
    const CellSelection& cells_;
    std::vector<double> share_;  // [partner * providers + provider]
    // Sums over the selected cells, per day, made once: the accessors above read these.
    std::vector<double> metric_;        // [(day * 2 + nationality) * cell_metric_count + metric]
    std::vector<double> verification_;  // [day * verification_metric_count + v]
    std::vector<double> money_;         // [((day * providers + provider) * channels + channel) * money_metric_count + k]
    void sum_selected_cells();
};

}  // namespace gatesim

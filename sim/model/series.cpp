// The daily series of a run's results, read from its trajectory and its counterfactual's.
#include <limits>
#include <string>

#include "model/assembly.hpp"

namespace gatesim {
namespace {

constexpr double not_reached = std::numeric_limits<double>::quiet_NaN();

template <class T>
std::vector<std::string> ids(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.id);
    return out;
}

struct SeriesBuilder {
    int days;
    std::vector<Series>& out;

    // A series whose value on each day and column comes from `value(day, column)`.
    template <class Value>
    void add(std::string name, std::string unit, std::string description, std::vector<Axis> axes, Value value) {
        Series s{std::move(name), std::move(unit), std::move(description), std::move(axes), {}};
        const std::size_t width = s.width();
        s.values.resize(static_cast<std::size_t>(days) * width);
        for (int d = 0; d < days; ++d)
            for (std::size_t c = 0; c < width; ++c) s.values[static_cast<std::size_t>(d) * width + c] = value(d, c);
        out.push_back(std::move(s));
    }
};

// The axes series share.
struct Axes {
    Axis model, provider, partner;
    std::vector<Axis> cells;  // region x nationality x segment x channel

    explicit Axes(const Scenario& s)
        : model{"model", ids(s.models)},
          provider{"provider", ids(s.providers)},
          partner{"cloud_partner", ids(s.cloud_partners)},
          cells{{"region", ids(s.regions)},
                {"nationality", {"us_person", "foreign_national"}},
                {"segment", ids(s.segments)},
                {"channel", {"consumer", "api", "cloud"}}} {}
};

// Totals first: the headline series; then the breakdowns by cell.
void add_disruption(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    series.add("blocked", "users", "Users whose preferred model is closed to them", {}, [&](int d, std::size_t) { return run.cells_total(d, m_blocked); });
    series.add("waiting", "users", "Blocked users who have not switched and use no model", {}, [&](int d, std::size_t) { return run.cells_total(d, m_waiting); });
    series.add("switched", "users", "Users on an alternative model because their preferred model was closed (incl. those who stayed)", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_switched); });
    series.add("returned", "users", "Users back on their preferred model after switching", {}, [&](int d, std::size_t) { return run.cells_total(d, m_returned); });
    series.add("users_by_model", "users", "Users using each model (waiting users use none)", {axes.model},
               [&](int d, std::size_t m) { return run.users_of(d, m); });
    series.add("users_by_model_and_nationality", "users", "Users using each model, by nationality class",
               {axes.model, {"nationality", {"us_person", "foreign_national"}}},
               [&](int d, std::size_t k) { return run.at(d, L.users_by_model(k / 2, static_cast<Nationality>(k % 2))); });

    struct CellSeries { const char* name; const char* unit; const char* description; CellMetric metric; };
    for (const CellSeries& c : {CellSeries{"users_on_preferred", "users", "Users on their preferred model", m_active},
                                CellSeries{"users_blocked", "users", "Users whose preferred model is closed to them", m_blocked},
                                CellSeries{"users_waiting", "users", "Blocked users using no model", m_waiting},
                                CellSeries{"users_switched", "users", "Users on an alternative because of the directive", m_switched},
                                CellSeries{"users_returned", "users", "Users back on their preferred model after switching", m_returned},
                                CellSeries{"value_delivered", "USD per day", "Value of the work done: tasks x value per task x relative capability", m_value_delivered},
                                CellSeries{"value_lost", "USD per day", "Value lost against using the preferred model", m_value_lost},
                                CellSeries{"user_spend", "USD per day", "What users pay at list price, before any cloud partner's share", m_spend}})
        series.add(c.name, c.unit, c.description, axes.cells, [&, metric = c.metric](int d, std::size_t cell) { return run.at(d, L.cell(cell, metric)); });
}

// Where users went, what providers and partners earn, and what enterprises did.
void add_flows_and_revenue(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    const std::size_t models = L.models;
    series.add("switching_flows", "users per day", "Users moving from one model to another (switches, returns, enterprise moves)",
               {{"from_model", axes.model.labels}, {"to_model", axes.model.labels}},
               [&](int d, std::size_t k) { return run.at(d, L.flow(k / models, k % models)); });
    series.add("turned_away", "users per day", "Switchers a capacity-limited model could not admit", {axes.model},
               [&](int d, std::size_t m) { return run.at(d, L.turned_away(m)); });
    series.add("revenue_by_provider", "USD per day", "Provider revenue after cloud partners' shares", {axes.provider},
               [&](int d, std::size_t p) { return run.provider_revenue(d, p); });
    series.add("revenue_by_cloud_partner", "USD per day", "Cloud partners' revenue share on their platforms", {axes.partner},
               [&](int d, std::size_t p) { return run.partner_revenue(d, p); });
    series.add("enterprises_by_state", "enterprises", "Enterprises by workload state",
               {{"enterprise_state", {"normal", "waiting", "failed_over", "migrating", "migrated", "attestation_setup", "attesting"}}},
               [&](int d, std::size_t k) { return run.enterprises_in(d, static_cast<EnterpriseState>(k)); });
}

// The verification programme, and what the policy let through or kept out.
void add_verification_and_leakage(SeriesBuilder& series, const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    const Axis verification_axis{"verification_measure",
                                 {"queue", "in_review", "checks", "human_reviews", "applied", "verified_us_person", "false_accept",
                                  "false_reject", "rejected_foreign", "abandoned"}};
    series.add("verification", "users", "Verification: queue and in-review stocks; checks, reviews and outcomes per day", {verification_axis},
               [&](int d, std::size_t k) { return run.at(d, L.verification(static_cast<VerificationMetric>(k))); });
    series.add("verification_cost", "USD per day", "Cost of checks and human reviews", {},
               [&](int d, std::size_t) { return run.trajectory().verification_cost[static_cast<std::size_t>(d)]; });

    const Axis route_axis{"route", {"permitted", "false_accept", "circumvention", "exemption"}};
    series.add("foreign_access_controlled", "users", "Foreign nationals using a controlled model, by route (sum over days = access-days)",
               {route_axis}, [&](int d, std::size_t k) { return run.at(d, L.foreign_route(static_cast<Route>(k + 1))); });
    series.add("capability_gap", "index points", "Mean capability lost by blocked foreign nationals: controlled model minus best reachable alternative",
               {{"capability", {"general", "cyber"}}}, [&](int d, std::size_t k) {
                   const double weight = run.at(d, L.gap_weight());
                   return weight > 0 ? run.at(d, k == 0 ? L.gap_sum() : L.cyber_gap_sum()) / weight : not_reached;
               });
    series.add("us_persons_blocked", "users", "US persons whose preferred model is closed to them", {},
               [&](int d, std::size_t) { return run.at(d, L.us_blocked()); });
}

// Paired deltas: the same world and draws without the directive.
void add_deltas(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run, const TrajectoryView& cf) {
    series.add("delta_users_by_model", "users", "users_by_model minus the counterfactual's", {axes.model},
               [&](int d, std::size_t m) { return run.users_of(d, m) - cf.users_of(d, m); });
    series.add("delta_revenue_by_provider", "USD per day", "revenue_by_provider minus the counterfactual's", {axes.provider},
               [&](int d, std::size_t p) { return run.provider_revenue(d, p) - cf.provider_revenue(d, p); });
    series.add("delta_value_delivered", "USD per day", "Total value delivered minus the counterfactual's", {},
               [&](int d, std::size_t) { return run.value_delivered(d) - cf.value_delivered(d); });
    series.add("counterfactual_foreign_access", "users", "Foreign nationals on the controlled models in the counterfactual", {},
               [&](int d, std::size_t) { return cf.foreign_access(d); });
}

}  // namespace

std::vector<Series> daily_series(const Scenario& s, const TrajectoryView& run, const TrajectoryView& counterfactual) {
    std::vector<Series> out;
    SeriesBuilder series{s.days, out};
    const Axes axes(s);
    add_disruption(series, axes, run);
    add_flows_and_revenue(series, axes, run);
    add_verification_and_leakage(series, run);
    add_deltas(series, axes, run, counterfactual);
    return out;
}

}  // namespace gatesim

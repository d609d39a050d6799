// The daily series of a run's results, read from its trajectory and its counterfactual's.
#include <functional>
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
    // A series [day, axis] from one path per column (e.g. run-rates, which need a 28-day window).
    template <class Path>
    void add_paths(std::string name, std::string unit, std::string description, Axis axis, Path path) {
        std::vector<std::vector<double>> columns;
        for (std::size_t c = 0; c < axis.labels.size(); ++c) columns.push_back(path(c));
        add(std::move(name), std::move(unit), std::move(description), {std::move(axis)},
            [&](int d, std::size_t c) { return columns[c][static_cast<std::size_t>(d)]; });
    }
};

// The axes series share.
struct Axes {
    Axis model, provider, partner, sales_channel;
    std::vector<Axis> cells;  // region x nationality x segment x channel

    explicit Axes(const Scenario& s)
        : model{"model", ids(s.models)},
          provider{"provider", ids(s.providers)},
          partner{"cloud_partner", ids(s.cloud_partners)},
          sales_channel{"sales_channel", {"api"}},
          cells{{"region", ids(s.regions)},
                {"nationality", {"us_person", "foreign_national"}},
                {"segment", ids(s.segments)},
                {"channel", {"consumer", "api", "cloud"}}} {
        for (const auto& k : s.cloud_partners) sales_channel.labels.push_back(k.id);
    }
};

// Users ever blocked, by cell: the running sum of the first blocks.
std::vector<double> ever_blocked_by_cell(const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    std::vector<double> out(static_cast<std::size_t>(run.days()) * L.cells);
    for (std::size_t c = 0; c < L.cells; ++c) {
        double sum = 0;
        for (int d = 0; d < run.days(); ++d) out[static_cast<std::size_t>(d) * L.cells + c] = sum += run.at(d, L.cell(c, m_newly_blocked));
    }
    return out;
}

// Totals first, split into intended (foreign nationals a rule bars: every blocked foreign
// national, since only a rule blocks anyone) and collateral (the rest); then by cell.
void add_disruption(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    const auto foreign = Nationality::foreign_national;
    series.add("blocked", "users", "Users whose preferred model is closed to them", {}, [&](int d, std::size_t) { return run.cells_total(d, m_blocked); });
    series.add("waiting", "users", "Blocked users who have not switched and use no model", {}, [&](int d, std::size_t) { return run.cells_total(d, m_waiting); });
    series.add("switched", "users", "Users on an alternative model because their preferred model was closed (incl. those who stayed)", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_switched); });
    series.add("returned", "users", "Users back on their preferred model after switching", {}, [&](int d, std::size_t) { return run.cells_total(d, m_returned); });
    series.add("circumventing", "users", "Users on a model through circumvention of a location gate (any nationality)", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_circumventing); });
    series.add("outside_market", "users", "Users not yet in the market: they use no model (segments.*.outside_share, market entry)", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_outside_market); });
    series.add("circumvention_detected", "users", "Circumventors the provider's signals caught that day (circumvention.adoption)", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_circumvention_detected); });

    auto intended_switched = [&](int d) { return run.cells_total(d, m_switched, foreign) - run.cells_total(d, m_churned, foreign); };
    struct Split { const char* name; const char* unit; const char* what; std::function<double(int)> total, intended; };
    for (const Split& x : {Split{"blocked", "users", "blocked users", [&](int d) { return run.cells_total(d, m_blocked); },
                                 [&](int d) { return run.cells_total(d, m_blocked, foreign); }},
                           Split{"waiting", "users", "waiting users", [&](int d) { return run.cells_total(d, m_waiting); },
                                 [&](int d) { return run.cells_total(d, m_waiting, foreign); }},
                           Split{"switched", "users", "users on an alternative", [&](int d) { return run.cells_total(d, m_switched); }, intended_switched},
                           Split{"value_lost", "USD per day", "value lost", [&](int d) { return run.cells_total(d, m_value_lost); },
                                 [&](int d) { return run.cells_total(d, m_value_lost_blocked, foreign); }}}) {
        series.add(std::string(x.name) + "_intended", x.unit, std::string("Intended part of the ") + x.what + ": foreign nationals a rule bars", {},
                   [&](int d, std::size_t) { return x.intended(d); });
        series.add(std::string(x.name) + "_collateral", x.unit,
                   std::string("Collateral part of the ") + x.what + ": US persons, and anyone no rule bars today", {},
                   [&](int d, std::size_t) { return x.total(d) - x.intended(d); });
    }
    series.add("users_by_model", "users", "Users using each model (waiting users use none)", {axes.model},
               [&](int d, std::size_t m) { return run.users_of(d, m); });
    series.add("users_by_model_and_nationality", "users", "Users using each model, by nationality class",
               {axes.model, {"nationality", {"us_person", "foreign_national"}}},
               [&](int d, std::size_t k) { return run.users_of(d, k / 2, static_cast<Nationality>(k % 2)); });
    // Who uses each model, and where: sums of users by model and cell.
    const std::size_t segments = axes.cells[2].labels.size(), regions = axes.cells[0].labels.size();
    series.add("users_by_model_and_segment", "users", "Users using each model, by segment", {axes.model, axes.cells[2]},
               [&](int d, std::size_t k) {
                   double total = 0;
                   for (std::size_t c = 0; c < L.cells; ++c)
                       if ((c / channel_kinds) % segments == k % segments) total += run.at(d, L.users_by_model(k / segments, c));
                   return total;
               });
    series.add("users_by_model_region_and_segment", "users", "Users using each model, by region of residence and segment",
               {axes.model, axes.cells[0], axes.cells[2]}, [&](int d, std::size_t k) {
                   const std::size_t m = k / (regions * segments), r = k / segments % regions, g = k % segments;
                   double total = 0;
                   for (std::size_t n = 0; n < 2; ++n)
                       for (std::size_t kind = 0; kind < channel_kinds; ++kind)
                           total += run.at(d, L.users_by_model(m, ((r * 2 + n) * segments + g) * channel_kinds + kind));
                   return total;
               });

    struct CellSeries { const char* name; const char* unit; const char* description; CellMetric metric; };
    for (const CellSeries& c : {CellSeries{"users_on_preferred", "users", "Users on their preferred model", m_active},
                                CellSeries{"users_blocked", "users", "Users whose preferred model is closed to them", m_blocked},
                                CellSeries{"users_waiting", "users", "Blocked users using no model", m_waiting},
                                CellSeries{"users_switched", "users", "Users on an alternative because of the directive", m_switched},
                                CellSeries{"users_churned", "users", "Users on an alternative although their preferred model is open to them", m_churned},
                                CellSeries{"users_returned", "users", "Users back on their preferred model after switching", m_returned},
                                CellSeries{"value_delivered", "USD per day", "Value of the work done: tasks x value per task x relative capability", m_value_delivered},
                                CellSeries{"value_lost", "USD per day", "Value lost against using the preferred model", m_value_lost}})
        series.add(c.name, c.unit, c.description, axes.cells, [&, metric = c.metric](int d, std::size_t cell) { return run.at(d, L.cell(cell, metric)); });
    const auto ever = ever_blocked_by_cell(run);
    series.add("users_ever_blocked", "users", "Users blocked from their preferred model on some day so far", axes.cells,
               [&](int d, std::size_t cell) { return ever[static_cast<std::size_t>(d) * L.cells + cell]; });
    series.add("user_spend", "USD per day", "What users pay: usage billed at list price (before any cloud partner's share) and plans (monthly price x 12 / 365)",
               axes.cells, [&](int d, std::size_t cell) {
                   double paid = 0;
                   for (std::size_t channel = 0; channel < L.channels; ++channel) {
                       if (static_cast<std::size_t>(channel_kind(static_cast<std::uint8_t>(channel))) != cell % channel_kinds) continue;
                       for (std::size_t p = 0; p < L.providers; ++p)
                           paid += run.at(d, L.money(cell, channel, p) + money_usage) + run.at(d, L.money(cell, channel, p) + money_mrr) * 12.0 / 365.0;
                   }
                   return paid;
               });
}

// Where users went and what enterprises did.
void add_flows(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    const std::size_t models = L.models;
    series.add("switching_flows", "users per day", "Users moving from one model to another (switches, returns, enterprise moves)",
               {{"from_model", axes.model.labels}, {"to_model", axes.model.labels}},
               [&](int d, std::size_t k) { return run.at(d, L.flow(k / models, k % models)); });
    series.add("turned_away", "users per day", "Switchers a capacity-limited model could not admit", {axes.model},
               [&](int d, std::size_t m) { return run.at(d, L.turned_away(m)); });
    series.add("enterprises_by_state", "enterprises", "Enterprises by workload state",
               {{"enterprise_state", {"normal", "waiting", "failed_over", "migrating", "migrated", "attestation_setup", "attesting",
                                      "migrating_back", "migrating_ahead"}}},
               [&](int d, std::size_t k) { return run.enterprises_in(d, static_cast<EnterpriseState>(k)); });
    series.add("enterprise_load_shifted", "enterprises", "Multi-homed enterprises' workload shifted onto their fallback ahead of a feared block (enterprises x share)",
               {}, [&](int d, std::size_t) { return run.load_shifted(d); });
}

// What providers and cloud partners earn, and the run-rates they report.
void add_revenue(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run) {
    const std::size_t providers = axes.provider.labels.size();
    series.add("revenue_by_provider", "USD per day", "Provider net revenue: subscriptions (MRR x 12 / 365) plus usage-billed sales less cloud partners' shares",
               {axes.provider}, [&](int d, std::size_t p) { return run.provider_revenue(d, p); });
    series.add("subscription_revenue_by_provider", "USD per day", "Subscription revenue recognised per day (MRR x 12 / 365)", {axes.provider},
               [&](int d, std::size_t p) { return run.subscription_revenue(d, p); });
    series.add("mrr_by_provider", "USD per month", "Monthly recurring revenue: the plans users pay for today", {axes.provider},
               [&](int d, std::size_t p) { return run.mrr(d, p); });
    series.add("usage_sales", "USD per day", "Usage-billed sales at list price by provider and sales channel, before any cloud partner's share",
               {axes.provider, axes.sales_channel}, [&](int d, std::size_t k) {
                   const std::size_t channels = axes.sales_channel.labels.size();
                   return run.usage_sales(d, k / channels, channel_api + k % channels);
               });
    series.add("revenue_by_cloud_partner", "USD per day", "Cloud partners' share of the sales on their platforms", {axes.partner},
               [&](int d, std::size_t k) { return run.partner_revenue(d, k); });
    series.add("revenue_by_cloud_partner_and_provider", "USD per day", "Cloud partners' share of each provider's sales on their platforms",
               {axes.partner, axes.provider}, [&](int d, std::size_t k) { return run.partner_revenue(d, k / providers, k % providers); });
    series.add_paths("run_rate_by_provider", "USD per year",
                     "Run-rate as providers report it: 13 x the last 28 days of booked usage sales + 12 x monthly subscriptions", axes.provider,
                     [&](std::size_t p) { return run.run_rate_path(p); });
    series.add_paths("run_rate_by_cloud_partner", "USD per year", "13 x the last 28 days of the partner's share", axes.partner,
                     [&](std::size_t k) { return run.partner_run_rate_path(k); });
}

// The verification programme, and what the policy let through or kept out.
void add_verification_and_leakage(SeriesBuilder& series, const TrajectoryView& run) {
    const TallyLayout& L = run.layout();
    const Axis verification_axis{"verification_measure",
                                 {"queue", "in_review", "checks", "human_reviews", "applied", "verified_us_person", "false_accept",
                                  "false_reject", "rejected_foreign", "abandoned"}};
    series.add("verification", "users", "Verification: queue and in-review stocks; checks, reviews and outcomes per day", {verification_axis},
               [&](int d, std::size_t k) { return run.verification(d, static_cast<VerificationMetric>(k)); });
    series.add("verification_cost", "USD per day", "Cost of checks and human reviews", {}, [&](int d, std::size_t) { return run.verification_cost(d); });

    const Axis route_axis{"route", {"unrestricted", "permitted", "false_accept", "circumvention", "exemption", "account_sharing", "reseller"}};
    series.add("foreign_access", "users",
               "Foreign nationals using a model the order names (or a successor), by route; unrestricted = no rule governs it that day",
               {route_axis}, [&](int d, std::size_t k) { return run.cells_total(d, static_cast<CellMetric>(m_access_unrestricted + k)); });
    series.add("leakage_detected", "users", "Users the provider caught on a leakage route around a nationality gate that day (leakage.hpp)",
               {{"leakage_route", {"account_sharing", "reseller"}}},
               [&](int d, std::size_t k) { return run.cells_total(d, static_cast<CellMetric>(m_account_sharing_detected + k)); });
    series.add("foreign_access_equivalent", "users", "Foreign nationals using another model of equivalent cyber capability", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_access_equivalent); });
    series.add("capability_gap", "index points", "Mean capability lost by blocked foreign nationals: controlled model minus best reachable alternative",
               {{"capability", {"general", "cyber"}}}, [&](int d, std::size_t k) {
                   const double weight = run.at(d, L.gap_weight());
                   return weight > 0 ? run.at(d, k == 0 ? L.gap_sum() : L.cyber_gap_sum()) / weight : not_reached;
               });
    series.add("us_persons_blocked", "users", "US persons whose preferred model is closed to them", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_blocked, Nationality::us_person); });
}

// Paired deltas: the same world and draws without the directive.
void add_deltas(SeriesBuilder& series, const Axes& axes, const TrajectoryView& run, const TrajectoryView& cf) {
    series.add("delta_users_by_model", "users", "users_by_model minus the counterfactual's", {axes.model},
               [&](int d, std::size_t m) { return run.users_of(d, m) - cf.users_of(d, m); });
    series.add("delta_revenue_by_provider", "USD per day", "revenue_by_provider minus the counterfactual's", {axes.provider},
               [&](int d, std::size_t p) { return run.provider_revenue(d, p) - cf.provider_revenue(d, p); });
    series.add_paths("delta_run_rate_by_provider", "USD per year", "run_rate_by_provider minus the counterfactual's", axes.provider, [&](std::size_t p) {
        auto path = run.run_rate_path(p);
        const auto base = cf.run_rate_path(p);
        for (std::size_t d = 0; d < path.size(); ++d) path[d] -= base[d];
        return path;
    });
    series.add("delta_value_delivered", "USD per day", "Total value delivered minus the counterfactual's", {},
               [&](int d, std::size_t) { return run.value_delivered(d) - cf.value_delivered(d); });
    series.add("counterfactual_foreign_access", "users", "Foreign nationals using the order's models (or successors) in the counterfactual", {},
               [&](int d, std::size_t) { return cf.foreign_access(d); });
    series.add("counterfactual_foreign_access_equivalent", "users", "foreign_access_equivalent in the counterfactual", {},
               [&](int d, std::size_t) { return cf.cells_total(d, m_access_equivalent); });
}

}  // namespace

std::vector<Series> daily_series(const Scenario& s, const TrajectoryView& run, const TrajectoryView& counterfactual) {
    std::vector<Series> out;
    SeriesBuilder series{s.days, out};
    const Axes axes(s);
    add_disruption(series, axes, run);
    add_flows(series, axes, run);
    add_revenue(series, axes, run);
    add_verification_and_leakage(series, run);
    add_deltas(series, axes, run, counterfactual);
    return out;
}

}  // namespace gatesim

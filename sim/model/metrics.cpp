// Assembly of results from the reduced daily tallies of a run and its counterfactual.
#include "model/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gatesim {
namespace {

constexpr double not_reached = std::numeric_limits<double>::quiet_NaN();

template <class T>
std::vector<std::string> ids(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.id);
    return out;
}

// Reads one trajectory's tallies as daily quantities.
class View {
public:
    View(const Scenario& s, const World& w, const TallyLayout& L, const Trajectory& t) : s_(s), w_(w), L_(L), t_(t) {}

    int days() const { return s_.days; }
    double at(int day, std::size_t offset) const { return t_.daily[static_cast<std::size_t>(day) * L_.width() + offset]; }
    double cells_total(int day, CellMetric k) const {
        double total = 0;
        for (std::size_t c = 0; c < L_.cells; ++c) total += at(day, L_.cell(c, k));
        return total;
    }
    double users_of(int day, std::size_t m) const {
        return at(day, L_.users_by_model(m, Nationality::us_person)) + at(day, L_.users_by_model(m, Nationality::foreign_national));
    }
    double users_on(int day, const std::vector<std::string>& models) const {
        double total = 0;
        for (const auto& id : models) total += users_of(day, static_cast<std::size_t>(index_of(s_.models, id)));
        return total;
    }
    // Provider's share of a model's revenue on a channel, and the cloud partner's.
    double model_revenue(int day, std::size_t m, std::size_t channel) const {
        return at(day, L_.tokens(m, channel)) * s_.models[m].price / 1e6;
    }
    double provider_revenue(int day, std::size_t provider) const {
        double total = 0;
        for (std::size_t m = 0; m < s_.models.size(); ++m) {
            if (static_cast<std::size_t>(w_.model_provider[m]) != provider) continue;
            for (std::size_t c = 0; c < L_.channels; ++c) {
                const double keep = c >= channel_cloud_first ? 1.0 - s_.cloud_partners[c - channel_cloud_first].revenue_share : 1.0;
                total += model_revenue(day, m, c) * keep;
            }
        }
        return total;
    }
    double partner_revenue(int day, std::size_t partner) const {
        double total = 0;
        for (std::size_t m = 0; m < s_.models.size(); ++m)
            total += model_revenue(day, m, channel_cloud_first + partner) * s_.cloud_partners[partner].revenue_share;
        return total;
    }
    double foreign_access(int day) const {
        double total = 0;
        for (auto r : {Route::permitted, Route::false_accept, Route::circumvention, Route::exemption}) total += at(day, L_.foreign_route(r));
        return total;
    }
    double value_delivered(int day) const { return cells_total(day, m_value_delivered); }
    const Trajectory& trajectory() const { return t_; }

private:
    const Scenario& s_;
    const World& w_;
    const TallyLayout& L_;
    const Trajectory& t_;
};

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

}  // namespace

Results assemble_results(const Scenario& s, const World& w, const TallyLayout& L, const Trajectory& scenario,
                         const Trajectory& counterfactual, std::uint64_t replicate) {
    const View run(s, w, L, scenario), cf(s, w, L, counterfactual);
    Results r;
    r.seed = s.seed;
    r.replicate = replicate;
    r.days = s.days;
    SeriesBuilder series{s.days, r.series};

    const Axis model_axis{"model", ids(s.models)};
    const Axis provider_axis{"provider", ids(s.providers)};
    const Axis partner_axis{"cloud_partner", ids(s.cloud_partners)};
    const std::vector<Axis> cell_axes{{"region", ids(s.regions)},
                                      {"nationality", {"us_person", "foreign_national"}},
                                      {"segment", ids(s.segments)},
                                      {"channel", {"consumer", "api", "cloud"}}};
    const std::size_t models = s.models.size();

    // Totals first: the headline series.
    series.add("blocked", "users", "Users whose preferred model is closed to them", {}, [&](int d, std::size_t) { return run.cells_total(d, m_blocked); });
    series.add("waiting", "users", "Blocked users who have not switched and use no model", {}, [&](int d, std::size_t) { return run.cells_total(d, m_waiting); });
    series.add("switched", "users", "Users on an alternative model because their preferred model was closed (incl. those who stayed)", {},
               [&](int d, std::size_t) { return run.cells_total(d, m_switched); });
    series.add("returned", "users", "Users back on their preferred model after switching", {}, [&](int d, std::size_t) { return run.cells_total(d, m_returned); });
    series.add("users_by_model", "users", "Users using each model (waiting users use none)", {model_axis},
               [&](int d, std::size_t m) { return run.users_of(d, m); });
    series.add("users_by_model_and_nationality", "users", "Users using each model, by nationality class",
               {model_axis, {"nationality", {"us_person", "foreign_national"}}},
               [&](int d, std::size_t k) { return run.at(d, L.users_by_model(k / 2, static_cast<Nationality>(k % 2))); });

    // Breakdowns by region x nationality x segment x channel.
    struct CellSeries { const char* name; const char* unit; const char* description; CellMetric metric; };
    for (const CellSeries& c : {CellSeries{"users_on_preferred", "users", "Users on their preferred model", m_active},
                                CellSeries{"users_blocked", "users", "Users whose preferred model is closed to them", m_blocked},
                                CellSeries{"users_waiting", "users", "Blocked users using no model", m_waiting},
                                CellSeries{"users_switched", "users", "Users on an alternative because of the directive", m_switched},
                                CellSeries{"users_returned", "users", "Users back on their preferred model after switching", m_returned},
                                CellSeries{"value_delivered", "USD per day", "Value of the work done: tasks x value per task x relative capability", m_value_delivered},
                                CellSeries{"value_lost", "USD per day", "Value lost against using the preferred model", m_value_lost},
                                CellSeries{"user_spend", "USD per day", "What users pay at list price, before any cloud partner's share", m_spend}})
        series.add(c.name, c.unit, c.description, cell_axes, [&, metric = c.metric](int d, std::size_t cell) { return run.at(d, L.cell(cell, metric)); });

    series.add("switching_flows", "users per day", "Users moving from one model to another (switches, returns, enterprise moves)",
               {{"from_model", model_axis.labels}, {"to_model", model_axis.labels}},
               [&](int d, std::size_t k) { return run.at(d, L.flow(k / models, k % models)); });
    series.add("turned_away", "users per day", "Switchers a capacity-limited model could not admit", {model_axis},
               [&](int d, std::size_t m) { return run.at(d, L.turned_away(m)); });
    series.add("revenue_by_provider", "USD per day", "Provider revenue after cloud partners' shares", {provider_axis},
               [&](int d, std::size_t p) { return run.provider_revenue(d, p); });
    series.add("revenue_by_cloud_partner", "USD per day", "Cloud partners' revenue share on their platforms", {partner_axis},
               [&](int d, std::size_t p) { return run.partner_revenue(d, p); });
    series.add("enterprises_by_state", "enterprises", "Enterprises by workload state",
               {{"enterprise_state", {"normal", "waiting", "failed_over", "migrating", "migrated", "attestation_setup", "attesting"}}},
               [&](int d, std::size_t k) { return scenario.enterprises_by_state[static_cast<std::size_t>(d) * enterprise_state_count + k]; });

    const Axis verification_axis{"verification_measure",
                                 {"queue", "in_review", "checks", "human_reviews", "applied", "verified_us_person", "false_accept",
                                  "false_reject", "rejected_foreign", "abandoned"}};
    series.add("verification", "users", "Verification: queue and in-review stocks; checks, reviews and outcomes per day", {verification_axis},
               [&](int d, std::size_t k) { return run.at(d, L.verification(static_cast<VerificationMetric>(k))); });
    series.add("verification_cost", "USD per day", "Cost of checks and human reviews", {},
               [&](int d, std::size_t) { return scenario.verification_cost[static_cast<std::size_t>(d)]; });

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

    // Paired deltas: the same world and draws without the directive.
    series.add("delta_users_by_model", "users", "users_by_model minus the counterfactual's", {model_axis},
               [&](int d, std::size_t m) { return run.users_of(d, m) - cf.users_of(d, m); });
    series.add("delta_revenue_by_provider", "USD per day", "revenue_by_provider minus the counterfactual's", {provider_axis},
               [&](int d, std::size_t p) { return run.provider_revenue(d, p) - cf.provider_revenue(d, p); });
    series.add("delta_value_delivered", "USD per day", "Total value delivered minus the counterfactual's", {},
               [&](int d, std::size_t) { return run.value_delivered(d) - cf.value_delivered(d); });
    series.add("counterfactual_foreign_access", "users", "Foreign nationals on the controlled models in the counterfactual", {},
               [&](int d, std::size_t) { return cf.foreign_access(d); });

    // Summary scalars.
    const int last = s.days - 1;
    const int first = scenario.first_stage_day;
    double affected = 0;
    std::vector<std::uint8_t> in_scope(models, 0);
    for (const auto& id : s.directive.models) in_scope[static_cast<std::size_t>(index_of(s.models, id))] = 1;
    if (first >= 0)
        for (std::size_t m = 0; m < models; ++m) affected += in_scope[m] ? scenario.initial_home_users[m] : 0.0;

    double peak = 0, us_blocked_days = 0, value_lost = 0, fn_days = 0, fn_cf = 0, checks = 0, false_rejects = 0, false_accepts = 0;
    double verification_cost = 0, migration_cost = 0, peak_leaked = 0, peak_failed_over = 0;
    double route_days[leak_route_count] = {0, 0, 0, 0};
    double restricted_loss = 0, restricted_loss_discounted = 0, competitor_gain = 0, partner_change = 0;
    // Restricted providers: those with a model under a rule at any time (escalation included).
    std::vector<std::uint8_t> restricted_provider(s.providers.size(), 0);
    for (std::size_t k = 0; k < scenario.controlled.size(); ++k)
        if (scenario.controlled[k]) restricted_provider[static_cast<std::size_t>(w.model_provider[k % models])] = 1;
    for (std::size_t m = 0; m < models; ++m)
        if (in_scope[m] && first >= 0) restricted_provider[static_cast<std::size_t>(w.model_provider[m])] = 1;
    for (int d = 0; d < s.days; ++d) {
        peak = std::max(peak, run.cells_total(d, m_blocked));
        us_blocked_days += run.at(d, L.us_blocked());
        value_lost += cf.value_delivered(d) - run.value_delivered(d);
        const double discount = std::pow(1.0 + s.discount_rate, -d / 365.0);
        for (std::size_t p = 0; p < s.providers.size(); ++p) {
            const double change = run.provider_revenue(d, p) - cf.provider_revenue(d, p);
            if (restricted_provider[p]) {
                restricted_loss -= change;
                restricted_loss_discounted -= change * discount;
            } else {
                competitor_gain += change;
            }
        }
        for (std::size_t p = 0; p < s.cloud_partners.size(); ++p) partner_change += run.partner_revenue(d, p) - cf.partner_revenue(d, p);
        for (std::size_t k = 0; k < leak_route_count; ++k) route_days[k] += run.at(d, L.foreign_route(static_cast<Route>(k + 1)));
        fn_days += run.foreign_access(d);
        fn_cf += cf.foreign_access(d);
        peak_leaked = std::max(peak_leaked, run.foreign_access(d) - run.at(d, L.foreign_route(Route::permitted)));
        checks += run.at(d, L.verification(v_checks));
        false_rejects += run.at(d, L.verification(v_false_reject));
        false_accepts += run.at(d, L.verification(v_false_accept));
        verification_cost += scenario.verification_cost[static_cast<std::size_t>(d)];
        migration_cost += scenario.migration_cost[static_cast<std::size_t>(d)];
        peak_failed_over = std::max(peak_failed_over, scenario.enterprises_by_state[static_cast<std::size_t>(d) * enterprise_state_count +
                                                                                   static_cast<std::size_t>(EnterpriseState::failed_over)]);
    }
    double recovery = not_reached;
    if (first >= 0)
        for (int d = first; d < s.days; ++d) {
            const double baseline = cf.users_on(d, s.directive.models);
            if (baseline > 0 && run.users_on(d, s.directive.models) >= 0.9 * baseline) {
                recovery = d - first;
                break;
            }
        }
    const double churn = run.cells_total(last, m_switched);
    const double prevented = fn_cf - fn_days;
    const double cost = value_lost + verification_cost + migration_cost;
    auto day_or_nan = [](int d) { return d >= 0 ? static_cast<double>(d) : not_reached; };

    r.scalars = {
        {"directive_day", "day", "Day the order is issued (NaN without a directive)",
         s.directive.stages.empty() ? not_reached : static_cast<double>(s.directive.day)},
        {"first_stage_day", "day", "Day the provider's response first restricts access", day_or_nan(first)},
        {"decision_day", "day", "Day of the regulator's decision to relax the order (NaN when not within the horizon)", day_or_nan(scenario.decision_day)},
        {"escalation_day", "day", "Day the rule extends to other US providers (NaN when it does not)", day_or_nan(scenario.escalation_day)},
        {"affected_users", "users", "Users whose preferred model is one of the directive's models", affected},
        {"peak_blocked", "users", "Most users blocked from their preferred model on one day", peak},
        {"churn_at_horizon", "users", "Users on an alternative model on the last day", churn},
        {"churn_share", "fraction", "churn_at_horizon as a share of affected users (NaN when none are affected)",
         affected > 0 ? churn / affected : not_reached},
        {"days_to_90pct_recovery", "days",
         "Days from the first restriction until the directive's models serve 90% of the counterfactual's users (NaN when not reached)", recovery},
        {"cumulative_value_lost", "USD", "Value delivered in the counterfactual minus in the scenario, over the horizon", value_lost},
        {"revenue_loss_restricted", "USD", "Revenue the restricted providers (any model ever under a rule) lose against the counterfactual",
         restricted_loss},
        {"revenue_loss_restricted_discounted", "USD", "The same, discounted at discount_rate", restricted_loss_discounted},
        {"competitor_revenue_gain", "USD", "Revenue providers never under a rule gain against the counterfactual", competitor_gain},
        {"cloud_partner_revenue_change", "USD", "Change of cloud partners' revenue against the counterfactual", partner_change},
        {"foreign_access_days", "user-days", "Foreign nationals' access-days to controlled models", fn_days},
        {"foreign_access_days_permitted", "user-days", "... by a rule that lets them through (e.g. residents of unfenced regions)", route_days[0]},
        {"foreign_access_days_false_accept", "user-days", "... through false acceptance in verification", route_days[1]},
        {"foreign_access_days_circumvention", "user-days", "... through circumvention (VPN)", route_days[2]},
        {"foreign_access_days_exemption", "user-days", "... through employer attestation", route_days[3]},
        {"foreign_access_days_counterfactual", "user-days", "Foreign nationals' access-days to the same models without the directive", fn_cf},
        {"foreign_access_days_prevented", "user-days", "Counterfactual minus scenario foreign access-days", prevented},
        {"leakage_share", "fraction", "Foreign access-days that remain, as a share of the counterfactual's", fn_cf > 0 ? fn_days / fn_cf : not_reached},
        {"us_person_blocked_days", "user-days", "Days US persons were blocked from their preferred model (collateral)", us_blocked_days},
        {"false_rejects", "rejections", "Checks that rejected a US person (a retry can be rejected again)", false_rejects},
        {"false_accepts", "acceptances", "Checks that accepted a foreign national", false_accepts},
        {"verification_checks", "checks", "Checks run", checks},
        {"verification_cost", "USD", "Cost of checks and human reviews", verification_cost},
        {"migration_cost", "USD", "Engineering cost of enterprise migrations", migration_cost},
        {"enterprises_migrated", "enterprises", "Enterprises on another model for good at the horizon",
         scenario.enterprises_by_state[static_cast<std::size_t>(last) * enterprise_state_count + static_cast<std::size_t>(EnterpriseState::migrated)]},
        {"peak_enterprises_failed_over", "enterprises", "Most enterprises on their fallback on one day", peak_failed_over},
        {"expected_penalties", "USD",
         "audit_probability x penalty_per_violation x the peak number of foreign nationals reaching a controlled model by a "
         "leaking route (false accept, circumvention, exemption)",
         s.regulator.audit_probability * s.regulator.penalty_per_violation * peak_leaked},
        {"cost_per_foreign_access_day_prevented", "USD per user-day",
         "(value lost + verification cost + migration cost) / foreign access-days prevented (NaN when none are prevented)",
         prevented > 0 ? cost / prevented : not_reached},
    };
    return r;
}

}  // namespace gatesim

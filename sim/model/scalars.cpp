// The summary scalars of a run's results: totals over the horizon of its trajectory, paired
// with its counterfactual's.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/assembly.hpp"

namespace gatesim {
namespace {

constexpr double not_reached = std::numeric_limits<double>::quiet_NaN();

double day_or_nan(int d) { return d >= 0 ? static_cast<double>(d) : not_reached; }

std::vector<std::uint8_t> directive_scope(const Scenario& s) {
    std::vector<std::uint8_t> in_scope(s.models.size(), 0);
    for (const auto& id : s.directive.models) in_scope[static_cast<std::size_t>(index_of(s.models, id))] = 1;
    return in_scope;
}

// Users whose preferred model is one of the directive's, when a stage ever restricted access.
double affected_users(const Scenario& s, const Trajectory& run) {
    double affected = 0;
    const auto in_scope = directive_scope(s);
    if (run.first_stage_day >= 0)
        for (std::size_t m = 0; m < s.models.size(); ++m) affected += in_scope[m] ? run.initial_home_users[m] : 0.0;
    return affected;
}

// Restricted providers: those with a model under a rule at any time (escalation included).
std::vector<std::uint8_t> restricted_providers(const Scenario& s, const World& w, const Trajectory& run) {
    const std::size_t models = s.models.size();
    std::vector<std::uint8_t> restricted(s.providers.size(), 0);
    for (std::size_t k = 0; k < run.controlled.size(); ++k)
        if (run.controlled[k]) restricted[static_cast<std::size_t>(w.model_provider[k % models])] = 1;
    const auto in_scope = directive_scope(s);
    for (std::size_t m = 0; m < models; ++m)
        if (in_scope[m] && run.first_stage_day >= 0) restricted[static_cast<std::size_t>(w.model_provider[m])] = 1;
    return restricted;
}

// Sums and peaks over the horizon.
struct Totals {
    double peak = 0, us_blocked_days = 0, value_lost = 0, fn_days = 0, fn_cf = 0, checks = 0, false_rejects = 0, false_accepts = 0;
    double verification_cost = 0, migration_cost = 0, peak_leaked = 0, peak_failed_over = 0;
    double route_days[leak_route_count] = {0, 0, 0, 0};
    double restricted_loss = 0, restricted_loss_discounted = 0, competitor_gain = 0, partner_change = 0;
};

void add_revenue(Totals& t, const Scenario& s, const std::vector<std::uint8_t>& restricted, const TrajectoryView& run,
                 const TrajectoryView& cf, int d) {
    const double discount = std::pow(1.0 + s.discount_rate, -d / 365.0);
    for (std::size_t p = 0; p < s.providers.size(); ++p) {
        const double change = run.provider_revenue(d, p) - cf.provider_revenue(d, p);
        if (restricted[p]) {
            t.restricted_loss -= change;
            t.restricted_loss_discounted -= change * discount;
        } else {
            t.competitor_gain += change;
        }
    }
    for (std::size_t p = 0; p < s.cloud_partners.size(); ++p) t.partner_change += run.partner_revenue(d, p) - cf.partner_revenue(d, p);
}

Totals accumulate(const Scenario& s, const std::vector<std::uint8_t>& restricted, const TrajectoryView& run, const TrajectoryView& cf) {
    const TallyLayout& L = run.layout();
    const Trajectory& scenario = run.trajectory();
    Totals t;
    for (int d = 0; d < s.days; ++d) {
        const auto day = static_cast<std::size_t>(d);
        t.peak = std::max(t.peak, run.cells_total(d, m_blocked));
        t.us_blocked_days += run.at(d, L.us_blocked());
        t.value_lost += cf.value_delivered(d) - run.value_delivered(d);
        add_revenue(t, s, restricted, run, cf, d);
        for (std::size_t k = 0; k < leak_route_count; ++k) t.route_days[k] += run.at(d, L.foreign_route(static_cast<Route>(k + 1)));
        t.fn_days += run.foreign_access(d);
        t.fn_cf += cf.foreign_access(d);
        t.peak_leaked = std::max(t.peak_leaked, run.foreign_access(d) - run.at(d, L.foreign_route(Route::permitted)));
        t.checks += run.at(d, L.verification(v_checks));
        t.false_rejects += run.at(d, L.verification(v_false_reject));
        t.false_accepts += run.at(d, L.verification(v_false_accept));
        t.verification_cost += scenario.verification_cost[day];
        t.migration_cost += scenario.migration_cost[day];
        t.peak_failed_over = std::max(t.peak_failed_over, run.enterprises_in(d, EnterpriseState::failed_over));
    }
    return t;
}

// Days from the first restriction until the directive's models serve 90% of the
// counterfactual's users; NaN when not reached.
double recovery_days(const Scenario& s, const TrajectoryView& run, const TrajectoryView& cf) {
    const int first = run.trajectory().first_stage_day;
    if (first < 0) return not_reached;
    for (int d = first; d < s.days; ++d) {
        const double baseline = cf.users_on(d, s.directive.models);
        if (baseline > 0 && run.users_on(d, s.directive.models) >= 0.9 * baseline) return d - first;
    }
    return not_reached;
}

}  // namespace

std::vector<Scalar> summary_scalars(const Scenario& s, const World& w, const TrajectoryView& run, const TrajectoryView& cf) {
    const Trajectory& scenario = run.trajectory();
    const int last = s.days - 1;
    const double affected = affected_users(s, scenario);
    const Totals t = accumulate(s, restricted_providers(s, w, scenario), run, cf);
    const double churn = run.cells_total(last, m_switched);
    const double prevented = t.fn_cf - t.fn_days;
    const double cost = t.value_lost + t.verification_cost + t.migration_cost;
    return {
        {"directive_day", "day", "Day the order is issued (NaN without a directive)",
         s.directive.stages.empty() ? not_reached : static_cast<double>(s.directive.day)},
        {"first_stage_day", "day", "Day the provider's response first restricts access", day_or_nan(scenario.first_stage_day)},
        {"decision_day", "day", "Day of the regulator's decision to relax the order (NaN when not within the horizon)", day_or_nan(scenario.decision_day)},
        {"escalation_day", "day", "Day the rule extends to other US providers (NaN when it does not)", day_or_nan(scenario.escalation_day)},
        {"affected_users", "users", "Users whose preferred model is one of the directive's models", affected},
        {"peak_blocked", "users", "Most users blocked from their preferred model on one day", t.peak},
        {"churn_at_horizon", "users", "Users on an alternative model on the last day", churn},
        {"churn_share", "fraction", "churn_at_horizon as a share of affected users (NaN when none are affected)",
         affected > 0 ? churn / affected : not_reached},
        {"days_to_90pct_recovery", "days",
         "Days from the first restriction until the directive's models serve 90% of the counterfactual's users (NaN when not reached)",
         recovery_days(s, run, cf)},
        {"cumulative_value_lost", "USD", "Value delivered in the counterfactual minus in the scenario, over the horizon", t.value_lost},
        {"revenue_loss_restricted", "USD", "Revenue the restricted providers (any model ever under a rule) lose against the counterfactual",
         t.restricted_loss},
        {"revenue_loss_restricted_discounted", "USD", "The same, discounted at discount_rate", t.restricted_loss_discounted},
        {"competitor_revenue_gain", "USD", "Revenue providers never under a rule gain against the counterfactual", t.competitor_gain},
        {"cloud_partner_revenue_change", "USD", "Change of cloud partners' revenue against the counterfactual", t.partner_change},
        {"foreign_access_days", "user-days", "Foreign nationals' access-days to controlled models", t.fn_days},
        {"foreign_access_days_permitted", "user-days", "... by a rule that lets them through (e.g. residents of unfenced regions)", t.route_days[0]},
        {"foreign_access_days_false_accept", "user-days", "... through false acceptance in verification", t.route_days[1]},
        {"foreign_access_days_circumvention", "user-days", "... through circumvention (VPN)", t.route_days[2]},
        {"foreign_access_days_exemption", "user-days", "... through employer attestation", t.route_days[3]},
        {"foreign_access_days_counterfactual", "user-days", "Foreign nationals' access-days to the same models without the directive", t.fn_cf},
        {"foreign_access_days_prevented", "user-days", "Counterfactual minus scenario foreign access-days", prevented},
        {"leakage_share", "fraction", "Foreign access-days that remain, as a share of the counterfactual's", t.fn_cf > 0 ? t.fn_days / t.fn_cf : not_reached},
        {"us_person_blocked_days", "user-days", "Days US persons were blocked from their preferred model (collateral)", t.us_blocked_days},
        {"false_rejects", "rejections", "Checks that rejected a US person (a retry can be rejected again)", t.false_rejects},
        {"false_accepts", "acceptances", "Checks that accepted a foreign national", t.false_accepts},
        {"verification_checks", "checks", "Checks run", t.checks},
        {"verification_cost", "USD", "Cost of checks and human reviews", t.verification_cost},
        {"migration_cost", "USD", "Engineering cost of enterprise migrations", t.migration_cost},
        {"enterprises_migrated", "enterprises", "Enterprises on another model for good at the horizon", run.enterprises_in(last, EnterpriseState::migrated)},
        {"peak_enterprises_failed_over", "enterprises", "Most enterprises on their fallback on one day", t.peak_failed_over},
        {"expected_penalties", "USD",
         "audit_probability x penalty_per_violation x the peak number of foreign nationals reaching a controlled model by a "
         "leaking route (false accept, circumvention, exemption)",
         s.regulator.audit_probability * s.regulator.penalty_per_violation * t.peak_leaked},
        {"cost_per_foreign_access_day_prevented", "USD per user-day",
         "(value lost + verification cost + migration cost) / foreign access-days prevented (NaN when none are prevented)",
         prevented > 0 ? cost / prevented : not_reached},
    };
}

}  // namespace gatesim

// The summary scalars of a run's results: totals over the horizon of its trajectory, paired
// with its counterfactual's, over the views' cells; export-control cases; sanity warnings.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "model/anticipation.hpp"
#include "model/assembly.hpp"

namespace gatesim {
namespace {

constexpr double not_reached = std::numeric_limits<double>::quiet_NaN();

double day_or_nan(int d) { return d >= 0 ? static_cast<double>(d) : not_reached; }
double ratio(double a, double b) { return b > 0 ? a / b : not_reached; }

// Restricted providers: those with a model under a rule at any time (escalation included), the
// providers of the order's models once a stage started, and those whose models news puts at risk.
std::vector<std::uint8_t> restricted_providers(const Scenario& s, const World& w, const Trajectory& run) {
    const std::size_t models = s.models.size();
    std::vector<std::uint8_t> restricted(s.providers.size(), 0);
    for (std::size_t k = 0; k < run.controlled.size(); ++k)
        if (run.controlled[k]) restricted[static_cast<std::size_t>(w.model_provider[k % models])] = 1;
    if (run.first_stage_day >= 0)
        for (const auto& id : s.directive.models)
            restricted[static_cast<std::size_t>(w.model_provider[static_cast<std::size_t>(index_of(s.models, id))])] = 1;
    // A provider whose models news puts at risk loses users with no rule at all (anticipation).
    const Anticipation anticipation(s, true);
    const auto& at_risk = anticipation.at_risk();
    for (std::size_t j = 0; j < models; ++j)
        if (at_risk[j]) restricted[static_cast<std::size_t>(w.model_provider[j])] = 1;
    return restricted;
}

inline constexpr std::size_t case_routes = 4;  // permitted, false_accept, circumvention, exemption

// Sums and peaks over the horizon (the order period for foreign access).
struct Totals {
    double peak = 0, peak_intended = 0, peak_collateral = 0, blocked_days = 0, blocked_days_intended = 0;
    double peak_us = 0, us_blocked_days = 0;
    double value_lost = 0, value_lost_intended = 0;
    double access[7] = {0, 0, 0, 0, 0, 0, 0};  // unrestricted, the case routes, then account_sharing and reseller
    double leakage_detected[2] = {0, 0};        // account_sharing, reseller
    double reference = 0, equivalent = 0, equivalent_reference = 0;
    double route_peak[case_routes] = {0, 0, 0, 0}, route_paid[case_routes] = {0, 0, 0, 0};
    double checks = 0, false_rejects = 0, false_accepts = 0, verification_cost = 0, migration_cost = 0;
    double peak_failed_over = 0, peak_disrupted = 0, enterprise_days_disrupted = 0;
    std::vector<double> revenue_change, revenue_change_discounted, partner_change;
    double restricted_cf_revenue = 0;

    double foreign_access() const { return access[0] + access[1] + access[2] + access[3] + access[4] + access[5] + access[6]; }
    double leaked() const { return access[2] + access[3] + access[4] + access[5] + access[6]; }
};

void add_disruption(Totals& t, const TrajectoryView& run, const TrajectoryView& cf, int d) {
    const double blocked = run.cells_total(d, m_blocked), intended = run.cells_total(d, m_blocked, Nationality::foreign_national);
    const double us = run.cells_total(d, m_blocked, Nationality::us_person);
    t.peak = std::max(t.peak, blocked);
    t.peak_intended = std::max(t.peak_intended, intended);
    t.peak_collateral = std::max(t.peak_collateral, blocked - intended);
    t.blocked_days += blocked;
    t.blocked_days_intended += intended;
    t.peak_us = std::max(t.peak_us, us);
    t.us_blocked_days += us;
    t.value_lost += cf.value_delivered(d) - run.value_delivered(d);
    t.value_lost_intended += run.cells_total(d, m_value_lost_blocked, Nationality::foreign_national);
}

void add_revenue(Totals& t, const Scenario& s, const std::vector<std::uint8_t>& restricted, const TrajectoryView& run,
                 const TrajectoryView& cf, int d) {
    const double discount = std::pow(1.0 + s.discount_rate, -d / 365.0);
    for (std::size_t p = 0; p < s.providers.size(); ++p) {
        const double base = cf.provider_revenue(d, p), change = run.provider_revenue(d, p) - base;
        t.revenue_change[p] += change;
        t.revenue_change_discounted[p] += change * discount;
        if (restricted[p]) t.restricted_cf_revenue += base;
    }
    for (std::size_t k = 0; k < s.cloud_partners.size(); ++k) t.partner_change[k] += run.partner_revenue(d, k) - cf.partner_revenue(d, k);
}

// Foreign access to the order's models (and equivalents) from the order's day on, in the
// scenario by route and in the counterfactual: one yardstick for every response.
void add_foreign_access(Totals& t, const TrajectoryView& run, const TrajectoryView& cf, int d) {
    for (std::size_t k = 0; k < 7; ++k) t.access[k] += run.cells_total(d, static_cast<CellMetric>(m_access_unrestricted + k));
    for (std::size_t k = 0; k < 2; ++k) t.leakage_detected[k] += run.cells_total(d, static_cast<CellMetric>(m_account_sharing_detected + k));
    for (std::size_t r = 0; r < case_routes; ++r) {
        t.route_peak[r] = std::max(t.route_peak[r], run.cells_total(d, static_cast<CellMetric>(m_access_permitted + r)));
        t.route_paid[r] += run.cells_total(d, static_cast<CellMetric>(m_paid_permitted + r));
    }
    t.reference += cf.foreign_access(d);
    t.equivalent += run.cells_total(d, m_access_equivalent);
    t.equivalent_reference += cf.cells_total(d, m_access_equivalent);
}

Totals accumulate(const Scenario& s, const std::vector<std::uint8_t>& restricted, const TrajectoryView& run, const TrajectoryView& cf) {
    Totals t;
    t.revenue_change.assign(s.providers.size(), 0.0);
    t.revenue_change_discounted.assign(s.providers.size(), 0.0);
    t.partner_change.assign(s.cloud_partners.size(), 0.0);
    for (int d = 0; d < s.days; ++d) {
        add_disruption(t, run, cf, d);
        add_revenue(t, s, restricted, run, cf, d);
        if (d >= s.directive.day) add_foreign_access(t, run, cf, d);
        t.checks += run.verification(d, v_checks);
        t.false_rejects += run.verification(d, v_false_reject);
        t.false_accepts += run.verification(d, v_false_accept);
        t.verification_cost += run.verification_cost(d);
        t.migration_cost += run.migration_cost(d);
        t.peak_failed_over = std::max(t.peak_failed_over, run.enterprises_in(d, EnterpriseState::failed_over));
        const double disrupted = run.enterprises_disrupted(d);
        t.peak_disrupted = std::max(t.peak_disrupted, disrupted);
        t.enterprise_days_disrupted += disrupted;
    }
    return t;
}

// The users the directive blocked: ever blocked (from any controlled model, escalated ones
// included), still blocked, and on an alternative though their model is open again, per day.
struct Affected {
    std::vector<double> ever, blocked, churned;

    explicit Affected(const TrajectoryView& run) {
        double sum = 0;
        for (int d = 0; d < run.days(); ++d) {
            ever.push_back(sum += run.cells_total(d, m_newly_blocked));
            blocked.push_back(run.cells_total(d, m_blocked));
            churned.push_back(run.cells_total(d, m_churned));
        }
    }
    // Days from the first stage until 90% of the users blocked so far are on their preferred
    // model again; NaN when never (or nobody in the cells was blocked).
    double recovery_days(int first) const {
        if (first < 0) return not_reached;
        for (std::size_t d = static_cast<std::size_t>(first); d < ever.size(); ++d)
            if (ever[d] > 0 && ever[d] - blocked[d] - churned[d] >= 0.9 * ever[d]) return static_cast<double>(d) - first;
        return not_reached;
    }
};

// One potential case per route (see Enforcement): charged violators N (the peak of liable users,
// a lower bound on distinct ones) and the transaction value V of the liable access; the case
// settles at settlement_multiple x V, at least the charged-count floor, at most the statutory
// maximum max(N x M, 2 V).
struct Cases {
    double expected[case_routes] = {0, 0, 0, 0};
    double largest_settlement = 0;

    Cases(const Enforcement& e, const Totals& t) {
        const CaseTerms* terms[case_routes] = {&e.routes.permitted, &e.routes.false_accept, &e.routes.circumvention, &e.routes.exemption};
        const double M = e.statutory_max_per_violation;
        for (std::size_t r = 0; r < case_routes; ++r) {
            const double violators = terms[r]->liable_share * t.route_peak[r], value = terms[r]->liable_share * t.route_paid[r];
            if (violators <= 0) continue;
            const double maximum = std::max(violators * M, 2 * value);
            const double settlement = std::min(maximum, std::max(e.minimum_charged_violations * M, terms[r]->settlement_multiple * value));
            expected[r] = terms[r]->case_probability * settlement;
            largest_settlement = std::max(largest_settlement, settlement);
        }
    }
    double total() const { return expected[0] + expected[1] + expected[2] + expected[3]; }
};

// Scalars per provider and per cloud partner, named <metric>.<id>.
void add_by_entity(std::vector<Scalar>& out, const Scenario& s, const Totals& t, const TrajectoryView& run, const TrajectoryView& cf) {
    const int last = s.days - 1;
    for (std::size_t p = 0; p < s.providers.size(); ++p) {
        const std::string& id = s.providers[p].id;
        const double at_horizon = run.run_rate_path(p)[static_cast<std::size_t>(last)];
        const double cf_at_horizon = cf.run_rate_path(p)[static_cast<std::size_t>(last)];
        out.push_back({"revenue_change." + id, "USD", "Net revenue of " + id + " minus the counterfactual's, over the horizon", t.revenue_change[p]});
        out.push_back({"run_rate." + id, "USD per year", "Run-rate of " + id + " on the last day, as providers report it", at_horizon});
        out.push_back({"run_rate_gap." + id, "USD per year", "run_rate." + id + " minus the counterfactual's on the last day", at_horizon - cf_at_horizon});
    }
    for (std::size_t k = 0; k < s.cloud_partners.size(); ++k)
        out.push_back({"cloud_partner_revenue_change." + s.cloud_partners[k].id, "USD",
                       "Revenue share of " + s.cloud_partners[k].id + " minus the counterfactual's, over the horizon", t.partner_change[k]});
}

}  // namespace

std::vector<Scalar> summary_scalars(const Scenario& s, const World& w, const TrajectoryView& run, const TrajectoryView& cf, bool run_level) {
    const Trajectory& scenario = run.trajectory();
    const auto last = static_cast<std::size_t>(s.days - 1);
    const auto restricted = restricted_providers(s, w, scenario);
    const Totals t = accumulate(s, restricted, run, cf);
    const Affected affected(run);
    const double eligible = affected.ever[last] - affected.blocked[last];  // blocked once, open to them on the last day
    const double prevented = t.reference - t.foreign_access();
    const double collateral_cost = (t.value_lost - t.value_lost_intended) + t.verification_cost + t.migration_cost;
    double loss = 0, loss_discounted = 0, gain = 0, partners = 0;
    for (std::size_t p = 0; p < s.providers.size(); ++p) {
        if (restricted[p]) loss -= t.revenue_change[p], loss_discounted -= t.revenue_change_discounted[p];
        else gain += t.revenue_change[p];
    }
    for (double x : t.partner_change) partners += x;
    const Cases cases(s.regulator.enforcement, t);
    const bool enterprises = run.selection().enterprises;
    auto enterprise = [&](double v) { return enterprises ? v : not_reached; };

    std::vector<Scalar> out;
    if (run_level) {
        out.push_back({"directive_day", "day", "Day the order is issued (NaN without a directive)",
                       s.directive.stages.empty() ? not_reached : static_cast<double>(s.directive.day)});
        out.push_back({"first_stage_day", "day", "Day the provider's response first restricts access", day_or_nan(scenario.first_stage_day)});
        out.push_back({"decision_day", "day", "Day of the regulator's decision (NaN when not within the horizon)", day_or_nan(scenario.decision_day)});
        out.push_back({"escalation_day", "day", "Day the rule extends to other US providers (NaN when it does not)", day_or_nan(scenario.escalation_day)});
    }
    const std::vector<Scalar> rest{
        {"affected_users", "users", "Users blocked from their preferred model on at least one day", affected.ever[last]},
        {"peak_blocked", "users", "Most users blocked from their preferred model on one day", t.peak},
        {"peak_blocked_intended", "users", "Most foreign nationals a rule bars on one day (intended)", t.peak_intended},
        {"peak_blocked_collateral", "users", "Most users blocked on one day who are not foreign nationals a rule bars (collateral)", t.peak_collateral},
        {"blocked_days", "user-days", "Days users were blocked from their preferred model", t.blocked_days},
        {"blocked_days_intended", "user-days", "... of them, foreign nationals a rule bars", t.blocked_days_intended},
        {"blocked_days_collateral", "user-days", "... of them, everyone else", t.blocked_days - t.blocked_days_intended},
        {"still_blocked_at_horizon", "users", "Users blocked on the last day", affected.blocked[last]},
        {"churn_at_horizon", "users", "Users on an alternative on the last day although their preferred model is open to them again", affected.churned[last]},
        {"churn_share", "fraction", "churn_at_horizon / users once blocked whose preferred model is open to them on the last day (NaN when none)",
         ratio(affected.churned[last], eligible)},
        {"days_to_90pct_recovery", "days",
         "Days from the first stage until 90% of the users blocked so far are on their preferred model again (NaN when not reached)",
         affected.recovery_days(scenario.first_stage_day)},
        {"cumulative_value_lost", "USD", "Value delivered in the counterfactual minus in the scenario, over the horizon", t.value_lost},
        {"cumulative_value_lost_intended", "USD", "Value lost by foreign nationals while a rule bars them", t.value_lost_intended},
        {"cumulative_value_lost_collateral", "USD", "cumulative_value_lost minus its intended part", t.value_lost - t.value_lost_intended},
        {"revenue_loss_restricted", "USD", "Net revenue the restricted providers (any model ever under a rule, or put at risk by news) lose against the counterfactual", loss},
        {"revenue_loss_restricted_discounted", "USD", "The same, discounted at discount_rate", loss_discounted},
        {"competitor_revenue_gain", "USD", "Net revenue providers never under a rule nor at risk gain against the counterfactual", gain},
        {"cloud_partner_revenue_change", "USD", "Change of cloud partners' revenue shares against the counterfactual", partners},
        {"foreign_access_days", "user-days", "Foreign nationals' access-days to the order's models (and successors) from the order's day, by any route",
         t.foreign_access()},
        {"foreign_access_days_unrestricted", "user-days", "... while no rule governed the model (before the response, after the order is lifted)", t.access[0]},
        {"foreign_access_days_permitted", "user-days", "... by a rule that lets them through (e.g. residents of unfenced regions)", t.access[1]},
        {"foreign_access_days_false_accept", "user-days", "... through false acceptance in verification", t.access[2]},
        {"foreign_access_days_circumvention", "user-days", "... through circumvention (VPN)", t.access[3]},
        {"foreign_access_days_exemption", "user-days", "... through employer attestation", t.access[4]},
        {"foreign_access_days_account_sharing", "user-days", "... through a verified US person's account (leakage routes)", t.access[5]},
        {"foreign_access_days_reseller", "user-days", "... through a reseller of a verified API account (leakage routes)", t.access[6]},
        {"leakage_detected_account_sharing", "users", "Account sharers the provider caught, over the horizon", t.leakage_detected[0]},
        {"leakage_detected_reseller", "users", "Reseller customers the provider's KYC caught, over the horizon", t.leakage_detected[1]},
        {"foreign_access_days_counterfactual", "user-days", "The same access-days without the directive: the one yardstick of every scenario", t.reference},
        {"foreign_access_days_prevented", "user-days", "Counterfactual minus scenario foreign access-days", prevented},
        {"prevented_share", "fraction", "foreign_access_days_prevented / foreign_access_days_counterfactual", ratio(prevented, t.reference)},
        {"leakage_share", "fraction", "Access-days by false accepts, circumvention, exemptions, account sharing and resellers / foreign_access_days_counterfactual",
         ratio(t.leaked(), t.reference)},
        {"foreign_access_days_equivalent", "user-days", "Foreign access-days to other models of equivalent cyber capability, from the order's day", t.equivalent},
        {"foreign_access_days_equivalent_counterfactual", "user-days", "The same without the directive", t.equivalent_reference},
        {"capability_days_prevented", "user-days", "Foreign access-days to the controlled capability (the order's models or an equivalent) prevented",
         (t.reference + t.equivalent_reference) - (t.foreign_access() + t.equivalent)},
        {"us_person_blocked_days", "user-days", "Days US persons were blocked from their preferred model", t.us_blocked_days},
        {"peak_us_persons_blocked", "users", "Most US persons blocked on one day", t.peak_us},
        {"false_rejects", "rejections", "Checks that rejected a US person (a retry can be rejected again)", t.false_rejects},
        {"false_accepts", "acceptances", "Checks that accepted a foreign national", t.false_accepts},
        {"verification_checks", "checks", "Checks run", t.checks},
        {"verification_cost", "USD", "Cost of checks and human reviews", t.verification_cost},
        {"migration_cost", "USD", "Engineering cost of enterprise migrations", enterprise(t.migration_cost)},
        {"enterprises_migrated", "enterprises", "Enterprises on another model for good at the horizon",
         enterprise(run.enterprises_in(static_cast<int>(last), EnterpriseState::migrated))},
        {"peak_enterprises_failed_over", "enterprises", "Most enterprises on their fallback on one day", enterprise(t.peak_failed_over)},
        {"peak_enterprises_disrupted", "enterprises", "Most enterprises in any state but normal on one day", enterprise(t.peak_disrupted)},
        {"enterprise_days_disrupted", "enterprise-days", "Days enterprises spent in any state but normal", enterprise(t.enterprise_days_disrupted)},
        {"expected_penalties", "USD", "Expected settlements of export-control cases against the provider, one per route of foreign access", cases.total()},
        {"expected_penalties_permitted", "USD", "... for access its own rule let through", cases.expected[0]},
        {"expected_penalties_false_accept", "USD", "... for false accepts in verification", cases.expected[1]},
        {"expected_penalties_circumvention", "USD", "... for circumvention it had reason to know of", cases.expected[2]},
        {"expected_penalties_exemption", "USD", "... for employer attestations", cases.expected[3]},
        {"largest_settlement", "USD", "The largest settlement of one case, if brought", cases.largest_settlement},
        {"cost_per_foreign_access_day_prevented", "USD per user-day",
         "(collateral value lost + verification cost + migration cost) / foreign access-days prevented (NaN when none are prevented)",
         prevented > 0 ? collateral_cost / prevented : not_reached},
    };
    out.insert(out.end(), rest.begin(), rest.end());
    add_by_entity(out, s, t, run, cf);
    return out;
}

namespace {

std::string usd(double v) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "$%.3g", v);
    return buffer;
}

double named(const std::vector<Scalar>& scalars, const std::string& name) {
    for (const auto& x : scalars)
        if (x.name == name) return x.value;
    return not_reached;
}

}  // namespace

std::vector<std::string> sanity_warnings(const Scenario& s, const World& w, const TrajectoryView& run, const TrajectoryView& cf,
                                         const std::vector<Scalar>& scalars) {
    std::vector<std::string> out;
    // What the providers of the order's models, and all restricted providers, earn over the horizon without it.
    const auto restricted = restricted_providers(s, w, run.trajectory());
    std::vector<std::uint8_t> ordered(s.providers.size(), 0);
    for (const auto& id : s.directive.models) ordered[static_cast<std::size_t>(w.model_provider[static_cast<std::size_t>(index_of(s.models, id))])] = 1;
    double ordered_revenue = 0, restricted_revenue = 0;
    for (int d = 0; d < s.days; ++d)
        for (std::size_t p = 0; p < s.providers.size(); ++p) {
            if (ordered[p]) ordered_revenue += cf.provider_revenue(d, p);
            if (restricted[p]) restricted_revenue += cf.provider_revenue(d, p);
        }
    const double penalties = named(scalars, "expected_penalties"), loss = named(scalars, "revenue_loss_restricted");
    if (penalties > ordered_revenue)
        out.push_back("expected_penalties (" + usd(penalties) + ") exceed the revenue of the provider under the order over the horizon (" +
                      usd(ordered_revenue) + "): check regulator.enforcement");
    if (named(scalars, "peak_blocked") > s.population.users * (1 + 1e-9))
        out.push_back("peak_blocked exceeds the users the population represents (population.users)");
    if (named(scalars, "churn_share") > 1 + 1e-9) out.push_back("churn_share is above 1: more users churned than could come back");
    if (loss > restricted_revenue * (1 + 1e-9))
        out.push_back("revenue_loss_restricted (" + usd(loss) + ") exceeds what the restricted providers earn without the order (" +
                      usd(restricted_revenue) + ")");
    return out;
}

}  // namespace gatesim

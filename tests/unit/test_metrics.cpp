// What the metrics mean: intended and collateral disruption, churn over users who could come
// back, one yardstick of foreign access, revenue as providers earn and report it, enforcement
// cases, scoped summaries and sanity warnings. Each a falsifiable statement on a small world.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "model/market.hpp"
#include "model/world.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::size_t provider(const Scenario& s, const char* id) { return static_cast<std::size_t>(index_of(s.providers, id)); }
std::size_t days(const Scenario& s) { return static_cast<std::size_t>(s.days); }

// A series' column by the labels of its axes (last axis fastest).
double at(const Results& r, const char* name, std::size_t day, std::size_t column = 0) { return r.series_named(name).at(day, column); }

const std::vector<std::string> never_lifted{"regulator.decision_after_days=never"};
const std::vector<std::string> no_enterprises{"enterprises.agents=0"};

// Sum of a breakdown series over the cells a predicate on (region, nationality, segment, kind) admits.
template <class Admit>
double cells_sum(const Scenario& s, const Results& r, const char* name, std::size_t day, Admit admit) {
    const auto& series = r.series_named(name);
    const std::size_t segments = s.segments.size();
    double total = 0;
    for (std::size_t c = 0; c < series.width(); ++c) {
        const std::size_t kind = c % 3, segment = (c / 3) % segments, nationality = (c / 3 / segments) % 2, region = c / 3 / segments / 2;
        if (admit(region, nationality, segment, kind)) total += series.at(day, c);
    }
    return total;
}

}  // namespace

// ---- Intended and collateral disruption -------------------------------------------------------

TEST_CASE("intended plus collateral is the total, for every disruption measure and day") {
    for (const char* name : {"global_shutdown", "geo_fence", "vetted_partners", "industry_wide"}) {
        const auto s = test::heavy(name);
        const auto r = test::run(s);
        INFO(name);
        for (const char* measure : {"blocked", "waiting", "switched", "value_lost"}) {
            INFO(measure);
            const std::string m(measure);
            const bool totalled = m != "value_lost";
            for (std::size_t d = 0; d < days(s); ++d) {
                const double total = totalled ? at(r, measure, d) : cells_sum(s, r, "value_lost", d, [](auto...) { return true; });
                REQUIRE(at(r, (m + "_intended").c_str(), d) + at(r, (m + "_collateral").c_str(), d) == Approx(total).epsilon(1e-12));
                REQUIRE(at(r, (m + "_intended").c_str(), d) >= 0);
            }
        }
        CHECK(r.scalar("peak_blocked_intended") > 0);
        CHECK(r.scalar("cumulative_value_lost_intended") + r.scalar("cumulative_value_lost_collateral") ==
              Approx(r.scalar("cumulative_value_lost")));
        CHECK(r.scalar("blocked_days_intended") + r.scalar("blocked_days_collateral") == Approx(r.scalar("blocked_days")));
        // Collateral blocking is the US persons': only a rule blocks anyone, and every rule bars foreign nationals.
        CHECK(r.scalar("peak_blocked_collateral") == Approx(r.scalar("peak_us_persons_blocked")));
        CHECK(r.scalar("blocked_days_collateral") == Approx(r.scalar("us_person_blocked_days")));
    }
}

TEST_CASE("a world of US persons only has no intended disruption") {
    auto s = test::heavy("global_shutdown");
    std::vector<std::string> o{"enterprises.us_hq_foreign_share=0"};
    for (const auto& region : s.regions) o.push_back("regions." + region.id + ".us_person_share=1");
    const auto r = test::run(test::with(s, o));
    CHECK(r.scalar("peak_blocked") > 0);
    CHECK(r.scalar("peak_blocked_intended") == 0);
    CHECK(r.scalar("cumulative_value_lost_intended") == 0);
    CHECK(r.scalar("peak_blocked_collateral") == r.scalar("peak_blocked"));
    CHECK(r.scalar("foreign_access_days_counterfactual") == 0);
}

// ---- Churn and recovery over the users the directive blocked -----------------------------------

TEST_CASE("churn counts only users who could come back, escalated models included") {
    for (const char* name : {"global_shutdown", "nationality_gate", "geo_fence", "industry_wide", "phased_reopening", "vetted_partners"}) {
        const auto s = test::heavy(name);
        const auto r = test::run(s);
        INFO(name << ": churn_share " << r.scalar("churn_share"));
        CHECK(r.scalar("churn_share") >= 0);
        CHECK(r.scalar("churn_share") <= 1);
        CHECK(r.scalar("churn_at_horizon") <= r.scalar("affected_users") - r.scalar("still_blocked_at_horizon") + 1e-6);
        // Users blocked at least once: the running sum of first blocks, by cell, ends at affected_users.
        CHECK(cells_sum(s, r, "users_ever_blocked", days(s) - 1, [](auto...) { return true; }) == Approx(r.scalar("affected_users")));
    }
    // Industry-wide: more users are blocked than prefer the order's models, yet the share stays a share.
    const auto wide = test::run(test::heavy("industry_wide"));
    const auto gate = test::run(test::heavy("nationality_gate"));
    CHECK(wide.scalar("affected_users") > gate.scalar("affected_users"));
}

TEST_CASE("a one-country fence reports that country's churn and recovery") {
    // Fence India only; its users are the only ones blocked, so the global figures are India's.
    auto s = test::heavy("geo_fence", {"directive.stages.fence.fenced_regions=[india]", "reporting.scopes=[region=india, region=us]",
                                       "enterprises.integration_days=300", "enterprises.failover_return_probability=1"}, 30000);
    s = test::with(s, test::all_segments(s, "return_probability", "0.95") + test::all_segments(s, "return_half_life_days", "1e5"));
    const auto r = test::run(s);
    UNSCOPED_INFO("churn " << r.scalar("churn_share") << ", still blocked " << r.scalar("still_blocked_at_horizon") << ", decision day "
                  << r.scalar("decision_day") << ", migrated " << r.scalar("enterprises_migrated"));
    CHECK(r.scalar("affected_users") > 0);
    CHECK(r.scalar("affected_users[region=india]") == r.scalar("affected_users"));
    CHECK(r.scalar("affected_users[region=us]") == 0);
    CHECK(r.scalar("churn_share[region=india]") == r.scalar("churn_share"));
    CHECK(r.scalar("churn_share") > 0);
    CHECK(r.scalar("churn_share") < 0.5);
    const double recovery = r.scalar("days_to_90pct_recovery[region=india]");
    CHECK(recovery == r.scalar("days_to_90pct_recovery"));
    CHECK(recovery > 0);  // the fence lasts until the order is lifted
    CHECK(std::isnan(r.scalar("days_to_90pct_recovery[region=us]")));
}

// ---- One yardstick of foreign access ------------------------------------------------------------

TEST_CASE("every response is measured against the same counterfactual foreign access") {
    double reference = -1;
    for (const char* name : {"order", "global_shutdown", "nationality_gate", "geo_fence", "phased_reopening", "vetted_partners", "industry_wide",
                             "capability_leak"}) {
        const auto r = test::run(test::heavy(name));
        INFO(name);
        if (reference < 0) reference = r.scalar("foreign_access_days_counterfactual");
        CHECK(std::memcmp(&reference, &r.scalars[static_cast<std::size_t>(
                              std::find_if(r.scalars.begin(), r.scalars.end(), [](const Scalar& x) { return x.name == "foreign_access_days_counterfactual"; }) -
                              r.scalars.begin())].value, sizeof reference) == 0);
        CHECK(r.scalar("foreign_access_days_prevented") == r.scalar("foreign_access_days_counterfactual") - r.scalar("foreign_access_days"));
        double routes = 0;
        for (const char* route : {"unrestricted", "permitted", "false_accept", "circumvention", "exemption"})
            routes += r.scalar(std::string("foreign_access_days_") + route);
        CHECK(routes == Approx(r.scalar("foreign_access_days")));
    }
    CHECK(reference > 0);
    // The order alone restricts nothing: nothing is prevented.
    CHECK(test::run(test::heavy("order")).scalar("foreign_access_days_prevented") == 0);
}

TEST_CASE("a leaked model of equivalent capability gives foreign nationals the capability back after its release") {
    // Released the day after the order, while many blocked users still wait (a user chooses when it
    // switches, an enterprise when it migrates).
    const auto s = test::heavy("capability_leak", never_lifted + std::vector<std::string>{"models.open_leak.release_day=15"});
    const auto r = test::run(s);
    const auto& equivalent = r.series_named("foreign_access_equivalent");
    for (std::size_t d = 0; d < 15; ++d) REQUIRE(equivalent.at(d) == 0);
    CHECK(equivalent.at(days(s) - 1) > 0);
    CHECK(r.scalar("foreign_access_days_equivalent") > 0);
    CHECK(r.scalar("foreign_access_days_equivalent_counterfactual") == 0);  // in the counterfactual nobody leaves its model
    const auto shutdown = test::run(test::heavy("global_shutdown", never_lifted));
    CHECK(r.scalar("foreign_access_days_prevented") == Approx(shutdown.scalar("foreign_access_days_prevented")));
    CHECK(r.scalar("capability_days_prevented") < shutdown.scalar("capability_days_prevented"));
}

// ---- Revenue as providers earn and report it ----------------------------------------------------

TEST_CASE("subscriptions plus usage less partners' shares make provider revenue; partners keep their share of what they resell") {
    const auto s = test::heavy("nationality_gate");
    const auto r = test::run(s);
    const auto& usage = r.series_named("usage_sales");
    const std::size_t channels = 1 + s.cloud_partners.size();
    for (std::size_t d = 0; d < days(s); d += 7)
        for (std::size_t p = 0; p < s.providers.size(); ++p) {
            double net = at(r, "subscription_revenue_by_provider", d, p) + usage.at(d, p * channels);
            for (std::size_t k = 0; k < s.cloud_partners.size(); ++k) {
                const double resold = usage.at(d, p * channels + 1 + k), share = partner_share(s, k, p);
                net += resold * (1 - share);
                REQUIRE(at(r, "revenue_by_cloud_partner_and_provider", d, k * s.providers.size() + p) == Approx(resold * share).epsilon(1e-12));
            }
            REQUIRE(at(r, "revenue_by_provider", d, p) == Approx(net).epsilon(1e-12));
            REQUIRE(at(r, "subscription_revenue_by_provider", d, p) == Approx(at(r, "mrr_by_provider", d, p) * 12 / 365).epsilon(1e-12));
        }
    // Every partner earns, and lab_a's developers on clouds are part of what they resell.
    for (std::size_t k = 0; k < s.cloud_partners.size(); ++k) CHECK(at(r, "revenue_by_cloud_partner", 0, k) > 0);
}

TEST_CASE("the consumer app bills no tokens") {
    auto s = test::heavy("baseline", no_enterprises);
    std::vector<std::string> o;
    for (const auto& g : s.segments) o.push_back("segments." + g.id + ".user_share=" + (g.id == "consumer" ? "1" : "0"));
    const auto r = test::run(test::with(s, o));
    for (double v : r.series_named("usage_sales").values) REQUIRE(v == 0);
    CHECK(at(r, "mrr_by_provider", 0, provider(s, "lab_b")) > 0);
}

TEST_CASE("a waiting subscriber keeps its plan for lapse_days; a switcher drops it the day it moves") {
    auto s = test::heavy("global_shutdown", never_lifted + no_enterprises + std::vector<std::string>{"subscriptions.lapse_days=10"});
    const auto a = provider(s, "lab_a");
    const auto patient = test::run(test::with(s, test::all_segments(s, "patience_days", "3650") + test::all_segments(s, "impatience_growth", "0")));
    const double before = at(patient, "mrr_by_provider", 13, a);
    REQUIRE(before > 0);
    // Nobody gives up within the lapse (hazard 1/3650 a day is not zero: allow a few switchers).
    CHECK(at(patient, "mrr_by_provider", 23, a) == Approx(before).epsilon(0.02));
    CHECK(at(patient, "mrr_by_provider", 24, a) < 0.5 * before);  // the frontier models hold most of lab_a's payers
    const auto impatient = test::run(test::with(s, test::all_segments(s, "patience_days", "0")));
    CHECK(at(impatient, "mrr_by_provider", 14, a) < 0.8 * at(impatient, "mrr_by_provider", 13, a));
    // Those who moved to lab_b pay lab_b's plans by the same draw: its subscriptions grow.
    const auto b = provider(s, "lab_b");
    CHECK(at(impatient, "mrr_by_provider", 14, b) > at(impatient, "mrr_by_provider", 13, b));
}

TEST_CASE("the run-rate is 13 x the last 28 days of booked usage plus 12 x subscriptions") {
    const auto s = test::heavy("global_shutdown", never_lifted + no_enterprises);
    const auto patient = test::with(s, test::all_segments(s, "patience_days", "3650") + test::all_segments(s, "impatience_growth", "0"));
    const auto r = test::run(patient);
    const auto a = provider(s, "lab_a");
    const std::size_t channels = 1 + s.cloud_partners.size();
    auto booked = [&](std::size_t d) {
        double total = at(r, "usage_sales", d, a * channels);
        for (std::size_t k = 0; k < s.cloud_partners.size(); ++k)
            if (partner_share(s, k, a) < 1) total += at(r, "usage_sales", d, a * channels + 1 + k);
        return total;
    };
    // Stationary before the order: 364 x a day's usage + 12 x MRR.
    CHECK(at(r, "run_rate_by_provider", 5, a) == Approx(364 * booked(5) + 12 * at(r, "mrr_by_provider", 5, a)).epsilon(1e-12));
    // Every day: 13 x the last 28 days (days before 0 count as day 0) + 12 x MRR.
    for (std::size_t d = 0; d < days(s); ++d) {
        double window = 0;
        for (long j = static_cast<long>(d) - 27; j <= static_cast<long>(d); ++j) window += booked(static_cast<std::size_t>(std::max(j, 0L)));
        REQUIRE(at(r, "run_rate_by_provider", d, a) == Approx(13 * window + 12 * at(r, "mrr_by_provider", d, a)).epsilon(1e-12));
    }
    // After the shutdown the usage part falls linearly (nobody moves, so usage drops at once and stays).
    const double u0 = booked(13), u1 = booked(14);
    REQUIRE(u1 < 0.8 * u0);
    for (std::size_t k = 0; k < 14; ++k) {
        const std::size_t d = 14 + k;
        const double usage_part = at(r, "run_rate_by_provider", d, a) - 12 * at(r, "mrr_by_provider", d, a);
        INFO("day " << d);
        REQUIRE(usage_part == Approx(13 * ((k + 1) * u1 + (27 - k) * u0)).epsilon(5e-3));  // a few users still give up
    }
    CHECK(r.scalar("run_rate.lab_a") == at(r, "run_rate_by_provider", days(s) - 1, a));
    CHECK(r.scalar("run_rate_gap.lab_a") < 0);
    CHECK(r.scalar("run_rate_gap.lab_a") == Approx(at(r, "delta_run_rate_by_provider", days(s) - 1, a)));
}

TEST_CASE("revenue changes per provider and partner add up to the aggregates") {
    const auto s = test::heavy("global_shutdown");
    const auto r = test::run(s);
    CHECK(-r.scalar("revenue_change.lab_a") == Approx(r.scalar("revenue_loss_restricted")));
    double competitors = 0, partners = 0;
    for (const char* id : {"lab_b", "lab_c", "lab_f", "open_community"}) competitors += r.scalar(std::string("revenue_change.") + id);
    for (const auto& k : s.cloud_partners) partners += r.scalar("cloud_partner_revenue_change." + k.id);
    CHECK(competitors == Approx(r.scalar("competitor_revenue_gain")));
    CHECK(partners == Approx(r.scalar("cloud_partner_revenue_change")));
    CHECK(r.scalar("revenue_change.lab_a") < 0);
    CHECK(r.scalar("revenue_change.lab_b") > 0);
    double delta = 0;
    for (std::size_t d = 0; d < days(s); ++d) delta += at(r, "delta_revenue_by_provider", d, provider(s, "lab_a"));
    CHECK(delta == Approx(r.scalar("revenue_change.lab_a")));
}

// ---- Enforcement -------------------------------------------------------------------------------

TEST_CASE("expected penalties stay within the provider's scale in every library scenario") {
    double gate = 0, fence = 0;
    for (const char* name : {"baseline", "order", "global_shutdown", "nationality_gate", "geo_fence", "phased_reopening", "vetted_partners",
                             "industry_wide", "prerelease_review", "capability_leak"}) {
        const auto s = test::small(name, {}, 20000);
        const auto r = test::run(s);
        double revenue = 0;  // lab_a's counterfactual net revenue over the horizon: scenario revenue minus its change
        for (std::size_t d = 0; d < days(s); ++d) revenue += at(r, "revenue_by_provider", d, provider(s, "lab_a"));
        revenue -= r.scalar("revenue_change.lab_a");
        INFO(name << ": expected penalties " << r.scalar("expected_penalties") << " against revenue " << revenue);
        CHECK(r.scalar("expected_penalties") >= 0);
        CHECK(r.scalar("expected_penalties") <= 0.05 * revenue);
        CHECK(r.scalar("largest_settlement") <= 1.5e9);  // above the largest export-control settlements on record
        CHECK(r.warnings.empty());
        if (std::string(name) == "nationality_gate") gate = r.scalar("expected_penalties");
        if (std::string(name) == "geo_fence") fence = r.scalar("expected_penalties");
    }
    CHECK(gate < fence);  // a fence knowingly lets barred US residents through
    CHECK(fence > 0);
}

TEST_CASE("cases settle within the statutory bounds, and none without liability") {
    const auto s = test::heavy("geo_fence");
    const auto r = test::run(s);
    REQUIRE(r.scalar("expected_penalties_permitted") > 0);
    // With no per-violation amount, the statutory maximum is twice the transaction value: a
    // multiple above 2 settles at that maximum, and 2 x the value is what a multiple of 2 gives.
    const std::vector<std::string> by_value{"regulator.enforcement.statutory_max_per_violation=0"};
    const auto two = test::run(test::with(s, by_value + std::vector<std::string>{"regulator.enforcement.routes.permitted.settlement_multiple=2"}));
    const auto fifty = test::run(test::with(s, by_value + std::vector<std::string>{"regulator.enforcement.routes.permitted.settlement_multiple=50"}));
    const auto half = test::run(test::with(s, by_value));
    CHECK(two.scalar("expected_penalties_permitted") == Approx(4 * half.scalar("expected_penalties_permitted")));  // 2 against 0.5
    CHECK(fifty.scalar("expected_penalties_permitted") == two.scalar("expected_penalties_permitted"));
    // The per-violation maximum is a ceiling, not a fine per user: the defaults settle well below it.
    CHECK(r.scalar("largest_settlement") < 1e-3 * r.scalar("foreign_access_days_permitted") * s.regulator.enforcement.statutory_max_per_violation);
    std::vector<std::string> none;
    for (const char* route : {"permitted", "false_accept", "circumvention", "exemption"})
        none.push_back(std::string("regulator.enforcement.routes.") + route + ".liable_share=0");
    CHECK(test::run(test::with(s, none)).scalar("expected_penalties") == 0);
}

// ---- Scopes -------------------------------------------------------------------------------------

TEST_CASE("a scoped run's scalars are the ones recomputed from the scoped series") {
    auto s = test::heavy("geo_fence", {"reporting.scopes=['region=india,brazil;segment=consumer,developer', 'nationality=us_person']"}, 20000);
    const auto r = test::run(s);
    const auto india = static_cast<std::size_t>(index_of(s.regions, "india")), brazil = static_cast<std::size_t>(index_of(s.regions, "brazil"));
    const auto consumer = static_cast<std::size_t>(index_of(s.segments, "consumer")), developer = static_cast<std::size_t>(index_of(s.segments, "developer"));
    auto in_scope = [&](std::size_t region, std::size_t, std::size_t segment, std::size_t) {
        return (region == india || region == brazil) && (segment == consumer || segment == developer);
    };
    const std::string label = "[region=india,brazil;segment=consumer,developer]";
    double peak = 0, lost = 0, days_blocked = 0;
    for (std::size_t d = 0; d < days(s); ++d) {
        peak = std::max(peak, cells_sum(s, r, "users_blocked", d, in_scope));
        lost += cells_sum(s, r, "value_lost", d, in_scope);
        days_blocked += cells_sum(s, r, "users_blocked", d, in_scope);
    }
    const std::size_t last = days(s) - 1;
    const double ever = cells_sum(s, r, "users_ever_blocked", last, in_scope);
    const double churned = cells_sum(s, r, "users_churned", last, in_scope), blocked = cells_sum(s, r, "users_blocked", last, in_scope);
    REQUIRE(peak > 0);
    CHECK(r.scalar("peak_blocked" + label) == Approx(peak));
    CHECK(r.scalar("blocked_days" + label) == Approx(days_blocked));
    CHECK(r.scalar("cumulative_value_lost_intended" + label) + r.scalar("cumulative_value_lost_collateral" + label) ==
          Approx(r.scalar("cumulative_value_lost" + label)));
    CHECK(r.scalar("affected_users" + label) == Approx(ever));
    CHECK(r.scalar("churn_at_horizon" + label) == Approx(churned));
    CHECK(r.scalar("churn_share" + label) == Approx(churned / (ever - blocked)));
    // Before the order nothing is lost, so the value lost against the counterfactual is the sum of value_lost.
    CHECK(r.scalar("cumulative_value_lost" + label) == Approx(lost).epsilon(1e-9));
    // A nationality scope has no enterprise figures (an enterprise has no nationality) and no foreign access.
    CHECK(std::isnan(r.scalar("peak_enterprises_disrupted[nationality=us_person]")));
    CHECK(r.scalar("foreign_access_days_counterfactual[nationality=us_person]") == 0);
    CHECK(r.scalar("peak_blocked[nationality=us_person]") == Approx(r.scalar("peak_us_persons_blocked")));
}

TEST_CASE("the scopes of a partition add up to the whole") {
    auto s = test::heavy("nationality_gate", {}, 20000);
    std::string scopes = "reporting.scopes=[";
    for (const auto& region : s.regions) scopes += "region=" + region.id + ", ";
    s = test::with(s, {scopes + "]"});
    const auto r = test::run(s);
    for (const char* name : {"affected_users", "blocked_days", "cumulative_value_lost", "revenue_change.lab_a", "revenue_change.lab_b",
                             "cloud_partner_revenue_change.cloud_x", "foreign_access_days", "foreign_access_days_counterfactual",
                             "us_person_blocked_days", "verification_checks", "enterprise_days_disrupted", "migration_cost"}) {
        double sum = 0;
        for (const auto& region : s.regions) sum += r.scalar(std::string(name) + "[region=" + region.id + "]");
        INFO(name);
        CHECK(sum == Approx(r.scalar(name)).epsilon(1e-9).margin(1e-6));
    }
}

TEST_CASE("a bad scope is refused with its reason") {
    const auto s = test::small("baseline");
    for (const char* bad : {"reporting.scopes=[region=atlantis]", "reporting.scopes=[colour=blue]", "reporting.scopes=['']"}) {
        INFO(bad);
        CHECK_THROWS_AS(test::with(s, {bad}), ScenarioError);
    }
}

// ---- Sanity warnings ----------------------------------------------------------------------------

TEST_CASE("an output that contradicts the world's scale warns") {
    const auto s = test::heavy("geo_fence");
    CHECK(test::run(s).warnings.empty());
    const auto absurd = test::run(test::with(s, {"regulator.enforcement.minimum_charged_violations=1e6", "regulator.enforcement.statutory_max_per_violation=1e9",
                                                 "regulator.enforcement.routes.permitted.case_probability=1"}));
    REQUIRE(absurd.warnings.size() == 1);
    CHECK_THAT(absurd.warnings[0], Catch::Contains("expected_penalties"));
}

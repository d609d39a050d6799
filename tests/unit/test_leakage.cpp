// Leakage routes around a nationality gate (account sharing, API resellers): each responds to its
// own parameter, detection lowers it, a stricter gate never leaks more, and neutral is today.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "support.hpp"

using namespace gatesim;

namespace {

// A gate that never lifts, no enterprises (employees take no route), 4,000 agents; `sharing` and
// `resale` the uptakes of every segment, then `more`.
Scenario gate(double sharing, double resale, std::vector<std::string> more = {}) {
    auto s = test::heavy("nationality_gate", {"regulator.decision_after_days=never", "enterprises.agents=0"}, 4000);
    auto o = test::all_segments(s, "account_sharing_uptake", std::to_string(sharing));
    o.push_back("verification.account_sharing_share=0.5");
    const auto r = test::all_segments(s, "reseller_uptake", std::to_string(resale));
    o.insert(o.end(), r.begin(), r.end());
    o.insert(o.end(), more.begin(), more.end());
    return test::with(s, o);
}

double sharing_days(const Results& r) { return r.scalar("foreign_access_days_account_sharing"); }
double reseller_days(const Results& r) { return r.scalar("foreign_access_days_reseller"); }

}  // namespace

TEST_CASE("with no uptake, the leakage routes change nothing, whatever their other parameters") {
    const auto today = test::run(gate(0, 0));
    const auto r = test::run(gate(0, 0, {"verification.account_sharing_detection_daily=0.3", "verification.reseller_markup=2",
                                         "verification.reseller_kyc_strictness=0.5"}));
    REQUIRE(today.scalars.size() == r.scalars.size());
    for (std::size_t k = 0; k < r.scalars.size(); ++k) {
        INFO(r.scalars[k].name);
        const double a = today.scalars[k].value, b = r.scalars[k].value;
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
    }
    CHECK(sharing_days(r) == 0);
    CHECK(reseller_days(r) == 0);
    REQUIRE(today.series.size() == r.series.size());
    for (std::size_t k = 0; k < r.series.size(); ++k) {
        INFO(r.series[k].name);
        const auto &a = today.series[k].values, &b = r.series[k].values;
        REQUIRE(a.size() == b.size());
        CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
    }
}

TEST_CASE("account sharing grows with its uptake and the accounts lent, and needs verified accounts") {
    const auto low = test::run(gate(0.02, 0)), high = test::run(gate(0.2, 0));
    CHECK(sharing_days(low) > 0);
    CHECK(sharing_days(high) > 1.5 * sharing_days(low));
    CHECK(reseller_days(high) == 0);
    CHECK(high.scalar("leakage_share") > low.scalar("leakage_share"));
    // No verified US person lends an account: nothing to share.
    CHECK(sharing_days(test::run(gate(0.2, 0, {"verification.account_sharing_share=0"}))) == 0);
    // Nobody verified (no capacity): no account to share either.
    CHECK(sharing_days(test::run(gate(0.2, 0, {"verification.capacity_per_day=0"}))) == 0);
}

TEST_CASE("detection catches account sharers and lowers the leakage") {
    const auto free = test::run(gate(0.1, 0)), watched = test::run(gate(0.1, 0, {"verification.account_sharing_detection_daily=0.05"}));
    CHECK(sharing_days(watched) < 0.8 * sharing_days(free));
    CHECK(watched.scalar("leakage_detected_account_sharing") > 0);
    CHECK(free.scalar("leakage_detected_account_sharing") == 0);
    const auto& detected = watched.series_named("leakage_detected");
    double caught = 0;
    for (std::size_t d = 0; d < detected.days(); ++d) caught += detected.at(d, 0);
    CHECK(caught == Approx(watched.scalar("leakage_detected_account_sharing")));
}

TEST_CASE("resellers serve only API users, and a dearer reseller fewer") {
    const auto cheap = test::run(gate(0, 0.05)), dear = test::run(gate(0, 0.05, {"verification.reseller_markup=1"}));
    CHECK(reseller_days(cheap) > 0);
    CHECK(reseller_days(dear) < 0.8 * reseller_days(cheap));
    CHECK(sharing_days(cheap) == 0);
    // Consumers on the app have no API key to buy: their scope leaks nothing through resellers.
    const auto scoped = test::run(gate(0, 0.05, {"reporting.scopes=[channel=consumer]"}));
    CHECK(scoped.scalar("foreign_access_days_reseller[channel=consumer]") == 0);
    CHECK(scoped.scalar("foreign_access_days_counterfactual[channel=consumer]") > 0);
}

TEST_CASE("a stricter gate never leaks more through resellers") {
    // The same world and draws (common random numbers), the provider's KYC ever stricter.
    double previous = -1;
    const double strictness[] = {0, 0.01, 0.03, 0.1, 0.3, 1};
    for (double kyc : strictness) {
        const auto r = test::run(gate(0.05, 0.05, {"verification.reseller_kyc_strictness=" + std::to_string(kyc)}));
        INFO("kyc strictness " << kyc);
        if (previous >= 0) CHECK(reseller_days(r) <= previous);
        if (kyc > 0) CHECK(r.scalar("leakage_detected_reseller") > 0);
        previous = reseller_days(r);
    }
    // At full strictness a reseller's customer is caught the day after it buys access.
    CHECK(previous < 0.05 * reseller_days(test::run(gate(0.05, 0.05))));
}

// ---- New users entering the market (market_entry.hpp) ----------------------------------------

namespace {

// No directive, no enterprises: every individual user starts outside with `share`, entering at p and q.
Scenario entering(double share, double p, double q, int agents = 6000) {
    auto s = test::heavy("baseline", {"enterprises.agents=0"}, agents);
    auto o = test::all_segments(s, "outside_share", std::to_string(share));
    for (const auto& [field, value] : {std::pair{"entry_innovation", p}, std::pair{"entry_imitation", q}}) {
        const auto more = test::all_segments(s, field, std::to_string(value));
        o.insert(o.end(), more.begin(), more.end());
    }
    return test::with(s, o);
}

// The share of all users in the market at the end of `day`.
double in_market(const Scenario& s, const Results& r, std::size_t day) {
    return 1 - r.series_named("outside_market").at(day) / s.population.users;
}

}  // namespace

TEST_CASE("with nobody outside the market, entry rates change nothing") {
    const auto today = test::run(entering(0, 0, 0)), r = test::run(entering(0, 0.05, 0.5));
    REQUIRE(today.scalars.size() == r.scalars.size());
    for (std::size_t k = 0; k < r.scalars.size(); ++k) {
        INFO(r.scalars[k].name);
        const double a = today.scalars[k].value, b = r.scalars[k].value;
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
    }
    for (double v : r.series_named("outside_market").values) REQUIRE(v == 0);
}

TEST_CASE("users outside the market use no model, and enter it on the closed-form Bass curve") {
    // Bass (1969): with innovation p and imitation q the share in the market F peaks in growth at
    // t* = ln(q/p) / (p + q), where F(t*) = 1/2 - p / (2q).
    const double p = 0.01, q = 0.1;
    const auto s = entering(1, p, q);
    const auto r = test::run(s);
    // Outside users count in no model's users: on every day the users on models and those
    // outside add up to the population (nobody is blocked in the baseline).
    const auto& by_model = r.series_named("users_by_model");
    for (std::size_t d = 0; d < by_model.days(); d += 10) {
        double on_models = 0;
        for (std::size_t m = 0; m < by_model.width(); ++m) on_models += by_model.at(d, m);
        CHECK(on_models + r.series_named("outside_market").at(d) == Approx(s.population.users));
    }
    CHECK(in_market(s, r, 0) < 0.03);  // day 0: innovation alone, p = 1%
    const double t_star = std::log(q / p) / (p + q), f_star = 0.5 - p / (2 * q);
    // The day F crosses F(t*), interpolated; day k ends at t = k + 1.
    double crossing = -1;
    for (std::size_t d = 1; d < by_model.days() && crossing < 0; ++d)
        if (in_market(s, r, d) >= f_star)
            crossing = static_cast<double>(d) + (f_star - in_market(s, r, d - 1)) / (in_market(s, r, d) - in_market(s, r, d - 1));
    REQUIRE(crossing > 0);
    // Tolerance from the agent count, as for successors (test_behaviour): n agents give F a
    // standard error sqrt(F(1 - F) / n), SE / F'(t*) in time with F'(t*) = (p + q)^2 / (4q);
    // three of them, plus one day for the daily step (entry reads yesterday's F).
    const double n = static_cast<double>(s.population.agents);
    const double slope = (p + q) * (p + q) / (4 * q), se = std::sqrt(f_star * (1 - f_star) / n);
    const double step_delay = 1.0;
    INFO("crossing " << crossing << " against t* " << t_star);
    CHECK(crossing == Approx(t_star).margin(3 * se / slope + step_delay));
    CHECK(in_market(s, r, static_cast<std::size_t>(std::lround(t_star)) - 1) == Approx(f_star).margin(3 * se + (step_delay + 0.5) * slope));
    // Imitation makes the S: with innovation alone the market fills far more slowly.
    const auto alone = test::run(entering(1, p, 0));
    CHECK(in_market(s, alone, 60) < 0.7 * in_market(s, r, 60));
    // Revenue follows the users in: far below the all-in market on day 0.
    const auto all_in = test::run(entering(0, p, q));
    const auto& revenue = r.series_named("revenue_by_provider");
    const auto& full = all_in.series_named("revenue_by_provider");
    double early = 0, base = 0;
    for (std::size_t k = 0; k < revenue.width(); ++k) {
        early += revenue.at(0, k);
        base += full.at(0, k);
    }
    CHECK(early < 0.05 * base);
}

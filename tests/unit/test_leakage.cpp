// Leakage routes around a nationality gate (account sharing, API resellers): each responds to its
// own parameter, detection lowers it, a stricter gate never leaks more, and neutral is today.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "support.hpp"

using namespace gatesim;

namespace {

std::vector<std::string> every_segment(const Scenario& s, const std::string& field, const std::string& value) {
    std::vector<std::string> out;
    for (const auto& g : s.segments) out.push_back("segments." + g.id + "." + field + "=" + value);
    return out;
}

// A gate that never lifts, no enterprises (employees take no route), 4,000 agents; `sharing` and
// `resale` the uptakes of every segment, then `more`.
Scenario gate(double sharing, double resale, std::vector<std::string> more = {}) {
    auto s = test::heavy("nationality_gate", {"regulator.decision_after_days=never", "enterprises.agents=0"}, 4000);
    auto o = every_segment(s, "account_sharing_uptake", std::to_string(sharing));
    o.push_back("verification.account_sharing_share=0.5");
    const auto r = every_segment(s, "reseller_uptake", std::to_string(resale));
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

// Flags on a fenced model and appeals against them (appeals.hpp): false flags block legitimate
// users and count as wrongly flagged; without an appeal nobody is reinstated; a sure appeal
// reinstates exactly the review delay after the flag, and a partial one its closed-form share; a
// likelier success reinstates more; caught circumventors appeal at their own odds; nobody is
// flagged at the neutral setting.
#include <catch2/catch.hpp>
#include <cmath>

#include "support.hpp"

using namespace gatesim;

namespace {

constexpr int fence_day = 14;  // geo_fence's fence

// The geo fence that never lifts, no enterprises (employees follow their employer), lab_a large,
// 4,000 agents; then `more`.
Scenario fence(std::vector<std::string> more = {}) {
    std::vector<std::string> o{"regulator.decision_after_days=never", "enterprises.agents=0"};
    o.insert(o.end(), more.begin(), more.end());
    return test::heavy("geo_fence", o, 4000);
}

Scenario flagging(double false_flag, double appeal, double success, int review_days) {
    return test::with(fence(), {"circumvention.false_flag_daily=" + std::to_string(false_flag),
                                "circumvention.appeal_probability=" + std::to_string(appeal),
                                "circumvention.appeal_success=" + std::to_string(success),
                                "circumvention.appeal_review_days=" + std::to_string(review_days)});
}

enum Measure : std::size_t { flagged, wrongly_flagged, reinstated };
double flags(const Results& r, std::size_t day, Measure m) { return r.series_named("flags").at(day, m); }
double flags_until(const Results& r, std::size_t last_day, Measure m) {
    double sum = 0;
    for (std::size_t d = 0; d <= last_day; ++d) sum += flags(r, d, m);
    return sum;
}

}  // namespace

TEST_CASE("false flags block legitimate users of the fenced model and count as wrongly flagged") {
    const auto none = test::run(fence());
    const auto all = test::run(flagging(1, 0, 0.8, 14));  // every legitimate user is flagged on the fence's day
    const double legitimate = flags(all, fence_day, wrongly_flagged);
    REQUIRE(legitimate > 0);
    CHECK(flags(all, fence_day, flagged) == Approx(legitimate));
    CHECK(flags_until(all, fence_day - 1, flagged) == 0);  // no fence, no flag
    CHECK(all.scalar("users_wrongly_flagged") == Approx(legitimate));
    CHECK(all.scalar("users_flagged") == Approx(legitimate));
    // Each flagged user is blocked from its model from that day on; nobody is flagged twice.
    for (std::size_t d : {std::size_t{fence_day}, std::size_t{fence_day + 30}})
        CHECK(test::total(all, "blocked", d) - test::total(none, "blocked", d) == Approx(legitimate).epsilon(1e-9));
    CHECK(flags_until(all, all.series_named("flags").days() - 1, wrongly_flagged) == Approx(legitimate));
    CHECK(all.scalar("cumulative_value_lost") > none.scalar("cumulative_value_lost"));
}

TEST_CASE("with no appeal, nobody is reinstated") {
    const auto r = test::run(flagging(0.05, 0, 1, 3));
    CHECK(r.scalar("users_wrongly_flagged") > 0);
    CHECK(r.scalar("users_reinstated") == 0);
    for (std::size_t d = 0; d < r.series_named("flags").days(); ++d) REQUIRE(flags(r, d, reinstated) == 0);
}

TEST_CASE("a constant appeal path reinstates as its closed form predicts") {
    const int delay = 5;
    SECTION("a sure appeal reinstates each flagged user exactly the review delay later") {
        const auto r = test::run(flagging(0.05, 1, 1, delay));
        const std::size_t days = r.series_named("flags").days();
        for (std::size_t d = 0; d + delay < days; ++d) {
            INFO("day " << d);
            CHECK(flags(r, d + delay, reinstated) == Approx(flags(r, d, wrongly_flagged)).margin(1e-9));
        }
        // Flags by day t: N (1 - (1 - f)^(t - fence + 1)), N the legitimate users (all flagged at f = 1).
        const double legitimate = flags(test::run(flagging(1, 0, 1, delay)), fence_day, wrongly_flagged);
        const int k = 20;
        CHECK(flags_until(r, fence_day + k - 1, wrongly_flagged) / legitimate == Approx(1 - std::pow(0.95, k)).epsilon(0.1));
    }
    SECTION("a partial one reinstates appeal x success of the flagged, on the review day") {
        const auto r = test::run(flagging(1, 0.5, 0.6, delay));
        const double legitimate = flags(r, fence_day, wrongly_flagged);
        CHECK(flags_until(r, fence_day + delay - 1, reinstated) == 0);
        CHECK(flags(r, fence_day + delay, reinstated) / legitimate == Approx(0.5 * 0.6).margin(0.08));
        CHECK(r.scalar("users_reinstated") == Approx(flags(r, fence_day + delay, reinstated)));
    }
}

TEST_CASE("a likelier success reinstates more, and gives back value") {
    const auto low = test::run(flagging(0.05, 1, 0.2, 7)), high = test::run(flagging(0.05, 1, 0.9, 7));
    CHECK(low.scalar("users_reinstated") > 0);
    CHECK(high.scalar("users_reinstated") > 2 * low.scalar("users_reinstated"));
    CHECK(high.scalar("cumulative_value_lost") < low.scalar("cumulative_value_lost"));
}

TEST_CASE("caught circumventors are flagged and appeal at their own odds") {
    auto caught = [](double appeal, double success) {
        return test::run(test::with(
            fence(), {"circumvention.adoption=true", "circumvention.awareness_peak=0.05", "circumvention.awareness_peak_days=5",
                      "circumvention.contagion=0.5", "circumvention.detection_daily=0.05",
                      "circumvention.appeal_probability=" + std::to_string(appeal), "circumvention.appeal_success_caught=" + std::to_string(success),
                      "circumvention.appeal_review_days=3"}));
    };
    const auto never = caught(1, 0), always = caught(1, 1);
    const double detected = never.scalar("users_flagged");
    REQUIRE(detected > 0);
    double detected_series = 0;
    for (double v : never.series_named("circumvention_detected").values) detected_series += v;
    CHECK(detected == Approx(detected_series));
    CHECK(never.scalar("users_wrongly_flagged") == 0);
    CHECK(never.scalar("users_reinstated") == 0);
    CHECK(always.scalar("users_reinstated") > 0);
    // Reinstated circumventors circumvent again.
    CHECK(always.scalar("foreign_access_days_circumvention") > never.scalar("foreign_access_days_circumvention"));
}

TEST_CASE("nobody is flagged at the neutral setting") {
    const auto r = test::run(test::with(fence(), {"circumvention.appeal_probability=1", "circumvention.appeal_success=1"}));
    for (double v : r.series_named("flags").values) REQUIRE(v == 0);
    CHECK(r.scalar("users_flagged") == 0);
    CHECK(r.scalar("users_reinstated") == 0);
}

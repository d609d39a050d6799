#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "support.hpp"

using namespace gatesim;

namespace {
bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
bool same_results(const Results& a, const Results& b) {
    if (a.series.size() != b.series.size() || a.scalars.size() != b.scalars.size()) return false;
    for (std::size_t i = 0; i < a.series.size(); ++i)
        if (a.series[i].name != b.series[i].name || !bit_identical(a.series[i].values, b.series[i].values)) return false;
    for (std::size_t i = 0; i < a.scalars.size(); ++i) {
        const double x = a.scalars[i].value, y = b.scalars[i].value;
        if (std::memcmp(&x, &y, sizeof x) != 0) return false;
    }
    return true;
}
}  // namespace

TEST_CASE("results are bit-identical for 1 and 2 threads") {
    const auto s = test::small("global_shutdown", {}, 3 * 4096 + 17);  // several blocks, one partial
    CHECK(same_results(test::run(s, 1), test::run(s, 2)));
}

TEST_CASE("the seed is recorded and changes the draws") {
    const auto s = test::small("global_shutdown");
    const auto a = test::run(s), b = test::run(test::with(s, {"seed=99"}));
    CHECK(a.seed == s.seed);
    CHECK(b.seed == 99);
    CHECK(!same_results(a, b));
}

TEST_CASE("series are in real-world units and balance") {
    const auto s = test::small("global_shutdown");
    const auto r = test::run(s);
    const auto& by_model = r.series_named("users_by_model");
    const auto& waiting = r.series_named("waiting");
    REQUIRE(by_model.days() == static_cast<std::size_t>(s.days));
    for (int day = 0; day < s.days; ++day) {
        double total = waiting.at(day);
        for (std::size_t m = 0; m < s.models.size(); ++m) total += by_model.at(day, m);
        // Every user either uses some model or waits.
        REQUIRE(total == Approx(s.population.users).epsilon(1e-9));
    }
}

TEST_CASE("before the directive nobody is blocked; on its day the scope's users are") {
    const auto s = test::small("global_shutdown");
    const auto r = test::run(s);
    const auto& blocked = r.series_named("blocked");
    const auto first = static_cast<std::size_t>(r.scalar("first_stage_day"));
    CHECK(first == static_cast<std::size_t>(s.directive.stages[0].day));
    for (std::size_t day = 0; day < first; ++day) REQUIRE(blocked.at(day) == 0);
    CHECK(blocked.at(first) == Approx(r.scalar("affected_users")));
    CHECK(r.scalar("peak_blocked") == Approx(r.scalar("affected_users")));
}

TEST_CASE("after the restore no one is blocked and nobody switches back later") {
    const auto s = test::small("global_shutdown", {"regulator.decision_after_days=30"});
    const auto r = test::run(s);
    CHECK(r.scalar("decision_day") == s.directive.day + 30);
    const auto restore = static_cast<std::size_t>(r.scalar("decision_day"));
    const auto& blocked = r.series_named("blocked");
    const auto& returned = r.series_named("returned");
    for (std::size_t day = restore; day < static_cast<std::size_t>(s.days); ++day) {
        REQUIRE(blocked.at(day) == 0);
        REQUIRE(returned.at(day) == returned.at(restore));  // one decision, on the restore day
    }
    CHECK(returned.at(restore) > 0);
}

TEST_CASE("a cancelled run stops with Cancelled and progress reports each day") {
    const auto s = test::small("global_shutdown");
    std::atomic<bool> cancel{false};
    int last = 0;
    RunOptions options;
    options.cancel = &cancel;
    options.progress = [&](int day, int) {
        last = day;
        if (day == 5) cancel = true;
    };
    REQUIRE_THROWS_AS(simulate(s, options), Cancelled);
    CHECK(last == 5);
}

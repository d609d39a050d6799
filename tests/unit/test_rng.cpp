#include <boost/random/exponential_distribution.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "model/rng.hpp"

using namespace gatesim;

TEST_CASE("the same key, agent and day give the same draws") {
    const auto key = StreamKey::of(7, 0, Purpose::choice, 3);
    RandomEngine a(key, 11, 42), b(key, 11, 42);
    for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
}

TEST_CASE("stream keys differ by seed, replicate, purpose and block") {
    std::set<std::uint64_t> keys;
    for (std::uint64_t seed : {1, 2})
        for (std::uint64_t rep : {0, 1})
            for (auto purpose : {Purpose::population, Purpose::choice, Purpose::return_home})
                for (std::uint64_t block : {0, 1, 2}) keys.insert(StreamKey::of(seed, rep, purpose, block).value);
    REQUIRE(keys.size() == 2 * 2 * 3 * 3);
}

TEST_CASE("agent and day sub-streams are distinct") {
    const auto key = StreamKey::of(1, 0, Purpose::wait_or_switch, 0);
    std::set<std::uint64_t> first;
    for (std::uint64_t agent = 0; agent < 100; ++agent)
        for (std::uint64_t day = 0; day < 100; ++day) first.insert(RandomEngine(key, agent, day)());
    REQUIRE(first.size() == 100 * 100);
}

TEST_CASE("uniform draws are in [0, 1) with the right mean and variance") {
    RandomEngine rng(12345);
    double sum = 0, sum2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        sum += u;
        sum2 += u * u;
    }
    const double mean = sum / n;
    CHECK(mean == Approx(0.5).margin(0.005));
    CHECK(sum2 / n - mean * mean == Approx(1.0 / 12).margin(0.002));
}

TEST_CASE("Boost.Random distributions work with the engine") {
    RandomEngine rng(99);
    boost::random::exponential_distribution<double> exp(0.5);
    double sum = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) sum += exp(rng);
    CHECK(sum / n == Approx(2.0).epsilon(0.02));
}

TEST_CASE("named draws keep the seed arithmetic they had before they were named") {
    for (std::int64_t day : {0, 1, 17, 364, 32767}) {
        const auto d = static_cast<std::uint64_t>(day);
        CHECK(draw_slot(Draw::verification_progress, day) == d * 4);
        CHECK(draw_slot(Draw::verification_applying, day) == d * 4 + 3);
        CHECK(draw_slot(Draw::migration_target, day) == d + 1'000'000);
        for (auto daily : {Draw::switch_hazard, Draw::switch_choice, Draw::return_home, Draw::surge_priority, Draw::adoption,
                           Draw::failover_return})
            CHECK(draw_slot(daily, day) == d);
        for (auto once : {Draw::user_synthesis, Draw::enterprise_synthesis, Draw::decision_day}) CHECK(draw_slot(once, day) == 0);
    }
    const auto key = StreamKey::of(3, 1, Purpose::verification, 2);
    RandomEngine named(key, 5, Draw::verification_applying, 9), numbered(key, 5, 9 * 4 + 3);
    CHECK(named() == numbered());
}

TEST_CASE("named draws map to their purposes, and draws sharing a purpose never share a slot") {
    CHECK(purpose_of(Draw::switch_hazard) == Purpose::wait_or_switch);
    CHECK(purpose_of(Draw::switch_choice) == Purpose::choice);
    CHECK(purpose_of(Draw::return_home) == Purpose::return_home);
    CHECK(purpose_of(Draw::verification_progress) == Purpose::verification);
    CHECK(purpose_of(Draw::verification_applying) == Purpose::verification);
    CHECK(purpose_of(Draw::failover_return) == Purpose::enterprise_decision);
    CHECK(purpose_of(Draw::migration_target) == Purpose::enterprise_decision);
    CHECK(purpose_of(Draw::surge_priority) == Purpose::capacity);
    CHECK(purpose_of(Draw::adoption) == Purpose::adoption);
    CHECK(purpose_of(Draw::decision_day) == Purpose::directive);
    CHECK(purpose_of(Draw::user_synthesis) == Purpose::population);
    CHECK(purpose_of(Draw::enterprise_synthesis) == Purpose::enterprise_population);
    // Days are stored as int16: over every representable day, the pairs of draws of one purpose
    // use disjoint slots.
    for (auto [a, b] : {std::pair{Draw::verification_progress, Draw::verification_applying},
                        std::pair{Draw::failover_return, Draw::migration_target}}) {
        std::set<std::uint64_t> slots_a;
        for (std::int64_t day = 0; day <= 32767; ++day) slots_a.insert(draw_slot(a, day));
        bool overlap = false;
        for (std::int64_t day = 0; day <= 32767; ++day) overlap = overlap || slots_a.count(draw_slot(b, day));
        CHECK_FALSE(overlap);
    }
}

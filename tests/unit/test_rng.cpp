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

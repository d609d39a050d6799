#include <algorithm>
#include <cmath>
#include <catch2/catch.hpp>
#include <vector>

#include "model/distribution.hpp"
#include "model/rng.hpp"

using namespace gatesim;

namespace {
double sample_median(const Distribution& d, int n = 20001) {
    RandomEngine rng(2024);
    std::vector<double> xs(n);
    for (auto& x : xs) x = d.sample(rng);
    std::nth_element(xs.begin(), xs.begin() + n / 2, xs.end());
    return xs[n / 2];
}
}  // namespace

TEST_CASE("a fixed distribution always gives its value") {
    RandomEngine rng(1);
    const auto d = Distribution::fixed_at(3.5);
    for (int i = 0; i < 10; ++i) REQUIRE(d.sample(rng) == 3.5);
    REQUIRE(d.central() == 3.5);
}

TEST_CASE("sampled medians match the analytic medians") {
    const Distribution lognormal{.kind = DistributionKind::lognormal, .median = 45, .sigma = 0.6};
    const Distribution uniform{.kind = DistributionKind::uniform, .low = 10, .high = 30};
    const Distribution triangular{.kind = DistributionKind::triangular, .low = 0, .high = 10, .mode = 2};
    for (const auto& d : {lognormal, uniform, triangular})
        CHECK(sample_median(d) == Approx(d.central()).epsilon(0.03));
}

TEST_CASE("inconsistent parameters are reported") {
    CHECK(!Distribution{.kind = DistributionKind::uniform, .low = 5, .high = 1}.check().empty());
    CHECK(!Distribution{.kind = DistributionKind::lognormal, .median = 0, .sigma = 1}.check().empty());
    CHECK(!Distribution{.kind = DistributionKind::triangular, .low = 0, .high = 1, .mode = 2}.check().empty());
    CHECK(Distribution{.kind = DistributionKind::lognormal, .median = 3, .sigma = 0.1}.check().empty());
}

TEST_CASE("choice weights: finite sum, none negative, not all zero") {
    auto choice = [](std::vector<double> weights) {
        return Distribution{.kind = DistributionKind::choice, .values = {10, 20}, .weights = std::move(weights)};
    };
    CHECK_THAT(choice({1e308, 1e308}).check(), Catch::Contains("finite sum"));
    CHECK(!choice({-1, 2}).check().empty());
    CHECK(!choice({0, 0}).check().empty());
    CHECK(!choice({std::nan(""), 1}).check().empty());
    CHECK(choice({1e300, 1e300}).check().empty());
    CHECK(choice({1e300, 1e300}).quantile(0.25) == 10);
}

TEST_CASE("parameters must be finite, and so must the spread they imply") {
    CHECK(!Distribution{.kind = DistributionKind::uniform, .low = -1e308, .high = 1e308}.check().empty());
    CHECK(!Distribution{.kind = DistributionKind::triangular, .low = -1e308, .high = 1e308, .mode = 0}.check().empty());
    CHECK(!Distribution{.kind = DistributionKind::lognormal, .median = 3, .sigma = HUGE_VAL}.check().empty());
    CHECK(!Distribution{.kind = DistributionKind::lognormal, .median = HUGE_VAL, .sigma = 1}.check().empty());
    CHECK(!Distribution::fixed_at(std::nan("")).check().empty());
    CHECK(!Distribution{.kind = DistributionKind::choice, .values = {1, HUGE_VAL}}.check().empty());
}

TEST_CASE("an engine-sampled field: the 99.9% quantile within range, every draw clamped to it") {
    const Distribution tame{.kind = DistributionKind::lognormal, .median = 3, .sigma = 0.8};
    const Distribution wild{.kind = DistributionKind::lognormal, .median = 3, .sigma = 50};
    CHECK(tame.check_sampled_range(0, 1e4).empty());
    CHECK_THAT(wild.check_sampled_range(0, 1e4), Catch::Contains("99.9% quantile"));
    // The lower tail of a lognormal is not checked: a field whose minimum is above 0 (employees
    // per enterprise: at least 1) clamps the draws below it.
    CHECK(Distribution{.kind = DistributionKind::lognormal, .median = 40, .sigma = 1.5}.check_sampled_range(1, 1e7).empty());
    CHECK(!Distribution{.kind = DistributionKind::uniform, .low = -1, .high = 5}.check_sampled_range(0, 10).empty());
    RandomEngine rng(7);
    double largest = 0;
    for (int i = 0; i < 10000; ++i) {
        const double x = wild.sample_within(rng, 0, 1e4);
        REQUIRE(std::isfinite(x));
        REQUIRE(x >= 0);
        REQUIRE(x <= 1e4);
        largest = std::max(largest, x);
    }
    CHECK(largest == 1e4);  // with sigma 50, many draws are far beyond the range
}

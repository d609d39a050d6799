#include <algorithm>
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

// Unit tests for reductions over replicates (sim/core/statistics.cpp): quantiles and bands on
// known inputs, variance decomposition on constructed cases, paired deltas and the bootstrap.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>

#include "model/rng.hpp"
#include "study/statistics.hpp"

using namespace gatesim;

namespace {
constexpr double missing = std::numeric_limits<double>::quiet_NaN();

// A standard normal draw (Box-Muller) from our own engine, for constructed noise.
double normal(RandomEngine& rng) {
    const double u = (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
    const double v = rng.uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}
}  // namespace

TEST_CASE("quantiles interpolate between order statistics (numpy's default)") {
    std::vector<double> x(10);
    std::iota(x.begin(), x.end(), 1.0);  // 1..10
    // numpy.quantile(np.arange(1, 11), [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1])
    const auto q = quantiles(x, {0, 0.05, 0.25, 0.5, 0.75, 0.95, 1});
    const std::vector<double> expected{1, 1.45, 3.25, 5.5, 7.75, 9.55, 10};
    for (std::size_t i = 0; i < q.size(); ++i) CHECK(q[i] == Approx(expected[i]).epsilon(1e-14));
    CHECK(quantiles({3, missing, 1, 2}, {0.5})[0] == 2);  // NaN ("not reached") is left out
    CHECK(std::isnan(quantiles({missing, missing}, {0.5})[0]));
    CHECK(quantile_label(0.05) == "p5");
    CHECK(quantile_label(0.025) == "p2.5");
}

TEST_CASE("scalar distributions count what was not reached") {
    const auto d = distribution_of({4, missing, 2, 6}, {0.5});
    CHECK(d.count == 3);
    CHECK(d.not_reached == 1);
    CHECK(d.mean == 4);
    CHECK(d.sd == Approx(2));
    CHECK(d.min == 2);
    CHECK(d.max == 6);
    CHECK(d.quantiles == std::vector<double>{4});
    CHECK(statistics_vector(d).size() == statistic_labels({0.5}).size());
}

TEST_CASE("quantile bands read in day blocks equal bands computed in one piece") {
    // 37 replicates x 11 days x 3 columns of values with a known pattern.
    const std::size_t reps = 37, days = 11, width = 3;
    std::vector<double> data(reps * days * width);
    RandomEngine rng(3);
    for (auto& v : data) v = std::floor(rng.uniform() * 1000);
    auto reader = [&](std::size_t begin, std::size_t end, double* out) {
        for (std::size_t r = 0; r < reps; ++r)
            for (std::size_t d = begin; d < end; ++d)
                for (std::size_t c = 0; c < width; ++c) out[(r * (end - begin) + d - begin) * width + c] = data[(r * days + d) * width + c];
    };
    const std::vector<double> probs{0.05, 0.5, 0.95};
    const auto whole = quantile_bands(reader, reps, days, width, probs);
    const auto blocks = quantile_bands(reader, reps, days, width, probs, reps * width * 2);  // 2 days per block
    REQUIRE(whole.size() == probs.size() * days * width);
    CHECK(whole == blocks);
    for (std::size_t d = 0; d < days; ++d)
        for (std::size_t c = 0; c < width; ++c) {
            std::vector<double> column;
            for (std::size_t r = 0; r < reps; ++r) column.push_back(data[(r * days + d) * width + c]);
            const auto q = quantiles(column, probs);
            for (std::size_t i = 0; i < probs.size(); ++i) REQUIRE(whole[(i * days + d) * width + c] == q[i]);
        }
}

TEST_CASE("variance decomposition: no noise means everything is between parameter draws") {
    // 6 draws x 4 noise replicates, each draw constant: within is exactly 0.
    std::vector<double> values;
    for (double draw : {1.0, 4.0, 2.0, 8.0, 5.0, 7.0})
        for (int r = 0; r < 4; ++r) values.push_back(draw);
    const auto v = decompose_variance(values, 4);
    CHECK(v.draws == 6);
    CHECK(v.within == 0);
    CHECK(v.between_share == 1);
    CHECK(v.between == Approx(7.5));  // sample variance of the draw means {1,4,2,8,5,7}
}

TEST_CASE("variance decomposition: identical draws leave nothing between them") {
    // Each draw holds the same multiset of noise values: draw means are equal.
    std::vector<double> values;
    for (int draw = 0; draw < 5; ++draw)
        for (double x : {1.0, 3.0, 2.0}) values.push_back(x);
    const auto v = decompose_variance(values, 3);
    CHECK(v.between == 0);
    CHECK(v.between_share == 0);
    CHECK(v.within == Approx(1));
    CHECK(v.total == Approx(1));
}

TEST_CASE("variance decomposition recovers known components") {
    // y = parameter effect (sd 1) + noise (sd 2): between 1, within 4, share 0.2. Draw means
    // carry noise of variance 4/m = 1: an estimator that forgets to remove it reports between 2
    // and share 1/3, and fails here.
    RandomEngine rng(17);
    const std::size_t k = 2000, m = 4;
    std::vector<double> values;
    for (std::size_t d = 0; d < k; ++d) {
        const double effect = normal(rng);
        for (std::size_t r = 0; r < m; ++r) values.push_back(10 + effect + 2 * normal(rng));
    }
    const auto v = decompose_variance(values, m);
    CHECK(v.between == Approx(1).margin(0.2));
    CHECK(v.within == Approx(4).epsilon(0.05));
    CHECK(v.between_share == Approx(0.2).margin(0.04));
    CHECK(v.between_share + v.within_share == Approx(1));
}

TEST_CASE("variance decomposition reports what it cannot identify") {
    CHECK(std::isnan(decompose_variance({1, 2, 3}, 1).between));   // one run per draw
    CHECK(!std::isnan(decompose_variance({1, 2, 3}, 1).total));
    CHECK(std::isnan(decompose_variance({1, missing, 3, 4}, 2).total));  // NaN values
    CHECK(decompose_variance({1, 2, 3, 4}, 4).between == 0);        // a single draw
}

TEST_CASE("paired deltas: mean, interval and the unpaired comparison") {
    // other = reference + 5 + small noise: the paired sd is small, the unpaired one is not.
    RandomEngine rng(5);
    std::vector<double> reference, other;
    for (int i = 0; i < 200; ++i) {
        const double common = 100 * normal(rng);
        reference.push_back(common);
        other.push_back(common + 5 + normal(rng));
    }
    const auto d = paired_delta(reference, other, {0.05, 0.95}, 1000, 0.95, 1);
    CHECK(d.count == 200);
    CHECK(d.mean == Approx(5).margin(0.3));
    CHECK(d.mean_low < d.mean);
    CHECK(d.mean_high > d.mean);
    CHECK(d.mean_low > 4.5);
    CHECK(d.mean_high < 5.5);
    CHECK(d.sd < 0.1 * d.unpaired_sd);
    // Deterministic in the seed.
    CHECK(paired_delta(reference, other, {0.5}, 200, 0.9, 7).mean_low == paired_delta(reference, other, {0.5}, 200, 0.9, 7).mean_low);
}

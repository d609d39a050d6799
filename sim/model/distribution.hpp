// Probability distributions for uncertain scenario inputs (e.g. how long an outage lasts).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/schema.hpp"

namespace gatesim {

class RandomEngine;

enum class DistributionKind { fixed, uniform, lognormal, triangular, choice };

template <>
struct EnumNames<DistributionKind> {
    static constexpr std::array<std::string_view, 5> names = {"fixed", "uniform", "lognormal",
                                                             "triangular", "choice"};
};

// A distribution over a number. Files write a fixed value as a plain number and anything else
// as a map: {dist: lognormal, median: 30, sigma: 0.5}, {dist: uniform, low: 10, high: 60},
// {dist: triangular, low: 10, mode: 20, high: 60}, {dist: choice, values: [7, 14, 28],
// weights: [1, 2, 1]} (weights optional, default equal).
struct Distribution {
    DistributionKind kind = DistributionKind::fixed;
    double value = 0;   // fixed
    double low = 0;     // uniform, triangular
    double high = 0;    // uniform, triangular
    double mode = 0;    // triangular
    double median = 0;  // lognormal
    double sigma = 0;   // lognormal: standard deviation of log(x)
    std::vector<double> values{};   // choice
    std::vector<double> weights{};  // choice: relative weights, one per value; empty = equal

    static Distribution fixed_at(double v) { return {.kind = DistributionKind::fixed, .value = v}; }

    double sample(RandomEngine& engine) const;
    // A draw clamped to [min, max], the range of the field it is for (a NaN draw gives min).
    // Engine-sampled fields draw through this, so that no tail draw reaches the model as a
    // number the field cannot hold.
    double sample_within(RandomEngine& engine, double min, double max) const;
    // The distribution's median, used where a single representative value is needed.
    double central() const;
    // The inverse cumulative distribution function at u in (0, 1). Designs (Latin hypercube,
    // Sobol') and parameter draws map uniform coordinates to values through it.
    double quantile(double u) const;
    // Smallest and largest value the distribution can produce (lognormal: 0 and infinity).
    std::pair<double, double> support() const;
    // Empty when the parameters are consistent, else what is wrong. Parameters must be finite,
    // and so must the spread they imply (high - low); choice weights must not be negative and
    // must have a finite sum above 0.
    std::string check() const;
    // Empty when the distribution suits a field with range [min, max] whose every draw is
    // clamped to it (sample_within), else why not: check() passes, every parameter lies in the
    // range, and for a lognormal, whose support is unbounded above, the 99.9% quantile is
    // finite and at most max. (Its lower tail is not checked: it ends at 0, and a field whose
    // minimum lies above 0 clamps the draws below, e.g. at least 1 employee.)
    std::string check_sampled_range(double min, double max) const;

    bool operator==(const Distribution&) const = default;
};

}  // namespace gatesim

// Probability distributions for uncertain scenario inputs (e.g. how long an outage lasts).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "schema.hpp"

namespace gatesim {

class RandomEngine;

enum class DistributionKind { fixed, uniform, lognormal, triangular };

template <>
struct EnumNames<DistributionKind> {
    static constexpr std::array<std::string_view, 4> names = {"fixed", "uniform", "lognormal",
                                                             "triangular"};
};

// A distribution over a number. Files write a fixed value as a plain number and anything else
// as a map: {dist: lognormal, median: 30, sigma: 0.5}, {dist: uniform, low: 10, high: 60},
// {dist: triangular, low: 10, mode: 20, high: 60}.
struct Distribution {
    DistributionKind kind = DistributionKind::fixed;
    double value = 0;   // fixed
    double low = 0;     // uniform, triangular
    double high = 0;    // uniform, triangular
    double mode = 0;    // triangular
    double median = 0;  // lognormal
    double sigma = 0;   // lognormal: standard deviation of log(x)

    static Distribution fixed_at(double v) { return {.kind = DistributionKind::fixed, .value = v}; }

    double sample(RandomEngine& engine) const;
    // The distribution's median, used where a single representative value is needed.
    double central() const;
    // Empty when the parameters are consistent, else what is wrong.
    std::string check() const;

    bool operator==(const Distribution&) const = default;
};

}  // namespace gatesim

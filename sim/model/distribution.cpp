// Sampling and checking of scenario distributions.
#include "model/distribution.hpp"

#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "model/rng.hpp"

namespace gatesim {
namespace {

// Values of a choice in increasing order with their cumulative probabilities, so that the
// quantile function is a proper inverse CDF (the median is the weighted median).
struct SortedChoice {
    std::vector<double> values;
    std::vector<double> cumulative;
};

SortedChoice sorted_choice(const Distribution& d) {
    std::vector<std::size_t> order(d.values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d.values[a] < d.values[b]; });
    auto weight = [&](std::size_t i) { return d.weights.empty() ? 1.0 : d.weights[i]; };
    double total = 0;
    for (std::size_t i = 0; i < d.values.size(); ++i) total += weight(i);
    SortedChoice c;
    double acc = 0;
    for (std::size_t i : order) {
        if (weight(i) <= 0) continue;
        acc += weight(i);
        c.values.push_back(d.values[i]);
        c.cumulative.push_back(acc / total);
    }
    return c;
}

// Four significant digits, for computed values in messages.
std::string rounded(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

// The shortest text that reads back as the value, for values the user wrote.
std::string shortest(double value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, end);
}

}  // namespace

double Distribution::sample(RandomEngine& engine) const {
    switch (kind) {
        case DistributionKind::fixed: return value;
        case DistributionKind::uniform:
            return boost::random::uniform_real_distribution<double>(low, high)(engine);
        case DistributionKind::lognormal:
            return boost::random::lognormal_distribution<double>(std::log(median), sigma)(engine);
        case DistributionKind::triangular:
            return boost::random::triangle_distribution<double>(low, mode, high)(engine);
        case DistributionKind::choice: return quantile(engine.uniform());
    }
    return value;
}

double Distribution::sample_within(RandomEngine& engine, double min, double max) const {
    return std::fmin(std::fmax(sample(engine), min), max);  // fmax(NaN, min) is min
}

double Distribution::quantile(double u) const {
    switch (kind) {
        case DistributionKind::fixed: return value;
        case DistributionKind::uniform: return low + u * (high - low);
        case DistributionKind::lognormal: {
            if (u <= 0) return 0;
            if (u >= 1) return std::numeric_limits<double>::infinity();
            // Standard normal quantile: -sqrt(2) * erfc^-1(2u).
            return median * std::exp(-sigma * std::sqrt(2.0) * boost::math::erfc_inv(2 * u));
        }
        case DistributionKind::triangular: {
            const double span = high - low;
            const double split = (mode - low) / span;
            if (u <= split) return low + std::sqrt(u * span * (mode - low));
            return high - std::sqrt((1 - u) * span * (high - mode));
        }
        case DistributionKind::choice: {
            const SortedChoice c = sorted_choice(*this);
            for (std::size_t i = 0; i < c.values.size(); ++i)
                if (u < c.cumulative[i]) return c.values[i];
            return c.values.empty() ? value : c.values.back();
        }
    }
    return value;
}

std::pair<double, double> Distribution::support() const {
    switch (kind) {
        case DistributionKind::fixed: return {value, value};
        case DistributionKind::uniform:
        case DistributionKind::triangular: return {low, high};
        case DistributionKind::lognormal: return {0.0, std::numeric_limits<double>::infinity()};
        case DistributionKind::choice: {
            const SortedChoice c = sorted_choice(*this);
            if (c.values.empty()) return {value, value};
            return {c.values.front(), c.values.back()};
        }
    }
    return {value, value};
}

double Distribution::central() const {
    switch (kind) {
        case DistributionKind::fixed: return value;
        case DistributionKind::uniform: return 0.5 * (low + high);
        case DistributionKind::lognormal: return median;
        case DistributionKind::triangular: {
            // Median of a triangular distribution, on whichever side of the mode it falls.
            const double span = high - low;
            if (span <= 0) return low;
            if (mode - low >= 0.5 * span) return low + std::sqrt(0.5 * span * (mode - low));
            return high - std::sqrt(0.5 * span * (high - mode));
        }
        case DistributionKind::choice: return quantile(0.5);
    }
    return value;
}

std::string Distribution::check() const {
    switch (kind) {
        case DistributionKind::fixed: return std::isfinite(value) ? "" : "a fixed value must be finite";
        case DistributionKind::uniform:
            if (!std::isfinite(low) || !std::isfinite(high)) return "uniform needs finite low and high";
            if (!(low <= high)) return "uniform needs low <= high";
            return std::isfinite(high - low) ? "" : "uniform needs high - low to be finite";
        case DistributionKind::lognormal:
            if (!(median > 0) || !std::isfinite(median)) return "lognormal needs a finite median > 0";
            return sigma >= 0 && std::isfinite(sigma) ? "" : "lognormal needs a finite sigma >= 0";
        case DistributionKind::triangular:
            if (!std::isfinite(low) || !std::isfinite(mode) || !std::isfinite(high))
                return "triangular needs finite low, mode and high";
            if (!(low <= mode && mode <= high && low < high)) return "triangular needs low <= mode <= high and low < high";
            return std::isfinite(high - low) ? "" : "triangular needs high - low to be finite";
        case DistributionKind::choice: {
            if (values.empty()) return "choice needs at least one value";
            if (!weights.empty() && weights.size() != values.size())
                return "choice needs one weight per value (" + std::to_string(values.size()) + " values, " +
                       std::to_string(weights.size()) + " weights)";
            double total = 0;
            for (double w : weights) {
                if (!(w >= 0) || std::isinf(w)) return "choice weights must be finite and not negative";
                total += w;
            }
            if (!std::isfinite(total)) return "choice weights must have a finite sum (scale them down)";
            if (!weights.empty() && !(total > 0)) return "choice weights must not all be zero";
            for (double v : values)
                if (!std::isfinite(v)) return "choice values must be finite";
            return {};
        }
    }
    return {};
}

std::string Distribution::check_sampled_range(double min, double max) const {
    if (auto why = check(); !why.empty()) return why;
    std::string range = "the field's range [";
    range.append(shortest(min)).append(", ").append(shortest(max)).append("]");
    std::string why;
    if (kind == DistributionKind::lognormal) {
        const double tail = quantile(0.999);
        if (median < min || median > max) why.append("the median ").append(shortest(median)).append(" is outside ").append(range);
        else if (!(tail <= max) || !std::isfinite(tail))
            why.append("the 99.9% quantile of this lognormal, ")
                .append(rounded(tail))
                .append(", is outside ")
                .append(range)
                .append("; use a smaller sigma or a bounded distribution (draws are clamped to the range)");
        return why;
    }
    const auto [lo, hi] = support();
    if (lo < min || hi > max)
        why.append("the distribution can produce values from ")
            .append(shortest(lo))
            .append(" to ")
            .append(shortest(hi))
            .append(", outside ")
            .append(range);
    return why;
}

}  // namespace gatesim

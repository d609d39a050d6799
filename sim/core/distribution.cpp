// Sampling and checking of scenario distributions.
#include "distribution.hpp"

#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>

#include "rng.hpp"

namespace gatesim {

double Distribution::sample(RandomEngine& engine) const {
    switch (kind) {
        case DistributionKind::fixed: return value;
        case DistributionKind::uniform:
            return boost::random::uniform_real_distribution<double>(low, high)(engine);
        case DistributionKind::lognormal:
            return boost::random::lognormal_distribution<double>(std::log(median), sigma)(engine);
        case DistributionKind::triangular:
            return boost::random::triangle_distribution<double>(low, mode, high)(engine);
    }
    return value;
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
    }
    return value;
}

std::string Distribution::check() const {
    switch (kind) {
        case DistributionKind::fixed: return {};
        case DistributionKind::uniform:
            return low <= high ? "" : "uniform needs low <= high";
        case DistributionKind::lognormal:
            if (!(median > 0)) return "lognormal needs median > 0";
            return sigma >= 0 ? "" : "lognormal needs sigma >= 0";
        case DistributionKind::triangular:
            return (low <= mode && mode <= high && low < high) ? ""
                                                               : "triangular needs low <= mode <= high and low < high";
    }
    return {};
}

}  // namespace gatesim

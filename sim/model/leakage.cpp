// Leakage routes around a nationality gate: account sharing and API resale (see leakage.hpp).
#include "model/leakage.hpp"

#include <algorithm>
#include <cmath>

namespace gatesim {

LeakageRoutes::LeakageRoutes(const Scenario& s, std::size_t users, bool enforce)
    : active_(false),
      sharing_share_(s.verification.account_sharing_share),
      sharing_detection_(s.verification.account_sharing_detection_daily),
      kyc_(s.verification.reseller_kyc_strictness) {
    for (const Segment& g : s.segments) {
        sharing_.push_back(g.account_sharing_uptake);
        // The reseller's offer is the preferred model at (1 + markup) times its price: the
        // markup costs price_weight x log(1 + markup) of utility, as in the choice (7.3).
        const double rate = g.reseller_uptake * std::exp(-g.price_weight * std::log1p(s.verification.reseller_markup));
        reseller_.push_back(-std::expm1(-rate));
        active_ = active_ || g.account_sharing_uptake > 0 || g.reseller_uptake > 0;
    }
    active_ = active_ && enforce;
    if (active_) held_.assign(users, 0);
}

double LeakageRoutes::sharing_hazard(std::size_t segment) const {
    return -std::expm1(-sharing_[segment] * sharing_share_ * coverage_);
}

Route LeakageRoutes::reach(std::size_t i, std::size_t local, std::size_t segment, bool api, bool deciding, int day, StreamKey key,
                           double* cell_tally, double weight) {
    std::uint8_t& held = held_[i];
    if (held & (sharing | reseller)) {
        const bool shares = (held & sharing) != 0;
        const double caught = shares ? sharing_detection_ : kyc_;
        if (caught <= 0 || RandomEngine(key, local, Draw::leakage_detection, day).uniform() >= caught)
            return shares ? Route::account_sharing : Route::reseller;
        held = static_cast<std::uint8_t>(shares ? (held & ~sharing) | sharing_lost : (held & ~reseller) | reseller_lost);
        cell_tally[shares ? m_account_sharing_detected : m_reseller_detected] += weight;
        return Route::denied;
    }
    if (!deciding) return Route::denied;
    // The routes compete for one draw: sharing below its hazard, resale in the band above it.
    const double share = (held & sharing_lost) ? 0.0 : sharing_hazard(segment);
    const double resale = (held & reseller_lost) || !api ? 0.0 : reseller_[segment];
    if (share <= 0 && resale <= 0) return Route::denied;
    const double x = RandomEngine(key, local, Draw::leakage_uptake, day).uniform();
    if (x < share) {
        held |= sharing;
        return Route::account_sharing;
    }
    if (x < share + resale) {
        held |= reseller;
        return Route::reseller;
    }
    return Route::denied;
}

}  // namespace gatesim

// Choice utilities: recomputed only on days when a promotion or a jurisdiction's response starts
// or ends.
#include "model/choice.hpp"

#include <algorithm>
#include <limits>

#include "model/market.hpp"

namespace gatesim {

ChoiceUtilities::ChoiceUtilities(const Scenario& s, const World& w)
    : s_(s), w_(w), models_(s.models.size()), channels_(w.channels), regions_(s.regions.size()) {
    utility_.resize(s.segments.size() * models_ * channels_ * regions_ * models_);
}

std::vector<double> ChoiceUtilities::boosts(int day) const {
    std::vector<double> boost(s_.providers.size() * regions_, 0.0);
    for (std::size_t p = 0; p < s_.providers.size(); ++p) {
        const auto& promo = s_.providers[p].promotion;
        const int start = s_.directive.stages.empty() ? -1 : s_.directive.day + (promo ? promo->start_after_directive_days : 0);
        if (promo && start >= 0 && day >= start && day < start + promo->duration_days)
            for (std::size_t r = 0; r < regions_; ++r) boost[p * regions_ + r] += promo->utility;
    }
    for (const auto& response : s_.regulator.responses) {
        if (s_.directive.stages.empty() || day < s_.directive.day + response.after_days) continue;
        for (std::size_t p = 0; p < s_.providers.size(); ++p) {
            if (s_.providers[p].jurisdiction != response.boosts) continue;
            for (std::size_t r = 0; r < regions_; ++r)
                if (response.regions.empty() ||
                    std::find(response.regions.begin(), response.regions.end(), s_.regions[r].id) != response.regions.end())
                    boost[p * regions_ + r] += response.utility;
        }
    }
    return boost;
}

bool ChoiceUtilities::update(int day) {
    std::vector<double> boost = boosts(day);
    if (computed_ && boost == boost_) return false;
    boost_ = std::move(boost);
    computed_ = true;
    for (std::size_t g = 0; g < s_.segments.size(); ++g) {
        const Segment& seg = s_.segments[g];
        for (std::size_t h = 0; h < models_; ++h)
            for (std::size_t c = 0; c < channels_; ++c)
                for (std::size_t r = 0; r < regions_; ++r) {
                    double* u = &utility_[offset(g, h, c, r)];
                    for (std::size_t j = 0; j < models_; ++j) {
                        const Model& m = s_.models[j];
                        const auto pj = static_cast<std::size_t>(w_.model_provider[j]);
                        const bool same = w_.model_provider[j] == w_.model_provider[h];
                        const double cost = seg.switching_cost * (c >= channel_cloud_first ? 0.5 : 1.0) * (m.open_weight ? 2.0 : 1.0);
                        u[j] = seg.capability_weight * m.capability - seg.price_weight * std::log1p(m.price) +
                               (same ? seg.provider_loyalty : -cost) + boost_[pj * regions_ + r];
                        // A provider that does not serve the region is no alternative there.
                        if (provider_weight(s_, r, j) <= 0) u[j] = -std::numeric_limits<double>::infinity();
                    }
                }
    }
    return true;
}

}  // namespace gatesim

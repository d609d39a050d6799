// Beliefs about losing access, moved by the regulator's news (see anticipation.hpp).
#include "model/anticipation.hpp"

#include <algorithm>
#include <cmath>

namespace gatesim {

Anticipation::Anticipation(const Scenario& s, bool enforce) : at_risk_(s.models.size(), 0) {
    if (!enforce) return;
    for (const News& n : s.regulator.news) {
        if (n.risk <= 0) continue;
        items_.push_back({n.day, n.risk, n.belief_half_life_days});
        // A news item names the models it puts at risk; without a list, the order's models.
        for (const auto& id : n.models.empty() ? s.directive.models : n.models) {
            const int j = index_of(s.models, id);
            if (j >= 0) at_risk_[static_cast<std::size_t>(j)] = 1;
        }
    }
}

double Anticipation::belief(int day) const {
    double b = 0;
    for (const Item& k : items_)
        if (day >= k.day) b += k.risk * std::exp2(-(day - k.day) / k.half_life);
    return std::min(1.0, b);
}

void Anticipation::unsettle(const std::vector<std::uint8_t>& settled_home, std::size_t channels, std::vector<std::uint8_t>& out) const {
    out = settled_home;
    for (std::size_t j = 0; j < at_risk_.size(); ++j)
        if (at_risk_[j]) std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(j * channels), channels, std::uint8_t{0});
}

}  // namespace gatesim

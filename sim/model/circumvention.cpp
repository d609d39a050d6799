// Circumvention uptake: awareness after the first fence and contagion within region and segment
// (see circumvention.hpp).
#include "model/circumvention.hpp"

#include <algorithm>
#include <cmath>

namespace gatesim {

CircumventionUptake::CircumventionUptake(const Scenario& s, const Users& users, bool enforce, int threads)
    : active_(enforce && s.circumvention.adoption),
      peak_(s.circumvention.awareness_peak),
      peak_days_(s.circumvention.awareness_peak_days),
      contagion_(s.circumvention.contagion),
      segments_(s.segments.size()),
      share_(s.regions.size() * s.segments.size(), 0.0) {
    if (active_) users_ = users_by(users, s.regions.size() * 2 * s.segments.size() * channel_kinds, threads, [&](std::size_t i) { return users.cell[i]; });
    for (const Region& r : s.regions) affordable_.push_back(std::exp(-r.circumvention_cost));
}

void CircumventionUptake::on_rules(const DayPolicy& policy, int day) {
    if (fence_start_ >= 0 || !active_) return;
    if (std::any_of(policy.fenced.begin(), policy.fenced.end(), [](std::uint8_t f) { return f != 0; })) fence_start_ = day;
}

double CircumventionUptake::awareness(int day) const {
    if (fence_start_ < 0 || day < fence_start_) return 0;
    const double x = (day - fence_start_) / peak_days_;
    return peak_ * x * std::exp(1 - x);
}

void CircumventionUptake::record(const TallyLayout& layout, const double* today) {
    if (!active_) return;
    // Cells run ((region x 2 + nationality) x segments + segment) x channel kinds.
    std::vector<double> users(share_.size(), 0.0);
    std::fill(share_.begin(), share_.end(), 0.0);
    for (std::size_t c = 0; c < users_.size(); ++c) {
        const std::size_t segment = (c / channel_kinds) % segments_, region = c / (channel_kinds * segments_ * 2);
        share_[region * segments_ + segment] += today[layout.cell(c, m_circumventing)];
        users[region * segments_ + segment] += users_[c];
    }
    for (std::size_t k = 0; k < share_.size(); ++k) share_[k] = users[k] > 0 ? share_[k] / users[k] : 0.0;
}

}  // namespace gatesim

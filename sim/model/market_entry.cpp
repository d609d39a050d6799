// New users entering the market by Bass diffusion within region and segment (see market_entry.hpp).
#include "model/market_entry.hpp"

#include <algorithm>
#include <cmath>

namespace gatesim {

MarketEntry::MarketEntry(const Scenario& s, std::uint64_t replicate, Users& users, int threads)
    : segments_(s.segments.size()), users_(s.regions.size() * s.segments.size(), 0.0), in_market_(users_.size(), 1.0) {
    std::vector<double> outside_share;
    for (const Segment& g : s.segments) {
        outside_share.push_back(g.outside_share);
        innovation_.push_back(g.entry_innovation);
        imitation_.push_back(g.entry_imitation);
        active_ = active_ || g.outside_share > 0;
    }
    if (!active_) return;
    outside_.assign(users.size(), 0);
    const std::size_t n = users.size();
    for_each_block((n + agent_block_size - 1) / agent_block_size, threads, [&](std::size_t block) {
        const StreamKey key = StreamKey::of(s.seed, replicate, purpose_of(Draw::market_outside), block);
        for (std::size_t i = block * agent_block_size, end = std::min(n, i + agent_block_size); i < end; ++i) {
            // Employees follow their employer into the market: only individual users start outside.
            if (users.employer[i] != no_employer) continue;
            if (RandomEngine(key, i - block * agent_block_size, Draw::market_outside, 0).uniform() >= outside_share[users.segment[i]]) continue;
            outside_[i] = 1;
            users.state[i] = UserState::waiting;
        }
    });
    const auto cell = [&](std::size_t i) { return users.region[i] * segments_ + users.segment[i]; };
    users_ = users_by(users, users_.size(), threads, cell);
    const auto outside = users_by(users, users_.size(), threads, [&](std::size_t i) { return outside_[i] ? cell(i) : users_.size(); });
    for (std::size_t k = 0; k < users_.size(); ++k) in_market_[k] = users_[k] > 0 ? 1 - outside[k] / users_[k] : 1.0;
}

bool MarketEntry::enters(std::size_t i, std::size_t local, std::size_t region, std::size_t segment, int day, StreamKey key) {
    const double rate = innovation_[segment] + imitation_[segment] * in_market_[region * segments_ + segment];
    if (rate <= 0 || RandomEngine(key, local, Draw::market_entry, day).uniform() >= -std::expm1(-rate)) return false;
    outside_[i] = 0;
    return true;
}

void MarketEntry::record(const TallyLayout& layout, const double* today) {
    if (!active_) return;
    // Cells run ((region x 2 + nationality) x segments + segment) x channel kinds.
    std::vector<double> outside(users_.size(), 0.0);
    for (std::size_t c = 0; c < layout.cells; ++c)
        outside[(c / (channel_kinds * segments_ * 2)) * segments_ + (c / channel_kinds) % segments_] += today[layout.cell(c, m_outside_market)];
    for (std::size_t k = 0; k < users_.size(); ++k) in_market_[k] = users_[k] > 0 ? 1 - outside[k] / users_[k] : 1.0;
}

}  // namespace gatesim

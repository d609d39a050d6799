// Imitation in the adoption of successor models: yesterday's adopted shares (see diffusion.hpp).
#include "model/diffusion.hpp"

#include <algorithm>

#include "model/world.hpp"

namespace gatesim {

Diffusion::Diffusion(const Scenario& s, const std::vector<std::uint8_t>& successor)
    : regions_(s.regions.size()), segments_(s.segments.size()), predecessor_(s.models.size(), no_model) {
    for (std::size_t h = 0; h < successor.size(); ++h)
        if (successor[h] != no_model) predecessor_[successor[h]] = static_cast<std::uint8_t>(h);
    const bool imitates = std::any_of(s.segments.begin(), s.segments.end(), [](const Segment& g) { return g.imitation > 0; });
    const bool successors = std::any_of(predecessor_.begin(), predecessor_.end(), [](std::uint8_t h) { return h != no_model; });
    active_ = imitates && successors;
    if (active_) share_.assign(s.models.size() * regions_ * segments_, 0.0);
}

void Diffusion::record(const TallyLayout& layout, const double* today) {
    if (!active_) return;
    // Cells run ((region x 2 + nationality) x segments + segment) x channel kinds.
    auto users_in = [&](std::size_t model, std::size_t region, std::size_t segment) {
        double total = 0;
        for (std::size_t n = 0; n < 2; ++n)
            for (std::size_t kind = 0; kind < channel_kinds; ++kind)
                total += today[layout.users_by_model(model, ((region * 2 + n) * segments_ + segment) * channel_kinds + kind)];
        return total;
    };
    for (std::size_t j = 0; j < predecessor_.size(); ++j) {
        if (predecessor_[j] == no_model) continue;
        for (std::size_t r = 0; r < regions_; ++r)
            for (std::size_t g = 0; g < segments_; ++g) {
                const double on_next = users_in(j, r, g), on_previous = users_in(predecessor_[j], r, g);
                share_[(j * regions_ + r) * segments_ + g] = on_next + on_previous > 0 ? on_next / (on_next + on_previous) : 0.0;
            }
    }
}

}  // namespace gatesim

// New users entering the market by Bass diffusion (Bass 1969). A share of each segment's
// individual users (segments.*.outside_share) starts outside the market: it uses no model, pays
// nothing and counts in no model's users. Each day such a user enters with hazard
// 1 - exp(-(p + q F)), p = entry_innovation, q = entry_imitation and F the share of its region's
// and segment's users already in the market yesterday; it then decides like any user, on the
// preferred model the synthesis gave it (drawn from the market shares of those already in).
// The user step (users.cpp) asks enters() for each user outside. See docs/MODEL.md, "Market entry".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/rng.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/world.hpp"

namespace gatesim {

class MarketEntry {
public:
    // Draws who starts outside (its own stream) and takes those users off the fast path: their
    // state is `waiting` until they enter. Inactive when no segment has an outside share.
    MarketEntry(const Scenario& s, std::uint64_t replicate, Users& users, int threads);

    bool active() const { return active_; }
    bool outside(std::size_t i) const { return outside_[i] != 0; }
    // Whether outside user i (index `local` in its block, whose entry stream is `key`) enters on `day`.
    bool enters(std::size_t i, std::size_t local, std::size_t region, std::size_t segment, int day, StreamKey key);
    // Today's share in the market by region and segment, read tomorrow.
    void record(const TallyLayout& layout, const double* today);

private:
    bool active_ = false;
    std::size_t segments_;
    std::vector<double> innovation_, imitation_;  // [segment]
    std::vector<double> users_;                   // [region * segments + segment]: real users
    std::vector<double> in_market_;               // [region * segments + segment]: F, yesterday
    std::vector<std::uint8_t> outside_;           // [user]
};

}  // namespace gatesim

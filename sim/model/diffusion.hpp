// Diffusion of newly released models by imitation (Bass 1969). A user adopts a released
// successor of its preferred model with the daily hazard 1 - exp(-(p + q F)): p = 1 /
// adoption_days is innovation, q = the segment's imitation, and F the share of its region's and
// segment's users of the predecessor or the successor already on the successor yesterday
// (users.cpp draws it). With imitation 0 the hazard is the constant 1 - exp(-1 / adoption_days),
// as before. See docs/MODEL.md, "Diffusion".
#pragma once

#include <cstdint>
#include <vector>

#include "model/scenario.hpp"
#include "model/tallies.hpp"

namespace gatesim {

class Diffusion {
public:
    // `successor` [model]: its successor or no_model.
    Diffusion(const Scenario& s, const std::vector<std::uint8_t>& successor);

    // Whether any segment imitates and any model has a successor: otherwise the mechanism is off.
    bool active() const { return active_; }
    // Today's adopted shares by (successor, region, segment), read tomorrow.
    void record(const TallyLayout& layout, const double* today);
    // F: yesterday's share on the successor `next` among users of it or its predecessor in (region, segment).
    double adopted_share(std::size_t next, std::size_t region, std::size_t segment) const {
        return share_[(next * regions_ + region) * segments_ + segment];
    }

private:
    bool active_;
    std::size_t regions_, segments_;
    std::vector<std::uint8_t> predecessor_;  // [model]: the model it succeeds, or no_model
    std::vector<double> share_;              // [(model * regions + region) * segments + segment]
};

}  // namespace gatesim

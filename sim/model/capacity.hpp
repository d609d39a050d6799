// Capacity: a model with a serving capacity admits a sudden surge of switchers only up to its
// spare capacity. Users choosing such a model wait as intents until the day's demand is known;
// admit_surge decides which are admitted.
#pragma once

#include <cstdint>
#include <vector>

#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/world.hpp"

namespace gatesim {

// A user who chose a capacity-limited model today and waits for admission.
struct Intent {
    std::uint32_t agent;
    std::uint8_t model;
    bool admitted = true;
    bool ahead = false;  // leaving a served model ahead of a feared block (anticipation), not a blocked one
};

// Marks each group's intents admitted or not. Spare capacity is the model's capacity minus its
// users today (from the group tallies); who gets in is decided by a random priority per user
// and day, so the result does not depend on how the work was split.
void admit_surge(const Scenario& s, std::uint64_t replicate, const Users& users, const TallyLayout& layout,
                 const GroupTallies& tallies, std::vector<std::vector<Intent>>& intents, int day);

}  // namespace gatesim

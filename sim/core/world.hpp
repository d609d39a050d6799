// The synthetic world: user agents drawn from a scenario and a seed, stored as columns.
#pragma once

#include <cstdint>
#include <vector>

#include "scenario.hpp"

namespace gatesim {

enum class Nationality : std::uint8_t { us_person = 0, foreign_national = 1 };

// Where a user stands with respect to its preferred model.
enum class UserState : std::uint8_t {
    active = 0,    // on its preferred model
    waiting = 1,   // preferred model blocked; has not switched yet (uses no model)
    switched = 2,  // moved to an alternative while its preferred model is blocked
    returned = 3,  // came back to its preferred model after switching
    churned = 4,   // stayed on the alternative after access was restored
};

// User agents as a structure of arrays: one contiguous column per attribute.
struct Users {
    std::vector<double> weight;              // real users this agent stands for
    std::vector<std::uint8_t> region;        // index into Scenario::regions
    std::vector<Nationality> nationality;
    std::vector<std::uint8_t> segment;       // index into Scenario::segments
    std::vector<std::uint8_t> preferred;     // model index before any directive
    std::vector<std::uint8_t> current;       // model in use (meaningless while waiting)
    std::vector<UserState> state;
    std::vector<std::int16_t> since;         // day the current state began

    std::size_t size() const { return weight.size(); }
    void resize(std::size_t n);
    // Heap bytes held per agent, for the memory benchmark.
    std::size_t bytes_per_agent() const;
};

// Limits of the compact columns above.
inline constexpr std::size_t max_models = 255;
inline constexpr std::size_t max_regions = 255;
inline constexpr std::size_t max_segments = 255;

struct World {
    Users users;
    std::vector<int> model_provider;  // model index -> provider index
};

// Draws the population. Deterministic in (scenario, seed, replicate) for any thread count.
World synthesise_world(const Scenario& scenario, std::uint64_t seed, std::uint64_t replicate,
                       int threads);

}  // namespace gatesim

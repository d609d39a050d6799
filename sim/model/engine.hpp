// The engine's entry point: simulate() runs a scenario and its counterfactual day by day (the
// day's steps are in engine.cpp, each submodel in its own file) and returns their Results.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "model/results.hpp"
#include "model/scenario.hpp"

namespace gatesim {

struct RunOptions {
    int threads = 1;
    std::uint64_t replicate = 0;
    // Called on the calling thread after each simulated day.
    std::function<void(int day, int days)> progress;
    // When set and true, the run stops at the next day boundary by throwing Cancelled.
    const std::atomic<bool>* cancel = nullptr;
    // Every user decides every day, without the fast path or the settled sums of agent blocks
    // (users.hpp): the reference they are tested against. Results agree to rounding.
    bool visit_every_user = false;
};

struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("run cancelled") {}
};

// Runs one replicate of a consistent scenario (see check_consistency) with seed scenario.seed.
// Bit-identical for any options.threads.
Results simulate(const Scenario& scenario, const RunOptions& options = {});

struct World;
// What simulate() does first: runs the counterfactual on `world` itself and puts the world back
// as it was. Returns how many agent blocks it had to keep to do so (for tests).
std::size_t run_counterfactual_in_place(const Scenario& scenario, World& world, const RunOptions& options = {});

}  // namespace gatesim

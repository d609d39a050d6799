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
};

struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("run cancelled") {}
};

// Runs one replicate of a consistent scenario (see check_consistency) with seed scenario.seed.
// Bit-identical for any options.threads.
Results simulate(const Scenario& scenario, const RunOptions& options = {});

}  // namespace gatesim

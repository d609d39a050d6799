// Named random streams.
//
// Every draw belongs to a named purpose. A stream's key derives from (seed, replicate,
// purpose, agent block); a draw for one agent on one day comes from an engine seeded by that
// key, the agent's index within its block and the day. Hence:
//  - results do not depend on the number of threads (no shared engine, no draw order);
//  - a new draw in one subsystem never shifts the draws of another (purposes are separate);
//  - two scenarios run with the same seed see the same draws agent by agent and day by day
//    (common random numbers), which makes paired comparisons tight.
// The engine is SplitMix64 (Steele, Lea & Flood 2014); distributions come from Boost.Random.
#pragma once

#include <cstdint>
#include <limits>

namespace gatesim {

// Purposes are stable numbers: renumbering one changes every result that uses it.
enum class Purpose : std::uint64_t {
    population = 1,      // synthesising agents and their attributes
    directive = 2,       // regulator-level draws, e.g. the restore day
    wait_or_switch = 3,  // a blocked user's daily decision to give up waiting
    choice = 4,          // which alternative a switching user picks
    return_home = 5,     // whether a switched user returns once access is restored
    enterprise_population = 10,  // synthesising enterprises
    enterprise_decision = 11,    // enterprises' returns after a fail-over
    verification = 12,           // applying, queue service, abandonment and check outcomes
    capacity = 13,               // whether a competitor with a full surge capacity admits a switcher
    adoption = 14,               // when a user adopts a newly released successor model
    parameters = 6,   // uncertain scenario parameters (one draw per parameter draw) and designs
    resampling = 7,   // bootstrap resampling in ensemble and sensitivity analyses
};

constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t combine(std::uint64_t a, std::uint64_t b) {
    return mix64(a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2)));
}

// Agents are grouped in fixed blocks; a block is also the unit of parallel work.
inline constexpr std::uint32_t agent_block_size = 4096;

struct StreamKey {
    std::uint64_t value;

    static constexpr StreamKey of(std::uint64_t seed, std::uint64_t replicate, Purpose purpose,
                                  std::uint64_t block) {
        return {combine(combine(combine(mix64(seed), replicate), static_cast<std::uint64_t>(purpose)),
                        block)};
    }
};

// A UniformRandomBitGenerator for Boost.Random distributions.
class RandomEngine {
public:
    using result_type = std::uint64_t;

    explicit constexpr RandomEngine(std::uint64_t state) : state_(state) {}
    // The sub-stream of one agent (index within its block) on one day of a stream.
    constexpr RandomEngine(StreamKey key, std::uint64_t agent, std::uint64_t day)
        : state_(combine(combine(key.value, agent), day)) {}

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

    constexpr result_type operator()() {
        state_ += 0x9e3779b97f4a7c15ULL;
        return mix64(state_);
    }

    // A uniform draw in [0, 1) with 53 random bits; the hot loops use this directly.
    constexpr double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t state_;
};

}  // namespace gatesim

// Named random streams.
//
// Every draw belongs to a named purpose. A stream's key derives from (seed, replicate,
// purpose, agent block); a draw for one agent on one day comes from an engine seeded by that
// key, the agent's index within its block and a slot named by the draw (usually the day; see
// Draw). Hence:
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
    wait_or_switch = 3,  // the day a blocked user gives up waiting (its switching clock)
    choice = 4,          // which alternative a switching user picks
    return_home = 5,     // whether a switched user returns once access is restored
    enterprise_population = 10,  // synthesising enterprises
    enterprise_decision = 11,    // enterprises' returns after a fail-over
    verification = 12,           // applying, queue service, abandonment and check outcomes
    capacity = 13,               // whether a competitor with a full surge capacity admits a switcher
    adoption = 14,               // when a user adopts a newly released successor model
    subscription = 15,           // whether a user pays for a provider's plan
    return_reconsider = 16,      // the day a user on an alternative goes back to its reopened model (its return clock)
    anticipation = 17,           // whether a served user leaves ahead of a feared block, and for which model
    circumvention = 18,          // whether a location-blocked user takes circumvention up, and whether it is caught
    enterprise_return = 19,      // whether a migrated enterprise migrates back to its reopened primary model today
    leakage = 20,                // whether a gated foreign national takes a leakage route up (sharing, reseller), and is caught
    market_entry = 21,           // whether a user starts outside the market, and whether it enters today
    appeals = 22,                // whether a legitimate user of a fenced model is flagged wrongly, and its appeal
    enterprise_anticipation = 30,  // whether a served enterprise migrates ahead of a feared block, and where; fallback adoption
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

// Named draws: every random decision of the model, with the stream it comes from and its slot.
//
// Within a stream (one purpose and block) an agent's engine is seeded by a third number, its
// slot. Most decisions are made at most once per agent and day, and their slot is the day. Two
// purposes hold several decisions per agent and day, and two decisions are keyed by an earlier
// day, so that they are drawn once per episode rather than once per day. The encodings below
// are the seed arithmetic the model used before its draws had names; keeping them exactly made
// the naming change no result. A new draw takes an unused slot of its purpose, or a new
// purpose, and then shifts no existing draw:
//  - verification keeps four slots per day: 4 day (progress in the queue and the check's
//    outcome, drawn in sequence from one engine) and 4 day + 3 (applying); 4 day + 1 and
//    4 day + 2 are free;
//  - an enterprise's fail-over return is keyed by the fail-over day and its migration target by
//    the day + 1,000,000: days are stored as int16, so the two ranges never meet;
//  - a user's return home is keyed by the day it switched: one decision per absence, and a
//    later reopening changes only its probability;
//  - anticipation keeps two slots per day: 2 day (does a served user leave today?) and
//    2 day + 1 (which alternative it picks); circumvention likewise: 2 day (uptake) and
//    2 day + 1 (detection); enterprise anticipation: 2 day (migrating ahead) and 2 day + 1
//    (adding a fallback); leakage: 2 day (uptake) and 2 day + 1 (detection); appeals: 2 day
//    (false flag) and 2 day + 1 (appeal and review, on the flag day).
enum class Draw : std::uint8_t {
    user_synthesis,         // population: slot 0; one engine draws all of a user's attributes
    enterprise_synthesis,   // enterprise_population: slot 0
    decision_day,           // directive: agent 0, slot 0; the regulator's decision day
    switch_hazard,          // wait_or_switch: the clock's first day; the day a blocked user gives up waiting
    switch_choice,          // choice: the day; which alternative a switching user picks
    return_home,            // return_home: the day of the switch
    surge_priority,         // capacity: the day; priority for a full model's spare capacity
    adoption,               // adoption: the day; does a user adopt a released successor today?
    verification_progress,  // verification: 4 day
    verification_applying,  // verification: 4 day + 3
    failover_return,        // enterprise_decision: the fail-over day
    migration_target,       // enterprise_decision: the day + 1,000,000
    paying,                 // subscription: slot 0; one uniform per user, compared with each provider's paying share
    return_reconsider,      // return_reconsider: the clock's first day (a coin's day, while a belief lowers the hazard); the day a churned user goes back
    anticipation,           // anticipation: 2 day; does a served user leave ahead of a feared block today?
    anticipation_choice,    // anticipation: 2 day + 1; which alternative it picks
    circumvention_uptake,   // circumvention: 2 day; does a location-blocked user take circumvention up today?
    circumvention_detection,  // circumvention: 2 day + 1; is a circumventor caught today?
    compliance_relief,      // directive: agent 1, the day; does the regulator relax the order today for compliance?
    enterprise_return,      // enterprise_return: the day; does a migrated enterprise migrate back today?
    enterprise_anticipation,  // enterprise_anticipation: 2 day; does a served enterprise migrate ahead today, and where (one engine)
    fallback_adoption,        // enterprise_anticipation: 2 day + 1; does a recovering enterprise add a fallback, and which (one engine)
    leakage_uptake,         // leakage: 2 day; does a gated foreign national take up account sharing or a reseller today?
    leakage_detection,      // leakage: 2 day + 1; is a user on a leakage route caught today?
    market_outside,         // market_entry: slot 0; does the user start outside the market?
    market_entry,           // market_entry: the day + 1; does a user outside the market enter today?
    false_flag,             // appeals: 2 day; is a legitimate user of a fenced model flagged wrongly today?
    appeal,                 // appeals: 2 day + 1, the flag day; does the flagged user appeal, and is it granted (one engine)
};

constexpr Purpose purpose_of(Draw draw) {
    switch (draw) {
        case Draw::user_synthesis: return Purpose::population;
        case Draw::enterprise_synthesis: return Purpose::enterprise_population;
        case Draw::decision_day:
        case Draw::compliance_relief: return Purpose::directive;
        case Draw::switch_hazard: return Purpose::wait_or_switch;
        case Draw::switch_choice: return Purpose::choice;
        case Draw::return_home: return Purpose::return_home;
        case Draw::surge_priority: return Purpose::capacity;
        case Draw::adoption: return Purpose::adoption;
        case Draw::verification_progress:
        case Draw::verification_applying: return Purpose::verification;
        case Draw::failover_return:
        case Draw::migration_target: return Purpose::enterprise_decision;
        case Draw::paying: return Purpose::subscription;
        case Draw::return_reconsider: return Purpose::return_reconsider;
        case Draw::anticipation:
        case Draw::anticipation_choice: return Purpose::anticipation;
        case Draw::circumvention_uptake:
        case Draw::circumvention_detection: return Purpose::circumvention;
        case Draw::enterprise_return: return Purpose::enterprise_return;
        case Draw::enterprise_anticipation:
        case Draw::fallback_adoption: return Purpose::enterprise_anticipation;
        case Draw::leakage_uptake:
        case Draw::leakage_detection: return Purpose::leakage;
        case Draw::market_outside:
        case Draw::market_entry: return Purpose::market_entry;
        case Draw::false_flag:
        case Draw::appeal: return Purpose::appeals;
    }
    return Purpose::population;
}

inline constexpr std::uint64_t verification_slots_per_day = 4;
inline constexpr std::uint64_t migration_target_offset = 1'000'000;

// The slot of a draw on `day` (for return_home the switch day, for failover_return the
// fail-over day; ignored by the synthesis and decision-day draws).
constexpr std::uint64_t draw_slot(Draw draw, std::int64_t day) {
    const auto d = static_cast<std::uint64_t>(day);
    switch (draw) {
        case Draw::user_synthesis:
        case Draw::enterprise_synthesis:
        case Draw::decision_day:
        case Draw::paying:
        case Draw::market_outside: return 0;
        case Draw::market_entry: return d + 1;
        case Draw::verification_progress: return d * verification_slots_per_day;
        case Draw::verification_applying: return d * verification_slots_per_day + 3;
        case Draw::migration_target: return d + migration_target_offset;
        case Draw::anticipation:
        case Draw::circumvention_uptake:
        case Draw::enterprise_anticipation:
        case Draw::leakage_uptake:
        case Draw::false_flag: return 2 * d;
        case Draw::anticipation_choice:
        case Draw::circumvention_detection:
        case Draw::fallback_adoption:
        case Draw::leakage_detection:
        case Draw::appeal: return 2 * d + 1;
        default: return d;
    }
}

// A UniformRandomBitGenerator for Boost.Random distributions.
class RandomEngine {
public:
    using result_type = std::uint64_t;

    explicit constexpr RandomEngine(std::uint64_t state) : state_(state) {}
    // The sub-stream of one agent (index within its block) in one slot of a stream.
    constexpr RandomEngine(StreamKey key, std::uint64_t agent, std::uint64_t slot)
        : state_(combine(combine(key.value, agent), slot)) {}
    // The engine of a named draw: key is the stream of purpose_of(draw) for the agent's block.
    constexpr RandomEngine(StreamKey key, std::uint64_t agent, Draw draw, std::int64_t day)
        : RandomEngine(key, agent, draw_slot(draw, day)) {}

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

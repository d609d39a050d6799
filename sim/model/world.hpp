// The synthetic world: user and enterprise agents drawn from a scenario and a seed, stored as
// structure-of-arrays tables (one contiguous column per attribute).
#pragma once

#include <cstdint>
#include <vector>

#include "model/parallel.hpp"
#include "model/scenario.hpp"

namespace gatesim {

enum class Nationality : std::uint8_t { us_person = 0, foreign_national = 1 };

// Where a user stands with respect to its preferred ("home") model.
enum class UserState : std::uint8_t {
    active = 0,    // on its home model
    waiting = 1,   // home model blocked; uses no model
    switched = 2,  // on an alternative while its home model is blocked
    returned = 3,  // back on its home model after switching
    churned = 4,   // stayed on the alternative after its home model reopened
};

enum class VerificationStatus : std::uint8_t { none = 0, pending = 1, in_review = 2, verified = 3, rejected = 4, abandoned = 5 };

enum class EnterpriseState : std::uint8_t {
    normal = 0,
    waiting = 1,          // disrupted, deciding
    failed_over = 2,      // on its tested fallback
    migrating = 3,        // moving to another model; employees blocked meanwhile
    migrated = 4,         // on the new model for good
    attestation_setup = 5,
    attesting = 6,        // keeps the model for attested US-person employees
    migrating_back = 7,   // moving back to its reopened primary; employees stay on the current model meanwhile
    migrating_ahead = 8,  // moving away from a primary at risk while still served by it (anticipation)
};
inline constexpr std::size_t enterprise_state_count = 9;

// Channels a user or enterprise can be on: 0 consumer app, 1 direct API, 2 + k cloud partner k.
inline constexpr std::uint8_t channel_consumer = 0;
inline constexpr std::uint8_t channel_api = 1;
inline constexpr std::uint8_t channel_cloud_first = 2;
inline ChannelKind channel_kind(std::uint8_t channel) {
    return channel == channel_consumer ? ChannelKind::consumer : channel == channel_api ? ChannelKind::api : ChannelKind::cloud;
}

// Per-user behaviour flags, drawn once.
inline constexpr std::uint8_t flag_vpn = 1;            // would circumvent a location gate
inline constexpr std::uint8_t flag_false_attester = 2;  // foreign national who would claim US status
inline constexpr std::uint8_t flag_attested = 4;       // employer attests this employee
inline constexpr std::uint8_t flag_applied = 8;        // has applied for verification
inline constexpr std::uint8_t flag_pays_home = 16;     // pays for a plan of its preferred model's provider
inline constexpr std::uint8_t flag_ever_blocked = 32;  // has been blocked from its preferred model
inline constexpr std::uint8_t flag_circumventing = 64; // has taken circumvention up (circumvention.adoption)

inline constexpr std::uint8_t no_model = 255;
inline constexpr std::int32_t no_employer = -1;

// A column that holds one value for every agent: every agent stands for the same number of
// real users, so the weight takes no memory per agent. It reads like a column (weight[i]).
class UniformColumn {
public:
    double operator[](std::size_t) const { return value_; }
    std::size_t size() const { return size_; }
    void resize(std::size_t n) { size_ = n; }
    void assign(std::size_t n, double value) { size_ = n, value_ = value; }
    double value() const { return value_; }

private:
    std::size_t size_ = 0;
    double value_ = 0;
};

struct Users {
    UniformColumn weight;                // real users this agent stands for
    std::vector<float> daily_value;      // USD of value per real user per day on the home model
    std::vector<float> daily_tokens;     // tokens per real user per day (x the home model's token intensity)
    std::vector<std::uint8_t> region;
    std::vector<Nationality> nationality;
    std::vector<std::uint8_t> segment;
    std::vector<std::uint8_t> channel;
    std::vector<std::uint16_t> cell;     // breakdown cell: region x nationality x segment x channel kind
    std::vector<std::int32_t> employer;  // enterprise index or no_employer
    std::vector<std::uint8_t> home;      // preferred model
    std::vector<std::uint8_t> current;   // model in use (meaningless while waiting)
    std::vector<UserState> state;
    std::vector<std::int16_t> since;     // day the current state began
    std::vector<std::int16_t> left_home; // day it last left its preferred model for an alternative
    // Day of its next drawn event: while waiting, the day it switches; while churned, the day it
    // goes back (users.cpp, "Event clocks"). Before today, or before `since`: none drawn yet.
    std::vector<std::int16_t> next_event;
    std::vector<VerificationStatus> verification;
    std::vector<std::int16_t> verification_since;
    std::vector<std::uint8_t> tries;
    std::vector<std::uint8_t> flags;

    std::size_t size() const { return weight.size(); }
    // Columns are sized (zeroed, their pages first touched) by `threads` threads, a column each.
    void resize(std::size_t n, int threads = 1);
    // Calls fn on each per-agent column a run changes (the others are fixed at synthesis). A new
    // column that the user step writes belongs here, or the counterfactual would leak into the
    // scenario run (see TouchedBlocks).
    template <class Self, class Fn>
    static void for_each_changing_column(Self& u, Fn&& fn) {
        fn(u.home), fn(u.current), fn(u.state), fn(u.since), fn(u.left_home), fn(u.next_event), fn(u.verification), fn(u.verification_since), fn(u.tries),
            fn(u.flags);
    }
    // Calls fn on every per-agent column.
    template <class Self, class Fn>
    static void for_each_column(Self& u, Fn&& fn) {
        fn(u.daily_value), fn(u.daily_tokens), fn(u.region), fn(u.nationality), fn(u.segment), fn(u.channel), fn(u.cell), fn(u.employer);
        for_each_changing_column(u, fn);
    }
    static constexpr std::size_t bytes_per_agent() {
        return 2 * sizeof(float) + 5 * sizeof(std::uint8_t) + sizeof(Nationality) + sizeof(std::uint16_t) + sizeof(std::int32_t) +
               sizeof(UserState) + 4 * sizeof(std::int16_t) + sizeof(VerificationStatus) + 2 * sizeof(std::uint8_t);
    }
};

// Real users by category: key(i) is agent i's category, or `categories` for none. Every agent
// stands for the same number of users, so agents are counted (in parallel, by ranges of agents)
// and the counts scaled: the result is the same for any number of threads.
template <class Key>
std::vector<double> users_by(const Users& u, std::size_t categories, int threads, Key&& key) {
    const std::size_t n = u.size(), ranges = static_cast<std::size_t>(std::max(threads, 1));
    std::vector<std::vector<std::uint64_t>> counts(ranges);
    for_each_block(ranges, threads, [&](std::size_t r) {
        std::vector<std::uint64_t>& count = counts[r];
        count.assign(categories + 1, 0);
        for (std::size_t i = n * r / ranges, end = n * (r + 1) / ranges; i < end; ++i) ++count[key(i)];
    });
    std::vector<double> users(categories, 0.0);
    for (std::size_t k = 0; k < categories; ++k) {
        std::uint64_t agents = 0;
        for (const auto& count : counts) agents += count[k];
        users[k] = static_cast<double>(agents) * u.weight.value();
    }
    return users;
}

// The changing columns of the agent blocks a run has touched, as they were before: the
// counterfactual runs on the world itself and then puts it back as synthesised, instead of
// running on a copy of the world (which doubled a run's memory). A block is kept before the
// first user of it leaves the fast path, which is the only way a user's columns change.
class TouchedBlocks {
public:
    explicit TouchedBlocks(std::size_t agents);
    // Keeps block b unless kept already. Blocks are kept by the thread stepping them, one each.
    void keep(const Users& u, std::size_t block);
    void restore(Users& u) const;
    std::size_t kept() const;

private:
    std::vector<std::vector<unsigned char>> saved_;  // [block]: the block's changing columns, one after another
};

struct EnterpriseTable {
    std::vector<double> weight;             // real enterprises this agent stands for
    std::vector<std::uint8_t> region;
    std::vector<std::uint8_t> sector;
    std::vector<std::uint8_t> channel;      // channel_api or a cloud partner
    std::vector<std::uint8_t> primary;      // model before any directive
    std::vector<std::uint8_t> fallback;     // tested fallback model or no_model
    std::vector<std::uint8_t> current;      // model employees use for work
    std::vector<std::uint8_t> target;       // migration target
    std::vector<float> risk_aversion;
    std::vector<float> integration_days;
    std::vector<float> foreign_share;
    std::vector<std::uint8_t> vetted;
    std::vector<EnterpriseState> state;
    std::vector<std::int16_t> since;
    std::vector<float> shifted;             // share of the workload already running on the fallback (anticipation)

    std::size_t size() const { return weight.size(); }
    void resize(std::size_t n);
};

// Limits of the compact columns above.
inline constexpr std::size_t max_models = 254;
inline constexpr std::size_t max_regions = 255;
inline constexpr std::size_t max_segments = 255;
inline constexpr std::size_t max_cloud_partners = 253;

struct World {
    Users users;
    EnterpriseTable enterprises;
    std::vector<int> model_provider;  // model index -> provider index
    std::size_t channels = 0;         // 2 + number of cloud partners
};

// Draws the population. Deterministic in (scenario, seed, replicate) for any thread count.
World synthesise_world(const Scenario& scenario, std::uint64_t seed, std::uint64_t replicate, int threads);

// A user's one uniform draw for plans: it pays provider p's plan when the draw is below p's
// paying share for its segment (so of two providers, the one with the higher share has every
// payer of the other). Regenerated on demand from (seed, replicate, agent).
double paying_draw(std::uint64_t seed, std::uint64_t replicate, std::size_t agent);

// The plan of provider p for segment g: price per month, paying share (0, 0 when none).
struct PlanTerms {
    double price_per_month = 0;
    double paying_share = 0;
};
std::vector<PlanTerms> plan_terms(const Scenario& s);  // [segment * providers + provider]

// The breakdown cell of a user: ((region x 2 + nationality) x segments + segment) x 3 + channel kind.
inline std::uint16_t breakdown_cell(std::size_t region, Nationality n, std::size_t segment, std::size_t segments, ChannelKind c) {
    return static_cast<std::uint16_t>(((region * 2 + static_cast<std::size_t>(n)) * segments + segment) * 3 + static_cast<std::size_t>(c));
}

}  // namespace gatesim

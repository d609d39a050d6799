// Users: each user's daily decisions and what they tally. A user on its preferred model uses it
// while the rules let it; a blocked user waits or, with a hazard that grows with dependency,
// time and news, switches by logit to an alternative it can reach; once its model reopens a
// switched user returns or stays (churned); settled users adopt a released successor; employees
// follow their employer; blocked users may apply for verification (verification.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "model/capacity.hpp"
#include "model/choice.hpp"
#include "model/diffusion.hpp"
#include "model/circumvention.hpp"
#include "model/enterprises.hpp"
#include "model/appeals.hpp"
#include "model/leakage.hpp"
#include "model/market_entry.hpp"
#include "model/regulation.hpp"
#include "model/returns.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/verification.hpp"
#include "model/world.hpp"

namespace gatesim {

struct SegmentRates {
    double base_rate;         // daily switching rate at the start of a block (1/patience)
    bool immediate;           // patience 0: switch on the day of the block
    double growth;            // impatience growth per day blocked
    double central_value;     // a typical user's daily value, to scale dependency
    double return_probability;
    double return_decay;      // per day away, log2 units
    double quality_gap_weight;
    double uptake;            // US persons' probability of applying for verification
    ReturnTerms reconsider;   // the daily return hazard after the first decision (returns.hpp)
    double anticipation_rate; // leaving a served model at risk, per day at belief 1 (anticipation.hpp)
};

// What the user step reads that is fixed for the run.
struct UserParameters {
    UserParameters(const Scenario& s, const World& w);

    std::vector<SegmentRates> rates;       // [segment]
    std::vector<double> value_ratio;       // [home * models + model]: value on model relative to home
    std::vector<double> price_per_token;   // [model], USD
    std::vector<std::uint8_t> successor;   // [model]: its successor, or no_model
    std::vector<std::uint8_t> provider;    // [model]: its provider
    std::vector<PlanTerms> plans;          // [segment * providers + provider]
    std::vector<double> home_plan_price;   // [cell * models + model]: plan price of the model's provider for the cell's segment
    // The order's models and their successors: foreign access to them is what the order sets out
    // to prevent, counted the same way in every scenario and in the counterfactual.
    std::vector<std::uint8_t> in_reference;  // [model]
    std::vector<std::uint8_t> equivalent;    // [model]: outside the reference, of equivalent cyber capability
    int lapse_days;
    int days;                              // the horizon
    std::vector<double> news;              // [day]: the news multiplier on the switching hazard
    // [segment * days + t]: the sum over tau = 0 .. t days away of exp(-habit(tau)); a churned
    // user's return rate on day tau away is proportional to exp(-habit(tau)) (returns.hpp).
    std::vector<double> habit_sums;
    bool any_successor() const;
};

// What the user step derives from the rules; recomputed when they change.
struct UserRuleCache {
    // The best capability a blocked foreign national can still reach:
    // [((channel * regions + region) * 2 + vpn) * 2 + (0 general, 1 cyber)].
    std::vector<double> best_capability;
    // [model * channels + channel]: a settled user on this preferred model and channel needs no
    // per-user decision (offered under a rule that admits everyone, no successor to adopt).
    std::vector<std::uint8_t> settled_home;
    // [model]: the cell metric a foreign national settled on the model adds to (an access route:
    // unrestricted, or permitted while a rule governs it elsewhere; or equivalent), 0 for none.
    std::vector<std::uint8_t> settled_access;

    void refresh(const Scenario& s, const DayPolicy& policy, const UserParameters& params);
};

// Settled totals of agent blocks. A settled user adds the same to the tallies every day, and
// nothing changes it (only users visited change), while the rules, the settled table and (for
// an employee) its employer's status do not change: a user on the first fast path (settled on
// a preferred model open to everyone on its channel, nothing pending), one settled on an
// alternative on a day the rules did not change, and an employee steady on the model its moved
// employer uses. So each block keeps its settled members' sums, made on the first day of an
// epoch, adds them on the days after, and visits only its other members; a visited member found
// settled joins the sums (its contribution is merged in) and is no longer visited. A member
// whose next event is a clock's (waiting to switch, churned and weighing its return) is settled
// until that day: it joins the sums of that day's members, added until then, and is visited
// again on the day. The engine starts a new epoch when the rules or the settled table change; a block whose settled
// employees' employer changed status since its sums were made makes them again.
class SettledBlocks {
public:
    SettledBlocks(std::size_t agents, std::size_t enterprises);
    void new_epoch() { ++epoch_; }
    // Today's employer status (after the enterprise step), compared on `threads` threads.
    void employers_today(const EnterpriseTable& enterprises, const EmployerStatus& status, int day, int threads = 1);

    // Tally offsets (ascending) and what settled members add to them.
    struct Sums {
        std::vector<std::uint32_t> slot;
        std::vector<double> total;
        void merge(std::uint32_t slot, double value);
        void clear() { slot.clear(), total.clear(); }
    };
    struct Block {
        std::uint64_t epoch = 0;             // of the sums below; 0: none yet
        Sums individuals;                    // of its settled members without an employer, made on the epoch's first day
        Sums employees;                      // of its settled employees, made on `employees_day`
        int employees_day = 0;
        std::vector<std::uint64_t> visited;  // bit per member: not settled
        std::vector<std::uint64_t> employed; // bit per member: has an employer
        std::vector<std::int32_t> employers; // of its settled employees, ascending
        // Members settled until a day (their clock's, users.cpp): each day's members and sums.
        struct Timed {
            int until;
            Sums sums;
            std::vector<std::uint16_t> members;  // index in the block
        };
        std::vector<Timed> timed;
        void add_employer(std::int32_t e);
    };
    Block& block(std::size_t b) { return blocks_[b]; }
    std::uint64_t epoch() const { return epoch_; }
    // The block's sums hold: same epoch; and its employees' too: none of their employers changed status since.
    bool holds(const Block& b) const { return b.epoch == epoch_; }
    bool employees_hold(const Block& b) const;

private:
    // What an employee's day reads of its employer.
    struct EmployerSignature {
        EnterpriseState state;
        std::uint8_t current, disrupted, normal;
        float shifted;  // workload share on the fallback (the share of value a failed-over employee gets)
        bool operator==(const EmployerSignature&) const = default;
    };
    std::uint64_t epoch_ = 1;
    std::vector<Block> blocks_;
    std::vector<EmployerSignature> employers_;  // [enterprise]: yesterday's
    std::vector<int> status_changed_;           // [enterprise]: the day its status last changed
    int any_status_changed_ = -1;               // the last day any enterprise's status changed
};

// Everything the user step reads on one day.
struct UserDay {
    int day;
    const Scenario& s;
    std::uint64_t replicate;
    const TallyLayout& layout;
    const UserParameters& params;
    const UserRuleCache& rules;
    const DayPolicy& policy;
    bool policy_changed;                  // the rules changed today (or it is day 0)
    const ChoiceUtilities& choices;
    const EnterpriseTable& enterprises;
    const EmployerStatus& employers;
    const VerificationService& verification;
    double belief;                        // that the models at risk will be lost (anticipation.hpp)
    const std::uint8_t* at_risk;          // [model]
    const std::uint8_t* settled_home;     // UserRuleCache::settled_home, less the models at risk on a day of belief
    const CircumventionUptake* circumvention;  // null unless circumvention is adopted in this run
    const Diffusion* diffusion;           // null unless some segment imitates
    LeakageRoutes* leakage;               // null unless some segment takes a leakage route around a gate
    MarketEntry* entry;                   // null unless some users start outside the market
    Appeals* appeals;                     // null unless users of a fenced model can be flagged and appeal
    TouchedBlocks* touched;               // the counterfactual's: blocks to keep before a user changes (else null)
    SettledBlocks* settled_blocks;        // null: every user is visited
};


// One block of users for one day, added into its group's tally. Users choosing a
// capacity-limited model are deferred to `intents`, settled once the day's total demand is known.
void step_users(const UserDay& day, Users& users, std::size_t block, double* tally, std::vector<Intent>& intents);

// Admitted intents switch; the others are turned away and wait.
void settle_intents(const UserDay& day, Users& users, double* tally, const std::vector<Intent>& intents);

}  // namespace gatesim

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
#include "model/enterprises.hpp"
#include "model/regulation.hpp"
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
};

// What the user step reads that is fixed for the run.
struct UserParameters {
    explicit UserParameters(const Scenario& s);

    std::vector<SegmentRates> rates;       // [segment]
    std::vector<double> value_ratio;       // [home * models + model]: value on model relative to home
    std::vector<double> price_per_token;   // [model], USD
    std::vector<std::uint8_t> successor;   // [model]: its successor, or no_model
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

    void refresh(const Scenario& s, const DayPolicy& policy, const UserParameters& params);
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
    const std::uint8_t* foreign_mask;     // [model]: controlled models foreign access counts against
    double news_multiplier;               // on the switching hazard
};

// The product of the hazard multipliers of the regulator's news items so far.
double news_multiplier(const Scenario& s, int day);

// One block of users for one day, into the block's tally. Users choosing a capacity-limited
// model are deferred to `intents`, settled once the day's total demand is known.
void step_users(const UserDay& day, Users& users, std::size_t block, double* tally, std::vector<Intent>& intents);

// Admitted intents switch; the others are turned away and wait.
void settle_intents(const UserDay& day, Users& users, std::size_t block, double* tally, const std::vector<Intent>& intents);

}  // namespace gatesim

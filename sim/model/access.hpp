// Access rules and the regulator's timeline: which rule governs each model on each channel,
// day by day, and what that rule decides for one user.
#pragma once

#include <cstdint>
#include <vector>

#include "model/scenario.hpp"
#include "model/world.hpp"

namespace gatesim {

// How a user reaches a model, or that it cannot. Routes other than `permitted` are leakage
// when the user is a foreign national and the model is controlled.
enum class Route : std::uint8_t { denied = 0, permitted = 1, false_accept = 2, circumvention = 3, exemption = 4 };
inline constexpr std::size_t leak_route_count = 4;  // permitted, false_accept, circumvention, exemption

// The rules in force on one day.
struct DayPolicy {
    std::size_t channels = 0;
    std::vector<AccessRuleKind> rule;    // [model * channels + channel]
    std::vector<std::uint8_t> offered;   // [model * channels + channel]: released and on that channel
    std::vector<std::uint8_t> controlled;  // [model]: in the directive's scope while it is in force
    std::vector<std::uint8_t> fenced;    // [region]

    AccessRuleKind rule_for(std::size_t model, std::size_t channel) const { return rule[model * channels + channel]; }
    bool is_offered(std::size_t model, std::size_t channel) const { return offered[model * channels + channel]; }
    bool operator==(const DayPolicy&) const = default;
};

// What the rule on (model, user's channel) decides for user i today.
inline Route access(const DayPolicy& p, const Users& u, std::size_t i, std::size_t model, const EnterpriseTable& e) {
    const std::size_t k = model * p.channels + u.channel[i];
    if (!p.offered[k]) return Route::denied;
    const bool us = u.nationality[i] == Nationality::us_person;
    switch (p.rule[k]) {
        case AccessRuleKind::open: return Route::permitted;
        case AccessRuleKind::global_shutdown: return Route::denied;
        case AccessRuleKind::nationality_gate: {
            if (u.verification[i] == VerificationStatus::verified) return us ? Route::permitted : Route::false_accept;
            const std::int32_t employer = u.employer[i];
            if (employer != no_employer && e.state[static_cast<std::size_t>(employer)] == EnterpriseState::attesting &&
                (u.flags[i] & flag_attested))
                return us ? Route::permitted : Route::exemption;
            return Route::denied;
        }
        case AccessRuleKind::geo_fence:
            if (!p.fenced[u.region[i]]) return Route::permitted;
            return (u.flags[i] & flag_vpn) ? Route::circumvention : Route::denied;
        case AccessRuleKind::vetted_only: {
            const std::int32_t employer = u.employer[i];
            return employer != no_employer && e.vetted[static_cast<std::size_t>(employer)] ? Route::permitted : Route::denied;
        }
    }
    return Route::denied;
}

// The regulator and the provider's staged response, advanced one day at a time.
class Regulation {
public:
    // `enforce` false gives the counterfactual: the same world with every rule open.
    Regulation(const Scenario& s, const World& w, std::uint64_t replicate, bool enforce);

    // Today's rules, given yesterday's verification coverage of affected US persons.
    const DayPolicy& advance(int day, double coverage);

    int decision_day() const { return decision_day_; }       // -1 when not within the horizon
    int first_stage_day() const { return stage_start_.empty() || stage_start_[0] < 0 ? -1 : stage_start_[0]; }
    const std::vector<int>& stage_start() const { return stage_start_; }
    int escalation_day() const { return escalation_day_; }  // -1 when none
    bool policy_changed() const { return changed_; }

private:
    void rebuild(int day);

    const Scenario& s_;
    const World& w_;
    bool enforce_;
    int active_ = -1;
    int decision_day_ = -1;
    int escalation_day_ = -1;
    std::vector<int> stage_start_;
    std::vector<int> release_day_;   // after any pre-release review
    std::vector<std::uint8_t> scope_;  // directive models, plus escalated ones
    DayPolicy policy_;
    bool changed_ = true;
};

}  // namespace gatesim

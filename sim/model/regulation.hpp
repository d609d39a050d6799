// The regulator's timeline: which access rule governs each model on each channel, day by day
// (stages and their triggers, the negotiated decision, escalation to other US providers,
// pre-release review), and what today's rules decide for one user or one enterprise. What each
// rule means is defined once, in rules.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "model/rules.hpp"
#include "model/scenario.hpp"
#include "model/world.hpp"

namespace gatesim {

// The rules in force on one day.
struct DayPolicy {
    std::size_t channels = 0;
    std::vector<AccessRuleKind> rule;    // [model * channels + channel]
    std::vector<std::uint8_t> offered;   // [model * channels + channel]: released and on that channel
    std::vector<std::uint8_t> controlled;  // [model]: in the directive's scope while it is in force
    std::vector<std::uint8_t> fenced;    // [region]
    // Circumvention is adopted: a location gate lets through users circumventing now
    // (flag_circumventing), not every user with a propensity (flag_vpn).
    bool adopted_circumvention = false;

    std::uint8_t circumvention_flag() const { return adopted_circumvention ? flag_circumventing : flag_vpn; }

    AccessRuleKind rule_for(std::size_t model, std::size_t channel) const { return rule[model * channels + channel]; }
    bool is_offered(std::size_t model, std::size_t channel) const { return offered[model * channels + channel]; }
    bool operator==(const DayPolicy&) const = default;
};

// What the rule on (model, user's channel) decides for user i today. Only the attributes the
// rule looks at are read.
inline Route access(const DayPolicy& p, const Users& u, std::size_t i, std::size_t model, const EnterpriseTable& e) {
    const std::size_t k = model * p.channels + u.channel[i];
    if (!p.offered[k]) return Route::denied;
    const RuleSemantics& rule = rule_semantics(p.rule[k]);
    if (rule.admits_everyone) return Route::permitted;  // what route() says, without reading the user
    AccessFacts f;
    f.us_person = u.nationality[i] == Nationality::us_person;
    if (rule.verified_pass) f.verified = u.verification[i] == VerificationStatus::verified;
    if (rule.attested_pass || rule.vetted_pass) {
        const std::int32_t employer = u.employer[i];
        if (employer != no_employer) {
            const auto emp = static_cast<std::size_t>(employer);
            f.attested = rule.attested_pass && e.state[emp] == EnterpriseState::attesting && (u.flags[i] & flag_attested);
            f.vetted = rule.vetted_pass && e.vetted[emp];
        }
    }
    if (rule.location_based) {
        f.fenced = p.fenced[u.region[i]] != 0;
        f.vpn = (u.flags[i] & p.circumvention_flag()) != 0;
    }
    return route(rule, f);
}

// Whether enterprise e may run its workload on `model` on its own channel today.
inline bool enterprise_can_use(const DayPolicy& p, const EnterpriseTable& t, std::size_t e, std::size_t model) {
    const std::size_t channel = t.channel[e];
    return p.is_offered(model, channel) &&
           enterprise_may_use(p.rule_for(model, channel), p.fenced[t.region[e]] != 0, t.vetted[e] != 0);
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
    void consider_relief(int day, double coverage);

    const Scenario& s_;
    const World& w_;
    std::uint64_t replicate_;
    bool enforce_;
    int active_ = -1;
    bool lifted_ = false;  // the regulator's decision withdrew the order
    int decision_day_ = -1;
    int escalation_day_ = -1;
    std::vector<int> stage_start_;
    std::vector<int> release_day_;   // after any pre-release review
    std::vector<std::uint8_t> scope_;  // directive models, plus escalated ones
    DayPolicy policy_;
    bool changed_ = true;
};

}  // namespace gatesim

// Access-rule semantics: what each AccessRuleKind allows, for whom and by which route. This is
// the one place that says it; the user step, the enterprises, the verification programme, the
// capability-gap measure and the regulator's stricter cloud partners all read the table below.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "model/scenario.hpp"

namespace gatesim {

// How a user reaches a model, or that it cannot. Routes other than `permitted` are leakage
// when the user is a foreign national and the model is controlled. No rule lets a user through
// by account_sharing or reseller: users take those routes around a gate (leakage.hpp).
enum class Route : std::uint8_t { denied = 0, permitted = 1, false_accept = 2, circumvention = 3, exemption = 4, account_sharing = 5, reseller = 6 };
inline constexpr std::size_t leak_route_count = 6;  // permitted, false_accept, circumvention, exemption, account_sharing, reseller

// The properties of one rule. Each says who passes and by which route; a rule with none of
// them denies everyone.
struct RuleSemantics {
    AccessRuleKind kind;
    // Everyone passes (permitted). Users settled on such a model need no per-user decision.
    bool admits_everyone;
    // A verification gate: verified users pass, US persons as permitted, foreign nationals as
    // false_accept. Blocked users may apply for verification against it, and the first such
    // rule starts the verification programme's capacity ramp.
    bool verified_pass;
    // Employees its employer attests (employer attesting, employee flagged attested) pass, US
    // persons as permitted, foreign nationals as exemption. Enterprises may attest under it.
    bool attested_pass;
    // Location-based: residents of regions not fenced pass (permitted, foreign residents of the
    // US included); residents of fenced regions pass by circumvention if they use a VPN.
    bool location_based;
    // A vetted list: employees of vetted enterprises pass (permitted, whatever their
    // nationality), and vetted enterprises may use the model.
    bool vetted_pass;
};

// One row per AccessRuleKind, in the enum's order.
//
// Adding a rule: add its enumerator to AccessRuleKind and its name to EnumNames<AccessRuleKind>
// (scenario.hpp, so scenario files can name it), add its row here, and state in
// tests/unit/test_rules.cpp which users it lets through and by which route. Every consumer reads
// these properties; elsewhere the engine names a kind only to impose one (open for a model no
// stage governs, global_shutdown on a stricter cloud partner).
inline constexpr std::array<RuleSemantics, 5> rule_table{{
    //  kind                            everyone  verified  attested  location  vetted
    {AccessRuleKind::open,              true,     false,    false,    false,    false},
    {AccessRuleKind::global_shutdown,   false,    false,    false,    false,    false},
    {AccessRuleKind::nationality_gate,  false,    true,     true,     false,    false},
    {AccessRuleKind::geo_fence,         false,    false,    false,    true,     false},
    {AccessRuleKind::vetted_only,       false,    false,    false,    false,    true},
}};

static_assert(rule_table.size() == EnumNames<AccessRuleKind>::names.size(), "one row per AccessRuleKind");
static_assert([] {
    for (std::size_t k = 0; k < rule_table.size(); ++k)
        if (static_cast<std::size_t>(rule_table[k].kind) != k) return false;
    return true;
}(), "rule_table rows are in AccessRuleKind order");

constexpr const RuleSemantics& rule_semantics(AccessRuleKind kind) { return rule_table[static_cast<std::size_t>(kind)]; }

// What a rule looks at in one user (or enterprise).
struct AccessFacts {
    bool us_person = false;
    bool verified = false;   // verification status is verified
    bool attested = false;   // attested employee of an employer that is attesting
    bool fenced = false;     // resides in a fenced region
    bool vpn = false;        // would circumvent a location gate
    bool vetted = false;     // employee of (or itself) a vetted enterprise
};

// The route by which a rule lets someone through, or denied. Passing as permitted wins over a
// leaking route when a rule has several properties.
constexpr Route route(const RuleSemantics& rule, const AccessFacts& f) {
    if (rule.admits_everyone) return Route::permitted;
    if (rule.location_based && !f.fenced) return Route::permitted;
    if (rule.vetted_pass && f.vetted) return Route::permitted;
    if (rule.verified_pass && f.verified) return f.us_person ? Route::permitted : Route::false_accept;
    if (rule.attested_pass && f.attested) return f.us_person ? Route::permitted : Route::exemption;
    if (rule.location_based && f.vpn) return Route::circumvention;
    return Route::denied;
}

// The questions the engine asks of a rule, all answered from its row.
constexpr bool admits_everyone(AccessRuleKind kind) { return rule_semantics(kind).admits_everyone; }
constexpr bool applicants_may_verify(AccessRuleKind kind) { return rule_semantics(kind).verified_pass; }
constexpr bool enterprise_may_attest(AccessRuleKind kind) { return rule_semantics(kind).attested_pass; }

// Whether a foreign national with no credentials (not verified, not attested, no vetted
// employer) reaches the model under the rule: what a blocked foreign national can still use.
constexpr bool reachable_without_credentials(AccessRuleKind kind, bool fenced, bool vpn) {
    AccessFacts f;
    f.fenced = fenced;
    f.vpn = vpn;
    return route(rule_semantics(kind), f) != Route::denied;
}

// Whether an enterprise as a whole (its HQ region, its vetted status; no VPN, no individual
// credentials) may run its workload on the model under the rule.
constexpr bool enterprise_may_use(AccessRuleKind kind, bool fenced, bool vetted) {
    AccessFacts f;
    f.fenced = fenced;
    f.vetted = vetted;
    return route(rule_semantics(kind), f) == Route::permitted;
}

}  // namespace gatesim

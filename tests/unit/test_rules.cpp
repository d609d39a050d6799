// The table of access-rule semantics (model/rules.hpp) and its evaluation for users and
// enterprises (model/regulation.hpp): for each rule, which combinations of a user's attributes
// pass and by which route.
#include <catch2/catch.hpp>

#include <string>

#include "model/regulation.hpp"
#include "model/rules.hpp"

using namespace gatesim;

namespace {

// Every combination of the attributes a rule can look at.
template <class Fn>
void for_each_facts(Fn&& fn) {
    for (int bits = 0; bits < 64; ++bits) {
        AccessFacts f;
        f.us_person = bits & 1;
        f.verified = bits & 2;
        f.attested = bits & 4;
        f.fenced = bits & 8;
        f.vpn = bits & 16;
        f.vetted = bits & 32;
        fn(f);
    }
}

std::string describe(AccessRuleKind kind, const AccessFacts& f) {
    return std::string(EnumNames<AccessRuleKind>::names[static_cast<std::size_t>(kind)]) + (f.us_person ? " us_person" : " foreign") +
           (f.verified ? " verified" : "") + (f.attested ? " attested" : "") + (f.fenced ? " fenced" : "") + (f.vpn ? " vpn" : "") +
           (f.vetted ? " vetted" : "");
}

Route route_of(AccessRuleKind kind, const AccessFacts& f) { return route(rule_semantics(kind), f); }

}  // namespace

TEST_CASE("the table has one row per rule, in the enum's order") {
    REQUIRE(rule_table.size() == EnumNames<AccessRuleKind>::names.size());
    for (std::size_t k = 0; k < rule_table.size(); ++k) CHECK(static_cast<std::size_t>(rule_table[k].kind) == k);
}

TEST_CASE("open lets everyone through as permitted") {
    for_each_facts([](const AccessFacts& f) {
        INFO(describe(AccessRuleKind::open, f));
        CHECK(route_of(AccessRuleKind::open, f) == Route::permitted);
    });
}

TEST_CASE("global_shutdown denies everyone, whatever their credentials") {
    for_each_facts([](const AccessFacts& f) {
        INFO(describe(AccessRuleKind::global_shutdown, f));
        CHECK(route_of(AccessRuleKind::global_shutdown, f) == Route::denied);
    });
}

TEST_CASE("nationality_gate: verified or attested users pass; foreign ones leak by false accept or exemption") {
    for_each_facts([](const AccessFacts& f) {
        INFO(describe(AccessRuleKind::nationality_gate, f));
        // Residence, VPN use and vetting play no part.
        Route expected = Route::denied;
        if (f.verified) expected = f.us_person ? Route::permitted : Route::false_accept;
        else if (f.attested) expected = f.us_person ? Route::permitted : Route::exemption;
        CHECK(route_of(AccessRuleKind::nationality_gate, f) == expected);
    });
}

TEST_CASE("geo_fence: residents of unfenced regions pass whatever their nationality; fenced ones only by VPN") {
    for_each_facts([](const AccessFacts& f) {
        INFO(describe(AccessRuleKind::geo_fence, f));
        const Route expected = !f.fenced ? Route::permitted : f.vpn ? Route::circumvention : Route::denied;
        CHECK(route_of(AccessRuleKind::geo_fence, f) == expected);
    });
}

TEST_CASE("vetted_only: employees of vetted enterprises pass as permitted, with no nationality check") {
    for_each_facts([](const AccessFacts& f) {
        INFO(describe(AccessRuleKind::vetted_only, f));
        CHECK(route_of(AccessRuleKind::vetted_only, f) == (f.vetted ? Route::permitted : Route::denied));
    });
}

TEST_CASE("only open needs no per-user decision; only the nationality gate takes applicants and attestations") {
    for (const auto& row : rule_table) {
        INFO(EnumNames<AccessRuleKind>::names[static_cast<std::size_t>(row.kind)]);
        CHECK(admits_everyone(row.kind) == (row.kind == AccessRuleKind::open));
        CHECK(applicants_may_verify(row.kind) == (row.kind == AccessRuleKind::nationality_gate));
        CHECK(enterprise_may_attest(row.kind) == (row.kind == AccessRuleKind::nationality_gate));
    }
}

TEST_CASE("a foreign national without credentials still reaches open models and unfenced or VPN-circumvented fences") {
    for (const auto& row : rule_table)
        for (bool fenced : {false, true})
            for (bool vpn : {false, true}) {
                INFO(std::string(EnumNames<AccessRuleKind>::names[static_cast<std::size_t>(row.kind)]) << " fenced " << fenced << " vpn " << vpn);
                const bool expected = row.kind == AccessRuleKind::open || (row.kind == AccessRuleKind::geo_fence && (!fenced || vpn));
                CHECK(reachable_without_credentials(row.kind, fenced, vpn) == expected);
            }
}

TEST_CASE("an enterprise may use a model that is open, not fenced at its HQ, or vetted for it; never through a gate") {
    for (const auto& row : rule_table)
        for (bool fenced : {false, true})
            for (bool vetted : {false, true}) {
                INFO(std::string(EnumNames<AccessRuleKind>::names[static_cast<std::size_t>(row.kind)]) << " fenced " << fenced << " vetted " << vetted);
                const bool expected = row.kind == AccessRuleKind::open || (row.kind == AccessRuleKind::geo_fence && !fenced) ||
                                      (row.kind == AccessRuleKind::vetted_only && vetted);
                CHECK(enterprise_may_use(row.kind, fenced, vetted) == expected);
            }
}

namespace {

// Two models, the consumer and API channels, two regions (1 fenced); one enterprise.
struct Fixture {
    DayPolicy policy;
    Users users;
    EnterpriseTable enterprises;

    Fixture() {
        policy.channels = 2;
        policy.rule.assign(4, AccessRuleKind::open);
        policy.offered.assign(4, 1);
        policy.controlled.assign(2, 1);
        policy.fenced = {0, 1};
        enterprises.resize(1);
        enterprises.channel[0] = channel_api;
        enterprises.region[0] = 0;
        enterprises.vetted[0] = 0;
        enterprises.state[0] = EnterpriseState::normal;
        users.resize(1);
        users.channel[0] = channel_consumer;
        users.region[0] = 0;
        users.nationality[0] = Nationality::foreign_national;
        users.verification[0] = VerificationStatus::none;
        users.employer[0] = no_employer;
        users.flags[0] = 0;
    }
    void set_rule(std::size_t model, std::uint8_t channel, AccessRuleKind kind) { policy.rule[model * 2 + channel] = kind; }
    Route user_route(std::size_t model) const { return access(policy, users, 0, model, enterprises); }
};

}  // namespace

TEST_CASE("access reads the rule of the user's own channel, and a model not offered there is denied") {
    Fixture x;
    x.set_rule(0, channel_api, AccessRuleKind::global_shutdown);
    CHECK(x.user_route(0) == Route::permitted);  // the consumer channel is still open
    x.users.channel[0] = channel_api;
    CHECK(x.user_route(0) == Route::denied);
    CHECK(x.user_route(1) == Route::permitted);
    x.policy.offered[1 * 2 + channel_api] = 0;
    CHECK(x.user_route(1) == Route::denied);
}

TEST_CASE("access: attestation counts only while the employer is attesting and the employee is flagged") {
    Fixture x;
    x.set_rule(0, channel_consumer, AccessRuleKind::nationality_gate);
    x.users.flags[0] = flag_attested;
    CHECK(x.user_route(0) == Route::denied);  // no employer
    x.users.employer[0] = 0;
    CHECK(x.user_route(0) == Route::denied);  // employer not attesting
    x.enterprises.state[0] = EnterpriseState::attesting;
    CHECK(x.user_route(0) == Route::exemption);
    x.users.nationality[0] = Nationality::us_person;
    CHECK(x.user_route(0) == Route::permitted);
    x.users.flags[0] = 0;
    CHECK(x.user_route(0) == Route::denied);  // employer attests, but not for this employee
    x.users.verification[0] = VerificationStatus::verified;
    CHECK(x.user_route(0) == Route::permitted);
    x.users.nationality[0] = Nationality::foreign_national;
    CHECK(x.user_route(0) == Route::false_accept);
    x.users.verification[0] = VerificationStatus::pending;
    CHECK(x.user_route(0) == Route::denied);
}

TEST_CASE("access: a geo fence reads the user's region and VPN flag; a vetted list its employer") {
    Fixture x;
    x.set_rule(0, channel_consumer, AccessRuleKind::geo_fence);
    CHECK(x.user_route(0) == Route::permitted);
    x.users.region[0] = 1;
    CHECK(x.user_route(0) == Route::denied);
    x.users.flags[0] = flag_vpn;
    CHECK(x.user_route(0) == Route::circumvention);

    x.set_rule(1, channel_consumer, AccessRuleKind::vetted_only);
    CHECK(x.user_route(1) == Route::denied);
    x.users.employer[0] = 0;
    CHECK(x.user_route(1) == Route::denied);
    x.enterprises.vetted[0] = 1;
    CHECK(x.user_route(1) == Route::permitted);
}

TEST_CASE("enterprise_can_use reads the enterprise's channel and HQ region") {
    Fixture x;
    x.set_rule(0, channel_api, AccessRuleKind::geo_fence);
    CHECK(enterprise_can_use(x.policy, x.enterprises, 0, 0));
    x.enterprises.region[0] = 1;
    CHECK_FALSE(enterprise_can_use(x.policy, x.enterprises, 0, 0));
    x.set_rule(1, channel_consumer, AccessRuleKind::global_shutdown);  // not the enterprise's channel
    CHECK(enterprise_can_use(x.policy, x.enterprises, 0, 1));
    x.set_rule(1, channel_api, AccessRuleKind::nationality_gate);
    x.enterprises.state[0] = EnterpriseState::attesting;
    CHECK_FALSE(enterprise_can_use(x.policy, x.enterprises, 0, 1));  // attestation serves employees, not the workload
}

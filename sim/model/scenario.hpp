// The scenario: everything a run needs, typed and validated, with no knowledge of files.
//
// Each struct's describe() is the one place that names its fields, units, ranges and meaning;
// see schema.hpp. Default values live in scenarios/defaults.yaml next to their sources.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/distribution.hpp"
#include "model/schema.hpp"

namespace gatesim {

enum class Jurisdiction { us, foreign, open };
template <>
struct EnumNames<Jurisdiction> {
    static constexpr std::array<std::string_view, 3> names = {"us", "foreign", "open"};
};

// How users reach a model. Cloud means through a cloud partner's platform.
enum class ChannelKind { consumer, api, cloud };
template <>
struct EnumNames<ChannelKind> {
    static constexpr std::array<std::string_view, 3> names = {"consumer", "api", "cloud"};
};

// What an access rule decides for one user on one model and channel.
enum class AccessRuleKind { open, global_shutdown, nationality_gate, geo_fence, vetted_only };
template <>
struct EnumNames<AccessRuleKind> {
    static constexpr std::array<std::string_view, 5> names = {"open", "global_shutdown", "nationality_gate",
                                                              "geo_fence", "vetted_only"};
};

enum class TriggerKind { day, verification_coverage, regulator_decision };
template <>
struct EnumNames<TriggerKind> {
    static constexpr std::array<std::string_view, 3> names = {"day", "verification_coverage", "regulator_decision"};
};

enum class ComplianceMode { mirror, stricter };
template <>
struct EnumNames<ComplianceMode> {
    static constexpr std::array<std::string_view, 2> names = {"mirror", "stricter"};
};

struct Population {
    std::int64_t agents = 0;
    double users = 0;
};
template <class V>
void describe(V& v, Population& p) {
    v("agents", p.agents,
      {.doc = "Simulated user agents; each stands for users/agents real users.", .unit = "agents", .min = 1,
       .max = 1e8, .required = true});
    v("users", p.users, {.doc = "Real users the population represents: monthly active users of AI models, each counted once, at its preferred model.", .unit = "users", .min = 1, .max = 1e11, .required = true});
}

struct Region {
    std::string id;
    double user_share = 0;
    double enterprise_share = 0;
    double us_person_share = 0;
    double vpn_propensity = 0;
    double circumvention_cost = 0;
    NumberMap provider_weights;
};
template <class V>
void describe(V& v, Region& r) {
    v("user_share", r.user_share, {.doc = "Share of individual users resident in the region.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("enterprise_share", r.enterprise_share, {.doc = "Share of enterprises headquartered in the region.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("us_person_share", r.us_person_share, {.doc = "Share of residents who are US persons (citizens or permanent residents).", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("vpn_propensity", r.vpn_propensity, {.doc = "Probability that a user blocked by a location gate circumvents it with a VPN.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("circumvention_cost", r.circumvention_cost, {.doc = "Cost of circumventing a location gate from the region (price of a VPN or proxy, legal risk), lowering the uptake rate: rate x exp(-cost) (circumvention.adoption only).", .unit = "utility", .min = 0, .max = 100});
    v("provider_weights", r.provider_weights, {.doc = "By provider id: multiplies the base shares (models.<id>.shares) of the provider's models among the region's users and enterprises; unlisted providers weigh 1, 0 = the provider does not serve the region (nobody starts on its models there, nobody can move to them).", .unit = "factor", .min = 0, .max = 1000});
}

struct Promotion {
    int start_after_directive_days = 0;
    int duration_days = 0;
    double utility = 0;
};
template <class V>
void describe(V& v, Promotion& p) {
    v("start_after_directive_days", p.start_after_directive_days, {.doc = "Days after the directive the promotion starts.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("duration_days", p.duration_days, {.doc = "How long the promotion lasts.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("utility", p.utility, {.doc = "Logit utility added to the provider's models (migration credits, price cuts).", .unit = "utility", .min = -100, .max = 100, .required = true});
}

// A subscription plan of one provider for one segment (the entry's id is the segment's).
struct Plan {
    std::string id;
    double price_per_month = 0;
    double paying_share = 0;
};
template <class V>
void describe(V& v, Plan& p) {
    v("price_per_month", p.price_per_month, {.doc = "Average plan price over the provider's plans for the segment.", .unit = "USD per month", .min = 0, .max = 1e4, .required = true});
    v("paying_share", p.paying_share, {.doc = "Share of the segment's users of the provider's models who pay for a plan; a paying user's usage is covered by it, not billed by the token.", .unit = "fraction", .min = 0, .max = 1, .required = true});
}

// Which cloud partners sell a provider's models to its API buyers, by cloud partner id.
struct CloudMix {
    NumberMap enterprise;
    NumberMap api;
};
template <class V>
void describe(V& v, CloudMix& c) {
    v("enterprise", c.enterprise, {.doc = "By cloud partner id: share of enterprises whose primary model is the provider's that buy it through the partner (the rest use the direct API).", .unit = "fraction", .min = 0, .max = 1});
    v("api", c.api, {.doc = "By cloud partner id: share of individual API users (developers, researchers) of the provider's models who reach them through the partner.", .unit = "fraction", .min = 0, .max = 1});
}

struct Provider {
    std::string id;
    Jurisdiction jurisdiction = Jurisdiction::us;
    std::optional<Promotion> promotion;
    std::vector<Plan> plans;
    CloudMix cloud_mix;
};
template <class V>
void describe(V& v, Provider& p) {
    v("jurisdiction", p.jurisdiction, {.doc = "Where the provider is regulated: us, foreign, or open (open-weight community).", .required = true});
    v("promotion", p.promotion, {.doc = "Competitor reaction to the directive: a temporary boost to its models; never = none."});
    v("plans", p.plans, {.doc = "Subscription plans by segment id (a segment without an entry pays by the token, or nothing on the consumer app)."});
    v("cloud_mix", p.cloud_mix, {.doc = "Cloud partners through which the provider's API buyers reach its models."});
}

// Base shares of a model among the users of each kind of channel, before regional weights.
struct ChannelShares {
    double consumer = 0;
    double api = 0;
    double enterprise = 0;
};
template <class V>
void describe(V& v, ChannelShares& c) {
    v("consumer", c.consumer, {.doc = "Among consumer-app users.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("api", c.api, {.doc = "Among individual API users (developers, security researchers).", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("enterprise", c.enterprise, {.doc = "Among enterprises, as their primary model.", .unit = "fraction", .min = 0, .max = 1, .required = true});
}

struct Model {
    std::string id;
    std::string provider;
    double capability = 0;
    double cyber_capability = 0;
    double price = 0;
    double token_intensity = 1;
    ChannelShares shares;
    bool open_weight = false;
    bool consumer = true;
    bool api = true;
    std::optional<double> capacity_users;
    int release_day = 0;
    std::string successor_of;
};
template <class V>
void describe(V& v, Model& m) {
    v("provider", m.provider, {.doc = "Id of the provider that serves the model.", .required = true});
    v("capability", m.capability, {.doc = "General capability (strongest frontier model = 1).", .unit = "index", .min = 0, .max = 10, .required = true});
    v("cyber_capability", m.cyber_capability, {.doc = "Offensive-cyber capability, the controlled capability (strongest = 1).", .unit = "index", .min = 0, .max = 10, .required = true});
    v("price", m.price, {.doc = "Blended list price.", .unit = "USD per million tokens", .min = 0, .max = 1e4, .required = true});
    v("token_intensity", m.token_intensity, {.doc = "Tokens per task of the users who prefer this model, relative to their segment's tokens_per_task; kept when they switch.", .unit = "factor", .min = 0, .max = 1000});
    v("shares", m.shares, {.doc = "Share of each kind of user whose preferred model this is before any directive, in a region where every provider weighs 1 (models released later have 0).", .required = true});
    v("open_weight", m.open_weight, {.doc = "Weights are public: no access control applies, self-hosting adds friction.", .required = true});
    v("consumer", m.consumer, {.doc = "Offered in a consumer app.", .required = true});
    v("api", m.api, {.doc = "Offered through the provider's direct API.", .required = true});
    v("capacity_users", m.capacity_users, {.doc = "Most users the model can serve in a day; a surge beyond it is turned away (never = unlimited).", .unit = "users", .min = 0, .max = 1e11});
    v("release_day", m.release_day, {.doc = "Day the model becomes available (before any pre-release review).", .unit = "day", .min = 0, .max = 3650, .required = true});
    v("successor_of", m.successor_of, {.doc = "Id of the model this one succeeds: its users adopt this one after release (empty = none)."});
}

struct CloudPartner {
    std::string id;
    std::vector<std::string> models;
    ComplianceMode compliance = ComplianceMode::mirror;
    double revenue_share = 0;
    NumberMap revenue_share_by_provider;
};
template <class V>
void describe(V& v, CloudPartner& c) {
    v("models", c.models, {.doc = "Ids of the models the partner hosts.", .required = true});
    v("compliance", c.compliance, {.doc = "mirror: apply the provider's rules; stricter: shut gated models off entirely on the platform.", .required = true});
    v("revenue_share", c.revenue_share, {.doc = "Share of usage-billed sales on the platform the partner keeps; the provider books the sale.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("revenue_share_by_provider", c.revenue_share_by_provider, {.doc = "By provider id: revenue_share for that provider's models; 1 = the partner resells under its own licence and the sale is the partner's alone.", .unit = "fraction", .min = 0, .max = 1});
}

struct Segment {
    std::string id;
    double user_share = 0;
    ChannelKind channel = ChannelKind::consumer;
    Distribution tasks_per_day;
    double value_per_task = 0;
    double tokens_per_task = 0;
    double patience_days = 0;
    double impatience_growth = 0;
    double capability_weight = 0;
    double price_weight = 0;
    double provider_loyalty = 0;
    double switching_cost = 0;
    double return_probability = 0;
    double return_half_life_days = 0;
    double quality_gap_weight = 0;
    double verification_uptake = 0;
    double false_attestation = 0;
    double vpn_multiplier = 0;
    double adoption_days = 0;
    double return_hazard = 0;
    double switch_back_cost = 0;
    double habit_weight = 0;
    double habit_days = 30;
    double anticipation_rate = 0;
    double imitation = 0;
    double account_sharing_uptake = 0;
    double reseller_uptake = 0;
    double outside_share = 0;
    double entry_innovation = 0;
    double entry_imitation = 0;
};
template <class V>
void describe(V& v, Segment& s) {
    v("user_share", s.user_share, {.doc = "Share of users in the segment.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("channel", s.channel, {.doc = "How the segment's users reach models: consumer (the app) or api (the direct API or, by providers.<id>.cloud_mix.api, a cloud partner); enterprise employees use their employer's channel.", .required = true});
    v("tasks_per_day", s.tasks_per_day, {.doc = "Usage intensity, drawn per user.", .unit = "tasks per day", .min = 0, .max = 1e4, .required = true});
    v("value_per_task", s.value_per_task, {.doc = "Value a task creates on the preferred model.", .unit = "USD", .min = 0, .max = 1e6, .required = true});
    v("tokens_per_task", s.tokens_per_task, {.doc = "Tokens per task (times the preferred model's token_intensity); billed on the API and cloud channels to users without a plan.", .unit = "tokens", .min = 0, .max = 1e8, .required = true});
    v("patience_days", s.patience_days, {.doc = "Mean days a blocked user waits before switching at the start of an outage; 0 switches at once.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("impatience_growth", s.impatience_growth, {.doc = "Daily growth of the switching hazard as beliefs about a long outage firm up (hazard x (1 + growth x days blocked)).", .unit = "per day", .min = 0, .max = 10, .required = true});
    v("capability_weight", s.capability_weight, {.doc = "Logit utility per unit of capability.", .unit = "utility per index point", .min = 0, .max = 100, .required = true});
    v("price_weight", s.price_weight, {.doc = "Logit disutility per unit of log(1 + price).", .unit = "utility", .min = 0, .max = 100, .required = true});
    v("provider_loyalty", s.provider_loyalty, {.doc = "Logit utility of staying with the preferred model's provider (habit).", .unit = "utility", .min = -100, .max = 100, .required = true});
    v("switching_cost", s.switching_cost, {.doc = "Logit disutility of moving to another provider's model (half of it within one cloud platform; doubled for open-weight self-hosting).", .unit = "utility", .min = 0, .max = 100, .required = true});
    v("return_probability", s.return_probability, {.doc = "Probability a switched user returns when access comes back at once and the alternative is as good.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("return_half_life_days", s.return_half_life_days, {.doc = "Days away after which the return probability has halved.", .unit = "days", .min = 1e-9, .max = 1e5, .required = true});
    v("quality_gap_weight", s.quality_gap_weight, {.doc = "How much a better home model pulls a user back: return odds x exp(weight x capability gap).", .unit = "per index point", .min = 0, .max = 100, .required = true});
    v("verification_uptake", s.verification_uptake, {.doc = "Probability an eligible blocked user applies for identity verification.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("false_attestation", s.false_attestation, {.doc = "Probability a blocked foreign national applies claiming to be a US person.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("vpn_multiplier", s.vpn_multiplier, {.doc = "Multiplies the region's VPN propensity.", .unit = "factor", .min = 0, .max = 100, .required = true});
    v("adoption_days", s.adoption_days, {.doc = "Mean days until a user adopts a newly released successor of its preferred model.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("return_hazard", s.return_hazard, {.doc = "Daily probability that a user on an alternative whose preferred model is open to it again goes back, when the two are equally capable, switching back costs nothing and no habit has formed; asked every day after the first return decision (0 = never reconsiders).", .unit = "probability per day", .min = 0, .max = 1});
    v("switch_back_cost", s.switch_back_cost, {.doc = "Cost of switching back to the preferred model, lowering the return hazard: hazard rate x exp(-cost).", .unit = "utility", .min = 0, .max = 100});
    v("habit_weight", s.habit_weight, {.doc = "Habit formed on the alternative once saturated, lowering the return hazard like switch_back_cost.", .unit = "utility", .min = 0, .max = 100});
    v("imitation", s.imitation, {.doc = "Bass imitation q: adds q x F to the daily adoption rate of a released successor (1 / adoption_days is the innovation p), F the share of the user's region and segment already on it yesterday (0 = constant hazard, as before).", .unit = "per day", .min = 0, .max = 100});
    v("anticipation_rate", s.anticipation_rate, {.doc = "Daily rate at which a user still served by a model at risk leaves it ahead of a block, at belief 1 and a typical dependency: hazard = 1 - exp(-rate x belief x dependency) (0 = nobody leaves before a block).", .unit = "per day", .min = 0, .max = 100});
    v("habit_days", s.habit_days, {.doc = "Time constant of habit formation on the alternative: habit = habit_weight x (1 - exp(-days away / habit_days)); 0 = formed at once.", .unit = "days", .min = 0, .max = 3650});
    v("account_sharing_uptake", s.account_sharing_uptake, {.doc = "Daily rate at which a foreign national a nationality gate blocks starts using a verified US person's account, when every affected US person is verified and lends it: hazard = 1 - exp(-rate x verification.account_sharing_share x yesterday's verification coverage) (0 = nobody shares).", .unit = "per day", .min = 0, .max = 100});
    v("reseller_uptake", s.reseller_uptake, {.doc = "Daily rate at which a foreign API user a nationality gate blocks buys access through a reseller of a verified account, at no markup: hazard = 1 - exp(-rate x (1 + verification.reseller_markup)^-price_weight) (0 = nobody buys).", .unit = "per day", .min = 0, .max = 100});
    v("outside_share", s.outside_share, {.doc = "Share of the segment's individual users (not employees) outside the market on day 0: they use no model until they enter, by entry_innovation and entry_imitation (0 = everyone is in the market).", .unit = "fraction", .min = 0, .max = 1});
    v("entry_innovation", s.entry_innovation, {.doc = "Bass innovation p of market entry: the daily entry rate of a user outside the market before anyone around it is in.", .unit = "per day", .min = 0, .max = 100});
    v("entry_imitation", s.entry_imitation, {.doc = "Bass imitation q of market entry: adds q x F to the daily entry rate, F the share of the user's region and segment in the market yesterday.", .unit = "per day", .min = 0, .max = 100});
}

struct Sector {
    std::string id;
    double enterprise_share = 0;
    bool vetted = false;
};
template <class V>
void describe(V& v, Sector& s) {
    v("enterprise_share", s.enterprise_share, {.doc = "Share of enterprises in the sector.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("vetted", s.vetted, {.doc = "Enterprises of this sector are on the vetted list (partners program, government).", .required = true});
}

struct Enterprises {
    std::int64_t agents = 0;
    double count = 0;
    std::string employee_segment;
    Distribution employees;
    Distribution integration_days;
    double multi_homed_share = 0;
    Distribution risk_aversion;
    double outage_belief_days = 0;
    double belief_growth = 0;
    double us_hq_foreign_share = 0;
    int attestation_setup_days = 0;
    double attestation_error = 0;
    double attest_max_foreign_share = 0;
    double failover_capability_loss = 0;
    double migration_cost_per_day = 0;
    double failover_return_probability = 0;
    double return_hazard = 0;
    double return_capability_weight = 0;
    double sunk_cost_weight = 0;
    double return_habit_weight = 0;
    double return_habit_days = 30;
    std::vector<Sector> sectors;
    double anticipation_rate = 0;
    double load_shift_share = 0;
    double fallback_adoption_probability = 0;
};
template <class V>
void describe(V& v, Enterprises& e) {
    v("agents", e.agents, {.doc = "Simulated enterprise agents (0 disables enterprises).", .unit = "agents", .min = 0, .max = 1e7, .required = true});
    v("count", e.count, {.doc = "Real enterprises they stand for.", .unit = "enterprises", .min = 0, .max = 1e9, .required = true});
    v("employee_segment", e.employee_segment, {.doc = "Id of the segment whose users are enterprise employees; they follow their employer for work use.", .required = true});
    v("employees", e.employees, {.doc = "Employees using models per enterprise (heavy-tailed); sets how employees spread over enterprises.", .unit = "employees", .min = 1, .max = 1e7, .required = true});
    v("integration_days", e.integration_days, {.doc = "Engineering days to migrate to another model.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("multi_homed_share", e.multi_homed_share, {.doc = "Share of enterprises with a tested fallback provider.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("risk_aversion", e.risk_aversion, {.doc = "Aversion to compliance risk and outages, drawn per enterprise.", .unit = "index 0-1", .min = 0, .max = 1, .required = true});
    v("outage_belief_days", e.outage_belief_days, {.doc = "Prior belief of how long an outage lasts.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("belief_growth", e.belief_growth, {.doc = "Expected remaining outage grows by this many days per day elapsed (no timeline announced).", .unit = "days per day", .min = 0, .max = 100, .required = true});
    v("us_hq_foreign_share", e.us_hq_foreign_share, {.doc = "Foreign-national share of the workforce of US-headquartered enterprises (elsewhere: 1 - us_person_share).", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("attestation_setup_days", e.attestation_setup_days, {.doc = "Days an enterprise needs to set up employee attestation under a nationality gate.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("attestation_error", e.attestation_error, {.doc = "Probability an employer attests a foreign-national employee (exemption leakage).", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("attest_max_foreign_share", e.attest_max_foreign_share, {.doc = "Enterprises attest (rather than move everyone) when their foreign share x (1 + risk aversion) is below this.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("failover_capability_loss", e.failover_capability_loss, {.doc = "Capability lost by running on an untuned fallback.", .unit = "index", .min = 0, .max = 10, .required = true});
    v("migration_cost_per_day", e.migration_cost_per_day, {.doc = "Cost of one engineering day of migration.", .unit = "USD", .min = 0, .max = 1e7, .required = true});
    v("failover_return_probability", e.failover_return_probability, {.doc = "Probability a failed-over enterprise returns to its primary model on restore.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("return_hazard", e.return_hazard, {.doc = "Daily probability that a migrated enterprise whose primary model is open to it again migrates back, when the two are equally capable and no sunk cost or habit weighs (0 = never migrates back).", .unit = "probability per day", .min = 0, .max = 1});
    v("return_capability_weight", e.return_capability_weight, {.doc = "Pull back per capability point the primary model has over the current one (log-hazard units).", .unit = "utility per capability point", .min = -100, .max = 100});
    v("sunk_cost_weight", e.sunk_cost_weight, {.doc = "Weight of the sunk migration cost, measured in engineering months (integration_days / 30), against migrating back.", .unit = "utility per engineering month", .min = 0, .max = 100});
    v("return_habit_weight", e.return_habit_weight, {.doc = "Habit formed on the new model once saturated, lowering the hazard of migrating back.", .unit = "utility", .min = 0, .max = 100});
    v("return_habit_days", e.return_habit_days, {.doc = "Time constant of habit formation on the new model: habit = return_habit_weight x (1 - exp(-days since migration / return_habit_days)); 0 = formed at once.", .unit = "days", .min = 0, .max = 3650});
    v("sectors", e.sectors, {.doc = "Sectors of enterprises.", .required = true});
    v("anticipation_rate", e.anticipation_rate, {.doc = "Pre-emptive migration: an enterprise still served by a primary model at risk starts migrating away with daily hazard 1 - exp(-anticipation_rate x belief x (1 + risk aversion)) (0 = never ahead of a block).", .unit = "per day at full belief", .min = 0, .max = 100});
    v("load_shift_share", e.load_shift_share, {.doc = "Share of its workload a multi-homed enterprise shifts onto its fallback ahead of a feared block, times the belief; the shifted share runs there without the fail-over capability loss (0 = none).", .unit = "fraction", .min = 0, .max = 1});
    v("fallback_adoption_probability", e.fallback_adoption_probability, {.doc = "Probability that an enterprise without a fallback adds one from another provider when access returns after a disruption (multi-homing as hysteresis; 0 = never).", .unit = "probability", .min = 0, .max = 1});
}

struct Verification {
    double capacity_per_day = 0;
    int ramp_days = 0;
    double false_reject = 0;
    double false_accept = 0;
    double human_review_share = 0;
    int human_review_days = 0;
    double human_false_reject = 0;
    double human_false_accept = 0;
    double abandon_at_check = 0;
    double abandon_daily = 0;
    double cost_per_check = 0;
    double human_review_cost = 0;
    int retries = 0;
    double account_sharing_share = 0;
    double account_sharing_detection_daily = 0;
    double reseller_markup = 0;
    double reseller_kyc_strictness = 0;
};
template <class V>
void describe(V& v, Verification& c) {
    v("capacity_per_day", c.capacity_per_day, {.doc = "Checks the provider can run per day once ramped up.", .unit = "checks per day", .min = 0, .max = 1e10, .required = true});
    v("ramp_days", c.ramp_days, {.doc = "Days from the first gate until capacity is full (linear ramp).", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("false_reject", c.false_reject, {.doc = "Probability an automated check rejects a genuine US person.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("false_accept", c.false_accept, {.doc = "Probability an automated check accepts a foreign national claiming to be a US person.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("human_review_share", c.human_review_share, {.doc = "Share of checks sent to slow human review.", .unit = "fraction", .min = 0, .max = 1, .required = true});
    v("human_review_days", c.human_review_days, {.doc = "Delay of a human review.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("human_false_reject", c.human_false_reject, {.doc = "False rejection probability of human review.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("human_false_accept", c.human_false_accept, {.doc = "False acceptance probability of human review.", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("abandon_at_check", c.abandon_at_check, {.doc = "Probability an applicant gives up at the check itself (friction).", .unit = "probability", .min = 0, .max = 1, .required = true});
    v("abandon_daily", c.abandon_daily, {.doc = "Daily probability a queued applicant gives up.", .unit = "probability per day", .min = 0, .max = 1, .required = true});
    v("cost_per_check", c.cost_per_check, {.doc = "Cost of an automated check.", .unit = "USD", .min = 0, .max = 1e4, .required = true});
    v("human_review_cost", c.human_review_cost, {.doc = "Extra cost of a human review.", .unit = "USD", .min = 0, .max = 1e4, .required = true});
    v("retries", c.retries, {.doc = "Times a rejected applicant may try again.", .unit = "tries", .min = 0, .max = 100, .required = true});
    v("account_sharing_share", c.account_sharing_share, {.doc = "Share of verified US persons who would lend their account to a blocked foreign national (scales segments.*.account_sharing_uptake).", .unit = "fraction", .min = 0, .max = 1});
    v("account_sharing_detection_daily", c.account_sharing_detection_daily, {.doc = "Share of account sharers the provider's session and device signals catch each day; a caught user loses the shared account and does not share again.", .unit = "probability per day", .min = 0, .max = 1});
    v("reseller_markup", c.reseller_markup, {.doc = "A reseller's price above list price; it lowers reseller uptake by (1 + markup)^-price_weight, as a price does in the choice.", .unit = "fraction of list price", .min = 0, .max = 100});
    v("reseller_kyc_strictness", c.reseller_kyc_strictness, {.doc = "The provider's know-your-customer strictness on resold accounts: the share of a reseller's customers it cuts off each day; a caught user does not buy from a reseller again.", .unit = "probability per day", .min = 0, .max = 1});
}

// One stage of the provider's response. Stages start in order, each when its trigger fires.
struct Stage {
    std::string id;
    TriggerKind trigger = TriggerKind::day;
    int day = 0;
    double coverage = 0;
    AccessRuleKind rule = AccessRuleKind::open;
    std::optional<AccessRuleKind> consumer_rule;
    std::optional<AccessRuleKind> api_rule;
    std::optional<AccessRuleKind> cloud_rule;
    std::vector<std::string> fenced_regions;
};
template <class V>
void describe(V& v, Stage& s) {
    v("trigger", s.trigger, {.doc = "What starts the stage: day, verification_coverage or regulator_decision.", .required = true});
    v("day", s.day, {.doc = "Start day (trigger day); for other triggers, the earliest day.", .unit = "day", .min = 0, .max = 3650});
    v("coverage", s.coverage, {.doc = "Share of affected US persons verified that starts the stage (trigger verification_coverage).", .unit = "fraction", .min = 0, .max = 1});
    v("rule", s.rule, {.doc = "Access rule on the models in scope.", .required = true});
    v("consumer_rule", s.consumer_rule, {.doc = "Rule for the consumer app, when it differs (never = same as rule)."});
    v("api_rule", s.api_rule, {.doc = "Rule for the direct API, when it differs."});
    v("cloud_rule", s.cloud_rule, {.doc = "Rule on cloud partners, when it differs."});
    v("fenced_regions", s.fenced_regions, {.doc = "Regions a geo_fence blocks (by residence, circumventable)."});
}

struct Directive {
    int day = 0;
    std::vector<std::string> models;
    std::vector<Stage> stages;
    int prerelease_review_days = 0;
};
template <class V>
void describe(V& v, Directive& d) {
    v("day", d.day, {.doc = "Day the order is issued; the regulator's clock starts here.", .unit = "day", .min = 0, .max = 3650});
    v("models", d.models, {.doc = "Ids of the controlled models."});
    v("stages", d.stages, {.doc = "The provider's response, stage by stage (empty = no directive)."});
    v("prerelease_review_days", d.prerelease_review_days, {.doc = "Review delay for controlled-provider models released after the order.", .unit = "days", .min = 0, .max = 3650});
}

struct Escalation {
    std::optional<int> after_days;
    double capability_threshold = 0;
};
template <class V>
void describe(V& v, Escalation& e) {
    v("after_days", e.after_days, {.doc = "Days after the order the same rule extends to other US providers (never = no escalation).", .unit = "days", .min = 0, .max = 3650});
    v("capability_threshold", e.capability_threshold, {.doc = "Other US models at or above this capability come into scope.", .unit = "index", .min = 0, .max = 10});
}

struct JurisdictionResponse {
    std::string id;
    std::vector<std::string> regions;
    Jurisdiction boosts = Jurisdiction::foreign;
    int after_days = 0;
    double utility = 0;
};
template <class V>
void describe(V& v, JurisdictionResponse& r) {
    v("regions", r.regions, {.doc = "Regions whose users are affected (empty = all).", .required = true});
    v("boosts", r.boosts, {.doc = "Jurisdiction whose models gain utility (foreign or open).", .required = true});
    v("after_days", r.after_days, {.doc = "Days after the order the response takes effect.", .unit = "days", .min = 0, .max = 3650, .required = true});
    v("utility", r.utility, {.doc = "Logit utility added.", .unit = "utility", .min = -100, .max = 100, .required = true});
}

struct News {
    std::string id;
    int day = 0;
    double hazard_multiplier = 1;
    double risk = 0;
    double belief_half_life_days = 30;
    std::vector<std::string> models;
};
template <class V>
void describe(V& v, News& n) {
    v("day", n.day, {.doc = "Day the news breaks.", .unit = "day", .min = 0, .max = 3650, .required = true});
    v("hazard_multiplier", n.hazard_multiplier, {.doc = "Multiplies every blocked user's switching hazard from this day, once the provider has responded to the order (talks held < 1; no timeline > 1).", .unit = "factor", .min = 0, .max = 100});
    v("risk", n.risk, {.doc = "How much the news raises the belief of users still served that they will lose the models at risk (a warning of a coming rule, talks, crisis news); belief moves users whose segment has an anticipation_rate, with or without a block (0 = none).", .unit = "probability", .min = 0, .max = 1});
    v("belief_half_life_days", n.belief_half_life_days, {.doc = "Days after which the belief the news added has halved.", .unit = "days", .min = 0.001, .max = 1e5});
    v("models", n.models, {.doc = "Ids of the models the news puts at risk (empty = directive.models)."});
}

// How an enforcement case on one route of foreign access is settled (see Enforcement).
struct CaseTerms {
    double liable_share = 0;
    double case_probability = 0;
    double settlement_multiple = 0;
};
template <class V>
void describe(V& v, CaseTerms& c) {
    v("liable_share", c.liable_share, {.doc = "Share of the route's violations the provider answers for.", .unit = "fraction", .min = 0, .max = 1});
    v("case_probability", c.case_probability, {.doc = "Probability that a case on the route is brought and settled.", .unit = "probability", .min = 0, .max = 1});
    v("settlement_multiple", c.settlement_multiple, {.doc = "Settlement as a multiple of the transaction value of the violating access (within the statutory bounds).", .unit = "factor", .min = 0, .max = 100});
}

// The routes by which a foreign national reaches a controlled model, each a potential case.
struct CaseRoutes {
    CaseTerms permitted;
    CaseTerms false_accept;
    CaseTerms circumvention;
    CaseTerms exemption;
};
template <class V>
void describe(V& v, CaseRoutes& r) {
    v("permitted", r.permitted, {.doc = "The provider's own rule lets barred persons through (e.g. foreign residents of unfenced regions)."});
    v("false_accept", r.false_accept, {.doc = "Verification accepted a foreign national."});
    v("circumvention", r.circumvention, {.doc = "A foreign national circumvented a location gate (VPN)."});
    v("exemption", r.exemption, {.doc = "An employer attested a foreign-national employee."});
}

// Export-control enforcement: one potential case against the provider per route of foreign
// access; a case settles at settlement_multiple x the transaction value, at least the charged-count
// floor and at most the statutory maximum (see docs/MODEL.md).
struct Enforcement {
    double statutory_max_per_violation = 0;
    double minimum_charged_violations = 0;
    CaseRoutes routes;
};
template <class V>
void describe(V& v, Enforcement& e) {
    v("statutory_max_per_violation", e.statutory_max_per_violation, {.doc = "Civil maximum per violation; the maximum of a case is the larger of violations x this and twice the transaction value.", .unit = "USD", .min = 0, .max = 1e9});
    v("minimum_charged_violations", e.minimum_charged_violations, {.doc = "Counts a case charges at least, which sets the smallest settlement (this x statutory_max_per_violation, within the maximum).", .unit = "violations", .min = 0, .max = 1e6});
    v("routes", e.routes, {.doc = "Liability and settlement terms by route of foreign access."});
}

// The regulator's response to the provider's compliance: a daily hazard of the decision.
struct ComplianceRelief {
    double gate_rate = 0;
    double coverage_rate = 0;
};
template <class V>
void describe(V& v, ComplianceRelief& c) {
    v("gate_rate", c.gate_rate, {.doc = "Daily rate of the regulator's decision while the provider's response in force verifies nationality (a nationality gate on some channel).", .unit = "per day", .min = 0, .max = 100});
    v("coverage_rate", c.coverage_rate, {.doc = "Daily rate of the decision per unit of verification coverage of affected US persons (yesterday's).", .unit = "per day", .min = 0, .max = 100});
}

struct Regulator {
    std::optional<Distribution> decision_after_days;
    ComplianceRelief compliance_relief;
    bool decision_lifts_order = false;
    Escalation escalation;
    std::vector<JurisdictionResponse> responses;
    std::vector<News> news;
    Enforcement enforcement;
};
template <class V>
void describe(V& v, Regulator& r) {
    v("decision_after_days", r.decision_after_days, {.doc = "Days from the order to the regulator's decision to relax it, drawn once per run (never = no decision within the horizon).", .unit = "days", .min = 0, .max = 3650});
    v("compliance_relief", r.compliance_relief, {.doc = "The decision may come earlier than decision_after_days as the provider complies: each day with probability 1 - exp(-(gate_rate x [a nationality gate in force] + coverage_rate x coverage)); 0 = only the drawn delay, as before."});
    v("decision_lifts_order", r.decision_lifts_order, {.doc = "The decision withdraws the order: from that day every rule is open, whatever the stages."});
    v("escalation", r.escalation, {.doc = "Extension of the rule to other US providers (the industry-wide standard)."});
    v("responses", r.responses, {.doc = "Other jurisdictions' responses to the order."});
    v("news", r.news, {.doc = "News on the regulator's timeline: it changes how fast blocked users give up and, with a risk, what users still served believe."});
    v("enforcement", r.enforcement, {.doc = "Export-control cases against the provider for foreign access to its controlled models."});
}

// Circumvention of location gates as an adoption process (circumvention.hpp).
struct Circumvention {
    bool adoption = false;
    double awareness_peak = 0;
    double awareness_peak_days = 7;
    double contagion = 0;
    double detection_daily = 0;
};
template <class V>
void describe(V& v, Circumvention& c) {
    v("adoption", c.adoption, {.doc = "Users with a VPN propensity take circumvention up after a location block, by awareness and contagion, and detection catches some; false = every such user passes a location gate from its first day, as before."});
    v("awareness_peak", c.awareness_peak, {.doc = "Daily uptake rate from awareness at its peak: awareness = peak x (t / T) x exp(1 - t / T), t days since a fence first applied, T = awareness_peak_days.", .unit = "per day", .min = 0, .max = 100});
    v("awareness_peak_days", c.awareness_peak_days, {.doc = "Days after a fence first applies when awareness peaks; it fades after.", .unit = "days", .min = 0.001, .max = 3650});
    v("contagion", c.contagion, {.doc = "Daily uptake rate per unit share of the user's region and segment circumventing the day before (word of mouth).", .unit = "per day", .min = 0, .max = 100});
    v("detection_daily", c.detection_daily, {.doc = "Share of circumventors the provider's IP and payment signals catch each day; a caught user loses the circumvention and does not try again.", .unit = "probability per day", .min = 0, .max = 1});
}

struct Subscriptions {
    int lapse_days = 0;
};
template <class V>
void describe(V& v, Subscriptions& s) {
    v("lapse_days", s.lapse_days, {.doc = "Days a paying user blocked from its preferred model keeps its plan while it waits (a user that moves to another provider's model drops it that day).", .unit = "days", .min = 0, .max = 3650});
}

// What a run reports beyond its defaults.
struct Reporting {
    double equivalent_cyber_capability = 10;  // above every model: no equivalent unless a scenario says so
    std::vector<std::string> scopes;
};
template <class V>
void describe(V& v, Reporting& r) {
    v("equivalent_cyber_capability", r.equivalent_cyber_capability, {.doc = "Models outside the order with at least this cyber capability count as giving the controlled capability (foreign_access_days_equivalent).", .unit = "index", .min = 0, .max = 10});
    v("scopes", r.scopes, {.doc = "Subsets of users whose summary scalars are reported too, each written key=ids with keys region, nationality, segment, channel joined by ';' (e.g. region=india;segment=consumer,developer)."});
}

struct Scenario {
    std::string name;
    std::string description;
    int days = 0;
    std::string start_date;  // YYYY-MM-DD of day 0, or empty
    std::uint64_t seed = 1;
    double discount_rate = 0;
    Population population;
    std::vector<Region> regions;
    std::vector<Provider> providers;
    std::vector<Model> models;
    std::vector<CloudPartner> cloud_partners;
    std::vector<Segment> segments;
    Enterprises enterprises;
    Subscriptions subscriptions;
    Circumvention circumvention;
    Verification verification;
    Directive directive;
    Regulator regulator;
    Reporting reporting;
};
template <class V>
void describe(V& v, Scenario& s) {
    v("name", s.name, {.doc = "Short name of the scenario."});
    v("description", s.description, {.doc = "The question the scenario answers."});
    v("days", s.days, {.doc = "Simulated horizon.", .unit = "days", .min = 1, .max = 3650, .required = true});
    v("start_date", s.start_date,
      {.doc = "Calendar date of day 0 (YYYY-MM-DD); results then carry dates beside day indices (empty = day indices only).",
       .format = "date"});
    v("seed", s.seed, {.doc = "Base seed of every random stream.", .min = 0});
    v("discount_rate", s.discount_rate, {.doc = "Annual rate for discounted revenue.", .unit = "per year", .min = 0, .max = 1});
    v("population", s.population, {.doc = "Size of the simulated population.", .required = true});
    v("regions", s.regions, {.doc = "Regions of residence.", .required = true});
    v("providers", s.providers, {.doc = "Model providers.", .required = true});
    v("models", s.models, {.doc = "Models users can choose from.", .required = true});
    v("cloud_partners", s.cloud_partners, {.doc = "Cloud platforms that resell models to enterprises and API users."});
    v("segments", s.segments, {.doc = "Individual user segments and their behaviour.", .required = true});
    v("enterprises", s.enterprises, {.doc = "Enterprises and their employees.", .required = true});
    v("subscriptions", s.subscriptions, {.doc = "How subscription plans lapse."});
    v("circumvention", s.circumvention, {.doc = "How users take up circumvention of location gates, and how the provider detects it."});
    v("verification", s.verification, {.doc = "Identity verification process under nationality gates.", .required = true});
    v("directive", s.directive, {.doc = "The export-control order and the provider's staged response."});
    v("regulator", s.regulator, {.doc = "Negotiation, enforcement, escalation and other jurisdictions."});
    v("reporting", s.reporting, {.doc = "Extra outputs: equivalent capability and scoped summaries."});
}

// A consistency problem that no single field's range can express, located by key path.
struct ScenarioIssue {
    std::string key_path;
    std::string message;
};

// Whether text is a calendar date YYYY-MM-DD (proleptic Gregorian, years 1000-9999).
bool is_calendar_date(std::string_view text);

// Cross-field checks (shares sum to one, references resolve, ...). Empty when consistent.
std::vector<ScenarioIssue> check_consistency(const Scenario& s);

// Index of an entity by id, or -1.
template <class T>
int index_of(const std::vector<T>& items, std::string_view id) {
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].id == id) return static_cast<int>(i);
    return -1;
}

}  // namespace gatesim

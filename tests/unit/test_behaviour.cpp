// Behavioural statements about the model, each one falsifiable on a small population.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "model/world.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::size_t model(const Scenario& s, const char* id) { return static_cast<std::size_t>(index_of(s.models, id)); }
std::size_t last_day(const Scenario& s) { return static_cast<std::size_t>(s.days - 1); }

// Foreign nationals using a model on a day.
double foreign_users(const Results& r, std::size_t day, std::size_t m) {
    return r.series_named("users_by_model_and_nationality").at(day, m * 2 + 1);
}

using test::enterprises;
using test::total;

// Plans cleared, for worlds whose segments are replaced.
std::vector<std::string> no_plans(const Scenario& s) {
    std::vector<std::string> out;
    for (const auto& p : s.providers)
        for (const auto& plan : p.plans) out.push_back("providers." + p.id + ".plans." + plan.id + "=null");
    return out;
}

// Every individual API user on the direct API.
std::vector<std::string> no_cloud_api(const Scenario& s) {
    std::vector<std::string> out;
    for (const auto& p : s.providers)
        for (const auto& [partner, share] : p.cloud_mix.api) out.push_back("providers." + p.id + ".cloud_mix.api." + partner + "=0");
    return out;
}

const std::vector<std::string> no_enterprises{"enterprises.agents=0"};

const std::vector<std::string> never_lifted{"regulator.decision_after_days=never"};
const std::vector<std::string> perfect_verification{"verification.false_accept=0", "verification.human_false_accept=0",
                                                    "enterprises.attestation_error=0"};

// global_shutdown, never lifted, without enterprises or plans, whose users are one API segment of
// equal dependency on the direct API: utility is capability alone (weight 5), so switchers'
// shares among alternatives are softmax(5 x capability).
Scenario one_api_segment(int agents, double patience_days, double impatience_growth) {
    auto s = test::heavy("global_shutdown", never_lifted + no_enterprises, agents);
    s = test::with(s, no_plans(s) + no_cloud_api(s));
    std::string segments = "segments={";
    for (const auto& g : s.segments) segments += g.id + ": null, ";
    segments += "only: {user_share: 1, channel: api, tasks_per_day: 1, value_per_task: 1, tokens_per_task: 1, patience_days: " +
                std::to_string(patience_days) + ", impatience_growth: " + std::to_string(impatience_growth) +
                ", capability_weight: 5, price_weight: 0, provider_loyalty: 0, switching_cost: 0, "
                "return_probability: 0, return_half_life_days: 10, quality_gap_weight: 0, verification_uptake: 0, "
                "false_attestation: 0, vpn_multiplier: 0, adoption_days: 0}}";
    s = test::with(s, {segments});
    REQUIRE(s.segments.size() == 1);
    return s;
}

}  // namespace

// ---- Global shutdown: waiting, switching and returning ----------------------------------------

TEST_CASE("with no restore and no patience, every user of a shut-down model ends on an alternative") {
    auto s = test::heavy("global_shutdown", never_lifted + std::vector<std::string>{"enterprises.integration_days=0"});
    s = test::with(s, test::all_segments(s, "patience_days", "0"));
    const auto r = test::run(s);
    CHECK(r.series_named("waiting").at(last_day(s)) == 0);
    CHECK(r.series_named("switched").at(last_day(s)) == Approx(r.scalar("affected_users")));
    // Still blocked, so none of them could come back: no churn yet, and no share of it.
    CHECK(r.scalar("still_blocked_at_horizon") == Approx(r.scalar("affected_users")));
    CHECK(r.scalar("churn_at_horizon") == 0);
    CHECK(std::isnan(r.scalar("churn_share")));
    for (const auto& id : s.directive.models) CHECK(r.series_named("users_by_model").at(last_day(s), model(s, id.c_str())) == 0);
}

TEST_CASE("with the response removed, the run equals the order alone, and the order alone equals the baseline") {
    const auto order = test::run(test::small("order"));
    const auto removed = test::run(test::small("global_shutdown", {"directive.stages={shutdown: null}"}));
    const auto baseline = test::run(test::small("baseline"));
    REQUIRE(order.series.size() == removed.series.size());
    REQUIRE(baseline.series.size() == removed.series.size());
    for (std::size_t i = 0; i < order.series.size(); ++i) {
        const auto& name = order.series[i].name;
        const auto& a = order.series[i].values;
        const auto& b = removed.series[i].values;
        const auto& c = baseline.series[i].values;
        INFO(name);
        REQUIRE(a.size() == b.size());
        CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
        // The order names models, whose foreign users are counted; the baseline names none.
        if (name.find("foreign_access") == std::string::npos) CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(double)) == 0);
    }
    // Without a directive the scenario is its own counterfactual: a full simulation of every
    // day and the stationary counterfactual agree exactly.
    for (const char* name : {"delta_users_by_model", "delta_revenue_by_provider", "delta_value_delivered"})
        for (double v : removed.series_named(name).values) REQUIRE(v == 0);
    CHECK(removed.scalar("peak_blocked") == 0);
    CHECK(removed.scalar("churn_at_horizon") == 0);
    CHECK(removed.scalar("cumulative_value_lost") == 0);
}

TEST_CASE("a world where nothing restricts anyone repeats day 0, as a full simulation shows") {
    // The counterfactual is computed once and repeated. A directive whose only stage never
    // starts forces a day-by-day simulation of the same unrestricted world, so the paired
    // deltas (full simulation minus repeated day 0) must be exactly zero.
    const auto r = test::run(test::small("baseline", {"directive.models=[a_frontier]", "regulator.decision_after_days=never",
                                                      "directive.stages={dormant: {trigger: regulator_decision, rule: global_shutdown}}"}));
    CHECK(std::isnan(r.scalar("first_stage_day")));
    for (const char* name : {"delta_users_by_model", "delta_revenue_by_provider", "delta_value_delivered"})
        for (double v : r.series_named(name).values) REQUIRE(v == 0);
    const auto baseline = test::run(test::small("baseline"));
    for (const char* name : {"users_by_model", "value_delivered", "revenue_by_provider", "enterprises_by_state"}) {
        const auto& a = baseline.series_named(name).values;
        const auto& b = r.series_named(name).values;
        INFO(name);
        REQUIRE(a.size() == b.size());
        CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
    }
}

TEST_CASE("a longer outage never gives less churn") {
    const auto s = test::heavy("global_shutdown");
    double previous = -1;
    for (const char* days : {"0", "5", "10", "20", "40", "80", "160"}) {
        const auto r = test::run(test::with(s, {std::string("regulator.decision_after_days=") + days}));
        const double churn = r.scalar("churn_at_horizon");
        INFO("lifted after " << days << " days: churn " << churn);
        CHECK(churn >= previous);
        previous = churn;
    }
    CHECK(previous > 0);
}

TEST_CASE("patient users wait; impatient users switch at once") {
    auto s = test::heavy("global_shutdown", never_lifted + no_enterprises);
    const auto impatient = test::run(test::with(s, test::all_segments(s, "patience_days", "0")));
    const auto patient = test::run(test::with(s, test::all_segments(s, "patience_days", "365") + test::all_segments(s, "impatience_growth", "0")));
    const auto day = static_cast<std::size_t>(s.directive.stages[0].day + 1);
    CHECK(impatient.series_named("waiting").at(day) == 0);
    CHECK(patient.series_named("waiting").at(day) > 0.9 * patient.scalar("affected_users"));
}

TEST_CASE("beliefs firm up: impatience growth makes blocked users switch sooner") {
    auto s = test::heavy("global_shutdown", never_lifted + no_enterprises);
    const auto steady = test::run(test::with(s, test::all_segments(s, "impatience_growth", "0")));
    const auto firming = test::run(test::with(s, test::all_segments(s, "impatience_growth", "0.5")));
    const auto day = static_cast<std::size_t>(s.directive.stages[0].day + 10);
    CHECK(firming.series_named("waiting").at(day) < 0.8 * steady.series_named("waiting").at(day));
}

TEST_CASE("waiting users switch as the closed form of a hazard that grows with time and news") {
    // One api segment whose users all have the same dependency (1): the switching rate on the
    // k-th day blocked (k = 0 on the block day) is (1 + g k) / patience times the news multiplier,
    // so the share still waiting at the end of that day is exp(-(the rates through it)), however
    // the engine draws it (an exponential clock per waiting spell).
    const double patience = 10, g = 0.1, multiplier = 3;
    auto s = one_api_segment(30000, patience, g);
    const auto waiting = [](const Results& r, std::size_t day) { return r.series_named("waiting").at(day) / r.series_named("blocked").at(day); };
    const auto first_blocked = [](const Results& r) {
        std::size_t day = 0;
        while (r.series_named("blocked").at(day) == 0) ++day;
        return day;
    };
    const std::size_t block = first_blocked(test::run(s));
    // News from five days after the block multiplies the rate by 3 (and the order's talks are left out).
    s = test::with(s, {"regulator.news={talks: null, no_deal: {day: " + std::to_string(block + 5) + ", hazard_multiplier: 3}}"});
    REQUIRE(s.regulator.news.size() == 1);
    const auto r = test::run(s);
    REQUIRE(first_blocked(r) == block);
    double rates = 0;
    for (std::size_t k = 0; k < 20; ++k) {
        rates += (1 + g * static_cast<double>(k)) / patience * (k >= 5 ? multiplier : 1.0);
        INFO("day " << k << " of the block");
        // About 12,000 blocked users: the standard error of a share is below 0.005.
        CHECK(waiting(r, block + k) == Approx(std::exp(-rates)).margin(0.015));
    }
}

TEST_CASE("returns decay with time away and match the closed form") {
    auto s = test::heavy("global_shutdown", no_enterprises, 20000);
    s = test::with(s, test::all_segments(s, "patience_days", "0") + test::all_segments(s, "quality_gap_weight", "0"));
    auto returned_share = [&](int away, double* expected) {
        const auto r = test::run(test::with(s, {"regulator.decision_after_days=" + std::to_string(away)}));
        // Everyone switched on the block day; the share returning is return_probability x
        // 2^(-away / half_life), averaged over segments weighted by who was blocked.
        const auto& blocked = r.series_named("users_blocked");
        const auto first = static_cast<std::size_t>(r.scalar("first_stage_day"));
        const std::size_t segments = s.segments.size();
        double weight = 0, sum = 0;
        for (std::size_t c = 0; c < blocked.width(); ++c) {
            const Segment& g = s.segments[(c / 3) % segments];
            const double b = blocked.at(first, c);
            weight += b;
            sum += b * g.return_probability * std::exp2(-away / g.return_half_life_days);
        }
        *expected = sum / weight;
        return r.series_named("returned").at(last_day(s)) / r.scalar("affected_users");
    };
    double expected_quick = 0, expected_slow = 0;
    const double quick = returned_share(5, &expected_quick), slow = returned_share(100, &expected_slow);
    CHECK(quick > slow);
    CHECK(quick == Approx(expected_quick).margin(0.02));
    CHECK(slow == Approx(expected_slow).margin(0.02));
}

TEST_CASE("a better home model pulls more switchers back") {
    auto s = test::heavy("global_shutdown", no_enterprises);
    s = test::with(s, test::all_segments(s, "patience_days", "0"));
    const auto flat = test::run(test::with(s, test::all_segments(s, "quality_gap_weight", "0")));
    const auto pull = test::run(test::with(s, test::all_segments(s, "quality_gap_weight", "20")));
    CHECK(pull.series_named("returned").at(last_day(s)) > flat.series_named("returned").at(last_day(s)));
}

// ---- Repeated return -------------------------------------------------------------------------

namespace {

// Everyone switches on the block day, decides never to return on the reopening day, and from
// then on reconsiders with the segment's return_hazard.
Scenario reconsidering(const std::vector<std::string>& more, int away, int agents = 20000) {
    auto s = test::heavy("global_shutdown", no_enterprises, agents);
    return test::with(s, test::all_segments(s, "patience_days", "0") + test::all_segments(s, "return_probability", "0") +
                             std::vector<std::string>{"regulator.decision_after_days=" + std::to_string(away),
                                                      "days=" + std::to_string(away + 120)} + more);
}

// The first day after the block on which nobody is blocked: the reopening day.
std::size_t reopening_day(const Results& r) {
    for (auto d = static_cast<std::size_t>(r.scalar("first_stage_day")) + 1; d < r.series_named("blocked").days(); ++d)
        if (r.series_named("blocked").at(d) == 0) return d;
    return 0;
}

// Of the users who left, the share back home on a day.
double back_home(const Results& r, std::size_t day) {
    const double back = r.series_named("returned").at(day), away = r.series_named("switched").at(day);
    return back / (back + away);
}

}  // namespace

TEST_CASE("a constant return hazard brings users back as 1 - (1 - h)^t") {
    const double h = 0.05;
    auto s = reconsidering({}, 30);
    s = test::with(s, test::all_segments(s, "return_hazard", "0.05") + test::all_segments(s, "quality_gap_weight", "0"));
    const auto r = test::run(s);
    const std::size_t reopen = reopening_day(r);
    REQUIRE(reopen > 0);
    CHECK(r.series_named("returned").at(reopen) == 0);  // the first decision never returns (return_probability 0)
    // Each day after the reopening is one Bernoulli(h) draw per user. About 1,000 lab_a users
    // left: the binomial standard error of a share is below sqrt(0.25 / 1000) = 0.016, so 0.05
    // is three of them.
    for (int t : {1, 10, 40, 80}) CHECK(back_home(r, reopen + static_cast<std::size_t>(t)) == Approx(1 - std::pow(1 - h, t)).margin(0.05));
}

TEST_CASE("with no return hazard, a churned user never reconsiders (the model before repeated return)") {
    const auto r = test::run(reconsidering({}, 30, 6000));
    const std::size_t reopen = reopening_day(r);
    CHECK(r.series_named("returned").at(reopen + 80) == 0);
}

TEST_CASE("after a long gate, most come back when the alternative is much worse and going back cheap, few in the reverse") {
    auto s = reconsidering({}, 300, 8000);
    s = test::with(s, test::all_segments(s, "return_hazard", "0.02") + test::all_segments(s, "habit_days", "60"));
    std::vector<std::string> worse;
    for (const char* m : {"b_flagship", "c_flagship", "f_flagship", "open_large", "a_legacy"}) worse.push_back(std::string("models.") + m + ".capability=0.4");
    const auto pulled = test::run(test::with(s, worse + test::all_segments(s, "switch_back_cost", "0") + test::all_segments(s, "habit_weight", "0.5")));
    const auto held = test::run(test::with(s, test::all_segments(s, "switch_back_cost", "2") + test::all_segments(s, "habit_weight", "2")));
    const std::size_t reopen = reopening_day(pulled);
    REQUIRE(reopen == reopening_day(held));
    const std::size_t later = reopen + 60;
    CHECK(back_home(pulled, later) > 0.8);
    CHECK(back_home(held, later) < 0.2);
}

// ---- Enterprises migrating back ----------------------------------------------------------------

namespace {

// No fallbacks and a five-day integration: every disrupted enterprise migrates within the
// 60-day shutdown; from the reopening on, migrated ones weigh migrating back.
Scenario migrating(const std::vector<std::string>& more) {
    return test::heavy("global_shutdown",
                       std::vector<std::string>{"enterprises.agents=3000", "enterprises.multi_homed_share=0", "enterprises.integration_days=5",
                                                "regulator.decision_after_days=60", "days=200"} + more, 2400);
}

// The last day of the shutdown (the day before migrated enterprises may migrate back).
std::size_t last_disrupted_day(const Results& r) {
    const auto& blocked = r.series_named("blocked");
    std::size_t last = 0;
    for (std::size_t d = 0; d < blocked.days(); ++d)
        if (blocked.at(d) > 0) last = d;
    return last;
}

// Of the enterprises migrated when access came back, the share back on their primary `t` days later.
double migrated_back(const Results& r, std::size_t t) {
    const std::size_t before = last_disrupted_day(r);  // migrations completed; no return decision yet
    return 1 - enterprises(r, before + t, EnterpriseState::migrated) / enterprises(r, before, EnterpriseState::migrated);
}

}  // namespace

TEST_CASE("with no enterprise return hazard, a migration is never reversed") {
    const auto r = test::run(migrating({"enterprises.return_capability_weight=5"}));
    const std::size_t before = last_disrupted_day(r);
    REQUIRE(enterprises(r, before, EnterpriseState::migrated) > 0);
    CHECK(enterprises(r, before + 100, EnterpriseState::migrated) == enterprises(r, before + 1, EnterpriseState::migrated));
}

TEST_CASE("a constant enterprise return hazard brings migrated enterprises back as 1 - (1 - h)^t") {
    const double h = 0.03;
    const auto r = test::run(migrating({"enterprises.return_hazard=0.03"}));
    const std::size_t before = last_disrupted_day(r);
    const double weight = total(r, "enterprises_by_state", 0) / 3000;  // equal weights
    const double n = enterprises(r, before, EnterpriseState::migrated) / weight;
    INFO("migrated enterprise agents: " << n);
    // Each day is one Bernoulli(h) draw per migrated enterprise: the share back after t days has a
    // binomial standard error below sqrt(0.25 / n); the margin is four of them.
    REQUIRE(n > 300);
    const double margin = 4 * std::sqrt(0.25 / n);
    for (std::size_t t : {1u, 10u, 30u, 80u}) {
        INFO("t = " << t);
        CHECK(migrated_back(r, t) == Approx(1 - std::pow(1 - h, static_cast<double>(t))).margin(margin));
    }
}

TEST_CASE("more enterprises migrate back when the primary is much better and sunk cost weighs little, fewer in the reverse") {
    const std::vector<std::string> common{"enterprises.return_hazard=0.02", "enterprises.return_habit_days=30"};
    std::vector<std::string> worse;
    for (const char* m : {"b_flagship", "c_flagship", "f_flagship", "open_large", "a_legacy"}) worse.push_back(std::string("models.") + m + ".capability=0.4");
    const auto pulled = test::run(migrating(common + worse + std::vector<std::string>{"enterprises.return_capability_weight=5", "enterprises.sunk_cost_weight=0"}));
    const auto held = test::run(migrating(common + std::vector<std::string>{"enterprises.sunk_cost_weight=10", "enterprises.return_habit_weight=2"}));
    const auto neutral = test::run(migrating(common));
    const std::size_t t = 60;
    CHECK(migrated_back(pulled, t) > 0.9);
    CHECK(migrated_back(held, t) < 0.1);
    CHECK(migrated_back(pulled, t) > migrated_back(neutral, t));
    CHECK(migrated_back(held, t) < migrated_back(neutral, t));
    // Migrating back is engineering work, booked as migration cost.
    CHECK(pulled.scalar("migration_cost") > held.scalar("migration_cost"));
}

// ---- Anticipation ----------------------------------------------------------------------------

namespace {

// Users on an alternative (switched or churned) on a day.
double on_alternatives(const Results& r, std::size_t day) { return r.series_named("switched").at(day); }

}  // namespace

TEST_CASE("crisis news alone moves some users off the models at risk, fewer than a block does") {
    auto s = test::heavy("order", no_enterprises + never_lifted, 8000);
    s = test::with(s, test::all_segments(s, "anticipation_rate", "0.05"));
    const auto crisis = test::run(test::with(s, {"regulator.news.crisis={day: 20, risk: 0.3, belief_half_life_days: 10}"}));
    const auto block = test::run(test::with(s, {"directive.stages={shutdown: {trigger: day, day: 20, rule: global_shutdown}}"}));
    const std::size_t later = 60;
    for (double b : crisis.series_named("blocked").values) REQUIRE(b == 0);  // no access changed
    CHECK(on_alternatives(crisis, 19) == 0);
    CHECK(on_alternatives(crisis, later) > 0);
    CHECK(on_alternatives(crisis, later) < 0.5 * on_alternatives(block, later));
    // Nobody leaves for another model at risk: the order's models lose users, none gain them.
    const auto frontier = model(s, "a_frontier"), frontier_max = model(s, "a_frontier_max");
    const auto& by_model = crisis.series_named("users_by_model");
    CHECK(by_model.at(later, frontier) < by_model.at(19, frontier));
    CHECK(by_model.at(later, frontier_max) < by_model.at(19, frontier_max));
}

TEST_CASE("a warning moves users before the block day, a stronger one more") {
    auto s = test::heavy("global_shutdown", no_enterprises, 8000);
    s = test::with(s, test::all_segments(s, "anticipation_rate", "0.05"));
    const auto quiet = test::run(s);
    const auto warned = test::run(test::with(s, {"regulator.news.warning={day: 3, risk: 0.6}"}));
    const auto loud = test::run(test::with(s, {"regulator.news.warning={day: 3, risk: 1.0}"}));
    const auto block = static_cast<std::size_t>(quiet.scalar("first_stage_day"));
    REQUIRE(block == 14);
    CHECK(on_alternatives(quiet, block - 1) == 0);
    CHECK(on_alternatives(warned, block - 1) > 0);
    CHECK(on_alternatives(loud, block - 1) > on_alternatives(warned, block - 1));
    CHECK(warned.series_named("waiting").at(block) < quiet.series_named("waiting").at(block));  // those who left do not wait
}

TEST_CASE("new mechanisms at their neutral settings give exactly today's results") {
    // Return hazards 0 (users and enterprises, whatever their weights), anticipation rate 0, imitation 0, no compliance relief, and news with a
    // risk that moves nobody: the users on the models at risk then leave the fast path, and
    // must still be computed the same way. Detection and circumvention costs only act when
    // circumvention is adopted, so under a fence they change nothing either.
    for (const char* name : {"global_shutdown", "geo_fence"}) {
        INFO(name);
        const auto s = test::small(name, {}, 4000);
        const auto today = test::run(s);
        const auto neutral = test::run(test::with(
            s, test::all_segments(s, "return_hazard", "0") + test::all_segments(s, "anticipation_rate", "0") + test::all_segments(s, "imitation", "0") +
                   std::vector<std::string>{"regulator.news.warning={day: 3, risk: 0.8}", "circumvention.adoption=false",
                                            "enterprises.return_hazard=0", "enterprises.return_capability_weight=5",
                                            "enterprises.sunk_cost_weight=2", "enterprises.return_habit_weight=1",
                                            "circumvention.detection_daily=0.5", "regions.india.circumvention_cost=3",
                                            "regulator.compliance_relief.gate_rate=0", "regulator.compliance_relief.coverage_rate=0",
                                            "enterprises.anticipation_rate=0", "enterprises.load_shift_share=0",
                                            "enterprises.fallback_adoption_probability=0",
                                            // No false flag and, without adoption, no caught circumventor: appeals act on nobody.
                                            "circumvention.false_flag_daily=0", "circumvention.appeal_probability=0.7",
                                            "circumvention.appeal_success=0.3", "circumvention.appeal_success_caught=0.9",
                                            "circumvention.appeal_review_days=3"}));
        // The same users on the same days; the news takes the users at risk out of their
        // blocks' settled sums (users.hpp), so daily tallies add them up in another grouping and
        // agree to rounding.
        REQUIRE(today.series.size() == neutral.series.size());
        for (std::size_t i = 0; i < today.series.size(); ++i) {
            INFO(today.series[i].name);
            const auto& a = today.series[i].values;
            const auto& b = neutral.series[i].values;
            REQUIRE(a.size() == b.size());
            for (std::size_t k = 0; k < a.size(); ++k)
                REQUIRE((std::abs(a[k] - b[k]) <= 1e-12 * std::max(std::abs(a[k]), std::abs(b[k])) || (std::isnan(a[k]) && std::isnan(b[k]))));
        }
        REQUIRE(today.scalars.size() == neutral.scalars.size());
        for (std::size_t i = 0; i < today.scalars.size(); ++i) {
            INFO(today.scalars[i].name);
            const double a = today.scalars[i].value, b = neutral.scalars[i].value;
            CHECK((a == b || (std::isnan(a) && std::isnan(b))));
        }
    }
}

TEST_CASE("logit shares of switchers match the closed form") {
    auto s = one_api_segment(60000, 0, 0);
    s = test::with(s, {"providers.lab_b.promotion=never", "providers.lab_c.promotion=never", "providers.lab_f.promotion=never"});
    const auto r = test::run(s);
    double denominator = 0;
    for (const auto& m : s.models)
        if (std::find(s.directive.models.begin(), s.directive.models.end(), m.id) == s.directive.models.end())
            denominator += std::exp(5 * m.capability);
    for (const char* id : {"a_legacy", "b_flagship", "f_flagship", "open_large"}) {
        const auto m = model(s, id);
        const double gained = r.series_named("delta_users_by_model").at(last_day(s), m);
        INFO(id);
        CHECK(gained / r.scalar("affected_users") == Approx(std::exp(5 * s.models[m].capability) / denominator).margin(0.02));
    }
}

TEST_CASE("promotions raise switching to the promoting competitor") {
    auto s = test::heavy("global_shutdown", never_lifted);
    const auto plain = test::run(test::with(s, {"providers.lab_c.promotion=never"}));
    const auto promoted = test::run(test::with(s, {"providers.lab_c.promotion={start_after_directive_days: 0, duration_days: 200, utility: 1.5}"}));
    const auto c = model(s, "c_flagship");
    CHECK(promoted.series_named("delta_users_by_model").at(last_day(s), c) >
          1.3 * plain.series_named("delta_users_by_model").at(last_day(s), c));
}

TEST_CASE("a competitor at capacity turns part of the surge away") {
    // Individual switchers only: enterprises' fail-overs are contracted and bypass the limit.
    auto s = test::heavy("global_shutdown", never_lifted + no_enterprises);
    const auto open = test::run(s);
    const auto b = model(s, "b_flagship");
    const double before = open.series_named("users_by_model").at(10, b);
    const auto limited = test::run(test::with(s, {"models.b_flagship.capacity_users=" + std::to_string(before * 1.02)}));
    const auto& turned = limited.series_named("turned_away");
    double turned_total = 0;
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) {
        turned_total += turned.at(d, b);
        // Admission never pushes the model past its capacity.
        REQUIRE(limited.series_named("users_by_model").at(d, b) <= before * 1.02 * (1 + 1e-12));
    }
    CHECK(turned_total > 0);
    CHECK(open.series_named("users_by_model").at(last_day(s), b) > before * 1.05);
}

TEST_CASE("a provider that does not serve a region is no alternative there") {
    // lab_b absent from europe: Europeans blocked from lab_a's models never move to it, others do.
    const auto s = test::heavy("global_shutdown", never_lifted + std::vector<std::string>{"regions.europe.provider_weights.lab_b=0"});
    const auto r = test::run(s);
    const auto& by_region = r.series_named("users_by_model_region_and_segment");
    const std::size_t regions = s.regions.size(), segments = s.segments.size(), b = model(s, "b_flagship");
    const auto europe = static_cast<std::size_t>(index_of(s.regions, "europe")), us = static_cast<std::size_t>(index_of(s.regions, "us"));
    auto users = [&](std::size_t d, std::size_t region) {
        double total = 0;
        for (std::size_t g = 0; g < segments; ++g) total += by_region.at(d, (b * regions + region) * segments + g);
        return total;
    };
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) REQUIRE(users(d, europe) == 0);
    CHECK(users(last_day(s), us) > users(0, us));
    const auto& flows = r.series_named("switching_flows");
    double into_b = 0;
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) into_b += flows.at(d, model(s, "a_frontier") * s.models.size() + b);
    CHECK(into_b > 0);
}

// ---- Access rules ------------------------------------------------------------------------------

TEST_CASE("perfect verification gives zero foreign-national access-days while the order holds") {
    const auto r = test::run(test::heavy("nationality_gate", perfect_verification + never_lifted));
    CHECK(r.scalar("foreign_access_days") == 0);
    CHECK(r.scalar("foreign_access_days_counterfactual") > 0);
    CHECK(r.scalar("foreign_access_days_prevented") == r.scalar("foreign_access_days_counterfactual"));
    CHECK(r.scalar("prevented_share") == 1);
    CHECK(r.scalar("verification_checks") > 0);
    // Once the order is lifted, access resumes by the unrestricted route, and only by it.
    const auto lifted = test::run(test::heavy("nationality_gate", perfect_verification));
    CHECK(lifted.scalar("foreign_access_days_unrestricted") > 0);
    CHECK(lifted.scalar("foreign_access_days") == lifted.scalar("foreign_access_days_unrestricted"));
}

TEST_CASE("imperfect verification and attestation leak, through the routes they open") {
    const auto r = test::run(test::heavy("nationality_gate", {"verification.false_accept=0.5", "enterprises.attestation_error=0.5"}, 20000));
    CHECK(r.scalar("foreign_access_days_false_accept") > 0);
    CHECK(r.scalar("foreign_access_days_exemption") > 0);
    CHECK(r.scalar("foreign_access_days_circumvention") == 0);
    CHECK(r.scalar("false_accepts") > 0);
}

TEST_CASE("a geo-fence leaves foreign nationals resident in the US with access, and VPNs leak") {
    const auto r = test::run(test::heavy("geo_fence"));
    CHECK(r.scalar("foreign_access_days_permitted") > 0);
    CHECK(r.scalar("leakage_share") > 0);
    CHECK(r.scalar("foreign_access_days_circumvention") > 0);
    // Without VPNs, circumvention disappears; residence leakage stays.
    auto s = test::heavy("geo_fence");
    std::vector<std::string> no_vpn;
    for (const auto& region : s.regions) no_vpn.push_back("regions." + region.id + ".vpn_propensity=0");
    const auto fenced = test::run(test::with(s, no_vpn));
    CHECK(fenced.scalar("foreign_access_days_circumvention") == 0);
    CHECK(fenced.scalar("foreign_access_days_permitted") > 0);
}

// ---- Circumvention as adoption ---------------------------------------------------------------

namespace {

Scenario adopting(const std::vector<std::string>& more) {
    auto s = test::heavy("geo_fence", never_lifted, 8000);
    return test::with(s, std::vector<std::string>{"circumvention.adoption=true", "circumvention.awareness_peak=0.05",
                                                  "circumvention.awareness_peak_days=5", "circumvention.contagion=0.5"} + more);
}

}  // namespace

TEST_CASE("circumvention is taken up after the block, never beyond those with a propensity") {
    const auto adopted = test::run(adopting({}));
    const auto flagged = test::run(test::with(adopting({}), {"circumvention.adoption=false"}));
    const auto& a = adopted.series_named("circumventing");
    const auto& f = flagged.series_named("circumventing");
    const auto block = static_cast<std::size_t>(adopted.scalar("first_stage_day"));
    REQUIRE(block == 14);
    CHECK(a.at(block - 1) == 0);
    // Flagged users pass from the first day; adopters come later, as awareness and word of mouth spread.
    CHECK(f.at(block) > 0);
    CHECK(a.at(block) < 0.2 * f.at(block));
    CHECK(a.at(block + 3) > a.at(block));
    CHECK(a.at(block + 20) > a.at(block + 3));
    for (std::size_t d = 0; d < a.days(); ++d) CHECK(a.at(d) <= f.at(d) * (1 + 1e-12));
    CHECK(adopted.scalar("foreign_access_days_circumvention") < flagged.scalar("foreign_access_days_circumvention"));
}

TEST_CASE("where circumvention costs more, fewer take it up") {
    auto s = adopting({});
    std::vector<std::string> costly;
    for (const auto& region : s.regions) costly.push_back("regions." + region.id + ".circumvention_cost=2");
    const auto cheap = test::run(s), dear = test::run(test::with(s, costly));
    CHECK(dear.series_named("circumventing").at(40) < 0.6 * cheap.series_named("circumventing").at(40));
}

TEST_CASE("awareness alone gives an uptake that rises and fades; detection lowers leakage") {
    // Without contagion the daily uptake rate is the awareness curve, peaking at awareness_peak_days.
    const auto r = test::run(adopting({"circumvention.contagion=0", "circumvention.detection_daily=0"}));
    const auto caught = test::run(adopting({"circumvention.contagion=0", "circumvention.detection_daily=0.05"}));
    const auto& a = r.series_named("circumventing");
    const std::size_t block = 14;
    const double early = a.at(block + 5) - a.at(block), late = a.at(block + 45) - a.at(block + 40);
    CHECK(early > 3 * late);  // the flow of new circumventors fades with awareness
    CHECK(caught.series_named("circumvention_detected").at(block + 20) > 0);
    for (double v : r.series_named("circumvention_detected").values) REQUIRE(v == 0);
    CHECK(caught.scalar("foreign_access_days_circumvention") < 0.8 * r.scalar("foreign_access_days_circumvention"));
}

TEST_CASE("industry-wide gating sends no foreign national to a US competitor") {
    const auto gate = test::heavy("nationality_gate", perfect_verification + never_lifted);
    const auto wide = test::heavy("industry_wide", perfect_verification + never_lifted);
    const auto one = test::run(gate), all = test::run(wide);
    const auto first = static_cast<std::size_t>(all.scalar("first_stage_day"));
    for (const char* id : {"b_flagship", "c_flagship"}) {
        const auto m = model(wide, id);
        INFO(id);
        // Gated everywhere: no foreign national reaches the competitor's frontier model at all...
        for (std::size_t d = first; d < static_cast<std::size_t>(wide.days); ++d) REQUIRE(foreign_users(all, d, m) == 0);
        // ... whereas a gate on one provider sends foreign nationals to it.
        CHECK(foreign_users(one, last_day(gate), m) > foreign_users(one, first - 1, m));
    }
    CHECK(all.scalar("escalation_day") == all.scalar("first_stage_day"));
}

TEST_CASE("zero verification capacity keeps US persons blocked until capacity arrives") {
    auto s = test::heavy("nationality_gate", no_enterprises + never_lifted);
    const auto none = test::run(test::with(s, {"verification.capacity_per_day=0"}));
    const auto some = test::run(s);
    const auto& blocked_none = none.series_named("us_persons_blocked");
    const auto first = static_cast<std::size_t>(none.scalar("first_stage_day"));
    REQUIRE(blocked_none.at(first) > 0);
    for (std::size_t d = first; d < static_cast<std::size_t>(s.days); ++d) REQUIRE(blocked_none.at(d) == blocked_none.at(first));
    CHECK(none.scalar("verification_checks") == 0);
    // With capacity, those who apply and pass are let through (uptake and abandonment limit it).
    CHECK(some.series_named("us_persons_blocked").at(last_day(s)) < 0.9 * blocked_none.at(first));
    CHECK(some.scalar("verification_checks") > 0);

    // A slow ramp delays the first verifications.
    const auto ramped = test::run(test::with(s, {"verification.ramp_days=60", "verification.capacity_per_day=1e6"}));
    const auto& outcomes = ramped.series_named("verification");
    const std::size_t verified = 5;  // verification axis: queue, in_review, checks, human_reviews, applied, verified_us_person, ...
    CHECK(outcomes.at(first, verified) == 0);
    double total_verified = 0;
    for (std::size_t d = first; d < static_cast<std::size_t>(s.days); ++d) total_verified += outcomes.at(d, verified);
    CHECK(total_verified > 0);
}

TEST_CASE("false rejections block US persons for good when retries are not allowed") {
    auto s = test::heavy("nationality_gate", no_enterprises + never_lifted);
    const auto strict = test::run(test::with(s, {"verification.false_reject=0.5", "verification.retries=0"}));
    const auto lenient = test::run(test::with(s, {"verification.false_reject=0.5", "verification.retries=5"}));
    CHECK(strict.scalar("false_rejects") > 0);
    CHECK(strict.series_named("us_persons_blocked").at(last_day(s)) > lenient.series_named("us_persons_blocked").at(last_day(s)));
}

TEST_CASE("phased reopening restores gated access only once coverage is reached") {
    const auto s = test::heavy("phased_reopening", never_lifted);
    const auto r = test::run(s);
    const auto us_blocked = r.series_named("us_persons_blocked");
    // The shutdown blocks more US persons than the API gate that follows it.
    CHECK(us_blocked.at(20) > us_blocked.at(60));
    const auto stuck = test::run(test::with(s, {"directive.stages.full_gate.coverage=1"}));
    CHECK(stuck.series_named("us_persons_blocked").at(last_day(s)) > us_blocked.at(last_day(s)));
}

TEST_CASE("vetted-only access serves vetted enterprises alone") {
    const auto s = test::heavy("vetted_partners");
    const auto r = test::run(s);
    const auto& blocked = r.series_named("users_blocked");
    CHECK(r.scalar("peak_blocked") > 0);
    // The consumer app is shut: every consumer-channel user of a controlled model is blocked.
    double consumer_blocked = 0;
    for (std::size_t c = 0; c < blocked.width(); c += 3) consumer_blocked += blocked.at(20, c);
    CHECK(consumer_blocked > 0);
    CHECK(r.scalar("foreign_access_days_permitted") > 0);  // vetted enterprises' foreign employees
}

TEST_CASE("pre-release review delays the successor's adoption") {
    const auto s = test::heavy("prerelease_review");
    const auto reviewed = test::run(s);
    const auto free = test::run(test::with(s, {"directive.prerelease_review_days=0"}));
    const auto next = model(s, "a_next");
    CHECK(reviewed.series_named("users_by_model").at(100, next) == 0);  // released on day 60 + 90
    CHECK(free.series_named("users_by_model").at(100, next) > 0);
    CHECK(reviewed.series_named("users_by_model").at(last_day(s), next) > 0);
}

TEST_CASE("adoption by innovation and imitation follows the closed-form Bass curve") {
    // The successor a_next is released on day 60 with no order in force. Bass (1969): with
    // innovation p and imitation q the adopted share F peaks in growth at t* = ln(q/p) / (p + q),
    // where F(t*) = 1/2 - p / (2q).
    const double p = 0.005, q = 0.05;
    auto s = test::heavy("prerelease_review", no_enterprises + std::vector<std::string>{"directive.stages={gate: null}",
                                                                                          "directive.prerelease_review_days=0"}, 20000);
    s = test::with(s, test::all_segments(s, "adoption_days", "200") + test::all_segments(s, "imitation", "0.05"));
    const auto r = test::run(s);
    const auto next = model(s, "a_next"), previous = model(s, "a_frontier_max");
    const auto& by_model = r.series_named("users_by_model");
    auto adopted = [&](std::size_t day) { return by_model.at(day, next) / (by_model.at(day, next) + by_model.at(day, previous)); };
    const std::size_t release = 60;
    REQUIRE(adopted(release - 1) == 0);
    const double t_star = std::log(q / p) / (p + q), f_star = 0.5 - p / (2 * q);
    // The day F crosses F(t*), interpolated; day release + k ends at t = k + 1.
    double crossing = -1;
    for (std::size_t d = release; d < by_model.days() && crossing < 0; ++d)
        if (adopted(d) >= f_star) crossing = static_cast<double>(d - release) + (f_star - adopted(d - 1)) / (adopted(d) - adopted(d - 1));
    REQUIRE(crossing > 0);
    // Tolerance from the agent count: n agents on the two models give F a standard error of
    // sqrt(F(1 - F) / n), i.e. SE / F'(t*) in time, with F'(t*) = (p + q)^2 / (4q); three of them,
    // plus the daily step: imitation reads yesterday's F, which delays the curve by 0.85 days
    // for these rates (the same daily recursion solved without noise); a 1-day allowance.
    const double weight = s.population.users / static_cast<double>(s.population.agents);
    const double n = by_model.at(release - 1, previous) / weight;
    REQUIRE(n > 1000);
    const double slope = (p + q) * (p + q) / (4 * q), se = std::sqrt(f_star * (1 - f_star) / n);
    const double step_delay = 1.0;
    CHECK(crossing == Approx(t_star).margin(3 * se / slope + step_delay));
    // The share adopted on the day nearest t*: the same sampling error, plus the step delay and
    // the half-day rounding times the slope.
    CHECK(adopted(release + static_cast<std::size_t>(std::lround(t_star)) - 1) == Approx(f_star).margin(3 * se + (step_delay + 0.5) * slope));
    // Imitation is what makes the S: without it the same p gives a concave curve, far below.
    const auto innovation_only = test::run(test::with(s, test::all_segments(s, "imitation", "0")));
    const auto& flat = innovation_only.series_named("users_by_model");
    const std::size_t late = release + 80;
    CHECK(flat.at(late, next) / (flat.at(late, next) + flat.at(late, previous)) < 0.5 * adopted(late));
}

TEST_CASE("the regulator relaxes the order for a provider that gates, not for one that shuts down") {
    const std::vector<std::string> relief{"regulator.decision_after_days=never", "regulator.compliance_relief.gate_rate=0.05"};
    const auto gated = test::run(test::small("nationality_gate", relief + no_enterprises, 2000));
    const auto shut = test::run(test::small("global_shutdown", relief + no_enterprises, 2000));
    const auto neutral = test::run(test::small("nationality_gate", never_lifted + no_enterprises, 2000));
    CHECK(std::isnan(neutral.scalar("decision_day")));
    CHECK(std::isnan(shut.scalar("decision_day")));  // a shutdown verifies nobody
    REQUIRE(!std::isnan(gated.scalar("decision_day")));
    CHECK(gated.scalar("decision_day") > gated.scalar("first_stage_day"));
    CHECK(gated.scalar("decision_day") < gated.scalar("first_stage_day") + 120);  // P(no decision in 120 days) = e^-6
    CHECK(gated.scalar("still_blocked_at_horizon") < neutral.scalar("still_blocked_at_horizon"));
}

// ---- Enterprises and cloud partners ------------------------------------------------------------

TEST_CASE("multi-homed enterprises fail over on the day of the block") {
    const auto s = test::heavy("global_shutdown", {"enterprises.multi_homed_share=1"});
    const auto r = test::run(s);
    const auto first = static_cast<std::size_t>(r.scalar("first_stage_day"));
    CHECK(enterprises(r, first - 1, EnterpriseState::failed_over) == 0);
    CHECK(enterprises(r, first, EnterpriseState::failed_over) > 0);
    CHECK(enterprises(r, first, EnterpriseState::waiting) == 0);
    const auto single = test::run(test::with(s, {"enterprises.multi_homed_share=0"}));
    CHECK(enterprises(single, first, EnterpriseState::waiting) > 0);
    CHECK(enterprises(single, first, EnterpriseState::failed_over) == 0);
}

TEST_CASE("waiting enterprises migrate once the expected outage outweighs integration work") {
    const auto s = test::heavy("global_shutdown", never_lifted + std::vector<std::string>{"enterprises.multi_homed_share=0"});
    const auto quick = test::run(test::with(s, {"enterprises.integration_days=2"}));
    const auto slow = test::run(test::with(s, {"enterprises.integration_days=300"}));
    CHECK(quick.scalar("enterprises_migrated") > 0);
    CHECK(slow.scalar("enterprises_migrated") == 0);
    CHECK(quick.scalar("migration_cost") > 0);
}

TEST_CASE("under a nationality gate, low-risk enterprises keep the model for attested US persons") {
    const auto s = test::heavy("nationality_gate", {"enterprises.attest_max_foreign_share=1", "enterprises.attestation_setup_days=3"});
    const auto r = test::run(s);
    const auto first = static_cast<std::size_t>(r.scalar("first_stage_day"));
    CHECK(enterprises(r, first, EnterpriseState::attestation_setup) > 0);
    CHECK(enterprises(r, first + 5, EnterpriseState::attesting) > 0);
    const auto moved = test::run(test::with(s, {"enterprises.attest_max_foreign_share=0"}));
    CHECK(enterprises(moved, first + 5, EnterpriseState::attesting) == 0);
}

TEST_CASE("revenue is conserved when everyone moves within one cloud partner") {
    // Every user works for an enterprise on cloud_x (whose models are lab_a's and open weights);
    // every model costs the same, the partner keeps the same share of each, nobody has a plan;
    // every enterprise fails over on the platform the day of the block.
    auto s = test::heavy("global_shutdown", never_lifted);
    std::vector<std::string> o{"enterprises.multi_homed_share=1", "providers.lab_a.cloud_mix.enterprise={cloud_x: 1, cloud_y: 0, cloud_z: 0}",
                               "providers.open_community.cloud_mix.enterprise={cloud_x: 1, cloud_y: 0, cloud_z: 0}",
                               "cloud_partners.cloud_x.revenue_share_by_provider={open_community: null}"};
    for (const auto& g : s.segments) o.push_back("segments." + g.id + ".user_share=" + (g.id == "enterprise_employee" ? "1" : "0"));
    for (const auto& m : s.models) {
        o.push_back("models." + m.id + ".price=5");
        const bool on_x = m.provider == "lab_a" || m.id == "open_large";
        o.push_back("models." + m.id + ".shares.enterprise=" + (on_x ? (m.id == "open_large" ? "0.4" : "0.2") : "0"));
    }
    s = test::with(s, o + no_plans(s));
    const auto r = test::run(s);
    const auto& partner = r.series_named("revenue_by_cloud_partner");
    const double before = partner.at(0, 0);
    REQUIRE(before > 0);
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) REQUIRE(partner.at(d, 0) == Approx(before).epsilon(1e-9));
    CHECK(r.scalar("cloud_partner_revenue_change") == Approx(0).margin(1e-6 * before));
    CHECK(r.scalar("revenue_loss_restricted") > 0);  // the provider loses; the platform does not
}

TEST_CASE("a stricter cloud partner shuts gated models off on its platform") {
    const auto s = test::heavy("nationality_gate", {"cloud_partners.cloud_x.compliance=stricter", "enterprises.multi_homed_share=0",
                                                    "enterprises.attest_max_foreign_share=1"});
    const auto mirror = test::run(test::with(s, {"cloud_partners.cloud_x.compliance=mirror"}));
    const auto strict = test::run(s);
    const auto day = static_cast<std::size_t>(strict.scalar("first_stage_day") + 20);
    CHECK(enterprises(strict, day, EnterpriseState::attesting) < enterprises(mirror, day, EnterpriseState::attesting));
}

// ---- Metrics -----------------------------------------------------------------------------------

TEST_CASE("value and users balance, and deltas are paired against the counterfactual") {
    const auto s = test::heavy("nationality_gate");
    const auto r = test::run(s);
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) {
        double users = r.series_named("waiting").at(d);
        for (std::size_t m = 0; m < s.models.size(); ++m) users += r.series_named("users_by_model").at(d, m);
        REQUIRE(users == Approx(s.population.users).epsilon(1e-9));
    }
    // Before the directive the scenario and its counterfactual are the same world.
    const auto first = static_cast<std::size_t>(r.scalar("first_stage_day"));
    for (std::size_t d = 0; d < first; ++d) REQUIRE(r.series_named("delta_value_delivered").at(d) == 0);
    double lost = 0;
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) lost -= r.series_named("delta_value_delivered").at(d);
    CHECK(r.scalar("cumulative_value_lost") == Approx(lost));
    CHECK(r.scalar("cumulative_value_lost") > 0);
    CHECK(total(r, "value_lost", 5) == Approx(0).margin(1.0));  // nobody loses value before the directive
    CHECK(r.scalar("cost_per_foreign_access_day_prevented") > 0);
}

TEST_CASE("what users spend, broken down, is what providers and cloud partners earn") {
    const auto s = test::heavy("phased_reopening");
    const auto r = test::run(s);
    const auto& providers = r.series_named("revenue_by_provider");
    const auto& partners = r.series_named("revenue_by_cloud_partner");
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d) {
        double earned = 0;
        for (std::size_t p = 0; p < providers.width(); ++p) earned += providers.at(d, p);
        for (std::size_t p = 0; p < partners.width(); ++p) earned += partners.at(d, p);
        REQUIRE(total(r, "user_spend", d) == Approx(earned).epsilon(1e-9));
    }
    CHECK(total(r, "user_spend", 40) < total(r, "user_spend", 5));  // the shutdown costs revenue
}

TEST_CASE("blocked foreign nationals keep a capability gap only as large as the alternatives leave") {
    const auto r = test::run(test::heavy("nationality_gate"));
    const auto& gap = r.series_named("capability_gap");
    const auto day = static_cast<std::size_t>(r.scalar("first_stage_day") + 5);
    // The best open alternative (b_flagship, 0.95) is 0.05 below a_frontier_max and level with a_frontier.
    CHECK(gap.at(day, 0) > 0);
    CHECK(gap.at(day, 0) <= 0.05 + 1e-12);
    const auto wide = test::run(test::heavy("industry_wide"));
    CHECK(wide.series_named("capability_gap").at(day, 0) > gap.at(day, 0));
}

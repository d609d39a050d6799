// Behavioural statements about enterprises: anticipation (pre-emptive migration, load shifted
// ahead of a block, a fallback added after a shock) and migrating back over the integration days.
// Each is falsifiable on a small population with a fixed seed.
#include <catch2/catch.hpp>

#include "model/world.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

using test::enterprises;
using test::total;

// Single-homed enterprises with a five-day integration under a shutdown on day 14 that is never
// lifted by the regulator; a few users, many enterprises.
Scenario shutdown(const std::vector<std::string>& more) {
    return test::heavy("global_shutdown",
                       std::vector<std::string>{"enterprises.agents=3000", "enterprises.multi_homed_share=0", "enterprises.integration_days=5",
                                                "regulator.decision_after_days=never"} + more, 2400);
}

constexpr std::size_t block_day = 14;

// Enterprises that have left, or are leaving, their primary model.
double moving_or_moved(const Results& r, std::size_t day) {
    return enterprises(r, day, EnterpriseState::migrating_ahead) + enterprises(r, day, EnterpriseState::migrated);
}

}  // namespace

// ---- Anticipation --------------------------------------------------------------------------

TEST_CASE("a warning moves enterprises to migrate before the block day, a stronger one more") {
    const auto s = shutdown({"enterprises.anticipation_rate=0.2"});
    const auto quiet = test::run(s);
    const auto warned = test::run(test::with(s, {"regulator.news.warning={day: 3, risk: 0.3}"}));
    const auto loud = test::run(test::with(s, {"regulator.news.warning={day: 3, risk: 1.0}"}));
    REQUIRE(quiet.scalar("first_stage_day") == block_day);
    CHECK(moving_or_moved(quiet, block_day - 1) == 0);
    CHECK(moving_or_moved(warned, 2) == 0);  // nothing before the news
    CHECK(moving_or_moved(warned, block_day - 1) > 0);
    CHECK(moving_or_moved(loud, block_day - 1) > moving_or_moved(warned, block_day - 1));
    // Those already under way are not waiting on the block day.
    CHECK(enterprises(loud, block_day, EnterpriseState::waiting) < enterprises(quiet, block_day, EnterpriseState::waiting));
    // Nobody migrates pre-emptively with the rate at 0, whatever the news.
    const auto neutral = test::run(test::with(s, {"enterprises.anticipation_rate=0", "regulator.news.warning={day: 3, risk: 1.0}"}));
    CHECK(moving_or_moved(neutral, block_day - 1) == 0);
}

TEST_CASE("a pre-emptive migration keeps the employees on the primary until it completes") {
    // Integration 30 days: started after the day-3 warning, no pre-emptive migration completes by day 13.
    const auto r = test::run(shutdown({"enterprises.anticipation_rate=0.5", "enterprises.integration_days=30",
                                       "regulator.news.warning={day: 3, risk: 1.0}"}));
    REQUIRE(enterprises(r, block_day - 1, EnterpriseState::migrating_ahead) > 0);
    CHECK(enterprises(r, block_day - 1, EnterpriseState::migrated) == 0);
    CHECK(r.series_named("waiting").at(block_day - 1) == 0);  // served: nobody waits for the employer
    // Blocked, the migration under way is an ordinary one.
    CHECK(enterprises(r, block_day, EnterpriseState::migrating_ahead) == 0);
    CHECK(enterprises(r, block_day, EnterpriseState::migrating) > 0);
}

TEST_CASE("load shifted onto the fallback ahead of a block lowers the disruption on the block day") {
    const std::vector<std::string> o{"enterprises.multi_homed_share=1", "enterprises.failover_capability_loss=0.4",
                                     "regulator.news.warning={day: 3, risk: 1.0, belief_half_life_days: 100}"};
    const auto unshifted = test::run(shutdown(o));
    const auto shifted = test::run(shutdown(o + std::vector<std::string>{"enterprises.load_shift_share=0.8"}));
    CHECK(unshifted.series_named("enterprise_load_shifted").at(block_day - 1) == 0);
    CHECK(shifted.series_named("enterprise_load_shifted").at(2) == 0);
    CHECK(shifted.series_named("enterprise_load_shifted").at(block_day - 1) > 0);
    CHECK(shifted.series_named("enterprise_load_shifted").at(block_day - 1) <= 0.8 * total(shifted, "enterprises_by_state", 0));
    // The same enterprises fail over the same day; the shifted share runs tuned on the fallback.
    CHECK(enterprises(shifted, block_day, EnterpriseState::failed_over) == enterprises(unshifted, block_day, EnterpriseState::failed_over));
    CHECK(total(shifted, "value_lost", block_day) < total(unshifted, "value_lost", block_day));
}

TEST_CASE("after a first shock, enterprises that add a fallback are hurt less by a second") {
    // Shut down on day 14, reopened on day 40, shut down again on day 80; integration too long to migrate.
    const std::vector<std::string> twice{
        "days=120", "enterprises.integration_days=300",
        "directive.stages={first: {trigger: day, day: 14, rule: global_shutdown}, reopened: {trigger: day, day: 40, rule: open}, "
        "second: {trigger: day, day: 80, rule: global_shutdown}}"};
    const auto sticky = test::run(shutdown(twice));
    const auto learning = test::run(shutdown(twice + std::vector<std::string>{"enterprises.fallback_adoption_probability=1"}));
    const auto half = test::run(shutdown(twice + std::vector<std::string>{"enterprises.fallback_adoption_probability=0.5"}));
    // The first shock is the same: nobody has a fallback yet.
    CHECK(enterprises(learning, 20, EnterpriseState::waiting) == enterprises(sticky, 20, EnterpriseState::waiting));
    REQUIRE(enterprises(sticky, 20, EnterpriseState::waiting) > 0);
    // The second: those who added a fallback fail over rather than wait.
    CHECK(enterprises(sticky, 85, EnterpriseState::failed_over) == 0);
    CHECK(enterprises(learning, 85, EnterpriseState::failed_over) > 0);
    CHECK(enterprises(half, 85, EnterpriseState::waiting) < enterprises(sticky, 85, EnterpriseState::waiting));
    CHECK(enterprises(learning, 85, EnterpriseState::waiting) < enterprises(half, 85, EnterpriseState::waiting));
    CHECK(total(learning, "value_lost", 85) < total(sticky, "value_lost", 85));
}

// ---- Migrating back ------------------------------------------------------------------------

TEST_CASE("migrating back takes the integration days: no enterprise is home before them") {
    // Return hazard 1: every migrated enterprise decides to migrate back on the reopening day r,
    // and is home on day r + integration_days exactly (closed form), charged each day meanwhile.
    const int integration = 5;
    const auto s = shutdown({"enterprises.return_hazard=1", "regulator.decision_after_days=60", "days=200",
                             "enterprises.integration_days=" + std::to_string(integration)});
    const auto r = test::run(s);
    const auto& blocked = r.series_named("blocked");
    std::size_t reopened = 0;
    for (std::size_t d = block_day; d < blocked.days() && reopened == 0; ++d)
        if (blocked.at(d) == 0) reopened = d;
    REQUIRE(reopened > block_day);
    const double migrated = enterprises(r, reopened - 1, EnterpriseState::migrated);
    REQUIRE(migrated > 0);
    const double everyone = total(r, "enterprises_by_state", 0);
    for (std::size_t d = reopened; d < reopened + integration; ++d) {
        INFO("day " << d);
        CHECK(enterprises(r, d, EnterpriseState::migrating_back) == Approx(migrated));
        CHECK(enterprises(r, d, EnterpriseState::normal) == Approx(everyone - migrated));
    }
    CHECK(enterprises(r, reopened + integration, EnterpriseState::migrating_back) == 0);
    CHECK(enterprises(r, reopened + integration, EnterpriseState::normal) == Approx(everyone));
    // Each move back costs what the move away did: integration days x the cost of a day.
    const auto stayed = test::run(test::with(s, {"enterprises.return_hazard=0"}));
    REQUIRE(stayed.scalar("migration_cost") > 0);
    CHECK(r.scalar("migration_cost") == Approx(2 * stayed.scalar("migration_cost")));
}

// ---- Capacity ------------------------------------------------------------------------------

TEST_CASE("fail-overs and migrations onto a capacity-limited model never exceed its capacity; the rest wait") {
    // Every enterprise multi-homed; every model but the shut-down provider's gets a capacity 2%
    // above its users on day 10, so the surge of fail-overs on the block day cannot all fit.
    const auto s = shutdown({"enterprises.multi_homed_share=1"});
    const auto open = test::run(s);
    std::vector<std::string> limits;
    std::vector<std::pair<std::size_t, double>> capacity;
    for (std::size_t j = 0; j < s.models.size(); ++j) {
        if (s.models[j].provider == "lab_a") continue;
        const double c = open.series_named("users_by_model").at(10, j) * 1.02;
        limits.push_back("models." + s.models[j].id + ".capacity_users=" + std::to_string(c));
        capacity.emplace_back(j, std::stod(std::to_string(c)));
    }
    const auto limited = test::run(test::with(s, limits));
    for (std::size_t d = 0; d < static_cast<std::size_t>(s.days); ++d)
        for (const auto& [j, c] : capacity) {
            INFO("day " << d << ", model " << s.models[j].id);
            REQUIRE(limited.series_named("users_by_model").at(d, j) <= c * (1 + 1e-12));
        }
    // Without the limits the same fail-overs overflow them; with them, part of the enterprises wait.
    bool overflowed = false;
    for (const auto& [j, c] : capacity) overflowed = overflowed || open.series_named("users_by_model").at(block_day, j) > c;
    CHECK(overflowed);
    CHECK(enterprises(limited, block_day, EnterpriseState::failed_over) < enterprises(open, block_day, EnterpriseState::failed_over));
    CHECK(enterprises(limited, block_day, EnterpriseState::waiting) > 0);
    CHECK(enterprises(open, block_day, EnterpriseState::waiting) == 0);
}

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include <algorithm>
#include <atomic>
#include <thread>

#include "model/parallel.hpp"
#include "model/users.hpp"
#include "model/world.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {
bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
bool same_results(const Results& a, const Results& b) {
    if (a.series.size() != b.series.size() || a.scalars.size() != b.scalars.size()) return false;
    for (std::size_t i = 0; i < a.series.size(); ++i)
        if (a.series[i].name != b.series[i].name || !bit_identical(a.series[i].values, b.series[i].values)) return false;
    for (std::size_t i = 0; i < a.scalars.size(); ++i) {
        const double x = a.scalars[i].value, y = b.scalars[i].value;
        if (std::memcmp(&x, &y, sizeof x) != 0) return false;
    }
    return true;
}
}  // namespace

TEST_CASE("results are bit-identical for 1 and 2 threads") {
    const auto s = test::small("global_shutdown", {}, 3 * 4096 + 17);  // several blocks, one partial
    CHECK(same_results(test::run(s, 1), test::run(s, 2)));
    // Several blocks of enterprises too (they step in parallel when no model has a capacity), with
    // market entry and circumvention adopted (their counts are taken in parallel).
    for (const char* name : {"nationality_gate", "geo_fence"}) {
        INFO(name);
        const auto many = test::small(name, {"enterprises.agents=9000", "segments.consumer.outside_share=0.2", "circumvention.adoption=true"},
                                      3 * 4096 + 17);
        REQUIRE(many.enterprises.agents == 9000);
        const auto one = test::run(many, 1);
        CHECK(same_results(one, test::run(many, 2)));
        CHECK(one.scalar("peak_enterprises_disrupted") > 0);
    }
}

TEST_CASE("the seed is recorded and changes the draws") {
    const auto s = test::small("global_shutdown");
    const auto a = test::run(s), b = test::run(test::with(s, {"seed=99"}));
    CHECK(a.seed == s.seed);
    CHECK(b.seed == 99);
    CHECK(!same_results(a, b));
}

TEST_CASE("series are in real-world units and balance") {
    const auto s = test::small("global_shutdown");
    const auto r = test::run(s);
    const auto& by_model = r.series_named("users_by_model");
    const auto& waiting = r.series_named("waiting");
    REQUIRE(by_model.days() == static_cast<std::size_t>(s.days));
    for (int day = 0; day < s.days; ++day) {
        double total = waiting.at(day);
        for (std::size_t m = 0; m < s.models.size(); ++m) total += by_model.at(day, m);
        // Every user either uses some model or waits.
        REQUIRE(total == Approx(s.population.users).epsilon(1e-9));
    }
}

TEST_CASE("before the directive nobody is blocked; on its day the scope's users are") {
    const auto s = test::small("global_shutdown");
    const auto r = test::run(s);
    const auto& blocked = r.series_named("blocked");
    const auto first = static_cast<std::size_t>(r.scalar("first_stage_day"));
    CHECK(first == static_cast<std::size_t>(s.directive.stages[0].day));
    for (std::size_t day = 0; day < first; ++day) REQUIRE(blocked.at(day) == 0);
    CHECK(blocked.at(first) == Approx(r.scalar("affected_users")));
    CHECK(r.scalar("peak_blocked") == Approx(r.scalar("affected_users")));
}

TEST_CASE("after the restore no one is blocked and nobody switches back later") {
    const auto s = test::small("global_shutdown", {"regulator.decision_after_days=30"});
    const auto r = test::run(s);
    CHECK(r.scalar("decision_day") == s.directive.day + 30);
    const auto restore = static_cast<std::size_t>(r.scalar("decision_day"));
    const auto& blocked = r.series_named("blocked");
    const auto& returned = r.series_named("returned");
    for (std::size_t day = restore; day < static_cast<std::size_t>(s.days); ++day) {
        REQUIRE(blocked.at(day) == 0);
        REQUIRE(returned.at(day) == returned.at(restore));  // one decision, on the restore day
    }
    CHECK(returned.at(restore) > 0);
}

TEST_CASE("a cancelled run stops with Cancelled and progress reports each day") {
    const auto s = test::small("global_shutdown");
    std::atomic<bool> cancel{false};
    int last = 0;
    RunOptions options;
    options.cancel = &cancel;
    options.progress = [&](int day, int) {
        last = day;
        if (day == 5) cancel = true;
    };
    REQUIRE_THROWS_AS(simulate(s, options), Cancelled);
    CHECK(last == 5);
}

namespace {
// Every series value and scalar of a and b within a relative 1e-12 of each other: the same
// trajectory of users, summed in another order.
bool same_to_rounding(const Results& a, const Results& b) {
    auto close = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y)) + 1e-300; };
    if (a.series.size() != b.series.size() || a.scalars.size() != b.scalars.size()) return false;
    for (std::size_t i = 0; i < a.series.size(); ++i) {
        if (a.series[i].values.size() != b.series[i].values.size()) return false;
        for (std::size_t k = 0; k < a.series[i].values.size(); ++k)
            if (!close(a.series[i].values[k], b.series[i].values[k])) return false;
    }
    for (std::size_t i = 0; i < a.scalars.size(); ++i)
        if (!close(a.scalars[i].value, b.scalars[i].value)) return false;
    return true;
}
}  // namespace

TEST_CASE("settled block sums give the results of visiting every user every day") {
    // Market entry on (users outside enter by Bass diffusion) in one of them.
    for (const char* name : {"global_shutdown", "nationality_gate", "phased_reopening", "fence_lifted", "warning_then_block", "prerelease_review",
                             "gate_leakage", "industry_wide", "crisis_no_block", "long_fence_lifted", "entry"}) {
        INFO(name);
        auto overrides = test::lab_a_heavy();
        const bool entry = std::string(name) == "entry";
        if (entry) overrides.insert(overrides.end(), {"segments.consumer.outside_share=0.3", "segments.consumer.entry_innovation=0.02"});
        const auto s = test::small(entry ? "global_shutdown" : name, overrides, 2 * 4096 + 100);
        RunOptions every;
        every.visit_every_user = true;
        const Results summed = simulate(s), visited = simulate(s, every);
        CHECK(same_to_rounding(summed, visited));
        // Not vacuous: a later day's users are not those of day 0 (crisis news blocks nobody, but
        // users leave on it and come back by their return clocks).
        const auto& returned = visited.series_named("returned").values;
        CHECK((visited.scalar("peak_blocked") > 0 || *std::max_element(returned.begin(), returned.end()) > 0));
    }
}

namespace {
std::vector<std::vector<unsigned char>> column_bytes(const Users& u) {
    std::vector<std::vector<unsigned char>> out;
    Users::for_each_column(u, [&](const auto& column) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(column.data());
        out.emplace_back(bytes, bytes + column.size() * sizeof(column[0]));
    });
    return out;
}
}  // namespace

TEST_CASE("the counterfactual puts the world back as synthesised") {
    // prerelease_review releases a successor, so the counterfactual changes users (they adopt it).
    // (With market entry, starting a run puts the users outside the market into waiting, the same
    // in both runs; "the counterfactual can run twice" below covers it.)
    for (const char* name : {"global_shutdown", "prerelease_review"}) {
        INFO(name);
        const auto s = test::small(name, {}, 3 * 4096 + 17);
        World world = synthesise_world(s, s.seed, 0, 1);
        const World before = world;
        const std::size_t kept = run_counterfactual_in_place(s, world);
        if (std::string(name) == "prerelease_review") CHECK(kept > 0);
        const bool same = column_bytes(world.users) == column_bytes(before.users);
        CHECK(same);
        CHECK(world.enterprises.state == before.enterprises.state);
        CHECK(world.enterprises.current == before.enterprises.current);
    }
}

TEST_CASE("the counterfactual can run twice in place: the second starts from the world the first did") {
    // Market entry: users enter over the counterfactual's days, changing many blocks.
    const auto s = test::small("global_shutdown", {"segments.consumer.outside_share=0.3", "segments.consumer.entry_innovation=0.02"}, 3 * 4096 + 17);
    World world = synthesise_world(s, s.seed, 0, 1);
    CHECK(run_counterfactual_in_place(s, world) > 0);
    const auto once = column_bytes(world.users);
    run_counterfactual_in_place(s, world);
    CHECK(column_bytes(world.users) == once);
    // And the run in place is the run on a fresh world: the results of two simulations agree.
    CHECK(same_results(simulate(s), simulate(s)));
}

TEST_CASE("the worker pool runs every block once, passes a failure on, and serves concurrent and nested loops") {
    std::vector<std::atomic<int>> hits(1000);
    for_each_block(hits.size(), 2, [&](std::size_t b) { ++hits[b]; });
    CHECK(std::all_of(hits.begin(), hits.end(), [](const std::atomic<int>& h) { return h == 1; }));

    CHECK_THROWS_WITH(for_each_block(100, 2, [](std::size_t b) { if (b == 37) throw std::runtime_error("block 37"); }), "block 37");

    // Two callers at once and a loop inside a loop: the pool is busy, so those run on their caller.
    std::atomic<long> total{0};
    auto sum = [&] {
        for_each_block(50, 2, [&](std::size_t b) {
            for_each_block(10, 2, [&](std::size_t k) { total += static_cast<long>(b * 10 + k); });
        });
    };
    std::thread other(sum);
    sum();
    other.join();
    CHECK(total == 2 * (500 * 499 / 2));
}

TEST_CASE("a block's settled sums stop holding in a new epoch; its employees' when one of their employers changes status") {
    SettledBlocks blocks(2 * 4096, 4);
    SettledBlocks::Block& b = blocks.block(1);
    EnterpriseTable enterprises;
    enterprises.resize(4);
    EmployerStatus status(4);
    blocks.employers_today(enterprises, status, 0);
    b.epoch = blocks.epoch();
    b.employees_day = 5;
    b.employers = {2};
    CHECK(blocks.holds(b));
    CHECK(blocks.employees_hold(b));
    status.normal[3] = 0;  // another block's employer
    blocks.employers_today(enterprises, status, 6);
    CHECK(blocks.employees_hold(b));
    enterprises.current[2] = 7;  // its employees' employer moved to another model
    blocks.employers_today(enterprises, status, 7);
    CHECK(!blocks.employees_hold(b));
    CHECK(blocks.holds(b));
    b.employees_day = 7;  // made again today
    CHECK(blocks.employees_hold(b));
    blocks.new_epoch();
    CHECK(!blocks.holds(b));
}

TEST_CASE("a member joining a block's sums is merged in slot order") {
    SettledBlocks::Sums sums;
    sums.slot = {3, 9};
    sums.total = {1.0, 2.0};
    sums.merge(9, 0.5);
    sums.merge(5, 4.0);
    sums.merge(0, 8.0);
    CHECK(sums.slot == std::vector<std::uint32_t>{0, 3, 5, 9});
    CHECK(sums.total == std::vector<double>{8.0, 1.0, 4.0, 2.5});
    SettledBlocks::Block b;
    b.add_employer(4);
    b.add_employer(1);
    b.add_employer(4);
    CHECK(b.employers == std::vector<std::int32_t>{1, 4});
}

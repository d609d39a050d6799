#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support.hpp"

using namespace gatesim;
namespace fs = std::filesystem;

namespace {


// The first problem a load reports; fails the test when the load succeeds.
ScenarioProblem first_problem(const fs::path& file, const std::vector<std::string>& overrides = {}) {
    try {
        load_scenario(file, overrides);
    } catch (const ScenarioError& e) {
        REQUIRE(!e.problems().empty());
        return e.problems().front();
    }
    FAIL("expected a ScenarioError for " << file);
    return {};
}

}  // namespace

TEST_CASE("library scenarios load and inherit the defaults") {
    const auto s = load_scenario(test::library_file("global_shutdown")).scenario;
    CHECK(s.name == "global_shutdown");
    CHECK(s.days == 180);
    REQUIRE(s.directive.stages.size() == 1);
    CHECK(s.directive.stages[0].id == "shutdown");
    CHECK(s.directive.stages[0].rule == AccessRuleKind::global_shutdown);
    // The order and the regulator's timeline come from order.yaml, two levels up.
    CHECK(s.directive.models == std::vector<std::string>{"a_frontier_max", "a_frontier"});
    CHECK(s.regulator.decision_lifts_order);
    REQUIRE(s.regulator.news.size() == 1);
    REQUIRE(s.regulator.decision_after_days);
    CHECK(s.regulator.decision_after_days->kind == DistributionKind::lognormal);
    CHECK(s.models.size() == 7);
    CHECK(s.segments.size() == 4);
    CHECK(s.cloud_partners.size() == 3);
    CHECK(s.enterprises.sectors.size() == 5);
}

TEST_CASE("extends deep-merges: entities patch by id, can be added and removed") {
    test::Sandbox box;
    const auto file = box.write("child.yaml", R"(extends: defaults.yaml
name: child
models:
  a_frontier: {capability: 0.5}
  f_flagship: null
  newcomer: {provider: lab_f, capability: 0.9, cyber_capability: 0.5, price: 2, shares: {consumer: 0.032, api: 0.05, enterprise: 0.05},
             open_weight: false, consumer: true, api: true, release_day: 0}
)");
    const auto s = load_scenario(file).scenario;
    const auto& m = s.models[static_cast<std::size_t>(index_of(s.models, "a_frontier"))];
    CHECK(m.capability == 0.5);
    CHECK(m.price == 3.7);  // inherited
    CHECK(index_of(s.models, "f_flagship") < 0);
    CHECK(index_of(s.models, "newcomer") >= 0);
}

TEST_CASE("a cycle of extends is an error") {
    test::Sandbox box;
    box.write("a.yaml", "extends: b.yaml\n");
    const auto b = box.write("b.yaml", "extends: a.yaml\n");
    const auto p = first_problem(b);
    CHECK(p.key_path == "extends");
    CHECK_THAT(p.message, Catch::Contains("cycle"));
}

TEST_CASE("an unknown key is located and gets a suggestion") {
    test::Sandbox box;
    const auto file = box.write("typo.yaml", "extends: defaults.yaml\nmodels:\n  a_frontier:\n    capabilty: 0.5\n");
    const auto p = first_problem(file);
    CHECK(p.where.file == file.string());
    CHECK(p.where.line == 4);
    CHECK(p.where.column == 5);
    CHECK(p.key_path == "models.a_frontier.capabilty");
    CHECK_THAT(p.message, Catch::Contains("did you mean 'capability'"));
}

TEST_CASE("wrong types, ranges and enum names are located") {
    test::Sandbox box;
    SECTION("a number that is text") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\ndays: many\n"));
        CHECK(p.where.line == 2);
        CHECK(p.key_path == "days");
        CHECK_THAT(p.message, Catch::Contains("whole number"));
    }
    SECTION("a share above one") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\nregions:\n  us: {user_share: 1.5}\n"));
        CHECK(p.where.line == 3);
        CHECK(p.key_path == "regions.us.user_share");
        CHECK_THAT(p.message, Catch::Contains("[0, 1]"));
    }
    SECTION("an unknown rule") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\ndirective:\n  stages:\n    s: {trigger: day, rule: global_shutdwn}\n"));
        CHECK(p.where.line == 4);
        CHECK(p.key_path == "directive.stages.s.rule");
        CHECK_THAT(p.message, Catch::Contains("did you mean 'global_shutdown'"));
    }
    SECTION("a map where a list belongs") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\ndirective:\n  models: {a: 1}\n"));
        CHECK(p.key_path == "directive.models");
        CHECK_THAT(p.message, Catch::Contains("expected a list"));
    }
}

TEST_CASE("a missing required field is reported at its entity") {
    test::Sandbox box;
    const auto file = box.write("t.yaml", "extends: defaults.yaml\nmodels:\n  extra: {provider: lab_b, price: 1, shares: {consumer: 0, api: 0, enterprise: 0}}\n");
    const auto p = first_problem(file);
    CHECK(p.key_path == "models.extra.capability");
    CHECK(p.where.line == 3);
    CHECK_THAT(p.message, Catch::Contains("missing required field"));
}

TEST_CASE("malformed YAML is located") {
    test::Sandbox box;
    const auto p = first_problem(box.write("t.yaml", "name: x\nmodels: [a, b\ndays: 3\n"));
    CHECK(p.where.line >= 2);
    CHECK_THAT(p.message, Catch::Contains("malformed YAML"));
}

TEST_CASE("cross-field checks point at the offending key") {
    test::Sandbox box;
    SECTION("unknown model in scope") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\ndirective:\n  stages: {s: {trigger: day, rule: global_shutdown}}\n  models: [nope]\n"));
        CHECK(p.key_path == "directive.models");
        CHECK(p.where.line == 4);
    }
    SECTION("shares that do not sum to one") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\nsegments:\n  consumer: {user_share: 0.9}\n"));
        CHECK(p.key_path == "segments");
        CHECK_THAT(p.message, Catch::Contains("sum to 1"));
    }
}

TEST_CASE("--set overrides are validated like file values") {
    const auto file = test::library_file("global_shutdown");
    CHECK(load_scenario(file, {"directive.day=3"}).scenario.directive.day == 3);
    CHECK(!load_scenario(file, {"regulator.decision_after_days=never"}).scenario.regulator.decision_after_days);
    CHECK(load_scenario(file, {"directive.models=[a_legacy]"}).scenario.directive.models ==
          std::vector<std::string>{"a_legacy"});
    // Stages merge by id: one field of one stage changes, the rest is inherited.
    const auto patched = load_scenario(file, {"directive.stages.shutdown.day=20"}).scenario;
    CHECK(patched.directive.stages[0].day == 20);
    CHECK(patched.directive.stages[0].rule == AccessRuleKind::global_shutdown);

    const auto bad = first_problem(file, {"directive.day=soon"});
    CHECK(bad.where.file == "--set directive.day=soon");
    CHECK(bad.key_path == "directive.day");
    const auto typo = first_problem(file, {"directiv.day=3"});
    CHECK_THAT(typo.message, Catch::Contains("did you mean 'directive'"));
    const auto nokey = first_problem(file, {"justtext"});
    CHECK_THAT(nokey.message, Catch::Contains("key.path=value"));
}

TEST_CASE("apply_override leaves the scenario unchanged on failure") {
    auto loaded = load_scenario(test::library_file("global_shutdown"));
    const auto before = to_yaml(loaded.scenario);
    REQUIRE_THROWS_AS(apply_override(loaded, "directive.day=-1"), ScenarioError);
    REQUIRE_THROWS_AS(apply_override(loaded, "directive.day=20"), ScenarioError);  // after the first stage
    CHECK(to_yaml(loaded.scenario) == before);
    apply_override(loaded, "directive.day=10");
    CHECK(loaded.scenario.directive.day == 10);
}

TEST_CASE("show output loads back to the same scenario") {
    for (const char* name : {"baseline", "global_shutdown", "nationality_gate", "geo_fence", "phased_reopening",
                             "vetted_partners", "industry_wide", "prerelease_review"}) {
        const auto s = load_scenario(test::library_file(name)).scenario;
        const auto text = to_yaml(s);
        const auto again = load_scenario_text(text, "shown", ".").scenario;
        CHECK(to_yaml(again) == text);
    }
}

TEST_CASE("distributions: fixed numbers, maps, and their errors") {
    const auto file = test::library_file("global_shutdown");
    const auto fixed = load_scenario(file, {"regulator.decision_after_days=30"}).scenario;
    CHECK(*fixed.regulator.decision_after_days == Distribution::fixed_at(30));
    const auto tri = load_scenario(file, {"regulator.decision_after_days={dist: triangular, low: 10, mode: 20, high: 60}"}).scenario;
    CHECK(tri.regulator.decision_after_days->kind == DistributionKind::triangular);
    CHECK_THAT(first_problem(file, {"regulator.decision_after_days={dist: lognormal, median: 30}"}).message,
               Catch::Contains("needs 'sigma'"));
    CHECK_THAT(first_problem(file, {"regulator.decision_after_days={dist: uniform, low: 30, high: 10}"}).message,
               Catch::Contains("low <= high"));
    CHECK_THAT(first_problem(file, {"regulator.decision_after_days={dist: uniform, low: -3, high: 10}"}).message,
               Catch::Contains("[0, 3650]"));
}

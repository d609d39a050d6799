// Unit tests for distribution-valued fields in scenario files (sim/io/scenario_yaml.cpp) and the
// sweep: and sensitivity: sections (sim/io/study_yaml.cpp): loading, show round trips, and
// located errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "io/study_yaml.hpp"
#include "support.hpp"

using namespace gatesim;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {


template <class F>
ScenarioProblem first_problem(F load) {
    try {
        load();
    } catch (const ScenarioError& e) {
        REQUIRE(!e.problems().empty());
        return e.problems().front();
    }
    FAIL("expected a ScenarioError");
    return {};
}

const UncertainParameter* find(const LoadedScenario& l, const std::string& path) {
    for (const auto& u : l.uncertain)
        if (u.key_path == path) return &u;
    return nullptr;
}

}  // namespace

TEST_CASE("a distribution where a number is expected makes the field uncertain") {
    test::Sandbox box;
    const auto file = box.write("u.yaml", R"(extends: defaults.yaml
models:
  a_frontier: {capability: {dist: uniform, low: 0.8, high: 1.0}}
segments:
  consumer:
    patience_days: {dist: lognormal, median: 7, sigma: 0.4}
population:
  agents: {dist: choice, values: [1000, 2000, 4000], weights: [1, 2, 1]}
)");
    const auto loaded = load_scenario(file);
    REQUIRE(loaded.uncertain.size() == 3);
    const auto& s = loaded.scenario;
    CHECK(s.models[static_cast<std::size_t>(index_of(s.models, "a_frontier"))].capability == Approx(0.9));  // central value
    CHECK(s.population.agents == 2000);
    REQUIRE(find(loaded, "segments.consumer.patience_days"));
    CHECK(find(loaded, "segments.consumer.patience_days")->distribution.kind == DistributionKind::lognormal);

    SECTION("show prints the distributions, and its output loads back the same") {
        const std::string shown = to_yaml(loaded);
        CHECK_THAT(shown, Contains("capability: {dist: uniform, low: 0.8, high: 1}"));
        CHECK_THAT(shown, Contains("agents: {dist: choice, values: [1000, 2000, 4000], weights: [1, 2, 1]}"));
        const auto again = load_scenario_text(shown, "shown", ".");
        CHECK(again.uncertain == loaded.uncertain);
        CHECK(to_yaml(again) == shown);
        CHECK(to_yaml(again.scenario) == to_yaml(loaded.scenario));
    }
    SECTION("a plain number in a later layer makes the field certain again") {
        auto copy = loaded;
        apply_override(copy, "models.a_frontier.capability=0.7");
        CHECK(copy.uncertain.size() == 2);
        CHECK(!find(copy, "models.a_frontier.capability"));
        apply_override(copy, "segments.consumer.patience_days={dist: uniform, low: 2, high: 4}");
        CHECK(find(copy, "segments.consumer.patience_days")->distribution.kind == DistributionKind::uniform);
        CHECK(copy.uncertain.size() == 2);
    }
    SECTION("an optional number can be uncertain, and never makes it certain again") {
        auto copy = loaded;
        apply_override(copy, "models.b_flagship.capacity_users={dist: uniform, low: 1e8, high: 2e8}");
        REQUIRE(find(copy, "models.b_flagship.capacity_users"));
        apply_override(copy, "models.b_flagship.capacity_users=never");
        CHECK(!find(copy, "models.b_flagship.capacity_users"));
    }
    SECTION("removing an entity removes its uncertain fields") {
        box.write("extra.yaml", R"(extends: defaults.yaml
models:
  extra: {provider: lab_b, capability: {dist: uniform, low: 0.5, high: 0.7}, cyber_capability: 0.5, price: 1,
          shares: {consumer: 0, api: 0, enterprise: 0}, open_weight: false, consumer: true, api: true, capacity_users: never,
          release_day: 0}
)");
        const auto with_extra = load_scenario(box.path() / "extra.yaml");
        CHECK(find(with_extra, "models.extra.capability"));
        const auto without = load_scenario(box.write("without.yaml", "extends: extra.yaml\nmodels: {extra: null}\n"));
        CHECK(!find(without, "models.extra.capability"));
        CHECK(without.uncertain.empty());
    }
}

TEST_CASE("distribution-valued fields are checked and located like any other value") {
    test::Sandbox box;
    SECTION("support beyond the field's range") {
        const auto p = first_problem([&] {
            load_scenario(box.write("t.yaml", "extends: defaults.yaml\nsegments:\n  consumer:\n    return_probability: "
                                              "{dist: triangular, low: 0.5, mode: 0.9, high: 1.2}\n"));
        });
        CHECK(p.where.line == 4);
        CHECK_THAT(p.key_path, Catch::StartsWith("segments.consumer.return_probability"));
        CHECK_THAT(p.message, Contains("[0, 1]"));
    }
    SECTION("a lognormal whose tail leaves the range") {
        const auto p = first_problem([&] {
            load_scenario(box.write("t.yaml", "extends: defaults.yaml\nsegments:\n  consumer:\n    return_probability: "
                                              "{dist: lognormal, median: 0.5, sigma: 1}\n"));
        });
        CHECK(p.where.line == 4);
        CHECK_THAT(p.message, Contains("99.9% quantile"));
    }
    SECTION("a whole-number field given fractional choices") {
        const auto p = first_problem([&] {
            load_scenario(box.write("t.yaml", "extends: defaults.yaml\npopulation:\n  agents: {dist: choice, values: [1000.5, 2000]}\n"));
        });
        CHECK(p.where.line == 3);
        CHECK(p.key_path == "population.agents");
        CHECK_THAT(p.message, Contains("whole numbers"));
    }
    SECTION("an unknown kind, a missing parameter, a stray key") {
        CHECK_THAT(first_problem([&] {
                       load_scenario(box.write("t.yaml", "extends: defaults.yaml\ndays: {dist: normal, mean: 3}\n"));
                   }).message,
                   Contains("expected one of fixed, uniform, lognormal, triangular, choice"));
        CHECK_THAT(first_problem([&] {
                       load_scenario(box.write("t.yaml", "extends: defaults.yaml\ndays: {dist: choice, weights: [1]}\n"));
                   }).message,
                   Contains("needs 'values'"));
        const auto stray = first_problem([&] {
            load_scenario(box.write("t.yaml", "extends: defaults.yaml\ndays:\n  dist: uniform\n  low: 30\n  high: 60\n  mode: 40\n"));
        });
        CHECK(stray.where.line == 6);
        CHECK(stray.key_path == "days.mode");
    }
    SECTION("--set accepts distributions and checks them") {
        const auto file = test::library_file("global_shutdown");
        CHECK(load_scenario(file, {"segments.consumer.patience_days={dist: uniform, low: 2, high: 9}"}).uncertain.size() == 1);
        const auto p = first_problem([&] { load_scenario(file, {"models.a_frontier.price={dist: uniform, low: -1, high: 9}"}); });
        CHECK(p.where.file == "--set models.a_frontier.price={dist: uniform, low: -1, high: 9}");
        CHECK(p.key_path == "models.a_frontier.price.low");
    }
}

TEST_CASE("sweep and sensitivity sections are read with key paths checked against the scenario") {
    test::Sandbox box;
    const auto file = box.write("s.yaml", R"(extends: defaults.yaml
sweep:
  design: lhs
  points: 12
  replicates: 3
  parameters:
    segments.consumer.patience_days: {low: 2, high: 14, levels: 4}
    models.a_frontier.capability: [0.8, 0.9, 1.0]
    segments.developer.patience_days: {dist: triangular, low: 1, mode: 3, high: 8}
sensitivity:
  method: morris
  samples: 10
  outputs: [churn_at_horizon]
  parameters:
    segments.consumer.patience_days: {low: 2, high: 14}
)");
    auto loaded = load_scenario(file);
    const auto sections = load_study_sections(file, loaded.scenario, false);
    REQUIRE(sections.sweep.present);
    CHECK(sections.sweep.design == SweepDesign::lhs);
    CHECK(sections.sweep.points == 12u);
    CHECK(sections.sweep.replicates == 3u);
    REQUIRE(sections.sweep.parameters.size() == 3);
    CHECK(sections.sweep.parameters[0].kind == SweepParameter::Kind::range);
    CHECK(sections.sweep.parameters[0].levels == 4);
    CHECK(sections.sweep.parameters[1].values == std::vector<double>{0.8, 0.9, 1.0});
    CHECK(sections.sweep.parameters[2].distribution.kind == DistributionKind::triangular);
    CHECK(sections.sensitivity.method == std::string("morris"));
    CHECK(sections.sensitivity.outputs == std::vector<std::string>{"churn_at_horizon"});
    CHECK_FALSE(load_study_sections(test::library_file("global_shutdown"), loaded.scenario, false).sweep.present);
}

TEST_CASE("problems in study sections are located") {
    test::Sandbox box;
    Scenario s = load_scenario(test::library_file("global_shutdown")).scenario;
    auto problem_in = [&](const std::string& text) {
        const auto file = box.write("bad.yaml", text);
        return first_problem([&] { load_study_sections(file, s, true); });
    };
    auto p = problem_in("sweep:\n  parameters:\n    models.a_frontir.capability: [0.9]\n");
    CHECK(p.where.line == 3);
    CHECK_THAT(p.message, Contains("no entry 'a_frontir'"));
    p = problem_in("sweep:\n  parameters:\n    models.a_frontier.capability: [0.9, 11]\n");
    CHECK(p.where.line == 3);
    CHECK_THAT(p.message, Contains("outside the field's range [0, 10]"));
    p = problem_in("sweep:\n  parameters:\n    segments.consumer.patience_days:\n      low: 9\n      high: 2\n");
    CHECK_THAT(p.message, Contains("low <= high"));
    p = problem_in("sweep:\n  design: latin\n  parameters: {days: [30]}\n");
    CHECK(p.where.line == 2);
    CHECK_THAT(p.message, Contains("grid, lhs, sobol"));
    p = problem_in("sweep:\n  parameters: {days: [30]}\nname: x\n");
    CHECK(p.where.line == 3);
    CHECK_THAT(p.message, Contains("unknown key"));
}

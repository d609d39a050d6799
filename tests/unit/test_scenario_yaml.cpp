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

TEST_CASE("a whole number beyond its type's range is a located error, never a wrapped value") {
    test::Sandbox box;
    auto problem_with = [&](const std::string& line) {
        return first_problem(box.write("t.yaml", "extends: defaults.yaml\n" + line + "\n"));
    };
    const auto above = problem_with("seed: 18446744073709551616");  // 2^64
    CHECK(above.where.line == 2);
    CHECK(above.where.column == 7);
    CHECK(above.key_path == "seed");
    CHECK_THAT(above.message, Catch::Contains("expected a whole number in [0, 18446744073709551615]"));
    CHECK_THAT(problem_with("seed: 1.8446744073709552e19").message, Catch::Contains("whole number in"));
    CHECK_THAT(problem_with("seed: 1e400").message, Catch::Contains("whole number"));
    CHECK_THAT(problem_with("seed: -1").message, Catch::Contains("whole number in [0, "));
    CHECK_THAT(problem_with("days: 2147483648").message, Catch::Contains("whole number in [1, 3650]"));
    CHECK_THAT(problem_with("seed: {dist: fixed, value: 1.8446744073709552e19}").message,
               Catch::Contains("expected a value in [0, "));
    // The largest seed is kept exactly.
    const auto top = load_scenario(box.write("t.yaml", "extends: defaults.yaml\nseed: 18446744073709551615\n"));
    CHECK(top.scenario.seed == std::numeric_limits<std::uint64_t>::max());
    auto loaded = top;
    CHECK_THROWS_AS(apply_override(loaded, "seed=18446744073709551616"), ScenarioError);
    CHECK(loaded.scenario.seed == std::numeric_limits<std::uint64_t>::max());
    // Key-path access (sweeps, Python) cannot store 2^64 either.
    CHECK_THROWS_AS(set_parameter(loaded.scenario, "seed", 18446744073709551616.0), ParameterError);
}

TEST_CASE("a key twice in any map is an error naming both lines") {
    test::Sandbox box;
    SECTION("an entity id under regions") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\nregions:\n  us: {user_share: 0.3}\n  us: {vpn_propensity: 0.1}\n"));
        CHECK(p.where.line == 4);
        CHECK(p.key_path == "regions.us");
        CHECK_THAT(p.message, Catch::Contains("appears twice") && Catch::Contains("first at line 3"));
    }
    SECTION("a field of a distribution") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\nregulator:\n  decision_after_days: {dist: uniform, low: 1, low: 2, high: 9}\n"));
        CHECK(p.key_path == "regulator.decision_after_days.low");
        CHECK_THAT(p.message, Catch::Contains("first at line 3"));
    }
    SECTION("inside a section nothing interprets yet") {
        const auto p = first_problem(box.write("t.yaml", "extends: defaults.yaml\nsweep:\n  parameters:\n    days: [1]\n    days: [2]\n"));
        CHECK(p.where.line == 5);
        CHECK(p.key_path == "sweep.parameters.days");
    }
    SECTION("in a --set value") {
        const auto p = first_problem(test::library_file("baseline"), {"regions={us: {user_share: 1}, us: {user_share: 0}}"});
        CHECK(p.key_path == "regions.us");
        CHECK_THAT(p.message, Catch::Contains("appears twice"));
    }
}

TEST_CASE("scenario input must be UTF-8 text") {
    test::Sandbox box;
    const auto latin1 = first_problem(box.write("t.yaml", "extends: defaults.yaml\nname: caf\xe9\n"));
    CHECK(latin1.where.line == 2);
    CHECK(latin1.where.column == 10);
    CHECK_THAT(latin1.message, Catch::Contains("byte 0xE9 is not UTF-8"));
    const auto overlong = first_problem(box.write("t.yaml", "name: \xc0\xaf\n"));  // an overlong '/'
    CHECK_THAT(overlong.message, Catch::Contains("0xC0 is not UTF-8"));
    const auto surrogate = first_problem(box.write("t.yaml", "name: \xed\xa0\x80\n"));
    CHECK_THAT(surrogate.message, Catch::Contains("0xED is not UTF-8"));
    const auto nul = first_problem(box.write("t.yaml", std::string("extends: defaults.yaml\nname: a\0b\n", 32)));
    CHECK(nul.where.line == 2);
    CHECK_THAT(nul.message, Catch::Contains("control character U+0000"));
    CHECK_THAT(first_problem(test::library_file("baseline"), {"name=caf\xe9"}).message, Catch::Contains("not UTF-8"));
    // Escapes in quoted text cannot produce what the raw text may not hold; a carriage return
    // (found by fuzz_scenario) did not survive to_yaml and loading again.
    for (const char* escape : {"\\0", "\\r", "\\e", "\\u2028"}) {
        INFO(escape);
        const auto p = first_problem(box.write("t.yaml", std::string("extends: defaults.yaml\nname: \"a") + escape + "b\"\n"));
        CHECK(p.key_path == "name");
        CHECK_THAT(p.message, Catch::Contains("in text (only tab and line feed are allowed)"));
    }
    CHECK(load_scenario(box.write("t.yaml", "extends: defaults.yaml\nname: \"a\\tb\\nc\"\n")).scenario.name == "a\tb\nc");
    // Text in any script is fine, and so is a byte-order mark.
    CHECK(load_scenario(box.write("t.yaml", "\xef\xbb\xbf" "extends: defaults.yaml\nname: caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80\n"))
              .scenario.name == "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80");
    // A message that quotes bytes that are not text (here a file name) is made valid UTF-8.
    const auto missing = first_problem(box / "caf\xe9.yaml");
    CHECK(missing.where.file == (box.path() / "caf\\xE9.yaml").string());
}

TEST_CASE("extends: at most 64 files deep, names that cannot be opened, directories") {
    test::Sandbox box;
    auto chain = [&](int files) {  // level0.yaml extends level1.yaml ... extends defaults.yaml
        for (int i = 0; i < files; ++i)
            box.write("level" + std::to_string(i) + ".yaml",
                      "extends: " + (i + 1 < files ? "level" + std::to_string(i + 1) + ".yaml" : std::string("defaults.yaml")) + "\n");
        return box / "level0.yaml";
    };
    CHECK(load_scenario(chain(64)).scenario.days == 180);  // 64 extends in a row
    const auto deep = first_problem(chain(65));
    CHECK(deep.key_path == "extends");
    CHECK(deep.where.line == 1);
    CHECK_THAT(deep.message, Catch::Contains("more than 64 files extend one another"));

    const auto long_name = first_problem(box.write("t.yaml", "extends: " + std::string(300, 'a') + ".yaml\n"));
    CHECK(long_name.key_path == "extends");
    CHECK(long_name.where.line == 1);
    CHECK_THAT(long_name.message, Catch::Contains("cannot open") && Catch::Contains("File name too long"));
    const auto nul_name = first_problem(box.write("t.yaml", "extends: \"defaults.yaml\\0x\"\n"));
    CHECK_THAT(nul_name.message, Catch::Contains("U+0000"));
    const auto directory = first_problem(box.write("t.yaml", "extends: .\n"));
    CHECK_THAT(directory.message, Catch::Contains("is a directory"));
    const auto top = first_problem(box.path());
    CHECK(top.where.file == box.path().string());
    CHECK_THAT(top.message, Catch::Contains("is a directory, not a scenario file"));
}

TEST_CASE("input limits: problems listed, file size, nesting depth, aliases") {
    test::Sandbox box;
    SECTION("at most 100 problems are listed, then how many more") {
        std::string text = "extends: defaults.yaml\n";
        for (int i = 0; i < 5000; ++i) text += "unknown_" + std::to_string(i) + ": 1\n";
        try {
            load_scenario(box.write("t.yaml", text));
            FAIL("expected a ScenarioError");
        } catch (const ScenarioError& e) {
            REQUIRE(e.problems().size() == 101u);
            CHECK(e.problems()[99].key_path == "unknown_99");
            CHECK_THAT(e.problems().back().message, Catch::Contains("... and 4900 more problems"));
        }
    }
    SECTION("a file larger than 16 MiB is refused before it is parsed") {
        const auto p = first_problem(box.write("t.yaml", "name: x\n" + std::string(16u << 20, '#')));
        CHECK_THAT(p.message, Catch::Contains("larger than 16 MiB"));
    }
    SECTION("so is a chain of files that is larger together") {
        box.write("big.yaml", "extends: defaults.yaml\n#" + std::string((8u << 20) + 10, ' ') + "\n");
        const auto p = first_problem(box.write("t.yaml", "extends: big.yaml\n#" + std::string(8u << 20, ' ') + "\n"));
        CHECK(p.key_path == "extends");
        CHECK_THAT(p.message, Catch::Contains("past 16 MiB together"));
    }
    SECTION("maps and lists nest at most 64 levels") {
        auto nested = [](int levels) {
            return "extends: defaults.yaml\ndescription: " + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "\n";
        };
        const auto p = first_problem(box.write("t.yaml", nested(65)));
        CHECK(p.where.line == 2);
        CHECK_THAT(p.message, Catch::Contains("nested more than 64 levels"));
        CHECK_THAT(first_problem(box.write("t.yaml", nested(100000))).message, Catch::Contains("nested more than 64 levels"));
        // At the limit the document is read, and the list is then the wrong type for a description.
        CHECK_THAT(first_problem(box.write("t.yaml", nested(64))).message, Catch::Contains("expected text"));
    }
    SECTION("aliases cannot multiply a document beyond a million values") {
        std::string text = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
        for (int i = 1; i < 9; ++i) {  // a<i> is ten a<i-1>: 10^9 values in 9 lines
            const std::string name = std::to_string(i), alias = std::to_string(i - 1);
            text.append("a").append(name).append(": &a").append(name).append(" [*a").append(alias);
            for (int k = 1; k < 10; ++k) text.append(", *a").append(alias);
            text.append("]\n");
        }
        CHECK_THAT(first_problem(box.write("t.yaml", text)).message, Catch::Contains("more than 1000000 values"));
    }
}

TEST_CASE("distribution-typed fields are checked against the field's range at load") {
    const auto file = test::library_file("baseline");
    const auto tasks = first_problem(file, {"segments.consumer.tasks_per_day={dist: lognormal, median: 3, sigma: 50}"});
    CHECK(tasks.key_path == "segments.consumer.tasks_per_day");
    CHECK_THAT(tasks.message, Catch::Contains("99.9% quantile") && Catch::Contains("[0, 10000]"));
    CHECK_THAT(first_problem(file, {"enterprises.employees={dist: lognormal, median: 40, sigma: 5}"}).message,
               Catch::Contains("99.9% quantile"));
    CHECK_THAT(first_problem(file, {"regulator.decision_after_days={dist: lognormal, median: 45, sigma: 9}"}).message,
               Catch::Contains("99.9% quantile"));
    CHECK_THAT(first_problem(file, {"regulator.decision_after_days={dist: choice, values: [10, 20], weights: [1e308, 1e308]}"}).message,
               Catch::Contains("finite sum"));
    CHECK_THAT(first_problem(file, {"enterprises.integration_days={dist: lognormal, median: 10, sigma: inf}"}).message,
               Catch::Contains("finite"));
    // The library's own heavy tails pass: employees' 99.9% quantile is about 4,100.
    CHECK(load_scenario(file).scenario.enterprises.employees.sigma == 1.5);
}

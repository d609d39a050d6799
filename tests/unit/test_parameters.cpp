// Unit tests for key-path access to scenario fields, uncertain-parameter draws and the choice
// distribution (sim/core/parameters.cpp, sim/core/distribution.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "study/parameters.hpp"
#include "model/rng.hpp"
#include "support.hpp"

using namespace gatesim;
using Catch::Matchers::Contains;

namespace {
std::string error_of(Scenario& s, const std::string& path) {
    try {
        numeric_field(s, path);
    } catch (const ParameterError& e) {
        return e.what();
    }
    FAIL("expected a ParameterError for " << path);
    return {};
}
}  // namespace

TEST_CASE("numeric fields are found by key path through sections and named entities") {
    Scenario s = test::small("global_shutdown");
    auto capability = numeric_field(s, "models.a_frontier.capability");
    CHECK(capability.get() == s.models[static_cast<std::size_t>(index_of(s.models, "a_frontier"))].capability);
    CHECK(capability.min == 0);
    CHECK_FALSE(capability.whole_number);
    capability.set(0.5);
    CHECK(s.models[static_cast<std::size_t>(index_of(s.models, "a_frontier"))].capability == 0.5);

    auto agents = numeric_field(s, "population.agents");
    CHECK(agents.whole_number);
    agents.set(1234.6);  // whole-number fields round
    CHECK(s.population.agents == 1235);
    CHECK(parameter_value(s, "days") == s.days);
}

TEST_CASE("set_parameter checks the field's range; unknown paths explain themselves") {
    Scenario s = test::small("global_shutdown");
    set_parameter(s, "segments.consumer.patience_days", 9.5);
    CHECK(parameter_value(s, "segments.consumer.patience_days") == 9.5);
    CHECK_THROWS_AS(set_parameter(s, "models.a_frontier.capability", -1), ParameterError);
    CHECK_THROWS_AS(set_parameter(s, "population.agents", 0.2), ParameterError);  // rounds to 0 < min 1

    CHECK_THAT(error_of(s, "models.a_frontir.capability"), Contains("no entry 'a_frontir'") && Contains("a_frontier"));
    CHECK_THAT(error_of(s, "models.a_frontier.capabilty"), Contains("'capabilty' is not a field") && Contains("capability"));
    CHECK_THAT(error_of(s, "population"), Contains("section, not a number"));
    CHECK_THAT(error_of(s, "name"), Contains("not a number"));
    CHECK_THAT(error_of(s, "days.x"), Contains("is a number"));
    CHECK_THAT(error_of(s, "models"), Contains("list of entries"));
}

TEST_CASE("numeric_field_paths lists every numeric field, and each one can be found") {
    Scenario s = test::small("global_shutdown");
    const auto paths = numeric_field_paths(s);
    CHECK(std::find(paths.begin(), paths.end(), "models.a_frontier.capability") != paths.end());
    CHECK(std::find(paths.begin(), paths.end(), "population.users") != paths.end());
    CHECK(std::find(paths.begin(), paths.end(), "name") == paths.end());
    for (const auto& p : paths) CHECK_NOTHROW(numeric_field(s, p));
}

TEST_CASE("a distribution's support is checked against the field's range") {
    const Distribution uniform{.kind = DistributionKind::uniform, .low = 0.5, .high = 1.5};
    CHECK(check_support(uniform, 0, 2, false).empty());
    CHECK_THAT(check_support(uniform, 0, 1, false), Contains("outside the field's range [0, 1]"));
    // Lognormal: the 0.1%..99.9% quantiles must fit; the far tail is clamped.
    const Distribution narrow{.kind = DistributionKind::lognormal, .median = 0.5, .sigma = 0.1};
    const Distribution wide{.kind = DistributionKind::lognormal, .median = 0.5, .sigma = 1.0};
    CHECK(check_support(narrow, 0, 1, false).empty());
    CHECK_THAT(check_support(wide, 0, 1, false), Contains("0.1%"));
    const Distribution halves{.kind = DistributionKind::choice, .values = {1.5, 2}};
    CHECK_THAT(check_support(halves, 0, 10, true), Contains("whole numbers"));
    CHECK(check_support(halves, 0, 10, false).empty());
    // Whole-number fields round first: 9.6 rounds to 10, inside [0, 10].
    CHECK(check_support(Distribution{.kind = DistributionKind::uniform, .low = 0, .high = 9.6}, 0, 10, true).empty());
}

TEST_CASE("the choice distribution: weighted median, inverse CDF, sampling frequencies, checks") {
    const Distribution d{.kind = DistributionKind::choice, .values = {21, 7, 14}, .weights = {1, 1, 2}};
    CHECK(d.check().empty());
    CHECK(d.central() == 14);
    CHECK(d.quantile(0.1) == 7);   // values sort ascending: 7 (0.25), 14 (0.75), 21 (1)
    CHECK(d.quantile(0.5) == 14);
    CHECK(d.quantile(0.9) == 21);
    CHECK(d.support() == std::pair<double, double>{7, 21});
    RandomEngine rng(11);
    std::map<double, int> counts;
    for (int i = 0; i < 40000; ++i) ++counts[d.sample(rng)];
    CHECK(counts[14] / 40000.0 == Approx(0.5).margin(0.01));
    CHECK(counts[7] / 40000.0 == Approx(0.25).margin(0.01));

    CHECK_THAT((Distribution{.kind = DistributionKind::choice}.check()), Contains("at least one value"));
    CHECK_THAT((Distribution{.kind = DistributionKind::choice, .values = {1, 2}, .weights = {1}}.check()),
               Contains("one weight per value"));
    CHECK_THAT((Distribution{.kind = DistributionKind::choice, .values = {1}, .weights = {-1}}.check()),
               Contains("not negative"));
}

TEST_CASE("quantile functions invert the distributions") {
    const Distribution lognormal{.kind = DistributionKind::lognormal, .median = 45, .sigma = 0.6};
    CHECK(lognormal.quantile(0.5) == Approx(45));
    CHECK(lognormal.quantile(0.8413447460685429) == Approx(45 * std::exp(0.6)).epsilon(1e-9));  // +1 sd
    const Distribution tri{.kind = DistributionKind::triangular, .low = 0, .high = 10, .mode = 2};
    CHECK(tri.quantile(0.2) == Approx(2));  // the mode splits the mass 0.2 / 0.8
    CHECK(tri.quantile(0.5) == Approx(tri.central()));
    const Distribution uniform{.kind = DistributionKind::uniform, .low = 10, .high = 30};
    CHECK(uniform.quantile(0.25) == 15);
}

TEST_CASE("parameter draws: reproducible, per draw, independent of the other uncertain fields") {
    const UncertainParameter a{"segments.consumer.patience_days", {.kind = DistributionKind::uniform, .low = 2, .high = 9}};
    const UncertainParameter b{"models.a_frontier.capability", {.kind = DistributionKind::uniform, .low = 0.8, .high = 1}};
    CHECK(parameter_draw(a, 5, 0) == parameter_draw(a, 5, 0));
    CHECK(parameter_draw(a, 5, 0) != parameter_draw(a, 5, 1));
    CHECK(parameter_draw(a, 5, 0) != parameter_draw(a, 6, 0));
    CHECK(parameter_draw(a, 5, 3) != parameter_draw(b, 5, 3) * 9);  // different fields, different numbers

    Scenario one = test::small("global_shutdown"), both = one;
    one.seed = both.seed = 5;
    apply_parameter_draw(one, {a}, 3);
    apply_parameter_draw(both, {b, a}, 3);
    CHECK(parameter_value(one, a.key_path) == parameter_value(both, a.key_path));
    const double v = parameter_value(both, b.key_path);
    CHECK((v >= 0.8 && v <= 1.0));

    // Draws cover the distribution: the mean of many draws is near the mean of the uniform.
    double sum = 0;
    for (std::uint64_t k = 0; k < 4000; ++k) sum += parameter_draw(a, 5, k);
    CHECK(sum / 4000 == Approx(5.5).margin(0.1));
}

TEST_CASE("a joint parameter sample is drawn a whole row per parameter draw, reproducibly") {
    // Two fields whose rows lie on a line (a ridge): drawn independently they would leave it.
    ParameterSample sample{"calib.h5", {"segments.consumer.patience_days", "models.a_frontier.capability"}, {}};
    for (int i = 0; i < 20; ++i) sample.rows.push_back({2.0 + i, 0.8 + 0.01 * i});
    const UncertainParameter other{"segments.developer.patience_days", {.kind = DistributionKind::uniform, .low = 1, .high = 9}};
    StudyScenario study{test::small("global_shutdown"), {other}};
    study.scenario.seed = 11;
    use_sample(study, sample);
    REQUIRE(study.uncertain.size() == 3);
    CHECK(study.uncertain[0] == other);  // fields outside the sample stay independent
    std::map<std::size_t, int> rows_seen;
    for (std::uint64_t draw = 0; draw < 200; ++draw) {
        Scenario s = study.scenario;
        apply_parameter_draw(s, study.uncertain, draw);
        const double days = parameter_value(s, "segments.consumer.patience_days");
        const double capability = parameter_value(s, "models.a_frontier.capability");
        const auto row = static_cast<std::size_t>(std::lround(days - 2));
        REQUIRE(row < sample.rows.size());
        CHECK(capability == Approx(sample.rows[row][1]));  // the same row for both fields
        CHECK(row == sample_row("calib.h5", sample.rows.size(), 11, draw));
        ++rows_seen[row];
        // The independent field draws as it would without the sample.
        CHECK(parameter_value(s, other.key_path) == Approx(std::clamp(parameter_draw(other, 11, draw), 1.0, 9.0)));
    }
    CHECK(rows_seen.size() == sample.rows.size());  // every row is reachable
    int moved = 0;  // another seed picks other rows
    for (std::uint64_t draw = 0; draw < 20; ++draw) moved += sample_row("calib.h5", 20, 11, draw) != sample_row("calib.h5", 20, 12, draw);
    CHECK(moved > 10);
}

TEST_CASE("a parameter sample that does not fit the scenario is refused with the reason") {
    StudyScenario study{test::small("global_shutdown"), {}};
    auto refused = [&](ParameterSample sample) {
        try {
            use_sample(study, sample);
        } catch (const ParameterError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(refused({"c.h5", {"segments.consumer.patience_days"}, {}}), Contains("has no rows"));
    CHECK_THAT(refused({"c.h5", {"segments.consumer.patience_days"}, {{3, 4}}}), Contains("row 0 has 2 values for 1"));
    CHECK_THAT(refused({"c.h5", {"models.a_frontier.capability"}, {{-1}}}), Contains("outside the field's range"));
    CHECK_THAT(refused({"c.h5", {"segments.consumer.nope"}, {{1}}}), Contains("'nope' is not a field"));
    CHECK_THAT(refused({"c.h5", {"segments.consumer.patience_days", "segments.consumer.patience_days"}, {{1, 2}}}),
               Contains("twice"));
}

// Behavioural statements about the model, each one falsifiable on a small population.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/world.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {
// Every segment with the given patience and return probability.
std::vector<std::string> all_segments(const Scenario& s, const std::string& field, const std::string& value) {
    std::vector<std::string> out;
    for (const auto& g : s.segments) out.push_back("segments." + g.id + "." + field + "=" + value);
    return out;
}
}  // namespace

TEST_CASE("with no restore and no patience, every user of a shut-down model ends on an alternative") {
    auto s = test::small("global_shutdown", {"directive.restore_after_days=never"});
    s = test::with(s, all_segments(s, "patience_days", "0"));
    const auto r = test::run(s);
    const auto last = static_cast<std::size_t>(s.days - 1);
    CHECK(r.series_named("waiting").at(last) == 0);
    CHECK(r.scalar("churn_at_horizon") == Approx(r.scalar("affected_users")));
    CHECK(r.scalar("churn_share") == Approx(1.0));
    // The models in scope serve nobody.
    const auto& by_model = r.series_named("users_by_model");
    for (const auto& id : s.directive.models) CHECK(by_model.at(last, static_cast<std::size_t>(index_of(s.models, id))) == 0);
}

TEST_CASE("with the directive removed, the run equals the baseline") {
    const auto baseline = test::run(test::small("baseline"));
    const auto removed = test::run(test::small("global_shutdown", {"directive.rule=open"}));
    REQUIRE(baseline.series.size() == removed.series.size());
    for (std::size_t i = 0; i < baseline.series.size(); ++i) {
        const auto& a = baseline.series[i].values;
        const auto& b = removed.series[i].values;
        REQUIRE(a.size() == b.size());
        CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
    }
    CHECK(removed.scalar("peak_blocked") == 0);
    CHECK(removed.scalar("churn_at_horizon") == 0);
}

TEST_CASE("a longer outage never gives less churn") {
    const auto s = test::small("global_shutdown");
    double previous = -1;
    for (const char* days : {"0", "5", "10", "20", "40", "80", "never"}) {
        const auto r = test::run(test::with(s, {std::string("directive.restore_after_days=") + days}));
        const double churn = r.scalar("churn_at_horizon");
        INFO("restore after " << days << " days: churn " << churn);
        CHECK(churn >= previous);
        previous = churn;
    }
    CHECK(previous > 0);
}

TEST_CASE("patient users wait; impatient users switch at once") {
    auto s = test::small("global_shutdown", {"directive.restore_after_days=never"});
    const auto impatient = test::run(test::with(s, all_segments(s, "patience_days", "0")));
    const auto patient = test::run(test::with(s, all_segments(s, "patience_days", "60")));
    const auto day = static_cast<std::size_t>(s.directive.day + 3);
    CHECK(impatient.series_named("waiting").at(day) == 0);
    CHECK(patient.series_named("waiting").at(day) > 0.9 * patient.scalar("affected_users"));
}

TEST_CASE("returns decay with time away") {
    auto s = test::small("global_shutdown");
    s = test::with(s, all_segments(s, "patience_days", "0"));
    auto returned_share = [&](int away) {
        const auto r = test::run(test::with(s, {"directive.restore_after_days=" + std::to_string(away)}));
        return r.series_named("returned").at(static_cast<std::size_t>(s.days - 1)) / r.scalar("affected_users");
    };
    const double quick = returned_share(5), slow = returned_share(100);
    CHECK(quick > slow);
    // With everyone switching on day one, the share returning is the average of
    // return_probability * 2^(-away / half_life) over segments, weighted by their size.
    double expected = 0;
    for (const auto& g : s.segments) expected += g.user_share * g.return_probability * std::exp2(-5.0 / g.return_half_life_days);
    CHECK(quick == Approx(expected).margin(0.03));
}

TEST_CASE("switchers choose by logit: a more capable alternative draws more of them") {
    auto s = test::small("global_shutdown", {"directive.restore_after_days=never"}, 20000);
    s = test::with(s, all_segments(s, "patience_days", "0"));
    const auto base = test::run(s);
    const auto boosted = test::run(test::with(s, {"models.c_flagship.capability=1.2"}));
    const auto c = static_cast<std::size_t>(index_of(s.models, "c_flagship"));
    const auto last = static_cast<std::size_t>(s.days - 1);
    CHECK(boosted.series_named("users_by_model").at(last, c) > 1.2 * base.series_named("users_by_model").at(last, c));
}

TEST_CASE("logit shares of switchers match the closed form") {
    // One segment, no loyalty, no price effect: shares among alternatives are softmax(5 * capability).
    auto s = test::small("global_shutdown", {"directive.restore_after_days=never"}, 60000);
    std::string segments = "segments={";
    for (const auto& g : s.segments) segments += g.id + ": null, ";
    segments += "only: {user_share: 1, patience_days: 0, capability_weight: 5, price_weight: 0, provider_loyalty: 0, "
                "return_probability: 0, return_half_life_days: 10}}";
    s = test::with(s, {segments});
    REQUIRE(s.segments.size() == 1);
    const auto shutdown = test::run(s);
    const auto open = test::run(test::with(s, {"directive.rule=open"}));  // same world, no directive
    double denominator = 0;
    for (const auto& m : s.models)
        if (std::find(s.directive.models.begin(), s.directive.models.end(), m.id) == s.directive.models.end())
            denominator += std::exp(5 * m.capability);
    const auto last = static_cast<std::size_t>(s.days - 1);
    for (const char* id : {"b_flagship", "f_flagship", "open_large"}) {
        const auto m = static_cast<std::size_t>(index_of(s.models, id));
        const double gained = shutdown.series_named("users_by_model").at(last, m) - open.series_named("users_by_model").at(last, m);
        INFO(id);
        CHECK(gained / shutdown.scalar("affected_users") ==
              Approx(std::exp(5 * s.models[m].capability) / denominator).margin(0.02));
    }
}

#include <catch2/catch.hpp>

#include "model/world.hpp"
#include "support.hpp"

using namespace gatesim;

TEST_CASE("individual users follow the scenario's shares") {
    const auto s = test::small("baseline", {"enterprises.agents=0"}, 100000);
    const World w = synthesise_world(s, s.seed, 0, 2);
    REQUIRE(w.users.size() == 100000);
    std::vector<double> region(s.regions.size()), segment(s.segments.size()), api_model(s.models.size());
    double us_in_us = 0, weight = 0, api_users = 0;
    const int us = index_of(s.regions, "us");
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        region[w.users.region[i]] += 1;
        segment[w.users.segment[i]] += 1;
        if (w.users.channel[i] == channel_api) {
            api_model[w.users.home[i]] += 1;
            api_users += 1;
        }
        if (w.users.region[i] == us) us_in_us += w.users.nationality[i] == Nationality::us_person;
        weight += w.users.weight[i];
        REQUIRE(w.users.employer[i] == no_employer);
    }
    for (std::size_t r = 0; r < s.regions.size(); ++r) CHECK(region[r] / 1e5 == Approx(s.regions[r].user_share).margin(0.01));
    for (std::size_t g = 0; g < s.segments.size(); ++g) CHECK(segment[g] / 1e5 == Approx(s.segments[g].user_share).margin(0.01));
    // Every model is on the API, so API users' preferred models follow the market shares.
    for (std::size_t m = 0; m < s.models.size(); ++m) CHECK(api_model[m] / api_users == Approx(s.models[m].user_share).margin(0.02));
    CHECK(us_in_us / region[us] == Approx(s.regions[us].us_person_share).margin(0.01));
    CHECK(weight == Approx(s.population.users).epsilon(1e-9));  // agents stand for real users
}

TEST_CASE("employees belong to enterprises and share their region, channel and model") {
    const auto s = test::small("baseline", {}, 50000);
    const World w = synthesise_world(s, s.seed, 0, 1);
    const auto& e = w.enterprises;
    REQUIRE(e.size() == static_cast<std::size_t>(s.enterprises.agents));
    const int employee_segment = index_of(s.segments, s.enterprises.employee_segment);
    double employees = 0, foreign = 0;
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        const bool employee = w.users.segment[i] == employee_segment;
        REQUIRE((w.users.employer[i] != no_employer) == employee);
        if (!employee) continue;
        const auto k = static_cast<std::size_t>(w.users.employer[i]);
        REQUIRE(w.users.region[i] == e.region[k]);
        REQUIRE(w.users.channel[i] == e.channel[k]);
        REQUIRE(w.users.home[i] == e.primary[k]);
        employees += w.users.weight[i];
        foreign += w.users.nationality[i] == Nationality::foreign_national ? w.users.weight[i] : 0.0;
    }
    CHECK(employees / s.population.users == Approx(s.segments[static_cast<std::size_t>(employee_segment)].user_share).margin(0.01));
    CHECK(foreign > 0);
    double multi = 0, direct = 0;
    for (std::size_t k = 0; k < e.size(); ++k) {
        multi += e.fallback[k] != no_model;
        direct += e.channel[k] == channel_api;
        if (e.fallback[k] != no_model) REQUIRE(w.model_provider[e.fallback[k]] != w.model_provider[e.primary[k]]);
    }
    CHECK(multi / e.size() == Approx(s.enterprises.multi_homed_share).margin(0.03));
    double partner_share = 0;
    for (const auto& p : s.cloud_partners) partner_share += p.enterprise_share;
    CHECK(direct / e.size() == Approx(1 - partner_share).margin(0.03));
}

TEST_CASE("the population does not depend on the thread count") {
    const auto s = test::small("baseline", {}, 20000);
    const World a = synthesise_world(s, 5, 0, 1), b = synthesise_world(s, 5, 0, 2);
    CHECK(a.users.region == b.users.region);
    CHECK(a.users.nationality == b.users.nationality);
    CHECK(a.users.employer == b.users.employer);
    CHECK(a.users.home == b.users.home);
    CHECK(a.users.flags == b.users.flags);
}

TEST_CASE("seeds and replicates give different populations") {
    const auto s = test::small("baseline", {}, 20000);
    CHECK(synthesise_world(s, 5, 0, 1).users.home != synthesise_world(s, 6, 0, 1).users.home);
    CHECK(synthesise_world(s, 5, 0, 1).users.home != synthesise_world(s, 5, 1, 1).users.home);
}

TEST_CASE("an agent's columns stay within the memory budget") {
    CHECK(Users::bytes_per_agent() <= 64);
}

TEST_CASE("draws of distribution-typed fields are clamped to the field's range, whatever the parameters") {
    // Built in code, so the loader's checks do not apply: the world must still hold finite values.
    const auto reference = test::small("baseline", {}, 20000);
    auto s = reference;
    for (auto& g : s.segments) g.tasks_per_day = {.kind = DistributionKind::lognormal, .median = 3, .sigma = 50};
    s.enterprises.employees = {.kind = DistributionKind::lognormal, .median = 40, .sigma = 60};
    const World w = synthesise_world(s, s.seed, 0, 1);
    float most_value = 0;
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        REQUIRE(std::isfinite(w.users.daily_value[i]));
        REQUIRE(std::isfinite(w.users.daily_tokens[i]));
        const Segment& g = s.segments[w.users.segment[i]];
        REQUIRE(w.users.daily_value[i] <= static_cast<float>(1e4 * g.value_per_task) * 1.0001f);
        most_value = std::max(most_value, w.users.daily_value[i]);
    }
    CHECK(most_value > 0);
    // No money figure becomes inf or NaN: NaN only where it means "undefined" in the ordinary
    // run too (the capability gap of a day nobody is blocked).
    const Results r = test::run(s), usual = test::run(reference);
    for (const auto& x : r.scalars) CHECK_FALSE(std::isinf(x.value));
    REQUIRE(r.series.size() == usual.series.size());
    for (std::size_t k = 0; k < r.series.size(); ++k)
        for (std::size_t i = 0; i < r.series[k].values.size(); ++i) {
            const double v = r.series[k].values[i];
            INFO(r.series[k].name);
            REQUIRE_FALSE(std::isinf(v));
            if (std::isnan(v)) REQUIRE(std::isnan(usual.series[k].values[i]));
        }
}

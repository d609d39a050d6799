// The synthetic population: shares by region and kind of user, channels, plans, employers.
#include <catch2/catch.hpp>

#include "model/market.hpp"
#include "model/world.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {

std::size_t model(const Scenario& s, const char* id) { return static_cast<std::size_t>(index_of(s.models, id)); }
std::size_t region(const Scenario& s, const char* id) { return static_cast<std::size_t>(index_of(s.regions, id)); }

}  // namespace

TEST_CASE("individual users follow the scenario's shares, region by region") {
    const auto s = test::small("baseline", {"enterprises.agents=0"}, 100000);
    const World w = synthesise_world(s, s.seed, 0, 2);
    REQUIRE(w.users.size() == 100000);
    std::vector<double> regions(s.regions.size()), segment(s.segments.size()), api_model(s.models.size()), expected_api(s.models.size());
    double us_in_us = 0, weight = 0, api_users = 0;
    const auto us = region(s, "us");
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        regions[w.users.region[i]] += 1;
        segment[w.users.segment[i]] += 1;
        if (w.users.channel[i] != channel_consumer) {
            api_model[w.users.home[i]] += 1;
            api_users += 1;
            const auto shares = home_shares(s, w.users.region[i], BuyerKind::api);
            for (std::size_t m = 0; m < s.models.size(); ++m) expected_api[m] += shares[m];
        }
        if (w.users.region[i] == us) us_in_us += w.users.nationality[i] == Nationality::us_person;
        weight += w.users.weight[i];
        REQUIRE(w.users.employer[i] == no_employer);
    }
    for (std::size_t r = 0; r < s.regions.size(); ++r) CHECK(regions[r] / 1e5 == Approx(s.regions[r].user_share).margin(0.01));
    for (std::size_t g = 0; g < s.segments.size(); ++g) CHECK(segment[g] / 1e5 == Approx(s.segments[g].user_share).margin(0.01));
    // API users' preferred models follow base share x provider weight in their region.
    for (std::size_t m = 0; m < s.models.size(); ++m) CHECK(api_model[m] / api_users == Approx(expected_api[m] / api_users).margin(0.02));
    CHECK(us_in_us / regions[us] == Approx(s.regions[us].us_person_share).margin(0.01));
    CHECK(weight == Approx(s.population.users).epsilon(1e-9));  // agents stand for real users
}

TEST_CASE("a provider absent from a region has no users or enterprises there; a weight of 2 doubles its odds") {
    // Default world: the US providers do not serve china.
    const auto s = test::small("baseline", {"enterprises.agents=5000"}, 60000);
    const World w = synthesise_world(s, s.seed, 0, 2);
    const auto china = region(s, "china");
    const int lab_a = index_of(s.providers, "lab_a");
    double chinese = 0;
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        if (w.users.region[i] != china) continue;
        chinese += 1;
        REQUIRE(s.providers[static_cast<std::size_t>(w.model_provider[w.users.home[i]])].jurisdiction != Jurisdiction::us);
    }
    REQUIRE(chinese > 1000);
    for (std::size_t e = 0; e < w.enterprises.size(); ++e)
        if (w.enterprises.region[e] == china) {
            REQUIRE(w.model_provider[w.enterprises.primary[e]] != lab_a);
            if (w.enterprises.fallback[e] != no_model) REQUIRE(s.providers[static_cast<std::size_t>(w.model_provider[w.enterprises.fallback[e]])].jurisdiction != Jurisdiction::us);
        }
    // One region only, lab_a weighing 1 or 2: the odds of lab_a among consumers double.
    auto odds = [&](const char* weight) {
        const auto one = test::with(s, {"regions={us: {user_share: 1, enterprise_share: 1}, india: null, brazil: null, japan: null, "
                                        "south_korea: null, europe: null, rest: null, china: null}",
                                        std::string("regions.us.provider_weights.lab_a=") + weight, "enterprises.agents=0"});
        const World x = synthesise_world(one, one.seed, 0, 2);
        double a = 0, consumers = 0;
        for (std::size_t i = 0; i < x.users.size(); ++i) {
            if (x.users.channel[i] != channel_consumer) continue;
            consumers += 1;
            a += x.model_provider[x.users.home[i]] == lab_a;
        }
        return a / (consumers - a);
    };
    const double expected = 2 * odds("1");
    CHECK(odds("2") == Approx(expected).epsilon(0.15));  // about 1,300 lab_a consumers each: binomial noise ~4%
}

TEST_CASE("API buyers reach models through the provider's cloud mix") {
    const auto s = test::small("baseline", {"enterprises.agents=20000"}, 200000);
    const World w = synthesise_world(s, s.seed, 0, 2);
    const auto lab_a = static_cast<std::size_t>(index_of(s.providers, "lab_a"));
    const auto cloud_x = channel_cloud_first + static_cast<std::size_t>(index_of(s.cloud_partners, "cloud_x"));
    // Enterprises whose primary model is lab_a's, and lab_a's developers and researchers.
    double enterprises = 0, enterprises_on_x = 0, developers = 0, developers_on_x = 0;
    for (std::size_t e = 0; e < w.enterprises.size(); ++e) {
        if (static_cast<std::size_t>(w.model_provider[w.enterprises.primary[e]]) != lab_a) continue;
        enterprises += 1;
        enterprises_on_x += w.enterprises.channel[e] == cloud_x;
    }
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        if (w.users.employer[i] != no_employer || w.users.channel[i] == channel_consumer) continue;
        if (static_cast<std::size_t>(w.model_provider[w.users.home[i]]) != lab_a) continue;
        developers += 1;
        developers_on_x += w.users.channel[i] == cloud_x;
    }
    REQUIRE(enterprises > 1000);
    REQUIRE(developers > 1000);
    CHECK(enterprises_on_x / enterprises == Approx(s.providers[lab_a].cloud_mix.enterprise.at("cloud_x")).margin(0.03));
    CHECK(developers_on_x / developers == Approx(s.providers[lab_a].cloud_mix.api.at("cloud_x")).margin(0.02));
    // Nobody is on a partner that does not host its model, nor individuals on a partner while they use the app.
    for (std::size_t i = 0; i < w.users.size(); ++i) REQUIRE(offered_at_start(s, w.users.home[i], w.users.channel[i]));
}

TEST_CASE("paying users follow each provider's paying share, and heavy users carry the model's token intensity") {
    const auto s = test::small("baseline", {"enterprises.agents=0"}, 200000);
    const World w = synthesise_world(s, s.seed, 0, 2);
    const auto consumer = static_cast<std::size_t>(index_of(s.segments, "consumer"));
    const auto developer = static_cast<std::size_t>(index_of(s.segments, "developer"));
    const auto lab_b = index_of(s.providers, "lab_b");
    double b_consumers = 0, b_paying = 0, tokens_a = 0, n_a = 0, tokens_other = 0, n_other = 0;
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        const int p = w.model_provider[w.users.home[i]];
        if (w.users.segment[i] == consumer && p == lab_b) {
            b_consumers += 1;
            b_paying += (w.users.flags[i] & flag_pays_home) != 0;
        }
        if (w.users.segment[i] == developer) {
            const double t = w.users.daily_tokens[i];
            if (s.models[w.users.home[i]].provider == "lab_a") tokens_a += t, n_a += 1;
            else tokens_other += t, n_other += 1;
        }
    }
    const auto& plan = s.providers[static_cast<std::size_t>(lab_b)].plans[static_cast<std::size_t>(index_of(s.providers[static_cast<std::size_t>(lab_b)].plans, "consumer"))];
    CHECK(b_paying / b_consumers == Approx(plan.paying_share).margin(0.005));
    CHECK((tokens_a / n_a) / (tokens_other / n_other) == Approx(s.models[model(s, "a_frontier")].token_intensity).epsilon(0.1));
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
    double multi = 0;
    for (std::size_t k = 0; k < e.size(); ++k) {
        multi += e.fallback[k] != no_model;
        if (e.fallback[k] != no_model) REQUIRE(w.model_provider[e.fallback[k]] != w.model_provider[e.primary[k]]);
    }
    CHECK(multi / e.size() == Approx(s.enterprises.multi_homed_share).margin(0.03));
}

TEST_CASE("the population does not depend on the thread count") {
    const auto s = test::small("baseline", {}, 20000);
    const World a = synthesise_world(s, 5, 0, 1), b = synthesise_world(s, 5, 0, 2);
    CHECK(a.users.region == b.users.region);
    CHECK(a.users.nationality == b.users.nationality);
    CHECK(a.users.employer == b.users.employer);
    CHECK(a.users.home == b.users.home);
    CHECK(a.users.channel == b.users.channel);
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

#include <catch2/catch.hpp>

#include "core/world.hpp"
#include "support.hpp"

using namespace gatesim;

TEST_CASE("the population follows the scenario's shares") {
    const auto s = test::small("baseline", {}, 100000);
    const World w = synthesise_world(s, s.seed, 0, 2);
    REQUIRE(w.users.size() == 100000);
    std::vector<double> region(s.regions.size()), model(s.models.size());
    double us_in_us = 0, weight = 0;
    const int us = index_of(s.regions, "us");
    for (std::size_t i = 0; i < w.users.size(); ++i) {
        region[w.users.region[i]] += 1;
        model[w.users.preferred[i]] += 1;
        if (w.users.region[i] == us) us_in_us += w.users.nationality[i] == Nationality::us_person;
        weight += w.users.weight[i];
    }
    for (std::size_t r = 0; r < s.regions.size(); ++r) CHECK(region[r] / 1e5 == Approx(s.regions[r].user_share).margin(0.01));
    for (std::size_t m = 0; m < s.models.size(); ++m) CHECK(model[m] / 1e5 == Approx(s.models[m].user_share).margin(0.01));
    CHECK(us_in_us / region[us] == Approx(s.regions[us].us_person_share).margin(0.01));
    CHECK(weight == Approx(s.population.users).epsilon(1e-4));  // agents stand for real users
}

TEST_CASE("the population does not depend on the thread count") {
    const auto s = test::small("baseline", {}, 20000);
    const World a = synthesise_world(s, 5, 0, 1), b = synthesise_world(s, 5, 0, 2);
    CHECK(a.users.region == b.users.region);
    CHECK(a.users.nationality == b.users.nationality);
    CHECK(a.users.segment == b.users.segment);
    CHECK(a.users.preferred == b.users.preferred);
}

TEST_CASE("seeds and replicates give different populations") {
    const auto s = test::small("baseline", {}, 20000);
    CHECK(synthesise_world(s, 5, 0, 1).users.preferred != synthesise_world(s, 6, 0, 1).users.preferred);
    CHECK(synthesise_world(s, 5, 0, 1).users.preferred != synthesise_world(s, 5, 1, 1).users.preferred);
}

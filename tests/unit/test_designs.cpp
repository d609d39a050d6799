// Unit tests for experimental designs (sim/core/designs.cpp): Sobol' points against published
// values and the net property, Latin hypercube stratification, grid size and value mapping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "study/designs.hpp"

using namespace gatesim;

TEST_CASE("the Sobol' sequence starts with the published points") {
    // Joe & Kuo direction numbers, Gray-code order (as scipy.stats.qmc.Sobol(scramble=False)).
    SobolSequence s(3);
    const std::vector<std::vector<double>> expected{{0, 0, 0},           {0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},
                                                    {0.25, 0.75, 0.75},  {0.375, 0.375, 0.625}, {0.875, 0.875, 0.125},
                                                    {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375}};
    for (const auto& e : expected) CHECK(s.next() == e);
    // A later point in a high dimension, checked against scipy 1.10 (point 999, dimensions 38..40).
    SobolSequence high(40);
    std::vector<double> p;
    for (int i = 0; i < 1000; ++i) p = high.next();
    CHECK(p[0] == 0.1572265625);
    CHECK(p[1] == 0.9091796875);
}

TEST_CASE("every dimension of the first 2^m Sobol' points puts one point in each 1/2^m interval") {
    const std::size_t n = 256;
    const SampleMatrix m = sobol_points(n - 1, SobolSequence::max_dimensions);  // plus the skipped origin
    for (std::size_t d = 0; d < m.cols; ++d) {
        std::set<std::size_t> cells{0};  // the origin
        for (std::size_t i = 0; i < m.rows; ++i) cells.insert(static_cast<std::size_t>(m(i, d) * n));
        REQUIRE(cells.size() == n);
    }
    // Two-dimensional stratification of dimensions 1 and 2: 16 x 16 cells of 256 points.
    std::set<std::pair<int, int>> squares{{0, 0}};
    for (std::size_t i = 0; i < m.rows; ++i) squares.insert({static_cast<int>(m(i, 0) * 16), static_cast<int>(m(i, 1) * 16)});
    CHECK(squares.size() == 256);
    CHECK_THROWS_AS(SobolSequence(SobolSequence::max_dimensions + 1), std::invalid_argument);
}

TEST_CASE("a Latin hypercube puts exactly one point in each stratum of every dimension") {
    const std::size_t n = 50, k = 4;
    const SampleMatrix m = latin_hypercube(n, k, 99);
    for (std::size_t d = 0; d < k; ++d) {
        std::vector<int> hits(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            REQUIRE((m(i, d) > 0 && m(i, d) < 1));
            ++hits[static_cast<std::size_t>(m(i, d) * n)];
        }
        CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
    }
    CHECK(latin_hypercube(n, k, 99).data == m.data);  // deterministic in the seed
    CHECK(latin_hypercube(n, k, 98).data != m.data);
}

TEST_CASE("designs map unit coordinates to parameter values") {
    SweepParameter list{.key_path = "a", .kind = SweepParameter::Kind::values, .values = {7, 14, 28}};
    SweepParameter range{.key_path = "b", .kind = SweepParameter::Kind::range, .low = 2, .high = 4};
    SweepParameter dist{.key_path = "c", .kind = SweepParameter::Kind::distribution,
                        .distribution = {.kind = DistributionKind::uniform, .low = 0, .high = 10}};
    CHECK(list.at(0.1) == 7);
    CHECK(list.at(0.5) == 14);
    CHECK(list.at(0.99) == 28);
    CHECK(range.at(0.25) == 2.5);
    CHECK(dist.at(0.3) == 3);
    CHECK(range.grid_values(3) == std::vector<double>{2, 3, 4});
    CHECK(dist.grid_values(2) == std::vector<double>{2.5, 7.5});  // centres of equal-probability strata

    SECTION("a full grid is the cartesian product, last parameter fastest") {
        const Design g = make_design({list, range}, SweepDesign::grid, 3, 1);
        REQUIRE(g.values.rows == 9);
        CHECK(g.values(0, 0) == 7);
        CHECK(g.values(0, 1) == 2);
        CHECK(g.values(1, 1) == 3);
        CHECK(g.values(3, 0) == 14);
        CHECK(g.unit.rows == 0);
    }
    SECTION("explicit levels override the default") {
        range.levels = 5;
        CHECK(make_design({list, range}, SweepDesign::grid, 3, 1).values.rows == 15);
    }
    SECTION("LHS and Sobol' designs have the requested points, values from the unit coordinates") {
        for (auto kind : {SweepDesign::lhs, SweepDesign::sobol}) {
            const Design d = make_design({list, range, dist}, kind, 16, 3);
            REQUIRE(d.values.rows == 16);
            REQUIRE(d.unit.rows == 16);
            for (std::size_t i = 0; i < 16; ++i) CHECK(d.values(i, 1) == range.at(d.unit(i, 1)));
        }
    }
    CHECK_THROWS_AS(make_design({}, SweepDesign::lhs, 4, 1), std::invalid_argument);
}

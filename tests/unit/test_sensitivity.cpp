// Validation of the sensitivity estimators (sim/core/sensitivity.cpp) against closed forms: the
// Ishigami function's analytic Sobol' indices and a linear model's indices and elementary effects.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "study/sensitivity.hpp"

using namespace gatesim;

namespace {

// Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3.
double ishigami(double u1, double u2, double u3) {
    const double x1 = -M_PI + 2 * M_PI * u1, x2 = -M_PI + 2 * M_PI * u2, x3 = -M_PI + 2 * M_PI * u3;
    return std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
}

template <class F>
std::vector<double> evaluate(const SampleMatrix& unit, F f) {
    std::vector<double> y;
    for (std::size_t r = 0; r < unit.rows; ++r) y.push_back(f(unit, r));
    return y;
}

}  // namespace

TEST_CASE("Sobol' indices of the Ishigami function match the analytic values") {
    const auto design = saltelli_design(8192, 3);
    const auto y = evaluate(design.unit, [](const SampleMatrix& u, std::size_t r) { return ishigami(u(r, 0), u(r, 1), u(r, 2)); });
    const auto s = sobol_indices(design, y, 200, 0.95, 1);
    // Analytic: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437. A tolerance of 0.01 rejects
    // swapped or mis-normalised estimators (e.g. S1 of x3 and ST of x3 differ by 0.24).
    const std::vector<double> first{0.3139, 0.4424, 0.0}, total{0.5576, 0.4424, 0.2437};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(s.first[i] == Approx(first[i]).margin(0.01));
        CHECK(s.total[i] == Approx(total[i]).margin(0.01));
        CHECK(s.first_low[i] <= s.first[i]);
        CHECK(s.first_high[i] >= s.first[i]);
        CHECK(s.total_low[i] <= first[i] + total[i]);  // sanity: intervals are ordered and finite
        CHECK(s.total_low[i] < s.total_high[i]);
    }
    // Analytic output variance: a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2.
    const double variance = 49.0 / 8 + 0.1 * std::pow(M_PI, 4) / 5 + 0.01 * std::pow(M_PI, 8) / 18 + 0.5;
    CHECK(s.variance == Approx(variance).epsilon(0.02));
}

TEST_CASE("Sobol' indices of a linear model match the closed form, and the intervals cover it") {
    // y = sum a_i u_i with u_i ~ U(0,1): S_i = ST_i = a_i^2 / sum a_j^2.
    const std::vector<double> a{1, 2, 3, 0};
    const auto design = saltelli_design(4096, a.size());
    const auto y = evaluate(design.unit, [&](const SampleMatrix& u, std::size_t r) {
        double sum = 0;
        for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * u(r, i);
        return sum;
    });
    const auto s = sobol_indices(design, y, 500, 0.99, 2);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double expected = a[i] * a[i] / 14.0;
        CHECK(s.first[i] == Approx(expected).margin(0.005));
        CHECK(s.total[i] == Approx(expected).margin(0.005));
        CHECK(s.first_low[i] <= expected + 1e-12);
        CHECK(s.first_high[i] >= expected - 1e-12);
    }
    CHECK(s.total[3] == 0);  // a factor with no effect has exactly no total effect
}

TEST_CASE("the Saltelli design stacks A, B and the AB_i matrices") {
    const auto d = saltelli_design(16, 3);
    REQUIRE(d.unit.rows == 16 * 5);
    for (std::size_t j = 0; j < 16; ++j)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t c = 0; c < 3; ++c)
                REQUIRE(d.unit(d.row_ab(i, j), c) == (c == i ? d.unit(d.row_b(j), c) : d.unit(d.row_a(j), c)));
    CHECK_THROWS_AS(saltelli_design(16, SobolSequence::max_dimensions / 2 + 1), std::invalid_argument);
}

TEST_CASE("Morris trajectories move each factor once by levels / (2 (levels - 1))") {
    const auto d = morris_design(5, 12, 4, 7);
    REQUIRE(d.unit.rows == 12 * 6);
    for (std::size_t t = 0; t < 12; ++t) {
        std::set<std::size_t> moved;
        for (std::size_t s = 0; s < 5; ++s) {
            const std::size_t i = d.moved[t * 5 + s];
            moved.insert(i);
            for (std::size_t c = 0; c < 5; ++c) {
                const double step = d.unit(t * 6 + s + 1, c) - d.unit(t * 6 + s, c);
                REQUIRE(step == (c == i ? step : 0.0));
                if (c == i) REQUIRE(std::abs(step) == Approx(2.0 / 3.0));  // 4 levels
            }
        }
        CHECK(moved.size() == 5);
    }
}

TEST_CASE("Morris elementary effects of a linear model are its coefficients, with no spread") {
    const std::vector<double> a{1, -2, 3, 0};
    const auto d = morris_design(a.size(), 20, 4, 3);
    const auto y = evaluate(d.unit, [&](const SampleMatrix& u, std::size_t r) {
        double sum = 0;
        for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * u(r, i);
        return sum;
    });
    const auto m = morris_indices(d, y, 100, 0.95, 1);
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(m.mu[i] == Approx(a[i]).margin(1e-12));
        CHECK(m.mu_star[i] == Approx(std::abs(a[i])).margin(1e-12));
        CHECK(m.sigma[i] == Approx(0).margin(1e-12));
    }
}

TEST_CASE("Morris screening of the Ishigami function ranks x1 first and finds x3's interaction") {
    const auto d = morris_design(3, 200, 4, 5);
    const auto y = evaluate(d.unit, [](const SampleMatrix& u, std::size_t r) { return ishigami(u(r, 0), u(r, 1), u(r, 2)); });
    const auto m = morris_indices(d, y, 200, 0.95, 1);
    // Effects of x3 exist only through its interaction with x1: its mu is ~0 but sigma is not.
    CHECK(m.mu_star[0] > m.mu_star[2]);
    CHECK(std::abs(m.mu[2]) < 0.3 * m.sigma[2]);
    CHECK(m.mu_star_low[0] <= m.mu_star[0]);
    CHECK(m.mu_star_high[0] >= m.mu_star[0]);
}

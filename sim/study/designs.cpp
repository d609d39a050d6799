// Sobol' sequence, Latin hypercube, full grid, and unit-to-value mapping of swept parameters.
#include "study/designs.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "model/rng.hpp"

namespace gatesim {
namespace {

// Joe & Kuo (2008) primitive polynomials and initial direction numbers for dimensions 2..40:
// degree s, interior polynomial coefficients a (bit k-1 holds the coefficient of x^(s-k)), and
// m_1..m_s. Dimension 1 uses m_k = 1 for every k.
struct DirectionSeed {
    unsigned degree;
    unsigned coefficients;
    std::array<unsigned, 8> m;
};

constexpr std::array<DirectionSeed, SobolSequence::max_dimensions - 1> joe_kuo = {{
    {1, 0, {1}},                               // dimension 2
    {2, 1, {1, 3}},                            // 3
    {3, 1, {1, 3, 1}},                         // 4
    {3, 2, {1, 1, 1}},                         // 5
    {4, 1, {1, 1, 3, 3}},                      // 6
    {4, 4, {1, 3, 5, 13}},                     // 7
    {5, 2, {1, 1, 5, 5, 17}},                  // 8
    {5, 4, {1, 1, 5, 5, 5}},                   // 9
    {5, 7, {1, 1, 7, 11, 19}},                 // 10
    {5, 11, {1, 1, 5, 1, 1}},                  // 11
    {5, 13, {1, 1, 1, 3, 11}},                 // 12
    {5, 14, {1, 3, 5, 5, 31}},                 // 13
    {6, 1, {1, 3, 3, 9, 7, 49}},               // 14
    {6, 13, {1, 1, 1, 15, 21, 21}},            // 15
    {6, 16, {1, 3, 1, 13, 27, 49}},            // 16
    {6, 19, {1, 1, 1, 15, 7, 5}},              // 17
    {6, 22, {1, 3, 1, 15, 13, 25}},            // 18
    {6, 25, {1, 1, 5, 5, 19, 61}},             // 19
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},        // 20
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},         // 21
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},          // 22
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},           // 23
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},        // 24
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},         // 25
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},        // 26
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},          // 27
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},          // 28
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},         // 29
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},         // 30
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},         // 31
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},         // 32
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},          // 33
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},         // 34
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},         // 35
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},         // 36
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},          // 37
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},   // 38
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},    // 39
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},   // 40
}};

// A uniform number in (0, 1).
double open_unit(RandomEngine& rng) {
    return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

SobolSequence::SobolSequence(std::size_t dimensions) : dimensions_(dimensions) {
    if (dimensions == 0 || dimensions > max_dimensions)
        throw std::invalid_argument("the Sobol' sequence supports 1 to " + std::to_string(max_dimensions) +
                                    " dimensions, not " + std::to_string(dimensions));
    directions_.resize(dimensions);
    state_.assign(dimensions, 0);
    // v_k = m_k / 2^k, stored as integers scaled by 2^bits.
    for (unsigned k = 1; k <= bits; ++k) directions_[0][k - 1] = std::uint64_t{1} << (bits - k);
    for (std::size_t d = 1; d < dimensions; ++d) {
        const DirectionSeed& seed = joe_kuo[d - 1];
        const unsigned s = seed.degree;
        auto& v = directions_[d];
        for (unsigned k = 1; k <= s; ++k) v[k - 1] = std::uint64_t{seed.m[k - 1]} << (bits - k);
        // m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ ... ^ 2^s m_{k-s} ^ m_{k-s}, in scaled form.
        for (unsigned k = s + 1; k <= bits; ++k) {
            std::uint64_t x = v[k - s - 1] ^ (v[k - s - 1] >> s);
            for (unsigned j = 1; j < s; ++j)
                if ((seed.coefficients >> (s - 1 - j)) & 1U) x ^= v[k - j - 1];
            v[k - 1] = x;
        }
    }
}

std::vector<double> SobolSequence::next() {
    std::vector<double> point(dimensions_);
    for (std::size_t d = 0; d < dimensions_; ++d) point[d] = static_cast<double>(state_[d]) * 0x1.0p-52;
    // Gray-code step: flip the direction of the lowest zero bit of the index.
    const auto c = static_cast<unsigned>(std::countr_one(index_));
    if (c >= bits) throw std::out_of_range("the Sobol' sequence is exhausted");
    for (std::size_t d = 0; d < dimensions_; ++d) state_[d] ^= directions_[d][c];
    ++index_;
    return point;
}

SampleMatrix sobol_points(std::size_t points, std::size_t dimensions) {
    SobolSequence sequence(dimensions);
    sequence.next();  // the origin
    SampleMatrix m(points, dimensions);
    for (std::size_t i = 0; i < points; ++i) {
        const auto p = sequence.next();
        std::copy(p.begin(), p.end(), m.data.begin() + static_cast<std::ptrdiff_t>(i * dimensions));
    }
    return m;
}

SampleMatrix latin_hypercube(std::size_t points, std::size_t dimensions, std::uint64_t seed) {
    SampleMatrix m(points, dimensions);
    const StreamKey key = StreamKey::of(seed, 0, Purpose::parameters, 1);
    std::vector<std::size_t> strata(points);
    for (std::size_t d = 0; d < dimensions; ++d) {
        RandomEngine rng(key, d, 0);
        std::iota(strata.begin(), strata.end(), 0);
        // Fisher-Yates with our own engine, so the order does not depend on the standard library.
        for (std::size_t i = points; i > 1; --i) {
            const auto j = std::min(i - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(i)));
            std::swap(strata[i - 1], strata[j]);
        }
        for (std::size_t i = 0; i < points; ++i)
            m(i, d) = (static_cast<double>(strata[i]) + open_unit(rng)) / static_cast<double>(points);
    }
    return m;
}

double SweepParameter::at(double u) const {
    switch (kind) {
        case Kind::values: {
            const auto i = std::min(values.size() - 1, static_cast<std::size_t>(u * static_cast<double>(values.size())));
            return values[i];
        }
        case Kind::range: return low + u * (high - low);
        case Kind::distribution: return distribution.quantile(u);
    }
    return low;
}

double SweepParameter::at_level(double u, std::size_t levels) const {
    switch (kind) {
        case Kind::values: {
            const double position = std::round(u * static_cast<double>(values.size() - 1));
            return values[std::min(values.size() - 1, static_cast<std::size_t>(position))];
        }
        case Kind::range: return low + u * (high - low);
        case Kind::distribution: {
            const double level = std::round(u * static_cast<double>(levels - 1));
            return distribution.quantile((level + 0.5) / static_cast<double>(levels));
        }
    }
    return low;
}

std::vector<double> SweepParameter::grid_values(int default_levels) const {
    if (kind == Kind::values) return values;
    const int n = levels > 0 ? levels : default_levels;
    std::vector<double> out;
    for (int i = 0; i < n; ++i) {
        if (kind == Kind::range) out.push_back(n == 1 ? 0.5 * (low + high) : low + (high - low) * i / (n - 1));
        else out.push_back(distribution.quantile((i + 0.5) / n));
    }
    return out;
}

Design make_design(const std::vector<SweepParameter>& parameters, SweepDesign kind, std::size_t points,
                   std::uint64_t seed) {
    Design design;
    design.kind = kind;
    const std::size_t k = parameters.size();
    if (k == 0) throw std::invalid_argument("a design needs at least one parameter");
    if (kind == SweepDesign::grid) {
        std::vector<std::vector<double>> levels;
        std::size_t total = 1;
        for (const auto& p : parameters) {
            levels.push_back(p.grid_values(static_cast<int>(std::min<std::size_t>(points, 1000000))));
            if (levels.back().empty())
                throw std::invalid_argument("parameter '" + p.key_path + "' has no grid values");
            total *= levels.back().size();
            if (total > max_grid_points)
                throw std::invalid_argument("the grid has more than " + std::to_string(max_grid_points) +
                                            " points; use fewer levels or a Latin hypercube");
        }
        design.values = SampleMatrix(total, k);
        for (std::size_t row = 0; row < total; ++row) {
            std::size_t rest = row;
            for (std::size_t c = k; c-- > 0;) {
                design.values(row, c) = levels[c][rest % levels[c].size()];
                rest /= levels[c].size();
            }
        }
        return design;
    }
    if (points == 0) throw std::invalid_argument("a design needs at least one point");
    design.unit = kind == SweepDesign::lhs ? latin_hypercube(points, k, seed) : sobol_points(points, k);
    design.values = SampleMatrix(points, k);
    for (std::size_t row = 0; row < points; ++row)
        for (std::size_t c = 0; c < k; ++c) design.values(row, c) = parameters[c].at(design.unit(row, c));
    return design;
}

}  // namespace gatesim

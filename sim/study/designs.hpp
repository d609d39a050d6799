// Experimental designs over scenario parameters: full grids, Latin hypercubes and Sobol'
// low-discrepancy sequences, and the mapping from unit coordinates to parameter values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/distribution.hpp"
#include "model/schema.hpp"
#include "study/limits.hpp"

namespace gatesim {

// Row-major matrix of sample coordinates or values: one row per point, one column per parameter.
struct SampleMatrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<double> data;

    SampleMatrix() = default;
    SampleMatrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c, 0.0) {}
    double& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
    double operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
};

// The Sobol' sequence (Sobol' 1967) in Gray-code order (Antonov & Saleev 1979), with the
// direction numbers of Joe & Kuo (2008, file new-joe-kuo-6.21201) for its first max_dimensions
// dimensions. Point 0 is the origin; designs skip it (quantile functions are infinite there).
class SobolSequence {
public:
    static constexpr std::size_t max_dimensions = 40;
    static constexpr unsigned bits = 52;  // resolution: 2^52 points before the sequence repeats

    explicit SobolSequence(std::size_t dimensions);  // throws std::invalid_argument beyond the limit
    std::size_t dimensions() const { return dimensions_; }
    // The next point (index 0 first), each coordinate in [0, 1).
    std::vector<double> next();

private:
    std::size_t dimensions_;
    std::uint64_t index_ = 0;
    std::vector<std::array<std::uint64_t, bits>> directions_;
    std::vector<std::uint64_t> state_;
};

// `points` points of the Sobol' sequence in `dimensions` dimensions, skipping the origin.
SampleMatrix sobol_points(std::size_t points, std::size_t dimensions);

// A Latin hypercube: each column's points fall one in each of `points` equal strata, in a
// random order, at a random position within the stratum (McKay, Beckman & Conover 1979).
// Deterministic in seed (stream: Purpose::parameters, block 1).
SampleMatrix latin_hypercube(std::size_t points, std::size_t dimensions, std::uint64_t seed);

enum class SweepDesign { grid, lhs, sobol };
template <>
struct EnumNames<SweepDesign> {
    static constexpr std::array<std::string_view, 3> names = {"grid", "lhs", "sobol"};
};

// One swept parameter: explicit values, a range, or a distribution.
struct SweepParameter {
    enum class Kind { values, range, distribution };
    std::string key_path;
    Kind kind = Kind::values;
    std::vector<double> values{};  // values
    double low = 0;                // range
    double high = 0;               // range
    Distribution distribution{};   // distribution
    int levels = 0;              // grid levels of a range or distribution (0: the design's default)

    // Unit coordinate u in (0, 1) -> value: lists pick the value in the u-th equal slice, ranges
    // are linear, distributions use their quantile function.
    double at(double u) const;
    // Value at a Morris grid coordinate u = l / (levels - 1): ranges linearly from low to high,
    // value lists at the nearest position, distributions at the quantile of the centre of the
    // l-th of `levels` equal-probability strata (their ends may be unbounded).
    double at_level(double u, std::size_t levels) const;
    // The grid levels: a list's values; a range's `levels` evenly spaced values from low to
    // high; a distribution's quantiles at the centres of `levels` equal-probability strata.
    std::vector<double> grid_values(int default_levels) const;
};

struct Design {
    SweepDesign kind = SweepDesign::grid;
    SampleMatrix unit;    // unit coordinates (empty for grids)
    SampleMatrix values;  // parameter values: one row per point, columns as the parameters
};

// Grids: the cartesian product of every parameter's grid values (last parameter fastest);
// `points` is the default number of levels for ranges and distributions. LHS and Sobol':
// `points` points. Throws std::invalid_argument for designs that cannot be built.
Design make_design(const std::vector<SweepParameter>& parameters, SweepDesign kind, std::size_t points,
                   std::uint64_t seed);

// Largest grid accepted: a plan's points (limits.hpp), to catch a typo before it queues a
// million runs.
inline constexpr std::size_t max_grid_points = max_points;

}  // namespace gatesim

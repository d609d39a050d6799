// Global sensitivity analysis: Morris elementary effects and Sobol' variance-based indices.
//
// Designs produce unit-cube coordinates (one row per model evaluation); estimators are pure
// functions of those designs and the model outputs, so they can be validated against
// closed-form cases (Ishigami, linear models) without running a simulation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/schema.hpp"
#include "study/designs.hpp"

namespace gatesim {

enum class SensitivityMethod { morris, sobol };
template <>
struct EnumNames<SensitivityMethod> {
    static constexpr std::array<std::string_view, 2> names = {"morris", "sobol"};
};

// Saltelli's sampling: matrices A and B from the first and last k columns of a 2k-dimensional
// Sobol' sequence (origin skipped), and for each parameter i the matrix AB_i = A with column i
// taken from B. Rows are stacked A, B, AB_1, ..., AB_k: n(k + 2) evaluations.
struct SaltelliDesign {
    std::size_t base_samples = 0;  // n
    std::size_t parameters = 0;    // k
    SampleMatrix unit;             // n(k + 2) x k

    std::size_t row_a(std::size_t j) const { return j; }
    std::size_t row_b(std::size_t j) const { return base_samples + j; }
    std::size_t row_ab(std::size_t i, std::size_t j) const { return (2 + i) * base_samples + j; }
};
// Throws std::invalid_argument when 2k exceeds SobolSequence::max_dimensions.
SaltelliDesign saltelli_design(std::size_t base_samples, std::size_t parameters);

struct SobolIndices {
    double variance = 0;          // of the output, over A and B
    std::vector<double> first;    // S_i: Saltelli et al. (2010) estimator
    std::vector<double> total;    // ST_i: Jansen (1999) estimator
    std::vector<double> first_low, first_high;  // bootstrap percentile intervals
    std::vector<double> total_low, total_high;
};
// outputs: one per design row. Bootstrap resamples the n base rows (with their AB_i rows).
// NaN throughout when the output is NaN somewhere or does not vary.
SobolIndices sobol_indices(const SaltelliDesign& design, const std::vector<double>& outputs,
                           std::size_t bootstrap, double confidence, std::uint64_t seed);

// Morris' one-at-a-time trajectories (Morris 1991). Each factor takes `levels` (even) values
// on the grid u = l / (levels - 1); a step moves one factor by levels / 2 grid steps
// (delta = levels / (2 (levels - 1)), up or down), each factor once per trajectory, in random
// order, from a random base point. Map u to values with SweepParameter::at_level.
struct MorrisDesign {
    std::size_t trajectories = 0;  // r
    std::size_t parameters = 0;    // k
    std::size_t levels = 0;
    SampleMatrix unit;             // r(k + 1) x k; trajectory t occupies rows t(k+1) .. t(k+1)+k
    std::vector<std::size_t> moved;  // r * k: the factor moved by each step
};
MorrisDesign morris_design(std::size_t parameters, std::size_t trajectories, std::size_t levels,
                           std::uint64_t seed);

// Elementary effects EE = (y(after) - y(before)) / (u(after) - u(before)), per unit of the
// factor's normalised range. mu: mean EE; mu_star: mean |EE| (Campolongo et al. 2007); sigma:
// standard deviation of EE (n - 1); bootstrap interval of mu_star over trajectories.
struct MorrisIndices {
    std::vector<double> mu, mu_star, sigma, mu_star_low, mu_star_high;
};
MorrisIndices morris_indices(const MorrisDesign& design, const std::vector<double>& outputs,
                             std::size_t bootstrap, double confidence, std::uint64_t seed);

}  // namespace gatesim

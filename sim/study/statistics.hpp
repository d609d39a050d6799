// Reductions over replicates: quantiles and per-day bands, distributions of summary scalars,
// the split of variance between parameter uncertainty and run-to-run noise, paired deltas.
//
// Pure functions over numbers; where inputs are too large to hold (every replicate's daily
// series), they read blocks through a callback, so memory is bounded by a budget, not by the
// number of replicates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace gatesim {

// The default bands of a briefing chart: median with P5/P25/P75/P95.
inline const std::vector<double> default_quantiles{0.05, 0.25, 0.5, 0.75, 0.95};

// Sample quantile of sorted values by linear interpolation between order statistics
// (Hyndman & Fan type 7, numpy's default). NaN for no values.
double quantile_of_sorted(const std::vector<double>& sorted, double probability);

// Quantiles of the non-NaN values (NaN marks "not reached"); NaN when there are none.
std::vector<double> quantiles(std::vector<double> values, const std::vector<double>& probabilities);

// "p5", "p50", "p2.5": labels of quantile probabilities.
std::string quantile_label(double probability);

// The distribution of one summary scalar over replicates.
struct ScalarDistribution {
    std::size_t count = 0;        // finite values
    std::size_t not_reached = 0;  // NaN values ("not reached" / "not applicable")
    double mean = 0;
    double sd = 0;  // sample standard deviation (n - 1)
    double min = 0;
    double max = 0;
    std::vector<double> quantiles;  // at the requested probabilities
};
ScalarDistribution distribution_of(const std::vector<double>& values, const std::vector<double>& probabilities);

// Labels of the statistics distribution_of computes, in the order statistics_vector lists them.
std::vector<std::string> statistic_labels(const std::vector<double>& probabilities);
std::vector<double> statistics_vector(const ScalarDistribution& d);

// One-way random-effects analysis of variance of a nested design: values are draw-major,
// `draws` parameter draws x `noise_replicates` runs each. Estimates the variance of one run's
// outcome and splits it into a between-parameter component (from the spread of draw means,
// corrected for the noise they carry) and a within (noise) component. NaN when any value is
// NaN, or when a component cannot be identified (within needs >= 2 runs per draw; between
// needs >= 2 draws, and is 0 with a single draw).
struct VarianceDecomposition {
    std::size_t draws = 0;
    std::size_t noise_replicates = 0;
    double total = 0;    // between + within: estimated variance of a single run
    double between = 0;  // parameter uncertainty, truncated at 0
    double within = 0;   // run-to-run noise
    double between_share = 0;
    double within_share = 0;
};
VarianceDecomposition decompose_variance(const std::vector<double>& values, std::size_t noise_replicates);
std::vector<std::string> variance_labels();
std::vector<double> variance_vector(const VarianceDecomposition& v);

// Reads the values of one series for every replicate and days [day_begin, day_end) into out,
// laid out [replicate][day - day_begin][column].
using SeriesBlockReader = std::function<void(std::size_t day_begin, std::size_t day_end, double* out)>;

// Per-day quantile bands of one series over `replicates` replicates: [quantile][day][column].
// Reads day blocks sized so that one block holds at most `budget_values` values (at least one
// day), and is exact: every quantile uses every replicate's value. The days of a block are
// reduced on `threads` threads (the result does not depend on it).
std::vector<double> quantile_bands(const SeriesBlockReader& read, std::size_t replicates, std::size_t days,
                                   std::size_t width, const std::vector<double>& probabilities,
                                   std::size_t budget_values = std::size_t{8} << 20, int threads = 1);

// Paired difference of a scalar between a scenario and the reference, replicate by replicate
// (replicates whose value is NaN in either are left out).
struct PairedDelta {
    std::size_t count = 0;
    double mean = 0;
    double mean_low = 0;   // bootstrap percentile interval of the mean
    double mean_high = 0;
    double sd = 0;           // of the paired differences
    double unpaired_sd = 0;  // of the difference of two independent runs: sqrt(var(a) + var(b))
    std::vector<double> quantiles;  // of the paired differences
};
PairedDelta paired_delta(const std::vector<double>& reference, const std::vector<double>& other,
                         const std::vector<double>& probabilities, std::size_t bootstrap, double confidence,
                         std::uint64_t seed);
std::vector<std::string> delta_labels(const std::vector<double>& probabilities);
std::vector<double> delta_vector(const PairedDelta& d);

// Percentile bootstrap interval of a statistic of `n` items: `statistic` receives resampled
// item indices. Deterministic in seed (stream: Purpose::resampling). NaN without items.
std::pair<double, double> bootstrap_interval(std::size_t n, std::size_t resamples, double confidence,
                                             std::uint64_t seed,
                                             const std::function<double(const std::vector<std::size_t>&)>& statistic);

}  // namespace gatesim

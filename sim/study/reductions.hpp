// Reductions of a study's runs, read from and written into a RunStore (run_store.hpp): per-day
// quantile bands and scalar distributions of every point, variance decompositions, paired deltas
// of comparisons, and sensitivity indices. Whatever stores the runs, the numbers are computed
// here, once (layouts of the written tables: docs/results-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "study/run_store.hpp"
#include "study/sensitivity.hpp"
#include "study/statistics.hpp"

namespace gatesim {

// Reduced tables describe themselves as one of these followed by the series' or scalar's own
// description, so a reader can recover the latter.
inline constexpr std::string_view band_description_prefix = "Per-day quantiles over replicates of: ";
inline constexpr std::string_view summary_description_prefix = "Distribution over replicates of: ";
inline constexpr std::string_view delta_band_description_prefix =
    "Per-day quantiles of the paired difference (scenario minus the first) of: ";

// The reductions of one summary scalar at one point, also returned for printing.
struct ScalarReport {
    ScalarInfo info;
    ScalarDistribution distribution;
    VarianceDecomposition variance;
};

// Bands, scalar distributions and variance decompositions of every point of every group, over
// the replicates of each point among the first `completed_jobs` jobs. Returns them per plan
// point.
std::vector<std::vector<ScalarReport>> write_point_reductions(RunStore& store, std::uint64_t completed_jobs,
                                                               const std::vector<double>& quantiles, int threads = 1);

struct DeltaReport {
    std::string scalar, unit;
    std::vector<PairedDelta> versus_reference;  // one per compared scenario (groups 1..)
};
// Paired deltas of every scalar of groups 1.. against group 0 (one point per group), per
// replicate, and per-day bands of paired series deltas where shapes match. Only replicates
// finished for every scenario are paired.
std::vector<DeltaReport> write_comparison_deltas(RunStore& store, std::uint64_t completed_jobs,
                                                 const std::vector<double>& quantiles, std::size_t bootstrap,
                                                 double confidence, int threads = 1);

// The design rows of a sensitivity analysis, as its estimators need them.
struct SensitivityDesign {
    SensitivityMethod method = SensitivityMethod::sobol;
    SaltelliDesign saltelli;  // method sobol
    MorrisDesign morris;      // method morris
    const SampleMatrix& unit() const { return method == SensitivityMethod::sobol ? saltelli.unit : morris.unit; }
};

// Sensitivity indices of one output, per parameter.
struct OutputSensitivity {
    std::string output, unit;
    SobolIndices sobol;    // method sobol
    MorrisIndices morris;  // method morris
};

// The model output of each design row (points of group 0): the mean of `output` over the row's
// first `replicates` replicates. Throws PlanError when the runs produce no such scalar.
std::vector<double> row_outputs(const RunStore& store, const std::string& output, std::size_t rows,
                                std::uint64_t replicates);

// Indices of each output over the complete design (every row's runs in the store), with
// bootstrap intervals; written as one table per output.
std::vector<OutputSensitivity> write_sensitivity_indices(RunStore& store, const SensitivityDesign& design,
                                                         const std::vector<std::string>& outputs,
                                                         std::uint64_t replicates, std::size_t bootstrap,
                                                         double confidence);

}  // namespace gatesim

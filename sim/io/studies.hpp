// Multi-run studies end to end: build the plan, run it streaming into a study file, reduce,
// commit. Ensembles, comparisons, sweeps and sensitivity analyses share one path, so resume,
// interruption and progress behave the same for all. Used by the CLI; meant for bindings too.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "study/designs.hpp"
#include "study/ensemble.hpp"
#include "study/sensitivity.hpp"
#include "study/statistics.hpp"
#include "io/ensemble_h5.hpp"
#include "io/results_h5.hpp"
#include "io/scenario_yaml.hpp"

namespace gatesim {

struct StudyControl {
    int threads = 1;
    const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: stop, keep finished runs (incomplete file)
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // over runs
    std::uint64_t max_runs = std::numeric_limits<std::uint64_t>::max();  // runs in this invocation
    bool resume = false;  // continue the incomplete file at the output path
    bool keep_replicates = false;
    std::vector<double> quantiles = default_quantiles;
    std::size_t bootstrap = 1000;
    double confidence = 0.95;
};

struct StudyOutcome {
    std::uint64_t completed_runs = 0;
    std::uint64_t total_runs = 0;
    std::uint64_t resumed_runs = 0;  // read back from the incomplete file
    bool complete = false;
    bool cancelled = false;
};

// Default noise replicates per parameter draw for `replicates` runs of a scenario with uncertain
// parameters: the largest divisor of replicates not above min(10, sqrt(replicates)).
std::uint64_t default_noise_replicates(std::uint64_t replicates);

struct EnsembleStudy {
    LoadedScenario scenario;
    std::uint64_t replicates = 1;
    std::uint64_t noise_replicates = 0;  // 0: default (all replicates when nothing is uncertain)
};
struct EnsembleReport {
    StudyOutcome outcome;
    EnsemblePlan plan;
    std::vector<ScalarReport> scalars;
};
EnsembleReport run_ensemble_study(const EnsembleStudy& study, const std::filesystem::path& output,
                                  const Provenance& provenance, const StudyControl& control);

struct ComparisonStudy {
    std::vector<LoadedScenario> scenarios;  // the first is the reference
    std::vector<std::string> files;
    std::uint64_t replicates = 1;
    std::uint64_t noise_replicates = 0;
};
struct ComparisonReport {
    StudyOutcome outcome;
    EnsemblePlan plan;
    std::vector<std::string> names;
    std::vector<std::vector<ScalarReport>> scenarios;
    std::vector<DeltaReport> deltas;
};
// Every scenario runs with the first one's seed and the same replicate indices (common random
// numbers). Throws PlanError when two scenarios share a name.
ComparisonReport run_comparison_study(const ComparisonStudy& study, const std::filesystem::path& output,
                                      const Provenance& provenance, const StudyControl& control);

struct SweepStudy {
    LoadedScenario scenario;
    std::vector<SweepParameter> parameters;
    SweepDesign design = SweepDesign::grid;
    std::size_t points = 5;  // lhs/sobol points; grid: levels of ranges and distributions
    std::uint64_t replicates = 1;
    std::uint64_t noise_replicates = 0;
};
struct SweepReport {
    StudyOutcome outcome;
    EnsemblePlan plan;
    Design design;
    std::vector<std::string> parameters;
    std::vector<std::vector<ScalarReport>> points;
};
SweepReport run_sweep_study(const SweepStudy& study, const std::filesystem::path& output, const Provenance& provenance,
                            const StudyControl& control);

enum class SensitivityMethod { morris, sobol };
template <>
struct EnumNames<SensitivityMethod> {
    static constexpr std::array<std::string_view, 2> names = {"morris", "sobol"};
};

struct SensitivityStudy {
    LoadedScenario scenario;
    SensitivityMethod method = SensitivityMethod::sobol;
    std::vector<SweepParameter> parameters;  // ranges, distributions or value lists
    std::vector<std::string> outputs;        // summary scalar names
    std::size_t samples = 64;  // sobol: base samples n (n(k+2) rows); morris: trajectories (r(k+1) rows)
    std::size_t levels = 4;    // morris
    std::uint64_t replicates = 1;  // per row; the row's output is their mean
};
struct SensitivityReport {
    StudyOutcome outcome;
    EnsemblePlan plan;
    std::vector<std::string> parameters;
    std::vector<OutputSensitivity> outputs;
};
SensitivityReport run_sensitivity_study(const SensitivityStudy& study, const std::filesystem::path& output,
                                         const Provenance& provenance, const StudyControl& control);

// The parameters of a sensitivity analysis: those named (each from the section, else the
// scenario's distribution for it), or else every section parameter, or else every uncertain
// field. Throws PlanError when a named one has no range or none are found.
std::vector<SweepParameter> sensitivity_parameters(const std::vector<std::string>& names,
                                                   const std::vector<SweepParameter>& section,
                                                   const LoadedScenario& scenario);

}  // namespace gatesim

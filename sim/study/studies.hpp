// Multi-run studies end to end: build the plan, run it into a RunStore (resuming, reporting
// progress, stopping on cancel), reduce, commit. Ensembles, comparisons, sweeps and sensitivity
// analyses share one path, so resume, interruption and progress behave the same for all, and
// whichever store holds the runs (memory or a study file) gets the same numbers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "study/designs.hpp"
#include "study/ensemble.hpp"
#include "study/limits.hpp"
#include "study/parameters.hpp"
#include "study/reductions.hpp"
#include "study/run_store.hpp"
#include "study/sensitivity.hpp"
#include "study/statistics.hpp"

namespace gatesim {

// Every study checks its plan and control against the limits of limits.hpp (PlanError).
struct StudyControl {
    int threads = 1;
    Executor* executor = nullptr;  // where the runs are computed (executor.hpp); nullptr: this process's threads
    const std::atomic<bool>* cancel = nullptr;  // Ctrl-C: stop, keep finished runs (incomplete store)
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // over runs
    std::uint64_t max_runs = std::numeric_limits<std::uint64_t>::max();  // runs in this invocation
    bool resume = false;  // continue the incomplete study the store holds (RunStore::finished_runs)
    bool keep_replicates = false;
    std::vector<double> quantiles = default_quantiles;
    std::size_t bootstrap = 1000;
    double confidence = 0.95;
};

struct StudyOutcome {
    std::uint64_t completed_runs = 0;
    std::uint64_t total_runs = 0;
    std::uint64_t resumed_runs = 0;  // read back from the interrupted study's finished runs
    bool complete = false;
    bool cancelled = false;
};

// Default noise replicates per parameter draw for `replicates` runs of a scenario with uncertain
// parameters: the largest divisor of replicates not above min(10, sqrt(replicates)).
std::uint64_t default_noise_replicates(std::uint64_t replicates);

struct EnsembleStudy {
    StudyScenario scenario;
    std::uint64_t replicates = 1;
    std::uint64_t noise_replicates = 0;  // 0: default (all replicates when nothing is uncertain)
};
struct EnsembleReport {
    StudyOutcome outcome;
    EnsemblePlan plan;
    std::vector<ScalarReport> scalars;
};
EnsembleReport run_ensemble_study(const EnsembleStudy& study, RunStore& store, const StudyControl& control);

struct ComparisonStudy {
    std::vector<StudyScenario> scenarios;  // the first is the reference
    std::vector<std::string> files;         // recorded with each scenario
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
ComparisonReport run_comparison_study(const ComparisonStudy& study, RunStore& store, const StudyControl& control);

struct SweepStudy {
    StudyScenario scenario;
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
SweepReport run_sweep_study(const SweepStudy& study, RunStore& store, const StudyControl& control);

struct SensitivityStudy {
    StudyScenario scenario;
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
SensitivityReport run_sensitivity_study(const SensitivityStudy& study, RunStore& store, const StudyControl& control);

// The parameters of a sensitivity analysis: those named (each from the section, else the
// scenario's distribution for it), or else every section parameter, or else every uncertain
// field. Throws PlanError when a named one has no range or none are found.
std::vector<SweepParameter> sensitivity_parameters(const std::vector<std::string>& names,
                                                   const std::vector<SweepParameter>& section,
                                                   const StudyScenario& scenario);

}  // namespace gatesim

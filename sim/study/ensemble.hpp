// Ensembles: many runs of one or more scenario variants ("points"), each for the same
// replicates, in parallel over runs, handed to a sink in a fixed order.
//
// Replicate r of every point runs with replicate index r and the point's seed, so points with
// the same seed see the same random draws (common random numbers). Uncertain parameters are
// drawn once per parameter draw: replicate r belongs to draw r / noise_replicates, so an
// ensemble is `draws` parameter draws x `noise_replicates` noise replicates (a nested design
// whose variance splits into parameter uncertainty and noise; see statistics.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "study/parameters.hpp"
#include "model/errors.hpp"
#include "model/results.hpp"
#include "model/scenario.hpp"

namespace gatesim {

// A plan that cannot run: inconsistent draws, shapes that differ, impossible counts.
struct PlanError : BadInput {
    using BadInput::BadInput;
};

// One scenario variant: a base scenario (shared by the points of a sweep, so a design of many
// thousand points holds one scenario, not thousands), fields set at this point, and uncertain
// fields drawn per parameter draw.
struct EnsemblePoint {
    std::shared_ptr<const Scenario> base;
    std::vector<std::pair<std::string, double>> settings;  // key path -> value at this point
    std::vector<UncertainParameter> uncertain;

    EnsemblePoint() = default;
    // A point of its own: the scenario as it is, with uncertain fields.
    EnsemblePoint(Scenario scenario, std::vector<UncertainParameter> uncertain_fields = {})
        : base(std::make_shared<const Scenario>(std::move(scenario))), uncertain(std::move(uncertain_fields)) {}
    EnsemblePoint(std::shared_ptr<const Scenario> shared_base, std::vector<std::pair<std::string, double>> point_settings,
                  std::vector<UncertainParameter> uncertain_fields)
        : base(std::move(shared_base)), settings(std::move(point_settings)), uncertain(std::move(uncertain_fields)) {}

    static EnsemblePoint of(Scenario scenario, std::vector<UncertainParameter> uncertain_fields = {}) {
        return EnsemblePoint(std::move(scenario), std::move(uncertain_fields));
    }
    const Scenario& scenario() const { return *base; }
};

// Which runs come first. Point-major finishes whole points first (sweeps: an interrupted sweep
// keeps complete points); replicate-major finishes a replicate of every point first
// (comparisons: an interrupted comparison keeps complete pairs).
enum class JobOrder { point_major, replicate_major };

struct EnsemblePlan {
    std::vector<EnsemblePoint> points;
    std::uint64_t replicates = 1;        // per point
    std::uint64_t noise_replicates = 1;  // per parameter draw; must divide replicates
    JobOrder order = JobOrder::point_major;
    // Fields recorded for every run (swept and uncertain ones), by key path.
    std::vector<std::string> recorded_parameters;

    std::uint64_t jobs() const { return points.size() * replicates; }
    std::uint64_t draws() const { return noise_replicates ? replicates / noise_replicates : 0; }
    // (point, replicate) of job j.
    std::pair<std::size_t, std::uint64_t> job(std::uint64_t j) const;
    std::uint64_t job_of(std::size_t point, std::uint64_t replicate) const;
    // Replicates of `point` among the first `completed_jobs` jobs (always a prefix 0..n-1).
    std::uint64_t completed_replicates(std::size_t point, std::uint64_t completed_jobs) const;
};

// The scenario of one run: the point's base scenario with the point's settings, and its
// uncertain fields set to their values in the replicate's parameter draw. Throws
// ParameterError when a setting is outside its field's range.
Scenario run_scenario(const EnsemblePlan& plan, std::size_t point, std::uint64_t replicate);

// Checks counts, that every parameter draw of every point is a consistent scenario whose
// recorded parameters exist, and (when `same_days`) that all points simulate the same number of
// days (their series then share a shape). Throws PlanError listing the first problems.
void check_plan(const EnsemblePlan& plan, bool same_days);

// A hash of everything that determines a plan's runs: every point's scenario (all fields, via
// describe()), uncertain distributions, replicates, noise replicates, order and recorded fields.
// Resuming checks it, so a file is only continued by the plan that began it.
std::uint64_t plan_fingerprint(const EnsemblePlan& plan);

// One finished run.
struct RunRecord {
    std::uint64_t job = 0;
    std::size_t point = 0;
    std::uint64_t replicate = 0;
    std::uint64_t draw = 0;
    std::vector<double> parameters;  // values of plan.recorded_parameters in this run
    Results results;
};

// Receives finished runs in job order, one at a time, on the thread that called run_ensemble.
// Implemented at the edges (e.g. an HDF5 file that streams runs to disk).
class RunSink {
public:
    virtual ~RunSink() = default;
    virtual void accept(const RunRecord& run) = 0;
    // Work on a finished run that needs no order, done by the thread that computed it before the
    // run goes to accept (a study file packs the run's series here, so that packing runs in
    // parallel and not on the delivering thread). Called from many threads at once: it must be
    // thread-safe. Executors whose runs arrive from elsewhere do not call it.
    virtual void prepare(const RunRecord&) {}
};

class Executor;  // executor.hpp

struct EnsembleOptions {
    int threads = 1;  // per process (each rank of an MPI job has its own)
    std::uint64_t first_job = 0;  // jobs before it are done already (resume)
    // Stop after this many jobs in this call, as if interrupted (time boxes and tests).
    std::uint64_t max_jobs = std::numeric_limits<std::uint64_t>::max();
    // Called on the calling thread after each run is handed to the sink: (jobs done, total).
    std::function<void(std::uint64_t, std::uint64_t)> progress;
    // When set and true, runs stop at the next day boundary; finished ones are still delivered.
    const std::atomic<bool>* cancel = nullptr;
    // Where the runs are computed (executor.hpp); nullptr: threads of this process.
    Executor* executor = nullptr;
};

struct EnsembleOutcome {
    std::uint64_t completed_jobs = 0;  // jobs 0..completed_jobs-1 are in the sink
    bool complete = false;             // every job of the plan is in the sink
    bool cancelled = false;            // stopped by options.cancel
};

// Runs jobs first_job.. on the options' executor (by default in parallel on this process's
// threads, each run single-threaded unless there are fewer runs than threads) and hands them to
// the sink in job order. Results depend neither on the thread count nor on the executor.
// Exceptions from runs or the sink stop the ensemble and are rethrown.
EnsembleOutcome run_ensemble(const EnsemblePlan& plan, RunSink& sink, const EnsembleOptions& options = {});

// One job's run, wherever an executor computes it: the job's scenario (run_scenario), seeded from
// its own key (seed, replicate), with `threads` threads for its agent blocks. Throws Cancelled
// when `cancel` becomes true.
RunRecord run_job(const EnsemblePlan& plan, std::uint64_t job, int threads, const std::atomic<bool>* cancel = nullptr);

}  // namespace gatesim

// Where an ensemble's runs are computed. run_ensemble (ensemble.hpp) hands a range of jobs to an
// Executor, which computes them somewhere (threads of this process here; the ranks of an MPI job
// in sim/mpi; a Python process pool in python/src) and hands every finished run to the sink in
// job order, on the calling thread.
//
// Executors differ only in where runs happen. Each run is run_job(plan, job): seeded from its
// own key (seed, replicate), never from a thread, process or rank. Delivery is in job order, so
// a store receives, and reduces, the same runs in the same order whatever the executor: results
// are bit-identical for any executor, thread count and rank count.
//
// This module also holds the JobQueue that executors share: handing jobs out in order, at most a
// window ahead of delivery, parking runs that finish early, and stopping on the first failure.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "study/ensemble.hpp"

namespace gatesim {

// The jobs one call runs: first .. end-1 of the plan.
struct JobRange {
    std::uint64_t first = 0;
    std::uint64_t end = 0;
    std::uint64_t size() const { return end - first; }
};

// How far delivery got.
struct Delivery {
    std::uint64_t next = 0;    // jobs range.first .. next-1 are in the sink
    bool interrupted = false;  // stopped by an interruption the cancel flag does not show (a rank's signal)
};

class Executor {
public:
    virtual ~Executor() = default;
    // Runs the range's jobs and hands each finished run to the sink in job order, on the calling
    // thread. Stops early when options.cancel is set. Rethrows the first failure of a run or of
    // the sink (a BadInput stays a BadInput).
    virtual Delivery run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) = 0;
};

// Threads of this process: runs in parallel, each single-threaded, no per-day synchronisation.
// Only when runs are fewer than threads do the spare threads go to the runs' agent blocks.
class ThreadExecutor : public Executor {
public:
    Delivery run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) override;
};

// What the workers of one ensemble share. Workers take jobs in order, at most `window` ahead of
// delivery (bounding the runs held in memory), and park finished runs here; deliver() takes
// them out in job order on the calling thread.
class JobQueue {
public:
    JobQueue(JobRange range, std::uint64_t window);

    // For a worker thread: the next job, once the window allows it; nullopt when none will come.
    std::optional<std::uint64_t> wait_for_job();
    // For a dispatcher that must not block: the next job if it may start now.
    std::optional<std::uint64_t> try_take_job();
    // No job will be handed out any more (all are, or the queue stopped).
    bool exhausted();

    void finish(RunRecord record);
    // The first failure is rethrown by deliver(); everything stops.
    void fail(std::exception_ptr failure);
    // Stops handing out jobs and tells runs in progress to stop. `interrupted`: because of an
    // interruption the caller's cancel flag does not show (another process's signal).
    void stop(bool interrupted = false);
    bool stopped();
    // Runs in progress watch it: set when the queue stops.
    const std::atomic<bool>& halt() const { return halt_; }

    // Runs `workers` on threads of their own (each ends when the queue has no more jobs for it)
    // and, on the calling thread, hands finished runs to the sink in job order until no more will
    // come. Stops everything when options.cancel is set, a worker fails or the sink throws; joins
    // the threads on every path and rethrows the first failure.
    Delivery deliver(const std::vector<std::function<void()>>& workers, RunSink& sink, const EnsembleOptions& options);

private:
    bool take_next(RunRecord& record, const std::function<bool()>& cancelled);
    void delivered();
    void stop_locked(bool interrupted);
    void worker_done();

    const JobRange range_;
    const std::uint64_t window_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::uint64_t, RunRecord> finished_;
    std::uint64_t next_job_, next_delivery_;
    std::size_t running_workers_ = 0;
    bool stop_ = false;
    bool interrupted_ = false;
    std::exception_ptr failure_;
    std::atomic<bool> halt_{false};
};

// A worker thread's loop: runs jobs from the queue with `run_threads` threads each until none
// are left, and has the sink prepare each (RunSink::prepare). A run stopped by the queue's halt
// ends the loop quietly; other failures go to the queue.
void work_on(JobQueue& queue, const EnsemblePlan& plan, int run_threads, RunSink& sink);

}  // namespace gatesim

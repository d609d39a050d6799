// The job queue executors share, and the executor of this process's threads (executor.hpp).
#include "study/executor.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "model/engine.hpp"

namespace gatesim {

JobQueue::JobQueue(JobRange range, std::uint64_t window)
    : range_(range), window_(std::max<std::uint64_t>(window, 1)), next_job_(range.first), next_delivery_(range.first) {}

std::optional<std::uint64_t> JobQueue::wait_for_job() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || next_job_ >= range_.end || next_job_ < next_delivery_ + window_; });
    if (stop_ || next_job_ >= range_.end) return std::nullopt;
    return next_job_++;
}

std::optional<std::uint64_t> JobQueue::try_take_job() {
    std::lock_guard lock(mutex_);
    if (stop_ || next_job_ >= range_.end || next_job_ >= next_delivery_ + window_) return std::nullopt;
    return next_job_++;
}

bool JobQueue::exhausted() {
    std::lock_guard lock(mutex_);
    return stop_ || next_job_ >= range_.end;
}

void JobQueue::finish(RunRecord record) {
    std::lock_guard lock(mutex_);
    const std::uint64_t job = record.job;
    finished_.emplace(job, std::move(record));
    changed_.notify_all();
}

void JobQueue::fail(std::exception_ptr failure) {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(failure);
    stop_locked(false);
}

void JobQueue::stop(bool interrupted) {
    std::lock_guard lock(mutex_);
    stop_locked(interrupted);
}

bool JobQueue::stopped() {
    std::lock_guard lock(mutex_);
    return stop_;
}

void JobQueue::stop_locked(bool interrupted) {
    stop_ = true;
    interrupted_ = interrupted_ || interrupted;
    halt_ = true;
    changed_.notify_all();
}

void JobQueue::worker_done() {
    std::lock_guard lock(mutex_);
    --running_workers_;
    changed_.notify_all();
}

// The next run in job order, once finished; false when none will come (the workers are done or
// one failed). Polls the caller's cancel flag: the runs watch only `halt`.
bool JobQueue::take_next(RunRecord& record, const std::function<bool()>& cancelled) {
    std::unique_lock lock(mutex_);
    // Checked before each delivery too: runs that finish as fast as they are delivered must not
    // keep new jobs starting after a cancel.
    if (cancelled() && !stop_) stop_locked(false);
    while (!finished_.count(next_delivery_) && running_workers_ > 0) {
        changed_.wait_for(lock, std::chrono::milliseconds(50));
        if (cancelled() && !stop_) stop_locked(false);
    }
    auto it = finished_.find(next_delivery_);
    if (it == finished_.end() || failure_) return false;
    record = std::move(it->second);
    finished_.erase(it);
    return true;
}

void JobQueue::delivered() {
    std::lock_guard lock(mutex_);
    ++next_delivery_;
    changed_.notify_all();
}

Delivery JobQueue::deliver(const std::vector<std::function<void()>>& workers, RunSink& sink,
                           const EnsembleOptions& options) {
    {
        std::lock_guard lock(mutex_);
        running_workers_ = workers.size();
    }
    const std::function<bool()> cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
    std::vector<std::thread> pool;
    pool.reserve(workers.size());
    auto join_all = [&] {
        for (auto& t : pool)
            if (t.joinable()) t.join();
    };
    try {
        for (const auto& body : workers)
            pool.emplace_back([this, &body] {
                try {
                    body();
                } catch (...) {
                    fail(std::current_exception());
                }
                worker_done();
            });
        for (RunRecord record; take_next(record, cancelled);) {
            sink.accept(record);
            delivered();
        }
    } catch (...) {
        stop();
        join_all();
        throw;
    }
    join_all();
    std::lock_guard lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
    return {next_delivery_, interrupted_};
}

void work_on(JobQueue& queue, const EnsemblePlan& plan, int run_threads, RunSink& sink) {
    while (const auto job = queue.wait_for_job()) {
        try {
            RunRecord run = run_job(plan, *job, run_threads, &queue.halt());
            sink.prepare(run);
            queue.finish(std::move(run));
        } catch (const Cancelled&) {
            queue.stop();
            return;
        }
    }
}

Delivery ThreadExecutor::run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) {
    const int threads = std::max(options.threads, 1);
    const std::size_t workers = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(threads), 1, range.size());
    const int run_threads = std::max(1, threads / static_cast<int>(workers));
    JobQueue queue(range, 2 * workers + 2);
    const std::vector<std::function<void()>> bodies(workers, [&] { work_on(queue, plan, run_threads, sink); });
    return queue.deliver(bodies, sink, options);
}

}  // namespace gatesim

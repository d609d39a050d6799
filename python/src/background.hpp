// One piece of C++ work (a run, an ensemble, a study) on its own thread, away from Python.
//
// The Python thread only polls: progress is an atomic counter the work advances, cancellation
// is an atomic flag the work passes to the engine, and the work never touches a Python object,
// so the GIL stays released while it runs and Ctrl-C is handled on the Python side.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace gatesim::python {

class BackgroundTask {
public:
    // The work advances `done` towards `total` (days, runs, ...), and may correct `total` once it
    // knows it (a study's number of runs is known once its design is made).
    using Work = std::function<void(const std::atomic<bool>& cancel, std::atomic<std::int64_t>& done,
                                    std::atomic<std::int64_t>& total)>;

    // Starts at once.
    BackgroundTask(Work work, std::int64_t total);
    ~BackgroundTask();  // cancels and joins: the work never outlives what it refers to

    BackgroundTask(const BackgroundTask&) = delete;
    BackgroundTask& operator=(const BackgroundTask&) = delete;

    bool wait_for(std::chrono::milliseconds timeout);  // true once the work has returned or thrown
    void wait();
    void cancel() { cancel_ = true; }
    bool cancelled() const { return cancel_; }
    std::int64_t done() const { return done_.load(std::memory_order_relaxed); }
    std::int64_t total() const { return total_.load(std::memory_order_relaxed); }
    // After the work has ended: rethrows what it threw, if anything.
    void rethrow();

private:
    std::atomic<bool> cancel_{false};
    std::atomic<std::int64_t> done_{0};
    std::atomic<std::int64_t> total_;
    std::mutex mutex_;
    std::condition_variable ended_;
    bool finished_ = false;
    std::exception_ptr failure_;
    std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace gatesim::python

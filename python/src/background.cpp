// BackgroundTask: a worker thread with an ended flag, a condition variable and a captured error.
#include "background.hpp"

namespace gatesim::python {

BackgroundTask::BackgroundTask(Work work, std::int64_t total)
    : total_(total), thread_([this, work = std::move(work)] {
          std::exception_ptr failure;
          try {
              work(cancel_, done_, total_);
          } catch (...) {
              failure = std::current_exception();
          }
          std::lock_guard lock(mutex_);
          failure_ = failure;
          finished_ = true;
          ended_.notify_all();
      }) {}

BackgroundTask::~BackgroundTask() {
    cancel_ = true;
    if (thread_.joinable()) thread_.join();
}

bool BackgroundTask::wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return ended_.wait_for(lock, timeout, [this] { return finished_; });
}

void BackgroundTask::wait() {
    std::unique_lock lock(mutex_);
    ended_.wait(lock, [this] { return finished_; });
}

void BackgroundTask::rethrow() {
    wait();
    if (thread_.joinable()) thread_.join();
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace gatesim::python

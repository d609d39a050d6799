// The process's worker pool (parallel.hpp).
#include "model/parallel.hpp"

namespace gatesim {

WorkerPool& WorkerPool::shared() {
    static WorkerPool pool;
    return pool;
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

// Takes blocks until none is left; the first failure stops the loop and is kept for the caller.
void WorkerPool::take_blocks() {
    try {
        for (std::size_t b; (b = next_.fetch_add(1)) < blocks_;) body_(context_, b);
    } catch (...) {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
        next_ = blocks_;
    }
}

void WorkerPool::work_loop() {
    std::size_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || (generation_ != seen && joined_ < wanted_); });
        if (stopping_) return;
        seen = generation_;
        ++joined_;
        lock.unlock();
        take_blocks();
        lock.lock();
        ++finished_;
        done_.notify_all();
    }
}

bool WorkerPool::run(std::size_t blocks, std::size_t workers, void (*body)(void*, std::size_t), void* context) {
    std::unique_lock busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    const std::size_t helpers = workers - 1;
    {
        std::lock_guard lock(mutex_);
        while (threads_.size() < helpers) threads_.emplace_back([this] { work_loop(); });
        blocks_ = blocks;
        next_ = 0;
        body_ = body;
        context_ = context;
        failure_ = nullptr;
        wanted_ = helpers;
        joined_ = finished_ = 0;
        ++generation_;
    }
    wake_.notify_all();
    take_blocks();
    std::exception_ptr failure;
    {
        std::unique_lock lock(mutex_);
        // Helpers that have not joined yet will find no block left: stop waiting for them.
        wanted_ = joined_;
        done_.wait(lock, [&] { return finished_ == joined_; });
        failure = failure_;
    }
    if (failure) std::rethrow_exception(failure);
    return true;
}

}  // namespace gatesim

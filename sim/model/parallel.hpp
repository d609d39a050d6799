// Parallel loops over agent blocks, on a pool of worker threads that persists for the process
// (a day's steps reuse it instead of spawning threads). Work is split by block, and every
// block writes only its own outputs, so results never depend on how many threads ran, in which
// order, or whether the pool was busy with another caller's loop (then the loop runs on the
// calling thread alone).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace gatesim {

class WorkerPool {
public:
    // The process's pool; its threads start when a loop first asks for them.
    static WorkerPool& shared();
    ~WorkerPool();

    // Calls body(context, b) for every b < blocks on up to `workers` threads (the caller one of
    // them). Returns false, having run nothing, when the pool is running another loop.
    bool run(std::size_t blocks, std::size_t workers, void (*body)(void*, std::size_t), void* context);

private:
    void work_loop();
    void take_blocks();

    std::mutex busy_;  // held by the caller of the loop in progress
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> threads_;
    bool stopping_ = false;
    std::size_t generation_ = 0;  // counts loops, so that a woken worker joins each once
    std::size_t wanted_ = 0;      // helpers the current loop may use
    std::size_t joined_ = 0, finished_ = 0;
    // The current loop.
    std::size_t blocks_ = 0;
    std::atomic<std::size_t> next_{0};
    void (*body_)(void*, std::size_t) = nullptr;
    void* context_ = nullptr;
    std::exception_ptr failure_;
};

template <class Fn>
void for_each_block(std::size_t blocks, int threads, Fn&& fn) {
    const std::size_t workers = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), 1, std::max<std::size_t>(blocks, 1));
    if (workers > 1) {
        auto body = [](void* f, std::size_t b) { (*static_cast<std::remove_reference_t<Fn>*>(f))(b); };
        if (WorkerPool::shared().run(blocks, workers, body, static_cast<void*>(&fn))) return;
    }
    for (std::size_t b = 0; b < blocks; ++b) fn(b);
}

}  // namespace gatesim

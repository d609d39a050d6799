// Parallel loops over agent blocks. Work is split by block, and every block writes only its
// own outputs, so results never depend on how many threads ran or in which order.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace gatesim {

template <class Fn>
void for_each_block(std::size_t blocks, int threads, Fn&& fn) {
    const std::size_t workers = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), 1, std::max<std::size_t>(blocks, 1));
    if (workers == 1) {
        for (std::size_t b = 0; b < blocks; ++b) fn(b);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
        try {
            for (std::size_t b; (b = next.fetch_add(1)) < blocks;) fn(b);
        } catch (...) {
            std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = blocks;
        }
    };
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    pool.clear();  // joins
    if (failure) std::rethrow_exception(failure);
}

}  // namespace gatesim

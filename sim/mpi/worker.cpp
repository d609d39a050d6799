// A worker rank: run slots for rank 0's jobs, and the loop that talks to rank 0 (worker.hpp).
#include "mpi/worker.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "model/engine.hpp"
#include "mpi/transport.hpp"
#include "study/wire.hpp"

namespace gatesim::mpi {
namespace {

using Answer = std::pair<Tag, std::string>;

// The rank's run slots: one thread each, running the jobs rank 0 sent, each answer encoded on
// the thread that computed it so that the loop talking to rank 0 stays free.
class Slots {
public:
    Slots(const EnsemblePlan& plan, std::size_t count) : plan_(plan) {
        for (std::size_t i = 0; i < count; ++i) threads_.emplace_back([this] { work(); });
    }
    ~Slots() {
        halt();
        for (auto& t : threads_) t.join();
    }
    Slots(const Slots&) = delete;
    Slots& operator=(const Slots&) = delete;

    void add(std::uint64_t job) {
        std::lock_guard lock(mutex_);
        jobs_.push_back(job);
        changed_.notify_one();
    }
    std::vector<Answer> take_answers() {
        std::lock_guard lock(mutex_);
        return std::exchange(answers_, {});
    }
    // Runs in progress stop at their next day boundary; waiting jobs are dropped.
    void halt() {
        std::lock_guard lock(mutex_);
        stop_ = true;
        halt_ = true;
        changed_.notify_all();
    }

private:
    void work() {
        while (true) {
            std::uint64_t job = 0;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
                if (stop_) return;
                job = jobs_.front();
                jobs_.pop_front();
            }
            Answer answer;
            try {
                answer = {Tag::run, encode_run(run_job(plan_, job, 1, &halt_))};
            } catch (const Cancelled&) {
                return;  // halted: the plan is over, or this rank was interrupted and said so
            } catch (...) {
                answer = {Tag::failure, encode_failure(std::current_exception())};
            }
            std::lock_guard lock(mutex_);
            answers_.push_back(std::move(answer));
        }
    }

    const EnsemblePlan& plan_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::uint64_t> jobs_;
    std::vector<Answer> answers_;
    bool stop_ = false;
    std::atomic<bool> halt_{false};
    std::vector<std::thread> threads_;  // last: they start after everything they use exists
};

enum class After { next_plan, shutdown };

// Works on one plan (rank 0's message: threads, then the encoded plan) until rank 0 ends it.
After work_on_plan(const std::string& message, Outbox& outbox, const std::atomic<bool>& interrupted) {
    EnsemblePlan plan;
    std::optional<Slots> slots;
    try {
        const auto threads = bytes_number(message.substr(0, 8));
        plan = decode_plan(std::string_view(message).substr(8));
        slots.emplace(plan, static_cast<std::size_t>(std::max<std::uint64_t>(threads, 1)));
        outbox.send(0, Tag::request, number_bytes(std::max<std::uint64_t>(threads, 1)));
    } catch (const MpiError&) {
        throw;
    } catch (...) {  // a plan this build cannot run: rank 0 reports it and ends the plan
        outbox.send(0, Tag::failure, encode_failure(std::current_exception()));
    }
    bool said_interrupted = false;
    for (Backoff backoff;;) {
        bool active = false;
        while (auto m = receive(0)) {
            active = true;
            if (m->tag == Tag::job && slots) slots->add(bytes_number(m->bytes));
            else if (m->tag == Tag::end_plan || m->tag == Tag::shutdown) {
                slots.reset();  // stops and joins the runs
                if (m->tag == Tag::shutdown) return After::shutdown;
                outbox.send(0, Tag::plan_ended);
                return After::next_plan;
            }
        }
        if (slots)
            for (auto& [tag, bytes] : slots->take_answers()) {
                outbox.send(0, tag, std::move(bytes));
                active = true;
            }
        if (interrupted && !said_interrupted) {
            if (slots) slots->halt();
            outbox.send(0, Tag::interrupted);
            said_interrupted = true;
        }
        outbox.progress();
        if (active) backoff.reset();
        else backoff.idle();
    }
}

// Waits (briefly) for the last sends to complete.
bool flush(Outbox& outbox) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (Backoff backoff; !outbox.progress();) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        backoff.idle();
    }
    return true;
}

}  // namespace

int serve(const std::atomic<bool>& interrupted) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    try {
        Outbox outbox;
        for (Backoff backoff;;) {
            auto m = receive(0);
            outbox.progress();
            if (!m) {
                backoff.idle();
                continue;
            }
            backoff.reset();
            if (m->tag == Tag::shutdown) break;
            if (m->tag == Tag::plan && work_on_plan(m->bytes, outbox, interrupted) == After::shutdown) break;
            if (m->tag == Tag::end_plan) outbox.send(0, Tag::plan_ended);  // a plan it never began
        }
        outbox.send(0, Tag::bye);
        return flush(outbox) ? 0 : 1;
    } catch (const MpiError& e) {
        std::cerr << "gatesim: rank " << rank << " lost contact with rank 0 (" << e.what() << ")\n";
        return 1;
    }
}

}  // namespace gatesim::mpi

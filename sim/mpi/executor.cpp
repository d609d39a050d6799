// Rank 0's executor: the plan to every rank, jobs to whichever slot asks, runs back in job order
// (executor.hpp).
#include "mpi/executor.hpp"

#include <algorithm>
#include <iostream>

#include "model/engine.hpp"
#include "study/wire.hpp"

namespace gatesim::mpi {

namespace {

using Clock = std::chrono::steady_clock;

// How long rank 0 waits for workers to stop a plan or to finish: a run stops at a day boundary,
// and a day of a large population takes seconds.
constexpr std::chrono::seconds patience{60};

}  // namespace

MpiExecutor::MpiExecutor(int ranks, bool root_computes) : root_computes_(root_computes) {
    for (int r = 1; r < ranks; ++r) workers_.push_back({r});
}

MpiExecutor::~MpiExecutor() = default;

Delivery MpiExecutor::run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) {
    settle(patience);
    const int threads = std::max(options.threads, 1);
    const auto message = std::make_shared<const std::string>(number_bytes(static_cast<std::uint64_t>(threads)) +
                                                             encode_plan(plan));
    std::uint64_t remote_slots = 0;
    try {
        for (auto& w : workers_) {
            if (w.state != State::idle) continue;
            outbox_.send(w.rank, Tag::plan, message);
            w.state = State::in_plan;
            w.free_slots = w.running = 0;
            remote_slots += static_cast<std::uint64_t>(threads);
        }
    } catch (const MpiError& e) {
        lose_contact(e);
        remote_slots = 0;
    }
    std::size_t local = root_computes_ ? static_cast<std::size_t>(std::min<std::uint64_t>(threads, range.size())) : 0;
    if (remote_slots == 0) local = std::max<std::size_t>(local, 1);
    const int run_threads = local > 0 ? std::max(1, threads / static_cast<int>(local)) : 1;
    // Room for every slot's run in flight and as many finished early: delivery waits only for the
    // slowest run, and rank 0 holds at most this many runs.
    JobQueue queue(range, 2 * (local + remote_slots) + 2);
    std::vector<std::function<void()>> bodies(local, [&] { work_on(queue, plan, run_threads, sink); });
    bodies.emplace_back([&] { dispatch(queue); });
    return queue.deliver(bodies, sink, options);
}

// The dispatcher thread: the only one calling MPI while a plan runs.
void MpiExecutor::dispatch(JobQueue& queue) {
    try {
        Backoff backoff;
        const auto stopping = [&] { return queue.stopped(); };
        while (true) {
            bool active = false;
            try {
                while (auto m = receive(MPI_ANY_SOURCE, stopping)) {
                    receive_in_plan(*m, queue);
                    active = true;
                }
            } catch (const LostRank& e) {  // died mid-send; the launcher is stopping the job
                lose(e.rank);
            }
            if (!queue.stopped()) active = hand_out(queue) || active;
            outbox_.progress();
            const bool answered = std::none_of(workers_.begin(), workers_.end(), [](const Worker& w) { return w.running > 0; });
            if (queue.stopped() || (queue.exhausted() && answered)) break;
            if (active) backoff.reset();
            else backoff.idle();
        }
        end_plan();
    } catch (const MpiError& e) {
        lose_contact(e);
        queue.stop(true);
    } catch (...) {
        try {
            end_plan();
        } catch (const MpiError& e) {
            lose_contact(e);
        }
        throw;
    }
}

bool MpiExecutor::hand_out(JobQueue& queue) {
    bool any = false;
    for (auto& w : workers_) {
        while (w.state == State::in_plan && w.free_slots > 0) {
            const auto job = queue.try_take_job();
            if (!job) return any;
            outbox_.send(w.rank, Tag::job, number_bytes(*job));
            --w.free_slots;
            ++w.running;
            any = true;
        }
    }
    return any;
}

void MpiExecutor::receive_in_plan(Message& m, JobQueue& queue) {
    if (m.source < 1 || static_cast<std::size_t>(m.source) > workers_.size()) return;
    Worker& w = workers_[static_cast<std::size_t>(m.source - 1)];
    if (w.state == State::ending) {  // what a previous plan left in flight
        if (m.tag == Tag::plan_ended) w.state = State::idle;
        return;
    }
    if (w.state != State::in_plan) return;
    switch (m.tag) {
    case Tag::request:
        w.free_slots += bytes_number(m.bytes);
        break;
    case Tag::run:
        --w.running;
        ++w.free_slots;
        queue.finish(decode_run(m.bytes));
        break;
    case Tag::failure:
        --w.running;
        ++w.free_slots;
        try {
            rethrow_failure(m.bytes);
        } catch (const Cancelled&) {
            queue.stop(true);
        } catch (...) {
            queue.fail(std::current_exception());
        }
        break;
    case Tag::interrupted:
        queue.stop(true);
        break;
    default:
        break;
    }
}

void MpiExecutor::end_plan() {
    for (auto& w : workers_) {
        if (w.state != State::in_plan) continue;
        w.state = State::ending;
        w.running = 0;
        outbox_.send(w.rank, Tag::end_plan);
    }
}

void MpiExecutor::settle(std::chrono::seconds wait) {
    const auto deadline = Clock::now() + wait;
    auto ending = [&] { return std::any_of(workers_.begin(), workers_.end(), [](const Worker& w) { return w.state == State::ending; }); };
    try {
        const auto late = [&] { return Clock::now() > deadline; };
        for (Backoff backoff; ending() && !late();) {
            bool active = false;
            try {
                while (auto m = receive(MPI_ANY_SOURCE, late)) {
                    active = true;
                    if (m->source < 1 || static_cast<std::size_t>(m->source) > workers_.size()) continue;
                    Worker& w = workers_[static_cast<std::size_t>(m->source - 1)];
                    if (w.state == State::ending && m->tag == Tag::plan_ended) w.state = State::idle;
                }
            } catch (const LostRank& e) {
                lose(e.rank);
            }
            outbox_.progress();
            if (active) backoff.reset();
            else backoff.idle();
        }
    } catch (const MpiError& e) {
        lose_contact(e);
    }
    for (auto& w : workers_)
        if (w.state == State::ending) w.state = State::lost;
}

bool MpiExecutor::shutdown(std::chrono::seconds wait) {
    settle(wait);
    const auto deadline = Clock::now() + wait;
    std::vector<bool> waiting(workers_.size(), false);
    try {
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            if (workers_[i].state != State::idle) continue;
            outbox_.send(workers_[i].rank, Tag::shutdown);
            waiting[i] = true;
        }
        auto any_waiting = [&] { return std::find(waiting.begin(), waiting.end(), true) != waiting.end(); };
        bool sent = outbox_.progress();
        const auto late = [&] { return Clock::now() > deadline; };
        for (Backoff backoff; (any_waiting() || !sent) && !late();) {
            bool active = false;
            try {
                while (auto m = receive(MPI_ANY_SOURCE, late)) {
                    active = true;
                    if (m->tag == Tag::bye && m->source >= 1 && static_cast<std::size_t>(m->source) <= waiting.size())
                        waiting[static_cast<std::size_t>(m->source - 1)] = false;
                }
            } catch (const LostRank& e) {
                lose(e.rank);  // stays waiting: the job cannot end cleanly
            }
            sent = outbox_.progress();
            if (active) backoff.reset();
            else backoff.idle();
        }
        for (std::size_t i = 0; i < workers_.size(); ++i)
            if (workers_[i].state == State::idle) workers_[i].state = waiting[i] ? State::lost : State::finished;
        return sent && all_answered();
    } catch (const MpiError&) {
        return false;
    }
}

bool MpiExecutor::all_answered() const {
    return std::none_of(workers_.begin(), workers_.end(), [](const Worker& w) { return w.state == State::lost; });
}

void MpiExecutor::lose(int rank) {
    if (rank >= 1 && static_cast<std::size_t>(rank) <= workers_.size()) workers_[static_cast<std::size_t>(rank - 1)].state = State::lost;
}

void MpiExecutor::lose_contact(const MpiError& e) {
    if (all_answered())
        std::cerr << "gatesim: lost contact with the other ranks (" << e.what() << "); stopping, finished runs are kept\n";
    for (auto& w : workers_) w.state = State::lost;
}

}  // namespace gatesim::mpi

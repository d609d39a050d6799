// Rank 0 of a gatesim MPI job: the executor that spreads an ensemble's runs over the ranks.
//
// Rank 0 sends the plan to every worker rank once, then hands out jobs one at a time to
// whichever run slot asks (each worker rank has --threads slots), so a slow rank never holds
// the others back. Finished runs come back whole (study/wire.hpp) and go into rank 0's JobQueue,
// which delivers them to the sink, the study's store, in job order: the store sees the same
// runs in the same order as in one process, so every reduction, and every byte of the file, is
// the same for any number of ranks. Rank 0 also computes runs on its own --threads threads.
//
// All of rank 0's MPI calls during a plan happen on one dispatcher thread (MPI_THREAD_SERIALIZED).
// A worker's failure ends the plan with that failure (a bad input stays a bad input); a worker's
// SIGINT or SIGTERM ends it as interrupted, keeping the runs delivered so far.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "mpi/transport.hpp"
#include "study/executor.hpp"

namespace gatesim::mpi {

class MpiExecutor : public Executor {
public:
    // `ranks`: the size of MPI_COMM_WORLD; this process is rank 0. `root_computes`: rank 0 runs
    // jobs on its own threads too (off: it only dispatches and writes).
    explicit MpiExecutor(int ranks, bool root_computes = true);
    ~MpiExecutor() override;

    Delivery run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) override;
    void set_root_computes(bool computes) { root_computes_ = computes; }

    // Tells every worker to finish and waits (up to `patience`) for each to say it does. False
    // when a worker did not answer: a rank is lost, and MPI_Finalize would wait for it forever.
    // Once they have finished, later calls do nothing.
    bool shutdown(std::chrono::seconds patience);

private:
    enum class State { idle, in_plan, ending, finished, lost };
    struct Worker {
        int rank = 0;
        State state = State::idle;
        std::uint64_t free_slots = 0;
        std::uint64_t running = 0;  // jobs sent, not yet answered
    };

    void dispatch(JobQueue& queue);
    bool hand_out(JobQueue& queue);
    void receive_in_plan(Message& m, JobQueue& queue);
    void end_plan();
    // Waits until no worker is still ending a plan; those that do not answer are lost.
    void settle(std::chrono::seconds patience);
    bool all_answered() const;
    void lose(int rank);  // one worker, silently: the launcher is ending the job
    void lose_contact(const MpiError& e);

    std::vector<Worker> workers_;
    bool root_computes_;
    Outbox outbox_;
};

}  // namespace gatesim::mpi

// The MPI side of one gatesim process: whether an MPI launcher (mpirun, srun) started it, which
// rank it is, and the orderly end of the job. Only launched processes initialise MPI, so the
// command behaves exactly as the non-MPI build when started on its own.
#pragma once

#include <atomic>
#include <memory>
#include <stdexcept>

#include "mpi/executor.hpp"

namespace gatesim::mpi {

// Started as several tasks of a launcher without MPI (srun without --mpi=pmix): every task would
// run the whole study. `report` is true on the first task only, so the message is printed once.
struct LaunchError : std::runtime_error {
    LaunchError(const std::string& message, bool first_task) : std::runtime_error(message), report(first_task) {}
    bool report;
};

class MpiSession {
public:
    // Initialises MPI (MPI_THREAD_SERIALIZED) when an MPI launcher started this process, or when
    // GATESIM_MPI=1 is set. Throws LaunchError (see above), std::runtime_error when MPI cannot
    // give the thread support the dispatcher needs.
    MpiSession(int& argc, char**& argv);
    // Rank 0 tells the workers to finish and waits for them; every rank then calls MPI_Finalize,
    // unless a rank was lost (MPI_Finalize would wait for it forever).
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    bool active() const { return active_; }
    int rank() const { return rank_; }
    int size() const { return size_; }
    bool worker() const { return rank_ > 0; }

    // On rank 0 of two or more ranks: the executor that spreads studies' runs over the ranks.
    // nullptr otherwise (one process: its own threads).
    MpiExecutor* executor();
    // On the other ranks: computes runs for rank 0 until the job ends (worker.hpp). Returns the
    // rank's exit code.
    int serve(const std::atomic<bool>& interrupted);

private:
    bool active_ = false;
    bool finalize_ = true;
    int rank_ = 0;
    int size_ = 1;
    std::unique_ptr<MpiExecutor> executor_;
};

}  // namespace gatesim::mpi

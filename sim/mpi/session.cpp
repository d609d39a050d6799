// Launch detection, MPI initialisation and the end of the job (session.hpp).
#include "mpi/session.hpp"

#include <mpi.h>

#include <cstdlib>
#include <string>

#include "mpi/worker.hpp"

namespace gatesim::mpi {
namespace {

bool has_env(const char* name) { return std::getenv(name) != nullptr; }

// Open MPI's mpirun, PMIx (srun --mpi=pmix, prterun), PMI-1/2 (srun --mpi=pmi2, MPICH's hydra).
bool launched_by_mpi() {
    if (const char* forced = std::getenv("GATESIM_MPI")) return std::string(forced) == "1";
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (has_env(name)) return true;
    return false;
}

int env_int(const char* name, int otherwise) {
    const char* value = std::getenv(name);
    return value ? std::atoi(value) : otherwise;
}

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
    if (!launched_by_mpi()) {
        const int tasks = env_int("SLURM_STEP_NUM_TASKS", env_int("SLURM_NTASKS", 1));
        if (has_env("SLURM_PROCID") && tasks > 1)
            throw LaunchError("started as " + std::to_string(tasks) +
                                  " srun tasks without MPI, so each would run the whole study; launch with "
                                  "`srun --mpi=pmix` (or mpirun), see docs/cluster.md",
                              env_int("SLURM_PROCID", 0) == 0);
        return;
    }
    int provided = 0;
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    active_ = true;
    // Failures come back as codes, so that a lost rank stops the study cleanly instead of
    // aborting rank 0 before it has kept the finished runs.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    if (provided < MPI_THREAD_SERIALIZED && size_ > 1) {
        MPI_Finalize();
        active_ = false;
        throw std::runtime_error("this MPI library cannot call MPI from a thread other than the main one "
                                 "(MPI_THREAD_SERIALIZED), which gatesim's dispatcher needs");
    }
}

MpiSession::~MpiSession() {
    if (!active_) return;
    // The workers wait for rank 0's word even when no study ran (bad input, --help).
    if (executor()) finalize_ = executor_->shutdown(std::chrono::seconds(60)) && finalize_;
    executor_.reset();  // frees its pending sends before MPI ends
    if (finalize_) MPI_Finalize();
}

MpiExecutor* MpiSession::executor() {
    if (!active_ || rank_ != 0 || size_ < 2) return nullptr;
    if (!executor_) executor_ = std::make_unique<MpiExecutor>(size_);
    return executor_.get();
}

int MpiSession::serve(const std::atomic<bool>& interrupted) {
    const int code = mpi::serve(interrupted);
    if (code != 0) finalize_ = false;
    return code;
}

}  // namespace gatesim::mpi

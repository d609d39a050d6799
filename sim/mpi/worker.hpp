// The ranks other than 0 of a gatesim MPI job: they compute the runs rank 0 hands out.
#pragma once

#include <atomic>

namespace gatesim::mpi {

// Computes runs for rank 0 until it says the job is over. For each plan rank 0 sends, the rank
// offers its --threads run slots (rank 0's value), runs each job it is given, single-threaded,
// and sends the run back whole; a failing run goes back as its failure. SIGINT or SIGTERM
// (`interrupted`) stops the runs and tells rank 0, which ends the study as interrupted. Prints
// nothing (rank 0 reports) except when contact with rank 0 is lost. Returns the exit code: 0,
// or 1 when rank 0 could not be reached; then the caller must not call MPI_Finalize, which
// would wait for rank 0 forever.
int serve(const std::atomic<bool>& interrupted);

}  // namespace gatesim::mpi

// Studies on a Python pool of processes: an Executor (sim/study/executor.hpp) over any
// concurrent.futures executor, such as concurrent.futures.ProcessPoolExecutor or
// mpi4py.futures.MPIPoolExecutor (python/gatesim/parallel.py makes one from ranks=N).
//
// Each job travels as bytes (encode_job, sim/study/wire.hpp) to gatesim.parallel.run_job in a
// worker process and its run comes back as bytes, bit for bit. At most `in_flight` jobs are
// submitted ahead of the next one to deliver, and runs are delivered in job order: a pool gives
// exactly the results of a serial run. The executor runs on a study's background thread and
// holds the GIL only to submit and collect futures.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>

#include "study/executor.hpp"

namespace gatesim::python {

class FuturesExecutor : public Executor {
public:
    // With the GIL held.
    FuturesExecutor(pybind11::object pool, std::size_t in_flight);
    ~FuturesExecutor() override;

    Delivery run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) override;

private:
    pybind11::object pool_, run_job_, wait_;
    std::size_t in_flight_;
};

}  // namespace gatesim::python

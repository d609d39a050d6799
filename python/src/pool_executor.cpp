// An executor over a concurrent.futures pool (pool_executor.hpp).
#include "pool_executor.hpp"

#include <algorithm>
#include <deque>
#include <string>

#include "study/wire.hpp"

namespace py = pybind11;

namespace gatesim::python {
namespace {

// The futures of the jobs in flight, oldest first. Python objects: touched, and released, only
// with the GIL held; jobs not yet started are cancelled when the ensemble stops early.
class InFlight {
public:
    ~InFlight() { drop(); }
    void drop() {
        py::gil_scoped_acquire gil;
        for (auto& f : futures_) f.attr("cancel")();
        futures_.clear();
    }
    std::deque<py::object>& futures() { return futures_; }

private:
    std::deque<py::object> futures_;
};

}  // namespace

FuturesExecutor::FuturesExecutor(py::object pool, std::size_t in_flight)
    : pool_(std::move(pool)),
      run_job_(py::module_::import("gatesim.parallel").attr("run_job")),
      wait_(py::module_::import("concurrent.futures").attr("wait")),
      in_flight_(std::max<std::size_t>(in_flight, 1)) {
    if (!py::hasattr(pool_, "submit")) throw py::type_error("executor must be a concurrent.futures executor (with submit)");
}

FuturesExecutor::~FuturesExecutor() = default;

Delivery FuturesExecutor::run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) {
    Delivery delivery{range.first, false};
    const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
    const int threads = std::max(options.threads, 1);
    InFlight flight;
    std::uint64_t next = range.first;
    while (delivery.next < range.end) {
        while (flight.futures().size() < in_flight_ && next < range.end) {
            const std::string job = encode_job(plan, next++);
            py::gil_scoped_acquire gil;
            flight.futures().push_back(pool_.attr("submit")(run_job_, py::bytes(job), threads));
        }
        std::string answer;
        while (!cancelled()) {
            py::gil_scoped_acquire gil;
            py::object& oldest = flight.futures().front();
            wait_(py::make_tuple(oldest), py::arg("timeout") = 0.05);  // waits with the GIL released
            if (!oldest.attr("done")().cast<bool>()) continue;
            try {
                answer = oldest.attr("result")().cast<std::string>();
            } catch (py::error_already_set& e) {  // the pool itself failed (a worker process died)
                throw std::runtime_error(std::string("a worker of the executor failed: ") + e.what());
            }
            flight.futures().pop_front();
            break;
        }
        if (cancelled()) break;
        sink.accept(decode_job_outcome(answer));  // a failed job throws its failure here
        ++delivery.next;
    }
    return delivery;
}

}  // namespace gatesim::python

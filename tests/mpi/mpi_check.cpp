// Checks of rank 0's MPI executor that need a real MPI job (ctest runs it under mpirun -n 3):
// runs computed only by the worker ranks are the runs of one process, byte for byte; a worker's
// bad input ends the plan as bad input on rank 0 and the next plan is unaffected; a cancelled
// plan keeps a prefix that a continuation completes. Prints each failed check; exit 1 if any.
#include <atomic>
#include <iostream>
#include <string>
#include <vector>

#include "model/engine.hpp"
#include "mpi/session.hpp"
#include "study/executor.hpp"
#include "study/wire.hpp"
#include "io/scenario_yaml.hpp"

using namespace gatesim;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
    if (ok) return;
    std::cerr << "FAIL: " << what << "\n";
    ++failures;
}

struct Collect : RunSink {
    std::vector<std::string> runs;  // encoded: equal strings are equal runs, bit for bit
    std::atomic<bool>* cancel_after_three = nullptr;
    void accept(const RunRecord& run) override {
        runs.push_back(encode_run(run));
        if (cancel_after_three && runs.size() == 3) *cancel_after_three = true;
    }
};

EnsemblePlan uncertain_plan(const std::string& root, std::uint64_t replicates) {
    const auto loaded = load_scenario(root + "/scenarios/global_shutdown.yaml",
                                      {"population.agents=1500", "days=30"});
    EnsemblePlan plan;
    const UncertainParameter patience{"segments.consumer.patience_days",
                                      {.kind = DistributionKind::uniform, .low = 3, .high = 12}};
    plan.points.push_back(EnsemblePoint::of(loaded.scenario, {patience}));
    plan.replicates = replicates;
    plan.noise_replicates = 3;
    plan.recorded_parameters = {patience.key_path};
    return plan;
}

std::vector<std::string> run_with(const EnsemblePlan& plan, Executor* executor, int threads,
                                  std::uint64_t first = 0) {
    Collect sink;
    EnsembleOptions options;
    options.executor = executor;
    options.threads = threads;
    options.first_job = first;
    run_ensemble(plan, sink, options);
    return sink.runs;
}

}  // namespace

int main(int argc, char** argv) {
    mpi::MpiSession session(argc, argv);
    if (session.worker()) {
        static std::atomic<bool> never{false};
        return session.serve(never);
    }
    if (session.size() < 2 || argc < 2) {
        std::cerr << "usage: mpirun -n 3 mpi_check SOURCE_DIR\n";
        return 2;
    }
    const EnsemblePlan plan = uncertain_plan(argv[1], 9);
    const auto local = run_with(plan, nullptr, 1);
    mpi::MpiExecutor& executor = *session.executor();

    executor.set_root_computes(false);  // every run is a worker's
    expect(run_with(plan, &executor, 2) == local, "runs computed by the worker ranks are the runs of one process");

    // Point 1 cannot be set up: each of its jobs fails on whichever worker runs it.
    EnsemblePlan broken = plan;
    broken.points.push_back(plan.points.front());
    broken.points.back().settings = {{"directive.day", -3}};
    try {
        run_with(broken, &executor, 1);
        expect(false, "a worker's bad input stops the plan");
    } catch (const BadInput& e) {
        expect(std::string(e.what()).find("directive.day") != std::string::npos,
               std::string("the worker's message reaches rank 0: ") + e.what());
    } catch (const std::exception& e) {
        expect(false, std::string("a worker's bad input stays bad input, not: ") + e.what());
    }
    expect(run_with(plan, &executor, 1) == local, "after a failed plan the next one is unaffected");

    // Cancelled after three deliveries: a prefix, which a continuation completes. Enough runs that
    // the window (two per slot) cannot hold them all finished when the flag is seen.
    executor.set_root_computes(true);
    const EnsemblePlan many = uncertain_plan(argv[1], 60);
    std::atomic<bool> cancel{false};
    Collect first;
    first.cancel_after_three = &cancel;
    EnsembleOptions options;
    options.executor = &executor;
    options.cancel = &cancel;
    const auto stopped = run_ensemble(many, first, options);
    expect(stopped.cancelled && !stopped.complete, "the cancel flag stops an MPI ensemble");
    expect(stopped.completed_jobs == first.runs.size() && first.runs.size() >= 3, "delivered runs are counted");
    auto all = first.runs;
    for (auto& run : run_with(many, &executor, 2, stopped.completed_jobs)) all.push_back(run);
    expect(all == run_with(many, nullptr, 2), "a cancelled MPI ensemble continued from its prefix equals an uninterrupted one");

    std::cout << "mpi_check on " << session.size() << " ranks: " << (failures ? "FAILED" : "all checks passed") << "\n";
    return failures ? 1 : 0;
}

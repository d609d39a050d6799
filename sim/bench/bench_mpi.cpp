// MPI benchmark: one ensemble streamed into a study file across the ranks of this job, as
// `mpirun -n N gatesim run --replicates R` does, with what rank 0 does per run measured apart.
// Usage: mpirun -n N gatesim_bench_mpi [SCENARIO] [--replicates 60] [--agents 50000] [--days 180]
// Prints the figures, then a "BENCH" line for sim/bench/bench_mpi.sh, which runs 1, 2 and 4 ranks
// and projects the scaling beyond.
//
// Per run, rank 0 receives and decodes the record (gather) and writes it to the store (store);
// both are serial, so they bound the speed-up at about compute / (gather + store) ranks.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>

#include "io/scenario_yaml.hpp"
#include "io/study_h5.hpp"
#include "mpi/session.hpp"
#include "study/studies.hpp"
#include "study/wire.hpp"

using namespace gatesim;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

constexpr int rounds = 20;

// Seconds for rank 0 to take in one run record from rank 1: the transfer, then decoding, as its
// dispatcher does for every run (0 on one rank). Workers encode in parallel, so not counted.
double gather_seconds(const mpi::MpiSession& session, std::string record) {
    if (!session.active() || session.size() < 2) return 0;
    std::uint64_t size = record.size();
    if (session.rank() == 0) {  // rank 1 sends back what rank 0 gives it
        MPI_Send(&size, 1, MPI_UINT64_T, 1, 0, MPI_COMM_WORLD);
        MPI_Send(record.data(), static_cast<int>(size), MPI_BYTE, 1, 0, MPI_COMM_WORLD);
    } else if (session.rank() == 1) {
        MPI_Recv(&size, 1, MPI_UINT64_T, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        record.resize(size);
        MPI_Recv(record.data(), static_cast<int>(size), MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    for (int i = 0; i < rounds; ++i) {
        if (session.rank() == 1) {
            MPI_Send(record.data(), static_cast<int>(record.size()), MPI_BYTE, 0, 0, MPI_COMM_WORLD);
        } else if (session.rank() == 0) {
            std::string bytes(record.size(), '\0');
            MPI_Recv(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            decode_run(bytes);
        }
    }
    const double per_record = seconds_since(start) / rounds;
    MPI_Barrier(MPI_COMM_WORLD);
    return per_record;
}

// Seconds per run written to a study file, as rank 0's store receives them.
double store_seconds(const RunRecord& record, const Scenario& scenario) {
    const auto path = std::filesystem::temp_directory_path() / ("gatesim_bench_mpi_store_" + std::to_string(::getpid()) + ".h5");
    EnsemblePlan plan;
    plan.points.push_back(EnsemblePoint::of(scenario));
    plan.replicates = plan.noise_replicates = static_cast<std::uint64_t>(rounds);
    StudyFile store(path, make_provenance("", "", "gatesim_bench_mpi", 1, utc_now()));
    store.open({StudyKind::ensemble, &plan, {{"", {0}, false}}, false, true});
    const auto start = Clock::now();
    RunRecord run = record;
    for (int i = 0; i < rounds; ++i) {
        run.job = run.replicate = static_cast<std::uint64_t>(i);
        store.accept(run);
    }
    const double per_run = seconds_since(start) / rounds;
    store.commit(static_cast<std::uint64_t>(rounds), false);
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return per_run;
}

}  // namespace

int main(int argc, char** argv) {
    mpi::MpiSession session(argc, argv);
    if (session.worker()) {
        static std::atomic<bool> never{false};
        const int code = session.serve(never);
        double cpu = process_cpu_seconds(), ignored = 0;
        MPI_Reduce(&cpu, &ignored, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        gather_seconds(session, std::string());
        return code;
    }
    std::string file = "scenarios/global_shutdown.yaml";
    long replicates = 60, agents = 50000, days = 180;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--replicates") && i + 1 < argc) replicates = std::stol(argv[++i]);
        else if (!std::strcmp(argv[i], "--agents") && i + 1 < argc) agents = std::stol(argv[++i]);
        else if (!std::strcmp(argv[i], "--days") && i + 1 < argc) days = std::stol(argv[++i]);
        else file = argv[i];
    }
    const LoadedScenario loaded = load_scenario(file, {"population.agents=" + std::to_string(agents), "days=" + std::to_string(days)});
    const int ranks = session.active() ? session.size() : 1;
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    std::printf("scenario %s: %ld runs of %ld agents x %ld days, streamed to a study file; %d rank%s x 1 thread on %ld cores%s\n",
                loaded.scenario.name.c_str(), replicates, agents, days, ranks, ranks > 1 ? "s" : "", cores,
                ranks > cores ? " (OVERSUBSCRIBED: more ranks than cores, ranks share processors)" : "");

    // The ensemble, timed.
    const auto output = std::filesystem::temp_directory_path() / ("gatesim_bench_mpi_" + std::to_string(::getpid()) + ".h5");
    StudyControl control;
    control.threads = 1;
    control.executor = session.executor();
    const auto start = Clock::now();
    const double cpu_start = process_cpu_seconds();
    {
        StudyFile study_file(output, make_provenance("", file, "gatesim_bench_mpi", 1, utc_now()));
        run_ensemble_study({study_scenario(loaded), static_cast<std::uint64_t>(replicates), 0}, study_file, control);
    }
    const double wall = seconds_since(start);
    std::filesystem::remove(output);
    // Rank 0 processor time of the study; the workers add theirs once they have finished.
    double cpu = process_cpu_seconds() - cpu_start;
    if (session.executor()) session.executor()->shutdown(std::chrono::seconds(60));
    if (session.active()) {
        double mine = cpu;
        MPI_Reduce(&mine, &cpu, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    }

    // What one run costs to compute, and rank 0's serial work per run.
    EnsemblePlan plan;
    plan.points.push_back(EnsemblePoint::of(loaded.scenario));
    plan.replicates = plan.noise_replicates = 1;
    const double run_start = thread_cpu_seconds();
    const RunRecord record = run_job(plan, 0, 1);
    const double run = thread_cpu_seconds() - run_start;
    const std::string bytes = encode_run(record);
    const double gather = gather_seconds(session, bytes);
    const double store = store_seconds(record, loaded.scenario);

    std::printf("wall %.2f s, %.2f runs/s; processor time %.1f s over all ranks (%.0f%% of %ld cores busy)\n", wall,
                static_cast<double>(replicates) / wall, cpu, 100.0 * cpu / (wall * static_cast<double>(std::min<long>(cores, ranks))),
                std::min<long>(cores, ranks));
    std::printf("per run: compute %.3f s (processor time), record %.2f MB, gather %.2f ms (rank 1 -> 0: transfer and "
                "decode), store %.2f ms (HDF5 write on rank 0)\n",
                run, static_cast<double>(bytes.size()) / 1e6, 1e3 * gather, 1e3 * store);
    std::printf("BENCH ranks=%d cores=%ld runs=%ld wall=%.4f cpu=%.4f run=%.5f bytes=%zu gather=%.6f store=%.6f\n", ranks,
                cores, replicates, wall, cpu, run, bytes.size(), gather, store);
    return 0;
}

// Ensemble benchmark: replicates per second on one and two threads, and parallel efficiency.
// Usage: gatesim_bench_ensemble [SCENARIO] [--replicates N] [--agents N] [--days N] [--no-write]
// Defaults: 1000 replicates of 100,000 users x 180 days, streamed into a study file in /tmp
// (as `gatesim run --replicates` does); --no-write measures the runs alone.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "study/ensemble.hpp"
#include "study/studies.hpp"
#include "io/scenario_yaml.hpp"
#include "io/study_h5.hpp"

using namespace gatesim;

namespace {

long peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// Processor time of the whole process (all threads), to tell a busy machine from a slow program.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

struct Discard : RunSink {
    void accept(const RunRecord&) override {}
};

}  // namespace

int main(int argc, char** argv) {
    std::string file = "scenarios/global_shutdown.yaml";
    long replicates = 1000, agents = 100000, days = 180;
    bool write = true;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--replicates") && i + 1 < argc) replicates = std::stol(argv[++i]);
        else if (!std::strcmp(argv[i], "--agents") && i + 1 < argc) agents = std::stol(argv[++i]);
        else if (!std::strcmp(argv[i], "--days") && i + 1 < argc) days = std::stol(argv[++i]);
        else if (!std::strcmp(argv[i], "--no-write")) write = false;
        else file = argv[i];
    }
    try {
        LoadedScenario loaded = load_scenario(file, {"population.agents=" + std::to_string(agents), "days=" + std::to_string(days),
                                                     "population.users=" + std::to_string(std::max(agents, 1000000000L))});
        std::printf("scenario %s: %ld replicates of %ld users x %ld days, %s\n", loaded.scenario.name.c_str(), replicates,
                    agents, days, write ? "streamed to a study file" : "results discarded");
        const auto output = std::filesystem::temp_directory_path() / ("gatesim_bench_ensemble_" + std::to_string(::getpid()) + ".h5");
        double seconds[3] = {0, 0, 0};
        for (int threads : {1, 2}) {
            StudyControl control;
            control.threads = threads;
            const auto start = std::chrono::steady_clock::now();
            const double cpu_start = cpu_seconds();
            if (write) {
                StudyFile study_file(output, make_provenance("", file, "gatesim_bench_ensemble", threads, utc_now()));
                run_ensemble_study({study_scenario(loaded), static_cast<std::uint64_t>(replicates), 0}, study_file, control);
            } else {
                EnsemblePlan plan;
                plan.points.push_back(EnsemblePoint::of(loaded.scenario, loaded.uncertain));
                plan.replicates = static_cast<std::uint64_t>(replicates);
                plan.noise_replicates = plan.replicates;
                Discard sink;
                EnsembleOptions options;
                options.threads = threads;
                run_ensemble(plan, sink, options);
            }
            seconds[threads] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double cpu = cpu_seconds() - cpu_start;
            std::printf("threads %d: %.1f s total, %.2f replicates per second (processor time %.1f s, %.0f%% of %d core%s)\n",
                        threads, seconds[threads], static_cast<double>(replicates) / seconds[threads], cpu,
                        100.0 * cpu / (seconds[threads] * threads), threads, threads > 1 ? "s" : "");
            std::fflush(stdout);
        }
        std::error_code ignored;
        std::filesystem::remove(output, ignored);
        std::printf("parallel efficiency 1 -> 2 threads: %.1f%%\n", 100.0 * seconds[1] / (2.0 * seconds[2]));
        std::printf("peak resident memory: %ld MiB\n", peak_rss_mib());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gatesim_bench_ensemble: %s\n", e.what());
        return 2;
    }
    return 0;
}

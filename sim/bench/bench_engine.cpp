// Engine benchmark: prints ns per user-day and bytes per user for a scenario at scale.
// Usage: gatesim_bench [SCENARIO] [--agents N] [--days N]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/engine.hpp"
#include "core/world.hpp"
#include "io/scenario_yaml.hpp"

using namespace gatesim;

namespace {
long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}
}  // namespace

int main(int argc, char** argv) {
    std::string file = "scenarios/global_shutdown.yaml";
    long agents = 1000000, days = 180;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--agents") && i + 1 < argc) agents = std::stol(argv[++i]);
        else if (!std::strcmp(argv[i], "--days") && i + 1 < argc) days = std::stol(argv[++i]);
        else file = argv[i];
    }
    try {
        const Scenario s = load_scenario(file, {"population.agents=" + std::to_string(agents), "days=" + std::to_string(days),
                                                "population.users=" + std::to_string(std::max(agents, 1000000000L))})
                               .scenario;
        std::printf("scenario %s: %ld agents x %ld days\n", s.name.c_str(), agents, days);
        const long rss_before = peak_rss_kib();
        const World probe = synthesise_world(s, s.seed, 0, 1);
        std::printf("agent columns: %zu bytes per user\n", probe.users.bytes_per_agent());
        for (int threads : {1, 2}) {
            RunOptions options;
            options.threads = threads;
            const auto start = std::chrono::steady_clock::now();
            const Results r = simulate(s, options);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("threads %d: %.3f s, %.2f ns per user-day (churn %.4g users)\n", threads, seconds,
                        1e9 * seconds / (static_cast<double>(agents) * static_cast<double>(days)), r.scalar("churn_at_horizon"));
        }
        std::printf("peak resident memory growth: %.1f bytes per user\n",
                    1024.0 * static_cast<double>(peak_rss_kib() - rss_before) / static_cast<double>(agents));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gatesim_bench: %s\n", e.what());
        return 2;
    }
    return 0;
}

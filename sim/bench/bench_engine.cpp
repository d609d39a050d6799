// Engine benchmark: prints ns per user-day and bytes per user for a scenario at scale.
// Usage: gatesim_bench [SCENARIO] [--agents N] [--enterprises N] [--days N] [--threads-max N]
// Each run simulates the scenario and its counterfactual; ns per user-day divides the whole run
// by the scenario's users x days, so the counterfactual's cost is included.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "model/engine.hpp"
#include "model/world.hpp"
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
    std::string file = "scenarios/nationality_gate.yaml";
    long agents = 1000000, enterprises = 20000, days = 180, threads_max = 2;
    for (int i = 1; i < argc; ++i) {
        auto number = [&] { return i + 1 < argc ? std::stol(argv[++i]) : 0L; };
        if (!std::strcmp(argv[i], "--agents")) agents = number();
        else if (!std::strcmp(argv[i], "--enterprises")) enterprises = number();
        else if (!std::strcmp(argv[i], "--days")) days = number();
        else if (!std::strcmp(argv[i], "--threads-max")) threads_max = number();
        else file = argv[i];
    }
    try {
        const Scenario s = load_scenario(file, {"population.agents=" + std::to_string(agents), "days=" + std::to_string(days),
                                                "enterprises.agents=" + std::to_string(enterprises)})
                               .scenario;
        std::printf("scenario %s: %ld users, %ld enterprises, %ld days (plus the counterfactual)\n", s.name.c_str(), agents,
                    enterprises, days);
        std::printf("user columns: %zu bytes per user\n", Users::bytes_per_agent());
        const long rss_before = peak_rss_kib();
        for (long threads = 1; threads <= threads_max; ++threads) {
            RunOptions options;
            options.threads = static_cast<int>(threads);
            const auto start = std::chrono::steady_clock::now();
            const Results r = simulate(s, options);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double user_days = static_cast<double>(agents) * static_cast<double>(days);
            std::printf("threads %ld: %.3f s, %.2f ns per user-day (churn %.4g users)\n", threads, seconds, 1e9 * seconds / user_days,
                        r.scalar("churn_at_horizon"));
            if (threads == 1)
                std::printf("peak resident memory growth: %.1f bytes per user (two worlds, tallies and results)\n",
                            1024.0 * static_cast<double>(peak_rss_kib() - rss_before) / static_cast<double>(agents));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gatesim_bench: %s\n", e.what());
        return 2;
    }
    return 0;
}

// Engine benchmark: prints ns per user-day and bytes per user for a scenario at scale.
// Usage: gatesim_bench [SCENARIO] [--agents N] [--enterprises N] [--days N] [--threads-max N] [--threads-min N] [--repeat N]
// Each run simulates the scenario and its counterfactual; ns per user-day divides the whole run
// (synthesis included) by the scenario's users x days, so the counterfactual's cost is included.
// Wall time and process CPU time (all threads) are both printed: the machine may be shared. Each
// thread count runs --repeat times (default 3); the best wall and CPU time and the median wall
// time are printed, the best being the least disturbed by other work on the machine.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

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
double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
    std::string file = "scenarios/nationality_gate.yaml";
    long agents = 1000000, enterprises = 20000, days = 180, threads_max = 2, threads_min = 1, repeat = 3;
    for (int i = 1; i < argc; ++i) {
        auto number = [&] { return i + 1 < argc ? std::stol(argv[++i]) : 0L; };
        if (!std::strcmp(argv[i], "--agents")) agents = number();
        else if (!std::strcmp(argv[i], "--enterprises")) enterprises = number();
        else if (!std::strcmp(argv[i], "--days")) days = number();
        else if (!std::strcmp(argv[i], "--threads-max")) threads_max = number();
        else if (!std::strcmp(argv[i], "--threads-min")) threads_min = number();
        else if (!std::strcmp(argv[i], "--repeat")) repeat = std::max(1L, number());
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
        double first_wall = 0;
        for (long threads = std::max(1L, threads_min); threads <= threads_max; ++threads) {
            RunOptions options;
            options.threads = static_cast<int>(threads);
            std::vector<double> walls;
            double cpu = 0, churn = 0;
            for (long k = 0; k < repeat; ++k) {
                const double cpu_start = cpu_seconds();
                const auto start = std::chrono::steady_clock::now();
                const Results r = simulate(s, options);
                walls.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
                const double used = cpu_seconds() - cpu_start;
                cpu = k == 0 ? used : std::min(cpu, used);
                churn = r.scalar("churn_at_horizon");
            }
            std::sort(walls.begin(), walls.end());
            const double seconds = walls.front(), median = walls[walls.size() / 2];
            const double user_days = static_cast<double>(agents) * static_cast<double>(days);
            if (first_wall == 0) first_wall = seconds;
            std::printf("threads %ld: %.3f s wall (median of %ld: %.3f), %.3f s CPU, %.2f ns per user-day wall, %.2f CPU, speed-up %.2fx "
                        "(churn %.4g users, churn share %.6g)\n",
                        threads, seconds, repeat, median, cpu, 1e9 * seconds / user_days, 1e9 * cpu / user_days, first_wall / seconds, churn,
                        churn / s.population.users);
            if (threads == std::max(1L, threads_min)) {
                const long peak = peak_rss_kib();
                std::printf("peak resident memory: %.1f bytes per user (growth over the loaded scenario %.1f: world, counterfactual, tallies, results)\n",
                            1024.0 * static_cast<double>(peak) / static_cast<double>(agents),
                            1024.0 * static_cast<double>(peak - rss_before) / static_cast<double>(agents));
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gatesim_bench: %s\n", e.what());
        return 2;
    }
    return 0;
}

// The gatesim command line: run, validate and show scenarios; ensembles, comparisons, sweeps and
// sensitivity analyses (study_commands.cpp).
// Exit codes: 0 success, 2 bad input, 1 internal error, 130 interrupted.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <thread>

#include "cli/cli_common.hpp"
#include "cli/study_commands.hpp"
#include "model/engine.hpp"
#include "io/results_h5.hpp"
#include "io/scenario_yaml.hpp"

namespace {

using namespace gatesim;
using namespace gatesim::cli;

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted = true; }

void print_summary(const Scenario& s, const Results& r, std::ostream& out) {
    out << "scenario  " << s.name << "  (" << s.days << " days, " << s.population.agents << " agents for "
        << readable(s.population.users, "users") << ", seed " << s.seed << ")\n";
    if (!s.description.empty()) out << "question  " << s.description << "\n";
    std::size_t width = 0;
    for (const auto& scalar : r.scalars) width = std::max(width, scalar.name.size());
    for (const auto& scalar : r.scalars)
        out << "  " << scalar.name << std::string(width + 2 - scalar.name.size(), ' ') << readable(scalar.value, scalar.unit)
            << "\n";
}

// A one-line progress bar, redrawn in place; only when stderr is a terminal.
std::function<void(int, int)> progress_bar() {
    if (!isatty(STDERR_FILENO)) return {};
    return [](int done, int total) {
        constexpr int width = 30;
        const int filled = total ? done * width / total : width;
        std::fprintf(stderr, "\r[%s%s] day %d/%d", std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                     done, total);
        if (done == total) std::fprintf(stderr, "\r%*s\r", width + 24, "");
        std::fflush(stderr);
    };
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"gatesim: disruption and substitution effects of AI-model access policies"};
    app.set_version_flag("--version", std::string("gatesim ") + GATESIM_VERSION + " (" + GATESIM_GIT_COMMIT + ")");
    app.require_subcommand(1);

    std::string scenario_file, output;
    std::vector<std::string> overrides;
    std::optional<std::uint64_t> seed;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    auto add_scenario_options = [&](CLI::App* cmd) {
        cmd->add_option("scenario", scenario_file, "Scenario file (YAML)")->required();
        cmd->add_option("--set", overrides, "Override a field: key.path=value (repeatable)");
    };
    auto* run = app.add_subcommand("run", "Run a scenario, print a summary and write results");
    add_scenario_options(run);
    run->add_option("-o,--output", output, "Results file to write (HDF5)");
    run->add_option("--seed", seed, "Base seed (overrides the scenario's seed)");
    run->add_option("--threads", threads, "Worker threads (results do not depend on it)")->check(CLI::Range(1, 1024));
    auto* validate = app.add_subcommand("validate", "Check a scenario file and report every problem");
    add_scenario_options(validate);
    auto* show = app.add_subcommand("show", "Print the fully resolved scenario as YAML");
    add_scenario_options(show);
    StudyCommands studies(app, run);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : exit_bad_input;
    }

    if (studies.selected()) {
        std::signal(SIGINT, on_interrupt);
        std::signal(SIGTERM, on_interrupt);
        return studies.execute({scenario_file, overrides, seed, threads, output}, interrupted, argc, argv);
    }

    try {
        if (seed) overrides.push_back("seed=" + std::to_string(*seed));
        LoadedScenario loaded = load_scenario(scenario_file, overrides);
        const Scenario& scenario = loaded.scenario;
        if (*validate) {
            std::cout << scenario_file << ": valid\n";
            return 0;
        }
        if (*show) {
            std::cout << to_yaml(loaded);  // uncertain fields as their distributions
            return 0;
        }

        if (!output.empty()) {
            const auto dir = std::filesystem::absolute(output).parent_path();
            if (!std::filesystem::is_directory(dir)) {
                std::cerr << "gatesim: cannot write " << output << ": directory " << dir.string() << " does not exist\n";
                return exit_bad_input;
            }
        }
        Provenance provenance{GATESIM_VERSION, GATESIM_GIT_COMMIT, to_yaml(scenario), scenario_file,
                              quoted_command_line(argc, argv), utc_now(), threads};
        std::signal(SIGINT, on_interrupt);
        std::signal(SIGTERM, on_interrupt);
        RunOptions options;
        options.threads = threads;
        options.progress = progress_bar();
        options.cancel = &interrupted;
        const Results results = simulate(scenario, options);
        print_summary(scenario, results, std::cout);
        if (!loaded.uncertain.empty())
            std::cout << "note      " << loaded.uncertain.size()
                      << " uncertain field(s) held at their central values; sample them with --replicates\n";
        if (!output.empty()) {
            write_results(output, results, provenance);
            std::cout << "results   " << output << "\n";
        }
        return 0;
    } catch (const ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return exit_bad_input;
    } catch (const Cancelled&) {
        std::cerr << "\ngatesim: interrupted; no results were written\n";
        return exit_interrupted;
    } catch (const std::exception& e) {
        std::cerr << "gatesim: internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

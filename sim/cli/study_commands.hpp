// The multi-run subcommands: run --replicates (ensembles), compare, sweep and sensitivity.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gatesim::cli {

// Options that `run` already has; an ensemble uses them too.
struct RunArgs {
    const std::string& scenario_file;
    const std::vector<std::string>& overrides;
    const std::optional<std::uint64_t>& seed;
    int threads;
    const std::string& output;
};

class StudyCommands {
public:
    // Adds the ensemble options to `run` and the compare, sweep and sensitivity subcommands.
    StudyCommands(CLI::App& app, CLI::App* run);
    // True when the parsed command line asks for a multi-run study.
    bool selected() const;
    // Runs it and prints a table; returns the exit code (0, 2 bad input, 1 internal, 130).
    int execute(const RunArgs& run, const std::atomic<bool>& interrupted, int argc, char** argv);

private:
    struct Common {
        std::string output;
        std::vector<std::string> overrides;
        std::optional<std::uint64_t> seed;
        int threads = 1;
        std::uint64_t replicates = 1;
        std::uint64_t noise_replicates = 0;
        std::string quantiles;
        bool keep_replicates = false;
        bool resume = false;
        std::optional<std::uint64_t> stop_after;
    };
    void add_control(CLI::App* cmd, Common& c, bool scenario_options, bool noise = true);

    CLI::App* run_ = nullptr;
    CLI::App* compare_ = nullptr;
    CLI::App* sweep_ = nullptr;
    CLI::App* sensitivity_ = nullptr;
    Common ensemble_, comparison_, sweep_args_, gsa_;

    std::vector<std::string> compare_files_;
    std::size_t bootstrap_ = 1000;
    double confidence_ = 0.95;

    std::string sweep_scenario_, sweep_file_, design_, show_;
    std::optional<std::uint64_t> points_;

    std::string gsa_scenario_, method_, parameters_, outputs_, gsa_sweep_file_;
    std::optional<std::uint64_t> samples_, levels_;
    std::size_t gsa_bootstrap_ = 1000;
};

}  // namespace gatesim::cli

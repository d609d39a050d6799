// What every gatesim subcommand shares: the Command interface, exit codes and the one place
// that maps exceptions to them, Ctrl-C, scenario options and loading, provenance, output
// checks, and number formatting for the printed tables.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/output_lock.hpp"
#include "io/number_format.hpp"
#include "io/provenance.hpp"
#include "io/scenario_yaml.hpp"
#include "study/executor.hpp"

namespace gatesim::cli {

constexpr int exit_ok = 0;
constexpr int exit_bad_input = 2;
constexpr int exit_internal = 1;
constexpr int exit_interrupted = 130;

// How gatesim was called, for provenance and Ctrl-C.
struct Invocation {
    int argc = 0;
    char** argv = nullptr;
    std::string command_line() const;  // quoted so that it can be pasted into a shell
};

// One subcommand: adds its options to the app on construction, runs when parsed.
class Command {
public:
    explicit Command(CLI::App* app) : app_(app) {}
    virtual ~Command() = default;
    Command(const Command&) = delete;
    Command& operator=(const Command&) = delete;

    bool selected() const { return app_->parsed(); }
    // The exit code; bad input and internal errors are thrown, and mapped by guarded().
    virtual int execute(const Invocation& invocation) = 0;

protected:
    CLI::App* app_;
};

// Each in its own file (run.cpp, validate.cpp, ...), in the order `gatesim --help` lists them.
std::unique_ptr<Command> add_run(CLI::App& app);
std::unique_ptr<Command> add_validate(CLI::App& app);
std::unique_ptr<Command> add_show(CLI::App& app);
std::unique_ptr<Command> add_compare(CLI::App& app);
std::unique_ptr<Command> add_sweep(CLI::App& app);
std::unique_ptr<Command> add_sensitivity(CLI::App& app);
std::unique_ptr<Command> add_export(CLI::App& app);
std::unique_ptr<Command> add_report(CLI::App& app);
std::unique_ptr<Command> add_calibrate(CLI::App& app);
std::unique_ptr<Command> add_schema(CLI::App& app);

// The subcommand a mistyped name most likely meant: "" when argv[1] is a subcommand or an
// option, else the message to print (unknown command, did you mean, the commands).
std::string unknown_command(const CLI::App& app, int argc, char** argv);

// Limits shown as people read them ("1 to 100,000") rather than "[1 - 100000]"; the limits of
// counts are those of sim/study/limits.hpp.
CLI::Validator count_between(std::uint64_t min, std::uint64_t max);
CLI::Validator between(double min, double max);

// --format text|json for commands that print results.
void add_format(CLI::App* cmd, std::string& format);

// Runs a subcommand and maps what it throws to an exit code: BadInput (scenario problems, bad
// parameters, plans, input files, output paths) 2, an interrupted single run 130, a failed write
// (ResultsWriteError: a full disk) and anything else 1. The message goes to stderr.
int guarded(const std::function<int()>& body);

// From now on SIGINT and SIGTERM set interrupted() instead of ending the process, so runs stop
// at a day boundary and finished work is kept.
void catch_interrupts();
const std::atomic<bool>& interrupted();

// Where the studies of this invocation compute their runs: rank 0's MPI executor in an MPI job
// (set by main), else nullptr (this process's threads).
void use_executor(Executor* executor);
Executor* study_executor();

// The default of --threads: the cores this process may run on (its CPU affinity, which mpirun
// and srun restrict to a rank's share of a node), at least 1.
int default_threads();

// A scenario positional and its --set overrides.
struct ScenarioOptions {
    std::string file;
    std::vector<std::string> overrides;
    void add(CLI::App* cmd);
};
// Loads a scenario with overrides, and --seed as one more; `scope` terms (--scope key=ids, each
// repetition one more condition) add one scope to reporting.scopes. Throws ScenarioError.
LoadedScenario load(const std::string& file, std::vector<std::string> overrides, const std::optional<std::uint64_t>& seed,
                    const std::vector<std::string>& scope = {});
// --scope key=ids (repeatable): the summary scalars are also computed for that subset of users.
void add_scope_option(CLI::App* cmd, std::vector<std::string>& scope);
void add_seed_and_threads(CLI::App* cmd, std::optional<std::uint64_t>& seed, int& threads);

// This invocation's provenance: the resolved scenario, its file, the command line, now.
Provenance provenance_of(const std::string& scenario_yaml, const std::string& scenario_file, int threads,
                         const Invocation& invocation);

// Checks and locks -o before any work (OutputPathError: unwritable, or another gatesim is
// writing it); the lock is held while the returned OutputLock lives. `needed_by` names a command
// that cannot run without one (BadInput when it is empty).
OutputLock require_output(const std::string& output, const std::string& needed_by);

bool stderr_is_terminal();

std::string pad(std::string s, std::size_t width);
std::string rpad(const std::string& s, std::size_t width);
std::string duration(double seconds);  // 42s, 3m07s, 2h05m
std::vector<std::string> split_list(const std::string& text);  // comma-separated, trimmed

}  // namespace gatesim::cli

// The gatesim command line: sets up the app, its subcommands (one file each: run, validate,
// show, compare, sweep, sensitivity, export, report, calibrate, schema) and dispatches to the one parsed.
// Exit codes: 0 success, 2 bad input, 1 internal error, 130 interrupted (common.hpp).
// Under mpirun or srun (GATESIM_MPI builds), rank 0 runs the command with the same arguments and
// spreads its studies' runs over the other ranks, which only compute (sim/mpi, docs/cluster.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "cli/common.hpp"
#ifdef GATESIM_MPI
#include "mpi/session.hpp"
#endif

int main(int argc, char** argv) {
    using namespace gatesim::cli;
#ifdef GATESIM_MPI
    std::optional<gatesim::mpi::MpiSession> mpi;  // ends the job (MPI_Finalize) after the command
    try {
        mpi.emplace(argc, argv);
    } catch (const gatesim::mpi::LaunchError& e) {
        if (e.report) std::cerr << "gatesim: " << e.what() << "\n";
        return exit_bad_input;
    } catch (const std::exception& e) {
        std::cerr << "gatesim: internal error: " << e.what() << "\n";
        return exit_internal;
    }
    if (mpi->worker()) {
        catch_interrupts();
        return mpi->serve(interrupted());
    }
    use_executor(mpi->executor());
#endif
    CLI::App app{"gatesim: disruption and substitution effects of AI-model access policies"};
    app.set_version_flag("--version", std::string("gatesim ") + GATESIM_VERSION + " (" + GATESIM_GIT_COMMIT + ")");
    app.require_subcommand(1);
    std::vector<std::unique_ptr<Command>> commands;
    for (auto add : {add_run, add_validate, add_show, add_compare, add_sweep, add_sensitivity, add_export, add_report, add_calibrate, add_schema})
        commands.push_back(add(app));
    app.footer("Run `gatesim COMMAND --help` for a command's options and examples.");

    if (const std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
        std::cerr << unknown << "\n";
        return exit_bad_input;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_bad_input;
    }
    const Invocation invocation{argc, argv};
    for (const auto& command : commands)
        if (command->selected()) return guarded([&] { return command->execute(invocation); });
    return exit_internal;  // unreachable: a subcommand is required
}

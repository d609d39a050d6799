// `gatesim export FILE --format csv|json|xlsx`: a results or study file as tables for
// spreadsheets and other tools.
//
// It runs the Python package's export (python -m gatesim.command export), so the CLI and
// Python write the same tables (the tidy series with units, summaries, deltas, the workbook's
// sheets) from one implementation, tested once; Excel needs Python's openpyxl anyway. The
// interpreter is $GATESIM_PYTHON when set, else the first of Debian's /usr/bin/python3 and
// python3 on PATH that imports gatesim, numpy and pandas (and openpyxl for xlsx), with the
// package this build assembled (<build>/python) first on its path.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/common.hpp"
#include "cli/python_command.hpp"

namespace gatesim::cli {
namespace {

namespace fs = std::filesystem;

class ExportCommand : public Command {
public:
    explicit ExportCommand(CLI::App& app)
        : Command(app.add_subcommand("export", "Write a results or study file as CSV, JSON or an Excel workbook")) {
        app_->footer("Examples:\n"
                     "  gatesim export out.h5 --format csv          # out.csv (series), out-summary.csv, ...\n"
                     "  gatesim export cmp.h5 --format xlsx -o briefing.xlsx\n"
                     "  gatesim export ens.h5 --format json\n"
                     "Runs the gatesim Python package (Debian's python3; GATESIM_PYTHON chooses another).");
        app_->add_option("file", file_, "A file written by gatesim (run, compare, sweep, sensitivity)")->required();
        app_->add_option("--format", format_, "csv, json or xlsx (default: from -o's suffix, else csv)")
            ->check(CLI::IsMember({"csv", "json", "xlsx"}));
        app_->add_option("-o,--output", output_, "File to write (default: FILE with the format's suffix)");
        app_->add_flag("--no-series", no_series_, "Only the summary tables, without the daily series");
    }

    int execute(const Invocation&) override {
        std::string format = format_;
        if (format.empty() && !output_.empty()) {
            const std::string suffix = fs::path(output_).extension().string();
            if (!suffix.empty()) format = suffix.substr(1);
        }
        if (format.empty()) format = "csv";
        if (format != "csv" && format != "json" && format != "xlsx")
            throw BadInput("--format: say csv, json or xlsx (the suffix of " + output_ + " names none of them)");
        const std::string output = output_.empty() ? fs::path(file_).replace_extension(format).string() : output_;
        const bool excel = format == "xlsx";
        std::vector<std::string> arguments{"export", file_, "--format", format, "-o", output};
        if (no_series_) arguments.push_back("--no-series");
        return run_gatesim_command(arguments, std::string("gatesim, numpy, pandas") + (excel ? ", openpyxl" : ""),
                                   "export needs a Python 3 with the gatesim package, numpy and pandas" +
                                       std::string(excel ? " and openpyxl" : "") + " (Debian: python3-numpy, python3-pandas" +
                                       (excel ? ", python3-openpyxl" : "") + ")");
    }

private:
    std::string file_, format_, output_;
    bool no_series_ = false;
};

}  // namespace

std::unique_ptr<Command> add_export(CLI::App& app) { return std::make_unique<ExportCommand>(app); }

}  // namespace gatesim::cli

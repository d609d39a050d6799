// `gatesim report FILE... -o DIR --audience investor|policy`: a briefing (DIR/briefing.html, one
// self-contained page, and DIR/briefing.pdf) from results, ensemble, comparison and sensitivity
// files. It runs the Python package's report (python -m gatesim.command report), so the CLI and
// gs.report write the same briefing; templates (Jinja2), figures (matplotlib) and the PDF
// (WeasyPrint) are Python libraries. docs/report.md describes the briefing.
#include <filesystem>

#include "cli/common.hpp"
#include "cli/python_command.hpp"

namespace gatesim::cli {
namespace {

class ReportCommand : public Command {
public:
    explicit ReportCommand(CLI::App& app)
        : Command(app.add_subcommand("report", "Write an investor or policy briefing (HTML and PDF) from results files")) {
        app_->footer("Examples:\n"
                     "  gatesim compare scenarios/baseline.yaml scenarios/global_shutdown.yaml --replicates 20 -o cmp.h5\n"
                     "  gatesim report cmp.h5 -o briefing --audience policy     # briefing/briefing.html, briefing.pdf\n"
                     "  gatesim report ens.h5 out.h5 -o briefing --audience investor --no-pdf\n"
                     "  gatesim report ens.h5 -o briefing --calibration calib.h5   # with a calibration section\n"
                     "Runs the gatesim Python package (Debian's python3; GATESIM_PYTHON chooses another).");
        app_->add_option("files", files_, "Files written by gatesim run, compare or sensitivity")->required();
        app_->add_option("-o,--output", output_, "Folder to write briefing.html and briefing.pdf into")->required();
        app_->add_option("--audience", audience_, "investor or policy (default policy)")
            ->check(CLI::IsMember({"investor", "policy"}));
        app_->add_option("--title", title_, "Title of the briefing (default: the audience and the scenarios)");
        app_->add_flag("--no-pdf", no_pdf_, "Only the HTML page");
        app_->add_option("--calibration", calibration_, "A calibration file (gatesim calibrate) to report on");
    }

    int execute(const Invocation&) override {
        std::vector<std::string> arguments{"report"};
        arguments.insert(arguments.end(), files_.begin(), files_.end());
        arguments.insert(arguments.end(), {"-o", output_, "--audience", audience_});
        if (!title_.empty()) arguments.insert(arguments.end(), {"--title", title_});
        if (no_pdf_) arguments.push_back("--no-pdf");
        if (!calibration_.empty()) arguments.insert(arguments.end(), {"--calibration", calibration_});
        return run_gatesim_command(arguments, std::string("gatesim, numpy, pandas, matplotlib, jinja2, h5py, yaml") +
                                                  (no_pdf_ ? "" : ", weasyprint") +
                                                  (calibration_.empty() ? "" : ", scipy"),
                                   "report needs a Python 3 with the gatesim package, numpy, pandas, matplotlib, "
                                   "Jinja2, h5py and PyYAML (and WeasyPrint for the PDF; Debian: python3-matplotlib, "
                                   "python3-jinja2, python3-h5py, python3-yaml, weasyprint)");
    }

private:
    std::vector<std::string> files_;
    std::string output_, audience_ = "policy", title_, calibration_;
    bool no_pdf_ = false;
};

}  // namespace

std::unique_ptr<Command> add_report(CLI::App& app) { return std::make_unique<ReportCommand>(app); }

}  // namespace gatesim::cli

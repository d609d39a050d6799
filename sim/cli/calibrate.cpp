// `gatesim calibrate SCENARIO OBS --parameters key=low:high,... -o calib.h5`: fits behavioural
// parameters to observed series and writes the trials, the best fit, the region of values
// consistent with the data and the fit (docs/calibration.md). It runs the Python package's
// calibration (python -m gatesim.command calibrate), so the CLI and gs.calibrate are one
// implementation; Optuna, which drives the search, is a Python library. Its studies' runs are
// the C++ engine's, through the package's bindings.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/python_command.hpp"
#include "study/limits.hpp"
#include "study/parameters.hpp"

namespace gatesim::cli {
namespace {

constexpr std::uint64_t max_trials = 100'000;

class CalibrateCommand : public Command {
public:
    explicit CalibrateCommand(CLI::App& app)
        : Command(app.add_subcommand("calibrate", "Fit parameters to observed series, with the uncertainty that remains")) {
        app_->footer("Examples:\n"
                     "  gatesim calibrate scenarios/geo_fence.yaml obs.csv \\\n"
                     "      --parameters circumvention.awareness_peak=0.005:0.2 -o calib.h5\n"
                     "  gatesim calibrate sc.yaml obs.csv --parameters a.b=0:1,c.d=1:30 -o calib.h5 --resume\n"
                     "  gatesim run sc.yaml --replicates 40 --parameters-from calib.h5 -o ens.h5\n"
                     "  gatesim report ens.h5 --calibration calib.h5 -o briefing\n"
                     "OBS is a CSV (day or date, quantity, value, uncertainty) with a '# quantities:' YAML header;\n"
                     "see docs/calibration.md. Runs the gatesim Python package (Debian's python3; GATESIM_PYTHON\n"
                     "chooses another).");
        app_->add_option("scenario", scenario_, "Scenario file or library name")->required();
        app_->add_option("observations", observations_, "Observations CSV with its '# quantities:' header")->required();
        app_->add_option("--parameters", parameters_, "What to fit: key.path=low:high,... (a uniform prior box)")
            ->required();
        app_->add_option("-o,--output", output_, "Calibration file to write (HDF5); trials go to OUTPUT.journal")
            ->required();
        app_->add_option("--set", overrides_, "Override a field: key.path=value (repeatable)");
        app_->add_option("--trials", trials_, "Parameter points to evaluate (default 60: a third at random, a third searched, a third mapping the region)")
            ->check(count_between(1, max_trials));
        app_->add_option("--replicates", replicates_, "Runs per trial, under common random numbers (default 4)")
            ->check(count_between(1, max_replicates));
        app_->add_option("--method", method_, "tpe (default), cmaes or random")
            ->check(CLI::IsMember({"tpe", "cmaes", "random"}));
        app_->add_option("--level", level_, "Credibility of the reported region (default 0.95)")
            ->check(CLI::Range(0.5, 0.999));
        app_->add_option("--seed", seed_, "Seed of the sampler (default: the scenario's seed)");
        app_->add_option("--workers", workers_, "Processes computing each trial's replicates (default 1: this one)")
            ->check(count_between(1, 1024));
        app_->add_option("--ranks", ranks_, "MPI worker ranks computing the replicates (needs mpi4py)")
            ->check(count_between(1, 1024));
        app_->add_flag("--resume", resume_, "Continue an interrupted calibration from OUTPUT.journal");
    }

    int execute(const Invocation&) override {
        std::vector<std::string> arguments{"calibrate", scenario_, observations_, "--parameters", parameters_, "-o", output_};
        for (const auto& s : overrides_) arguments.insert(arguments.end(), {"--set", s});
        auto pass = [&](const char* flag, const auto& value) {
            if (value) arguments.insert(arguments.end(), {flag, format_value(static_cast<double>(*value))});
        };
        pass("--trials", trials_);
        pass("--replicates", replicates_);
        pass("--level", level_);
        pass("--workers", workers_);
        pass("--ranks", ranks_);
        if (seed_) arguments.insert(arguments.end(), {"--seed", std::to_string(*seed_)});
        if (!method_.empty()) arguments.insert(arguments.end(), {"--method", method_});
        if (resume_) arguments.push_back("--resume");
        return run_gatesim_command(arguments, "gatesim, numpy, scipy, optuna, h5py, yaml",
                                   "calibrate needs a Python 3 with the gatesim package, numpy, SciPy, Optuna, h5py and "
                                   "PyYAML (Debian: python3-scipy, python3-optuna, python3-h5py, python3-yaml)");
    }

private:
    std::string scenario_, observations_, parameters_, output_;
    std::vector<std::string> overrides_;
    std::optional<std::uint64_t> trials_, replicates_, seed_, workers_, ranks_;
    std::optional<double> level_;
    std::string method_;
    bool resume_ = false;
};

}  // namespace

std::unique_ptr<Command> add_calibrate(CLI::App& app) { return std::make_unique<CalibrateCommand>(app); }

}  // namespace gatesim::cli

// `gatesim compare`: scenarios side by side with common random numbers; prints the paired
// delta of every summary scalar (each scenario minus the first) with bootstrap intervals.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/study_options.hpp"
#include "io/study_h5.hpp"

namespace gatesim::cli {
namespace {

// One table per compared scenario: mean delta, its interval, and how much pairing narrowed it.
void print_deltas(const ComparisonReport& r, double confidence, std::ostream& out) {
    char level[16];
    std::snprintf(level, sizeof level, "%.0f%%", 100 * confidence);
    std::uint64_t pairs = r.plan.replicates;
    for (std::size_t p = 0; p < r.plan.points.size(); ++p)
        pairs = std::min(pairs, r.plan.completed_replicates(p, r.outcome.completed_runs));
    std::size_t width = 6, unit_width = 4;
    for (const auto& d : r.deltas) {
        width = std::max(width, d.scalar.size());
        unit_width = std::max(unit_width, unit_label(d.unit).size());
    }
    for (std::size_t i = 1; i < r.names.size(); ++i) {
        out << "\n" << r.names[i] << " minus " << r.names[0] << "  (" << pairs << " paired replicates; mean delta with "
            << level << " bootstrap interval; sd of paired deltas / sd of unpaired differences)\n";
        out << "  " << pad("scalar", width + 2) << pad("unit", unit_width + 2) << rpad("mean", 9) << "   "
            << pad("interval", 22) << "paired/unpaired sd\n";
        for (const auto& d : r.deltas) {
            const PairedDelta& p = d.versus_reference[i - 1];
            char ratio[32] = "n/a";
            if (p.unpaired_sd > 0 && !std::isnan(p.sd)) std::snprintf(ratio, sizeof ratio, "%.2f", p.sd / p.unpaired_sd);
            else if (p.count > 1 && p.unpaired_sd == 0) std::snprintf(ratio, sizeof ratio, "no variation");
            const std::string interval =
                p.count == 0 ? "" : "[" + compact(p.mean_low, d.unit, true) + ", " + compact(p.mean_high, d.unit, true) + "]";
            out << "  " << pad(d.scalar, width + 2) << pad(unit_label(d.unit), unit_width + 2)
                << rpad(compact(p.mean, d.unit, true), 9) << "   " << pad(interval, 22) << ratio << "\n";
        }
    }
}

class CompareCommand : public Command {
public:
    explicit CompareCommand(CLI::App& app)
        : Command(app.add_subcommand("compare", "Run scenarios side by side with common random numbers; paired deltas")) {
        app_->add_option("scenarios", files_, "Scenario files; deltas are each minus the first")->required()->expected(2, -1);
        options_.replicates = 20;
        app_->add_option("--replicates", options_.replicates, "Replicates per scenario (default 20)")
            ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
        app_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for intervals of mean deltas (default 1000)");
        app_->add_option("--confidence", confidence_, "Interval level (default 0.95)")->check(CLI::Range(0.5, 0.999));
        options_.add(app_, true);
    }

    int execute(const Invocation& invocation) override {
        catch_interrupts();
        StudyControl control = options_.control(options_.threads);
        require_output(options_.output, "compare");
        control.bootstrap = bootstrap_;
        control.confidence = confidence_;
        ComparisonStudy study;
        std::string first_yaml;
        for (const auto& f : files_) {
            const LoadedScenario loaded = load(f, options_.overrides, options_.seed, options_.scope);
            if (first_yaml.empty()) first_yaml = to_yaml(loaded);
            study.scenarios.push_back(study_scenario(loaded));
        }
        study.files = files_;
        study.replicates = options_.replicates;
        study.noise_replicates = options_.noise_replicates;
        StudyFile file(options_.output, provenance_of(first_yaml, files_.front(), options_.threads, invocation));
        const ComparisonReport r = run_comparison_study(study, file, control);
        end_progress(r.outcome);
        std::cout << "comparison  " << r.names.size() << " scenarios x " << r.plan.replicates
                  << " replicates, common random numbers (seed " << r.plan.points.front().scenario().seed
                  << "); deltas are paired by replicate\n";
        print_deltas(r, confidence_, std::cout);
        print_outcome(r.outcome, options_.output, std::cout);
        return finish_code(r.outcome);
    }

private:
    std::vector<std::string> files_;
    std::size_t bootstrap_ = 1000;
    double confidence_ = 0.95;
    StudyOptions options_;
};

}  // namespace

std::unique_ptr<Command> add_compare(CLI::App& app) { return std::make_unique<CompareCommand>(app); }

}  // namespace gatesim::cli

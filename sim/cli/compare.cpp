// `gatesim compare`: scenarios side by side with common random numbers; prints each scenario's
// level of every summary scalar next to its paired delta from the first (with a bootstrap
// interval), as text or, with --format json, as JSON.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/study_options.hpp"
#include "io/study_h5.hpp"

namespace gatesim::cli {
namespace {

std::uint64_t pairs_of(const ComparisonReport& r) {
    std::uint64_t pairs = r.plan.replicates;
    for (std::size_t p = 0; p < r.plan.points.size(); ++p)
        pairs = std::min(pairs, r.plan.completed_replicates(p, r.outcome.completed_runs));
    return pairs;
}

// A scenario's level of a scalar: its median over replicates (the mean without a p50 band).
double level_of(const ComparisonReport& r, std::size_t scenario, const std::string& scalar, std::size_t median) {
    for (const auto& s : r.scenarios.at(scenario))
        if (s.info.name == scalar)
            return median < s.distribution.quantiles.size() ? s.distribution.quantiles[median] : s.distribution.mean;
    return std::nan("");
}

std::string sd_ratio(const PairedDelta& p) {
    char ratio[32] = "n/a";
    if (p.unpaired_sd > 0 && !std::isnan(p.sd)) std::snprintf(ratio, sizeof ratio, "%.2f", p.sd / p.unpaired_sd);
    else if (p.count > 1 && p.unpaired_sd == 0) std::snprintf(ratio, sizeof ratio, "no variation");
    return ratio;
}

// One table per compared scenario: the reference's level, this scenario's, the mean paired
// delta with its interval, and how much pairing narrowed it.
void print_comparison(const ComparisonReport& r, const std::vector<double>& q, double confidence, std::ostream& out) {
    char level[16];
    std::snprintf(level, sizeof level, "%.0f%%", 100 * confidence);
    const std::size_t median = index_of_quantile(q, 0.5);
    const char* centre = median < q.size() ? "medians" : "means";
    std::size_t width = 6, unit_width = 4;
    for (const auto& d : r.deltas) {
        width = std::max(width, d.scalar.size());
        unit_width = std::max(unit_width, unit_label(d.unit).size());
    }
    for (std::size_t i = 1; i < r.names.size(); ++i) {
        const std::size_t col = std::max<std::size_t>({9, r.names[0].size(), r.names[i].size()});
        out << "\n" << r.names[i] << " against " << r.names[0] << "  (" << pairs_of(r) << " paired replicates; levels are "
            << centre << " over replicates; delta: mean paired difference with " << level
            << " bootstrap interval; sd of paired deltas / sd of unpaired differences)\n";
        out << "  " << pad("scalar", width + 2) << pad("unit", unit_width + 2) << rpad(r.names[0], col) << "  "
            << rpad(r.names[i], col) << "  " << rpad("delta", 9) << "   " << pad("interval", 22) << "paired/unpaired sd\n";
        for (const auto& d : r.deltas) {
            const PairedDelta& p = d.versus_reference[i - 1];
            const std::string interval =
                p.count == 0 ? "" : "[" + compact(p.mean_low, d.unit, true) + ", " + compact(p.mean_high, d.unit, true) + "]";
            out << "  " << pad(d.scalar, width + 2) << pad(unit_label(d.unit), unit_width + 2)
                << rpad(compact(level_of(r, 0, d.scalar, median), d.unit), col) << "  "
                << rpad(compact(level_of(r, i, d.scalar, median), d.unit), col) << "  "
                << rpad(compact(p.mean, d.unit, true), 9) << "   " << pad(interval, 22) << sd_ratio(p) << "\n";
        }
    }
}

void comparison_json(const ComparisonReport& r, const std::vector<double>& q, double confidence,
                     const std::string& output, std::ostream& out) {
    JsonWriter j(out);
    j.begin_object().key("scenarios").strings(r.names).field("reference", r.names.front());
    j.field("replicates", r.plan.replicates).field("pairs", pairs_of(r)).field("seed", r.plan.points.front().scenario().seed);
    j.field("confidence", confidence);
    write_outcome_json(j, r.outcome, output);
    j.key("levels").begin_object();
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        j.key(r.names[i]).begin_array();
        for (const auto& s : r.scenarios[i]) write_distribution_json(j, s, q);
        j.end_array();
    }
    j.end_object().key("deltas").begin_object();
    for (std::size_t i = 1; i < r.names.size(); ++i) {
        j.key(r.names[i]).begin_array();
        for (const auto& d : r.deltas) {
            const PairedDelta& p = d.versus_reference[i - 1];
            j.begin_object().field("name", d.scalar).field("unit", d.unit).field("count", static_cast<std::uint64_t>(p.count));
            j.field("mean", p.mean).field("mean_low", p.mean_low).field("mean_high", p.mean_high).field("sd", p.sd);
            j.field("unpaired_sd", p.unpaired_sd).key("quantiles").begin_object();
            for (std::size_t k = 0; k < q.size() && k < p.quantiles.size(); ++k) j.field(quantile_label(q[k]), p.quantiles[k]);
            j.end_object().end_object();
        }
        j.end_array();
    }
    j.end_object().end_object();
}

class CompareCommand : public Command {
public:
    explicit CompareCommand(CLI::App& app)
        : Command(app.add_subcommand("compare", "Run scenarios side by side with common random numbers; levels and paired deltas")) {
        app_->footer("Examples:\n"
                     "  gatesim compare scenarios/baseline.yaml scenarios/global_shutdown.yaml scenarios/nationality_gate.yaml \\\n"
                     "      --replicates 50 -o cmp.h5\n"
                     "  gatesim compare scenarios/global_shutdown.yaml scenarios/geo_fence.yaml -o cmp.h5 --format json");
        app_->add_option("scenarios", files_, "Scenario files; deltas are each minus the first")->required()->expected(2, -1);
        options_.replicates = 20;
        app_->add_option("--replicates", options_.replicates, "Replicates per scenario (default 20)")
            ->check(count_between(1, max_replicates));
        app_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for intervals of mean deltas (default 1000; 0: none)")
            ->check(count_between(0, max_bootstrap));
        app_->add_option("--confidence", confidence_, "Interval level (default 0.95)")->check(between(0.5, 0.999));
        add_format(app_, format_);
        options_.add(app_, true);
    }

    int execute(const Invocation& invocation) override {
        catch_interrupts();
        StudyControl control = options_.control(options_.threads);
        const OutputLock lock = require_output(options_.output, "compare");
        control.bootstrap = bootstrap_;
        control.confidence = confidence_;
        ComparisonStudy study;
        std::string first_yaml;
        for (const auto& f : files_) {
            const LoadedScenario loaded = load(f, options_.overrides, options_.seed, options_.scope);
            if (first_yaml.empty()) first_yaml = to_yaml(loaded);
            study.scenarios.push_back(options_.scenario_of(loaded));
        }
        study.files = files_;
        study.replicates = options_.replicates;
        study.noise_replicates = options_.noise_replicates;
        StudyFile file(options_.output, provenance_of(first_yaml, files_.front(), options_.threads, invocation));
        const ComparisonReport r =
            run_keeping_partial(file, options_.output, [&] { return run_comparison_study(study, file, control); });
        end_progress(r.outcome);
        if (format_ == "json") {
            comparison_json(r, control.quantiles, confidence_, options_.output, std::cout);
            return finish_code(r.outcome, options_.output);
        }
        std::cout << "comparison  " << r.names.size() << " scenarios x " << r.plan.replicates
                  << " replicates, common random numbers (seed " << r.plan.points.front().scenario().seed
                  << "); deltas are paired by replicate\n";
        print_comparison(r, control.quantiles, confidence_, std::cout);
        print_outcome(r.outcome, options_.output, std::cout);
        return finish_code(r.outcome, options_.output);
    }

private:
    std::vector<std::string> files_;
    std::size_t bootstrap_ = 1000;
    double confidence_ = 0.95;
    std::string format_ = "text";
    StudyOptions options_;
};

}  // namespace

std::unique_ptr<Command> add_compare(CLI::App& app) { return std::make_unique<CompareCommand>(app); }

}  // namespace gatesim::cli

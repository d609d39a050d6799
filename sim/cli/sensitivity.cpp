// `gatesim sensitivity`: a global sensitivity analysis (Morris elementary effects or Sobol'
// indices) of chosen summary scalars; prints the parameters ranked by influence.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/study_options.hpp"
#include "io/study_h5.hpp"
#include "io/study_yaml.hpp"

namespace gatesim::cli {
namespace {

// Parameters by decreasing total index (Sobol') or mu* (Morris); undefined ones last.
std::vector<std::size_t> ranked(const OutputSensitivity& o, std::size_t parameters, bool sobol) {
    std::vector<std::size_t> order(parameters);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto key = [&](std::size_t i) {
        const double v = sobol ? o.sobol.total[i] : o.morris.mu_star[i];
        return std::isnan(v) ? -1.0 : v;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
    return order;
}

void print_sobol(const SensitivityReport& r, const OutputSensitivity& o, int width, std::ostream& out) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-*s  %8s  %-18s  %8s  %-18s\n", width, "parameter", "S1", "interval", "ST",
                  "interval");
    out << line;
    for (std::size_t i : ranked(o, r.parameters.size(), true)) {
        std::snprintf(line, sizeof line, "  %-*s  %8.3f  [%6.3f, %6.3f]  %8.3f  [%6.3f, %6.3f]\n", width,
                      r.parameters[i].c_str(), o.sobol.first[i], o.sobol.first_low[i], o.sobol.first_high[i],
                      o.sobol.total[i], o.sobol.total_low[i], o.sobol.total_high[i]);
        out << line;
    }
    if (std::isnan(o.sobol.variance) || !(o.sobol.variance > 0))
        out << "  (undefined: the output is NaN in some samples or does not vary)\n";
}

void print_morris(const SensitivityReport& r, const OutputSensitivity& o, int width, std::ostream& out) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-*s  %12s  %-27s  %12s  %12s\n", width, "parameter", "mu*", "interval", "mu",
                  "sigma");
    out << line;
    for (std::size_t i : ranked(o, r.parameters.size(), false)) {
        std::snprintf(line, sizeof line, "  %-*s  %12.4g  [%11.4g, %11.4g]  %12.4g  %12.4g\n", width,
                      r.parameters[i].c_str(), o.morris.mu_star[i], o.morris.mu_star_low[i], o.morris.mu_star_high[i],
                      o.morris.mu[i], o.morris.sigma[i]);
        out << line;
    }
    out << "  (" << o.unit << " per unit of each parameter's normalised range)\n";
}

void print_indices(const SensitivityReport& r, bool sobol, double confidence, std::ostream& out) {
    std::size_t width = 9;
    for (const auto& p : r.parameters) width = std::max(width, p.size());
    char level[16];
    std::snprintf(level, sizeof level, "%.0f%%", 100 * confidence);
    for (const auto& o : r.outputs) {
        out << "\n" << (sobol ? "Sobol' indices" : "Morris elementary effects") << " of " << o.output << "  ("
            << r.plan.points.size() << " samples x " << r.plan.replicates << " replicates; " << level
            << " bootstrap intervals; ranked)\n";
        if (sobol) print_sobol(r, o, static_cast<int>(width), out);
        else print_morris(r, o, static_cast<int>(width), out);
    }
}

class SensitivityCommand : public Command {
public:
    explicit SensitivityCommand(CLI::App& app)
        : Command(app.add_subcommand("sensitivity", "Global sensitivity analysis (Morris or Sobol' indices)")) {
        app_->footer("Examples:\n"
                     "  gatesim sensitivity my_study.yaml --method morris --samples 20 --outputs churn_at_horizon -o morris.h5\n"
                     "  gatesim sensitivity my_study.yaml --method sobol --samples 256 --outputs churn_at_horizon -o sobol.h5");
        app_->add_option("scenario", scenario_, "Scenario file (YAML)")->required();
        app_->add_option("--method", method_, "morris or sobol (default: the section's, else sobol)")
            ->check(CLI::IsMember({"morris", "sobol"}));
        app_->add_option("--parameters", parameters_,
                         "Key paths, comma-separated (ranges from the sensitivity:/sweep: section or the fields' "
                         "distributions; default: all of them)");
        app_->add_option("--outputs", outputs_, "Summary scalars to analyse, comma-separated");
        app_->add_option("--samples", samples_, "sobol: base samples n (runs n(k+2)); morris: trajectories (runs r(k+1))")
            ->check(count_between(2, max_points));
        app_->add_option("--levels", levels_, "morris: grid levels (even, default 4)")
            ->check(count_between(2, max_morris_levels));
        app_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for intervals (default 1000; 0: none)")
            ->check(count_between(0, max_bootstrap));
        app_->add_option("--sweep", sweep_file_, "File with a sensitivity: or sweep: section");
        app_->add_option("--replicates", options_.replicates, "Replicates per sample; the output is their mean (default 1)")
            ->check(count_between(1, max_replicates));
        options_.add(app_, true, false);
    }

    int execute(const Invocation& invocation) override {
        catch_interrupts();
        StudyControl control = options_.control(options_.threads);
        const OutputLock lock = require_output(options_.output, "sensitivity");
        control.bootstrap = bootstrap_;
        const LoadedScenario loaded = load(scenario_, options_.overrides, options_.seed, options_.scope);
        const SensitivityStudy study = plan(loaded, control);
        StudyFile file(options_.output, provenance_of(to_yaml(loaded), scenario_, options_.threads, invocation));
        const SensitivityReport r =
            run_keeping_partial(file, options_.output, [&] { return run_sensitivity_study(study, file, control); });
        end_progress(r.outcome);
        print_indices(r, study.method == SensitivityMethod::sobol, control.confidence, std::cout);
        print_outcome(r.outcome, options_.output, std::cout);
        return finish_code(r.outcome, options_.output);
    }

private:
    // The study from the sensitivity: (else sweep:) section, with the command line's choices
    // over the section's.
    SensitivityStudy plan(const LoadedScenario& loaded, StudyControl& control) const {
        SensitivityStudy study;
        study.scenario = options_.scenario_of(loaded);
        const std::string section_file = sweep_file_.empty() ? scenario_ : sweep_file_;
        const StudySections sections = load_study_sections(section_file, study.scenario.scenario, !sweep_file_.empty());
        const SensitivitySection& gsa = sections.sensitivity;
        study.parameters = sensitivity_parameters(split_list(parameters_), gsa.present ? gsa.parameters : sections.sweep.parameters,
                                                  study.scenario);
        study.method = *enum_from_name<SensitivityMethod>(!method_.empty() ? method_ : gsa.method.value_or("sobol"));
        study.outputs = !outputs_.empty() ? split_list(outputs_) : gsa.outputs;
        if (study.outputs.empty()) throw BadInput("sensitivity needs --outputs (summary scalars, e.g. churn_at_horizon)");
        const bool sobol = study.method == SensitivityMethod::sobol;
        study.samples = samples_ ? *samples_ : gsa.samples.value_or(sobol ? 64 : 10);
        study.levels = levels_ ? *levels_ : gsa.levels.value_or(4);
        study.replicates = app_->count("--replicates") ? options_.replicates : gsa.replicates.value_or(1);
        if (gsa.bootstrap && app_->count("--bootstrap") == 0) control.bootstrap = *gsa.bootstrap;
        return study;
    }

    std::string scenario_, method_, parameters_, outputs_, sweep_file_;
    std::optional<std::uint64_t> samples_, levels_;
    std::size_t bootstrap_ = 1000;
    StudyOptions options_;
};

}  // namespace

std::unique_ptr<Command> add_sensitivity(CLI::App& app) { return std::make_unique<SensitivityCommand>(app); }

}  // namespace gatesim::cli

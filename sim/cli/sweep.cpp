// `gatesim sweep`: a grid, Latin hypercube or Sobol' design over the parameters of a sweep:
// section; prints the median of chosen scalars at each point.
#include <iostream>

#include "cli/common.hpp"
#include "cli/study_options.hpp"
#include "io/study_h5.hpp"
#include "io/study_yaml.hpp"

namespace gatesim::cli {
namespace {

// A row per point: its parameter values and the medians of the `shown` scalars it produces.
void print_points(const SweepReport& r, const std::vector<std::string>& shown, const std::vector<double>& quantiles,
                  std::ostream& out) {
    out << "  point";
    for (const auto& p : r.parameters) out << "  " << p;
    std::vector<std::size_t> columns;
    if (!r.points.empty())
        for (const auto& name : shown)
            for (std::size_t i = 0; i < r.points.front().size(); ++i)
                if (r.points.front()[i].info.name == name) columns.push_back(i), out << "  " << name;
    out << "\n";
    const std::size_t median = index_of_quantile(quantiles, 0.5);
    for (std::size_t p = 0; p < r.points.size(); ++p) {
        out << "  " << rpad(std::to_string(p), 5);
        for (std::size_t c = 0; c < r.parameters.size(); ++c)
            out << "  " << rpad(compact(r.design.values(p, c), ""), r.parameters[c].size());
        for (std::size_t i : columns) {
            const auto& d = r.points[p][i].distribution;
            const double centre = median < d.quantiles.size() ? d.quantiles[median] : d.mean;
            out << "  " << rpad(compact(centre, r.points[p][i].info.unit), r.points[p][i].info.name.size());
        }
        out << "\n";
    }
}

class SweepCommand : public Command {
public:
    explicit SweepCommand(CLI::App& app)
        : Command(app.add_subcommand("sweep", "Run a design over parameters named in a sweep: section")) {
        app_->footer("Examples:\n"
                     "  gatesim sweep my_study.yaml -o sweep.h5                       # the sweep: section of my_study.yaml\n"
                     "  gatesim sweep scenarios/global_shutdown.yaml --sweep sweep.yaml --design lhs --points 32 -o sweep.h5");
        app_->add_option("scenario", scenario_, "Scenario file (YAML)")->required();
        app_->add_option("--sweep", sweep_file_, "File with the sweep: section (default: the scenario file's)");
        app_->add_option("--design", design_, "grid, lhs or sobol (default: the section's, else grid)")
            ->check(CLI::IsMember({"grid", "lhs", "sobol"}));
        app_->add_option("--points", points_, "lhs/sobol: points; grid: levels of each range or distribution")
            ->check(count_between(1, max_points));
        app_->add_option("--replicates", options_.replicates, "Replicates per point (default: the section's, else 1)")
            ->check(count_between(1, max_replicates));
        app_->add_option("--show", show_, "Summary scalars to print per point, comma-separated");
        options_.add(app_, true);
    }

    int execute(const Invocation& invocation) override {
        catch_interrupts();
        const StudyControl control = options_.control(options_.threads);
        const OutputLock lock = require_output(options_.output, "sweep");
        const LoadedScenario loaded = load(scenario_, options_.overrides, options_.seed, options_.scope);
        const SweepStudy study = plan(loaded);
        StudyFile file(options_.output, provenance_of(to_yaml(loaded), scenario_, options_.threads, invocation));
        const SweepReport r =
            run_keeping_partial(file, options_.output, [&] { return run_sweep_study(study, file, control); });
        end_progress(r.outcome);

        std::vector<std::string> shown = split_list(show_);
        if (shown.empty()) shown = {"peak_blocked", "churn_at_horizon"};  // shown when present
        std::cout << "sweep  " << enum_name(study.design) << " design, " << r.plan.points.size() << " points x "
                  << r.plan.replicates << " replicates; medians over replicates\n";
        print_points(r, shown, control.quantiles, std::cout);
        print_outcome(r.outcome, options_.output, std::cout);
        return finish_code(r.outcome, options_.output);
    }

private:
    // The study from the sweep: section, with the command line's choices over the section's.
    SweepStudy plan(const LoadedScenario& loaded) const {
        SweepStudy study;
        study.scenario = options_.scenario_of(loaded);
        const std::string section_file = sweep_file_.empty() ? scenario_ : sweep_file_;
        const StudySections sections = load_study_sections(section_file, study.scenario.scenario, !sweep_file_.empty());
        if (!sections.sweep.present) throw BadInput(section_file + ": no sweep: section (see docs/uncertainty.md)");
        study.parameters = sections.sweep.parameters;
        study.design = !design_.empty() ? *enum_from_name<SweepDesign>(design_) : sections.sweep.design.value_or(SweepDesign::grid);
        study.points = points_ ? *points_ : sections.sweep.points.value_or(study.design == SweepDesign::grid ? 5 : 16);
        study.replicates = app_->count("--replicates") ? options_.replicates : sections.sweep.replicates.value_or(1);
        study.noise_replicates = options_.noise_replicates;
        return study;
    }

    std::string scenario_, sweep_file_, design_, show_;
    std::optional<std::uint64_t> points_;
    StudyOptions options_;
};

}  // namespace

std::unique_ptr<Command> add_sweep(CLI::App& app) { return std::make_unique<SweepCommand>(app); }

}  // namespace gatesim::cli

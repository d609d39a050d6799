// `gatesim run`: one run of a scenario (summary printed, results file optional) or, with
// --replicates, an ensemble streamed into a study file with bands and distributions.
#include <algorithm>
#include <iostream>

#include "cli/common.hpp"
#include "cli/study_options.hpp"
#include "model/engine.hpp"
#include "io/results_h5.hpp"
#include "io/study_h5.hpp"

namespace gatesim::cli {
namespace {

// One row per scalar; with scopes (scalars named name[scope]), one more column per scope.
void print_summary(const Scenario& s, const Results& r, std::ostream& out) {
    out << "scenario  " << s.name << "  (" << s.days << " days, " << s.population.agents << " agents for "
        << readable(s.population.users, "users") << ", seed " << s.seed << ")\n";
    if (!s.description.empty()) out << "question  " << s.description << "\n";
    std::vector<std::string> scopes;
    std::vector<const Scalar*> rows;
    for (const auto& scalar : r.scalars) {
        const auto open = scalar.name.find('[');
        if (open == std::string::npos) rows.push_back(&scalar);
        else if (const auto label = scalar.name.substr(open + 1, scalar.name.size() - open - 2);
                 std::find(scopes.begin(), scopes.end(), label) == scopes.end())
            scopes.push_back(label);
    }
    std::size_t width = 0;
    for (const Scalar* scalar : rows) width = std::max(width, scalar->name.size());
    std::vector<std::size_t> column(scopes.size(), 0);
    for (std::size_t k = 0; k < scopes.size(); ++k) column[k] = std::max<std::size_t>(24, scopes[k].size() + 2);
    if (!scopes.empty()) {
        out << "  " << pad("", width + 2) << pad("all", 28);
        for (std::size_t k = 0; k < scopes.size(); ++k) out << pad(scopes[k], column[k]);
        out << "\n";
    }
    for (const Scalar* scalar : rows) {
        out << "  " << pad(scalar->name, width + 2);
        if (scopes.empty()) {
            out << readable(scalar->value, scalar->unit) << "\n";
            continue;
        }
        out << pad(readable(scalar->value, scalar->unit), 28);
        for (std::size_t k = 0; k < scopes.size(); ++k) {
            const std::string name = scalar->name + "[" + scopes[k] + "]";
            const auto it = std::find_if(r.scalars.begin(), r.scalars.end(), [&](const Scalar& x) { return x.name == name; });
            out << pad(it == r.scalars.end() ? "" : readable(it->value, it->unit), column[k]);
        }
        out << "\n";
    }
}

void print_warnings(const Results& r) {
    for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
}

// A one-line progress bar over days, redrawn in place; only when stderr is a terminal.
std::function<void(int, int)> day_progress() {
    if (!stderr_is_terminal()) return {};
    return [](int done, int total) {
        constexpr int width = 30;
        const int filled = total ? done * width / total : width;
        std::fprintf(stderr, "\r[%s%s] day %d/%d", std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                     done, total);
        if (done == total) std::fprintf(stderr, "\r%*s\r", width + 24, "");
        std::fflush(stderr);
    };
}

class RunCommand : public Command {
public:
    explicit RunCommand(CLI::App& app) : Command(app.add_subcommand("run", "Run a scenario, print a summary and write results")) {
        scenario_.add(app_);
        add_scope_option(app_, scope_);
        app_->add_option("-o,--output", output_, "Results file to write (HDF5)");
        add_seed_and_threads(app_, seed_, threads_);
        auto* replicates = app_->add_option("--replicates", ensemble_.replicates,
                                            "Run an ensemble of N replicates (needs -o); with uncertain fields, N = "
                                            "parameter draws x noise replicates")
                               ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
        ensemble_.add(app_, false);
        // Ensemble options would be silently ignored by a single run.
        for (const char* name : {"--noise-replicates", "--quantiles", "--keep-replicates", "--resume", "--stop-after"})
            app_->get_option(name)->needs(replicates);
    }

    int execute(const Invocation& invocation) override {
        if (app_->count("--replicates") > 0) return run_ensemble(invocation);
        return run_single(invocation);
    }

private:
    int run_single(const Invocation& invocation) {
        const LoadedScenario loaded = load(scenario_.file, scenario_.overrides, seed_, scope_);
        const Scenario& scenario = loaded.scenario;
        require_output(output_, "");
        const Provenance provenance = provenance_of(to_yaml(scenario), scenario_.file, threads_, invocation);
        catch_interrupts();
        RunOptions options;
        options.threads = threads_;
        options.progress = day_progress();
        options.cancel = &interrupted();
        const Results results = simulate(scenario, options);
        print_summary(scenario, results, std::cout);
        print_warnings(results);
        if (!loaded.uncertain.empty())
            std::cout << "note      " << loaded.uncertain.size()
                      << " uncertain field(s) held at their central values; sample them with --replicates\n";
        if (!output_.empty()) {
            write_results(output_, results, provenance);
            std::cout << "results   " << output_ << "\n";
        }
        return exit_ok;
    }

    int run_ensemble(const Invocation& invocation) {
        catch_interrupts();
        const StudyControl control = ensemble_.control(threads_);
        require_output(output_, "run --replicates");
        const LoadedScenario loaded = load(scenario_.file, scenario_.overrides, seed_, scope_);
        const EnsembleStudy study{study_scenario(loaded), ensemble_.replicates, ensemble_.noise_replicates};
        StudyFile file(output_, provenance_of(to_yaml(loaded), scenario_.file, threads_, invocation));
        const EnsembleReport r = run_ensemble_study(study, file, control);
        end_progress(r.outcome);

        const Scenario& s = loaded.scenario;
        const bool uncertain = !loaded.uncertain.empty();
        std::cout << "scenario  " << s.name << "  (" << s.days << " days, seed " << s.seed << ")\n";
        std::cout << "ensemble  " << r.outcome.completed_runs << " of " << r.plan.replicates << " replicates";
        if (uncertain)
            std::cout << " = " << r.plan.draws() << " parameter draws x " << r.plan.noise_replicates
                      << " noise replicates; uncertain:" << uncertain_summary(loaded.uncertain);
        std::cout << "\n";
        print_distribution_table(r.scalars, control.quantiles, uncertain && r.plan.noise_replicates > 1, std::cout);
        print_outcome(r.outcome, output_, std::cout);
        return finish_code(r.outcome);
    }

    ScenarioOptions scenario_;
    std::vector<std::string> scope_;
    std::string output_;
    std::optional<std::uint64_t> seed_;
    int threads_ = 1;
    StudyOptions ensemble_;
};

}  // namespace

std::unique_ptr<Command> add_run(CLI::App& app) { return std::make_unique<RunCommand>(app); }

}  // namespace gatesim::cli

// `gatesim run`: one run of a scenario (summary printed, results file optional) or, with
// --replicates, an ensemble streamed into a study file with bands and distributions. The
// summary is text, or JSON with --format json.
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

void scenario_json(JsonWriter& j, const Scenario& s) {
    j.field("scenario", s.name).field("description", s.description).field("days", s.days).field("seed", s.seed);
    j.field("start_date", s.start_date).field("agents", static_cast<std::int64_t>(s.population.agents));
    j.field("users", s.population.users);
}

void print_summary_json(const LoadedScenario& loaded, const Results& r, const std::string& output, std::ostream& out) {
    JsonWriter j(out);
    j.begin_object();
    scenario_json(j, loaded.scenario);
    std::vector<std::string> held;
    for (const auto& u : loaded.uncertain) held.push_back(u.key_path);
    j.key("uncertain_held_at_central_values").strings(held);
    j.key("scalars").begin_array();
    for (const auto& s : r.scalars)
        j.begin_object().field("name", s.name).field("unit", s.unit).field("value", s.value)
            .field("description", s.description).end_object();
    j.end_array();
    j.key("warnings").strings(r.warnings);
    j.field("output", output).end_object();
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
        app_->footer("Examples:\n"
                     "  gatesim run scenarios/global_shutdown.yaml -o out.h5\n"
                     "  gatesim run scenarios/global_shutdown.yaml --set directive.day=10 --seed 7 --format json\n"
                     "  gatesim run scenarios/global_shutdown.yaml --replicates 200 -o ens.h5   # bands and distributions");
        scenario_.add(app_);
        add_scope_option(app_, scope_);
        app_->add_option("-o,--output", output_, "Results file to write (HDF5)");
        add_format(app_, format_);
        add_seed_and_threads(app_, seed_, threads_);
        auto* replicates = app_->add_option("--replicates", ensemble_.replicates,
                                            "Run an ensemble of N replicates (needs -o); with uncertain fields, N = "
                                            "parameter draws x noise replicates")
                               ->check(count_between(1, max_replicates));
        ensemble_.add(app_, false);
        // Ensemble options would be silently ignored by a single run.
        for (const char* name : {"--noise-replicates", "--quantiles", "--keep-replicates", "--resume", "--stop-after",
                                 "--parameters-from"})
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
        const OutputLock lock = require_output(output_, "");
        const Provenance provenance = provenance_of(to_yaml(scenario), scenario_.file, threads_, invocation);
        catch_interrupts();
        RunOptions options;
        options.threads = threads_;
        options.progress = day_progress();
        options.cancel = &interrupted();
        const Results results = simulate(scenario, options);
        if (!output_.empty()) write_results(output_, results, provenance);
        if (format_ == "json") {
            print_summary_json(loaded, results, output_, std::cout);
            print_warnings(results);
            return exit_ok;
        }
        print_summary(scenario, results, std::cout);
        print_warnings(results);
        if (!loaded.uncertain.empty())
            std::cout << "note      " << loaded.uncertain.size()
                      << " uncertain field(s) held at their central values; sample them with --replicates\n";
        if (!output_.empty()) std::cout << "results   " << output_ << "\n";
        return exit_ok;
    }

    int run_ensemble(const Invocation& invocation) {
        catch_interrupts();
        const StudyControl control = ensemble_.control(threads_);
        const OutputLock lock = require_output(output_, "run --replicates");
        const LoadedScenario loaded = load(scenario_.file, scenario_.overrides, seed_, scope_);
        const EnsembleStudy study{ensemble_.scenario_of(loaded), ensemble_.replicates, ensemble_.noise_replicates};
        StudyFile file(output_, provenance_of(to_yaml(loaded), scenario_.file, threads_, invocation));
        const EnsembleReport r =
            run_keeping_partial(file, output_, [&] { return run_ensemble_study(study, file, control); });
        end_progress(r.outcome);
        if (format_ == "json") {
            ensemble_json(loaded, r, control.quantiles, std::cout);
            return finish_code(r.outcome, output_);
        }

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
        return finish_code(r.outcome, output_);
    }

    void ensemble_json(const LoadedScenario& loaded, const EnsembleReport& r, const std::vector<double>& q,
                       std::ostream& out) const {
        JsonWriter j(out);
        j.begin_object();
        scenario_json(j, loaded.scenario);
        j.field("replicates", r.plan.replicates).field("parameter_draws", r.plan.draws());
        j.field("noise_replicates", r.plan.noise_replicates);
        write_outcome_json(j, r.outcome, output_);
        j.key("scalars").begin_array();
        for (const auto& s : r.scalars) write_distribution_json(j, s, q);
        j.end_array().end_object();
    }

    ScenarioOptions scenario_;
    std::vector<std::string> scope_;
    std::string output_, format_ = "text";
    std::optional<std::uint64_t> seed_;
    int threads_ = 1;
    StudyOptions ensemble_;
};

}  // namespace

std::unique_ptr<Command> add_run(CLI::App& app) { return std::make_unique<RunCommand>(app); }

}  // namespace gatesim::cli

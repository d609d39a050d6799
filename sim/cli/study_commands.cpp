// The multi-run subcommands: options, progress with ETA, and the tables they print.
#include "cli/study_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/cli_common.hpp"
#include "study/parameters.hpp"
#include "io/scenario_yaml.hpp"
#include "io/studies.hpp"
#include "io/study_yaml.hpp"

namespace gatesim::cli {
namespace {

struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

std::vector<double> parse_quantiles(const std::string& text) {
    if (text.empty()) return default_quantiles;
    std::vector<double> q;
    for (const auto& item : split_list(text)) {
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != item.size() || !(v >= 0 && v <= 1))
            throw BadInput("--quantiles: '" + item + "' is not a probability between 0 and 1");
        if (!q.empty() && v <= q.back()) throw BadInput("--quantiles must be given in increasing order");
        q.push_back(v);
    }
    if (q.empty()) throw BadInput("--quantiles: give at least one probability, e.g. 0.1,0.5,0.9");
    return q;
}

std::string duration(double seconds) {
    char buffer[32];
    const long s = std::lround(std::max(0.0, seconds));
    if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60) std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buffer, sizeof buffer, "%lds", s);
    return buffer;
}

// A one-line progress bar over runs with rate and ETA, redrawn in place; only on a terminal.
std::function<void(std::uint64_t, std::uint64_t)> run_progress() {
    if (!isatty(STDERR_FILENO)) return {};
    struct State {
        std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
        std::uint64_t first = UINT64_MAX;  // runs already done when timing began (resume)
    };
    auto state = std::make_shared<State>();
    return [state](std::uint64_t done, std::uint64_t total) {
        if (state->first == UINT64_MAX) {
            // A first report beyond one run is the resumed runs: time only the new ones.
            state->first = done > 1 ? done : 0;
            if (done > 1) state->start = std::chrono::steady_clock::now();
        }
        constexpr int width = 30;
        const int filled = total ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : width;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - state->start).count();
        const double fresh = static_cast<double>(done - std::min(done, state->first));
        const double rate = elapsed > 0 && fresh > 0 ? fresh / elapsed : 0;
        const std::string eta = rate > 0 ? duration(static_cast<double>(total - done) / rate) : "?";
        std::fprintf(stderr, "\r[%s%s] %llu/%llu runs  %.2f runs/s  ETA %s   ", std::string(filled, '#').c_str(),
                     std::string(width - filled, ' ').c_str(), static_cast<unsigned long long>(done),
                     static_cast<unsigned long long>(total), rate, eta.c_str());
        if (done == total) std::fprintf(stderr, "\r%*s\r", width + 60, "");
        std::fflush(stderr);
    };
}

LoadedScenario load(const std::string& file, std::vector<std::string> overrides, const std::optional<std::uint64_t>& seed) {
    if (seed) overrides.push_back("seed=" + std::to_string(*seed));
    return load_scenario(file, overrides);
}

void require_output(const std::string& output, const std::string& command) {
    if (output.empty()) throw BadInput(command + " needs -o/--output: its runs stream into that file");
    const auto dir = std::filesystem::absolute(output).parent_path();
    if (!std::filesystem::is_directory(dir))
        throw BadInput("cannot write " + output + ": directory " + dir.string() + " does not exist");
    if (std::filesystem::is_directory(output)) throw BadInput("cannot write " + output + ": it is a directory");
}

Provenance provenance_of(const std::string& yaml, const std::string& file, int threads, int argc, char** argv) {
    return Provenance{GATESIM_VERSION, GATESIM_GIT_COMMIT, yaml, file, quoted_command_line(argc, argv), utc_now(), threads};
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s += std::string(width - s.size(), ' ');
    return s;
}

std::string rpad(const std::string& s, std::size_t width) {
    return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// Three significant digits with k/M/B/T suffixes: tables are for reading; the file has the
// exact values.
std::string compact(double v, const std::string& unit, bool sign = false) {
    if (std::isnan(v)) return "n/a";
    char buffer[48];
    const char* plus = sign && v > 0 ? "+" : "";
    if (unit == "fraction") {
        std::snprintf(buffer, sizeof buffer, "%s%.1f%%", plus, 100 * v);
        return buffer;
    }
    const double a = std::abs(v);
    const char* suffix = "";
    double scaled = v;
    if (a >= 1e12) scaled = v / 1e12, suffix = "T";
    else if (a >= 1e9) scaled = v / 1e9, suffix = "B";
    else if (a >= 1e6) scaled = v / 1e6, suffix = "M";
    else if (a >= 1e4) scaled = v / 1e3, suffix = "k";
    if (std::abs(scaled) >= 1000) std::snprintf(buffer, sizeof buffer, "%s%.0f%s", plus, scaled, suffix);
    else std::snprintf(buffer, sizeof buffer, "%s%.3g%s", plus, scaled, suffix);
    return buffer;
}

std::string unit_label(const std::string& unit) { return unit == "fraction" ? "" : unit; }

std::size_t index_of_quantile(const std::vector<double>& q, double p) {
    for (std::size_t i = 0; i < q.size(); ++i)
        if (std::abs(q[i] - p) < 1e-12) return i;
    return q.size();
}

void print_distribution_table(const std::vector<ScalarReport>& scalars, const std::vector<double>& q, bool shares,
                              std::ostream& out) {
    const std::size_t median = index_of_quantile(q, 0.5);
    std::size_t width = 6, unit_width = 4;
    for (const auto& s : scalars) {
        width = std::max(width, s.info.name.size());
        unit_width = std::max(unit_width, unit_label(s.info.unit).size());
    }
    const std::string band = quantile_label(q.front()) + " .. " + quantile_label(q.back());
    out << "  " << pad("scalar", width + 2) << pad("unit", unit_width + 2) << rpad(median < q.size() ? "median" : "mean", 9)
        << "   " << pad(band, 34) << (shares ? "parameter share" : "") << "\n";
    for (const auto& s : scalars) {
        const auto& d = s.distribution;
        const double centre = median < q.size() ? d.quantiles[median] : d.mean;
        std::string interval = d.count == 0 ? "not reached in any replicate"
                                            : compact(d.quantiles.front(), s.info.unit) + " .. " + compact(d.quantiles.back(), s.info.unit);
        if (d.not_reached > 0 && d.count > 0) interval += "  (" + std::to_string(d.not_reached) + " not reached)";
        out << "  " << pad(s.info.name, width + 2) << pad(unit_label(s.info.unit), unit_width + 2)
            << rpad(compact(centre, s.info.unit), 9) << "   " << pad(interval, 34);
        if (shares) {
            char buffer[32];
            if (std::isnan(s.variance.between_share)) std::snprintf(buffer, sizeof buffer, "n/a");
            else std::snprintf(buffer, sizeof buffer, "%.0f%%", 100 * s.variance.between_share);
            out << buffer;
        }
        out << "\n";
    }
}

// Erases a progress bar left unfinished by an interruption, before tables are printed.
void end_progress(const StudyOutcome& o) {
    if (!o.complete && isatty(STDERR_FILENO)) std::fprintf(stderr, "\r%*s\r", 100, "");
}

void print_outcome(const StudyOutcome& o, const std::string& output, std::ostream& out) {
    if (o.complete) {
        out << "results   " << output << "\n";
        return;
    }
    out << "stopped   after " << o.completed_runs << " of " << o.total_runs << " runs; " << output
        << " is marked incomplete; continue with the same command and --resume\n";
}

int finish_code(const StudyOutcome& o) {
    if (o.cancelled) {
        std::cerr << "gatesim: interrupted; finished runs were kept (file marked incomplete)\n";
        return exit_interrupted;
    }
    return exit_ok;
}

std::string uncertain_summary(const std::vector<UncertainParameter>& uncertain) {
    std::string text;
    for (const auto& u : uncertain) text += "\n          " + u.key_path + " ~ " + to_yaml(u.distribution);
    return text;
}

}  // namespace

void StudyCommands::add_control(CLI::App* cmd, Common& c, bool scenario_options, bool noise) {
    if (scenario_options) {
        cmd->add_option("-o,--output", c.output, "Study file to write (HDF5)")->required();
        cmd->add_option("--set", c.overrides, "Override a field: key.path=value (repeatable)");
        cmd->add_option("--seed", c.seed, "Base seed (overrides the scenario's seed)");
        c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        cmd->add_option("--threads", c.threads, "Worker threads (results do not depend on it)")->check(CLI::Range(1, 1024));
    }
    if (noise)
        cmd->add_option("--noise-replicates", c.noise_replicates,
                        "Replicates per parameter draw (default: 1 draw when nothing is uncertain, else the largest "
                        "divisor of the replicates up to min(10, sqrt))")
            ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    cmd->add_option("--quantiles", c.quantiles, "Quantile bands, comma-separated (default 0.05,0.25,0.5,0.75,0.95)");
    cmd->add_flag("--keep-replicates", c.keep_replicates, "Keep every run's daily series in the file");
    cmd->add_flag("--resume", c.resume, "Continue the incomplete file at --output (same command line)");
    cmd->add_option("--stop-after", c.stop_after, "Stop after this many runs, keeping an incomplete file to --resume")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
}

StudyCommands::StudyCommands(CLI::App& app, CLI::App* run) : run_(run) {
    auto* replicates = run->add_option("--replicates", ensemble_.replicates,
                                       "Run an ensemble of N replicates (needs -o); with uncertain fields, N = "
                                       "parameter draws x noise replicates")
                           ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    add_control(run, ensemble_, false);
    // Ensemble options would be silently ignored by a single run.
    for (const char* name : {"--noise-replicates", "--quantiles", "--keep-replicates", "--resume", "--stop-after"})
        run->get_option(name)->needs(replicates);

    compare_ = app.add_subcommand("compare", "Run scenarios side by side with common random numbers; paired deltas");
    compare_->add_option("scenarios", compare_files_, "Scenario files; deltas are each minus the first")->required()->expected(2, -1);
    comparison_.replicates = 20;
    compare_->add_option("--replicates", comparison_.replicates, "Replicates per scenario (default 20)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    compare_->add_option("--bootstrap", bootstrap_, "Bootstrap resamples for intervals of mean deltas (default 1000)");
    compare_->add_option("--confidence", confidence_, "Interval level (default 0.95)")->check(CLI::Range(0.5, 0.999));
    add_control(compare_, comparison_, true);

    sweep_ = app.add_subcommand("sweep", "Run a design over parameters named in a sweep: section");
    sweep_->add_option("scenario", sweep_scenario_, "Scenario file (YAML)")->required();
    sweep_->add_option("--sweep", sweep_file_, "File with the sweep: section (default: the scenario file's)");
    sweep_->add_option("--design", design_, "grid, lhs or sobol (default: the section's, else grid)")
        ->check(CLI::IsMember({"grid", "lhs", "sobol"}));
    sweep_->add_option("--points", points_, "lhs/sobol: points; grid: levels of each range or distribution")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
    sweep_->add_option("--replicates", sweep_args_.replicates, "Replicates per point (default: the section's, else 1)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    sweep_->add_option("--show", show_, "Summary scalars to print per point, comma-separated");
    add_control(sweep_, sweep_args_, true);

    sensitivity_ = app.add_subcommand("sensitivity", "Global sensitivity analysis (Morris or Sobol' indices)");
    sensitivity_->add_option("scenario", gsa_scenario_, "Scenario file (YAML)")->required();
    sensitivity_->add_option("--method", method_, "morris or sobol (default: the section's, else sobol)")
        ->check(CLI::IsMember({"morris", "sobol"}));
    sensitivity_->add_option("--parameters", parameters_,
                             "Key paths, comma-separated (ranges from the sensitivity:/sweep: section or the fields' "
                             "distributions; default: all of them)");
    sensitivity_->add_option("--outputs", outputs_, "Summary scalars to analyse, comma-separated");
    sensitivity_->add_option("--samples", samples_, "sobol: base samples n (runs n(k+2)); morris: trajectories (runs r(k+1))")
        ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1} << 30));
    sensitivity_->add_option("--levels", levels_, "morris: grid levels (even, default 4)");
    sensitivity_->add_option("--bootstrap", gsa_bootstrap_, "Bootstrap resamples for intervals (default 1000)");
    sensitivity_->add_option("--sweep", gsa_sweep_file_, "File with a sensitivity: or sweep: section");
    sensitivity_->add_option("--replicates", gsa_.replicates, "Replicates per sample; the output is their mean (default 1)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 20));
    add_control(sensitivity_, gsa_, true, false);
}

bool StudyCommands::selected() const {
    return (run_->parsed() && run_->count("--replicates") > 0) || compare_->parsed() || sweep_->parsed() ||
           sensitivity_->parsed();
}

int StudyCommands::execute(const RunArgs& run, const std::atomic<bool>& interrupted, int argc, char** argv) {
    try {
        StudyControl control;
        control.cancel = &interrupted;
        control.progress = run_progress();
        auto configure = [&](const Common& c, int threads) {
            control.threads = threads;
            control.quantiles = parse_quantiles(c.quantiles);
            control.keep_replicates = c.keep_replicates;
            control.resume = c.resume;
            if (c.stop_after) control.max_runs = *c.stop_after;
        };

        if (run_->parsed()) {
            configure(ensemble_, run.threads);
            require_output(run.output, "run --replicates");
            EnsembleStudy study{load(run.scenario_file, run.overrides, run.seed), ensemble_.replicates,
                                ensemble_.noise_replicates};
            const Scenario& s = study.scenario.scenario;
            const auto prov = provenance_of(to_yaml(study.scenario), run.scenario_file, run.threads, argc, argv);
            const EnsembleReport r = run_ensemble_study(study, run.output, prov, control);
            end_progress(r.outcome);
            std::cout << "scenario  " << s.name << "  (" << s.days << " days, seed " << s.seed << ")\n";
            std::cout << "ensemble  " << r.outcome.completed_runs << " of " << r.plan.replicates << " replicates";
            if (!study.scenario.uncertain.empty())
                std::cout << " = " << r.plan.draws() << " parameter draws x " << r.plan.noise_replicates
                          << " noise replicates; uncertain:" << uncertain_summary(study.scenario.uncertain);
            std::cout << "\n";
            print_distribution_table(r.scalars, control.quantiles, !study.scenario.uncertain.empty() && r.plan.noise_replicates > 1,
                                     std::cout);
            print_outcome(r.outcome, run.output, std::cout);
            return finish_code(r.outcome);
        }

        if (compare_->parsed()) {
            const Common& c = comparison_;
            configure(c, c.threads);
            require_output(c.output, "compare");
            control.bootstrap = bootstrap_;
            control.confidence = confidence_;
            ComparisonStudy study;
            for (const auto& f : compare_files_) study.scenarios.push_back(load(f, c.overrides, c.seed));
            study.files = compare_files_;
            study.replicates = c.replicates;
            study.noise_replicates = c.noise_replicates;
            const auto prov = provenance_of(to_yaml(study.scenarios.front()), compare_files_.front(), c.threads, argc, argv);
            const ComparisonReport r = run_comparison_study(study, c.output, prov, control);
            end_progress(r.outcome);
            std::cout << "comparison  " << r.names.size() << " scenarios x " << r.plan.replicates
                      << " replicates, common random numbers (seed " << r.plan.points.front().scenario().seed
                      << "); deltas are paired by replicate\n";
            char level[16];
            std::snprintf(level, sizeof level, "%.0f%%", 100 * confidence_);
            std::uint64_t pairs = r.plan.replicates;
            for (std::size_t p = 0; p < r.plan.points.size(); ++p)
                pairs = std::min(pairs, r.plan.completed_replicates(p, r.outcome.completed_runs));
            std::size_t width = 6, unit_width = 4;
            for (const auto& d : r.deltas) {
                width = std::max(width, d.scalar.size());
                unit_width = std::max(unit_width, unit_label(d.unit).size());
            }
            for (std::size_t i = 1; i < r.names.size(); ++i) {
                std::cout << "\n" << r.names[i] << " minus " << r.names[0] << "  (" << pairs
                          << " paired replicates; mean delta with " << level
                          << " bootstrap interval; sd of paired deltas / sd of unpaired differences)\n";
                std::cout << "  " << pad("scalar", width + 2) << pad("unit", unit_width + 2) << rpad("mean", 9) << "   "
                          << pad("interval", 22) << "paired/unpaired sd\n";
                for (const auto& d : r.deltas) {
                    const PairedDelta& p = d.versus_reference[i - 1];
                    char ratio[32] = "n/a";
                    if (p.unpaired_sd > 0 && !std::isnan(p.sd)) std::snprintf(ratio, sizeof ratio, "%.2f", p.sd / p.unpaired_sd);
                    else if (p.count > 1 && p.unpaired_sd == 0) std::snprintf(ratio, sizeof ratio, "no variation");
                    const std::string interval = p.count == 0 ? "" : "[" + compact(p.mean_low, d.unit, true) + ", " +
                                                                         compact(p.mean_high, d.unit, true) + "]";
                    std::cout << "  " << pad(d.scalar, width + 2) << pad(unit_label(d.unit), unit_width + 2)
                              << rpad(compact(p.mean, d.unit, true), 9) << "   " << pad(interval, 22) << ratio << "\n";
                }
            }
            print_outcome(r.outcome, c.output, std::cout);
            return finish_code(r.outcome);
        }

        if (sweep_->parsed()) {
            const Common& c = sweep_args_;
            configure(c, c.threads);
            require_output(c.output, "sweep");
            SweepStudy study;
            study.scenario = load(sweep_scenario_, c.overrides, c.seed);
            const std::string section_file = sweep_file_.empty() ? sweep_scenario_ : sweep_file_;
            const StudySections sections = load_study_sections(section_file, study.scenario.scenario, !sweep_file_.empty());
            if (!sections.sweep.present) throw BadInput(section_file + ": no sweep: section (see docs/uncertainty.md)");
            study.parameters = sections.sweep.parameters;
            study.design = !design_.empty() ? *enum_from_name<SweepDesign>(design_) : sections.sweep.design.value_or(SweepDesign::grid);
            study.points = points_ ? *points_ : sections.sweep.points.value_or(study.design == SweepDesign::grid ? 5 : 16);
            study.replicates = sweep_->count("--replicates") ? c.replicates : sections.sweep.replicates.value_or(1);
            study.noise_replicates = c.noise_replicates;
            const auto prov = provenance_of(to_yaml(study.scenario), sweep_scenario_, c.threads, argc, argv);
            const SweepReport r = run_sweep_study(study, c.output, prov, control);
            end_progress(r.outcome);

            std::vector<std::string> shown = split_list(show_);
            if (shown.empty()) shown = {"peak_blocked", "churn_at_horizon"};  // shown when present
            std::cout << "sweep  " << enum_name(study.design) << " design, " << r.plan.points.size() << " points x "
                      << r.plan.replicates << " replicates; medians over replicates\n  point";
            for (const auto& p : r.parameters) std::cout << "  " << p;
            std::vector<std::size_t> columns;
            if (!r.points.empty())
                for (const auto& name : shown)
                    for (std::size_t i = 0; i < r.points.front().size(); ++i)
                        if (r.points.front()[i].info.name == name) columns.push_back(i), std::cout << "  " << name;
            std::cout << "\n";
            const std::size_t median = index_of_quantile(control.quantiles, 0.5);
            for (std::size_t p = 0; p < r.points.size(); ++p) {
                std::cout << "  " << rpad(std::to_string(p), 5);
                for (std::size_t c2 = 0; c2 < r.parameters.size(); ++c2)
                    std::cout << "  " << rpad(compact(r.design.values(p, c2), ""), r.parameters[c2].size());
                for (std::size_t i : columns) {
                    const auto& d = r.points[p][i].distribution;
                    const double centre = median < d.quantiles.size() ? d.quantiles[median] : d.mean;
                    std::cout << "  " << rpad(compact(centre, r.points[p][i].info.unit), r.points[p][i].info.name.size());
                }
                std::cout << "\n";
            }
            print_outcome(r.outcome, c.output, std::cout);
            return finish_code(r.outcome);
        }

        // sensitivity
        const Common& c = gsa_;
        configure(c, c.threads);
        require_output(c.output, "sensitivity");
        control.bootstrap = gsa_bootstrap_;
        SensitivityStudy study;
        study.scenario = load(gsa_scenario_, c.overrides, c.seed);
        const std::string section_file = gsa_sweep_file_.empty() ? gsa_scenario_ : gsa_sweep_file_;
        const StudySections sections = load_study_sections(section_file, study.scenario.scenario, !gsa_sweep_file_.empty());
        const auto& section = sections.sensitivity.present ? sections.sensitivity.parameters : sections.sweep.parameters;
        study.parameters = sensitivity_parameters(split_list(parameters_), section, study.scenario);
        const std::string method = !method_.empty() ? method_ : sections.sensitivity.method.value_or("sobol");
        study.method = *enum_from_name<SensitivityMethod>(method);
        study.outputs = !outputs_.empty() ? split_list(outputs_) : sections.sensitivity.outputs;
        if (study.outputs.empty()) throw BadInput("sensitivity needs --outputs (summary scalars, e.g. churn_at_horizon)");
        const bool sobol = study.method == SensitivityMethod::sobol;
        study.samples = samples_ ? *samples_ : sections.sensitivity.samples.value_or(sobol ? 64 : 10);
        study.levels = levels_ ? *levels_ : sections.sensitivity.levels.value_or(4);
        study.replicates = sensitivity_->count("--replicates") ? c.replicates : sections.sensitivity.replicates.value_or(1);
        if (sections.sensitivity.bootstrap && sensitivity_->count("--bootstrap") == 0) control.bootstrap = *sections.sensitivity.bootstrap;
        const auto prov = provenance_of(to_yaml(study.scenario), gsa_scenario_, c.threads, argc, argv);
        const SensitivityReport r = run_sensitivity_study(study, c.output, prov, control);
        end_progress(r.outcome);

        std::size_t width = 9;
        for (const auto& p : r.parameters) width = std::max(width, p.size());
        char level[16];
        std::snprintf(level, sizeof level, "%.0f%%", 100 * control.confidence);
        for (const auto& o : r.outputs) {
            std::vector<std::size_t> order(r.parameters.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            auto key = [&](std::size_t i) {
                const double v = sobol ? o.sobol.total[i] : o.morris.mu_star[i];
                return std::isnan(v) ? -1.0 : v;
            };
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
            std::cout << "\n" << (sobol ? "Sobol' indices" : "Morris elementary effects") << " of " << o.output << "  ("
                      << r.plan.points.size() << " samples x " << r.plan.replicates << " replicates; " << level
                      << " bootstrap intervals; ranked)\n";
            char line[256];
            if (sobol) {
                std::snprintf(line, sizeof line, "  %-*s  %8s  %-18s  %8s  %-18s\n", static_cast<int>(width), "parameter",
                              "S1", "interval", "ST", "interval");
                std::cout << line;
                for (std::size_t i : order) {
                    std::snprintf(line, sizeof line, "  %-*s  %8.3f  [%6.3f, %6.3f]  %8.3f  [%6.3f, %6.3f]\n",
                                  static_cast<int>(width), r.parameters[i].c_str(), o.sobol.first[i], o.sobol.first_low[i],
                                  o.sobol.first_high[i], o.sobol.total[i], o.sobol.total_low[i], o.sobol.total_high[i]);
                    std::cout << line;
                }
                if (std::isnan(o.sobol.variance) || !(o.sobol.variance > 0))
                    std::cout << "  (undefined: the output is NaN in some samples or does not vary)\n";
            } else {
                std::snprintf(line, sizeof line, "  %-*s  %12s  %-27s  %12s  %12s\n", static_cast<int>(width), "parameter",
                              "mu*", "interval", "mu", "sigma");
                std::cout << line;
                for (std::size_t i : order) {
                    std::snprintf(line, sizeof line, "  %-*s  %12.4g  [%11.4g, %11.4g]  %12.4g  %12.4g\n",
                                  static_cast<int>(width), r.parameters[i].c_str(), o.morris.mu_star[i],
                                  o.morris.mu_star_low[i], o.morris.mu_star_high[i], o.morris.mu[i], o.morris.sigma[i]);
                    std::cout << line;
                }
                std::cout << "  (" << o.unit << " per unit of each parameter's normalised range)\n";
            }
        }
        print_outcome(r.outcome, c.output, std::cout);
        return finish_code(r.outcome);
    } catch (const ScenarioError& e) {
        std::cerr << e.what() << "\n";
        return exit_bad_input;
    } catch (const BadInput& e) {
        std::cerr << "gatesim: " << e.what() << "\n";
        return exit_bad_input;
    } catch (const PlanError& e) {
        std::cerr << "gatesim: " << e.what() << "\n";
        return exit_bad_input;
    } catch (const ParameterError& e) {
        std::cerr << "gatesim: " << e.what() << "\n";
        return exit_bad_input;
    } catch (const std::exception& e) {
        std::cerr << "gatesim: internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace gatesim::cli

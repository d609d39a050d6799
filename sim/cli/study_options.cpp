// Options, progress and printing shared by the multi-run subcommands (study_options.hpp).
#include "cli/study_options.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "io/parameter_sample.hpp"
#include "io/run_journal.hpp"
#include "io/scenario_yaml.hpp"

namespace gatesim::cli {
namespace {

// A one-line progress bar over runs with rate and ETA, redrawn in place; only on a terminal.
std::function<void(std::uint64_t, std::uint64_t)> run_progress() {
    if (!stderr_is_terminal()) return {};
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

}  // namespace

void StudyOptions::add(CLI::App* cmd, bool scenario_options, bool noise) {
    if (scenario_options) {
        cmd->add_option("-o,--output", output, "Study file to write (HDF5)")->required();
        cmd->add_option("--set", overrides, "Override a field: key.path=value (repeatable)");
        add_scope_option(cmd, scope);
        add_seed_and_threads(cmd, seed, threads);
    }
    if (noise)
        cmd->add_option("--noise-replicates", noise_replicates,
                        "Replicates per parameter draw (default: 1 draw when nothing is uncertain, else the largest "
                        "divisor of the replicates up to min(10, sqrt))")
            ->check(count_between(1, max_replicates));
    cmd->add_option("--parameters-from", parameters_from,
                    "Draw the parameters a calibration fitted from its sample (gatesim calibrate -o FILE), a whole row "
                    "per parameter draw");
    cmd->add_option("--quantiles", quantiles, "Quantile bands, comma-separated (default 0.05,0.25,0.5,0.75,0.95)");
    cmd->add_flag("--keep-replicates", keep_replicates, "Keep every run's daily series in the file");
    cmd->add_flag("--resume", resume, "Continue the interrupted study whose finished runs are in OUTPUT.partial (same command line)");
    cmd->add_option("--stop-after", stop_after, "Stop after this many runs, keeping them to --resume")
        ->check(count_between(1, max_runs));
}

StudyControl StudyOptions::control(int threads_used) const {
    StudyControl control;
    control.cancel = &interrupted();
    control.progress = run_progress();
    control.threads = threads_used;
    control.executor = study_executor();
    control.quantiles = parse_quantiles(quantiles);
    control.keep_replicates = keep_replicates;
    control.resume = resume;
    if (stop_after) control.max_runs = *stop_after;
    return control;
}

StudyScenario StudyOptions::scenario_of(const LoadedScenario& loaded) const {
    StudyScenario s = study_scenario(loaded);
    if (parameters_from.empty()) return s;
    try {
        use_sample(s, read_parameter_sample(parameters_from));
    } catch (const ParameterError& e) {
        throw BadInput("--parameters-from " + parameters_from + ": " + e.what());
    }
    return s;
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

std::size_t index_of_quantile(const std::vector<double>& q, double p) {
    for (std::size_t i = 0; i < q.size(); ++i)
        if (std::abs(q[i] - p) < 1e-12) return i;
    return q.size();
}

void end_progress(const StudyOutcome& o) {
    if (!o.complete && stderr_is_terminal()) std::fprintf(stderr, "\r%*s\r", 100, "");
}

void print_outcome(const StudyOutcome& o, const std::string& output, std::ostream& out) {
    if (o.complete) {
        out << "results   " << output << "\n";
        return;
    }
    out << "stopped   after " << o.completed_runs << " of " << o.total_runs << " runs, kept in "
        << partial_path(output).string() << " (" << output << " is untouched); continue with the same command and --resume\n";
}

int finish_code(const StudyOutcome& o, const std::string& output) {
    if (o.cancelled) {
        std::cerr << "gatesim: interrupted; the finished runs are kept in " << partial_path(output).string()
                  << "; continue with the same command and --resume\n";
        return exit_interrupted;
    }
    return exit_ok;
}

std::string partial_work_note(const StudyFile& file, const std::string& output) {
    if (file.kept_runs() == 0) return "";
    return "; the " + std::to_string(file.kept_runs()) + " finished run(s) are kept in " + partial_path(output).string() +
           ": once the cause is fixed, continue with the same command and --resume";
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

void write_distribution_json(JsonWriter& j, const ScalarReport& s, const std::vector<double>& q) {
    const auto& d = s.distribution;
    j.begin_object().field("name", s.info.name).field("unit", s.info.unit).field("description", s.info.description);
    j.field("count", static_cast<std::uint64_t>(d.count)).field("not_reached", static_cast<std::uint64_t>(d.not_reached));
    j.field("mean", d.mean).field("sd", d.sd).field("min", d.min);
    j.key("quantiles").begin_object();
    for (std::size_t i = 0; i < q.size() && i < d.quantiles.size(); ++i) j.field(quantile_label(q[i]), d.quantiles[i]);
    j.end_object().field("max", d.max).field("parameter_share", s.variance.between_share).end_object();
}

void write_outcome_json(JsonWriter& j, const StudyOutcome& o, const std::string& output) {
    j.field("completed_runs", o.completed_runs).field("total_runs", o.total_runs).field("complete", o.complete);
    j.field("cancelled", o.cancelled).field("output", output);
    // Stopped before the end: the output path is untouched and the finished runs are here.
    if (!o.complete) j.field("finished_runs_in", partial_path(output).string());
}

std::string uncertain_summary(const std::vector<UncertainParameter>& uncertain) {
    std::string text;
    for (const auto& u : uncertain) text += "\n          " + u.key_path + " ~ " + to_yaml(u.distribution);
    return text;
}

}  // namespace gatesim::cli

// What the multi-run subcommands share (run --replicates, compare, sweep, sensitivity): their
// common options, the study control they make, the progress bar over runs, and the lines and
// tables they print.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "io/json_writer.hpp"
#include "io/scenario_yaml.hpp"
#include "study/studies.hpp"
#include "io/study_h5.hpp"

namespace gatesim::cli {

struct StudyOptions {
    std::string output;
    std::vector<std::string> overrides;
    std::vector<std::string> scope;
    std::optional<std::uint64_t> seed;
    int threads = 1;
    std::uint64_t replicates = 1;
    std::uint64_t noise_replicates = 0;
    std::string quantiles;
    bool keep_replicates = false;
    bool resume = false;
    std::optional<std::uint64_t> stop_after;
    std::string parameters_from;  // a calibration file whose sample the study draws its parameters from

    // With `scenario_options`: -o (required), --set, --scope, --seed and --threads; then the study's own
    // (--noise-replicates unless `noise` is false, --quantiles, --keep-replicates, --resume,
    // --stop-after).
    void add(CLI::App* cmd, bool scenario_options, bool noise = true);
    // Threads, quantiles (BadInput when malformed), resume, run limit, a progress bar on a
    // terminal, and Ctrl-C.
    StudyControl control(int threads_used) const;
    // The study's scenario: its uncertain fields, and with --parameters-from the calibration's
    // sample, drawn a whole row per parameter draw (BadInput naming the file when it does not fit).
    StudyScenario scenario_of(const LoadedScenario& loaded) const;
};

std::vector<double> parse_quantiles(const std::string& text);
std::size_t index_of_quantile(const std::vector<double>& q, double p);  // q.size() when absent

// Erases a progress bar left unfinished by an interruption, before tables are printed.
void end_progress(const StudyOutcome& o);
// "results   FILE", or where the finished runs of an unfinished study are and how to resume.
void print_outcome(const StudyOutcome& o, const std::string& output, std::ostream& out);
// 130 after Ctrl-C (finished runs kept), else 0.
int finish_code(const StudyOutcome& o, const std::string& output);

// "; the N finished runs are kept in OUT.partial: ..." when the file's journal holds runs.
std::string partial_work_note(const StudyFile& file, const std::string& output);
// Runs a study into its study file; when a write fails (a full disk) after some runs finished,
// the error says where they are kept and how to continue.
template <class Study>
auto run_keeping_partial(const StudyFile& file, const std::string& output, Study&& study) {
    try {
        return study();
    } catch (const ResultsWriteError& e) {
        throw ResultsWriteError(std::string(e.what()) + partial_work_note(file, output));
    }
}

// One row per scalar: median (or mean), the outer quantile band, and optionally the share of
// variance from parameter uncertainty.
void print_distribution_table(const std::vector<ScalarReport>& scalars, const std::vector<double>& q, bool shares,
                              std::ostream& out);
// --format json: a scalar's distribution (name, unit, description, count, not_reached, mean, sd,
// min, quantiles {pN: value}, max, parameter_share), and how far the study got.
void write_distribution_json(JsonWriter& j, const ScalarReport& s, const std::vector<double>& q);
void write_outcome_json(JsonWriter& j, const StudyOutcome& o, const std::string& output);

// "\n          key.path ~ {dist: ...}" for each uncertain field.
std::string uncertain_summary(const std::vector<UncertainParameter>& uncertain);

}  // namespace gatesim::cli

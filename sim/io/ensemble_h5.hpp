// HDF5 files of multi-run studies: ensembles, comparisons, sweeps and sensitivity analyses
// (layouts in docs/results-format.md).
//
// A StudyFile is the RunSink of an ensemble: each finished run streams into a temporary file
// beside the target, so memory does not grow with the number of runs. Per-day quantile bands
// are then computed from the file in day blocks (core/statistics.hpp). Committing renames the
// finished file into place, marked complete or, after an interruption, incomplete; an
// incomplete file holds what --resume needs to continue (StudyResume).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "study/designs.hpp"
#include "study/ensemble.hpp"
#include "study/sensitivity.hpp"
#include "study/statistics.hpp"
#include "io/results_h5.hpp"

namespace gatesim {

inline constexpr int study_schema_version = 1;

enum class StudyKind { ensemble, comparison, sweep, sensitivity };
std::string file_type_of(StudyKind kind);  // "gatesim-ensemble", ...

// Where some of a plan's points are stored: a group of the file.
struct RunGroup {
    std::string path;                 // "" for the file's root, else e.g. "scenarios/baseline"
    std::vector<std::size_t> points;  // plan points stored in this group, in order
    bool point_axis = false;          // datasets have a leading point dimension
};

struct StudyOptions {
    bool keep_series = false;   // keep every run's daily series in the final file
    bool store_series = true;   // store series at all (sensitivity analyses need only scalars)
};

struct ScalarInfo {
    std::string name, unit, description;
};
struct SeriesInfo {
    std::string name, unit, description;
    std::vector<Axis> axes;
    std::size_t days = 0;
    std::size_t width() const {
        std::size_t w = 1;
        for (const auto& a : axes) w *= a.labels.size();
        return w;
    }
};

// plan_fingerprint as 16 hex digits, stored in study files so --resume can refuse a file made
// by a different plan.
std::string plan_digest(const EnsemblePlan& plan);

class StudyFile : public RunSink {
public:
    // Creates the temporary file (and a scratch file for series not kept). Throws
    // ResultsFileError when `path` cannot be written.
    StudyFile(const std::filesystem::path& path, StudyKind kind, const Provenance& provenance, const EnsemblePlan& plan,
              std::vector<RunGroup> groups, StudyOptions options);
    ~StudyFile() override;  // discards the temporary files unless committed
    StudyFile(const StudyFile&) = delete;
    StudyFile& operator=(const StudyFile&) = delete;

    void accept(const RunRecord& run) override;

    std::size_t groups() const;
    const RunGroup& group(std::size_t g) const;
    bool has_runs(std::size_t g) const;  // at least one run has arrived
    const std::vector<ScalarInfo>& scalars(std::size_t g) const;
    const std::vector<SeriesInfo>& series(std::size_t g) const;

    // The first `replicates` values of a scalar for one point of a group.
    std::vector<double> scalar_values(std::size_t g, std::size_t local_point, std::size_t scalar,
                                      std::uint64_t replicates) const;
    // Reads one series of one point in day blocks; with a reference (group, point), reads the
    // difference (this minus reference), replicate by replicate.
    SeriesBlockReader series_reader(std::size_t g, std::size_t local_point, std::size_t series, std::uint64_t replicates) const;
    SeriesBlockReader delta_reader(std::size_t g, std::size_t local_point, std::size_t series, std::size_t ref_g,
                                   std::size_t ref_point, std::size_t ref_series, std::uint64_t replicates) const;

    // Writers for result sections; `path` is relative to the file root ("bands/blocked").
    void write_table(const std::string& path, const std::vector<std::size_t>& dims, const std::vector<double>& values,
                     const std::string& axes, const std::string& unit, const std::string& description);
    // One row (index along the first dimension) of a table created on first use, so tables with
    // a row per point never have to be held whole.
    void write_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                         const std::vector<double>& values, const std::string& axes, const std::string& unit,
                         const std::string& description);
    void write_labels(const std::string& path, const std::vector<std::string>& labels);
    void write_text(const std::string& path, const std::string& text);
    void write_attribute(const std::string& object, const std::string& name, const std::string& value);
    void write_attribute(const std::string& object, const std::string& name, double value);

    // Closes, syncs and renames into place, marked complete or incomplete (with the runs
    // needed to resume).
    void commit(std::uint64_t completed_jobs, bool complete);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// An incomplete study file, for --resume. Throws ResultsFileError when the file is missing,
// of another kind, already complete, or made by a different plan.
class StudyResume {
public:
    StudyResume(const std::filesystem::path& path, StudyKind kind, const EnsemblePlan& plan, std::vector<RunGroup> groups);
    ~StudyResume();
    StudyResume(const StudyResume&) = delete;
    StudyResume& operator=(const StudyResume&) = delete;

    std::uint64_t completed_jobs() const;
    // One finished run as it was written (exactly: values are stored as float64).
    RunRecord read_run(std::uint64_t job);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Reductions written into a study file, also returned for printing.
struct ScalarReport {
    ScalarInfo info;
    ScalarDistribution distribution;
    VarianceDecomposition variance;
};

// Bands, scalar distributions and variance decompositions of every point of every group,
// over the completed replicates of each point. Returns them per plan point.
std::vector<std::vector<ScalarReport>> write_point_reductions(StudyFile& file, const EnsemblePlan& plan,
                                                               std::uint64_t completed_jobs,
                                                               const std::vector<double>& quantiles);

struct DeltaReport {
    std::string scalar, unit;
    std::vector<PairedDelta> versus_reference;  // one per compared scenario (points 1..)
};
// Paired deltas of every scalar of groups 1.. against group 0 (one point per group), per
// replicate, and per-day bands of paired series deltas where shapes match.
std::vector<DeltaReport> write_comparison_deltas(StudyFile& file, const EnsemblePlan& plan, std::uint64_t completed_jobs,
                                                 const std::vector<double>& quantiles, std::size_t bootstrap,
                                                 double confidence);

// Sensitivity indices of one output, per parameter.
struct OutputSensitivity {
    std::string output, unit;
    SobolIndices sobol;    // method sobol
    MorrisIndices morris;  // method morris
};
// The model output of each design row: the mean of `output` over the row's replicates.
std::vector<double> row_outputs(const StudyFile& file, const std::string& output, std::size_t rows,
                                std::uint64_t replicates);

}  // namespace gatesim

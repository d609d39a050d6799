// HDF5 study files: the RunStore of ensembles, comparisons, sweeps and sensitivity analyses
// (layouts in docs/results-format.md; the studies and their reductions are in sim/study).
//
// Each finished run streams into a temporary file beside the target, so memory does not grow
// with the number of runs; the reductions then read the runs back from it in day blocks.
// Committing renames the finished file into place, marked complete or, after an interruption,
// incomplete; an incomplete file holds what --resume needs (finished_runs()).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "study/ensemble.hpp"
#include "study/run_store.hpp"
#include "io/provenance.hpp"
#include "io/results_h5.hpp"

namespace gatesim {

// 2: dimension scales on every axis (netCDF-4), `units` attributes, calendar dates. Readers
// (sim/io/study_reader) also read version 1; --resume needs the current version.
inline constexpr int study_schema_version = 2;

std::string file_type_of(StudyKind kind);  // "gatesim-ensemble", ...

// plan_fingerprint as 16 hex digits, stored in study files so --resume can refuse a file made
// by a different plan.
std::string plan_digest(const EnsemblePlan& plan);

class StudyFile : public RunStore {
public:
    // Checks the path at once (OutputPathError), so a study fails before any run. The temporary
    // file (and a scratch file for series not kept) is created when a study opens the store.
    StudyFile(std::filesystem::path path, Provenance provenance);
    ~StudyFile() override;  // discards the temporary files unless committed
    StudyFile(const StudyFile&) = delete;
    StudyFile& operator=(const StudyFile&) = delete;

    // The incomplete file at the path (ResultsFileError when it is missing, of another kind,
    // complete, or made by a different plan).
    std::unique_ptr<FinishedRuns> finished_runs() override;
    void accept(const RunRecord& run) override;

    bool has_runs(std::size_t g) const override;
    const std::vector<ScalarInfo>& scalars(std::size_t g) const override;
    const std::vector<SeriesInfo>& series(std::size_t g) const override;
    std::vector<double> scalar_values(std::size_t g, std::size_t local_point, std::size_t scalar,
                                      std::uint64_t replicates) const override;
    SeriesBlockReader series_reader(std::size_t g, std::size_t local_point, std::size_t series,
                                    std::uint64_t replicates) const override;

    void write_labels(const std::string& path, const std::vector<std::string>& labels) override;
    // The scenario as YAML text (uncertain fields as their distributions).
    void write_scenario(const std::string& path, const StudyScenario& scenario) override;
    void write_attribute(const std::string& object, const std::string& name, const std::string& value) override;
    void write_attribute(const std::string& object, const std::string& name, double value) override;
    // Closes, syncs and renames into place, marked complete or incomplete (with the runs
    // needed to resume).
    void commit(std::uint64_t completed_jobs, bool complete) override;

protected:
    void open_layout(const StudyLayout& layout) override;
    void put_table(const std::string& path, const std::vector<std::size_t>& dims, const std::vector<double>& values,
                     const std::string& axes, const std::string& unit, const std::string& description) override;
    void put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                         const std::vector<double>& values, const std::string& axes, const std::string& unit,
                         const std::string& description) override;

private:
    struct Impl;
    std::filesystem::path path_;
    Provenance provenance_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatesim

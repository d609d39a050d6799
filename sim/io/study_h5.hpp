// HDF5 study files: the RunStore of ensembles, comparisons, sweeps and sensitivity analyses
// (layouts in docs/results-format.md; the studies and their reductions are in sim/study).
//
// The output path only ever holds a complete study file. Each finished run is appended to the
// study's run journal, PATH.partial (run_journal.hpp: it survives kill -9, and --resume reads
// it), and written into a temporary file beside the target, so memory does not grow with the
// number of runs; the reductions read the runs back in day blocks (the series from the journal,
// or from the file with --keep-replicates). Committing a complete study renames the file into
// place and then removes the journal; an interrupted study (Ctrl-C, --stop-after) leaves the
// target untouched and keeps the journal, as does a study that fails (a full disk) or is killed.
// One writer per path: the store holds the output lock (output_lock.hpp) from construction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "study/ensemble.hpp"
#include "study/run_store.hpp"
#include "io/output_lock.hpp"
#include "io/provenance.hpp"
#include "io/results_h5.hpp"
#include "io/run_journal.hpp"

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
    // Checks and locks the path at once (OutputPathError: unwritable, or another writer has it),
    // so a study fails before any run. The temporary file and the journal are created when a
    // study opens the store; opening refuses (OutputPathError) to start afresh over a journal that
    // holds finished runs, unless the layout resumes it.
    StudyFile(std::filesystem::path path, Provenance provenance);
    ~StudyFile() override;  // discards the temporary file unless committed; keeps a journal with runs
    StudyFile(const StudyFile&) = delete;
    StudyFile& operator=(const StudyFile&) = delete;

    // The runs in the journal of the interrupted study (ResultsFileError when there is none, or it
    // holds another kind of study or another plan's runs). Needs a layout with `resume`.
    std::unique_ptr<FinishedRuns> finished_runs() override;
    void accept(const RunRecord& run) override;
    void prepare(const RunRecord& run) override;  // packs the run's journal record

    bool has_runs(std::size_t g) const override;
    const std::vector<ScalarInfo>& scalars(std::size_t g) const override;
    const std::vector<SeriesInfo>& series(std::size_t g) const override;
    std::vector<double> scalar_values(std::size_t g, std::size_t local_point, std::size_t scalar,
                                      std::uint64_t replicates) const override;
    SeriesBlockReader series_reader(std::size_t g, std::size_t local_point, std::size_t series,
                                    std::uint64_t replicates) const override;
    // From the run journal (preads) when the file keeps no series; HDF5 reads are not thread-safe.
    bool concurrent_series_readers() const override;

    void write_labels(const std::string& path, const std::vector<std::string>& labels) override;
    // The scenario as YAML text (uncertain fields as their distributions).
    void write_scenario(const std::string& path, const StudyScenario& scenario) override;
    void write_attribute(const std::string& object, const std::string& name, const std::string& value) override;
    void write_attribute(const std::string& object, const std::string& name, double value) override;
    // Complete: closes, syncs and renames the file into place, then removes the journal.
    // Incomplete: syncs the journal and discards the file, leaving the target untouched.
    void commit(std::uint64_t completed_jobs, bool complete) override;

    // Finished runs in the journal: kept in PATH.partial if the study does not complete.
    std::uint64_t kept_runs() const;

protected:
    void open_layout(const StudyLayout& layout) override;
    void put_table(const std::string& path, const std::vector<std::size_t>& dims, const std::vector<double>& values,
                     const std::string& axes, const std::string& unit, const std::string& description) override;
    void put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                         const std::vector<double>& values, const std::string& axes, const std::string& unit,
                         const std::string& description) override;

private:
    struct Impl;
    static RunJournal::Study journal_study(const StudyLayout& layout);
    std::unique_ptr<RunJournal> start_journal(const StudyLayout& layout) const;

    std::filesystem::path path_;
    Provenance provenance_;
    OutputLock lock_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gatesim

// The run store: where a study's finished runs go, where its reductions read them back, and
// where the reduced tables are written. Studies and reductions are written against this
// interface only, so the same code reduces runs kept in memory (MemoryStore, memory_store.hpp)
// and runs streamed into an HDF5 study file (sim/io's StudyFile).
//
// A study opens the store once with its layout (the plan and which of its points go in which
// group), hands it every finished run in job order, reduces, and commits. Resuming reads the
// runs of an earlier, interrupted study of the same plan back through finished_runs(), right
// after open() with a layout that says so (StudyLayout::resume), and hands them to accept()
// again before the new runs.
//
// Durability is the store's: a store that keeps work across processes (StudyFile) makes each
// run durable in accept(), so a process killed at any moment keeps every run accepted so far
// for the next study to resume; its commit(complete = true) makes the final results appear at
// once and whole, and commit(complete = false) keeps the finished runs without publishing
// partial results.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/results.hpp"
#include "model/schema.hpp"
#include "study/ensemble.hpp"
#include "study/parameters.hpp"
#include "study/statistics.hpp"

namespace gatesim {

enum class StudyKind { ensemble, comparison, sweep, sensitivity };
template <>
struct EnumNames<StudyKind> {
    static constexpr std::array<std::string_view, 4> names = {"ensemble", "comparison", "sweep", "sensitivity"};
};

// Where some of a plan's points are stored: a group of the store.
struct RunGroup {
    std::string path;                 // "" for the store's root, else e.g. "scenarios/baseline"
    std::vector<std::size_t> points;  // plan points stored in this group, in order
    bool point_axis = false;          // tables have a leading point dimension
};

// What a study asks its store to hold; fixed before the first run.
struct StudyLayout {
    StudyKind kind = StudyKind::ensemble;
    const EnsemblePlan* plan = nullptr;  // the study's; valid until the study returns
    std::vector<RunGroup> groups;
    bool keep_series = false;   // keep every run's daily series in the final store
    bool store_series = true;   // store series at all (sensitivity analyses need only scalars)
    // The study continues the interrupted one the store holds: finished_runs() follows open().
    // Without it a store may refuse to open over interrupted work it would otherwise discard.
    bool resume = false;
};

// The summary scalars and series of a group's runs, as its first run produced them.
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

// The shape of a group's runs, from its first run; every later run must match it.
struct RunShape {
    std::vector<ScalarInfo> scalars;
    std::vector<SeriesInfo> series;
    bool with_series = true;  // false: the store keeps no series, and they are not compared

    static RunShape of(const Results& results, bool with_series);
    // Throws PlanError naming the run when it produced other scalars or series shapes.
    void check(const RunRecord& run) const;
};

// The runs an earlier, interrupted study of the same plan finished, for --resume.
class FinishedRuns {
public:
    virtual ~FinishedRuns() = default;
    virtual std::uint64_t completed_jobs() const = 0;
    // One finished run exactly as it was stored.
    virtual RunRecord read_run(std::uint64_t job) = 0;
};

class RunStore : public RunSink {
public:
    // Called once, before any run: the store prepares to hold the layout's runs.
    void open(StudyLayout layout) {
        layout_ = std::move(layout);
        open_layout(layout_);
    }
    const StudyLayout& layout() const { return layout_; }
    std::size_t groups() const { return layout_.groups.size(); }
    const RunGroup& group(std::size_t g) const { return layout_.groups.at(g); }

    // After open(), for --resume: the runs of the incomplete study this store continues (read
    // completely before commit() replaces it). Throws a BadInput when there is none, it is
    // complete, or another plan made it.
    virtual std::unique_ptr<FinishedRuns> finished_runs() = 0;

    // Finished runs, in job order (RunSink::accept). Every run of a group must produce the same
    // scalars and series shapes as its first (PlanError otherwise).

    // What the group's runs produce; empty until its first run has arrived.
    virtual bool has_runs(std::size_t g) const = 0;
    virtual const std::vector<ScalarInfo>& scalars(std::size_t g) const = 0;
    virtual const std::vector<SeriesInfo>& series(std::size_t g) const = 0;
    // The first `replicates` values of a scalar for one point of a group (NaN before any run).
    virtual std::vector<double> scalar_values(std::size_t g, std::size_t local_point, std::size_t scalar,
                                              std::uint64_t replicates) const = 0;
    // Reads one series of one point for its first `replicates` replicates, in day blocks.
    virtual SeriesBlockReader series_reader(std::size_t g, std::size_t local_point, std::size_t series,
                                            std::uint64_t replicates) const = 0;
    // Whether readers of different series may read at the same time, on different threads.
    virtual bool concurrent_series_readers() const { return false; }

    // Reductions; `path` is relative to the store's root ("bands/blocked"), `axes` names the
    // dimensions ("quantile,day,model"), values are row-major. Throws std::logic_error when the
    // values do not fit the dimensions.
    void write_table(const std::string& path, const std::vector<std::size_t>& dims, const std::vector<double>& values,
                     const std::string& axes, const std::string& unit, const std::string& description);
    // One row (index along the first dimension) of a table created on first use (NaN until
    // written), so tables with a row per point never have to be held whole.
    void write_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                         const std::vector<double>& values, const std::string& axes, const std::string& unit,
                         const std::string& description);
    // Axis labels; shared by name, so a second write of a path keeps the first.
    virtual void write_labels(const std::string& path, const std::vector<std::string>& labels) = 0;
    // A scenario as run (a comparison records each of its scenarios).
    virtual void write_scenario(const std::string& path, const StudyScenario& scenario) = 0;
    virtual void write_attribute(const std::string& object, const std::string& name, const std::string& value) = 0;
    virtual void write_attribute(const std::string& object, const std::string& name, double value) = 0;

    // Ends the study: complete, the results become final; after an interruption, incomplete,
    // the store keeps what resuming needs (and need not keep the reductions).
    virtual void commit(std::uint64_t completed_jobs, bool complete) = 0;

protected:
    virtual void open_layout(const StudyLayout& layout) = 0;
    // write_table and write_table_row after their shape checks.
    virtual void put_table(const std::string& path, const std::vector<std::size_t>& dims,
                           const std::vector<double>& values, const std::string& axes, const std::string& unit,
                           const std::string& description) = 0;
    virtual void put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                               const std::vector<double>& values, const std::string& axes, const std::string& unit,
                               const std::string& description) = 0;

private:
    StudyLayout layout_;
};

}  // namespace gatesim

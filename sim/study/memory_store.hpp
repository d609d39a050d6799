// MemoryStore: a RunStore that keeps a study's runs and reductions in memory, for callers that
// want numbers rather than a file (the Python package's in-memory studies). It gets exactly the
// reductions a study file gets for the same runs, since both go through study/reductions.
//
// Tables are keyed by the paths a study file would use ("bands/blocked",
// "scenarios/a/summary/peak_blocked"). After an interrupted study is committed incomplete, the
// next study opened on the same store may resume it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "study/run_store.hpp"

namespace gatesim {

class MemoryStore : public RunStore {
public:
    struct Table {
        std::vector<std::size_t> dims;
        std::vector<double> values;  // row-major
        std::string axes, unit, description;
    };
    using Attribute = std::variant<std::string, double>;

    // What the study wrote; table_order() and label_order() list paths in the order first written.
    const std::map<std::string, Table>& tables() const { return tables_; }
    const std::vector<std::string>& table_order() const { return table_order_; }
    const std::vector<std::string>& label_order() const { return label_order_; }
    const Table& table(const std::string& path) const;  // throws std::out_of_range naming the path
    const std::map<std::string, std::vector<std::string>>& labels() const { return labels_; }
    const std::map<std::string, StudyScenario>& scenarios() const { return scenarios_; }
    const std::map<std::pair<std::string, std::string>, Attribute>& attributes() const { return attributes_; }
    // The runs of one point of a group, in replicate order (without series when the layout
    // stores none).
    const std::vector<RunRecord>& runs(std::size_t g, std::size_t local_point) const;
    bool committed() const { return committed_; }
    bool complete() const { return complete_; }
    std::uint64_t completed_jobs() const { return completed_jobs_; }

    std::unique_ptr<FinishedRuns> finished_runs() override;
    void accept(const RunRecord& run) override;

    bool has_runs(std::size_t g) const override;
    const std::vector<ScalarInfo>& scalars(std::size_t g) const override;
    const std::vector<SeriesInfo>& series(std::size_t g) const override;
    std::vector<double> scalar_values(std::size_t g, std::size_t local_point, std::size_t scalar,
                                      std::uint64_t replicates) const override;
    SeriesBlockReader series_reader(std::size_t g, std::size_t local_point, std::size_t series,
                                    std::uint64_t replicates) const override;
    bool concurrent_series_readers() const override { return true; }  // they read memory

    void write_labels(const std::string& path, const std::vector<std::string>& labels) override;
    void write_scenario(const std::string& path, const StudyScenario& scenario) override;
    void write_attribute(const std::string& object, const std::string& name, const std::string& value) override;
    void write_attribute(const std::string& object, const std::string& name, double value) override;
    void commit(std::uint64_t completed_jobs, bool complete) override;

protected:
    void open_layout(const StudyLayout& layout) override;
    void put_table(const std::string& path, const std::vector<std::size_t>& dims, const std::vector<double>& values,
                     const std::string& axes, const std::string& unit, const std::string& description) override;
    void put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                         const std::vector<double>& values, const std::string& axes, const std::string& unit,
                         const std::string& description) override;

private:
    // The runs of an interrupted study, kept for the next one to resume: per plan point.
    struct Interrupted {
        StudyKind kind = StudyKind::ensemble;
        std::uint64_t fingerprint = 0;
        std::uint64_t completed_jobs = 0;
        std::vector<std::vector<RunRecord>> runs;
    };

    std::vector<std::pair<std::size_t, std::size_t>> where_point_;  // plan point -> (group, local)
    std::vector<std::unique_ptr<RunShape>> shapes_;                  // per group, from its first run
    std::vector<std::vector<std::vector<RunRecord>>> runs_;          // [group][local point][replicate]
    std::map<std::string, Table> tables_;
    std::map<std::string, std::vector<std::string>> labels_;
    std::vector<std::string> table_order_, label_order_;
    std::map<std::string, StudyScenario> scenarios_;
    std::map<std::pair<std::string, std::string>, Attribute> attributes_;
    StudyKind kind_ = StudyKind::ensemble;
    std::uint64_t fingerprint_ = 0;  // of the plan, kept for the next study's resume check
    std::uint64_t completed_jobs_ = 0;
    bool committed_ = false;
    bool complete_ = false;
    std::unique_ptr<Interrupted> interrupted_;
};

}  // namespace gatesim

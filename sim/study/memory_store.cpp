// A RunStore in memory: runs kept as records, reductions as tables (memory_store.hpp).
#include "study/memory_store.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace gatesim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::size_t product(const std::vector<std::size_t>& dims) {
    std::size_t n = 1;
    for (std::size_t d : dims) n *= d;
    return n;
}

class MemoryFinishedRuns : public FinishedRuns {
public:
    MemoryFinishedRuns(const EnsemblePlan& plan, std::vector<std::vector<RunRecord>> runs, std::uint64_t completed)
        : plan_(plan), runs_(std::move(runs)), completed_(completed) {}
    std::uint64_t completed_jobs() const override { return completed_; }
    RunRecord read_run(std::uint64_t job) override {
        const auto [point, replicate] = plan_.job(job);
        return runs_.at(point).at(replicate);
    }

private:
    const EnsemblePlan& plan_;
    std::vector<std::vector<RunRecord>> runs_;
    std::uint64_t completed_;
};

}  // namespace

void MemoryStore::open_layout(const StudyLayout& layout) {
    // The last study committed incomplete: the next one may resume it. One that failed before
    // committing leaves whatever was resumable before it, as a failed study leaves a file alone.
    if (committed_ && complete_) interrupted_.reset();
    if (committed_ && !complete_) {
        interrupted_ = std::make_unique<Interrupted>();
        interrupted_->kind = kind_;
        interrupted_->fingerprint = fingerprint_;
        interrupted_->completed_jobs = completed_jobs_;
        interrupted_->runs.resize(where_point_.size());
        for (std::size_t p = 0; p < where_point_.size(); ++p) {
            const auto [g, local] = where_point_[p];
            interrupted_->runs[p] = std::move(runs_[g][local]);
        }
    }
    const EnsemblePlan& plan = *layout.plan;
    where_point_.assign(plan.points.size(), {SIZE_MAX, 0});
    runs_.assign(layout.groups.size(), {});
    shapes_.clear();
    shapes_.resize(layout.groups.size());
    for (std::size_t g = 0; g < layout.groups.size(); ++g) {
        runs_[g].resize(layout.groups[g].points.size());
        for (std::size_t i = 0; i < layout.groups[g].points.size(); ++i) where_point_.at(layout.groups[g].points[i]) = {g, i};
    }
    for (const auto& [g, local] : where_point_)
        if (g == SIZE_MAX) throw std::logic_error("a point of the plan has no group in the store");
    tables_.clear();
    labels_.clear();
    table_order_.clear();
    label_order_.clear();
    scenarios_.clear();
    attributes_.clear();
    kind_ = layout.kind;
    fingerprint_ = plan_fingerprint(plan);
    completed_jobs_ = 0;
    committed_ = complete_ = false;
}

std::unique_ptr<FinishedRuns> MemoryStore::finished_runs() {
    const std::string what = "the study in memory: ";
    if (!interrupted_) throw PlanError(what + "no interrupted study to resume");
    if (interrupted_->kind != layout().kind)
        throw PlanError(what + "it is " + std::string(enum_name(interrupted_->kind)) + "; this resumes a " +
                        std::string(enum_name(layout().kind)));
    if (interrupted_->fingerprint != fingerprint_)
        throw PlanError(what + "it was made by a different plan (scenario, overrides, replicates, noise replicates or "
                               "design differ)");
    auto runs = std::make_unique<MemoryFinishedRuns>(*layout().plan, std::move(interrupted_->runs),
                                                     interrupted_->completed_jobs);
    interrupted_.reset();
    return runs;
}

void MemoryStore::accept(const RunRecord& run) {
    const auto [g, local] = where_point_.at(run.point);
    const bool with_series = layout().store_series;
    if (!shapes_[g]) shapes_[g] = std::make_unique<RunShape>(RunShape::of(run.results, with_series));
    else shapes_[g]->check(run);
    auto& runs = runs_[g][local];
    if (run.replicate != runs.size())
        throw std::logic_error("replicate " + std::to_string(run.replicate) + " of point " + std::to_string(run.point) +
                               " arrived out of order");
    runs.push_back(run);
    if (!with_series) runs.back().results.series.clear();
}

const MemoryStore::Table& MemoryStore::table(const std::string& path) const {
    const auto it = tables_.find(path);
    if (it == tables_.end()) throw std::out_of_range("no table " + path + " in the study");
    return it->second;
}

const std::vector<RunRecord>& MemoryStore::runs(std::size_t g, std::size_t local_point) const {
    return runs_.at(g).at(local_point);
}

bool MemoryStore::has_runs(std::size_t g) const { return shapes_.at(g) != nullptr; }

const std::vector<ScalarInfo>& MemoryStore::scalars(std::size_t g) const {
    static const std::vector<ScalarInfo> none;
    return shapes_.at(g) ? shapes_[g]->scalars : none;
}

const std::vector<SeriesInfo>& MemoryStore::series(std::size_t g) const {
    static const std::vector<SeriesInfo> none;
    return shapes_.at(g) ? shapes_[g]->series : none;
}

std::vector<double> MemoryStore::scalar_values(std::size_t g, std::size_t local_point, std::size_t scalar,
                                               std::uint64_t replicates) const {
    std::vector<double> values(replicates, nan);
    const auto& runs = runs_.at(g).at(local_point);
    for (std::uint64_t r = 0; r < replicates && r < runs.size(); ++r) values[r] = runs[r].results.scalars.at(scalar).value;
    return values;
}

SeriesBlockReader MemoryStore::series_reader(std::size_t g, std::size_t local_point, std::size_t series,
                                             std::uint64_t replicates) const {
    const auto* runs = &runs_.at(g).at(local_point);
    const std::size_t width = shapes_.at(g)->series.at(series).width();
    return [runs, series, width, replicates](std::size_t day_begin, std::size_t day_end, double* out) {
        const std::size_t block = (day_end - day_begin) * width;
        for (std::uint64_t r = 0; r < replicates; ++r) {
            double* to = out + r * block;
            if (r >= runs->size()) {
                std::fill(to, to + block, nan);
                continue;
            }
            const auto& values = (*runs)[r].results.series.at(series).values;
            std::copy(values.begin() + static_cast<std::ptrdiff_t>(day_begin * width),
                      values.begin() + static_cast<std::ptrdiff_t>(day_end * width), to);
        }
    };
}

void MemoryStore::put_table(const std::string& path, const std::vector<std::size_t>& dims,
                            const std::vector<double>& values, const std::string& axes, const std::string& unit,
                            const std::string& description) {
    if (tables_.insert_or_assign(path, Table{dims, values, axes, unit, description}).second) table_order_.push_back(path);
}

void MemoryStore::put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                                const std::vector<double>& values, const std::string& axes, const std::string& unit,
                                const std::string& description) {
    auto it = tables_.find(path);
    if (it == tables_.end()) {
        it = tables_.emplace(path, Table{dims, std::vector<double>(product(dims), nan), axes, unit, description}).first;
        table_order_.push_back(path);
    }
    std::copy(values.begin(), values.end(), it->second.values.begin() + static_cast<std::ptrdiff_t>(row * values.size()));
}

void MemoryStore::write_labels(const std::string& path, const std::vector<std::string>& labels) {
    // Axes are shared by name: the first write stays.
    if (labels_.try_emplace(path, labels).second) label_order_.push_back(path);
}

void MemoryStore::write_scenario(const std::string& path, const StudyScenario& scenario) {
    scenarios_.insert_or_assign(path, scenario);
}

void MemoryStore::write_attribute(const std::string& object, const std::string& name, const std::string& value) {
    attributes_[{object, name}] = value;
}

void MemoryStore::write_attribute(const std::string& object, const std::string& name, double value) {
    attributes_[{object, name}] = value;
}

void MemoryStore::commit(std::uint64_t completed_jobs, bool complete) {
    interrupted_.reset();  // replaced by this study, as a committed file replaces the old one
    completed_jobs_ = completed_jobs;
    complete_ = complete;
    committed_ = true;
}

}  // namespace gatesim

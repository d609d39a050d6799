// The shape every run of a store's group must share, and the shape checks of its tables
// (run_store.hpp).
#include "study/run_store.hpp"

#include <stdexcept>

namespace gatesim {

RunShape RunShape::of(const Results& results, bool with_series) {
    RunShape shape;
    shape.with_series = with_series;
    for (const Scalar& s : results.scalars) shape.scalars.push_back({s.name, s.unit, s.description});
    if (with_series)
        for (const Series& s : results.series)
            shape.series.push_back({s.name, s.unit, s.description, s.axes, static_cast<std::size_t>(results.days)});
    return shape;
}

void RunShape::check(const RunRecord& run) const {
    auto differ = [&](const std::string& what) {
        throw PlanError("run of point " + std::to_string(run.point) + ", replicate " + std::to_string(run.replicate) +
                        " produced " + what + " than the first run stored with it; all runs of a group must " +
                        "produce the same scalars and series shapes");
    };
    const Results& r = run.results;
    if (r.scalars.size() != scalars.size()) differ("other summary scalars");
    for (std::size_t i = 0; i < scalars.size(); ++i)
        if (r.scalars[i].name != scalars[i].name) differ("other summary scalars");
    if (!with_series) return;
    if (r.series.size() != series.size()) differ("other series");
    for (std::size_t i = 0; i < series.size(); ++i)
        if (r.series[i].name != series[i].name || r.series[i].values.size() != series[i].days * series[i].width())
            differ("series of another shape");
}

namespace {

std::size_t product(const std::vector<std::size_t>& dims, std::size_t from) {
    std::size_t n = 1;
    for (std::size_t i = from; i < dims.size(); ++i) n *= dims[i];
    return n;
}

}  // namespace

void RunStore::write_table(const std::string& path, const std::vector<std::size_t>& dims,
                           const std::vector<double>& values, const std::string& axes, const std::string& unit,
                           const std::string& description) {
    if (values.size() != product(dims, 0))
        throw std::logic_error("table " + path + " has " + std::to_string(values.size()) + " values, expected " +
                               std::to_string(product(dims, 0)));
    put_table(path, dims, values, axes, unit, description);
}

void RunStore::write_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                               const std::vector<double>& values, const std::string& axes, const std::string& unit,
                               const std::string& description) {
    if (dims.empty() || row >= dims[0] || values.size() != product(dims, 1))
        throw std::logic_error("row " + std::to_string(row) + " of table " + path + " does not fit its shape");
    put_table_row(path, dims, row, values, axes, unit, description);
}

}  // namespace gatesim

// Reductions of a study's runs through the RunStore interface: bands, distributions, variance
// decompositions, paired deltas and sensitivity indices.
#include "study/reductions.hpp"

#include <algorithm>
#include <limits>

#include "model/parallel.hpp"
#include "model/rng.hpp"

namespace gatesim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> quantile_labels(const std::vector<double>& quantiles) {
    std::vector<std::string> labels;
    for (double q : quantiles) labels.push_back(quantile_label(q));
    return labels;
}

template <class Info>
std::ptrdiff_t index_of_name(const std::vector<Info>& infos, const std::string& name) {
    for (std::size_t i = 0; i < infos.size(); ++i)
        if (infos[i].name == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

// The dimensions after the leading ones of a series table, and their names: day, then its axes.
void append_series_shape(const SeriesInfo& info, std::vector<std::size_t>& dims, std::string& axes) {
    dims.push_back(info.days);
    axes += "day";
    for (const Axis& a : info.axes) dims.push_back(a.labels.size()), axes += "," + a.name;
}

// Writes a point's table: one row of a table with a point axis, else the whole table.
struct PointTables {
    RunStore& store;
    const RunGroup& group;

    void put(const std::string& path, std::size_t local, const std::vector<std::size_t>& inner,
             const std::vector<double>& values, const std::string& axes, const std::string& unit,
             const std::string& description) const {
        if (!group.point_axis) return store.write_table(path, inner, values, axes, unit, description);
        std::vector<std::size_t> dims{group.points.size()};
        dims.insert(dims.end(), inner.begin(), inner.end());
        store.write_table_row(path, dims, local, values, "point," + axes, unit, description);
    }
};

void write_group_bands(RunStore& store, std::size_t g, const std::string& prefix, std::uint64_t completed_jobs,
                       const std::vector<double>& quantiles, int threads) {
    const RunGroup& group = store.group(g);
    const EnsemblePlan& plan = *store.layout().plan;
    const PointTables tables{store, group};
    const auto& series = store.series(g);
    // The (series, point) rows to write, in the order they are written. A row per point is NaN
    // until written: an interrupted sweep of many points does not write the rows of the points it
    // has not reached (a complete study reaches them all).
    std::vector<std::pair<std::size_t, std::size_t>> rows;
    for (std::size_t s = 0; s < series.size(); ++s)
        for (std::size_t local = 0; local < group.points.size(); ++local)
            if (!group.point_axis || plan.completed_replicates(group.points[local], completed_jobs) > 0) rows.emplace_back(s, local);
    auto bands_of = [&](std::size_t s, std::size_t local, int band_threads) {
        const SeriesInfo& info = series[s];
        const std::uint64_t done = plan.completed_replicates(group.points[local], completed_jobs);
        return done == 0 ? std::vector<double>(quantiles.size() * info.days * info.width(), nan)
                         : quantile_bands(store.series_reader(g, local, s, done), done, info.days, info.width(), quantiles,
                                          std::size_t{8} << 20, band_threads);
    };
    // Rows on the threads at once where the store's readers allow it (reading and inflating runs
    // is then parallel too), else one row at a time with its days on the threads; a few rows are
    // held at a time, and written in order.
    const bool concurrent = store.concurrent_series_readers() && threads > 1;
    const std::size_t batch = concurrent ? static_cast<std::size_t>(threads) : 1;
    std::vector<std::vector<double>> bands(batch);
    for (std::size_t first = 0; first < rows.size(); first += batch) {
        const std::size_t n = std::min(batch, rows.size() - first);
        if (concurrent) for_each_block(n, threads, [&](std::size_t k) { bands[k] = bands_of(rows[first + k].first, rows[first + k].second, 1); });
        else bands[0] = bands_of(rows[first].first, rows[first].second, threads);
        for (std::size_t k = 0; k < n; ++k) {
            const auto [s, local] = rows[first + k];
            const SeriesInfo& info = series[s];
            std::vector<std::size_t> inner{quantiles.size()};
            std::string axes = "quantile,";
            append_series_shape(info, inner, axes);
            tables.put(prefix + "bands/" + info.name, local, inner, bands[k], axes, info.unit,
                       std::string(band_description_prefix) + info.description);
        }
    }
}

void write_group_scalars(RunStore& store, std::size_t g, const std::string& prefix, std::uint64_t completed_jobs,
                         const std::vector<double>& quantiles, std::vector<std::vector<ScalarReport>>& reports) {
    const RunGroup& group = store.group(g);
    const EnsemblePlan& plan = *store.layout().plan;
    const PointTables tables{store, group};
    const auto stat_labels = statistic_labels(quantiles);
    const auto var_labels = variance_labels();
    const auto& scalars = store.scalars(g);
    for (std::size_t s = 0; s < scalars.size(); ++s) {
        const ScalarInfo& info = scalars[s];
        for (std::size_t local = 0; local < group.points.size(); ++local) {
            const std::size_t point = group.points[local];
            const std::uint64_t done = plan.completed_replicates(point, completed_jobs);
            const auto values = store.scalar_values(g, local, s, done);
            ScalarReport report{info, distribution_of(values, quantiles), {}};
            // Only whole parameter draws enter the decomposition.
            const std::uint64_t whole = done / plan.noise_replicates * plan.noise_replicates;
            report.variance = decompose_variance(
                std::vector<double>(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(whole)),
                plan.noise_replicates);
            if (done == 0 && group.point_axis) {  // as for bands: rows of points not reached stay NaN
                reports[point].push_back(std::move(report));
                continue;
            }
            tables.put(prefix + "summary/" + info.name, local, {stat_labels.size()},
                       statistics_vector(report.distribution), "statistic", info.unit,
                       std::string(summary_description_prefix) + info.description);
            tables.put(prefix + "variance/" + info.name, local, {var_labels.size()}, variance_vector(report.variance),
                       "variance_component", "(" + info.unit + ")^2; shares: fraction; counts: runs",
                       "Variance of one run's " + info.name +
                           " split into parameter uncertainty (between parameter draws) and noise (within)");
            reports[point].push_back(std::move(report));
        }
    }
}

// The replicates finished for every point: those a comparison pairs.
std::uint64_t paired_replicates(const EnsemblePlan& plan, std::uint64_t completed_jobs) {
    std::uint64_t pairs = plan.replicates;
    for (std::size_t p = 0; p < plan.points.size(); ++p) pairs = std::min(pairs, plan.completed_replicates(p, completed_jobs));
    return pairs;
}

std::vector<DeltaReport> write_scalar_deltas(RunStore& store, std::uint64_t pairs, const std::vector<double>& quantiles,
                                             std::size_t bootstrap, double confidence) {
    std::vector<DeltaReport> reports;
    const std::size_t m = store.groups() - 1;
    const auto labels = delta_labels(quantiles);
    const std::uint64_t seed = store.layout().plan->points.front().scenario().seed;
    const auto& ref_scalars = store.scalars(0);
    for (std::size_t s = 0; s < ref_scalars.size(); ++s) {
        DeltaReport report{ref_scalars[s].name, ref_scalars[s].unit, {}};
        const auto reference = store.scalar_values(0, 0, s, pairs);
        std::vector<double> stats(m * labels.size(), nan), runs(m * pairs, nan);
        for (std::size_t g = 1; g <= m; ++g) {
            const auto j = store.has_runs(g) ? index_of_name(store.scalars(g), ref_scalars[s].name) : -1;
            std::vector<double> other(pairs, nan);
            if (j >= 0) other = store.scalar_values(g, 0, static_cast<std::size_t>(j), pairs);
            const PairedDelta d = paired_delta(reference, other, quantiles, bootstrap, confidence, combine(seed, s));
            const auto v = delta_vector(d);
            std::copy(v.begin(), v.end(), stats.begin() + static_cast<std::ptrdiff_t>((g - 1) * labels.size()));
            for (std::uint64_t r = 0; r < pairs; ++r) runs[(g - 1) * pairs + r] = other[r] - reference[r];
            report.versus_reference.push_back(d);
        }
        store.write_table("deltas/" + report.scalar, {m, labels.size()}, stats, "compared,delta_statistic", report.unit,
                          "Paired difference (scenario minus the first) of: " + ref_scalars[s].description);
        store.write_table("deltas/runs/" + report.scalar, {m, pairs}, runs, "compared,replicate", report.unit,
                          "Paired difference per replicate (same seed and replicate index)");
        reports.push_back(std::move(report));
    }
    return reports;
}

// Reads one series of a point minus the same series of a reference point, replicate by replicate.
SeriesBlockReader delta_reader(const RunStore& store, std::size_t g, std::size_t series, std::size_t ref_series,
                               std::uint64_t replicates) {
    auto other = store.series_reader(g, 0, series, replicates);
    auto reference = store.series_reader(0, 0, ref_series, replicates);
    const std::size_t width = store.series(g).at(series).width();
    return [other, reference, width, replicates](std::size_t day_begin, std::size_t day_end, double* out) {
        const std::size_t n = replicates * (day_end - day_begin) * width;
        std::vector<double> ref(n);
        reference(day_begin, day_end, ref.data());
        other(day_begin, day_end, out);
        for (std::size_t i = 0; i < n; ++i) out[i] -= ref[i];
    };
}

bool same_shape(const SeriesInfo& a, const SeriesInfo& b) {
    bool same = a.days == b.days && a.axes.size() == b.axes.size();
    for (std::size_t i = 0; same && i < a.axes.size(); ++i)
        same = a.axes[i].name == b.axes[i].name && a.axes[i].labels == b.axes[i].labels;
    return same;
}

// Per-day bands of paired differences, for series whose shape matches the reference's.
void write_series_deltas(RunStore& store, std::uint64_t pairs, const std::vector<double>& quantiles, int threads) {
    const std::size_t m = store.groups() - 1;
    const auto& ref_series = store.series(0);
    bool wrote_any = false;
    for (std::size_t s = 0; s < ref_series.size(); ++s) {
        const SeriesInfo& info = ref_series[s];
        std::vector<std::size_t> dims{m, quantiles.size()};
        std::string axes = "compared,quantile,";
        append_series_shape(info, dims, axes);
        const std::size_t block = quantiles.size() * info.days * info.width();
        std::vector<double> all(m * block, nan);
        bool any = false;
        for (std::size_t g = 1; g <= m; ++g) {
            if (!store.has_runs(g)) continue;
            const auto j = index_of_name(store.series(g), info.name);
            if (j < 0 || !same_shape(store.series(g)[static_cast<std::size_t>(j)], info)) continue;
            const auto bands = quantile_bands(delta_reader(store, g, static_cast<std::size_t>(j), s, pairs), pairs,
                                              info.days, info.width(), quantiles, std::size_t{8} << 20, threads);
            std::copy(bands.begin(), bands.end(), all.begin() + static_cast<std::ptrdiff_t>((g - 1) * block));
            any = true;
            for (const Axis& a : info.axes) store.write_labels("axes/" + a.name, a.labels);
        }
        if (!any) continue;
        if (!wrote_any)  // the bands' probabilities, beside them as in every group with bands
            store.write_table("deltas/bands/quantile", {quantiles.size()}, quantiles, "quantile", "probability",
                              "Probability of each quantile band");
        wrote_any = true;
        store.write_table("deltas/bands/" + info.name, dims, all, axes, info.unit,
                          std::string(delta_band_description_prefix) + info.description);
    }
}

std::string leaf_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The calendar date of day 0 of a group's runs (its points share a base scenario), for readers
// that show dates beside day indices.
void write_start_date(RunStore& store, const std::string& object, const std::vector<std::size_t>& points) {
    if (points.empty()) return;
    const std::string& date = store.layout().plan->points.at(points.front()).scenario().start_date;
    if (!date.empty()) store.write_attribute(object, "start_date", date);
}

const std::vector<std::string> sobol_labels{"first_order", "first_order_low", "first_order_high",
                                            "total",       "total_low",       "total_high"};
const std::vector<std::string> morris_labels{"mu", "mu_star", "mu_star_low", "mu_star_high", "sigma"};

void write_sobol_table(RunStore& store, const OutputSensitivity& out, std::size_t k) {
    std::vector<double> table;
    const SobolIndices& s = out.sobol;
    for (std::size_t i = 0; i < k; ++i)
        table.insert(table.end(), {s.first[i], s.first_low[i], s.first_high[i], s.total[i], s.total_low[i], s.total_high[i]});
    store.write_table("sensitivity/" + out.output, {k, sobol_labels.size()}, table, "sweep_parameter,index",
                      "fraction of variance",
                      "Sobol' indices of " + out.output +
                          ": first order (Saltelli 2010) and total (Jansen), with bootstrap intervals");
    store.write_attribute("sensitivity/" + out.output, "variance", s.variance);
}

void write_morris_table(RunStore& store, const OutputSensitivity& out, std::size_t k) {
    std::vector<double> table;
    const MorrisIndices& m = out.morris;
    for (std::size_t i = 0; i < k; ++i)
        table.insert(table.end(), {m.mu[i], m.mu_star[i], m.mu_star_low[i], m.mu_star_high[i], m.sigma[i]});
    store.write_table("sensitivity/" + out.output, {k, morris_labels.size()}, table, "sweep_parameter,index",
                      out.unit + " per unit of the parameter's normalised range",
                      "Morris elementary effects of " + out.output + ": mu, mu* (with bootstrap interval), sigma");
}

}  // namespace

std::vector<std::vector<ScalarReport>> write_point_reductions(RunStore& store, std::uint64_t completed_jobs,
                                                               const std::vector<double>& quantiles, int threads) {
    std::vector<std::vector<ScalarReport>> reports(store.layout().plan->points.size());
    for (std::size_t g = 0; g < store.groups(); ++g) {
        const std::string& path = store.group(g).path;
        const std::string prefix = path.empty() ? "" : path + "/";
        store.write_labels(prefix + "axes/quantile", quantile_labels(quantiles));
        store.write_labels(prefix + "axes/statistic", statistic_labels(quantiles));
        store.write_labels(prefix + "axes/variance_component", variance_labels());
        store.write_table(prefix + "bands/quantile", {quantiles.size()}, quantiles, "quantile", "probability",
                          "Probability of each quantile band");
        write_start_date(store, path, store.group(g).points);
        if (!store.has_runs(g)) continue;
        write_group_bands(store, g, prefix, completed_jobs, quantiles, threads);
        write_group_scalars(store, g, prefix, completed_jobs, quantiles, reports);
    }
    return reports;
}

std::vector<DeltaReport> write_comparison_deltas(RunStore& store, std::uint64_t completed_jobs,
                                                 const std::vector<double>& quantiles, std::size_t bootstrap,
                                                 double confidence, int threads) {
    if (store.groups() < 2 || !store.has_runs(0)) return {};
    const std::uint64_t pairs = paired_replicates(*store.layout().plan, completed_jobs);
    std::vector<std::string> compared;
    for (std::size_t g = 1; g < store.groups(); ++g) compared.push_back(leaf_of(store.group(g).path));
    store.write_labels("axes/compared", compared);
    store.write_labels("axes/delta_statistic", delta_labels(quantiles));
    store.write_labels("axes/quantile", quantile_labels(quantiles));
    auto reports = write_scalar_deltas(store, pairs, quantiles, bootstrap, confidence);
    if (pairs > 0) write_series_deltas(store, pairs, quantiles, threads);
    write_start_date(store, "deltas", store.group(0).points);  // deltas follow the reference's days
    return reports;
}

std::vector<double> row_outputs(const RunStore& store, const std::string& output, std::size_t rows,
                                std::uint64_t replicates) {
    std::vector<double> out(rows, nan);
    if (store.groups() == 0 || !store.has_runs(0)) return out;
    const auto& scalars = store.scalars(0);
    const auto index = index_of_name(scalars, output);
    if (index < 0) {
        std::string known;
        for (const auto& s : scalars) known += (known.empty() ? "" : ", ") + s.name;
        throw PlanError("unknown output '" + output + "'; the runs produce: " + known);
    }
    for (std::size_t row = 0; row < rows; ++row) {
        const auto values = store.scalar_values(0, row, static_cast<std::size_t>(index), replicates);
        double sum = 0;
        for (double v : values) sum += v;  // NaN propagates: an undefined output stays undefined
        out[row] = sum / static_cast<double>(std::max<std::uint64_t>(replicates, 1));
    }
    return out;
}

std::vector<OutputSensitivity> write_sensitivity_indices(RunStore& store, const SensitivityDesign& design,
                                                         const std::vector<std::string>& outputs,
                                                         std::uint64_t replicates, std::size_t bootstrap,
                                                         double confidence) {
    const bool sobol = design.method == SensitivityMethod::sobol;
    const std::size_t k = design.unit().cols;
    const std::uint64_t seed = store.layout().plan->points.front().scenario().seed;
    store.write_labels("axes/index", sobol ? sobol_labels : morris_labels);
    std::vector<OutputSensitivity> reports;
    for (std::size_t o = 0; o < outputs.size(); ++o) {
        OutputSensitivity out;
        out.output = outputs[o];
        const auto y = row_outputs(store, out.output, design.unit().rows, replicates);
        for (const auto& s : store.scalars(0))
            if (s.name == out.output) out.unit = s.unit;
        if (sobol) {
            out.sobol = sobol_indices(design.saltelli, y, bootstrap, confidence, combine(seed, o));
            write_sobol_table(store, out, k);
        } else {
            out.morris = morris_indices(design.morris, y, bootstrap, confidence, combine(seed, o));
            write_morris_table(store, out, k);
        }
        reports.push_back(std::move(out));
    }
    return reports;
}

}  // namespace gatesim

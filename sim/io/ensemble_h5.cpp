// Study files (ensembles, comparisons, sweeps, sensitivity analyses): streaming writer,
// resume reader, and the reductions written into them (layouts: docs/results-format.md).
#include "io/ensemble_h5.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "model/rng.hpp"
#include "io/h5_support.hpp"
#include "io/scenario_yaml.hpp"

namespace gatesim {
namespace {

namespace fs = std::filesystem;
using namespace h5;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Absolute HDF5 path of `rel` inside a group ("" = root).
std::string in_group(const std::string& group, const std::string& rel) {
    return "/" + (group.empty() ? rel : group + "/" + rel);
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string leaf_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// H5Lexists fails when an intermediate group is missing, so each prefix is checked in turn.
bool link_exists(const Where& w, hid_t file, const std::string& path) {
    std::size_t slash = 0;
    while (slash != std::string::npos) {
        slash = path.find('/', slash + 1);
        const std::string prefix = path.substr(0, slash);
        if (prefix.empty() || prefix == "/") continue;
        const htri_t e = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
        if (e < 0) fail_h5(w, "cannot look up " + prefix);
        if (e == 0) return false;
    }
    return true;
}

// Creates every missing group along an absolute path, each remembering creation order.
void ensure_groups(const Where& w, hid_t file, const std::string& path) {
    std::string current;
    std::size_t start = 1;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!part.empty()) {
            current += "/" + part;
            if (!link_exists(w, file, current)) create_group(w, file, current.c_str());
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
}

// A float64 dataset filled with NaN until written. Chunked (and gzip-compressed at `gzip_level`
// when non-zero) whenever it has values; chunk dims are clamped to the dataset's.
Handle create_numeric(const Where& w, hid_t file, const std::string& path, const std::vector<hsize_t>& dims,
                      std::vector<hsize_t> chunk, unsigned gzip_level) {
    ensure_groups(w, file, parent_of(path));
    Handle space = checked(w, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                           "cannot create dataspace for " + path);
    Handle dcpl = checked(w, H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create property list for " + path);
    const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
    if (!empty) {
        for (std::size_t i = 0; i < dims.size(); ++i) chunk[i] = std::clamp<hsize_t>(chunk[i], 1, dims[i]);
        check(w, H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "cannot set chunking for " + path);
        if (gzip_level > 0) check(w, H5Pset_deflate(dcpl.get(), gzip_level), "cannot enable compression for " + path);
    }
    check(w, H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "cannot set the fill value of " + path);
    return checked(w, H5Dcreate2(file, path.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                   H5Dclose, "cannot create dataset " + path);
}

// Chunks of about kChunkValues values with whole trailing rows: [.., 1, rows, row...].
std::vector<hsize_t> chunk_for(const std::vector<hsize_t>& dims, std::size_t whole_trailing) {
    std::vector<hsize_t> chunk(dims.size(), 1);
    hsize_t values = 1;
    for (std::size_t i = dims.size() - std::min(whole_trailing, dims.size()); i < dims.size(); ++i) {
        chunk[i] = std::max<hsize_t>(dims[i], 1);
        values *= chunk[i];
    }
    const std::size_t next = dims.size() - std::min(whole_trailing, dims.size());
    if (next > 0) chunk[next - 1] = std::max<hsize_t>(1, kChunkValues / std::max<hsize_t>(values, 1));
    return chunk;
}

void slab(const Where& w, hid_t ds, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count, double* data,
          bool write, const std::string& what) {
    for (hsize_t c : count)
        if (c == 0) return;
    Handle file_space = checked(w, H5Dget_space(ds), H5Sclose, "cannot get the shape of " + what);
    check(w, H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "cannot select in " + what);
    Handle mem_space = checked(w, H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
                               "cannot create dataspace for " + what);
    if (write)
        check(w, H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, data), "cannot write " + what);
    else
        check(w, H5Dread(ds, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, data), "cannot read " + what);
}

Handle open_object(const Where& w, hid_t file, const std::string& path) {
    return checked(w, H5Oopen(file, path.c_str(), H5P_DEFAULT), H5Oclose, "cannot open " + path);
}

void string_attr(const Where& w, hid_t file, const std::string& object, const std::string& name, const std::string& value) {
    Handle obj = open_object(w, file, object);
    write_string_attr(w, obj.get(), object, name.c_str(), value);
}

void labels_dataset(const Where& w, hid_t file, const std::string& path, const std::vector<std::string>& labels) {
    ensure_groups(w, file, parent_of(path));
    Handle parent = checked(w, H5Gopen2(file, parent_of(path).c_str(), H5P_DEFAULT), H5Gclose, "cannot open " + parent_of(path));
    write_string_dataset(w, parent.get(), path, leaf_of(path).c_str(), labels, false);
}

// The open datasets of one group's runs: written by StudyFile, read back by StudyResume.
struct GroupDatasets {
    bool ready = false;  // set up (writer: created; resumer: opened)
    std::vector<ScalarInfo> scalars;
    std::vector<SeriesInfo> series;
    std::vector<Handle> scalar_ds;
    std::vector<Handle> series_ds;
    Handle parameters_ds;
};

}  // namespace

std::string file_type_of(StudyKind kind) {
    switch (kind) {
        case StudyKind::ensemble: return "gatesim-ensemble";
        case StudyKind::comparison: return "gatesim-comparison";
        case StudyKind::sweep: return "gatesim-sweep";
        case StudyKind::sensitivity: return "gatesim-sensitivity";
    }
    return "gatesim-study";
}

std::string plan_digest(const EnsemblePlan& plan) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(plan_fingerprint(plan)));
    return buffer;
}

// ---------------------------------------------------------------------------------------------
// Writing

struct StudyFile::Impl {
    QuietHdf5 quiet;
    Where w;
    fs::path target, tmp, scratch_path;
    StudyKind kind;
    const EnsemblePlan& plan;
    std::vector<RunGroup> groups;
    StudyOptions options;
    std::vector<std::pair<std::size_t, std::size_t>> where_point;  // plan point -> (group, local)
    Handle file, scratch;
    std::vector<GroupDatasets> state;
    bool committed = false;

    Impl(const fs::path& path, StudyKind k, const EnsemblePlan& p, std::vector<RunGroup> g, StudyOptions o)
        : w{"write", path.string()}, target(path), kind(k), plan(p), groups(std::move(g)), options(o) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    // Here rather than in ~StudyFile, so a constructor that fails half way also cleans up.
    ~Impl() {
        if (committed) return;
        state.clear();
        file.close();
        scratch.close();
        std::error_code ignored;
        if (!tmp.empty()) fs::remove(tmp, ignored);
        if (!scratch_path.empty()) fs::remove(scratch_path, ignored);
    }

    hid_t series_file() const { return scratch.get() >= 0 ? scratch.get() : file.get(); }

    std::vector<hsize_t> lead_dims(std::size_t g) const {
        if (groups[g].point_axis) return {groups[g].points.size(), plan.replicates};
        return {plan.replicates};
    }
    std::vector<hsize_t> lead_start(std::size_t g, std::size_t local, std::uint64_t replicate) const {
        if (groups[g].point_axis) return {local, replicate};
        return {replicate};
    }
    std::vector<hsize_t> lead_count(std::size_t g, std::uint64_t replicates) const {
        if (groups[g].point_axis) return {1, replicates};
        return {replicates};
    }
    std::string lead_axes(std::size_t g) const { return groups[g].point_axis ? "point,replicate" : "replicate"; }

    void init_group(std::size_t g, const RunRecord& run) {
        GroupDatasets& st = state[g];
        const std::string& G = groups[g].path;
        const auto lead = lead_dims(g);
        std::set<std::string> names;
        for (const Scalar& s : run.results.scalars) {
            check_name(w, s.name, "scalar");
            if (!names.insert(s.name).second) fail(w, "two summary scalars are named " + in_quotes(s.name));
            const std::string path = in_group(G, "runs/summary/" + s.name);
            st.scalars.push_back({s.name, s.unit, s.description});
            st.scalar_ds.push_back(create_numeric(w, file.get(), path, lead, chunk_for(lead, 1), 0));
            write_string_attr(w, st.scalar_ds.back().get(), path, "unit", s.unit);
            write_string_attr(w, st.scalar_ds.back().get(), path, "description", s.description);
            write_string_attr(w, st.scalar_ds.back().get(), path, "axes", lead_axes(g));
        }
        if (!plan.recorded_parameters.empty()) {
            auto dims = lead;
            dims.push_back(plan.recorded_parameters.size());
            const std::string path = in_group(G, "runs/parameters");
            st.parameters_ds = create_numeric(w, file.get(), path, dims, chunk_for(dims, 2), 0);
            write_string_attr(w, st.parameters_ds.get(), path, "axes", lead_axes(g) + ",parameter");
            write_string_attr(w, st.parameters_ds.get(), path, "unit", "per parameter");
            write_string_attr(w, st.parameters_ds.get(), path, "description",
                              "Value of each recorded parameter (axes/parameter) in each run");
            labels_dataset(w, file.get(), in_group(G, "axes/parameter"), plan.recorded_parameters);
        }
        if (options.store_series) {
            std::map<std::string, std::vector<std::string>> axes_written;
            names.clear();
            for (const Series& s : run.results.series) {
                check_name(w, s.name, "series");
                if (!names.insert(s.name).second) fail(w, "two series are named " + in_quotes(s.name));
                SeriesInfo info{s.name, s.unit, s.description, s.axes, static_cast<std::size_t>(run.results.days)};
                if (s.values.size() != info.days * info.width())
                    fail(w, "series " + in_quotes(s.name) + " has " + std::to_string(s.values.size()) + " values, expected " +
                                std::to_string(info.days * info.width()));
                auto dims = lead;
                dims.push_back(info.days);
                std::string axes = lead_axes(g) + ",day";
                for (const Axis& a : s.axes) {
                    check_name(w, a.name, "axis");
                    if (a.name.find(',') != std::string::npos) fail(w, "axis name " + in_quotes(a.name) + " contains a comma");
                    dims.push_back(a.labels.size());
                    axes += "," + a.name;
                    auto [it, first] = axes_written.try_emplace(a.name, a.labels);
                    if (first) labels_dataset(w, file.get(), in_group(G, "axes/" + a.name), a.labels);
                    else if (it->second != a.labels)
                        fail(w, "axis " + in_quotes(a.name) + " has different labels in two series");
                }
                const std::string path = in_group(G, "runs/timeseries/" + s.name);
                // One chunk per run: a run is written once and bands read whole runs.
                std::vector<hsize_t> chunk(dims.size(), 1);
                for (std::size_t i = lead.size(); i < dims.size(); ++i) chunk[i] = dims[i];
                // Scratch series live only until the bands are computed: compress them lightly,
                // since the writer shares the processor with the runs.
                const unsigned level = scratch.get() >= 0 ? 1 : kGzipLevel;
                st.series_ds.push_back(create_numeric(w, series_file(), path, dims, chunk, level));
                write_string_attr(w, st.series_ds.back().get(), path, "unit", s.unit);
                write_string_attr(w, st.series_ds.back().get(), path, "description", s.description);
                write_string_attr(w, st.series_ds.back().get(), path, "axes", axes);
                st.series.push_back(std::move(info));
            }
        }
        st.ready = true;
    }

    void check_same_shape(std::size_t g, const RunRecord& run) const {
        const GroupDatasets& st = state[g];
        auto differ = [&](const std::string& what) {
            throw PlanError("run of point " + std::to_string(run.point) + ", replicate " + std::to_string(run.replicate) +
                            " produced " + what + " than the first run stored with it; all runs of a group must " +
                            "produce the same scalars and series shapes");
        };
        if (run.results.scalars.size() != st.scalars.size()) differ("other summary scalars");
        for (std::size_t i = 0; i < st.scalars.size(); ++i)
            if (run.results.scalars[i].name != st.scalars[i].name) differ("other summary scalars");
        if (!options.store_series) return;
        if (run.results.series.size() != st.series.size()) differ("other series");
        for (std::size_t i = 0; i < st.series.size(); ++i)
            if (run.results.series[i].name != st.series[i].name ||
                run.results.series[i].values.size() != st.series[i].days * st.series[i].width())
                differ("series of another shape");
    }
};

StudyFile::StudyFile(const fs::path& path, StudyKind kind, const Provenance& provenance, const EnsemblePlan& plan,
                     std::vector<RunGroup> groups, StudyOptions options)
    : impl_(std::make_unique<Impl>(path, kind, plan, std::move(groups), options)) {
    Impl& m = *impl_;
    const Where& w = m.w;
    check_output_path(w, path);
    m.where_point.assign(plan.points.size(), {SIZE_MAX, 0});
    for (std::size_t g = 0; g < m.groups.size(); ++g)
        for (std::size_t i = 0; i < m.groups[g].points.size(); ++i) m.where_point.at(m.groups[g].points[i]) = {g, i};
    for (const auto& [g, i] : m.where_point)
        if (g == SIZE_MAX) fail(w, "a point of the plan has no group in the file");
    m.state.resize(m.groups.size());

    m.tmp = temporary_path(path);
    // EXCL: never clobber a file we did not create, even a stale temporary.
    m.file = checked(w, H5Fcreate(m.tmp.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                     "cannot create temporary file " + in_quotes(m.tmp.string()));
    if (options.store_series && !options.keep_series) {
        m.scratch_path = temporary_path(path, "runs");
        m.scratch = checked(w, H5Fcreate(m.scratch_path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                            "cannot create scratch file " + in_quotes(m.scratch_path.string()));
    }
    const hid_t f = m.file.get();
    write_string_attr(w, f, "/", "file_type", file_type_of(kind));
    const int version = study_schema_version;
    write_number_attr(w, f, "/", "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);

    Handle prov = create_group(w, f, "provenance");
    write_string_attr(w, prov.get(), "/provenance", "gatesim_version", provenance.gatesim_version);
    write_string_attr(w, prov.get(), "/provenance", "git_commit", provenance.git_commit);
    write_string_attr(w, prov.get(), "/provenance", "scenario_file", provenance.scenario_file);
    write_string_attr(w, prov.get(), "/provenance", "command_line", provenance.command_line);
    write_string_attr(w, prov.get(), "/provenance", "start_time", provenance.start_time);
    write_number_attr(w, prov.get(), "/provenance", "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &provenance.threads);
    const std::uint64_t seed = plan.points.empty() ? 0 : plan.points.front().scenario().seed;
    write_number_attr(w, prov.get(), "/provenance", "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    write_string_dataset(w, prov.get(), "/provenance/scenario", "scenario", {provenance.scenario_yaml}, true);

    Handle plan_group = create_group(w, f, "plan");
    const std::uint64_t counts[] = {plan.points.size(), plan.replicates, plan.noise_replicates, plan.draws(), plan.jobs()};
    const char* names[] = {"points", "replicates", "noise_replicates", "parameter_draws", "runs"};
    for (int i = 0; i < 5; ++i)
        write_number_attr(w, plan_group.get(), "/plan", names[i], H5T_STD_U64LE, H5T_NATIVE_UINT64, &counts[i]);
    const std::uint8_t keep = options.keep_series ? 1 : 0;
    write_number_attr(w, plan_group.get(), "/plan", "keep_replicates", H5T_STD_U8LE, H5T_NATIVE_UINT8, &keep);
    write_string_attr(w, plan_group.get(), "/plan", "plan_digest", plan_digest(plan));
    write_string_attr(w, plan_group.get(), "/plan", "job_order",
                      plan.order == JobOrder::point_major ? "point_major" : "replicate_major");

    // Uncertain parameters of each group (those of its first point; a group's points share them).
    for (const auto& g : m.groups) {
        if (g.points.empty()) continue;
        const auto& uncertain = plan.points[g.points.front()].uncertain;
        if (uncertain.empty()) continue;
        std::vector<std::string> paths, dists;
        for (const auto& u : uncertain) paths.push_back(u.key_path), dists.push_back(to_yaml(u.distribution));
        labels_dataset(w, f, in_group(g.path, "uncertain/key_path"), paths);
        labels_dataset(w, f, in_group(g.path, "uncertain/distribution"), dists);
    }
}

StudyFile::~StudyFile() = default;

void StudyFile::accept(const RunRecord& run) {
    Impl& m = *impl_;
    const auto [g, local] = m.where_point.at(run.point);
    if (!m.state[g].ready) m.init_group(g, run);
    else m.check_same_shape(g, run);
    GroupDatasets& st = m.state[g];
    const auto start = m.lead_start(g, local, run.replicate);
    const std::vector<hsize_t> one(start.size(), 1);
    for (std::size_t i = 0; i < st.scalars.size(); ++i) {
        double v = run.results.scalars[i].value;
        slab(m.w, st.scalar_ds[i].get(), start, one, &v, true, "summary scalar " + st.scalars[i].name);
    }
    if (st.parameters_ds.get() >= 0) {
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(run.parameters.size());
        std::vector<double> values = run.parameters;
        slab(m.w, st.parameters_ds.get(), s, c, values.data(), true, "run parameters");
    }
    for (std::size_t i = 0; i < st.series_ds.size(); ++i) {
        const SeriesInfo& info = st.series[i];
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(info.days);
        for (const Axis& a : info.axes) s.push_back(0), c.push_back(a.labels.size());
        // HDF5 wants a mutable pointer for reads and writes alike.
        double* data = const_cast<double*>(run.results.series[i].values.data());
        slab(m.w, st.series_ds[i].get(), s, c, data, true, "series " + info.name);
    }
}

std::size_t StudyFile::groups() const { return impl_->groups.size(); }
const RunGroup& StudyFile::group(std::size_t g) const { return impl_->groups.at(g); }
bool StudyFile::has_runs(std::size_t g) const { return impl_->state.at(g).ready; }
const std::vector<ScalarInfo>& StudyFile::scalars(std::size_t g) const { return impl_->state.at(g).scalars; }
const std::vector<SeriesInfo>& StudyFile::series(std::size_t g) const { return impl_->state.at(g).series; }

std::vector<double> StudyFile::scalar_values(std::size_t g, std::size_t local, std::size_t scalar,
                                             std::uint64_t replicates) const {
    const Impl& m = *impl_;
    std::vector<double> values(replicates, nan);
    if (!m.state.at(g).ready || replicates == 0) return values;
    slab(m.w, m.state[g].scalar_ds.at(scalar).get(), m.lead_start(g, local, 0), m.lead_count(g, replicates), values.data(),
         false, "summary scalar " + m.state[g].scalars[scalar].name);
    return values;
}

SeriesBlockReader StudyFile::series_reader(std::size_t g, std::size_t local, std::size_t series,
                                           std::uint64_t replicates) const {
    const Impl* m = impl_.get();
    return [m, g, local, series, replicates](std::size_t day_begin, std::size_t day_end, double* out) {
        const SeriesInfo& info = m->state.at(g).series.at(series);
        auto s = m->lead_start(g, local, 0);
        auto c = m->lead_count(g, replicates);
        s.push_back(day_begin);
        c.push_back(day_end - day_begin);
        for (const Axis& a : info.axes) s.push_back(0), c.push_back(a.labels.size());
        slab(m->w, m->state[g].series_ds.at(series).get(), s, c, out, false, "series " + info.name);
    };
}

SeriesBlockReader StudyFile::delta_reader(std::size_t g, std::size_t local, std::size_t series, std::size_t ref_g,
                                          std::size_t ref_point, std::size_t ref_series, std::uint64_t replicates) const {
    auto other = series_reader(g, local, series, replicates);
    auto reference = series_reader(ref_g, ref_point, ref_series, replicates);
    const std::size_t width = impl_->state.at(g).series.at(series).width();
    return [other, reference, width, replicates](std::size_t day_begin, std::size_t day_end, double* out) {
        const std::size_t n = replicates * (day_end - day_begin) * width;
        std::vector<double> ref(n);
        reference(day_begin, day_end, ref.data());
        other(day_begin, day_end, out);
        for (std::size_t i = 0; i < n; ++i) out[i] -= ref[i];
    };
}

void StudyFile::write_table(const std::string& path, const std::vector<std::size_t>& dims,
                            const std::vector<double>& values, const std::string& axes, const std::string& unit,
                            const std::string& description) {
    const Impl& m = *impl_;
    const std::string abs = "/" + path;
    std::vector<hsize_t> d(dims.begin(), dims.end());
    std::size_t total = 1;
    for (auto x : dims) total *= x;
    if (values.size() != total) fail(m.w, "table " + abs + " has " + std::to_string(values.size()) + " values, expected " +
                                              std::to_string(total));
    Handle ds = create_numeric(m.w, m.file.get(), abs, d, chunk_for(d, d.size() > 1 ? d.size() - 1 : 1),
                               total > kCompressAbove ? kGzipLevel : 0);
    if (total > 0)
        check(m.w, H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              "cannot write dataset " + abs);
    write_string_attr(m.w, ds.get(), abs, "unit", unit);
    write_string_attr(m.w, ds.get(), abs, "description", description);
    write_string_attr(m.w, ds.get(), abs, "axes", axes);
}

void StudyFile::write_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                                const std::vector<double>& values, const std::string& axes, const std::string& unit,
                                const std::string& description) {
    const Impl& m = *impl_;
    const std::string abs = "/" + path;
    std::vector<hsize_t> d(dims.begin(), dims.end());
    std::size_t per_row = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) per_row *= dims[i];
    if (dims.empty() || row >= dims[0] || values.size() != per_row)
        fail(m.w, "row " + std::to_string(row) + " of table " + abs + " does not fit its shape");
    Handle ds;
    if (link_exists(m.w, m.file.get(), abs)) {
        ds = open_dataset(m.w, m.file.get(), abs);
    } else {
        std::vector<hsize_t> chunk = d;
        chunk[0] = 1;  // a row per chunk: rows are written one at a time
        ds = create_numeric(m.w, m.file.get(), abs, d, chunk, per_row > kCompressAbove ? kGzipLevel : 0);
        write_string_attr(m.w, ds.get(), abs, "unit", unit);
        write_string_attr(m.w, ds.get(), abs, "description", description);
        write_string_attr(m.w, ds.get(), abs, "axes", axes);
    }
    std::vector<hsize_t> start(d.size(), 0), count = d;
    start[0] = row;
    count[0] = 1;
    slab(m.w, ds.get(), start, count, const_cast<double*>(values.data()), true, "table " + abs);
}

void StudyFile::write_labels(const std::string& path, const std::vector<std::string>& labels) {
    if (link_exists(impl_->w, impl_->file.get(), "/" + path)) return;  // axes are shared by name
    labels_dataset(impl_->w, impl_->file.get(), "/" + path, labels);
}

void StudyFile::write_text(const std::string& path, const std::string& text) {
    const Impl& m = *impl_;
    const std::string abs = "/" + path;
    ensure_groups(m.w, m.file.get(), parent_of(abs));
    Handle parent = checked(m.w, H5Gopen2(m.file.get(), parent_of(abs).c_str(), H5P_DEFAULT), H5Gclose, "cannot open group");
    write_string_dataset(m.w, parent.get(), abs, leaf_of(abs).c_str(), {text}, true);
}

void StudyFile::write_attribute(const std::string& object, const std::string& name, const std::string& value) {
    ensure_groups(impl_->w, impl_->file.get(), "/" + object);
    string_attr(impl_->w, impl_->file.get(), "/" + object, name, value);
}

void StudyFile::write_attribute(const std::string& object, const std::string& name, double value) {
    const Impl& m = *impl_;
    ensure_groups(m.w, m.file.get(), "/" + object);
    Handle obj = open_object(m.w, m.file.get(), "/" + object);
    write_number_attr(m.w, obj.get(), "/" + object, name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void StudyFile::commit(std::uint64_t completed_jobs, bool complete) {
    Impl& m = *impl_;
    const Where& w = m.w;
    const hid_t f = m.file.get();
    const std::uint8_t flag = complete ? 1 : 0;
    write_number_attr(w, f, "/", "complete", H5T_STD_U8LE, H5T_NATIVE_UINT8, &flag);
    {
        Handle plan_group = open_object(w, f, "/plan");
        write_number_attr(w, plan_group.get(), "/plan", "completed_runs", H5T_STD_U64LE, H5T_NATIVE_UINT64, &completed_jobs);
    }
    for (auto& st : m.state) st.series_ds.clear();  // closes them, flushing their chunks
    if (!complete && m.scratch.get() >= 0) {
        // --resume needs every finished run's series: move them from the scratch file.
        for (std::size_t g = 0; g < m.groups.size(); ++g) {
            if (!m.state[g].ready || m.state[g].series.empty()) continue;
            const std::string path = in_group(m.groups[g].path, "runs/timeseries");
            check(w, H5Ocopy(m.scratch.get(), path.c_str(), f, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                  "cannot copy " + path + " from the scratch file");
        }
    }
    m.state.clear();
    check(w, m.file.close(), "cannot close temporary file " + in_quotes(m.tmp.string()));
    m.scratch.close();
    std::error_code ignored;
    if (!m.scratch_path.empty()) fs::remove(m.scratch_path, ignored);
    try {
        sync_file(w, m.tmp);
        fs::rename(m.tmp, m.target);
    } catch (const fs::filesystem_error& e) {
        fs::remove(m.tmp, ignored);
        m.committed = true;
        fail(w, std::string("cannot move the finished file into place: ") + e.code().message());
    } catch (...) {
        fs::remove(m.tmp, ignored);
        m.committed = true;
        throw;
    }
    m.committed = true;
}

// ---------------------------------------------------------------------------------------------
// Resuming

struct StudyResume::Impl {
    QuietHdf5 quiet;
    Where w;
    Handle file;
    const EnsemblePlan& plan;
    std::vector<RunGroup> groups;
    std::vector<std::pair<std::size_t, std::size_t>> where_point;
    std::uint64_t completed = 0;

    std::vector<GroupDatasets> stored;

    Impl(const fs::path& path, const EnsemblePlan& p, std::vector<RunGroup> g)
        : w{"resume from", path.string()}, plan(p), groups(std::move(g)) {}

    void open_group_runs(std::size_t g) {
        GroupDatasets& st = stored[g];
        if (st.ready) return;
        st.ready = true;
        const std::string G = groups[g].path;
        const std::string summary = in_group(G, "runs/summary");
        if (!link_exists(w, file.get(), summary)) return;
        Handle sg = open_group(w, file.get(), summary);
        for (const auto& name : member_names(w, sg.get(), summary)) {
            Handle ds = open_dataset(w, sg.get(), name);
            const std::string path = summary + "/" + name;
            st.scalars.push_back({name, read_string_attr(w, ds.get(), path, "unit"),
                                  read_string_attr(w, ds.get(), path, "description")});
            st.scalar_ds.push_back(std::move(ds));
        }
        const std::string params = in_group(G, "runs/parameters");
        if (link_exists(w, file.get(), params)) st.parameters_ds = open_dataset(w, file.get(), params);
        const std::string ts = in_group(G, "runs/timeseries");
        if (!link_exists(w, file.get(), ts)) return;
        Handle tg = open_group(w, file.get(), ts);
        const std::size_t lead = groups[g].point_axis ? 2 : 1;
        for (const auto& name : member_names(w, tg.get(), ts)) {
            Handle ds = open_dataset(w, tg.get(), name);
            const std::string path = ts + "/" + name;
            SeriesInfo info{name, read_string_attr(w, ds.get(), path, "unit"), read_string_attr(w, ds.get(), path, "description"),
                            {}, 0};
            const auto dims = dataset_dims(w, ds.get(), path);
            const auto axes = split_commas(read_string_attr(w, ds.get(), path, "axes"));
            if (dims.size() != axes.size() || dims.size() < lead + 1) fail(w, "dataset " + path + " has an unexpected shape");
            info.days = dims[lead];
            for (std::size_t i = lead + 1; i < axes.size(); ++i) {
                const std::string labels_path = in_group(G, "axes/" + axes[i]);
                Handle lds = open_dataset(w, file.get(), labels_path);
                info.axes.push_back({axes[i], read_strings(w, Source{lds.get(), false, "dataset " + labels_path})});
            }
            st.series.push_back(std::move(info));
            st.series_ds.push_back(std::move(ds));
        }
    }

    std::vector<hsize_t> start(std::size_t g, std::size_t local, std::uint64_t r) const {
        if (groups[g].point_axis) return {local, r};
        return {r};
    }
};

StudyResume::StudyResume(const fs::path& path, StudyKind kind, const EnsemblePlan& plan, std::vector<RunGroup> groups)
    : impl_(std::make_unique<Impl>(path, plan, std::move(groups))) {
    Impl& m = *impl_;
    const Where& w = m.w;
    m.file = open_existing(w, path);
    const std::string type = read_string_attr(w, m.file.get(), "/", "file_type", "not a gatesim study file");
    if (type != file_type_of(kind))
        fail(w, "it is a \"" + type + "\" file; this command resumes \"" + file_type_of(kind) + "\" files");
    int version = 0;
    read_number_attr(w, m.file.get(), "/", "schema_version", H5T_NATIVE_INT, &version);
    if (version != study_schema_version) fail(w, "schema_version " + std::to_string(version) + " is not supported");
    std::uint8_t complete = 0;
    read_number_attr(w, m.file.get(), "/", "complete", H5T_NATIVE_UINT8, &complete);
    if (complete) fail(w, "the file is complete; there is nothing to resume");
    Handle plan_group = open_group(w, m.file.get(), "/plan");
    const std::string digest = read_string_attr(w, plan_group.get(), "/plan", "plan_digest");
    if (digest != plan_digest(plan))
        fail(w, "the file was made by a different plan (scenario, overrides, replicates, noise replicates or design "
                "differ); resume with the same command line");
    read_number_attr(w, plan_group.get(), "/plan", "completed_runs", H5T_NATIVE_UINT64, &m.completed);
    m.completed = std::min(m.completed, plan.jobs());
    m.where_point.assign(plan.points.size(), {0, 0});
    for (std::size_t g = 0; g < m.groups.size(); ++g)
        for (std::size_t i = 0; i < m.groups[g].points.size(); ++i) m.where_point.at(m.groups[g].points[i]) = {g, i};
    m.stored.resize(m.groups.size());
}

StudyResume::~StudyResume() = default;

std::uint64_t StudyResume::completed_jobs() const { return impl_->completed; }

RunRecord StudyResume::read_run(std::uint64_t job) {
    Impl& m = *impl_;
    RunRecord run;
    run.job = job;
    std::tie(run.point, run.replicate) = m.plan.job(job);
    run.draw = run.replicate / m.plan.noise_replicates;
    const auto [g, local] = m.where_point.at(run.point);
    m.open_group_runs(g);
    const GroupDatasets& st = m.stored[g];
    const auto start = m.start(g, local, run.replicate);
    const std::vector<hsize_t> one(start.size(), 1);
    run.results.seed = m.plan.points[run.point].scenario().seed;
    run.results.replicate = run.replicate;
    run.results.days = m.plan.points[run.point].scenario().days;
    for (std::size_t i = 0; i < st.scalars.size(); ++i) {
        double v = nan;
        slab(m.w, st.scalar_ds[i].get(), start, one, &v, false, "summary scalar " + st.scalars[i].name);
        run.results.scalars.push_back({st.scalars[i].name, st.scalars[i].unit, st.scalars[i].description, v});
    }
    if (st.parameters_ds.get() >= 0) {
        run.parameters.assign(m.plan.recorded_parameters.size(), nan);
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(run.parameters.size());
        slab(m.w, st.parameters_ds.get(), s, c, run.parameters.data(), false, "run parameters");
    }
    for (std::size_t i = 0; i < st.series.size(); ++i) {
        const SeriesInfo& info = st.series[i];
        Series s{info.name, info.unit, info.description, info.axes, {}};
        s.values.assign(info.days * info.width(), nan);
        auto b = start, c = one;
        b.push_back(0);
        c.push_back(info.days);
        for (const Axis& a : info.axes) b.push_back(0), c.push_back(a.labels.size());
        slab(m.w, st.series_ds[i].get(), b, c, s.values.data(), false, "series " + info.name);
        run.results.days = static_cast<int>(info.days);
        run.results.series.push_back(std::move(s));
    }
    return run;
}

// ---------------------------------------------------------------------------------------------
// Reductions

std::vector<std::vector<ScalarReport>> write_point_reductions(StudyFile& file, const EnsemblePlan& plan,
                                                               std::uint64_t completed_jobs,
                                                               const std::vector<double>& quantiles) {
    std::vector<std::vector<ScalarReport>> reports(plan.points.size());
    std::vector<std::string> quantile_labels;
    for (double q : quantiles) quantile_labels.push_back(quantile_label(q));
    const auto stat_labels = statistic_labels(quantiles);
    const auto var_labels = variance_labels();
    for (std::size_t g = 0; g < file.groups(); ++g) {
        const RunGroup& group = file.group(g);
        const std::string G = group.path.empty() ? "" : group.path + "/";
        const std::size_t npoints = group.points.size();
        // One row per point when the group has a point axis; otherwise a single table.
        auto put = [&](const std::string& path, std::size_t local, const std::vector<std::size_t>& inner,
                       const std::vector<double>& values, const std::string& axes, const std::string& unit,
                       const std::string& description) {
            if (!group.point_axis) return file.write_table(path, inner, values, axes, unit, description);
            std::vector<std::size_t> dims{npoints};
            dims.insert(dims.end(), inner.begin(), inner.end());
            file.write_table_row(path, dims, local, values, "point," + axes, unit, description);
        };
        file.write_labels(G + "axes/quantile", quantile_labels);
        file.write_labels(G + "axes/statistic", stat_labels);
        file.write_labels(G + "axes/variance_component", var_labels);
        file.write_table(G + "bands/quantile", {quantiles.size()}, quantiles, "quantile", "probability",
                         "Probability of each quantile band");
        if (!file.has_runs(g)) continue;

        const auto& series = file.series(g);
        for (std::size_t s = 0; s < series.size(); ++s) {
            const SeriesInfo& info = series[s];
            std::vector<std::size_t> inner{quantiles.size(), info.days};
            std::string axes = "quantile,day";
            for (const Axis& a : info.axes) inner.push_back(a.labels.size()), axes += "," + a.name;
            for (std::size_t local = 0; local < npoints; ++local) {
                const std::uint64_t done = plan.completed_replicates(group.points[local], completed_jobs);
                auto bands = done == 0 ? std::vector<double>(quantiles.size() * info.days * info.width(), nan)
                                       : quantile_bands(file.series_reader(g, local, s, done), done, info.days,
                                                        info.width(), quantiles);
                put(G + "bands/" + info.name, local, inner, bands, axes, info.unit,
                    "Per-day quantiles over replicates of: " + info.description);
            }
        }
        const auto& scalars = file.scalars(g);
        for (std::size_t s = 0; s < scalars.size(); ++s) {
            for (std::size_t local = 0; local < npoints; ++local) {
                const std::size_t point = group.points[local];
                const std::uint64_t done = plan.completed_replicates(point, completed_jobs);
                const auto values = file.scalar_values(g, local, s, done);
                ScalarReport report{scalars[s], distribution_of(values, quantiles), {}};
                // Only whole parameter draws enter the decomposition.
                const std::uint64_t whole = done / plan.noise_replicates * plan.noise_replicates;
                report.variance = decompose_variance(std::vector<double>(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(whole)),
                                                     plan.noise_replicates);
                put(G + "summary/" + scalars[s].name, local, {stat_labels.size()}, statistics_vector(report.distribution),
                    "statistic", scalars[s].unit, "Distribution over replicates of: " + scalars[s].description);
                put(G + "variance/" + scalars[s].name, local, {var_labels.size()}, variance_vector(report.variance),
                    "variance_component", "(" + scalars[s].unit + ")^2; shares: fraction; counts: runs",
                    "Variance of one run's " + scalars[s].name +
                        " split into parameter uncertainty (between parameter draws) and noise (within)");
                reports[point].push_back(std::move(report));
            }
        }
    }
    return reports;
}

std::vector<DeltaReport> write_comparison_deltas(StudyFile& file, const EnsemblePlan& plan, std::uint64_t completed_jobs,
                                                 const std::vector<double>& quantiles, std::size_t bootstrap,
                                                 double confidence) {
    std::vector<DeltaReport> reports;
    const std::size_t n_groups = file.groups();
    if (n_groups < 2 || !file.has_runs(0)) return reports;
    // Only replicates finished for every scenario are paired.
    std::uint64_t pairs = plan.replicates;
    for (std::size_t p = 0; p < plan.points.size(); ++p) pairs = std::min(pairs, plan.completed_replicates(p, completed_jobs));
    std::vector<std::string> compared;
    for (std::size_t g = 1; g < n_groups; ++g) compared.push_back(leaf_of("/" + file.group(g).path));
    const auto labels = delta_labels(quantiles);
    file.write_labels("axes/compared", compared);
    file.write_labels("axes/delta_statistic", labels);
    std::vector<std::string> quantile_labels;
    for (double q : quantiles) quantile_labels.push_back(quantile_label(q));
    file.write_labels("axes/quantile", quantile_labels);
    const std::size_t m = compared.size();

    auto index_of_name = [](const auto& infos, const std::string& name) -> std::ptrdiff_t {
        for (std::size_t i = 0; i < infos.size(); ++i)
            if (infos[i].name == name) return static_cast<std::ptrdiff_t>(i);
        return -1;
    };
    const std::uint64_t seed = plan.points.front().scenario().seed;
    const auto& ref_scalars = file.scalars(0);
    for (std::size_t s = 0; s < ref_scalars.size(); ++s) {
        DeltaReport report{ref_scalars[s].name, ref_scalars[s].unit, {}};
        const auto reference = file.scalar_values(0, 0, s, pairs);
        std::vector<double> stats(m * labels.size(), nan), runs(m * pairs, nan);
        for (std::size_t g = 1; g < n_groups; ++g) {
            const auto j = file.has_runs(g) ? index_of_name(file.scalars(g), ref_scalars[s].name) : -1;
            std::vector<double> other(pairs, nan);
            if (j >= 0) other = file.scalar_values(g, 0, static_cast<std::size_t>(j), pairs);
            const PairedDelta d = paired_delta(reference, other, quantiles, bootstrap, confidence, combine(seed, s));
            const auto v = delta_vector(d);
            std::copy(v.begin(), v.end(), stats.begin() + static_cast<std::ptrdiff_t>((g - 1) * labels.size()));
            for (std::uint64_t r = 0; r < pairs; ++r) runs[(g - 1) * pairs + r] = other[r] - reference[r];
            report.versus_reference.push_back(d);
        }
        file.write_table("deltas/" + report.scalar, {m, labels.size()}, stats, "compared,delta_statistic", report.unit,
                         "Paired difference (scenario minus the first) of: " + ref_scalars[s].description);
        file.write_table("deltas/runs/" + report.scalar, {m, pairs}, runs, "compared,replicate", report.unit,
                         "Paired difference per replicate (same seed and replicate index)");
        reports.push_back(std::move(report));
    }
    // Per-day bands of paired differences, for series whose shape matches the reference's.
    if (pairs == 0) return reports;
    const auto& ref_series = file.series(0);
    for (std::size_t s = 0; s < ref_series.size(); ++s) {
        const SeriesInfo& info = ref_series[s];
        std::vector<std::size_t> dims{m, quantiles.size(), info.days};
        std::string axes = "compared,quantile,day";
        for (const Axis& a : info.axes) dims.push_back(a.labels.size()), axes += "," + a.name;
        const std::size_t block = quantiles.size() * info.days * info.width();
        std::vector<double> all(m * block, nan);
        bool any = false;
        for (std::size_t g = 1; g < n_groups; ++g) {
            if (!file.has_runs(g)) continue;
            const auto j = index_of_name(file.series(g), info.name);
            if (j < 0) continue;
            const SeriesInfo& other = file.series(g)[static_cast<std::size_t>(j)];
            bool same = other.days == info.days && other.axes.size() == info.axes.size();
            for (std::size_t a = 0; same && a < info.axes.size(); ++a)
                same = other.axes[a].name == info.axes[a].name && other.axes[a].labels == info.axes[a].labels;
            if (!same) continue;
            const auto bands = quantile_bands(file.delta_reader(g, 0, static_cast<std::size_t>(j), 0, 0, s, pairs), pairs,
                                              info.days, info.width(), quantiles);
            std::copy(bands.begin(), bands.end(), all.begin() + static_cast<std::ptrdiff_t>((g - 1) * block));
            any = true;
            for (const Axis& a : info.axes) file.write_labels("axes/" + a.name, a.labels);
        }
        if (any)
            file.write_table("deltas/bands/" + info.name, dims, all, axes, info.unit,
                             "Per-day quantiles of the paired difference (scenario minus the first) of: " + info.description);
    }
    return reports;
}

std::vector<double> row_outputs(const StudyFile& file, const std::string& output, std::size_t rows,
                                std::uint64_t replicates) {
    std::vector<double> out(rows, nan);
    if (file.groups() == 0 || !file.has_runs(0)) return out;
    const auto& scalars = file.scalars(0);
    std::size_t index = scalars.size();
    std::string known;
    for (std::size_t i = 0; i < scalars.size(); ++i) {
        if (scalars[i].name == output) index = i;
        known += (known.empty() ? "" : ", ") + scalars[i].name;
    }
    if (index == scalars.size()) throw PlanError("unknown output '" + output + "'; the runs produce: " + known);
    for (std::size_t row = 0; row < rows; ++row) {
        const auto values = file.scalar_values(0, row, index, replicates);
        double sum = 0;
        for (double v : values) sum += v;  // NaN propagates: an undefined output stays undefined
        out[row] = sum / static_cast<double>(std::max<std::uint64_t>(replicates, 1));
    }
    return out;
}

}  // namespace gatesim

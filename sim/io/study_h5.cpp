// Study files (ensembles, comparisons, sweeps, sensitivity analyses): the streaming writer
// and the reader of an interrupted file for --resume (layouts: docs/results-format.md).
#include "io/study_h5.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <limits>
#include <optional>
#include <map>
#include <set>

#include "io/h5_coordinates.hpp"
#include "io/h5_support.hpp"
#include "io/provenance_h5.hpp"
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

// A block of a dataset: [start, start + count) in each dimension, with a memory space to match.
struct Selection {
    Handle file_space, mem_space;
    bool empty = false;
};

Selection select(const Where& w, hid_t ds, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                 const std::string& what) {
    Selection s;
    s.empty = std::any_of(count.begin(), count.end(), [](hsize_t c) { return c == 0; });
    if (s.empty) return s;
    s.file_space = checked(w, H5Dget_space(ds), H5Sclose, "cannot get the shape of " + what);
    check(w, H5Sselect_hyperslab(s.file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "cannot select in " + what);
    s.mem_space = checked(w, H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
                          "cannot create dataspace for " + what);
    return s;
}

void read_slab(const Where& w, hid_t ds, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               double* out, const std::string& what) {
    const Selection s = select(w, ds, start, count, what);
    if (!s.empty)
        check(w, H5Dread(ds, H5T_NATIVE_DOUBLE, s.mem_space.get(), s.file_space.get(), H5P_DEFAULT, out),
              "cannot read " + what);
}

void write_slab(const Where& w, hid_t ds, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                const double* in, const std::string& what) {
    const Selection s = select(w, ds, start, count, what);
    if (!s.empty)
        check(w, H5Dwrite(ds, H5T_NATIVE_DOUBLE, s.mem_space.get(), s.file_space.get(), H5P_DEFAULT, in),
              "cannot write " + what);
}

// transfer_run reads into a mutable record and writes from a const one.
void move_slab(const Where& w, hid_t ds, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               double* out, const std::string& what) {
    read_slab(w, ds, start, count, out, what);
}
void move_slab(const Where& w, hid_t ds, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               const double* in, const std::string& what) {
    write_slab(w, ds, start, count, in, what);
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

// The open datasets of one group's runs: written by StudyFile, read back for --resume.
struct GroupDatasets {
    bool ready = false;  // set up (writer: created; resumer: opened)
    RunShape shape;
    std::vector<Handle> scalar_ds;
    std::vector<Handle> series_ds;
    Handle parameters_ds;
};

// Runs are stored with leading dimensions (replicate) or, in groups with a point axis,
// (point, replicate).
std::vector<hsize_t> lead_start(const RunGroup& group, std::size_t local, std::uint64_t replicate) {
    if (group.point_axis) return {local, replicate};
    return {replicate};
}
std::vector<hsize_t> lead_count(const RunGroup& group, std::uint64_t replicates) {
    if (group.point_axis) return {1, replicates};
    return {replicates};
}

// plan point -> (group, index in the group)
std::vector<std::pair<std::size_t, std::size_t>> where_points(const Where& w, const StudyLayout& layout) {
    std::vector<std::pair<std::size_t, std::size_t>> where(layout.plan->points.size(), {SIZE_MAX, 0});
    for (std::size_t g = 0; g < layout.groups.size(); ++g)
        for (std::size_t i = 0; i < layout.groups[g].points.size(); ++i) where.at(layout.groups[g].points[i]) = {g, i};
    for (const auto& [g, i] : where)
        if (g == SIZE_MAX) fail(w, "a point of the plan has no group in the file");
    return where;
}

void write_attrs(const Where& w, hid_t obj, const std::string& path,
                 const std::vector<std::pair<const char*, std::string>>& attrs) {
    for (const auto& [name, value] : attrs) write_string_attr(w, obj, path, name, value);
}

// /plan: counts, the digest --resume checks, and the uncertain parameters of each group (those
// of its first point; a group's points share them).
void write_plan(const Where& w, hid_t f, const StudyLayout& layout) {
    const EnsemblePlan& plan = *layout.plan;
    Handle plan_group = create_group(w, f, "plan");
    const std::uint64_t counts[] = {plan.points.size(), plan.replicates, plan.noise_replicates, plan.draws(), plan.jobs()};
    const char* names[] = {"points", "replicates", "noise_replicates", "parameter_draws", "runs"};
    for (int i = 0; i < 5; ++i)
        write_number_attr(w, plan_group.get(), "/plan", names[i], H5T_STD_U64LE, H5T_NATIVE_UINT64, &counts[i]);
    const std::uint8_t keep = layout.keep_series ? 1 : 0;
    write_number_attr(w, plan_group.get(), "/plan", "keep_replicates", H5T_STD_U8LE, H5T_NATIVE_UINT8, &keep);
    write_attrs(w, plan_group.get(), "/plan",
                {{"plan_digest", plan_digest(plan)},
                 {"job_order", plan.order == JobOrder::point_major ? "point_major" : "replicate_major"}});
    for (const auto& g : layout.groups) {
        if (g.points.empty()) continue;
        const auto& uncertain = plan.points[g.points.front()].uncertain;
        if (uncertain.empty()) continue;
        std::vector<std::string> paths, dists;
        for (const auto& u : uncertain) paths.push_back(u.key_path), dists.push_back(to_yaml(u.distribution));
        labels_dataset(w, f, in_group(g.path, "uncertain/key_path"), paths);
        labels_dataset(w, f, in_group(g.path, "uncertain/distribution"), dists);
    }
}

// The datasets of one run (start: its leading coordinates): written from a const record, read
// into a mutable one whose values have the stored shape.
template <class Record>
void transfer_run(const Where& w, const GroupDatasets& st, const std::vector<hsize_t>& start, Record& run) {
    const std::vector<hsize_t> one(start.size(), 1);
    for (std::size_t i = 0; i < st.scalar_ds.size(); ++i)
        move_slab(w, st.scalar_ds[i].get(), start, one, &run.results.scalars[i].value,
                  "summary scalar " + st.shape.scalars[i].name);
    if (st.parameters_ds.get() >= 0) {
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(run.parameters.size());
        move_slab(w, st.parameters_ds.get(), s, c, run.parameters.data(), "run parameters");
    }
    for (std::size_t i = 0; i < st.series_ds.size(); ++i) {
        const SeriesInfo& info = st.shape.series[i];
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(info.days);
        for (const Axis& a : info.axes) s.push_back(0), c.push_back(a.labels.size());
        move_slab(w, st.series_ds[i].get(), s, c, run.results.series[i].values.data(), "series " + info.name);
    }
}

// The runs of an incomplete study file, for --resume.
class FileFinishedRuns : public FinishedRuns {
public:
    FileFinishedRuns(const fs::path& path, const StudyLayout& layout);
    std::uint64_t completed_jobs() const override { return completed_; }
    RunRecord read_run(std::uint64_t job) override;

private:
    void open_group_runs(std::size_t g);
    void open_series(std::size_t g, GroupDatasets& st);

    QuietHdf5 quiet_;
    Where w_;
    const StudyLayout& layout_;
    Handle file_;
    std::vector<std::pair<std::size_t, std::size_t>> where_point_;
    std::vector<GroupDatasets> stored_;
    std::uint64_t completed_ = 0;
};

FileFinishedRuns::FileFinishedRuns(const fs::path& path, const StudyLayout& layout)
    : w_{"resume from", path.string()}, layout_(layout) {
    const Where& w = w_;
    file_ = open_existing(w, path);
    const std::string type = read_string_attr(w, file_.get(), "/", "file_type", "not a gatesim study file");
    if (type != file_type_of(layout.kind))
        fail(w, "it is a \"" + type + "\" file; this command resumes \"" + file_type_of(layout.kind) + "\" files");
    int version = 0;
    read_number_attr(w, file_.get(), "/", "schema_version", H5T_NATIVE_INT, &version);
    if (version != study_schema_version)
        fail(w, "its schema_version is " + std::to_string(version) + " and this gatesim continues studies of version " +
                    std::to_string(study_schema_version) + " only; resume it with the gatesim that began it (" +
                    "its /provenance says which), or start the study again");
    std::uint8_t complete = 0;
    read_number_attr(w, file_.get(), "/", "complete", H5T_NATIVE_UINT8, &complete);
    if (complete) fail(w, "the file is complete; there is nothing to resume");
    Handle plan_group = open_group(w, file_.get(), "/plan");
    const std::string digest = read_string_attr(w, plan_group.get(), "/plan", "plan_digest");
    if (digest != plan_digest(*layout.plan))
        fail(w, "the file was made by a different plan (scenario, overrides, replicates, noise replicates or design "
                "differ); resume with the same command line");
    read_number_attr(w, plan_group.get(), "/plan", "completed_runs", H5T_NATIVE_UINT64, &completed_);
    completed_ = std::min(completed_, layout.plan->jobs());
    where_point_ = where_points(w, layout);
    stored_.resize(layout.groups.size());
}

void FileFinishedRuns::open_group_runs(std::size_t g) {
    GroupDatasets& st = stored_[g];
    if (st.ready) return;
    st.ready = true;
    const Where& w = w_;
    const std::string summary = in_group(layout_.groups[g].path, "runs/summary");
    if (!link_exists(w, file_.get(), summary)) return;
    Handle sg = open_group(w, file_.get(), summary);
    for (const auto& name : member_names(w, sg.get(), summary)) {
        Handle ds = open_dataset(w, sg.get(), name);
        if (!holds_data(w, ds.get())) continue;  // a coordinate
        const std::string path = summary + "/" + name;
        st.shape.scalars.push_back(
            {name, read_string_attr(w, ds.get(), path, "units"), read_string_attr(w, ds.get(), path, "description")});
        st.scalar_ds.push_back(std::move(ds));
    }
    const std::string params = in_group(layout_.groups[g].path, "runs/parameters");
    if (link_exists(w, file_.get(), params)) st.parameters_ds = open_dataset(w, file_.get(), params);
    open_series(g, st);
}

void FileFinishedRuns::open_series(std::size_t g, GroupDatasets& st) {
    const Where& w = w_;
    const std::string& G = layout_.groups[g].path;
    const std::string ts = in_group(G, "runs/timeseries");
    if (!link_exists(w, file_.get(), ts)) return;
    Handle tg = open_group(w, file_.get(), ts);
    const std::size_t lead = layout_.groups[g].point_axis ? 2 : 1;
    for (const auto& name : member_names(w, tg.get(), ts)) {
        Handle ds = open_dataset(w, tg.get(), name);
        if (!holds_data(w, ds.get())) continue;  // a coordinate
        const std::string path = ts + "/" + name;
        SeriesInfo info{name, read_string_attr(w, ds.get(), path, "units"), read_string_attr(w, ds.get(), path, "description"),
                        {}, 0};
        const auto dims = dataset_dims(w, ds.get(), path);
        const auto axes = split_commas(read_string_attr(w, ds.get(), path, "axes"));
        if (dims.size() != axes.size() || dims.size() < lead + 1) fail(w, "dataset " + path + " has an unexpected shape");
        info.days = dims[lead];
        for (std::size_t i = lead + 1; i < axes.size(); ++i) {
            const std::string labels_path = in_group(G, "axes/" + axes[i]);
            Handle lds = open_dataset(w, file_.get(), labels_path);
            info.axes.push_back({axes[i], read_strings(w, Source{lds.get(), false, "dataset " + labels_path})});
        }
        st.shape.series.push_back(std::move(info));
        st.series_ds.push_back(std::move(ds));
    }
}

RunRecord FileFinishedRuns::read_run(std::uint64_t job) {
    const EnsemblePlan& plan = *layout_.plan;
    RunRecord run;
    run.job = job;
    std::tie(run.point, run.replicate) = plan.job(job);
    run.draw = run.replicate / plan.noise_replicates;
    const auto [g, local] = where_point_.at(run.point);
    open_group_runs(g);
    const GroupDatasets& st = stored_[g];
    run.results.seed = plan.points[run.point].scenario().seed;
    run.results.replicate = run.replicate;
    run.results.days = plan.points[run.point].scenario().days;
    run.results.start_date = plan.points[run.point].scenario().start_date;
    for (const ScalarInfo& info : st.shape.scalars) run.results.scalars.push_back({info.name, info.unit, info.description, nan});
    if (st.parameters_ds.get() >= 0) run.parameters.assign(plan.recorded_parameters.size(), nan);
    for (const SeriesInfo& info : st.shape.series) {
        run.results.series.push_back({info.name, info.unit, info.description, info.axes,
                                      std::vector<double>(info.days * info.width(), nan)});
        run.results.days = static_cast<int>(info.days);
    }
    transfer_run(w_, st, lead_start(layout_.groups[g], local, run.replicate), run);
    return run;
}

}  // namespace

std::string file_type_of(StudyKind kind) { return "gatesim-" + std::string(enum_name(kind)); }

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
    const StudyLayout& layout;
    const EnsemblePlan& plan;
    std::vector<std::pair<std::size_t, std::size_t>> where_point;  // plan point -> (group, local)
    std::optional<PendingFile> file, scratch;                       // scratch: series not kept
    std::vector<GroupDatasets> state;                               // closed before the files

    Impl(const fs::path& path, const StudyLayout& l) : w{"write", path.string(), true}, layout(l), plan(*l.plan) {}

    hid_t series_file() const { return scratch ? scratch->get() : file->get(); }

    std::vector<hsize_t> lead_dims(std::size_t g) const {
        if (layout.groups[g].point_axis) return {layout.groups[g].points.size(), plan.replicates};
        return {plan.replicates};
    }
    std::string lead_axes(std::size_t g) const { return layout.groups[g].point_axis ? "point,replicate" : "replicate"; }

    // A float64 dataset with its unit, description and axes attributes.
    Handle create_described(hid_t f, const std::string& path, const std::vector<hsize_t>& dims,
                            std::vector<hsize_t> chunk, unsigned gzip_level, const std::string& unit,
                            const std::string& description, const std::string& axes) const {
        Handle ds = create_numeric(w, f, path, dims, std::move(chunk), gzip_level);
        write_attrs(w, ds.get(), path, {{"units", unit}, {"description", description}, {"axes", axes}});
        return ds;
    }

    void init_group(std::size_t g, const RunRecord& run);
    void create_series(std::size_t g);
};

void StudyFile::Impl::init_group(std::size_t g, const RunRecord& run) {
    GroupDatasets& st = state[g];
    const std::string& G = layout.groups[g].path;
    const auto lead = lead_dims(g);
    check_storable(w, run.results, layout.store_series);
    st.shape = RunShape::of(run.results, layout.store_series);
    for (const ScalarInfo& s : st.shape.scalars)
        st.scalar_ds.push_back(create_described(file->get(), in_group(G, "runs/summary/" + s.name), lead,
                                                chunk_for(lead, 1), 0, s.unit, s.description, lead_axes(g)));
    if (!plan.recorded_parameters.empty()) {
        auto dims = lead;
        dims.push_back(plan.recorded_parameters.size());
        const std::string path = in_group(G, "runs/parameters");
        st.parameters_ds = create_numeric(w, file->get(), path, dims, chunk_for(dims, 2), 0);
        write_attrs(w, st.parameters_ds.get(), path,
                    {{"axes", lead_axes(g) + ",parameter"},
                     {"units", "per parameter"},
                     {"description", "Value of each recorded parameter (axes/parameter) in each run"}});
        labels_dataset(w, file->get(), in_group(G, "axes/parameter"), plan.recorded_parameters);
    }
    if (layout.store_series) create_series(g);
    st.ready = true;
}

void StudyFile::Impl::create_series(std::size_t g) {
    GroupDatasets& st = state[g];
    const std::string& G = layout.groups[g].path;
    const auto lead = lead_dims(g);
    std::set<std::string> axes_written;
    for (const SeriesInfo& s : st.shape.series) {
        auto dims = lead;
        dims.push_back(s.days);
        std::string axes = lead_axes(g) + ",day";
        for (const Axis& a : s.axes) {
            dims.push_back(a.labels.size());
            axes += "," + a.name;
            if (axes_written.insert(a.name).second) labels_dataset(w, file->get(), in_group(G, "axes/" + a.name), a.labels);
        }
        // One chunk per run: a run is written once and bands read whole runs.
        std::vector<hsize_t> chunk(dims.size(), 1);
        for (std::size_t i = lead.size(); i < dims.size(); ++i) chunk[i] = dims[i];
        // Scratch series live only until the bands are computed: compress them lightly,
        // since the writer shares the processor with the runs.
        const unsigned level = scratch ? 1 : kGzipLevel;
        st.series_ds.push_back(create_described(series_file(), in_group(G, "runs/timeseries/" + s.name), dims, chunk,
                                                level, s.unit, s.description, axes));
    }
}

StudyFile::StudyFile(fs::path path, Provenance provenance) : path_(std::move(path)), provenance_(std::move(provenance)) {
    check_output_path(path_);
}

StudyFile::~StudyFile() = default;

void StudyFile::open_layout(const StudyLayout& layout) {
    impl_.reset();
    auto m = std::make_unique<Impl>(path_, layout);
    const Where& w = m->w;
    m->where_point = where_points(w, layout);
    m->state.resize(layout.groups.size());
    m->file.emplace(w, path_);
    if (layout.store_series && !layout.keep_series) m->scratch.emplace(w, path_, "runs");
    const hid_t f = m->file->get();
    write_string_attr(w, f, "/", "file_type", file_type_of(layout.kind));
    const int version = study_schema_version;
    write_number_attr(w, f, "/", "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);
    const std::uint64_t seed = layout.plan->points.empty() ? 0 : layout.plan->points.front().scenario().seed;
    write_provenance(w, f, provenance_, seed, std::nullopt);
    write_plan(w, f, layout);
    impl_ = std::move(m);
}

std::unique_ptr<FinishedRuns> StudyFile::finished_runs() { return std::make_unique<FileFinishedRuns>(path_, layout()); }

void StudyFile::accept(const RunRecord& run) {
    Impl& m = *impl_;
    const auto [g, local] = m.where_point.at(run.point);
    if (!m.state[g].ready) m.init_group(g, run);
    else m.state[g].shape.check(run);
    transfer_run(m.w, m.state[g], lead_start(layout().groups[g], local, run.replicate), run);
}

bool StudyFile::has_runs(std::size_t g) const { return impl_->state.at(g).ready; }
const std::vector<ScalarInfo>& StudyFile::scalars(std::size_t g) const { return impl_->state.at(g).shape.scalars; }
const std::vector<SeriesInfo>& StudyFile::series(std::size_t g) const { return impl_->state.at(g).shape.series; }

std::vector<double> StudyFile::scalar_values(std::size_t g, std::size_t local, std::size_t scalar,
                                             std::uint64_t replicates) const {
    const Impl& m = *impl_;
    std::vector<double> values(replicates, nan);
    if (!m.state.at(g).ready || replicates == 0) return values;
    const RunGroup& group = layout().groups[g];
    read_slab(m.w, m.state[g].scalar_ds.at(scalar).get(), lead_start(group, local, 0), lead_count(group, replicates),
              values.data(), "summary scalar " + m.state[g].shape.scalars[scalar].name);
    return values;
}

SeriesBlockReader StudyFile::series_reader(std::size_t g, std::size_t local, std::size_t series,
                                           std::uint64_t replicates) const {
    const Impl* m = impl_.get();
    const RunGroup* group = &layout().groups.at(g);
    return [m, group, g, local, series, replicates](std::size_t day_begin, std::size_t day_end, double* out) {
        const SeriesInfo& info = m->state.at(g).shape.series.at(series);
        auto s = lead_start(*group, local, 0);
        auto c = lead_count(*group, replicates);
        s.push_back(day_begin);
        c.push_back(day_end - day_begin);
        for (const Axis& a : info.axes) s.push_back(0), c.push_back(a.labels.size());
        read_slab(m->w, m->state[g].series_ds.at(series).get(), s, c, out, "series " + info.name);
    };
}

void StudyFile::put_table(const std::string& path, const std::vector<std::size_t>& dims,
                          const std::vector<double>& values, const std::string& axes, const std::string& unit,
                          const std::string& description) {
    const Impl& m = *impl_;
    const std::string abs = "/" + path;
    const std::vector<hsize_t> d(dims.begin(), dims.end());
    const std::size_t total = values.size();
    Handle ds = m.create_described(m.file->get(), abs, d, chunk_for(d, d.size() > 1 ? d.size() - 1 : 1),
                                   total > kCompressAbove ? kGzipLevel : 0, unit, description, axes);
    if (total > 0)
        check(m.w, H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              "cannot write dataset " + abs);
}

void StudyFile::put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                              const std::vector<double>& values, const std::string& axes, const std::string& unit,
                              const std::string& description) {
    const Impl& m = *impl_;
    const std::string abs = "/" + path;
    const std::vector<hsize_t> d(dims.begin(), dims.end());
    const std::size_t per_row = values.size();
    Handle ds;
    if (link_exists(m.w, m.file->get(), abs)) {
        ds = open_dataset(m.w, m.file->get(), abs);
    } else {
        std::vector<hsize_t> chunk = d;
        chunk[0] = 1;  // a row per chunk: rows are written one at a time
        ds = m.create_described(m.file->get(), abs, d, chunk, per_row > kCompressAbove ? kGzipLevel : 0, unit,
                                description, axes);
    }
    std::vector<hsize_t> start(d.size(), 0), count = d;
    start[0] = row;
    count[0] = 1;
    write_slab(m.w, ds.get(), start, count, values.data(), "table " + abs);
}

void StudyFile::write_labels(const std::string& path, const std::vector<std::string>& labels) {
    if (link_exists(impl_->w, impl_->file->get(), "/" + path)) return;  // axes are shared by name
    labels_dataset(impl_->w, impl_->file->get(), "/" + path, labels);
}

void StudyFile::write_scenario(const std::string& path, const StudyScenario& scenario) {
    const Impl& m = *impl_;
    const std::string abs = "/" + path;
    ensure_groups(m.w, m.file->get(), parent_of(abs));
    Handle parent = checked(m.w, H5Gopen2(m.file->get(), parent_of(abs).c_str(), H5P_DEFAULT), H5Gclose,
                            "cannot open group");
    write_string_dataset(m.w, parent.get(), abs, leaf_of(abs).c_str(), {to_yaml(scenario.scenario, scenario.uncertain)},
                         true);
}

void StudyFile::write_attribute(const std::string& object, const std::string& name, const std::string& value) {
    ensure_groups(impl_->w, impl_->file->get(), "/" + object);
    string_attr(impl_->w, impl_->file->get(), "/" + object, name, value);
}

void StudyFile::write_attribute(const std::string& object, const std::string& name, double value) {
    const Impl& m = *impl_;
    ensure_groups(m.w, m.file->get(), "/" + object);
    Handle obj = open_object(m.w, m.file->get(), "/" + object);
    write_number_attr(m.w, obj.get(), "/" + object, name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void StudyFile::commit(std::uint64_t completed_jobs, bool complete) {
    Impl& m = *impl_;
    const Where& w = m.w;
    const hid_t f = m.file->get();
    const std::uint8_t flag = complete ? 1 : 0;
    write_number_attr(w, f, "/", "complete", H5T_STD_U8LE, H5T_NATIVE_UINT8, &flag);
    {
        Handle plan_group = open_object(w, f, "/plan");
        write_number_attr(w, plan_group.get(), "/plan", "completed_runs", H5T_STD_U64LE, H5T_NATIVE_UINT64, &completed_jobs);
    }
    for (auto& st : m.state) st.series_ds.clear();  // closes them, flushing their chunks
    if (!complete && m.scratch) {
        // --resume needs every finished run's series: move them from the scratch file.
        for (std::size_t g = 0; g < m.state.size(); ++g) {
            if (!m.state[g].ready || m.state[g].shape.series.empty()) continue;
            const std::string path = in_group(layout().groups[g].path, "runs/timeseries");
            check(w, H5Ocopy(m.scratch->get(), path.c_str(), f, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                  "cannot copy " + path + " from the scratch file");
        }
    }
    m.state.clear();
    if (m.scratch) m.scratch->discard();
    attach_coordinates(w, f);
    m.file->commit();
}

}  // namespace gatesim

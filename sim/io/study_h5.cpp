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
#include <mutex>
#include <set>
#include <unordered_map>

#include "io/crash_points.hpp"
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

// The open datasets of one group's runs in the study file.
struct GroupDatasets {
    bool ready = false;  // created, at the group's first run
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

// The datasets of one run (start: its leading coordinates).
void write_run(const Where& w, const GroupDatasets& st, const std::vector<hsize_t>& start, const RunRecord& run) {
    const std::vector<hsize_t> one(start.size(), 1);
    for (std::size_t i = 0; i < st.scalar_ds.size(); ++i)
        write_slab(w, st.scalar_ds[i].get(), start, one, &run.results.scalars[i].value,
                   "summary scalar " + st.shape.scalars[i].name);
    if (st.parameters_ds.get() >= 0) {
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(run.parameters.size());
        write_slab(w, st.parameters_ds.get(), s, c, run.parameters.data(), "run parameters");
    }
    for (std::size_t i = 0; i < st.series_ds.size(); ++i) {
        const SeriesInfo& info = st.shape.series[i];
        auto s = start, c = one;
        s.push_back(0);
        c.push_back(info.days);
        for (const Axis& a : info.axes) s.push_back(0), c.push_back(a.labels.size());
        write_slab(w, st.series_ds[i].get(), s, c, run.results.series[i].values.data(), "series " + info.name);
    }
}

// The runs of an interrupted study, read back from its journal for --resume.
class JournalRuns : public FinishedRuns {
public:
    explicit JournalRuns(const RunJournal& journal) : journal_(journal) {}
    std::uint64_t completed_jobs() const override { return journal_.runs(); }
    RunRecord read_run(std::uint64_t job) override { return journal_.read_run(job); }

private:
    const RunJournal& journal_;
};

std::string kind_of_file(fs::file_type type) {
    switch (type) {
        case fs::file_type::directory: return "a directory";
        case fs::file_type::symlink: return "a symbolic link";
        default: return "not a regular file";
    }
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
    std::optional<PendingFile> file;
    std::vector<GroupDatasets> state;     // closed before the file
    std::unique_ptr<RunJournal> journal;  // every finished run; the series not kept in the file
    std::map<std::string, Handle> tables_by_row;  // open while rows are written, closed before the file
    std::mutex packing;
    std::unordered_map<std::uint64_t, std::string> packed;  // job -> its journal record, packed by prepare()

    Impl(const fs::path& path, const StudyLayout& l) : w{"write", path.string(), true}, layout(l), plan(*l.plan) {}

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

    // The run's journal record: as prepare() packed it, or packed now (a run from elsewhere).
    std::string take_packed(const RunRecord& run, std::size_t g) {
        {
            std::lock_guard lock(packing);
            if (const auto it = packed.find(run.job); it != packed.end()) {
                std::string record = std::move(it->second);
                packed.erase(it);
                return record;
            }
        }
        return journal->pack(run, g);
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
    // The labels of the series' axes, which the bands use whether or not every run's series is kept.
    std::set<std::string> axes_written;
    for (const SeriesInfo& s : st.shape.series)
        for (const Axis& a : s.axes)
            if (axes_written.insert(a.name).second) labels_dataset(w, file->get(), in_group(G, "axes/" + a.name), a.labels);
    if (layout.keep_series) create_series(g);
    st.ready = true;
}

void StudyFile::Impl::create_series(std::size_t g) {
    GroupDatasets& st = state[g];
    const std::string& G = layout.groups[g].path;
    const auto lead = lead_dims(g);
    for (const SeriesInfo& s : st.shape.series) {
        auto dims = lead;
        dims.push_back(s.days);
        std::string axes = lead_axes(g) + ",day";
        for (const Axis& a : s.axes) {
            dims.push_back(a.labels.size());
            axes += "," + a.name;
        }
        // One chunk per run: a run is written once and bands read whole runs.
        std::vector<hsize_t> chunk(dims.size(), 1);
        for (std::size_t i = lead.size(); i < dims.size(); ++i) chunk[i] = dims[i];
        st.series_ds.push_back(create_described(file->get(), in_group(G, "runs/timeseries/" + s.name), dims, chunk,
                                                kGzipLevel, s.unit, s.description, axes));
    }
}

StudyFile::StudyFile(fs::path path, Provenance provenance)
    : path_(std::move(path)), provenance_(std::move(provenance)), lock_(OutputLock::acquire(path_)) {
    lock_.claim_for_writer();
}

StudyFile::~StudyFile() = default;

void StudyFile::open_layout(const StudyLayout& layout) {
    impl_.reset();
    auto m = std::make_unique<Impl>(path_, layout);
    const Where& w = m->w;
    m->where_point = where_points(w, layout);
    m->state.resize(layout.groups.size());
    if (!layout.resume) m->journal = start_journal(layout);
    m->file.emplace(w, path_);
    const hid_t f = m->file->get();
    write_string_attr(w, f, "/", "file_type", file_type_of(layout.kind));
    const int version = study_schema_version;
    write_number_attr(w, f, "/", "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);
    const std::uint64_t seed = layout.plan->points.empty() ? 0 : layout.plan->points.front().scenario().seed;
    write_provenance(w, f, provenance_, seed, std::nullopt);
    write_plan(w, f, layout);
    impl_ = std::move(m);
}

RunJournal::Study StudyFile::journal_study(const StudyLayout& layout) {
    return {layout.kind, plan_fingerprint(*layout.plan), layout.plan->jobs(), layout.store_series};
}

// A fresh journal, unless the one at PATH.partial holds finished runs: those are never thrown
// away by a study that does not resume them.
std::unique_ptr<RunJournal> StudyFile::start_journal(const StudyLayout& layout) const {
    const fs::path journal = partial_path(path_);
    auto refuse = [&](const std::string& reason) {
        throw OutputPathError("cannot write " + path_.string() + ": " + journal.string() + " " + reason);
    };
    std::error_code ec;
    const auto status = fs::symlink_status(journal, ec);
    if (fs::exists(status) && !fs::is_regular_file(status))
        refuse("is " + kind_of_file(status.type()) + ", not a run journal gatesim could replace");
    if (fs::exists(status)) {
        std::uint64_t runs = 0;
        try {
            runs = RunJournal::open(journal, path_)->runs();
        } catch (const ResultsFileError&) {
            refuse("exists and is not a gatesim run journal; move it away");
        }
        if (runs > 0)
            refuse("holds " + std::to_string(runs) + " finished run(s) of an interrupted study; continue it with " +
                   "--resume (the same command line), or remove " + journal.string() + " to start afresh");
    }
    return RunJournal::create(journal, path_, journal_study(layout));
}

std::unique_ptr<FinishedRuns> StudyFile::finished_runs() {
    Impl& m = *impl_;
    if (!layout().resume || m.journal) throw std::logic_error("finished_runs() needs a layout opened to resume");
    const fs::path journal = partial_path(path_);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(journal, ec)))
        throw ResultsFileError("there is no interrupted study to continue: " + journal.string() + " does not exist" +
                               (fs::exists(path_, ec) ? " (" + path_.string() + " is complete)" : ""));
    m.journal = RunJournal::open(journal, path_);
    if (!m.journal->has_study()) {  // killed while creating it: nothing finished, start afresh
        m.journal.reset();  // (removes it: it holds no run)
        m.journal = RunJournal::create(journal, path_, journal_study(layout()));
        return std::make_unique<JournalRuns>(*m.journal);
    }
    const RunJournal::Study& old = m.journal->study();
    const RunJournal::Study now = journal_study(layout());
    auto refuse = [&](const std::string& reason) { throw ResultsFileError(journal.string() + ": " + reason); };
    if (old.kind != now.kind)
        refuse("it holds the runs of a " + std::string(enum_name(old.kind)) + "; this command continues a " +
               std::string(enum_name(now.kind)));
    if (old.plan_fingerprint != now.plan_fingerprint || old.jobs != now.jobs)
        refuse("the interrupted study was made by a different plan (scenario, overrides, replicates, noise replicates "
               "or design differ); resume with the same command line");
    if (now.with_series && !old.with_series)
        refuse("the interrupted study kept no daily series; resume it without --keep-replicates");
    return std::make_unique<JournalRuns>(*m.journal);
}

void StudyFile::accept(const RunRecord& run) {
    Impl& m = *impl_;
    if (!m.journal) throw std::logic_error("a study opened to resume must read its finished runs first");
    const auto [g, local] = m.where_point.at(run.point);
    if (!m.state[g].ready) m.init_group(g, run);
    else m.state[g].shape.check(run);
    // The journal first: from here on the run survives whatever happens to this process. Runs
    // read back from it to resume are there already.
    if (run.job >= m.journal->runs()) m.journal->append(run, g, m.state[g].shape, m.take_packed(run, g));
    write_run(m.w, m.state[g], lead_start(layout().groups[g], local, run.replicate), run);
    m.file->check_written();
}

void StudyFile::prepare(const RunRecord& run) {
    Impl& m = *impl_;
    if (!m.journal || run.point >= m.where_point.size()) return;  // accept reports it
    std::string payload = m.journal->pack(run, m.where_point[run.point].first);
    std::lock_guard lock(m.packing);
    m.packed[run.job] = std::move(payload);
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

bool StudyFile::concurrent_series_readers() const { return !layout().keep_series; }

SeriesBlockReader StudyFile::series_reader(std::size_t g, std::size_t local, std::size_t series,
                                           std::uint64_t replicates) const {
    const Impl* m = impl_.get();
    const RunGroup* group = &layout().groups.at(g);
    if (!layout().keep_series)  // from the journal, run by run
        return [m, group, g, local, series, replicates](std::size_t day_begin, std::size_t day_end, double* out) {
            const std::size_t values = (day_end - day_begin) * m->state.at(g).shape.series.at(series).width();
            for (std::uint64_t r = 0; r < replicates; ++r)
                m->journal->read_series(m->plan.job_of(group->points[local], r), series, day_begin, day_end,
                                        out + r * values);
        };
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
    crash_point("reduce");
    const std::string abs = "/" + path;
    const std::vector<hsize_t> d(dims.begin(), dims.end());
    const std::size_t total = values.size();
    Handle ds = m.create_described(m.file->get(), abs, d, chunk_for(d, d.size() > 1 ? d.size() - 1 : 1),
                                   total > kCompressAbove ? kGzipLevel : 0, unit, description, axes);
    if (total > 0)
        check(m.w, H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              "cannot write dataset " + abs);
    m.file->check_written();
}

void StudyFile::put_table_row(const std::string& path, const std::vector<std::size_t>& dims, std::size_t row,
                              const std::vector<double>& values, const std::string& axes, const std::string& unit,
                              const std::string& description) {
    Impl& m = *impl_;
    crash_point("reduce");
    const std::string abs = "/" + path;
    const std::vector<hsize_t> d(dims.begin(), dims.end());
    const std::size_t per_row = values.size();
    Handle& ds = m.tables_by_row[abs];  // a sweep writes a row per point: open each table once
    if (ds.get() < 0 && link_exists(m.w, m.file->get(), abs)) {
        ds = open_dataset(m.w, m.file->get(), abs);
    } else if (ds.get() < 0) {
        std::vector<hsize_t> chunk = d;
        chunk[0] = 1;  // a row per chunk: rows are written one at a time
        ds = m.create_described(m.file->get(), abs, d, chunk, per_row > kCompressAbove ? kGzipLevel : 0, unit,
                                description, axes);
    }
    std::vector<hsize_t> start(d.size(), 0), count = d;
    start[0] = row;
    count[0] = 1;
    write_slab(m.w, ds.get(), start, count, values.data(), "table " + abs);
    m.file->check_written();
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

std::uint64_t StudyFile::kept_runs() const { return impl_ && impl_->journal ? impl_->journal->runs() : 0; }

void StudyFile::commit(std::uint64_t completed_jobs, bool complete) {
    Impl& m = *impl_;
    if (!complete) {
        // The output path is left alone: the finished runs stay in the journal for --resume,
        // and the reductions of this invocation (for the printed summary) go with the file.
        if (m.journal) m.journal->sync();
        m.state.clear();
        m.tables_by_row.clear();
        m.file->discard();
        return;
    }
    const Where& w = m.w;
    const hid_t f = m.file->get();
    const std::uint8_t flag = 1;
    write_number_attr(w, f, "/", "complete", H5T_STD_U8LE, H5T_NATIVE_UINT8, &flag);
    {
        Handle plan_group = open_object(w, f, "/plan");
        write_number_attr(w, plan_group.get(), "/plan", "completed_runs", H5T_STD_U64LE, H5T_NATIVE_UINT64, &completed_jobs);
    }
    m.state.clear();  // closes every dataset, flushing their chunks
    m.tables_by_row.clear();
    attach_coordinates(w, f);
    m.file->commit();
    // Killed here, the complete file is in place and the journal still holds every run: a
    // --resume rewrites the same file from it.
    crash_point("commit-journal");
    if (m.journal) m.journal->remove();
}

}  // namespace gatesim

// HDF5 results files of single runs: atomic writer and validating reader (layout:
// docs/results-format.md).
#include "io/results_h5.hpp"

#include <climits>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "io/h5_coordinates.hpp"
#include "io/h5_support.hpp"
#include "io/output_lock.hpp"
#include "io/provenance_h5.hpp"

namespace gatesim {
namespace {

namespace fs = std::filesystem;
using namespace h5;

constexpr const char* kFileType = "gatesim-results";

// Series and their axes (check_storable has checked names, shapes and labels).
void write_timeseries(const Where& w, hid_t file, const Results& r) {
    Handle ts = create_group(w, file, "timeseries");
    Handle axes_group = create_group(w, file, "axes");
    const auto days = static_cast<hsize_t>(r.days);

    std::vector<std::int32_t> day_values(r.days);
    for (int d = 0; d < r.days; ++d) day_values[d] = d;
    Handle day = write_array(w, ts.get(), "/timeseries/day", "day", H5T_STD_I32LE, H5T_NATIVE_INT32,
                             {days}, day_values.data());
    write_string_attr(w, day.get(), "/timeseries/day", "units", "day");

    std::set<std::string> written_axes;  // labels are stored once per axis name
    for (const Series& s : r.series) {
        const std::string path = "/timeseries/" + s.name;
        std::vector<hsize_t> dims{days};
        std::string axes_attr = "day";
        for (const Axis& a : s.axes) {
            dims.push_back(a.labels.size());
            axes_attr += "," + a.name;
            if (written_axes.insert(a.name).second)
                write_string_dataset(w, axes_group.get(), "/axes/" + a.name, a.name.c_str(), a.labels, false);
        }
        Handle ds = write_array(w, ts.get(), path, s.name.c_str(), H5T_IEEE_F64LE,
                                H5T_NATIVE_DOUBLE, dims, s.values.data());
        write_string_attr(w, ds.get(), path, "units", s.unit);
        write_string_attr(w, ds.get(), path, "description", s.description);
        write_string_attr(w, ds.get(), path, "axes", axes_attr);
    }
}

void write_summary(const Where& w, hid_t file, const Results& r) {
    Handle g = create_group(w, file, "summary");
    for (const Scalar& s : r.scalars) {
        const std::string path = "/summary/" + s.name;
        Handle space = checked(w, H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace for " + path);
        Handle ds = checked(w, H5Dcreate2(g.get(), s.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            H5Dclose, "cannot create dataset " + path);
        check(w, H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s.value),
              "cannot write dataset " + path);
        write_string_attr(w, ds.get(), path, "units", s.unit);
        write_string_attr(w, ds.get(), path, "description", s.description);
    }
}

void write_file(const Where& w, hid_t file, const Results& r, const Provenance& p) {
    if (r.days < 0) fail(w, "results have a negative number of days (" + std::to_string(r.days) + ")");
    check_storable(w, r, true);
    const std::string type = kFileType;
    write_string_attr(w, file, "/", "file_type", type);
    const int version = results_schema_version;
    write_number_attr(w, file, "/", "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);
    if (!r.start_date.empty()) write_string_attr(w, file, "/", "start_date", r.start_date);
    write_provenance(w, file, p, r.seed, r.replicate);
    write_timeseries(w, file, r);
    write_summary(w, file, r);
    // Sanity warnings of the run (possibly none); older files have no /warnings.
    write_string_dataset(w, file, "/warnings", "warnings", r.warnings, false);
}

// Schema 1 named the unit attribute `unit`; schema 2 follows netCDF's `units`.
const char* units_attribute(int schema_version) { return schema_version == 1 ? "unit" : "units"; }

void read_timeseries(const Where& w, hid_t file, const char* unit_attr, Results& r) {
    Handle ts = open_group(w, file, "/timeseries");
    hsize_t days = 0;
    {
        Handle day = open_dataset(w, ts.get(), "day");
        const auto dims = dataset_dims(w, day.get(), "/timeseries/day");
        if (dims.size() != 1) fail(w, "dataset /timeseries/day is not one-dimensional");
        if (dims[0] > static_cast<hsize_t>(INT_MAX)) fail(w, "dataset /timeseries/day is too long");
        days = dims[0];
        r.days = static_cast<int>(days);
    }

    Handle axes_group;  // opened on first use: a file with no axes needs no /axes
    std::map<std::string, std::vector<std::string>> axis_cache;
    auto axis_labels = [&](const std::string& name) -> const std::vector<std::string>& {
        auto it = axis_cache.find(name);
        if (it != axis_cache.end()) return it->second;
        if (axes_group.get() < 0) axes_group = open_group(w, file, "/axes");
        const std::string path = "/axes/" + name;
        Handle ds = open_dataset(w, axes_group.get(), name);
        if (dataset_dims(w, ds.get(), path).size() != 1) fail(w, "dataset " + path + " is not one-dimensional");
        auto labels = read_strings(w, Source{ds.get(), false, "dataset " + path});
        return axis_cache.emplace(name, std::move(labels)).first->second;
    };

    for (const std::string& name : member_names(w, ts.get(), "/timeseries")) {
        const std::string path = "/timeseries/" + name;
        Handle ds = open_dataset(w, ts.get(), name);
        if (!holds_data(w, ds.get())) continue;  // day, and the coordinates of schema 2
        const auto dims = dataset_dims(w, ds.get(), path);
        if (dims.empty() || dims[0] != days)
            fail(w, "dataset " + path + " does not have one row per day (" + std::to_string(days) + ")");

        Series s;
        s.name = name;
        s.unit = read_string_attr(w, ds.get(), path, unit_attr);
        s.description = read_string_attr(w, ds.get(), path, "description");
        const std::string axes_attr = read_string_attr(w, ds.get(), path, "axes");
        const auto axis_names = split_commas(axes_attr);
        if (axis_names.size() != dims.size() || axis_names[0] != "day")
            fail(w, "attribute 'axes' of " + path + " is \"" + axes_attr + "\", expected \"day\" followed by " +
                        std::to_string(dims.size() - 1) + " axis name(s) to match its shape");
        for (std::size_t i = 1; i < axis_names.size(); ++i) {
            const auto& labels = axis_labels(axis_names[i]);
            if (labels.size() != dims[i])
                fail(w, "dataset " + path + " has " + std::to_string(dims[i]) + " columns along axis " +
                            in_quotes(axis_names[i]) + " but /axes/" + axis_names[i] + " has " +
                            std::to_string(labels.size()) + " labels");
            s.axes.push_back(Axis{axis_names[i], labels});
        }

        hsize_t total = 1;
        for (hsize_t d : dims) total *= d;
        s.values.resize(static_cast<std::size_t>(total));
        if (total > 0) {
            Handle type = checked(w, H5Dget_type(ds.get()), H5Tclose, "cannot get the type of " + path);
            const H5T_class_t cls = H5Tget_class(type.get());
            if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail(w, "dataset " + path + " is not numeric");
            check(w, H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.values.data()),
                  "cannot read dataset " + path);
        }
        r.series.push_back(std::move(s));
    }
}

void read_summary(const Where& w, hid_t file, const char* unit_attr, Results& r) {
    Handle g = open_group(w, file, "/summary");
    for (const std::string& name : member_names(w, g.get(), "/summary")) {
        const std::string path = "/summary/" + name;
        Handle ds = open_dataset(w, g.get(), name);
        Scalar s;
        s.name = name;
        read_number(w, Source{ds.get(), false, "dataset " + path}, H5T_NATIVE_DOUBLE, &s.value);
        s.unit = read_string_attr(w, ds.get(), path, unit_attr);
        s.description = read_string_attr(w, ds.get(), path, "description");
        r.scalars.push_back(std::move(s));
    }
}

}  // namespace

void write_results(const fs::path& path, const Results& results, const Provenance& provenance) {
    QuietHdf5 quiet;
    const Where w{"write", path.string(), true};
    OutputLock lock = OutputLock::acquire(path);
    lock.claim_for_writer();
    PendingFile file(w, path);
    write_file(w, file.get(), results, provenance);
    attach_coordinates(w, file.get());
    file.commit();
}

ResultsFile read_results(const fs::path& path) {
    QuietHdf5 quiet;
    const Where w{"read", path.string()};
    Handle file = open_existing(w, path);

    ResultsFile out;
    const std::string expected_type = std::string("expected \"") + kFileType + "\"";
    const std::string type = read_string_attr(w, file.get(), "/", "file_type",
                                              "not a gatesim results file; " + expected_type);
    if (type != kFileType)
        fail(w, "not a gatesim results file: attribute 'file_type' is \"" + type + "\", " + expected_type);
    const std::string expected_version = "expected " + std::to_string(results_schema_version);
    read_number_attr(w, file.get(), "/", "schema_version", H5T_NATIVE_INT, &out.schema_version,
                     expected_version);
    if (out.schema_version < 1 || out.schema_version > results_schema_version)
        fail(w, "schema_version is " + std::to_string(out.schema_version) + ", but this gatesim reads schema versions 1 to " +
                    std::to_string(results_schema_version) +
                    (out.schema_version > results_schema_version ? " (the file is newer: use a newer gatesim)" : ""));
    if (H5Aexists(file.get(), "start_date") > 0)
        out.results.start_date = read_string_attr(w, file.get(), "/", "start_date");

    StoredProvenance stored = read_provenance(w, file.get(), true);
    out.provenance = std::move(stored.provenance);
    out.results.seed = stored.seed;
    out.results.replicate = *stored.replicate;
    const char* unit_attr = units_attribute(out.schema_version);
    read_timeseries(w, file.get(), unit_attr, out.results);
    read_summary(w, file.get(), unit_attr, out.results);
    const htri_t has_warnings = H5Lexists(file.get(), "warnings", H5P_DEFAULT);
    if (has_warnings > 0) {
        Handle ds = open_dataset(w, file.get(), "warnings");
        out.results.warnings = read_strings(w, Source{ds.get(), false, "dataset /warnings"});
    }
    return out;
}

}  // namespace gatesim

// HDF5 results files: atomic writer and validating reader (layout: docs/results-format.md).
#include "io/results_h5.hpp"

#include <climits>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "io/h5_support.hpp"

namespace gatesim {
namespace {

namespace fs = std::filesystem;
using namespace h5;

constexpr const char* kFileType = "gatesim-results";

void write_provenance(const Where& w, hid_t file, const Results& r, const Provenance& p) {
    Handle g = create_group(w, file, "provenance");
    const std::string path = "/provenance";
    write_string_attr(w, g.get(), path, "gatesim_version", p.gatesim_version);
    write_string_attr(w, g.get(), path, "git_commit", p.git_commit);
    write_string_attr(w, g.get(), path, "scenario_file", p.scenario_file);
    write_string_attr(w, g.get(), path, "command_line", p.command_line);
    write_string_attr(w, g.get(), path, "start_time", p.start_time);
    const int threads = p.threads;
    write_number_attr(w, g.get(), path, "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &threads);
    const std::uint64_t seed = r.seed;
    const std::uint64_t replicate = r.replicate;
    write_number_attr(w, g.get(), path, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    write_number_attr(w, g.get(), path, "replicate", H5T_STD_U64LE, H5T_NATIVE_UINT64, &replicate);
    write_string_dataset(w, g.get(), "/provenance/scenario", "scenario", {p.scenario_yaml}, true);
}

void write_timeseries(const Where& w, hid_t file, const Results& r) {
    Handle ts = create_group(w, file, "timeseries");
    Handle axes_group = create_group(w, file, "axes");
    const auto days = static_cast<hsize_t>(r.days);

    std::vector<std::int32_t> day_values(r.days);
    for (int d = 0; d < r.days; ++d) day_values[d] = d;
    Handle day = write_array(w, ts.get(), "/timeseries/day", "day", H5T_STD_I32LE, H5T_NATIVE_INT32,
                             {days}, day_values.data());
    write_string_attr(w, day.get(), "/timeseries/day", "unit", "day");

    std::set<std::string> names;
    // axis name -> (labels, first series using it)
    std::map<std::string, std::pair<const std::vector<std::string>*, std::string>> written_axes;
    for (const Series& s : r.series) {
        const std::string path = "/timeseries/" + s.name;
        check_name(w, s.name, "series");
        if (s.name == "day") fail(w, "series name 'day' is reserved for the day index");
        if (!names.insert(s.name).second) fail(w, "two series are named " + in_quotes(s.name));

        std::vector<hsize_t> dims{days};
        std::string axes_attr = "day";
        for (const Axis& a : s.axes) {
            check_name(w, a.name, "axis");
            // The axes attribute is comma-separated, so a comma in a name could not be read back.
            if (a.name.find(',') != std::string::npos)
                fail(w, "axis name " + in_quotes(a.name) + " of series " + in_quotes(s.name) +
                            " contains a comma");
            dims.push_back(a.labels.size());
            axes_attr += "," + a.name;
        }
        const std::size_t expected = s.width() * static_cast<std::size_t>(r.days);
        if (s.values.size() != expected)
            fail(w, "series " + in_quotes(s.name) + " has " + std::to_string(s.values.size()) +
                        " values, expected " + std::to_string(expected) + " (" +
                        std::to_string(r.days) + " days x width " + std::to_string(s.width()) + ")");

        // Labels are stored once per axis name, so every use of a name must agree on them.
        for (const Axis& a : s.axes) {
            auto [it, first_use] = written_axes.try_emplace(a.name, &a.labels, s.name);
            if (first_use) {
                write_string_dataset(w, axes_group.get(), "/axes/" + a.name, a.name.c_str(),
                                     a.labels, false);
            } else if (*it->second.first != a.labels) {
                fail(w, "axis " + in_quotes(a.name) + " has different labels in series " +
                            in_quotes(it->second.second) + " and series " + in_quotes(s.name));
            }
        }

        Handle ds = write_array(w, ts.get(), path, s.name.c_str(), H5T_IEEE_F64LE,
                                H5T_NATIVE_DOUBLE, dims, s.values.data());
        write_string_attr(w, ds.get(), path, "unit", s.unit);
        write_string_attr(w, ds.get(), path, "description", s.description);
        write_string_attr(w, ds.get(), path, "axes", axes_attr);
    }
}

void write_summary(const Where& w, hid_t file, const Results& r) {
    Handle g = create_group(w, file, "summary");
    std::set<std::string> names;
    for (const Scalar& s : r.scalars) {
        const std::string path = "/summary/" + s.name;
        check_name(w, s.name, "scalar");
        if (!names.insert(s.name).second) fail(w, "two summary scalars are named " + in_quotes(s.name));
        Handle space = checked(w, H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace for " + path);
        Handle ds = checked(w, H5Dcreate2(g.get(), s.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                            H5Dclose, "cannot create dataset " + path);
        check(w, H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s.value),
              "cannot write dataset " + path);
        write_string_attr(w, ds.get(), path, "unit", s.unit);
        write_string_attr(w, ds.get(), path, "description", s.description);
    }
}

void write_file(const Where& w, const fs::path& tmp, const Results& r, const Provenance& p) {
    if (r.days < 0) fail(w, "results have a negative number of days (" + std::to_string(r.days) + ")");
    // EXCL: never clobber a file we did not create, even a stale temporary.
    Handle file = checked(w, H5Fcreate(tmp.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                          "cannot create temporary file " + in_quotes(tmp.string()));
    const std::string type = kFileType;
    write_string_attr(w, file.get(), "/", "file_type", type);
    const int version = results_schema_version;
    write_number_attr(w, file.get(), "/", "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);
    write_provenance(w, file.get(), r, p);
    write_timeseries(w, file.get(), r);
    write_summary(w, file.get(), r);
    // Every object handle above is already closed, so this close really flushes the file.
    check(w, file.close(), "cannot close temporary file " + in_quotes(tmp.string()));
    sync_file(w, tmp);
}

void read_provenance(const Where& w, hid_t file, ResultsFile& out) {
    Handle g = open_group(w, file, "/provenance");
    const std::string path = "/provenance";
    Provenance& p = out.provenance;
    p.gatesim_version = read_string_attr(w, g.get(), path, "gatesim_version");
    p.git_commit = read_string_attr(w, g.get(), path, "git_commit");
    p.scenario_file = read_string_attr(w, g.get(), path, "scenario_file");
    p.command_line = read_string_attr(w, g.get(), path, "command_line");
    p.start_time = read_string_attr(w, g.get(), path, "start_time");
    read_number_attr(w, g.get(), path, "threads", H5T_NATIVE_INT, &p.threads);
    std::uint64_t seed = 0;
    std::uint64_t replicate = 0;
    read_number_attr(w, g.get(), path, "seed", H5T_NATIVE_UINT64, &seed);
    read_number_attr(w, g.get(), path, "replicate", H5T_NATIVE_UINT64, &replicate);
    out.results.seed = seed;
    out.results.replicate = replicate;

    Handle ds = open_dataset(w, g.get(), "scenario");
    auto text = read_strings(w, Source{ds.get(), false, "dataset /provenance/scenario"});
    if (text.size() != 1) fail(w, "dataset /provenance/scenario does not hold exactly one string");
    p.scenario_yaml = std::move(text.front());
}

void read_timeseries(const Where& w, hid_t file, Results& r) {
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
        if (name == "day") continue;
        const std::string path = "/timeseries/" + name;
        Handle ds = open_dataset(w, ts.get(), name);
        const auto dims = dataset_dims(w, ds.get(), path);
        if (dims.empty() || dims[0] != days)
            fail(w, "dataset " + path + " does not have one row per day (" + std::to_string(days) + ")");

        Series s;
        s.name = name;
        s.unit = read_string_attr(w, ds.get(), path, "unit");
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

void read_summary(const Where& w, hid_t file, Results& r) {
    Handle g = open_group(w, file, "/summary");
    for (const std::string& name : member_names(w, g.get(), "/summary")) {
        const std::string path = "/summary/" + name;
        Handle ds = open_dataset(w, g.get(), name);
        Scalar s;
        s.name = name;
        read_number(w, Source{ds.get(), false, "dataset " + path}, H5T_NATIVE_DOUBLE, &s.value);
        s.unit = read_string_attr(w, ds.get(), path, "unit");
        s.description = read_string_attr(w, ds.get(), path, "description");
        r.scalars.push_back(std::move(s));
    }
}

}  // namespace

void write_results(const fs::path& path, const Results& results, const Provenance& provenance) {
    QuietHdf5 quiet;
    const Where w{"write", path.string()};
    check_output_path(w, path);
    const fs::path tmp = temporary_path(path);
    auto discard_tmp = [&tmp] {
        std::error_code ignored;
        fs::remove(tmp, ignored);
    };
    try {
        write_file(w, tmp, results, provenance);
        fs::rename(tmp, path);
    } catch (const fs::filesystem_error& e) {
        discard_tmp();
        fail(w, std::string("cannot move the finished file into place: ") + e.code().message());
    } catch (...) {
        discard_tmp();
        throw;
    }
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
    if (out.schema_version != results_schema_version)
        fail(w, "schema_version is " + std::to_string(out.schema_version) + ", but this gatesim reads schema_version " +
                    std::to_string(results_schema_version));

    read_provenance(w, file.get(), out);
    read_timeseries(w, file.get(), out.results);
    read_summary(w, file.get(), out.results);
    return out;
}

}  // namespace gatesim

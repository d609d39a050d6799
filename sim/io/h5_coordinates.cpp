// Dimension scales and dates for netCDF readers (h5_coordinates.hpp).
#include "io/h5_coordinates.hpp"

#include <hdf5_hl.h>

#include <numeric>
#include <optional>

namespace gatesim::h5 {
namespace {

std::string child(const std::string& group, const std::string& name) {
    return group == "/" ? "/" + name : group + "/" + name;
}

bool exists(const Where& w, hid_t file, const std::string& path) {
    const htri_t e = H5Lexists(file, path.c_str(), H5P_DEFAULT);
    if (e < 0) fail_h5(w, "cannot look up " + path);
    return e > 0;
}

bool has_attr(const Where& w, hid_t obj, const char* name) {
    const htri_t e = H5Aexists(obj, name);
    if (e < 0) fail_h5(w, std::string("cannot look up attribute ") + name);
    return e > 0;
}

// What an index dimension counts, for its coordinate's description.
std::string index_description(const std::string& dim) {
    if (dim == "day") return "Day of the run, from 0 (the scenario's day index)";
    if (dim == "replicate") return "Replicate index: the run's seed and replicate index";
    if (dim == "point") return "Point of the design (values in points/values)";
    return "Position along " + dim;
}

class Coordinates {
public:
    Coordinates(const Where& w, hid_t file) : w_(w), file_(file) {}

    void group(const std::string& path, std::string start_date) {
        Handle g = open_group(w_, file_, path);
        if (has_attr(w_, g.get(), "start_date")) start_date = read_string_attr(w_, g.get(), path, "start_date");
        for (const std::string& name : member_names(w_, g.get(), path)) {
            const std::string p = child(path, name);
            Handle obj = checked(w_, H5Oopen(file_, p.c_str(), H5P_DEFAULT), H5Oclose, "cannot open " + p);
            const H5I_type_t type = H5Iget_type(obj.get());
            if (type == H5I_GROUP) group(p, start_date);
            else if (type == H5I_DATASET) dataset(obj.get(), path, name, start_date);
        }
    }

private:
    void dataset(hid_t ds, const std::string& group, const std::string& name, const std::string& start_date) {
        const std::string path = child(group, name);
        const auto dims = dataset_dims(w_, ds, path);
        if (!holds_data(w_, ds)) {
            // A list of labels (axes/model, uncertain/key_path): its own coordinate.
            if (dims.size() == 1 && name != "date") make_scale(ds, name, path);
            return;
        }
        const auto axes = split_commas(read_string_attr(w_, ds, path, "axes"));
        if (axes.size() != dims.size()) fail(w_, "attribute 'axes' of " + path + " does not match its shape");
        if (dims.size() == 1 && axes[0] == name) return make_scale(ds, name, path);  // bands/quantile
        bool by_day = false;
        for (std::size_t i = 0; i < axes.size(); ++i) {
            Handle scale = coordinate(group, axes[i], dims[i]);
            const htri_t attached = H5DSis_attached(ds, scale.get(), static_cast<unsigned>(i));
            if (attached < 0) fail_h5(w_, "cannot inspect the dimensions of " + path);
            if (attached == 0)
                check(w_, H5DSattach_scale(ds, scale.get(), static_cast<unsigned>(i)),
                      "cannot attach coordinate " + axes[i] + " to " + path);
            by_day = by_day || axes[i] == "day";
        }
        if (by_day && !start_date.empty()) {
            date(group, start_date);
            if (!has_attr(w_, ds, "coordinates")) write_string_attr(w_, ds, path, "coordinates", "date");
        }
    }

    void make_scale(hid_t ds, const std::string& name, const std::string& path) {
        const htri_t scale = H5DSis_scale(ds);
        if (scale < 0) fail_h5(w_, "cannot inspect " + path);
        if (scale == 0) check(w_, H5DSset_scale(ds, name.c_str()), "cannot make " + path + " a coordinate");
    }

    // The coordinate `dim` of a group, of length n: opened, or made from the nearest labels.
    Handle coordinate(const std::string& group, const std::string& dim, hsize_t n) {
        const std::string path = child(group, dim);
        if (!exists(w_, file_, path)) create(group, dim, n);
        Handle ds = open_dataset(w_, file_, path);
        const auto dims = dataset_dims(w_, ds.get(), path);
        if (dims.size() != 1 || dims[0] != n)
            fail(w_, "dimension " + dim + " of the datasets in " + group + " does not match " + path);
        make_scale(ds.get(), dim, path);
        return ds;
    }

    std::optional<std::vector<std::string>> labels_above(const std::string& group, const std::string& dim, hsize_t n) {
        for (std::string at = group;; at = parent_of(at)) {
            const std::string path = child(at, "axes/" + dim);
            if (exists(w_, file_, child(at, "axes")) && exists(w_, file_, path)) {
                Handle ds = open_dataset(w_, file_, path);
                auto labels = read_strings(w_, Source{ds.get(), false, "dataset " + path});
                if (labels.size() == n) return labels;
            }
            if (at == "/") return std::nullopt;
        }
    }

    void create(const std::string& group, const std::string& dim, hsize_t n) {
        Handle g = open_group(w_, file_, group);
        const std::string path = child(group, dim);
        if (auto labels = labels_above(group, dim, n)) {
            write_string_dataset(w_, g.get(), path, dim.c_str(), *labels, false);
            Handle ds = open_dataset(w_, file_, path);
            write_string_attr(w_, ds.get(), path, "description", "Labels of the " + dim + " axis");
            return;
        }
        Handle ds = write_array(w_, g.get(), path, dim.c_str(), H5T_STD_I32LE, H5T_NATIVE_INT32, {n},
                                index_values(n).data());
        write_string_attr(w_, ds.get(), path, "description", index_description(dim));
        if (dim == "day") write_string_attr(w_, ds.get(), path, "units", "day");
    }

    static std::vector<std::int32_t> index_values(hsize_t n) {
        std::vector<std::int32_t> index(n);
        std::iota(index.begin(), index.end(), 0);
        return index;
    }

    // Calendar dates of a group's days, as CF time ("days since <start>"), attached to its day
    // axis (which holds the day indices, so the dates are the same numbers in other units).
    void date(const std::string& group, const std::string& start_date) {
        const std::string path = child(group, "date");
        if (exists(w_, file_, path)) return;
        Handle day = open_dataset(w_, file_, child(group, "day"));
        const auto n = dataset_dims(w_, day.get(), child(group, "day")).at(0);
        Handle g = open_group(w_, file_, group);
        Handle ds = write_array(w_, g.get(), path, "date", H5T_STD_I32LE, H5T_NATIVE_INT32, {n}, index_values(n).data());
        write_string_attr(w_, ds.get(), path, "units", "days since " + start_date);
        write_string_attr(w_, ds.get(), path, "calendar", "proleptic_gregorian");
        write_string_attr(w_, ds.get(), path, "description", "Calendar date of each day (day 0 = " + start_date + ")");
        check(w_, H5DSattach_scale(ds.get(), day.get(), 0), "cannot attach the day axis to " + path);
    }

    const Where& w_;
    hid_t file_;
};

}  // namespace

bool holds_data(const Where& w, hid_t dataset) { return has_attr(w, dataset, "axes"); }

void attach_coordinates(const Where& w, hid_t file) { Coordinates(w, file).group("/", ""); }

}  // namespace gatesim::h5

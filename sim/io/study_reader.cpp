// Study files -> StudyData: a generic walk over the file (study_reader.hpp).
#include "io/study_reader.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <optional>
#include <set>

#include "io/h5_support.hpp"
#include "io/provenance_h5.hpp"
#include "io/study_h5.hpp"

namespace gatesim {
namespace {

using namespace h5;

// Attributes that belong to HDF5 dimension scales and netCDF conventions, not to the study.
const std::set<std::string> format_attributes{"CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "coordinates",
                                               "_Netcdf4Dimid", "_Netcdf4Coordinates"};
// Attributes of a table that StudyTable holds itself.
const std::set<std::string> table_attributes{"unit", "units", "description", "axes"};

std::string join(const std::string& parent, const std::string& name) { return parent.empty() ? name : parent + "/" + name; }
std::string leaf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

bool has_attr(const Where& w, hid_t obj, const char* name) {
    const htri_t e = H5Aexists(obj, name);
    if (e < 0) fail_h5(w, std::string("cannot look up attribute ") + name);
    return e > 0;
}

// One attribute as a value, or nothing when it is not a single string or number.
std::optional<StudyAttributeValue> attribute_value(const Where& w, hid_t attr, const std::string& what) {
    const Source s{attr, true, what};
    Handle type = source_type(w, s);
    Handle space = source_space(w, s);
    if (point_count(w, s, space.get()) != 1) return std::nullopt;
    switch (H5Tget_class(type.get())) {
    case H5T_STRING: return read_strings(w, s).front();
    case H5T_FLOAT: {
        double v = 0;
        read_number(w, s, H5T_NATIVE_DOUBLE, &v);
        return v;
    }
    case H5T_INTEGER:
        if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
            std::uint64_t v = 0;
            read_number(w, s, H5T_NATIVE_UINT64, &v);
            return v;
        } else {
            std::int64_t v = 0;
            read_number(w, s, H5T_NATIVE_INT64, &v);
            return v;
        }
    default: return std::nullopt;
    }
}

class Walker {
public:
    Walker(const Where& w, StudyData& out) : w_(w), out_(out) {}

    // Attributes of one object, except those in `skip` and the format's own.
    void attributes(hid_t obj, const std::string& path, const std::set<std::string>& skip) {
        std::vector<std::string> names;
        auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
            static_cast<std::vector<std::string>*>(out)->emplace_back(name);
            return 0;
        };
        hsize_t index = 0;
        check(w_, H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names),
              "cannot list the attributes of " + display(path));
        for (const std::string& name : names) {
            if (skip.count(name) || format_attributes.count(name)) continue;
            Handle attr = checked(w_, H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose,
                                  "cannot open attribute '" + name + "' of " + display(path));
            if (auto v = attribute_value(w_, attr.get(), "attribute '" + name + "' of " + display(path)))
                out_.attributes.push_back({path, name, *v});
        }
    }

    void group(hid_t g, const std::string& path) {
        for (const std::string& name : member_names(w_, g, display(path))) {
            const std::string child = join(path, name);
            if (child == "provenance") continue;  // read by read_provenance
            Handle obj = checked(w_, H5Oopen(g, name.c_str(), H5P_DEFAULT), H5Oclose, "cannot open " + display(child));
            const H5I_type_t type = H5Iget_type(obj.get());
            if (type == H5I_GROUP) {
                attributes(obj.get(), child, {});
                group(obj.get(), child);
            } else if (type == H5I_DATASET) {
                dataset(obj.get(), child, leaf(path));
            }
        }
    }

private:
    static std::string display(const std::string& path) { return "/" + path; }

    void dataset(hid_t ds, const std::string& path, const std::string& parent_name) {
        Handle type = checked(w_, H5Dget_type(ds), H5Tclose, "cannot get the type of " + display(path));
        const bool axes = has_attr(w_, ds, "axes");
        if (H5Tget_class(type.get()) == H5T_STRING) return strings(ds, path, parent_name, axes);
        // Data carry their dimension names; numeric datasets without them are coordinates.
        if (!axes) return;
        const auto dims = dataset_dims(w_, ds, display(path));
        StudyTable t;
        t.path = path;
        t.dims.assign(dims.begin(), dims.end());
        std::size_t n = 1;
        for (auto d : dims) n *= d;
        t.values.resize(n);
        if (n > 0)
            check(w_, H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.values.data()),
                  "cannot read " + display(path));
        t.axes = split_commas(read_string_attr(w_, ds, display(path), "axes"));
        if (t.axes.size() != t.dims.size())
            fail(w_, "attribute 'axes' of " + display(path) + " names " + std::to_string(t.axes.size()) +
                         " dimensions, the dataset has " + std::to_string(t.dims.size()));
        const char* unit = has_attr(w_, ds, "units") ? "units" : "unit";  // schema 1 wrote "unit"
        if (has_attr(w_, ds, unit)) t.unit = read_string_attr(w_, ds, display(path), unit);
        if (has_attr(w_, ds, "description")) t.description = read_string_attr(w_, ds, display(path), "description");
        out_.tables.push_back(std::move(t));
        attributes(ds, path, table_attributes);
    }

    void strings(hid_t ds, const std::string& path, const std::string& parent_name, bool axes) {
        const auto dims = dataset_dims(w_, ds, display(path));
        auto values = read_strings(w_, Source{ds, false, "dataset " + display(path)});
        if (dims.empty()) {
            if (values.size() != 1) fail(w_, "dataset " + display(path) + " does not hold one text");
            out_.texts.push_back({path, std::move(values.front())});
            return;
        }
        // Copies of labels that serve as coordinates beside the data (netCDF readers need them
        // in the group) are not separate labels; the originals are under axes/ and uncertain/.
        const htri_t scale = H5DSis_scale(ds);
        if (scale < 0) fail_h5(w_, "cannot inspect " + display(path));
        if (scale > 0 && !axes && parent_name != "axes" && parent_name != "uncertain") return;
        out_.labels.push_back({path, std::move(values)});
    }

    const Where& w_;
    StudyData& out_;
};

std::optional<StudyKind> kind_of(const std::string& file_type) {
    for (StudyKind k : {StudyKind::ensemble, StudyKind::comparison, StudyKind::sweep, StudyKind::sensitivity})
        if (file_type_of(k) == file_type) return k;
    return std::nullopt;
}

}  // namespace

std::string gatesim_file_type(const std::filesystem::path& path) {
    QuietHdf5 quiet;
    const Where w{"read", path.string()};
    Handle file = open_existing(w, path);
    const std::string type = read_string_attr(w, file.get(), "/", "file_type", "not a gatesim file");
    if (type.rfind("gatesim-", 0) != 0) fail(w, "not a gatesim file: attribute 'file_type' is \"" + type + "\"");
    return type;
}

StudyFileContents read_study(const std::filesystem::path& path) {
    QuietHdf5 quiet;
    const Where w{"read", path.string()};
    Handle file = open_existing(w, path);
    const hid_t f = file.get();
    const std::string type = read_string_attr(w, f, "/", "file_type", "not a gatesim study file");
    const auto kind = kind_of(type);
    if (!kind)
        fail(w, "not a gatesim study file: file_type is \"" + type + "\"" +
                    (type == "gatesim-results" ? " (a single run: read it with read_results)" : ""));
    StudyFileContents out;
    read_number_attr(w, f, "/", "schema_version", H5T_NATIVE_INT, &out.schema_version);
    if (out.schema_version < 1 || out.schema_version > study_schema_version)
        fail(w, "schema_version is " + std::to_string(out.schema_version) + "; this gatesim reads study files of " +
                    "schema versions 1 to " + std::to_string(study_schema_version) +
                    (out.schema_version > study_schema_version ? " (the file is newer: use a newer gatesim)" : ""));
    out.data.kind = *kind;
    std::uint8_t complete = 0;
    read_number_attr(w, f, "/", "complete", H5T_NATIVE_UINT8, &complete);
    out.data.complete = complete != 0;
    StoredProvenance stored = read_provenance(w, f, false);
    out.provenance = std::move(stored.provenance);
    out.seed = stored.seed;
    Walker walker(w, out.data);
    Handle root = open_group(w, f, "/");
    walker.attributes(root.get(), "", {"file_type", "schema_version", "complete"});
    walker.group(root.get(), "");
    return out;
}

}  // namespace gatesim

// StudyData -> study file (study_writer.hpp).
#include "io/study_writer.hpp"

#include "io/h5_coordinates.hpp"
#include "io/h5_support.hpp"
#include "io/provenance_h5.hpp"
#include "io/study_h5.hpp"

namespace gatesim {
namespace {

using namespace h5;

std::string absolute(const std::string& path) { return "/" + path; }

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

Handle open_parent(const Where& w, hid_t file, const std::string& path) {
    ensure_groups(w, file, parent_of(path));
    return open_group(w, file, parent_of(path));
}

void write_table(const Where& w, hid_t file, const StudyTable& t) {
    const std::string path = absolute(t.path);
    std::size_t n = 1;
    for (std::size_t d : t.dims) n *= d;
    if (t.values.size() != n || t.axes.size() != t.dims.size())
        fail(w, "table " + path + " does not fit its dimensions");
    Handle parent = open_parent(w, file, path);
    Handle ds = write_array(w, parent.get(), path, leaf_of(path).c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                            std::vector<hsize_t>(t.dims.begin(), t.dims.end()), t.values.data());
    write_string_attr(w, ds.get(), path, "units", t.unit);
    write_string_attr(w, ds.get(), path, "description", t.description);
    write_string_attr(w, ds.get(), path, "axes", joined(t.axes));
}

void write_attribute(const Where& w, hid_t file, const StudyAttribute& a) {
    const std::string path = absolute(a.object);
    if (!link_exists(w, file, path)) ensure_groups(w, file, path);
    Handle obj = checked(w, H5Oopen(file, path.c_str(), H5P_DEFAULT), H5Oclose, "cannot open " + path);
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string>) write_string_attr(w, obj.get(), path, a.name.c_str(), v);
            else if constexpr (std::is_same_v<V, double>)
                write_number_attr(w, obj.get(), path, a.name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
            else if constexpr (std::is_same_v<V, std::int64_t>)
                write_number_attr(w, obj.get(), path, a.name.c_str(), H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
            else write_number_attr(w, obj.get(), path, a.name.c_str(), H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
        },
        a.value);
}

}  // namespace

void write_study(const std::filesystem::path& path, const StudyData& data, const Provenance& provenance,
                 std::uint64_t seed) {
    QuietHdf5 quiet;
    const Where w{"write", path.string(), true};
    PendingFile file(w, path);
    const hid_t f = file.get();
    write_string_attr(w, f, "/", "file_type", file_type_of(data.kind));
    const int version = study_schema_version;
    write_number_attr(w, f, "/", "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &version);
    const std::uint8_t complete = data.complete ? 1 : 0;
    write_number_attr(w, f, "/", "complete", H5T_STD_U8LE, H5T_NATIVE_UINT8, &complete);
    write_provenance(w, f, provenance, seed, std::nullopt);
    for (const StudyTable& t : data.tables) write_table(w, f, t);
    for (const StudyLabels& l : data.labels) {
        Handle parent = open_parent(w, f, absolute(l.path));
        write_string_dataset(w, parent.get(), absolute(l.path), leaf_of(l.path).c_str(), l.labels, false);
    }
    for (const StudyText& t : data.texts) {
        Handle parent = open_parent(w, f, absolute(t.path));
        write_string_dataset(w, parent.get(), absolute(t.path), leaf_of(t.path).c_str(), {t.text}, true);
    }
    for (const StudyAttribute& a : data.attributes) write_attribute(w, f, a);
    attach_coordinates(w, f);
    file.commit();
}

}  // namespace gatesim

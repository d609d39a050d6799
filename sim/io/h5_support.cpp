// HDF5 helpers shared by the sim/io file writers and readers (see h5_support.hpp).
#include "io/h5_support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <system_error>

#include "io/crash_points.hpp"
#include "io/output_path.hpp"

namespace gatesim::h5 {

namespace fs = std::filesystem;

namespace {

// Frees the strings HDF5 allocated for a variable-length read, even if copying them throws.
class VlenBuffer {
public:
    VlenBuffer(hid_t type, hid_t space, std::size_t n) : type_(type), space_(space), ptrs_(n, nullptr) {}
    VlenBuffer(const VlenBuffer&) = delete;
    VlenBuffer& operator=(const VlenBuffer&) = delete;
    ~VlenBuffer() {
        if (!filled_) return;
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(type_, space_, H5P_DEFAULT, ptrs_.data());
#else
        H5Dvlen_reclaim(type_, space_, H5P_DEFAULT, ptrs_.data());
#endif
    }
    char** data() { return ptrs_.data(); }
    void mark_filled() { filled_ = true; }
    const std::vector<char*>& ptrs() const { return ptrs_; }

private:
    hid_t type_;
    hid_t space_;
    std::vector<char*> ptrs_;
    bool filled_ = false;
};

// Flushes a closed file to disk.
void sync_file(const Where& w, const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const std::error_code ec(errno, std::generic_category());
        if (fd >= 0) ::close(fd);
        fail(w, "cannot sync temporary file " + in_quotes(file.string()) + ": " + ec.message());
    }
    ::close(fd);
}

}  // namespace

// The innermost message on the HDF5 error stack: the most specific cause
// (e.g. "file signature not found"), which the outer API-level messages only paraphrase.
std::string hdf5_reason() {
    std::string reason;
    auto keep_last = [](unsigned, const H5E_error2_t* err, void* out) -> herr_t {
        if (err->desc != nullptr && *err->desc != '\0') *static_cast<std::string*>(out) = err->desc;
        return 0;
    };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_last, &reason);
    H5Eclear2(H5E_DEFAULT);
    return reason;
}

[[noreturn]] void fail(const Where& w, const std::string& msg) {
    const std::string text = "cannot " + w.verb + " results file '" + w.file + "': " + msg;
    if (w.writing) throw ResultsWriteError(text);
    throw ResultsFileError(text);
}

[[noreturn]] void fail_h5(const Where& w, const std::string& msg) {
    const std::string reason = hdf5_reason();
    fail(w, reason.empty() ? msg : msg + " (HDF5: " + reason + ")");
}

Handle checked(const Where& w, hid_t id, Handle::Closer closer, const std::string& what) {
    if (id < 0) fail_h5(w, what);
    return Handle(id, closer);
}

void check(const Where& w, herr_t rc, const std::string& what) {
    if (rc < 0) fail_h5(w, what);
}

std::string in_quotes(std::string_view s) {
    std::string quoted("'");  // appended: GCC 12 warns falsely about "'" + std::string(...)
    quoted.append(s).append("'");
    return quoted;
}

// ---------------------------------------------------------------------------------------------
// Writing

// Variable-length strings: no length limit (the scenario text can be long), empty strings are
// allowed, and h5py reads them as str (attributes) or bytes (datasets).
Handle vlen_utf8_type(const Where& w) {
    Handle t = checked(w, H5Tcopy(H5T_C_S1), H5Tclose, "cannot create string type");
    check(w, H5Tset_size(t.get(), H5T_VARIABLE), "cannot create string type");
    check(w, H5Tset_cset(t.get(), H5T_CSET_UTF8), "cannot create string type");
    return t;
}

// Variable-length HDF5 strings end at the first NUL, so one inside would silently truncate.
void require_no_nul(const Where& w, const std::string& s, const std::string& what) {
    if (s.find('\0') != std::string::npos) fail(w, what + " contains a NUL character");
}

void write_string_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                       const std::string& value) {
    const std::string what = "attribute " + in_quotes(name) + " of " + obj_path;
    require_no_nul(w, value, what);
    Handle type = vlen_utf8_type(w);
    Handle space = checked(w, H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace for " + what);
    Handle attr = checked(w, H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          H5Aclose, "cannot create " + what);
    const char* p = value.c_str();
    check(w, H5Awrite(attr.get(), type.get(), &p), "cannot write " + what);
}

void write_number_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                       hid_t file_type, hid_t mem_type, const void* value) {
    const std::string what = "attribute " + in_quotes(name) + " of " + obj_path;
    Handle space = checked(w, H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace for " + what);
    Handle attr = checked(w, H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                          H5Aclose, "cannot create " + what);
    check(w, H5Awrite(attr.get(), mem_type, value), "cannot write " + what);
}

// A scalar string dataset (scalar == true, exactly one value) or a 1-D array of strings.
void write_string_dataset(const Where& w, hid_t loc, const std::string& path, const char* name,
                          const std::vector<std::string>& values, bool scalar) {
    std::vector<const char*> ptrs;
    ptrs.reserve(values.size());
    for (const auto& v : values) {
        require_no_nul(w, v, "a string in " + path);
        ptrs.push_back(v.c_str());
    }
    Handle type = vlen_utf8_type(w);
    const hsize_t n = values.size();
    Handle space = checked(w, scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr),
                           H5Sclose, "cannot create dataspace for " + path);
    Handle ds = checked(w, H5Dcreate2(loc, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                      H5P_DEFAULT),
                        H5Dclose, "cannot create dataset " + path);
    // Writing zero elements needs no buffer, and some HDF5 versions reject a null one.
    if (!ptrs.empty())
        check(w, H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
              "cannot write dataset " + path);
}

// A numeric array whose first dimension is the day. Large ones are chunked along days (whole
// rows per chunk, so reading a day range touches few chunks) and gzip-compressed.
Handle write_array(const Where& w, hid_t loc, const std::string& path, const char* name,
                   hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                   const void* data) {
    hsize_t total = 1;
    for (hsize_t d : dims) total *= d;
    Handle space = checked(w, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                           H5Sclose, "cannot create dataspace for " + path);
    Handle dcpl = checked(w, H5Pcreate(H5P_DATASET_CREATE), H5Pclose,
                          "cannot create property list for " + path);
    if (total > kCompressAbove) {  // implies every dimension is non-zero
        std::vector<hsize_t> chunk = dims;
        const hsize_t row = total / dims[0];
        chunk[0] = std::clamp<hsize_t>(kChunkValues / row, 1, dims[0]);
        check(w, H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
              "cannot set chunking for " + path);
        check(w, H5Pset_deflate(dcpl.get(), kGzipLevel), "cannot enable gzip compression for " + path);
    }
    Handle ds = checked(w, H5Dcreate2(loc, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(),
                                      H5P_DEFAULT),
                        H5Dclose, "cannot create dataset " + path);
    if (total > 0)
        check(w, H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
              "cannot write dataset " + path);
    return ds;
}

// Groups that remember link creation order, so the reader returns series and scalars in the
// order the engine produced them rather than alphabetically.
Handle create_group(const Where& w, hid_t loc, const char* name) {
    const std::string path = std::string("/") + name;
    Handle gcpl = checked(w, H5Pcreate(H5P_GROUP_CREATE), H5Pclose,
                          "cannot create property list for " + path);
    check(w, H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          "cannot enable creation order for " + path);
    return checked(w, H5Gcreate2(loc, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
                   "cannot create group " + path);
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string leaf_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

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

// Names become HDF5 link names, so they must be non-empty and free of '/'; "." means "this group".
void check_name(const Where& w, const std::string& name, const std::string& kind) {
    if (name.empty() || name == "." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos)
        fail(w, kind + " name " + in_quotes(name) +
                    " cannot be stored (it must be non-empty, not '.', and contain no '/' or NUL)");
}

void check_storable(const Where& w, const Results& results, bool with_series) {
    // Scalars share their groups with reserved coordinates only; series also with their axes.
    std::set<std::string> coordinates(reserved_names.begin(), reserved_names.end());
    auto not_a_coordinate = [&](const std::string& name, const char* kind) {
        if (coordinates.count(name))
            fail(w, std::string(kind) + " name " + in_quotes(name) + " is the name of a coordinate (an axis, or one of " +
                        "day, date, replicate, point, quantile, ...); rename it");
    };
    std::set<std::string> names;
    for (const Scalar& s : results.scalars) {
        check_name(w, s.name, "scalar");
        not_a_coordinate(s.name, "scalar");
        if (!names.insert(s.name).second) fail(w, "two summary scalars are named " + in_quotes(s.name));
    }
    if (!with_series) return;
    for (const Series& s : results.series)
        for (const Axis& a : s.axes) coordinates.insert(a.name);
    names.clear();
    std::map<std::string, std::pair<const std::vector<std::string>*, std::string>> axes;  // name -> (labels, series)
    for (const Series& s : results.series) {
        check_name(w, s.name, "series");
        not_a_coordinate(s.name, "series");
        if (!names.insert(s.name).second) fail(w, "two series are named " + in_quotes(s.name));
        for (const Axis& a : s.axes) {
            check_name(w, a.name, "axis");
            if (a.name.find(',') != std::string::npos)
                fail(w, "axis name " + in_quotes(a.name) + " of series " + in_quotes(s.name) + " contains a comma");
            auto [it, first_use] = axes.try_emplace(a.name, &a.labels, s.name);
            if (!first_use && *it->second.first != a.labels)
                fail(w, "axis " + in_quotes(a.name) + " has different labels in series " + in_quotes(it->second.second) +
                            " and series " + in_quotes(s.name));
        }
        const std::size_t expected = s.width() * static_cast<std::size_t>(std::max(results.days, 0));
        if (s.values.size() != expected)
            fail(w, "series " + in_quotes(s.name) + " has " + std::to_string(s.values.size()) + " values, expected " +
                        std::to_string(expected) + " (" + std::to_string(results.days) + " days x width " +
                        std::to_string(s.width()) + ")");
    }
}

// ---------------------------------------------------------------------------------------------
// Reading


Handle source_type(const Where& w, const Source& s) {
    return checked(w, s.is_attr ? H5Aget_type(s.id) : H5Dget_type(s.id), H5Tclose,
                   "cannot get the type of " + s.what);
}

Handle source_space(const Where& w, const Source& s) {
    return checked(w, s.is_attr ? H5Aget_space(s.id) : H5Dget_space(s.id), H5Sclose,
                   "cannot get the shape of " + s.what);
}

herr_t source_read(const Source& s, hid_t mem_type, void* buf) {
    return s.is_attr ? H5Aread(s.id, mem_type, buf)
                     : H5Dread(s.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
}

std::size_t point_count(const Where& w, const Source& s, hid_t space) {
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0) fail_h5(w, "cannot get the size of " + s.what);
    return static_cast<std::size_t>(n);
}


// All strings of an attribute or dataset. Accepts fixed-length strings too, so a file whose
// strings were rewritten by another tool (h5py writes fixed-length for numpy bytes) still reads.
std::vector<std::string> read_strings(const Where& w, const Source& s) {
    Handle type = source_type(w, s);
    if (H5Tget_class(type.get()) != H5T_STRING) fail(w, s.what + " is not a string");
    Handle space = source_space(w, s);
    const std::size_t n = point_count(w, s, space.get());
    std::vector<std::string> out;
    if (n == 0) return out;
    out.reserve(n);

    const htri_t variable = H5Tis_variable_str(type.get());
    if (variable < 0) fail_h5(w, "cannot inspect the string type of " + s.what);
    Handle mem = checked(w, H5Tcopy(H5T_C_S1), H5Tclose, "cannot create string type");
    // HDF5 does not convert between character sets, so read in the one the file uses.
    check(w, H5Tset_cset(mem.get(), H5Tget_cset(type.get())), "cannot create string type");
    if (variable > 0) {
        check(w, H5Tset_size(mem.get(), H5T_VARIABLE), "cannot create string type");
        VlenBuffer buf(mem.get(), space.get(), n);
        check(w, source_read(s, mem.get(), buf.data()), "cannot read " + s.what);
        buf.mark_filled();
        for (const char* p : buf.ptrs()) out.emplace_back(p != nullptr ? p : "");
    } else {
        const std::size_t size = H5Tget_size(type.get());
        if (size == 0) fail_h5(w, "cannot get the string size of " + s.what);
        const H5T_str_t pad = H5Tget_strpad(type.get());
        check(w, H5Tset_size(mem.get(), size), "cannot create string type");
        check(w, H5Tset_strpad(mem.get(), pad), "cannot create string type");
        std::vector<char> buf(n * size);
        check(w, source_read(s, mem.get(), buf.data()), "cannot read " + s.what);
        for (std::size_t i = 0; i < n; ++i) {
            std::string_view v(buf.data() + i * size, size);
            if (pad == H5T_STR_SPACEPAD) {
                v = v.substr(0, v.find_last_not_of(' ') + 1);  // npos + 1 == 0 for all spaces
            } else {
                v = v.substr(0, v.find('\0'));
            }
            out.emplace_back(v);
        }
    }
    return out;
}

void require_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                  const std::string& expectation) {
    const htri_t exists = H5Aexists(obj, name);
    if (exists < 0) fail_h5(w, "cannot look up attribute " + in_quotes(name) + " of " + obj_path);
    if (exists == 0)
        fail(w, obj_path + " has no attribute " + in_quotes(name) +
                    (expectation.empty() ? "" : " (" + expectation + ")"));
}

std::string read_string_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                             const std::string& expectation) {
    require_attr(w, obj, obj_path, name, expectation);
    const std::string what = "attribute " + in_quotes(name) + " of " + obj_path;
    Handle attr = checked(w, H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, "cannot open " + what);
    auto values = read_strings(w, Source{attr.get(), true, what});
    if (values.size() != 1)
        fail(w, what + " holds " + std::to_string(values.size()) + " strings, expected one");
    return std::move(values.front());
}

// One numeric value from an attribute or a scalar dataset, converted to mem_type by HDF5.
void read_number(const Where& w, const Source& s, hid_t mem_type, void* out) {
    Handle type = source_type(w, s);
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(w, s.what + " is not a number");
    // An integer target must not silently receive a float.
    if (H5Tget_class(mem_type) == H5T_INTEGER && cls != H5T_INTEGER)
        fail(w, s.what + " is not an integer");
    Handle space = source_space(w, s);
    if (point_count(w, s, space.get()) != 1) fail(w, s.what + " is not a single value");
    check(w, source_read(s, mem_type, out), "cannot read " + s.what);
}

void read_number_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                      hid_t mem_type, void* out, const std::string& expectation) {
    require_attr(w, obj, obj_path, name, expectation);
    const std::string what = "attribute " + in_quotes(name) + " of " + obj_path;
    Handle attr = checked(w, H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, "cannot open " + what);
    read_number(w, Source{attr.get(), true, what}, mem_type, out);
}

Handle open_group(const Where& w, hid_t loc, const std::string& path) {
    const htri_t exists = H5Lexists(loc, path.c_str(), H5P_DEFAULT);
    if (exists < 0) fail_h5(w, "cannot look up group " + path);
    if (exists == 0) fail(w, "group " + path + " is missing");
    return checked(w, H5Gopen2(loc, path.c_str(), H5P_DEFAULT), H5Gclose, "cannot open group " + path);
}

Handle open_dataset(const Where& w, hid_t loc, const std::string& path) {
    const htri_t exists = H5Lexists(loc, path.c_str(), H5P_DEFAULT);
    if (exists < 0) fail_h5(w, "cannot look up dataset " + path);
    if (exists == 0) fail(w, "dataset " + path + " is missing");
    return checked(w, H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose, "cannot open dataset " + path);
}

// Link names of a group in creation order (name order if the group does not track creation).
std::vector<std::string> member_names(const Where& w, hid_t group, const std::string& path) {
    H5G_info_t info;
    check(w, H5Gget_info(group, &info), "cannot list group " + path);
    Handle gcpl = checked(w, H5Gget_create_plist(group), H5Pclose, "cannot inspect group " + path);
    unsigned flags = 0;
    check(w, H5Pget_link_creation_order(gcpl.get(), &flags), "cannot inspect group " + path);
    const H5_index_t index = (flags & H5P_CRT_ORDER_TRACKED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;

    std::vector<std::string> names;
    names.reserve(info.nlinks);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t len = H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (len < 0) fail_h5(w, "cannot list group " + path);
        std::vector<char> buf(static_cast<std::size_t>(len) + 1);
        if (H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, i, buf.data(), buf.size(), H5P_DEFAULT) < 0)
            fail_h5(w, "cannot list group " + path);
        names.emplace_back(buf.data(), static_cast<std::size_t>(len));
    }
    return names;
}

std::vector<hsize_t> dataset_dims(const Where& w, hid_t ds, const std::string& path) {
    Handle space = checked(w, H5Dget_space(ds), H5Sclose, "cannot get the shape of " + path);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) fail_h5(w, "cannot get the shape of " + path);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
        fail_h5(w, "cannot get the shape of " + path);
    return dims;
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = s.find(',', start);
        parts.push_back(s.substr(start, comma - start));
        if (comma == std::string::npos) return parts;
        start = comma + 1;
    }
}

PendingFile::PendingFile(const Where& w, const fs::path& target, std::string_view tag)
    : w_(w), target_(target), tmp_(temporary_path(target, tag)), latch_(std::make_unique<WriteLatch>()) {
    check_output_path(target);
    Handle fapl = checked(w_, latching_access_list(latch_.get()), H5Pclose, "cannot set up the file driver");
    // EXCL: never clobber a file we did not create, even a stale temporary.
    file_ = checked(w_, H5Fcreate(tmp_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), H5Fclose,
                    "cannot create temporary file " + in_quotes(tmp_.string()));
}

void PendingFile::check_written() const {
    if (latch_->error != 0) fail(w_, latch_->reason() + " (nothing was replaced)");
}

void PendingFile::commit() {
    // Every object handle must be closed already, so that this close really flushes the file.
    const herr_t closed = file_.close();
    try {
        check(w_, closed, "cannot close temporary file " + in_quotes(tmp_.string()));
        check_written();
        sync_file(w_, tmp_);
        crash_point("commit-rename");
        fs::rename(tmp_, target_);
    } catch (const fs::filesystem_error& e) {
        discard();
        fail(w_, std::string("cannot move the finished file into place: ") + e.code().message());
    } catch (...) {
        discard();
        throw;
    }
    done_ = true;
    std::error_code ec;
    sync_directory(fs::absolute(target_, ec).parent_path());
}

void PendingFile::discard() {
    if (done_) return;
    done_ = true;
    file_.close();
    std::error_code ignored;
    fs::remove(tmp_, ignored);
}

void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

Handle open_existing(const Where& w, const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) fail(w, "no such file");
    if (!fs::is_regular_file(status)) fail(w, "not a regular file");
#if H5_VERSION_GE(1, 12, 0)
    const htri_t is_hdf5 = H5Fis_accessible(path.c_str(), H5P_DEFAULT);
#else
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
#endif
    if (is_hdf5 < 0) fail_h5(w, "cannot open the file");
    if (is_hdf5 == 0) fail(w, "not an HDF5 file");
    return checked(w, H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open the file");
}

}  // namespace gatesim::h5

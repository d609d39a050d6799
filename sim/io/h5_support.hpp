// HDF5 helpers shared by the results, ensemble, comparison, sweep and sensitivity files:
// owning handles, error translation, attribute/dataset read and write, the checks of what a
// run stores, and atomic file output (PendingFile).
// Internal to sim/io.
#pragma once

#include <hdf5.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/h5_driver.hpp"
#include "io/results_h5.hpp"

namespace gatesim::h5 {

// Small datasets stay contiguous: per-chunk overhead would outweigh any compression gain.
constexpr hsize_t kCompressAbove = 1024;
constexpr hsize_t kChunkValues = 8192;  // ~64 KiB of doubles per chunk
constexpr unsigned kGzipLevel = 4;

// Owns one HDF5 identifier and closes it with the matching H5*close on scope exit, so every
// early return and exception path releases what it opened.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            close();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            closer_ = other.closer_;
        }
        return *this;
    }
    ~Handle() { close(); }

    hid_t get() const { return id_; }
    // Explicit close for callers that must know it succeeded (the file, before the rename).
    herr_t close() {
        herr_t rc = 0;
        if (id_ >= 0) rc = closer_(id_);
        id_ = H5I_INVALID_HID;
        return rc;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

// Silences HDF5's automatic stack printing (failures become exceptions instead) and restores
// whatever handler the host process had installed.
class QuietHdf5 {
public:
    QuietHdf5() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    QuietHdf5(const QuietHdf5&) = delete;
    QuietHdf5& operator=(const QuietHdf5&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// What is being done to which file, for error messages (always the user's path, never the
// temporary one). Failures while writing throw ResultsWriteError, while reading ResultsFileError.
struct Where {
    std::string verb;
    std::string file;
    bool writing = false;
};

// The innermost message on the HDF5 error stack (and clears the stack).
std::string hdf5_reason();
[[noreturn]] void fail(const Where& w, const std::string& msg);
[[noreturn]] void fail_h5(const Where& w, const std::string& msg);
Handle checked(const Where& w, hid_t id, Handle::Closer closer, const std::string& what);
void check(const Where& w, herr_t rc, const std::string& what);
std::string in_quotes(std::string_view s);

// Writing
Handle vlen_utf8_type(const Where& w);
void require_no_nul(const Where& w, const std::string& s, const std::string& what);
void write_string_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                       const std::string& value);
void write_number_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                       hid_t file_type, hid_t mem_type, const void* value);
// A scalar string dataset (scalar == true, exactly one value) or a 1-D array of strings.
void write_string_dataset(const Where& w, hid_t loc, const std::string& path, const char* name,
                          const std::vector<std::string>& values, bool scalar);
// A numeric array; large ones are chunked along the first dimension and gzip-compressed.
Handle write_array(const Where& w, hid_t loc, const std::string& path, const char* name,
                   hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                   const void* data);
// A group that remembers link creation order.
Handle create_group(const Where& w, hid_t loc, const char* name);
// Absolute paths: the group holding `path` ("/" at the top) and its last component.
std::string parent_of(const std::string& path);
std::string leaf_of(const std::string& path);
// Whether an absolute path names an object, checking each prefix (H5Lexists fails when an
// intermediate group is missing).
bool link_exists(const Where& w, hid_t file, const std::string& path);
// Creates every missing group along an absolute path, each remembering creation order.
void ensure_groups(const Where& w, hid_t file, const std::string& path);
// Names become HDF5 link names: non-empty, not '.', no '/' or NUL.
void check_name(const Where& w, const std::string& name, const std::string& kind);

// Reading
// An attribute or a dataset: both hold typed values in a dataspace.
struct Source {
    hid_t id;
    bool is_attr;
    std::string what;  // for messages, e.g. "attribute 'unit' of /timeseries/blocked"
};

Handle source_type(const Where& w, const Source& s);
Handle source_space(const Where& w, const Source& s);
herr_t source_read(const Source& s, hid_t mem_type, void* buf);
std::size_t point_count(const Where& w, const Source& s, hid_t space);
std::vector<std::string> read_strings(const Where& w, const Source& s);
void require_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                  const std::string& expectation = "");
std::string read_string_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                             const std::string& expectation = "");
void read_number(const Where& w, const Source& s, hid_t mem_type, void* out);
void read_number_attr(const Where& w, hid_t obj, const std::string& obj_path, const char* name,
                      hid_t mem_type, void* out, const std::string& expectation = "");
Handle open_group(const Where& w, hid_t loc, const std::string& path);
Handle open_dataset(const Where& w, hid_t loc, const std::string& path);
std::vector<std::string> member_names(const Where& w, hid_t group, const std::string& path);
std::vector<hsize_t> dataset_dims(const Where& w, hid_t ds, const std::string& path);
std::vector<std::string> split_commas(const std::string& s);

// What both writers store of a run, checked before any of it is written: scalar and series
// names are distinct HDF5 link names, none is the name of a coordinate (an axis of the run, or
// one of reserved_names), each series has days x width values, axis names are link names
// without commas (the axes attribute is comma-separated), and each axis name has the same
// labels in every series (labels are stored once per name).
void check_storable(const Where& w, const Results& results, bool with_series);
// The coordinates files keep beside their data (netCDF readers see both by name in a group).
inline const std::vector<std::string> reserved_names{"day",      "date",        "replicate",  "point",
                                                     "quantile", "statistic",   "variance_component",
                                                     "parameter", "compared",  "delta_statistic",
                                                     "scenario", "sweep_parameter", "index"};

// Files
// An HDF5 file written under a temporary name beside its target (checked first with
// check_output_path: OutputPathError) through the latching driver (h5_driver.hpp), so a full
// disk never makes HDF5's close fail. commit() closes it, checks that every write reached the
// file (ResultsWriteError naming the reason, e.g. "No space left on device"), flushes it to disk
// (HDF5 does not fsync, and without it a crash soon after the rename could leave the target
// naming a file whose data never reached the disk), renames it into place and syncs the
// directory, so the rename itself survives a crash. Until then the target is untouched, and the
// destructor removes the temporary file.
class PendingFile {
public:
    PendingFile(const Where& w, const std::filesystem::path& target, std::string_view tag = "tmp");
    ~PendingFile() { discard(); }
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;

    hid_t get() const { return file_.get(); }
    // Throws ResultsWriteError when a write has failed so far (HDF5 may write later than asked).
    void check_written() const;
    void commit();
    void discard();  // closes and removes the temporary file, if still there

private:
    Where w_;
    std::filesystem::path target_, tmp_;
    std::unique_ptr<WriteLatch> latch_;  // filled in by the driver; outlives the file
    Handle file_;
    bool done_ = false;
};

// Flushes a directory's entries (a rename or an unlink in it) to disk; failures are ignored, as
// some file systems cannot sync directories.
void sync_directory(const std::filesystem::path& dir);

// Opens an existing HDF5 file read-only after checking that it is one.
Handle open_existing(const Where& w, const std::filesystem::path& path);

}  // namespace gatesim::h5

// The HDF5 file driver of the files gatesim writes: POSIX I/O as HDF5's default driver (sec2)
// does it, except that a failed write (a full disk, an I/O error, a file size limit) is latched
// instead of being reported to HDF5.
//
// Why: when H5Fclose fails, HDF5 1.10 frees the file's state but keeps its identifier, and
// closing that identifier again when the library shuts down at exit crashes (SIGSEGV in
// H5F__close_cb; HDF5's HDFFV-11052, fixed in 1.14). A full disk made the flush inside H5Fclose
// fail, so the CLI and the Python interpreter died at exit. With this driver no write fails inside
// HDF5, so its close cannot fail for lack of space; the writer asks the latch after writing and
// after closing, and discards the file. Once a write has failed, every read fails too, so nothing
// is read back that never reached the file. Internal to sim/io.
#pragma once

#include <hdf5.h>

#include <string>

namespace gatesim::h5 {

// The first write failure of one file (errno 0: none), filled in by the driver.
struct WriteLatch {
    int error = 0;
    std::string reason() const;  // e.g. "No space left on device"
};

// A new file-access property list with which H5Fcreate writes through the driver into `latch`
// (which must outlive the file). Returns a negative id when HDF5 refuses it.
hid_t latching_access_list(WriteLatch* latch);

}  // namespace gatesim::h5

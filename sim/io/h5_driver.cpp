// The latching HDF5 file driver (h5_driver.hpp): sec2's POSIX I/O with write failures latched.
#include "io/h5_driver.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace gatesim::h5 {
namespace {

constexpr haddr_t kMaxAddress = (haddr_t{1} << (8 * sizeof(off_t) - 1)) - 1;

struct DriverInfo {
    WriteLatch* latch;
};

// HDF5 hands the public part back to the callbacks; it must come first.
struct LatchingFile {
    H5FD_t pub;
    int fd;
    haddr_t eoa, eof;
    dev_t device;
    ino_t inode;
    WriteLatch* latch;
};

LatchingFile* of(H5FD_t* f) { return reinterpret_cast<LatchingFile*>(f); }
const LatchingFile* of(const H5FD_t* f) { return reinterpret_cast<const LatchingFile*>(f); }

herr_t report(const char* func, hid_t minor, const std::string& what) {
    H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_VFL, minor, "%s", what.c_str());
    return -1;
}

void* copy_info(const void* info) {
    void* copy = std::malloc(sizeof(DriverInfo));
    if (copy != nullptr) std::memcpy(copy, info, sizeof(DriverInfo));
    return copy;
}
void* get_info(H5FD_t* f) {
    const DriverInfo info{of(f)->latch};
    return copy_info(&info);
}
herr_t free_info(void* info) {
    std::free(info);
    return 0;
}

H5FD_t* open_file(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
    if (name == nullptr || *name == '\0' || maxaddr == 0 || maxaddr == HADDR_UNDEF || maxaddr > kMaxAddress) {
        report(__func__, H5E_BADVALUE, "bad file name or address space");
        return nullptr;
    }
    const auto* info = static_cast<const DriverInfo*>(H5Pget_driver_info(fapl));
    int o_flags = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
    if (flags & H5F_ACC_TRUNC) o_flags |= O_TRUNC;
    if (flags & H5F_ACC_CREAT) o_flags |= O_CREAT;
    if (flags & H5F_ACC_EXCL) o_flags |= O_EXCL;
    const int fd = ::open(name, o_flags | O_CLOEXEC, 0666);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        report(__func__, H5E_CANTOPENFILE, std::string("cannot open ") + name + ": " + std::strerror(errno));
        if (fd >= 0) ::close(fd);
        return nullptr;
    }
    auto* f = static_cast<LatchingFile*>(std::calloc(1, sizeof(LatchingFile)));
    if (f == nullptr) {
        ::close(fd);
        report(__func__, H5E_CANTALLOC, "out of memory");
        return nullptr;
    }
    f->fd = fd;
    f->eof = static_cast<haddr_t>(st.st_size);
    f->device = st.st_dev;
    f->inode = st.st_ino;
    f->latch = info != nullptr ? info->latch : nullptr;
    return &f->pub;
}

herr_t close_file(H5FD_t* file) {
    LatchingFile* f = of(file);
    const int rc = ::close(f->fd);
    if (rc != 0 && f->latch != nullptr && f->latch->error == 0) f->latch->error = errno;
    std::free(f);
    return 0;
}

int compare(const H5FD_t* a, const H5FD_t* b) {
    const LatchingFile *x = of(a), *y = of(b);
    if (x->device != y->device) return x->device < y->device ? -1 : 1;
    if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
    return 0;
}

herr_t query(const H5FD_t*, unsigned long* flags) {
    if (flags != nullptr)
        *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
                 H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE;
    return 0;
}

haddr_t get_eoa(const H5FD_t* f, H5FD_mem_t) { return of(f)->eoa; }
herr_t set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
    of(f)->eoa = addr;
    return 0;
}
haddr_t get_eof(const H5FD_t* f, H5FD_mem_t) { return of(f)->eof; }

herr_t get_handle(H5FD_t* f, hid_t, void** handle) {
    if (handle == nullptr) return report(__func__, H5E_BADVALUE, "no handle pointer");
    *handle = &of(f)->fd;
    return 0;
}

// Latches the first failure; the write "succeeds" for HDF5.
void latch(LatchingFile* f, int error) {
    if (f->latch != nullptr && f->latch->error == 0) f->latch->error = error;
}
bool latched(const LatchingFile* f) { return f->latch != nullptr && f->latch->error != 0; }

herr_t read(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buffer) {
    LatchingFile* f = of(file);
    if (latched(f))
        return report(__func__, H5E_READERROR, "an earlier write to the file failed: " + f->latch->reason());
    auto* out = static_cast<unsigned char*>(buffer);
    while (size > 0) {
        const ssize_t n = ::pread(f->fd, out, size, static_cast<off_t>(addr));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return report(__func__, H5E_READERROR, std::string("read failed: ") + std::strerror(errno));
        if (n == 0) {  // beyond the end of the file: zeros, as sec2 gives
            std::memset(out, 0, size);
            break;
        }
        out += n, addr += static_cast<haddr_t>(n), size -= static_cast<size_t>(n);
    }
    return 0;
}

herr_t write(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, const void* buffer) {
    LatchingFile* f = of(file);
    if (latched(f)) return 0;
    const auto* in = static_cast<const unsigned char*>(buffer);
    const haddr_t end = addr + size;
    while (size > 0) {
        const ssize_t n = ::pwrite(f->fd, in, size, static_cast<off_t>(addr));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            latch(f, n < 0 ? errno : EIO);
            return 0;
        }
        in += n, addr += static_cast<haddr_t>(n), size -= static_cast<size_t>(n);
    }
    if (end > f->eof) f->eof = end;
    return 0;
}

herr_t truncate(H5FD_t* file, hid_t, hbool_t) {
    LatchingFile* f = of(file);
    if (f->eoa == f->eof || latched(f)) return 0;
    if (::ftruncate(f->fd, static_cast<off_t>(f->eoa)) != 0) latch(f, errno);
    else f->eof = f->eoa;
    return 0;
}

herr_t lock(H5FD_t*, hbool_t) { return 0; }  // each temporary file has one writer (output_lock.hpp)
herr_t unlock(H5FD_t*) { return 0; }

H5FD_class_t make_class() {
    H5FD_class_t c{};
#if H5_VERSION_GE(1, 13, 3)
    c.version = H5FD_CLASS_VERSION;
    c.value = static_cast<H5FD_class_value_t>(0x6A7E);  // in the range HDF5 leaves to applications
#endif
    c.name = "gatesim_latching";
    c.maxaddr = kMaxAddress;
    c.fc_degree = H5F_CLOSE_WEAK;
    c.fapl_size = sizeof(DriverInfo);
    c.fapl_get = get_info;
    c.fapl_copy = copy_info;
    c.fapl_free = free_info;
    c.open = open_file;
    c.close = close_file;
    c.cmp = compare;
    c.query = query;
    c.get_eoa = get_eoa;
    c.set_eoa = set_eoa;
    c.get_eof = get_eof;
    c.get_handle = get_handle;
    c.read = read;
    c.write = write;
    c.truncate = truncate;
    c.lock = lock;
    c.unlock = unlock;
    const H5FD_mem_t map[] = H5FD_FLMAP_DICHOTOMY;
    std::memcpy(c.fl_map, map, sizeof map);
    return c;
}

// Registered once per library lifetime (HDF5 closes the id when it shuts down).
hid_t driver_id() {
    static const H5FD_class_t driver_class = make_class();
    static hid_t id = H5I_INVALID_HID;
    if (id < 0 || H5Iis_valid(id) <= 0) id = H5FDregister(&driver_class);
    return id;
}

}  // namespace

std::string WriteLatch::reason() const { return std::generic_category().message(error); }

hid_t latching_access_list(WriteLatch* latch) {
    const hid_t driver = driver_id();
    if (driver < 0) return H5I_INVALID_HID;
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    const DriverInfo info{latch};
    if (fapl < 0 || H5Pset_driver(fapl, driver, &info) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        return H5I_INVALID_HID;
    }
    return fapl;
}

}  // namespace gatesim::h5

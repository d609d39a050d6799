// Output path checks and temporary names (output_path.hpp).
#include "io/output_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <system_error>

namespace gatesim {
namespace {

namespace fs = std::filesystem;

std::atomic<unsigned> temp_counter{0};

std::string kind_of(fs::file_type type) {
    switch (type) {
        case fs::file_type::character: return "a character device";
        case fs::file_type::block: return "a block device";
        case fs::file_type::fifo: return "a FIFO";
        case fs::file_type::socket: return "a socket";
        default: return "a special file";
    }
}

// Creates and removes the longest temporary name the writers use: the one test that answers
// for permissions, read-only file systems and name limits alike, even for root.
void try_temporary_file(const fs::path& path, const std::string& dir, const auto& fail) {
    const fs::path probe = temporary_path(path, "runs");
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::close(fd);
        ::unlink(probe.c_str());
        return;
    }
    const int error = errno;
    if (error == ENAMETOOLONG)
        fail("the file name is too long (gatesim first writes it under a temporary name, " +
             std::to_string(probe.filename().string().size()) + " bytes, beside it)");
    fail("cannot create a file in directory " + dir + ": " + std::generic_category().message(error));
}

}  // namespace

void check_output_path(const fs::path& path) {
    auto fail = [&path](const std::string& reason) {
        throw OutputPathError("cannot write " + path.string() + ": " + reason);
    };
    const std::string name = path.filename().string();
    if (name.empty() || name == "." || name == "..") fail("the path does not name a file");
    std::error_code ec;
    const fs::path dir = fs::absolute(path, ec).parent_path();
    const auto dir_status = fs::status(dir, ec);
    if (!fs::exists(dir_status)) fail("directory " + dir.string() + " does not exist");
    if (!fs::is_directory(dir_status)) fail(dir.string() + " is not a directory");
    const auto status = fs::status(path, ec);
    if (fs::is_directory(status)) fail("it is a directory");
    if (fs::exists(status) && !fs::is_regular_file(status))
        fail("it is " + kind_of(status.type()) + ", not a regular file that gatesim could replace");
    try_temporary_file(path, dir.string(), fail);
}

fs::path temporary_path(const fs::path& path, std::string_view tag) {
    // Built by appending: GCC 12 warns falsely about "." + std::string(...).
    std::string suffix(".");
    suffix.append(tag);
    suffix.append("-").append(std::to_string(::getpid())).append("-").append(std::to_string(temp_counter.fetch_add(1)));
    fs::path tmp = path;
    tmp += suffix;
    return tmp;
}

}  // namespace gatesim

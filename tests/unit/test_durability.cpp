// Unit tests for what keeps results safe (sim/io/h5_driver, h5_support): a failed write (a file
// size limit, as a full disk) is an error and not a crash at exit, and leaves the old file alone.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/results_h5.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;

namespace {

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Runs `child` in a forked process; its exit status (or 128 + the signal that ended it).
template <class F>
int in_child(F&& child) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(child());
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Provenance provenance() { return make_provenance("", "s.yaml", "gatesim test", 1, "2026-01-01T00:00:00Z"); }

}  // namespace

TEST_CASE("a write that fails for want of space is an error, not a crash at exit") {
    // A file size limit makes writes fail (EFBIG) as a full disk does (ENOSPC), without root.
    // Before the latching driver, HDF5's failed close crashed the process at exit (SIGSEGV).
    test::TempDir dir;
    const Results results = test::run(test::small("global_shutdown", {"days=60"}, 1500));
    write_results(dir / "good.h5", results, provenance());
    const std::string good = bytes_of(dir / "good.h5");
    const int status = in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{16 * 1024, 16 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        int outcome = 1;
        try {
            write_results(dir / "good.h5", results, provenance());
        } catch (const ResultsWriteError& e) {
            outcome = std::string(e.what()).find("File too large") != std::string::npos ? 0 : 2;
        }
        H5close();  // what exit() does: HDF5 closes what is still open, where it crashed
        return outcome;
    });
    CHECK(status == 0);  // 139 (128 + SIGSEGV) before
    CHECK(bytes_of(dir / "good.h5") == good);
    CHECK(dir.entries() == std::vector<std::string>{"good.h5"});
}

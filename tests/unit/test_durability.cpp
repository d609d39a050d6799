// Unit tests for what keeps results safe (sim/io/h5_driver, h5_support, output_lock): a failed
// write (a file size limit, as a full disk) is an error and not a crash at exit, and leaves the
// old file alone; one writer per output path, the lock shared within a process and refused to
// another, and the temporaries of dead writers removed.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/output_lock.hpp"
#include "io/results_h5.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using Catch::Matchers::Contains;

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

TEST_CASE("one writer per output path: shared within a process, refused to another") {
    test::TempDir dir;
    const fs::path out = dir / "out.h5";
    OutputLock first = OutputLock::acquire(out);
    CHECK(fs::exists(dir / "out.h5.lock"));
    {
        OutputLock again = OutputLock::acquire(out);  // the CLI, then the file writer
        again.claim_for_writer();
        OutputLock third = OutputLock::acquire(out);
        CHECK_THROWS_WITH(third.claim_for_writer(), Contains("another study or writer in this process"));
    }
    const int refused = in_child([&] {
        try {
            OutputLock::acquire(out);
        } catch (const OutputPathError& e) {
            return std::string(e.what()).find("another gatesim process (pid " + std::to_string(::getppid()) + ")") !=
                           std::string::npos
                       ? 3
                       : 4;
        }
        return 0;
    });
    CHECK(refused == 3);
    first = OutputLock();
    CHECK_FALSE(fs::exists(dir / "out.h5.lock"));
    CHECK(in_child([&] { return OutputLock::acquire(out).held() ? 0 : 1; }) == 0);
}
TEST_CASE("a lock left by a writer killed with SIGKILL is taken over, with its temporaries") {
    test::TempDir dir;
    const fs::path out = dir / "out.h5";
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t writer = ::fork();
    if (writer == 0) {
        OutputLock lock = OutputLock::acquire(out);
        std::ofstream(dir / ("out.h5.tmp-" + std::to_string(::getpid()) + "-0")) << "half a file";
        std::ofstream(dir / ("out.h5.runs-" + std::to_string(::getpid()) + "-1")) << "scratch";
        char ready = 1;
        if (::write(pipe_fds[1], &ready, 1) != 1) ::_exit(1);
        ::pause();
        ::_exit(0);
    }
    char ready = 0;
    REQUIRE(::read(pipe_fds[0], &ready, 1) == 1);
    CHECK_THROWS_AS(OutputLock::acquire(out), OutputPathError);
    ::kill(writer, SIGKILL);
    ::waitpid(writer, nullptr, 0);
    const std::string alive = "out.h5.tmp-" + std::to_string(::getpid()) + "-7";  // this process: kept
    std::ofstream(dir / alive) << "ours";
    std::ofstream(dir / "out.h5.tmp-notes") << "not a temporary name";
    CHECK(fs::exists(dir / "out.h5.lock"));  // left behind by the killed writer
    const OutputLock lock = OutputLock::acquire(out);
    std::vector<std::string> kept{"out.h5.lock", "out.h5.tmp-notes", alive};
    std::sort(kept.begin(), kept.end());
    CHECK(dir.entries() == kept);
    ::close(pipe_fds[0]), ::close(pipe_fds[1]);
}

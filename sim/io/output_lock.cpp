// The output lock and the removal of stale temporaries (output_lock.hpp).
#include "io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include "io/output_path.hpp"

namespace gatesim {
namespace {

namespace fs = std::filesystem;

std::string reason_of(int error) { return std::generic_category().message(error); }

// True unless the process is known to be gone (a pid owned by another user counts as alive).
bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

// The pid in a temporary name NAME.tmp-PID-N or NAME.runs-PID-N of `target`, or 0.
long writer_of(const std::string& entry, const std::string& target) {
    for (const char* tag : {".tmp-", ".runs-"}) {
        const std::string prefix = target + tag;
        if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string rest = entry.substr(prefix.size());
        const auto dash = rest.find('-');
        if (dash == 0 || dash == std::string::npos || dash + 1 == rest.size()) return 0;
        if (rest.find_first_not_of("0123456789-") != std::string::npos || rest.find('-', dash + 1) != std::string::npos)
            return 0;
        return std::stol(rest.substr(0, dash));
    }
    return 0;
}

// Temporaries of `path` left by writers that died before removing them.
void remove_stale_temporaries(const fs::path& path) {
    std::error_code ec;
    const fs::path dir = fs::absolute(path, ec).parent_path();
    const std::string name = path.filename().string();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const long pid = writer_of(it->path().filename().string(), name);
        if (pid > 0 && pid != ::getpid() && !process_alive(pid)) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

}  // namespace

struct OutputLock::State {
    fs::path target, file;
    int fd = -1;
    pid_t owner = ::getpid();  // a child made by fork() shares the descriptor, not the lock's ownership
    bool writer_claimed = false;
    ~State() {
        if (fd < 0 || owner != ::getpid()) return;
        // Unlinked while still locked: a process that opened this inode meanwhile finds it is no
        // longer the lock file and retries (acquire checks the inode).
        ::unlink(file.c_str());
        ::close(fd);
    }
};

namespace {

std::mutex registry_mutex;
// Locks this process holds, by lock-file path, so that a second acquire shares the first.
std::map<std::string, std::weak_ptr<OutputLock::State>>& registry() {
    static std::map<std::string, std::weak_ptr<OutputLock::State>> held;
    return held;
}

std::string holder_of(int fd) {
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    const std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
    return pid.find_first_not_of("0123456789\n") == std::string::npos && !pid.empty()
               ? " (pid " + pid.substr(0, pid.find('\n')) + ")"
               : "";
}

// Opens and locks the lock file; retries when the file it locked was removed or replaced by its
// previous holder in the meantime.
int lock_file(const fs::path& target, const fs::path& file) {
    auto fail = [&](const std::string& reason) { throw OutputPathError("cannot write " + target.string() + ": " + reason); };
    for (int attempt = 0; attempt < 100; ++attempt) {
        const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) fail("cannot create the lock file " + file.string() + ": " + reason_of(errno));
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            const std::string holder = holder_of(fd);
            ::close(fd);
            if (error == EWOULDBLOCK)
                fail("it is being written by another gatesim process" + holder +
                     "; wait for it to finish or stop it (its lock is " + file.string() + ")");
            fail("cannot lock " + file.string() + ": " + reason_of(error));
        }
        struct stat locked {}, named {};
        if (::fstat(fd, &locked) == 0 && ::stat(file.c_str(), &named) == 0 && locked.st_dev == named.st_dev &&
            locked.st_ino == named.st_ino) {
            const std::string pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {}  // the pid is for messages only
            return fd;
        }
        ::close(fd);
    }
    fail("cannot lock " + file.string() + ": it keeps being replaced");
    return -1;
}

}  // namespace

fs::path lock_path(const fs::path& target) {
    fs::path file = target;
    file += ".lock";
    return file;
}

OutputLock OutputLock::acquire(const fs::path& path) {
    check_output_path(path);  // the lock file goes beside a path known to be writable
    std::error_code ec;
    const fs::path file = fs::absolute(lock_path(path), ec).lexically_normal();
    std::lock_guard guard(registry_mutex);
    OutputLock lock;
    const auto it = registry().find(file.string());
    auto held = it == registry().end() ? nullptr : it->second.lock();
    if (held && held->owner == ::getpid()) {
        lock.state_ = std::move(held);
        return lock;
    }
    auto state = std::make_shared<State>();
    state->target = path;
    state->file = file;
    state->fd = lock_file(path, file);
    registry()[file.string()] = state;
    lock.state_ = std::move(state);
    remove_stale_temporaries(path);
    return lock;
}

void OutputLock::claim_for_writer() {
    std::lock_guard guard(registry_mutex);
    if (claimed_) return;
    if (state_->writer_claimed)
        throw OutputPathError("cannot write " + state_->target.string() +
                              ": it is being written by another study or writer in this process");
    state_->writer_claimed = claimed_ = true;
}

void OutputLock::release() noexcept {
    if (!state_) return;
    std::lock_guard guard(registry_mutex);
    if (claimed_) state_->writer_claimed = false;
    claimed_ = false;
    const std::string key = state_->file.string();
    state_.reset();  // the last holder unlocks and removes the lock file
    auto it = registry().find(key);
    if (it != registry().end() && it->second.expired()) registry().erase(it);
}

OutputLock::~OutputLock() { release(); }

OutputLock::OutputLock(OutputLock&& other) noexcept
    : state_(std::move(other.state_)), claimed_(std::exchange(other.claimed_, false)) {}

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
    if (this != &other) {
        release();
        state_ = std::move(other.state_);
        claimed_ = std::exchange(other.claimed_, false);
    }
    return *this;
}

}  // namespace gatesim

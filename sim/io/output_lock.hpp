// One writer per output path: an exclusive lock on PATH.lock, taken before any work and held
// until the results are in place, so a second gatesim writing the same path is refused at once
// (exit 2) instead of racing the first for the file and its run journal; and the removal of the
// temporary files that writers killed by kill -9 or the OOM killer left beside the path.
//
// The lock is an flock(2) on PATH.lock, which the kernel releases when its holder dies however it
// dies, so a lock file left by a killed writer is simply taken over. Within one process the lock
// is shared: the CLI takes it before loading the scenario and the file writer takes it again.
// (flock does not exclude writers on other machines over NFS.)
#pragma once

#include <filesystem>
#include <memory>

namespace gatesim {

class OutputLock {
public:
    // Locks `path`, or shares the lock this process holds on it. Throws OutputPathError (bad
    // input, exit 2) when another process holds it ("... is being written by another gatesim
    // process (pid N)") or PATH.lock cannot be created. A fresh lock first removes temporaries
    // of `path` (PATH.tmp-PID-N, PATH.runs-PID-N) whose process is gone.
    static OutputLock acquire(const std::filesystem::path& path);

    OutputLock() = default;
    ~OutputLock();
    OutputLock(OutputLock&& other) noexcept;
    OutputLock& operator=(OutputLock&& other) noexcept;
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;

    bool held() const { return state_ != nullptr; }
    // A writer claims the path for itself: a second writer on it in this process is refused as a
    // second process would be. The claim ends with this OutputLock.
    void claim_for_writer();

    struct State;  // the lock file and its descriptor, shared by this process's holders

private:
    void release() noexcept;
    std::shared_ptr<State> state_;
    bool claimed_ = false;
};

std::filesystem::path lock_path(const std::filesystem::path& target);  // PATH.lock

}  // namespace gatesim

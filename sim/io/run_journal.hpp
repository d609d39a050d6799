// The run journal: the durable record of a study's finished runs, kept beside its output as
// PATH.partial, so that a study stopped in any way (Ctrl-C, --stop-after, a full disk, kill -9,
// the OOM killer, a power cut) keeps every run it finished, and --resume continues from them.
//
// Why not HDF5: HDF5 is not crash-safe. It updates a file's metadata (B-trees, heaps, the
// superblock) in place, in an order of its own, and caches it in memory; a process killed between
// two of those writes leaves a file that may not open at all, and flushing after every run would
// only narrow the window. The journal is instead an append-only file of self-checking records:
//
//   record = magic "GSJR" (u32) | kind (u32) | payload size (u64) | payload | CRC-32 (u32)
//
// a study record first (kind, plan fingerprint, runs planned, whether series are kept), then for
// each run group a shape record (scalar and series names, units, axes) before its first run, then
// one run record per finished run in job order (its scalars and parameters as raw float64, each
// series deflate-compressed; bit for bit what the run produced). A record is appended with one
// write(2) when the study accepts the run, so it is in the kernel, and survives the process being
// killed, as soon as accept returns; a background thread fsyncs it within a second, and it is
// fsync'd whenever the study stops, so a power cut loses at most the last second's runs. A crash
// in the middle of an append leaves a torn record that fails its size or checksum: the journal's
// valid part ends just before it, and resuming cuts it off. Numbers are stored in this machine's
// byte order (checked).
// Internal to sim/io; the study file (study_h5.cpp) writes and reads it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "study/ensemble.hpp"
#include "study/run_store.hpp"

namespace gatesim {

// Where the partial work of an interrupted study writing `target` is kept: TARGET.partial.
std::filesystem::path partial_path(const std::filesystem::path& target);

class RunJournal {
public:
    struct Study {
        StudyKind kind = StudyKind::ensemble;
        std::uint64_t plan_fingerprint = 0;
        std::uint64_t jobs = 0;
        bool with_series = true;
    };

    // A new, empty journal at `path` (replacing whatever file is there), synced with its
    // directory. `target` names the study's output in messages. ResultsWriteError on failure.
    static std::unique_ptr<RunJournal> create(const std::filesystem::path& path, const std::filesystem::path& target,
                                              const Study& study);
    // The journal at `path` and its valid part; a torn last record is cut off before the next
    // append. ResultsFileError when it is not a journal of this machine's gatesim.
    static std::unique_ptr<RunJournal> open(const std::filesystem::path& path, const std::filesystem::path& target);

    // Syncs and closes; a journal without a finished run is removed (it holds nothing to resume),
    // a file found not to be a journal never is.
    ~RunJournal();
    RunJournal(const RunJournal&) = delete;
    RunJournal& operator=(const RunJournal&) = delete;

    // False when a crash tore the study record itself (then no run is in the journal either).
    bool has_study() const { return has_study_; }
    const Study& study() const { return study_; }
    std::uint64_t runs() const { return runs_.size(); }  // jobs 0 .. runs() - 1

    // Appends the next job's run (run.job == runs()) of run group `group`, preceded by the
    // group's shape when it is the group's first run here. ResultsWriteError when the write fails
    // (the journal is then cut back to its last complete record).
    void append(const RunRecord& run, std::size_t group, const RunShape& shape) { append(run, group, shape, pack(run, group)); }
    // The same, with the run's record packed already by pack(), which is thread-safe and may run
    // on another thread (the run's series are compressed there).
    void append(const RunRecord& run, std::size_t group, const RunShape& shape, const std::string& packed);
    std::string pack(const RunRecord& run, std::size_t group) const;
    // A run exactly as it was appended (with its series when the journal keeps them).
    RunRecord read_run(std::uint64_t job) const;
    // Days [day_begin, day_end) of series `series` of a run into out ([day][column]).
    void read_series(std::uint64_t job, std::size_t series, std::size_t day_begin, std::size_t day_end,
                     double* out) const;
    void sync();
    // Removes the journal (the study's results are in place).
    void remove();

private:
    RunJournal(std::filesystem::path path, std::filesystem::path target, int fd);
    struct Span {
        std::uint64_t offset = 0, size = 0;  // of a run record's payload
        std::uint64_t group = 0;             // the run's group
        std::uint64_t table = 0;             // where its series table starts in the payload
    };
    struct Group {
        bool known = false;
        RunShape shape;
    };
    void scan();
    void write_record(std::uint32_t kind, const std::string& payload, bool tear = false);
    void flush_in_background();  // the flusher thread: fdatasync within a second of an append
    void stop_flushing();
    std::string read_payload(const Span& span) const { return read_bytes(span, 0, span.size); }
    std::string read_bytes(const Span& span, std::uint64_t at, std::uint64_t size) const;  // of the payload
    const RunShape& shape_of(std::size_t group) const;
    [[noreturn]] void fail_write(const std::string& what, int error) const;
    [[noreturn]] void fail_read(const std::string& what) const;

    std::filesystem::path path_, target_;
    int fd_ = -1;
    Study study_;
    bool has_study_ = false;
    std::vector<Span> runs_;
    std::vector<Group> groups_;
    std::uint64_t end_ = 0;  // end of the valid part
    bool ours_ = false;      // created here, or found to be a journal: may be removed when empty
    std::mutex flush_mutex_;
    std::condition_variable flush_wake_;
    bool dirty_ = false, stopping_ = false;
    int flush_error_ = 0;  // errno of a failed background sync, reported by the next append
    std::thread flusher_;
};

}  // namespace gatesim

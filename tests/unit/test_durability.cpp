// Unit tests for what keeps results safe (sim/io/run_journal, output_lock, h5_driver,
// study_h5): a run journal returns its runs bit for bit and ends its valid part at a torn or
// damaged record; one writer per output path, the lock shared within a process and refused to
// another, stale temporaries of dead writers removed; a failed write (a file size limit, as a full
// disk) is an error and not a crash at exit; and an interrupted study never touches the complete
// file at its path.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "study/studies.hpp"
#include "io/output_lock.hpp"
#include "io/results_h5.hpp"
#include "io/run_journal.hpp"
#include "io/study_h5.hpp"
#include "h5_files.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace gatesim;
using Catch::Matchers::Contains;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

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

StudyScenario small_study() {
    return study_scenario(load_scenario(test::library_file("global_shutdown"), {"population.agents=1500", "days=30"}));
}

Provenance provenance() { return make_provenance("", "s.yaml", "gatesim test", 1, "2026-01-01T00:00:00Z"); }

// An ensemble study into a study file at `path`, closed when it returns (as the CLI runs it).
EnsembleReport into_file(const fs::path& path, const EnsembleStudy& study, const StudyControl& control) {
    StudyFile file(path, provenance());
    return run_ensemble_study(study, file, control);
}

// Real runs of an ensemble plan, with the shape the study file would give their group.
struct Runs {
    EnsemblePlan plan;
    std::vector<RunRecord> records;
    RunShape shape;
    explicit Runs(std::uint64_t replicates) {
        plan.points.push_back(EnsemblePoint::of(small_study().scenario));
        plan.replicates = plan.noise_replicates = replicates;
        struct Collect : RunSink {
            std::vector<RunRecord>* out;
            void accept(const RunRecord& run) override { out->push_back(run); }
        } sink;
        sink.out = &records;
        run_ensemble(plan, sink);
        shape = RunShape::of(records.front().results, true);
    }
    RunJournal::Study study() const { return {StudyKind::ensemble, plan_fingerprint(plan), plan.jobs(), true}; }
};

void require_same_run(const RunRecord& a, const RunRecord& b) {
    CHECK(a.job == b.job);
    CHECK(a.point == b.point);
    CHECK(a.replicate == b.replicate);
    CHECK(a.results.seed == b.results.seed);
    CHECK(a.results.days == b.results.days);
    REQUIRE(a.results.scalars.size() == b.results.scalars.size());
    for (std::size_t i = 0; i < a.results.scalars.size(); ++i) {
        CHECK(a.results.scalars[i].name == b.results.scalars[i].name);
        CHECK(same_bits(a.results.scalars[i].value, b.results.scalars[i].value));
    }
    REQUIRE(a.results.series.size() == b.results.series.size());
    for (std::size_t i = 0; i < a.results.series.size(); ++i) {
        CHECK(a.results.series[i].axes.size() == b.results.series[i].axes.size());
        CHECK(std::memcmp(a.results.series[i].values.data(), b.results.series[i].values.data(),
                          a.results.series[i].values.size() * sizeof(double)) == 0);
    }
}

}  // namespace

TEST_CASE("a run journal gives back every run bit for bit, and a day block of any series") {
    test::TempDir dir;
    const Runs runs(3);
    {
        auto journal = RunJournal::create(dir / "j.partial", dir / "j.h5", runs.study());
        for (const auto& r : runs.records) journal->append(r, 0, runs.shape);
    }
    const auto journal = RunJournal::open(dir / "j.partial", dir / "j.h5");
    REQUIRE(journal->has_study());
    CHECK(journal->study().plan_fingerprint == plan_fingerprint(runs.plan));
    REQUIRE(journal->runs() == 3);
    for (std::uint64_t j = 0; j < 3; ++j) require_same_run(journal->read_run(j), runs.records[j]);
    const Series& blocked = runs.records[2].results.series_named("users_by_model");
    std::size_t index = 0;
    while (runs.shape.series[index].name != "users_by_model") ++index;
    std::vector<double> block(5 * blocked.width());
    journal->read_series(2, index, 10, 15, block.data());
    CHECK(std::memcmp(block.data(), blocked.values.data() + 10 * blocked.width(), block.size() * sizeof(double)) == 0);
}

TEST_CASE("a run journal ends its valid part at a torn or damaged record") {
    test::TempDir dir;
    const Runs runs(4);
    const fs::path path = dir / "j.partial";
    {
        auto journal = RunJournal::create(path, dir / "j.h5", runs.study());
        for (const auto& r : runs.records) journal->append(r, 0, runs.shape);
    }
    const auto whole = fs::file_size(path);
    SECTION("torn: the last record cut short, as by a crash in the middle of an append") {
        fs::resize_file(path, whole - 7);
        {
            auto journal = RunJournal::open(path, dir / "j.h5");
            CHECK(journal->runs() == 3);
            journal->append(runs.records[3], 0, runs.shape);  // appended after the valid part
        }
        const auto journal = RunJournal::open(path, dir / "j.h5");
        CHECK(journal->runs() == 4);
        require_same_run(journal->read_run(3), runs.records[3]);
        CHECK(fs::file_size(path) == whole);
    }
    SECTION("damaged: a flipped byte inside the third run fails its checksum") {
        const auto before = RunJournal::open(path, dir / "j.h5");
        std::string bytes = bytes_of(path);
        const auto size = bytes.size();
        bytes[size - size / 5] ^= 0x40;  // well inside the last quarter: the fourth run
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        CHECK(RunJournal::open(path, dir / "j.h5")->runs() < 4);
    }
}

TEST_CASE("a run journal refuses a file that is not one, and removes itself when it holds no run") {
    test::TempDir dir;
    const fs::path other = dir.write("x.partial", "some notes an analyst keeps here\n");
    CHECK_THROWS_AS(RunJournal::open(other, dir / "x"), ResultsFileError);
    CHECK(fs::exists(other));
    { auto empty = RunJournal::create(dir / "e.partial", dir / "e.h5", Runs(1).study()); }
    CHECK_FALSE(fs::exists(dir / "e.partial"));
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

TEST_CASE("an interrupted study never touches the complete file at its path") {
    test::TempDir dir;
    const EnsembleStudy study{small_study(), 6, 0};
    StudyControl control;
    control.threads = 2;
    into_file(dir / "good.h5", study, control);
    const std::string good = bytes_of(dir / "good.h5");
    control.max_runs = 2;  // stopped as Ctrl-C stops it, deterministically
    CHECK_FALSE(into_file(dir / "good.h5", study, control).outcome.complete);
    control.max_runs = UINT64_MAX;
    CHECK(bytes_of(dir / "good.h5") == good);
    CHECK(dir.entries() == std::vector<std::string>{"good.h5", "good.h5.partial"});
    SECTION("a fresh study refuses to discard the finished runs") {
        CHECK_THROWS_WITH(into_file(dir / "good.h5", study, control), Contains("--resume"));
        CHECK(bytes_of(dir / "good.h5") == good);
    }
    SECTION("resuming them rewrites the same results") {
        const auto before = test::contents(dir / "good.h5");
        control.resume = true;
        CHECK(into_file(dir / "good.h5", study, control).outcome.resumed_runs == 2);
        CHECK(test::contents(dir / "good.h5") == before);
        CHECK(dir.entries() == std::vector<std::string>{"good.h5"});
    }
}

TEST_CASE("a journal torn while it was created holds no run: resuming it starts afresh") {
    test::TempDir dir;
    const EnsembleStudy study{small_study(), 3, 0};
    StudyControl control;
    control.max_runs = 1;
    into_file(dir / "s.h5", study, control);
    const std::string whole = bytes_of(dir / "s.h5.partial");
    std::ofstream(dir / "s.h5.partial", std::ios::binary | std::ios::trunc) << whole.substr(0, 10);  // killed at once
    control.max_runs = 2;
    control.resume = true;
    CHECK(into_file(dir / "s.h5", study, control).outcome.resumed_runs == 0);
    CHECK(RunJournal::open(dir / "s.h5.partial", dir / "s.h5")->runs() == 2);  // the new journal, in its place
    control.max_runs = UINT64_MAX;
    CHECK(into_file(dir / "s.h5", study, control).outcome.complete);
}

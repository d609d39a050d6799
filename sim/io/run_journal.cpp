// The run journal of a study (run_journal.hpp): append-only, checksummed records of finished runs.
#include "io/run_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <system_error>

#include "io/crash_points.hpp"
#include "io/h5_support.hpp"
#include "io/output_path.hpp"

namespace gatesim {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kMagic = 0x524A5347;  // "GSJR" in little-endian files
constexpr std::uint32_t kFormat = 1;
constexpr std::uint32_t kByteOrder = 0x01020304;
constexpr std::size_t kHeadBytes = 16, kTailBytes = 4;
enum Kind : std::uint32_t { study_record = 1, shape_record = 2, run_record = 3 };

std::uint32_t crc_of(const char* data, std::size_t size, std::uint32_t crc = 0) {
    return static_cast<std::uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(data), size));
}

// Little pieces of a payload, in this machine's byte order.
class Writer {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void text(const std::string& s) {
        put<std::uint64_t>(s.size());
        bytes += s;
    }
    void numbers(const std::vector<double>& v) {
        put<std::uint64_t>(v.size());
        bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }
    std::string bytes;
};

// Reads a payload; a record that passed its checksum but does not parse is reported as damaged.
class Reader {
public:
    explicit Reader(const std::string& bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
    template <class T>
    T get() {
        T v;
        take(&v, sizeof v);
        return v;
    }
    std::string text() {
        const auto n = count(1);
        std::string s(p_, n);
        p_ += n;
        return s;
    }
    std::vector<double> numbers() {
        std::vector<double> v(count(sizeof(double)));
        take(v.data(), v.size() * sizeof(double));
        return v;
    }
    std::size_t count(std::size_t item_bytes) {
        const auto n = get<std::uint64_t>();
        if (item_bytes > 0 && n > static_cast<std::uint64_t>(end_ - p_) / item_bytes) throw std::out_of_range("count");
        return static_cast<std::size_t>(n);
    }
    const char* here() const { return p_; }
    void skip(std::size_t n) { take(nullptr, n); }

private:
    void take(void* out, std::size_t n) {
        if (n > static_cast<std::size_t>(end_ - p_)) throw std::out_of_range("record");
        if (out != nullptr) std::memcpy(out, p_, n);
        p_ += n;
    }
    const char* p_;
    const char* end_;
};

std::string encode_shape(std::size_t group, const RunShape& shape) {
    Writer w;
    w.put<std::uint64_t>(group);
    w.put<std::uint8_t>(shape.with_series ? 1 : 0);
    w.put<std::uint64_t>(shape.scalars.size());
    for (const auto& s : shape.scalars) w.text(s.name), w.text(s.unit), w.text(s.description);
    w.put<std::uint64_t>(shape.series.size());
    for (const auto& s : shape.series) {
        w.text(s.name), w.text(s.unit), w.text(s.description);
        w.put<std::uint64_t>(s.days);
        w.put<std::uint64_t>(s.axes.size());
        for (const auto& a : s.axes) {
            w.text(a.name);
            w.put<std::uint64_t>(a.labels.size());
            for (const auto& l : a.labels) w.text(l);
        }
    }
    return w.bytes;
}

std::pair<std::size_t, RunShape> decode_shape(const std::string& payload) {
    Reader r(payload);
    const auto group = r.get<std::uint64_t>();
    RunShape shape;
    shape.with_series = r.get<std::uint8_t>() != 0;
    for (std::size_t n = r.count(24); n > 0; --n) shape.scalars.push_back({r.text(), r.text(), r.text()});
    for (std::size_t n = r.count(40); n > 0; --n) {
        SeriesInfo s{r.text(), r.text(), r.text(), {}, 0};
        s.days = static_cast<std::size_t>(r.get<std::uint64_t>());
        for (std::size_t a = r.count(16); a > 0; --a) {
            Axis axis{r.text(), {}};
            for (std::size_t l = r.count(8); l > 0; --l) axis.labels.push_back(r.text());
            s.axes.push_back(std::move(axis));
        }
        shape.series.push_back(std::move(s));
    }
    return {static_cast<std::size_t>(group), std::move(shape)};
}

// The fixed fields of a run record, in order, then parameters, scalar values and the series table.
struct RunHead {
    std::uint64_t job, group, point, replicate, draw, seed, results_replicate;
    std::int64_t days;
};

std::string compress(const std::vector<double>& values) {
    const auto* src = reinterpret_cast<const Bytef*>(values.data());
    const uLong size = static_cast<uLong>(values.size() * sizeof(double));
    uLongf packed = compressBound(size);
    std::string out(packed, '\0');
    // Level 1: the runs, not the journal, should have the processor.
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &packed, src, size, 1) != Z_OK)
        throw std::runtime_error("cannot compress a series for the run journal");
    out.resize(packed);
    return out;
}

std::string encode_run(const RunRecord& run, std::size_t group, bool with_series) {
    Writer w;
    const RunHead head{run.job, group, run.point, run.replicate, run.draw, run.results.seed, run.results.replicate,
                       run.results.days};
    w.put(head);
    w.numbers(run.parameters);
    std::vector<double> scalars;
    for (const auto& s : run.results.scalars) scalars.push_back(s.value);
    w.numbers(scalars);
    std::vector<std::string> packed;
    if (with_series)
        for (const auto& s : run.results.series) packed.push_back(compress(s.values));
    w.put<std::uint64_t>(packed.size());
    for (std::size_t i = 0; i < packed.size(); ++i) {
        w.put<std::uint64_t>(run.results.series[i].values.size());
        w.put<std::uint64_t>(packed[i].size());
    }
    for (const auto& p : packed) w.bytes += p;
    return w.bytes;
}

// One series of a run record: its value count and compressed bytes.
struct PackedSeries {
    std::uint64_t values = 0;
    const char* data = nullptr;
    std::uint64_t size = 0;
};

std::vector<PackedSeries> series_table(Reader& r) {
    std::vector<PackedSeries> table(r.count(16));
    for (auto& s : table) s.values = r.get<std::uint64_t>(), s.size = r.get<std::uint64_t>();
    for (auto& s : table) {
        s.data = r.here();
        r.skip(static_cast<std::size_t>(s.size));
    }
    return table;
}

// Inflates a series into out, which holds s.values doubles.
void inflate_into(const PackedSeries& s, double* out) {
    uLongf size = static_cast<uLongf>(s.values * sizeof(double));
    const int rc = uncompress(reinterpret_cast<Bytef*>(out), &size, reinterpret_cast<const Bytef*>(s.data), static_cast<uLong>(s.size));
    if (rc != Z_OK || size != s.values * sizeof(double)) throw std::out_of_range("series");
}

std::vector<double> inflate(const PackedSeries& s) {
    std::vector<double> values(static_cast<std::size_t>(s.values));
    inflate_into(s, values.data());
    return values;
}

// The span of a run record's payload, with its group and where its series table starts.
template <class Span>
Span run_span(std::uint64_t offset, const std::string& payload) {
    Reader r(payload);
    const auto head = r.get<RunHead>();
    r.skip(r.count(sizeof(double)) * sizeof(double));  // parameters
    r.skip(r.count(sizeof(double)) * sizeof(double));  // scalars
    return {offset, payload.size(), head.group, static_cast<std::uint64_t>(r.here() - payload.data())};
}

bool write_all(int fd, const char* data, std::size_t size, int& error) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            return false;
        }
        data += n, size -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

fs::path partial_path(const fs::path& target) {
    fs::path p = target;
    p += ".partial";
    return p;
}

RunJournal::RunJournal(fs::path path, fs::path target, int fd)
    : path_(std::move(path)), target_(std::move(target)), fd_(fd) {
    if (fd_ >= 0) flusher_ = std::thread([this] { flush_in_background(); });
}

void RunJournal::flush_in_background() {
    std::unique_lock lock(flush_mutex_);
    while (!stopping_) {
        flush_wake_.wait_for(lock, std::chrono::seconds(1));
        if (!dirty_ || stopping_) continue;
        dirty_ = false;
        lock.unlock();
        const int rc = ::fdatasync(fd_);
        const int error = errno;
        lock.lock();
        if (rc != 0 && flush_error_ == 0) flush_error_ = error;
    }
}

void RunJournal::stop_flushing() {
    {
        std::lock_guard lock(flush_mutex_);
        stopping_ = true;
    }
    flush_wake_.notify_all();
    if (flusher_.joinable()) flusher_.join();
}

std::unique_ptr<RunJournal> RunJournal::create(const fs::path& path, const fs::path& target, const Study& study) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    std::unique_ptr<RunJournal> j(new RunJournal(path, target, fd));
    if (fd < 0) j->fail_write("cannot create the run journal", errno);
    j->study_ = study;
    Writer w;
    w.put(kFormat);
    w.put(kByteOrder);
    w.put(static_cast<std::uint32_t>(study.kind));
    w.put(study.plan_fingerprint);
    w.put(study.jobs);
    w.put<std::uint8_t>(study.with_series ? 1 : 0);
    j->ours_ = true;
    j->write_record(study_record, w.bytes);
    j->has_study_ = true;
    j->sync();
    std::error_code ec;
    h5::sync_directory(fs::absolute(path, ec).parent_path());
    return j;
}

std::unique_ptr<RunJournal> RunJournal::open(const fs::path& path, const fs::path& target) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    std::unique_ptr<RunJournal> j(new RunJournal(path, target, fd));
    if (fd < 0) j->fail_read(std::string("cannot open it: ") + std::generic_category().message(errno));
    j->scan();
    return j;
}

// Reads records while they are whole and check out; the journal's valid part ends before the
// first that does not (a crash's torn record). Whatever follows it is cut off.
void RunJournal::scan() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail_read("cannot read it");
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    std::uint64_t pos = 0;
    bool first = true;
    if (file_size > 0 && file_size < kHeadBytes + kTailBytes) {  // torn while created, or not ours
        char start[4] = {};
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 4));
        if (::pread(fd_, start, n, 0) != static_cast<ssize_t>(n) || std::memcmp(start, &kMagic, n) != 0)
            fail_read("it is not a gatesim run journal");
    }
    while (file_size - pos >= kHeadBytes + kTailBytes) {
        char head[kHeadBytes];
        if (::pread(fd_, head, kHeadBytes, static_cast<off_t>(pos)) != static_cast<ssize_t>(kHeadBytes)) break;
        std::uint32_t magic = 0, kind = 0;
        std::uint64_t size = 0;
        std::memcpy(&magic, head, 4), std::memcpy(&kind, head + 4, 4), std::memcpy(&size, head + 8, 8);
        if (magic != kMagic) {
            if (first) fail_read("it is not a gatesim run journal");
            break;
        }
        if (size > file_size - pos - kHeadBytes - kTailBytes) break;
        const Span span{pos + kHeadBytes, size};
        std::string payload;
        std::uint32_t stored = 0;
        try {
            payload = read_payload(span);
        } catch (const ResultsFileError&) {
            break;
        }
        if (::pread(fd_, &stored, kTailBytes, static_cast<off_t>(pos + kHeadBytes + size)) != kTailBytes ||
            stored != crc_of(payload.data(), payload.size(), crc_of(head + 4, 12)))
            break;
        try {
            Reader r(payload);
            if (first) {
                if (kind != study_record || r.get<std::uint32_t>() != kFormat) fail_read("it is not a journal of this gatesim");
                if (r.get<std::uint32_t>() != kByteOrder) fail_read("it was written on a machine of another byte order");
                const auto kind_number = r.get<std::uint32_t>();
                if (kind_number >= EnumNames<StudyKind>::names.size()) fail_read("it holds a kind of study this gatesim does not know");
                study_.kind = static_cast<StudyKind>(kind_number);
                study_.plan_fingerprint = r.get<std::uint64_t>();
                study_.jobs = r.get<std::uint64_t>();
                study_.with_series = r.get<std::uint8_t>() != 0;
                has_study_ = true;
            } else if (kind == shape_record) {
                auto [group, shape] = decode_shape(payload);
                if (groups_.size() <= group) groups_.resize(group + 1);
                groups_[group] = {true, std::move(shape)};
            } else if (kind == run_record) {
                const auto job = r.get<std::uint64_t>();
                const auto group = r.get<std::uint64_t>();
                if (job != runs_.size() || group >= groups_.size() || !groups_[group].known) break;
                runs_.push_back(run_span<Span>(span.offset, payload));
            } else {
                break;
            }
        } catch (const std::out_of_range&) {
            break;
        }
        first = false;
        pos += kHeadBytes + size + kTailBytes;
    }
    end_ = pos;
    if (end_ < file_size && ::ftruncate(fd_, static_cast<off_t>(end_)) != 0) fail_read("cannot cut off its torn end");
    ours_ = true;
}

RunJournal::~RunJournal() {
    stop_flushing();
    if (fd_ < 0) return;
    if (runs_.empty() && ours_) {
        remove();
        return;
    }
    ::fdatasync(fd_);
    ::close(fd_);
}

void RunJournal::write_record(std::uint32_t kind, const std::string& payload, bool tear) {
    std::string record(kHeadBytes, '\0');
    const std::uint64_t size = payload.size();
    std::memcpy(record.data(), &kMagic, 4), std::memcpy(record.data() + 4, &kind, 4), std::memcpy(record.data() + 8, &size, 8);
    const std::uint32_t crc = crc_of(payload.data(), payload.size(), crc_of(record.data() + 4, 12));
    record += payload;
    record.append(reinterpret_cast<const char*>(&crc), kTailBytes);
    int error = 0;
    if (::lseek(fd_, static_cast<off_t>(end_), SEEK_SET) < 0) fail_write("cannot record a finished run in", errno);
    if (tear) {  // a crash in the middle of an append, for the fault tests
        write_all(fd_, record.data(), record.size() / 2, error);
        crash_now();
        if (::lseek(fd_, static_cast<off_t>(end_), SEEK_SET) < 0) fail_write("cannot record a finished run in", errno);
    }
    if (!write_all(fd_, record.data(), record.size(), error)) {
        if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) {}  // keep the valid part valid; resuming cuts it anyway
        fail_write("cannot record a finished run in", error);
    }
    end_ += record.size();
}

std::string RunJournal::pack(const RunRecord& run, std::size_t group) const { return encode_run(run, group, study_.with_series); }

void RunJournal::append(const RunRecord& run, std::size_t group, const RunShape& shape, const std::string& payload) {
    if (run.job != runs_.size())
        throw std::logic_error("run journal: job " + std::to_string(run.job) + " appended after " +
                               std::to_string(runs_.size()) + " runs");
    if (groups_.size() <= group) groups_.resize(group + 1);
    if (!groups_[group].known) {
        write_record(shape_record, encode_shape(group, shape));
        groups_[group] = {true, shape};
    }
    const std::uint64_t start = end_ + kHeadBytes;
    {
        std::lock_guard lock(flush_mutex_);
        if (flush_error_ != 0) fail_write("cannot sync the run journal", flush_error_);
    }
    write_record(run_record, payload, crash_due("journal-torn"));
    runs_.push_back(run_span<Span>(start, payload));
    {
        std::lock_guard lock(flush_mutex_);
        dirty_ = true;
    }
    crash_point("journal-run");
}

std::string RunJournal::read_bytes(const Span& span, std::uint64_t at, std::uint64_t size) const {
    if (at > span.size || size > span.size - at) throw std::out_of_range("record");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(span.offset + at + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail_read("cannot read a run record");
        done += static_cast<std::size_t>(n);
    }
    return bytes;
}

const RunShape& RunJournal::shape_of(std::size_t group) const {
    if (group >= groups_.size() || !groups_[group].known) fail_read("a run has no shape record");
    return groups_[group].shape;
}

RunRecord RunJournal::read_run(std::uint64_t job) const {
    const std::string payload = read_payload(runs_.at(job));
    try {
        Reader r(payload);
        const auto head = r.get<RunHead>();
        const RunShape& shape = shape_of(static_cast<std::size_t>(head.group));
        RunRecord run;
        run.job = head.job;
        run.point = static_cast<std::size_t>(head.point);
        run.replicate = head.replicate;
        run.draw = head.draw;
        run.parameters = r.numbers();
        run.results.seed = head.seed;
        run.results.replicate = head.results_replicate;
        run.results.days = static_cast<int>(head.days);
        const auto values = r.numbers();
        if (values.size() != shape.scalars.size()) throw std::out_of_range("scalars");
        for (std::size_t i = 0; i < values.size(); ++i) {
            const auto& s = shape.scalars[i];
            run.results.scalars.push_back({s.name, s.unit, s.description, values[i]});
        }
        const auto table = series_table(r);
        if (!table.empty() && table.size() != shape.series.size()) throw std::out_of_range("series");
        for (std::size_t i = 0; i < table.size(); ++i) {
            const auto& s = shape.series[i];
            run.results.series.push_back({s.name, s.unit, s.description, s.axes, inflate(table[i])});
        }
        return run;
    } catch (const std::out_of_range&) {
        fail_read("run record " + std::to_string(job) + " is damaged");
    }
}

void RunJournal::read_series(std::uint64_t job, std::size_t series, std::size_t day_begin, std::size_t day_end,
                             double* out) const {
    // Only the series table and the one series are read (a record holds every series of its run).
    const Span& span = runs_.at(job);
    try {
        const auto& all = shape_of(static_cast<std::size_t>(span.group)).series;
        const SeriesInfo& info = all.at(series);
        const std::string table = read_bytes(span, span.table, 8 + 16 * all.size());
        Reader r(table);
        if (r.get<std::uint64_t>() != all.size()) throw std::out_of_range("series");
        std::uint64_t at = span.table + table.size();
        PackedSeries packed;
        for (std::size_t i = 0; i <= series; ++i) {
            packed.values = r.get<std::uint64_t>(), packed.size = r.get<std::uint64_t>();
            if (i < series) at += packed.size;
        }
        const std::string bytes = read_bytes(span, at, packed.size);
        packed.data = bytes.data();
        const std::size_t width = info.width();
        if (day_end > info.days || day_begin > day_end || packed.values != info.days * width) throw std::out_of_range("series");
        if (day_begin == 0 && day_end == info.days) {
            inflate_into(packed, out);
        } else {
            thread_local std::vector<double> values;
            values.resize(static_cast<std::size_t>(packed.values));
            inflate_into(packed, values.data());
            std::memcpy(out, values.data() + day_begin * width, (day_end - day_begin) * width * sizeof(double));
        }
    } catch (const std::out_of_range&) {
        fail_read("the series of run record " + std::to_string(job) + " are damaged");
    }
}

void RunJournal::sync() {
    if (::fdatasync(fd_) != 0) fail_write("cannot sync the run journal", errno);
}

void RunJournal::remove() {
    if (fd_ < 0) return;
    stop_flushing();
    ::unlink(path_.c_str());
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    h5::sync_directory(fs::absolute(path_, ec).parent_path());
}

void RunJournal::fail_write(const std::string& what, int error) const {
    throw ResultsWriteError("cannot write results file '" + target_.string() + "': " + what + " " + path_.string() +
                            ": " + std::generic_category().message(error));
}

void RunJournal::fail_read(const std::string& what) const {
    throw ResultsFileError(path_.string() + ": " + what);
}

}  // namespace gatesim

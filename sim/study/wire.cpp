// Byte encodings of plans, jobs, runs and failures (wire.hpp).
#include "study/wire.hpp"

#include <cstring>
#include <map>
#include <memory>
#include <type_traits>
#include <vector>

#include "model/engine.hpp"

namespace gatesim {
namespace {

constexpr char magic[4] = {'G', 'S', 'W', 'R'};
constexpr std::uint16_t format_version = 1;
constexpr std::uint16_t byte_order_mark = 0x0102;

enum class Kind : std::uint8_t { plan = 1, run = 2, failure = 3, job = 4 };
enum class FailureKind : std::uint8_t { bad_input = 1, interrupted = 2, internal = 3 };

// Appends values as their bytes; scenarios through describe(), keys included.
class Writer {
public:
    explicit Writer(Kind kind) {
        out_.append(magic, sizeof magic);
        number(format_version);
        number(byte_order_mark);
        number(static_cast<std::uint8_t>(kind));
    }

    template <class N>
    void number(N v) {
        static_assert(std::is_arithmetic_v<N>);
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void text(std::string_view s) {
        number<std::uint64_t>(s.size());
        out_.append(s.data(), s.size());
    }
    void numbers(const std::vector<double>& v) {
        number<std::uint64_t>(v.size());
        out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }

    template <class T>
    void operator()(std::string_view key, T& value, const Meta&) {
        text(key);
        add(value);
    }
    template <class T>
    void add(T& value) {
        if constexpr (std::is_same_v<T, std::string>) text(value);
        else if constexpr (std::is_same_v<T, bool>) number<std::uint8_t>(value ? 1 : 0);
        else if constexpr (std::is_arithmetic_v<T>) number(value);
        else if constexpr (std::is_enum_v<T>) number(static_cast<std::int64_t>(value));
        else if constexpr (std::is_same_v<T, Distribution>) distribution(value);
        else if constexpr (is_optional<T>::value) {
            number<std::uint8_t>(value.has_value() ? 1 : 0);
            if (value) add(*value);
        } else if constexpr (Described<T>) describe(*this, value);
        else if constexpr (std::is_same_v<T, std::map<std::string, double>>) {  // a number map {id: number}
            number<std::uint64_t>(value.size());
            for (const auto& [id, v] : value) {
                text(id);
                number(v);
            }
        } else if constexpr (is_vector<T>::value) {
            number<std::uint64_t>(value.size());
            for (auto& item : value) {
                if constexpr (NamedEntity<typename is_vector<T>::value_type>) text(item.id);  // ids are not described
                add(item);
            }
        } else static_assert(!sizeof(T), "a scenario field of a type the wire format does not know");
    }
    void distribution(const Distribution& d) {
        number(static_cast<std::int64_t>(d.kind));
        for (double v : {d.value, d.low, d.high, d.mode, d.median, d.sigma}) number(v);
        numbers(d.values);
        numbers(d.weights);
    }

    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// Reads what Writer wrote, refusing anything else.
class Reader {
public:
    Reader(std::string_view bytes, Kind expected) : in_(bytes) {
        if (in_.size() < sizeof magic || std::memcmp(in_.data(), magic, sizeof magic) != 0)
            throw WireError("not a gatesim message");
        at_ = sizeof magic;
        if (number<std::uint16_t>() != format_version) throw WireError("a message of another gatesim version");
        if (number<std::uint16_t>() != byte_order_mark) throw WireError("a message from a machine of another byte order");
        if (static_cast<Kind>(number<std::uint8_t>()) != expected) throw WireError("an unexpected kind of message");
    }
    // For messages that may be one of two kinds.
    static Kind kind_of(std::string_view bytes) {
        constexpr std::size_t at = sizeof magic + 2 * sizeof(std::uint16_t);
        if (bytes.size() <= at) throw WireError("not a gatesim message");
        return static_cast<Kind>(static_cast<std::uint8_t>(bytes[at]));
    }

    template <class N>
    N number() {
        N v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }
    std::string text() {
        const auto n = count(1);
        return std::string(take(n), n);
    }
    std::vector<double> numbers() {
        std::vector<double> v(count(sizeof(double)));
        if (!v.empty()) std::memcpy(v.data(), take(v.size() * sizeof(double)), v.size() * sizeof(double));
        return v;
    }
    // A count of items of at least `item_bytes` each, checked against what is left.
    std::size_t count(std::size_t item_bytes) {
        const auto n = number<std::uint64_t>();
        if (item_bytes > 0 && n > (in_.size() - at_) / item_bytes) throw WireError("a truncated message");
        return static_cast<std::size_t>(n);
    }

    template <class T>
    void operator()(std::string_view key, T& value, const Meta&) {
        if (text() != key) throw WireError("a scenario from a build of gatesim that describes scenarios differently");
        read(value);
    }
    template <class T>
    void read(T& value) {
        if constexpr (std::is_same_v<T, std::string>) value = text();
        else if constexpr (std::is_same_v<T, bool>) value = number<std::uint8_t>() != 0;
        else if constexpr (std::is_arithmetic_v<T>) value = number<T>();
        else if constexpr (std::is_enum_v<T>) value = static_cast<T>(number<std::int64_t>());
        else if constexpr (std::is_same_v<T, Distribution>) value = distribution();
        else if constexpr (is_optional<T>::value) {
            value.reset();
            if (number<std::uint8_t>()) read(value.emplace());
        } else if constexpr (Described<T>) describe(*this, value);
        else if constexpr (std::is_same_v<T, std::map<std::string, double>>) {
            value.clear();
            for (std::size_t n = count(sizeof(std::uint64_t) + sizeof(double)); n > 0; --n) {
                std::string id = text();
                value[std::move(id)] = number<double>();
            }
        } else if constexpr (is_vector<T>::value) {
            value.clear();
            value.resize(count(1));
            for (auto& item : value) {
                if constexpr (NamedEntity<typename is_vector<T>::value_type>) item.id = text();
                read(item);
            }
        } else static_assert(!sizeof(T), "a scenario field of a type the wire format does not know");
    }
    Distribution distribution() {
        Distribution d;
        d.kind = static_cast<DistributionKind>(number<std::int64_t>());
        for (double* v : {&d.value, &d.low, &d.high, &d.mode, &d.median, &d.sigma}) *v = number<double>();
        d.values = numbers();
        d.weights = numbers();
        return d;
    }

    void finish() const {
        if (at_ != in_.size()) throw WireError("a message with trailing bytes");
    }

private:
    const char* take(std::size_t n) {
        if (n > in_.size() - at_) throw WireError("a truncated message");
        const char* p = in_.data() + at_;
        at_ += n;
        return p;
    }

    std::string_view in_;
    std::size_t at_ = 0;
};

// The plan's fields after the header; bases shared by points are written once.
void write_plan(Writer& w, const EnsemblePlan& plan) {
    w.number(plan_fingerprint(plan));
    w.number(static_cast<std::int64_t>(plan.order));
    w.number(plan.replicates);
    w.number(plan.noise_replicates);
    w.number<std::uint64_t>(plan.recorded_parameters.size());
    for (const auto& p : plan.recorded_parameters) w.text(p);
    std::map<const Scenario*, std::uint64_t> bases;
    std::vector<const Scenario*> order;
    for (const auto& point : plan.points)
        if (bases.try_emplace(point.base.get(), bases.size()).second) order.push_back(point.base.get());
    w.number<std::uint64_t>(order.size());
    for (const Scenario* base : order) w.add(const_cast<Scenario&>(*base));  // describe() takes references; only read
    w.number<std::uint64_t>(plan.points.size());
    for (const auto& point : plan.points) {
        w.number(bases.at(point.base.get()));
        w.number<std::uint64_t>(point.settings.size());
        for (const auto& [path, value] : point.settings) {
            w.text(path);
            w.number(value);
        }
        w.number<std::uint64_t>(point.uncertain.size());
        for (const auto& u : point.uncertain) {
            w.text(u.key_path);
            w.distribution(u.distribution);
            w.text(u.joint);
        }
    }
}

EnsemblePlan read_plan(Reader& r) {
    EnsemblePlan plan;
    const auto fingerprint = r.number<std::uint64_t>();
    plan.order = static_cast<JobOrder>(r.number<std::int64_t>());
    plan.replicates = r.number<std::uint64_t>();
    plan.noise_replicates = r.number<std::uint64_t>();
    plan.recorded_parameters.resize(r.count(8));
    for (auto& p : plan.recorded_parameters) p = r.text();
    std::vector<std::shared_ptr<const Scenario>> bases(r.count(1));
    for (auto& base : bases) {
        auto s = std::make_shared<Scenario>();
        r.read(*s);
        base = std::move(s);
    }
    plan.points.resize(r.count(8));
    for (auto& point : plan.points) {
        const auto base = r.number<std::uint64_t>();
        if (base >= bases.size()) throw WireError("a plan whose point refers to no scenario");
        point.base = bases[base];
        point.settings.resize(r.count(16));
        for (auto& [path, value] : point.settings) {
            path = r.text();
            value = r.number<double>();
        }
        point.uncertain.resize(r.count(8));
        for (auto& u : point.uncertain) {
            u.key_path = r.text();
            u.distribution = r.distribution();
            u.joint = r.text();
        }
    }
    if (plan_fingerprint(plan) != fingerprint)
        throw WireError("a plan that differs once received: the processes run different builds of gatesim");
    return plan;
}

}  // namespace

std::string encode_plan(const EnsemblePlan& plan) {
    Writer w(Kind::plan);
    write_plan(w, plan);
    return w.take();
}

EnsemblePlan decode_plan(std::string_view bytes) {
    Reader r(bytes, Kind::plan);
    EnsemblePlan plan = read_plan(r);
    r.finish();
    return plan;
}

std::string encode_run(const RunRecord& run) {
    Writer w(Kind::run);
    for (std::uint64_t v : {run.job, static_cast<std::uint64_t>(run.point), run.replicate, run.draw}) w.number(v);
    w.numbers(run.parameters);
    const Results& r = run.results;
    w.number(r.seed);
    w.number(r.replicate);
    w.number(r.days);
    w.number<std::uint64_t>(r.series.size());
    for (const Series& s : r.series) {
        for (const std::string* t : {&s.name, &s.unit, &s.description}) w.text(*t);
        w.number<std::uint64_t>(s.axes.size());
        for (const Axis& a : s.axes) {
            w.text(a.name);
            w.number<std::uint64_t>(a.labels.size());
            for (const auto& label : a.labels) w.text(label);
        }
        w.numbers(s.values);
    }
    w.number<std::uint64_t>(r.scalars.size());
    for (const Scalar& s : r.scalars) {
        for (const std::string* t : {&s.name, &s.unit, &s.description}) w.text(*t);
        w.number(s.value);
    }
    return w.take();
}

RunRecord decode_run(std::string_view bytes) {
    Reader r(bytes, Kind::run);
    RunRecord run;
    run.job = r.number<std::uint64_t>();
    run.point = static_cast<std::size_t>(r.number<std::uint64_t>());
    run.replicate = r.number<std::uint64_t>();
    run.draw = r.number<std::uint64_t>();
    run.parameters = r.numbers();
    Results& results = run.results;
    results.seed = r.number<std::uint64_t>();
    results.replicate = r.number<std::uint64_t>();
    results.days = r.number<int>();
    results.series.resize(r.count(32));
    for (Series& s : results.series) {
        for (std::string* t : {&s.name, &s.unit, &s.description}) *t = r.text();
        s.axes.resize(r.count(16));
        for (Axis& a : s.axes) {
            a.name = r.text();
            a.labels.resize(r.count(8));
            for (auto& label : a.labels) label = r.text();
        }
        s.values = r.numbers();
    }
    results.scalars.resize(r.count(32));
    for (Scalar& s : results.scalars) {
        for (std::string* t : {&s.name, &s.unit, &s.description}) *t = r.text();
        s.value = r.number<double>();
    }
    r.finish();
    return run;
}

std::string encode_failure(std::exception_ptr failure) {
    FailureKind kind = FailureKind::internal;
    std::string message = "an unknown error";
    try {
        std::rethrow_exception(failure);
    } catch (const BadInput& e) {
        kind = FailureKind::bad_input;
        message = e.what();
    } catch (const Cancelled& e) {
        kind = FailureKind::interrupted;
        message = e.what();
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
    }
    Writer w(Kind::failure);
    w.number(static_cast<std::uint8_t>(kind));
    w.text(message);
    return w.take();
}

void rethrow_failure(std::string_view bytes) {
    Reader r(bytes, Kind::failure);
    const auto kind = static_cast<FailureKind>(r.number<std::uint8_t>());
    const std::string message = r.text();
    r.finish();
    if (kind == FailureKind::bad_input) throw BadInput(message);
    if (kind == FailureKind::interrupted) throw Cancelled();
    throw std::runtime_error(message);
}

std::string encode_job(const EnsemblePlan& plan, std::uint64_t job) {
    const auto [point, replicate] = plan.job(job);
    EnsemblePlan alone;  // with one point, job r is replicate r in either order
    alone.points = {plan.points.at(point)};
    alone.replicates = plan.replicates;
    alone.noise_replicates = plan.noise_replicates;
    alone.order = plan.order;
    alone.recorded_parameters = plan.recorded_parameters;
    Writer w(Kind::job);
    w.number(job);
    w.number<std::uint64_t>(point);
    w.number(replicate);
    write_plan(w, alone);
    return w.take();
}

std::string run_encoded_job(std::string_view job, int threads, const std::atomic<bool>* cancel) {
    try {
        Reader r(job, Kind::job);
        const auto index = r.number<std::uint64_t>();
        const auto point = r.number<std::uint64_t>();
        const auto replicate = r.number<std::uint64_t>();
        const EnsemblePlan alone = read_plan(r);
        r.finish();
        RunRecord run = run_job(alone, replicate, threads, cancel);
        run.job = index;
        run.point = static_cast<std::size_t>(point);
        return encode_run(run);
    } catch (...) {
        return encode_failure(std::current_exception());
    }
}

RunRecord decode_job_outcome(std::string_view bytes) {
    if (Reader::kind_of(bytes) == Kind::failure) rethrow_failure(bytes);
    return decode_run(bytes);
}

}  // namespace gatesim

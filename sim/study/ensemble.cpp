// Parallel ensemble runner with in-order delivery, and the mapping of jobs to runs.
#include "study/ensemble.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "model/engine.hpp"

namespace gatesim {

std::pair<std::size_t, std::uint64_t> EnsemblePlan::job(std::uint64_t j) const {
    if (order == JobOrder::point_major) return {static_cast<std::size_t>(j / replicates), j % replicates};
    return {static_cast<std::size_t>(j % points.size()), j / points.size()};
}

std::uint64_t EnsemblePlan::job_of(std::size_t point, std::uint64_t replicate) const {
    if (order == JobOrder::point_major) return point * replicates + replicate;
    return replicate * points.size() + point;
}

std::uint64_t EnsemblePlan::completed_replicates(std::size_t point, std::uint64_t completed_jobs) const {
    if (order == JobOrder::point_major) {
        const std::uint64_t start = point * replicates;
        return completed_jobs <= start ? 0 : std::min(replicates, completed_jobs - start);
    }
    const std::uint64_t n = points.size();
    return std::min(replicates, completed_jobs / n + (point < completed_jobs % n ? 1 : 0));
}

namespace {

// A point's scenario before any parameter draw: its base with its settings.
Scenario point_scenario(const EnsemblePoint& p) {
    Scenario s = p.scenario();
    for (const auto& [path, value] : p.settings) set_parameter(s, path, value);
    return s;
}

}  // namespace

Scenario run_scenario(const EnsemblePlan& plan, std::size_t point, std::uint64_t replicate) {
    const EnsemblePoint& p = plan.points.at(point);
    Scenario s = point_scenario(p);
    if (!p.uncertain.empty()) apply_parameter_draw(s, p.uncertain, replicate / plan.noise_replicates);
    return s;
}

void check_plan(const EnsemblePlan& plan, bool same_days) {
    if (plan.points.empty()) throw PlanError("nothing to run: the plan has no points");
    if (plan.replicates < 1) throw PlanError("the number of replicates must be at least 1");
    if (plan.noise_replicates < 1 || plan.replicates % plan.noise_replicates != 0)
        throw PlanError(std::to_string(plan.replicates) + " replicates cannot be split into parameter draws of " +
                        std::to_string(plan.noise_replicates) +
                        " noise replicates each; the replicates must be a multiple of the noise replicates");
    int days = 0;
    for (std::size_t p = 0; p < plan.points.size(); ++p) {
        const EnsemblePoint& point = plan.points[p];
        const std::string where = plan.points.size() > 1 ? "point " + std::to_string(p) + ": " : "";
        if (!point.base) throw PlanError(where + "has no scenario");
        int point_days = 0;
        try {
            point_days = point_scenario(point).days;
        } catch (const ParameterError& e) {
            throw PlanError(where + e.what());
        }
        if (p == 0) days = point_days;
        if (same_days && point_days != days)
            throw PlanError(where + "simulates " + std::to_string(point_days) + " days, but point 0 simulates " +
                            std::to_string(days) + "; every point must have the same horizon");
        const std::uint64_t draws = point.uncertain.empty() ? 1 : plan.draws();
        for (std::uint64_t k = 0; k < draws; ++k) {
            Scenario s;
            try {
                s = run_scenario(plan, p, k * plan.noise_replicates);
            } catch (const ParameterError& e) {
                throw PlanError(where + e.what());
            }
            auto describe_draw = [&] {
                std::string values;
                for (const auto& u : point.uncertain)
                    values += (values.empty() ? "" : ", ") + u.key_path + " = " + format_value(parameter_value(s, u.key_path));
                return values.empty() ? std::string() : " (parameter draw " + std::to_string(k) + ": " + values + ")";
            };
            if (s.days != point_days)
                throw PlanError(where + "days cannot be uncertain: every run of a point must have the same horizon" +
                                describe_draw());
            const auto issues = check_consistency(s);
            if (!issues.empty())
                throw PlanError(where + issues.front().key_path + ": " + issues.front().message + describe_draw());
        }
    }
}

namespace {

// Hashes values field by field in describe() order (FNV-1a over their bytes and names).
class Fingerprint {
public:
    template <class T>
    void operator()(std::string_view key, T& value, const Meta&) {
        text(key);
        add(value);
    }

    void text(std::string_view s) {
        number(s.size());
        for (unsigned char c : s) byte(c);
    }
    template <class N>
    void number(N v) {
        unsigned char bytes[sizeof v];
        std::memcpy(bytes, &v, sizeof v);
        for (unsigned char b : bytes) byte(b);
    }
    void add(const Distribution& d) {
        number(static_cast<int>(d.kind));
        for (double v : {d.value, d.low, d.high, d.mode, d.median, d.sigma}) number(v);
        add(d.values);
        add(d.weights);
    }
    template <class T>
    void add(T& value) {
        if constexpr (std::is_same_v<T, std::string>) text(value);
        else if constexpr (std::is_arithmetic_v<T>) number(value);
        else if constexpr (std::is_enum_v<T>) number(static_cast<long long>(value));
        else if constexpr (is_optional<T>::value) {
            number(value.has_value());
            if (value) add(*value);
        } else if constexpr (Described<T>) {
            describe(*this, value);
        } else if constexpr (std::is_same_v<T, NumberMap>) {
            number(value.size());
            for (auto& [id, v] : value) {
                text(id);
                number(v);
            }
        } else if constexpr (is_vector<T>::value) {
            number(value.size());
            for (auto& item : value) {
                if constexpr (NamedEntity<typename is_vector<T>::value_type>) text(item.id);  // ids are not described
                add(item);
            }
        }
        // Other field types (none today) would need a case here to count in the fingerprint.
    }
    std::uint64_t value() const { return hash_; }

private:
    void byte(unsigned char c) {
        hash_ ^= c;
        hash_ *= 0x100000001b3ULL;
    }
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

RunRecord make_record(const EnsemblePlan& plan, std::uint64_t job, int threads, const std::atomic<bool>* halt) {
    RunRecord record;
    record.job = job;
    std::tie(record.point, record.replicate) = plan.job(job);
    record.draw = record.replicate / plan.noise_replicates;
    const Scenario s = run_scenario(plan, record.point, record.replicate);
    for (const auto& path : plan.recorded_parameters) {
        // A compared scenario may lack an entity another one varies: not recorded there.
        try {
            record.parameters.push_back(parameter_value(s, path));
        } catch (const ParameterError&) {
            record.parameters.push_back(std::numeric_limits<double>::quiet_NaN());
        }
    }
    RunOptions options;
    options.threads = threads;
    options.replicate = record.replicate;
    options.cancel = halt;
    record.results = simulate(s, options);
    return record;
}

}  // namespace

std::uint64_t plan_fingerprint(const EnsemblePlan& plan) {
    Fingerprint f;
    f.number(static_cast<int>(plan.order));
    f.number(plan.replicates);
    f.number(plan.noise_replicates);
    f.number(plan.recorded_parameters.size());
    for (const auto& p : plan.recorded_parameters) f.text(p);
    f.number(plan.points.size());
    // Points share bases: hash each base once and refer to it by position.
    std::map<const Scenario*, std::size_t> bases;
    for (const auto& point : plan.points) {
        auto [it, first] = bases.try_emplace(point.base.get(), bases.size());
        f.number(it->second);
        // describe() takes mutable references; the fingerprint only reads.
        if (first) f.add(const_cast<Scenario&>(point.scenario()));
        f.number(point.settings.size());
        for (const auto& [path, value] : point.settings) {
            f.text(path);
            f.number(value);
        }
        f.number(point.uncertain.size());
        for (const auto& u : point.uncertain) {
            f.text(u.key_path);
            f.add(u.distribution);
        }
    }
    return f.value();
}

namespace {

// What the workers of one ensemble share: they take jobs in order (at most `window` ahead of
// delivery) and park finished runs here; the calling thread takes them out in job order.
struct JobQueue {
    JobQueue(const EnsemblePlan& p, std::uint64_t first, std::uint64_t e, std::size_t workers, int threads)
        : plan(p),
          end(e),
          window(2 * workers + 2),
          run_threads(std::max(1, threads / static_cast<int>(workers))),
          next_job(first),
          next_delivery(first),
          running_workers(workers) {}

    const EnsemblePlan& plan;
    std::uint64_t end;     // one past the last job of this call
    std::uint64_t window;  // finished runs that may wait for delivery
    int run_threads;       // threads per run: the spare ones when runs are fewer than threads
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::uint64_t, RunRecord> finished;
    std::uint64_t next_job, next_delivery;
    std::size_t running_workers;
    bool stop = false;
    std::exception_ptr failure;
    std::atomic<bool> halt{false};  // tells runs in progress to stop (cancel or failure)

    void halt_all() {  // with mutex held
        stop = true;
        halt = true;
        changed.notify_all();
    }

    // A worker thread: runs jobs until there are none left or the ensemble stops.
    void work() {
        while (true) {
            std::uint64_t job = 0;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return stop || next_job >= end || next_job < next_delivery + window; });
                if (stop || next_job >= end) break;
                job = next_job++;
            }
            try {
                RunRecord record = make_record(plan, job, run_threads, &halt);
                std::lock_guard lock(mutex);
                finished.emplace(job, std::move(record));
                changed.notify_all();
            } catch (const Cancelled&) {
                std::lock_guard lock(mutex);
                halt_all();
                break;
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
                halt_all();
                break;
            }
        }
        std::lock_guard lock(mutex);
        --running_workers;
        changed.notify_all();
    }

    // The next run in job order, once finished; false when none will come (the workers are done
    // or one failed). Polls the caller's cancel flag: the runs watch only `halt`.
    bool take_next(RunRecord& record, const std::function<bool()>& cancelled) {
        std::unique_lock lock(mutex);
        while (!finished.count(next_delivery) && running_workers > 0) {
            if (cancelled() && !stop) halt_all();
            changed.wait_for(lock, std::chrono::milliseconds(50));
        }
        auto it = finished.find(next_delivery);
        if (it == finished.end() || failure) return false;
        record = std::move(it->second);
        finished.erase(it);
        return true;
    }

    // After the sink took the run: the number of jobs delivered.
    std::uint64_t delivered() {
        std::lock_guard lock(mutex);
        const std::uint64_t done = ++next_delivery;
        changed.notify_all();
        return done;
    }
};

}  // namespace

EnsembleOutcome run_ensemble(const EnsemblePlan& plan, RunSink& sink, const EnsembleOptions& options) {
    const std::uint64_t total = plan.jobs();
    const std::uint64_t first = std::min(options.first_job, total);
    const std::uint64_t end = first + std::min(options.max_jobs, total - first);
    EnsembleOutcome outcome;
    outcome.completed_jobs = first;
    const std::function<bool()> cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
    if (first >= end || cancelled()) {
        outcome.cancelled = first < end;
        outcome.complete = first == total;
        return outcome;
    }

    // Parallel over runs, each single-threaded: no per-day synchronisation. Only when runs are
    // fewer than threads do the spare threads go to the runs' agent blocks.
    const std::size_t workers = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::max(options.threads, 1)), 1, end - first);
    JobQueue queue(plan, first, end, workers, options.threads);

    std::vector<std::thread> pool;
    pool.reserve(workers);
    auto join_all = [&] {
        for (auto& t : pool)
            if (t.joinable()) t.join();
    };
    try {
        for (std::size_t w = 0; w < workers; ++w) pool.emplace_back([&queue] { queue.work(); });
        for (RunRecord record; queue.take_next(record, cancelled);) {
            sink.accept(record);
            const std::uint64_t done = queue.delivered();
            if (options.progress) options.progress(done, total);
        }
    } catch (...) {
        {
            std::lock_guard lock(queue.mutex);
            queue.halt_all();
        }
        join_all();
        throw;
    }
    join_all();
    if (queue.failure) std::rethrow_exception(queue.failure);
    outcome.completed_jobs = queue.next_delivery;
    outcome.complete = queue.next_delivery == total;
    outcome.cancelled = !outcome.complete && queue.next_delivery < end && cancelled();
    return outcome;
}

}  // namespace gatesim

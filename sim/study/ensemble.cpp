// The mapping of jobs to runs, plan checks and fingerprints, and run_ensemble, which hands a
// plan's jobs to an executor (executor.hpp).
#include "study/ensemble.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <map>

#include "model/engine.hpp"
#include "study/executor.hpp"

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
            // Only a joint field adds its sample's name, so that plans without one keep their fingerprints.
            if (!u.joint.empty()) f.text("joint:" + u.joint);
        }
    }
    return f.value();
}

RunRecord run_job(const EnsemblePlan& plan, std::uint64_t job, int threads, const std::atomic<bool>* cancel) {
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
    options.cancel = cancel;
    record.results = simulate(s, options);
    return record;
}

namespace {

// Reports progress after each delivery: runs arrive in job order, so job + 1 are done.
class ReportingSink : public RunSink {
public:
    ReportingSink(RunSink& inner, const std::function<void(std::uint64_t, std::uint64_t)>& progress, std::uint64_t total)
        : inner_(inner), progress_(progress), total_(total) {}
    void accept(const RunRecord& run) override {
        inner_.accept(run);
        progress_(run.job + 1, total_);
    }
    void prepare(const RunRecord& run) override { inner_.prepare(run); }

private:
    RunSink& inner_;
    const std::function<void(std::uint64_t, std::uint64_t)>& progress_;
    std::uint64_t total_;
};

}  // namespace

EnsembleOutcome run_ensemble(const EnsemblePlan& plan, RunSink& sink, const EnsembleOptions& options) {
    const std::uint64_t total = plan.jobs();
    const std::uint64_t first = std::min(options.first_job, total);
    const std::uint64_t end = first + std::min(options.max_jobs, total - first);
    EnsembleOutcome outcome;
    outcome.completed_jobs = first;
    const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(); };
    if (first >= end || cancelled()) {
        outcome.cancelled = first < end;
        outcome.complete = first == total;
        return outcome;
    }
    ThreadExecutor threads;
    Executor& executor = options.executor ? *options.executor : threads;
    ReportingSink reporting(sink, options.progress, total);
    RunSink& target = options.progress ? static_cast<RunSink&>(reporting) : sink;
    const Delivery delivery = executor.run(plan, {first, end}, target, options);
    outcome.completed_jobs = delivery.next;
    outcome.complete = delivery.next == total;
    outcome.cancelled = !outcome.complete && delivery.next < end && (delivery.interrupted || cancelled());
    return outcome;
}

}  // namespace gatesim

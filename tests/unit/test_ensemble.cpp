// Unit tests for the ensemble runner (sim/core/ensemble.cpp) on the real engine: determinism
// across threads, order of delivery, interruption and continuation, common random numbers, and
// the variance decomposition of nested designs.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "study/ensemble.hpp"
#include "study/executor.hpp"
#include "study/statistics.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {

// Keeps every run in memory (tests only: real sinks stream to disk).
struct Collect : RunSink {
    std::vector<RunRecord> runs;
    void accept(const RunRecord& run) override { runs.push_back(run); }
};

Scenario small_shutdown(std::vector<std::string> overrides = {}) {
    overrides.push_back("days=60");
    return test::heavy("global_shutdown", overrides, 2000);
}

using test::plan_of;

std::vector<RunRecord> run_all(const EnsemblePlan& plan, EnsembleOptions options = {}) {
    Collect sink;
    run_ensemble(plan, sink, options);
    return sink.runs;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_run(const RunRecord& a, const RunRecord& b) {
    if (a.job != b.job || a.point != b.point || a.replicate != b.replicate || a.parameters.size() != b.parameters.size())
        return false;
    for (std::size_t i = 0; i < a.parameters.size(); ++i)
        if (!same_bits(a.parameters[i], b.parameters[i])) return false;
    const Results &x = a.results, &y = b.results;
    if (x.series.size() != y.series.size() || x.scalars.size() != y.scalars.size()) return false;
    for (std::size_t i = 0; i < x.series.size(); ++i)
        if (x.series[i].values.size() != y.series[i].values.size() ||
            std::memcmp(x.series[i].values.data(), y.series[i].values.data(), x.series[i].values.size() * sizeof(double)) != 0)
            return false;
    for (std::size_t i = 0; i < x.scalars.size(); ++i)
        if (!same_bits(x.scalars[i].value, y.scalars[i].value)) return false;
    return true;
}

std::vector<double> scalar_of(const std::vector<RunRecord>& runs, const std::string& name) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r.results.scalar(name));
    return v;
}

double variance(const std::vector<double>& v) {
    double mean = 0, ss = 0;
    for (double x : v) mean += x / static_cast<double>(v.size());
    for (double x : v) ss += (x - mean) * (x - mean);
    return ss / static_cast<double>(v.size() - 1);
}

}  // namespace

TEST_CASE("an ensemble is bit-identical on 1 and 2 threads and arrives in replicate order") {
    const UncertainParameter patience{"segments.consumer.patience_days", {.kind = DistributionKind::uniform, .low = 3, .high = 12}};
    const auto plan = plan_of(small_shutdown(), 6, {patience}, 2);
    EnsembleOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const auto a = run_all(plan, one), b = run_all(plan, two);
    REQUIRE(a.size() == 6);
    REQUIRE(b.size() == 6);
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].job == i);
        CHECK(a[i].replicate == i);
        CHECK(a[i].draw == i / 2);  // 3 parameter draws x 2 noise replicates
        CHECK(same_run(a[i], b[i]));
    }
    // Replicates of one draw share the parameter value; draws differ.
    CHECK(a[0].parameters == a[1].parameters);
    CHECK(a[0].parameters != a[2].parameters);
    // A replicate is the single run with that replicate index.
    CHECK(same_bits(a[3].results.scalar("churn_at_horizon"),
                    [&] {
                        RunOptions o;
                        o.replicate = 3;
                        return simulate(run_scenario(plan, 0, 3), o).scalar("churn_at_horizon");
                    }()));
}

TEST_CASE("each run is prepared once, on the thread that computed it, before it is accepted") {
    // Catch's assertions are not thread-safe: the sink records, the test checks afterwards.
    struct Preparing : RunSink {
        std::mutex mutex;
        std::map<std::uint64_t, std::thread::id> prepared;  // job -> the thread that prepared it
        std::vector<std::uint64_t> accepted;
        bool once = true, prepared_first = true, elsewhere = true;
        void prepare(const RunRecord& run) override {
            std::lock_guard lock(mutex);
            once = prepared.emplace(run.job, std::this_thread::get_id()).second && once;
        }
        void accept(const RunRecord& run) override {
            std::lock_guard lock(mutex);
            const auto it = prepared.find(run.job);
            prepared_first = prepared_first && it != prepared.end();
            elsewhere = elsewhere && (it == prepared.end() || it->second != std::this_thread::get_id());
            accepted.push_back(run.job);
        }
    } sink;
    EnsembleOptions options;
    options.threads = 2;
    run_ensemble(plan_of(small_shutdown(), 6, {}, 1), sink, options);
    CHECK(sink.accepted == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5});
    CHECK(sink.prepared.size() == 6);
    CHECK(sink.once);
    CHECK(sink.prepared_first);
    CHECK(sink.elsewhere);  // on a worker, not on the thread that delivers in job order
}

TEST_CASE("a stopped ensemble keeps a prefix of runs, and continuing it gives the same runs") {
    const auto plan = plan_of(small_shutdown(), 7);
    EnsembleOptions options;
    options.threads = 2;
    const auto full = run_all(plan, options);

    Collect first, rest;
    options.max_jobs = 3;
    const auto stopped = run_ensemble(plan, first, options);
    CHECK(stopped.completed_jobs == 3);
    CHECK_FALSE(stopped.complete);
    options.max_jobs = UINT64_MAX;
    options.first_job = 3;
    const auto finished = run_ensemble(plan, rest, options);
    CHECK(finished.complete);
    REQUIRE(first.runs.size() + rest.runs.size() == full.size());
    for (std::size_t i = 0; i < full.size(); ++i) CHECK(same_run(i < 3 ? first.runs[i] : rest.runs[i - 3], full[i]));
}

TEST_CASE("a cancel flag stops an ensemble; finished runs are delivered, none after a gap") {
    const auto plan = plan_of(small_shutdown(), 20);
    std::atomic<bool> cancel{false};
    struct CancelAfter : RunSink {
        std::atomic<bool>& flag;
        std::vector<std::uint64_t> jobs;
        explicit CancelAfter(std::atomic<bool>& f) : flag(f) {}
        void accept(const RunRecord& run) override {
            jobs.push_back(run.job);
            if (jobs.size() == 4) flag = true;
        }
    } sink(cancel);
    EnsembleOptions options;
    options.threads = 2;
    options.cancel = &cancel;
    const auto outcome = run_ensemble(plan, sink, options);
    CHECK(outcome.cancelled);
    CHECK_FALSE(outcome.complete);
    CHECK(outcome.completed_jobs == sink.jobs.size());
    CHECK(outcome.completed_jobs >= 4);
    CHECK(outcome.completed_jobs < 20);
    for (std::size_t i = 0; i < sink.jobs.size(); ++i) CHECK(sink.jobs[i] == i);
}

// An executor of the dispatcher kind: it takes jobs without blocking, a few at a time, and
// computes each batch last job first, as remote workers finishing out of order would.
struct BatchesBackwards : Executor {
    std::vector<std::uint64_t> computed;
    Delivery run(const EnsemblePlan& plan, JobRange range, RunSink& sink, const EnsembleOptions& options) override {
        JobQueue queue(range, 3);
        auto dispatch = [&] {
            while (!queue.exhausted()) {
                std::vector<std::uint64_t> batch;
                while (const auto job = queue.try_take_job()) batch.push_back(*job);
                for (auto j = batch.rbegin(); j != batch.rend(); ++j) {
                    computed.push_back(*j);
                    queue.finish(run_job(plan, *j, 1));
                }
                if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        };
        return queue.deliver({dispatch}, sink, options);
    }
};

TEST_CASE("an executor plugs in: runs computed out of order arrive in job order, bit-identical") {
    const auto plan = plan_of(small_shutdown(), 7);
    const auto expected = run_all(plan);
    BatchesBackwards executor;
    EnsembleOptions options;
    options.executor = &executor;
    options.first_job = 1;
    std::vector<std::uint64_t> progress;
    options.progress = [&](std::uint64_t done, std::uint64_t total) {
        CHECK(total == 7);
        progress.push_back(done);
    };
    Collect sink;
    const auto outcome = run_ensemble(plan, sink, options);
    CHECK(outcome.complete);
    REQUIRE(sink.runs.size() == 6);
    for (std::size_t i = 0; i < sink.runs.size(); ++i) CHECK(same_run(sink.runs[i], expected[i + 1]));
    CHECK(progress == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7});
    CHECK(executor.computed.front() != 1);  // the first batch was computed backwards
}

TEST_CASE("check_plan rejects impossible counts and inconsistent draws") {
    CHECK_THROWS_AS(check_plan(plan_of(small_shutdown(), 10, {}, 3), true), PlanError);  // 10 not a multiple of 3
    const UncertainParameter share{"models.a_frontier.shares.api", {.kind = DistributionKind::uniform, .low = 0.3, .high = 0.5}};
    CHECK_THROWS_WITH(check_plan(plan_of(small_shutdown(), 4, {share}, 1), true), Catch::Contains("sum to 1"));
    const UncertainParameter days{"days", {.kind = DistributionKind::uniform, .low = 30, .high = 50}};
    CHECK_THROWS_WITH(check_plan(plan_of(small_shutdown(), 4, {days}, 1), true), Catch::Contains("days cannot be uncertain"));
    CHECK_NOTHROW(check_plan(plan_of(small_shutdown(), 4), true));
}

TEST_CASE("the plan fingerprint sees every field, and nothing else") {
    const Scenario s = small_shutdown();
    const auto base = plan_fingerprint(plan_of(s, 4));
    CHECK(plan_fingerprint(plan_of(s, 4)) == base);
    CHECK(plan_fingerprint(plan_of(s, 5)) != base);
    CHECK(plan_fingerprint(plan_of(test::with(s, {"models.a_frontier.price=7"}), 4)) != base);
    CHECK(plan_fingerprint(plan_of(test::with(s, {"seed=5"}), 4)) != base);
    const UncertainParameter u{"segments.consumer.patience_days", {.kind = DistributionKind::uniform, .low = 3, .high = 12}};
    CHECK(plan_fingerprint(plan_of(s, 4, {u}, 2)) != plan_fingerprint(plan_of(s, 4, {}, 2)));
}

TEST_CASE("common random numbers: paired deltas are far tighter than unpaired differences") {
    // Two versions of one scenario that differ a little; replicate r of both uses one seed and
    // replicate index. Unpaired: the second scenario's replicates come from other indices.
    const Scenario a = small_shutdown();
    const Scenario b = test::with(a, {"segments.consumer.patience_days=9"});
    const std::uint64_t n = 24;
    EnsemblePlan paired = plan_of(a, n);
    paired.points.push_back(EnsemblePoint::of(b));
    paired.order = JobOrder::replicate_major;
    EnsembleOptions options;
    options.threads = 2;
    const auto runs = run_all(paired, options);
    std::vector<double> ya, yb, yb_other;
    for (const auto& r : runs) (r.point == 0 ? ya : yb).push_back(r.results.scalar("churn_at_horizon"));
    for (std::uint64_t r = 0; r < n; ++r) {
        RunOptions o;
        o.replicate = 1000 + r;  // independent draws
        yb_other.push_back(simulate(b, o).scalar("churn_at_horizon"));
    }
    std::vector<double> d_paired, d_unpaired;
    for (std::uint64_t r = 0; r < n; ++r) {
        d_paired.push_back(yb[r] - ya[r]);
        d_unpaired.push_back(yb_other[r] - ya[r]);
    }
    INFO("variance of paired deltas " << variance(d_paired) << ", of unpaired differences " << variance(d_unpaired));
    CHECK(variance(d_paired) < 0.1 * variance(d_unpaired));
    const auto delta = paired_delta(ya, yb, {0.05, 0.95}, 500, 0.95, 1);
    CHECK(delta.sd < 0.3 * delta.unpaired_sd);
}

TEST_CASE("variance decomposition of real ensembles") {
    EnsembleOptions options;
    options.threads = 2;
    SECTION("without parameter uncertainty, almost nothing is between parameter draws") {
        // 25 "draws" of the same scenario x 4 noise replicates.
        const auto runs = run_all(plan_of(small_shutdown(), 100, {}, 4), options);
        for (const char* name : {"churn_at_horizon", "peak_blocked"}) {
            const auto v = decompose_variance(scalar_of(runs, name), 4);
            INFO(name << ": between share " << v.between_share);
            CHECK(v.within > 0);
            CHECK(v.between_share < 0.15);
        }
    }
    SECTION("when a parameter dominates, almost everything is between parameter draws") {
        // Affected users scale with the population's size; sampling noise is about 1-2%.
        const UncertainParameter users{"population.users", {.kind = DistributionKind::uniform, .low = 2e8, .high = 2e9}};
        const auto runs = run_all(plan_of(small_shutdown(), 40, {users}, 4), options);
        const auto v = decompose_variance(scalar_of(runs, "affected_users"), 4);
        CHECK(v.draws == 10);
        CHECK(v.between_share > 0.97);
        CHECK(v.within > 0);
    }
}

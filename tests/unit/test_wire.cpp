// Unit tests for the byte encodings of plans, jobs, runs and failures (sim/study/wire.cpp): what
// another process decodes runs exactly the runs of the original, bit for bit, and anything that
// is not a message of this build is refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "model/engine.hpp"
#include "study/wire.hpp"
#include "support.hpp"

using namespace gatesim;

namespace {

const char* const library[] = {"baseline",       "global_shutdown",  "nationality_gate",  "geo_fence",
                               "phased_reopening", "vetted_partners", "industry_wide", "prerelease_review"};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every field of two runs, bits of every number, every name, unit, description, axis and label.
void check_same_run(const RunRecord& a, const RunRecord& b) {
    CHECK(a.job == b.job);
    CHECK(a.point == b.point);
    CHECK(a.replicate == b.replicate);
    CHECK(a.draw == b.draw);
    REQUIRE(a.parameters.size() == b.parameters.size());
    for (std::size_t i = 0; i < a.parameters.size(); ++i) CHECK(same_bits(a.parameters[i], b.parameters[i]));
    const Results &x = a.results, &y = b.results;
    CHECK(x.seed == y.seed);
    CHECK(x.replicate == y.replicate);
    CHECK(x.days == y.days);
    REQUIRE(x.series.size() == y.series.size());
    for (std::size_t i = 0; i < x.series.size(); ++i) {
        const Series &s = x.series[i], &t = y.series[i];
        CHECK(s.name == t.name);
        CHECK(s.unit == t.unit);
        CHECK(s.description == t.description);
        REQUIRE(s.axes.size() == t.axes.size());
        for (std::size_t k = 0; k < s.axes.size(); ++k) {
            CHECK(s.axes[k].name == t.axes[k].name);
            CHECK(s.axes[k].labels == t.axes[k].labels);
        }
        REQUIRE(s.values.size() == t.values.size());
        CHECK(std::memcmp(s.values.data(), t.values.data(), s.values.size() * sizeof(double)) == 0);
    }
    REQUIRE(x.scalars.size() == y.scalars.size());
    for (std::size_t i = 0; i < x.scalars.size(); ++i) {
        CHECK(x.scalars[i].name == y.scalars[i].name);
        CHECK(x.scalars[i].unit == y.scalars[i].unit);
        CHECK(x.scalars[i].description == y.scalars[i].description);
        CHECK(same_bits(x.scalars[i].value, y.scalars[i].value));
    }
}

using test::plan_of;

// Two points sharing a base, with settings and an uncertain field, replicate-major.
EnsemblePlan two_point_plan() {
    const auto base = std::make_shared<const Scenario>(test::small("global_shutdown", {"days=30"}, 1500));
    const UncertainParameter patience{"segments.consumer.patience_days",
                                      {.kind = DistributionKind::lognormal, .median = 7, .sigma = 0.4}};
    EnsemblePlan plan;
    plan.points.push_back({base, {{"directive.day", 5}}, {patience}});
    plan.points.push_back({base, {{"directive.day", 12}}, {patience}});
    plan.replicates = 4;
    plan.noise_replicates = 2;
    plan.order = JobOrder::replicate_major;
    plan.recorded_parameters = {"directive.day", patience.key_path};
    return plan;
}

}  // namespace

TEST_CASE("every library scenario travels whole: the decoded plan runs the same runs, bit for bit") {
    for (const char* name : library) {
        INFO(name);
        const auto plan = plan_of(test::small(name, {"days=25"}, 1200), 2);
        const std::string bytes = encode_plan(plan);
        const EnsemblePlan decoded = decode_plan(bytes);
        CHECK(plan_fingerprint(decoded) == plan_fingerprint(plan));
        CHECK(encode_plan(decoded) == bytes);
        CHECK(to_yaml(decoded.points.front().scenario()) == to_yaml(plan.points.front().scenario()));
        check_same_run(run_job(decoded, 1, 1), run_job(plan, 1, 1));
    }
}

TEST_CASE("points that share a scenario share it after decoding, and it travels once") {
    const auto plan = two_point_plan();
    const EnsemblePlan decoded = decode_plan(encode_plan(plan));
    REQUIRE(decoded.points.size() == 2);
    CHECK(decoded.points[0].base == decoded.points[1].base);
    CHECK(decoded.points[1].settings == plan.points[1].settings);
    CHECK(decoded.points[1].uncertain == plan.points[1].uncertain);
    CHECK(decoded.order == JobOrder::replicate_major);
    EnsemblePlan one = plan;
    one.points.pop_back();
    const auto per_point = encode_plan(plan).size() - encode_plan(one).size();
    CHECK(per_point < 200);  // a point's settings and uncertain fields, not its scenario
}

TEST_CASE("a run record travels whole, odd numbers included") {
    const auto plan = two_point_plan();
    RunRecord run = run_job(plan, 5, 1);
    run.results.scalars.front().value = -0.0;
    run.results.scalars.back().value = std::numeric_limits<double>::quiet_NaN();
    run.results.series.front().values.front() = std::numeric_limits<double>::infinity();
    run.results.series.front().values.back() = std::numeric_limits<double>::denorm_min();
    const RunRecord back = decode_run(encode_run(run));
    check_same_run(back, run);
    CHECK(std::signbit(back.results.scalars.front().value));
}

TEST_CASE("a job encoded alone runs exactly as the same job of its whole plan") {
    const auto plan = two_point_plan();
    for (std::uint64_t job = 0; job < plan.jobs(); ++job) {
        INFO("job " << job);
        const RunRecord alone = decode_job_outcome(run_encoded_job(encode_job(plan, job), 1));
        check_same_run(alone, run_job(plan, job, 1));
    }
}

TEST_CASE("failures travel as their kind: bad input stays bad input, faults stay faults") {
    const auto as_failure = [](auto error) { return encode_failure(std::make_exception_ptr(error)); };
    CHECK_THROWS_MATCHES(rethrow_failure(as_failure(ParameterError("population.agents: -5 is below 1"))), BadInput,
                         Catch::Message("population.agents: -5 is below 1"));
    CHECK_THROWS_AS(rethrow_failure(as_failure(Cancelled())), Cancelled);
    try {
        rethrow_failure(as_failure(std::logic_error("disk on fire")));
        FAIL("nothing thrown");
    } catch (const BadInput&) {
        FAIL("a fault became bad input");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "disk on fire");
    }
    // A job whose point cannot be set up fails as bad input on the worker, returned as a value.
    EnsemblePlan plan = two_point_plan();
    plan.points[1].settings = {{"directive.day", -3}};
    const std::string outcome = run_encoded_job(encode_job(plan, 1), 1);
    CHECK_THROWS_AS(decode_job_outcome(outcome), BadInput);
    CHECK_NOTHROW(decode_job_outcome(run_encoded_job(encode_job(plan, 0), 1)));
}

TEST_CASE("bytes that are not a message of this build are refused") {
    const auto plan = two_point_plan();
    const std::string bytes = encode_plan(plan);
    CHECK_THROWS_AS(decode_plan(bytes.substr(0, bytes.size() - 3)), WireError);
    CHECK_THROWS_AS(decode_plan(bytes + "x"), WireError);
    CHECK_THROWS_AS(decode_plan("not a message at all"), WireError);
    CHECK_THROWS_AS(decode_run(bytes), WireError);  // a plan is not a run
    std::string other_version = bytes;
    other_version[4] = 9;
    CHECK_THROWS_WITH(decode_plan(other_version), Catch::Contains("another gatesim version"));
    // A build whose scenarios have a field under another name.
    std::string renamed = bytes;
    const auto at = renamed.find("discount_rate");
    REQUIRE(at != std::string::npos);
    renamed[at] = 'D';
    CHECK_THROWS_WITH(decode_plan(renamed), Catch::Contains("describes scenarios differently"));
    // A number changed in transit changes the plan, and the fingerprint sees it.
    std::string changed = bytes;
    const auto seed_key = changed.find(std::string("\x04\0\0\0\0\0\0\0seed", 12));
    REQUIRE(seed_key != std::string::npos);
    changed[seed_key + 12] ^= 1;
    CHECK_THROWS_WITH(decode_plan(changed), Catch::Contains("different builds"));
}

TEST_CASE("a joint parameter sample travels with its name, so a worker draws the same rows") {
    auto plan = two_point_plan();
    StudyScenario joint{plan.points[1].scenario(), {}};
    use_sample(joint, {"calib.h5", {"segments.consumer.patience_days", "models.a_frontier.capability"},
                       {{3, 0.9}, {5, 0.95}, {8, 1.0}}});
    plan.points[1].uncertain = joint.uncertain;
    const EnsemblePlan decoded = decode_plan(encode_plan(plan));
    CHECK(decoded.points[1].uncertain == joint.uncertain);
    CHECK(decoded.points[1].uncertain[0].joint == "calib.h5");
    CHECK(plan_fingerprint(decoded) == plan_fingerprint(plan));
    // The sample's name is part of the fingerprint: another sample is another plan.
    EnsemblePlan renamed = plan;
    for (auto& u : renamed.points[1].uncertain) u.joint = "other.h5";
    CHECK(plan_fingerprint(renamed) != plan_fingerprint(plan));
    for (std::uint64_t replicate = 0; replicate < plan.replicates; ++replicate) {
        const Scenario here = run_scenario(plan, 1, replicate), there = run_scenario(decoded, 1, replicate);
        CHECK(parameter_value(here, "segments.consumer.patience_days") == parameter_value(there, "segments.consumer.patience_days"));
        CHECK(parameter_value(here, "models.a_frontier.capability") == parameter_value(there, "models.a_frontier.capability"));
    }
}

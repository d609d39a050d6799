// Ensembles, comparisons, sweeps and sensitivity analyses: plan, run into a RunStore, reduce,
// commit.
#include "study/studies.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

namespace gatesim {
namespace {

// Fails on the first run when a requested output is not among its summary scalars, rather
// than after the whole study has run.
class OutputCheck : public RunSink {
public:
    OutputCheck(RunSink& inner, std::vector<std::string> outputs) : inner_(inner), outputs_(std::move(outputs)) {}

    void accept(const RunRecord& run) override {
        if (!checked_) {
            std::string known;
            for (const auto& s : run.results.scalars) known += (known.empty() ? "" : ", ") + s.name;
            for (const auto& o : outputs_) {
                bool found = false;
                for (const auto& s : run.results.scalars) found = found || s.name == o;
                if (!found) throw PlanError("unknown output '" + o + "'; the runs produce: " + known);
            }
            checked_ = true;
        }
        inner_.accept(run);
    }
    void prepare(const RunRecord& run) override { inner_.prepare(run); }

private:
    RunSink& inner_;
    std::vector<std::string> outputs_;
    bool checked_ = false;
};

void check_at_most(std::uint64_t value, std::uint64_t limit, const std::string& what) {
    if (value > limit)
        throw PlanError(what + " " + count_text(value) + " exceeds the limit of " + count_text(limit) +
                        " (docs/RELIABILITY.md, Study sizes)");
}

// The study's size and control within the limits every part of a study handles (limits.hpp).
void check_limits(const EnsemblePlan& plan, const StudyControl& control) {
    check_at_most(plan.replicates, max_replicates, "replicates per point:");
    check_at_most(plan.noise_replicates, max_replicates, "noise replicates:");
    check_at_most(plan.points.size(), max_points, "points:");
    check_at_most(plan.jobs(), max_runs, "runs (points x replicates):");
    check_at_most(control.bootstrap, max_bootstrap, "bootstrap resamples:");
    if (!(control.confidence >= 0.5 && control.confidence <= 0.999))
        throw PlanError("the interval level (confidence) must be between 0.5 and 0.999, not " +
                        format_value(control.confidence));
    if (control.quantiles.empty() || control.quantiles.size() > max_quantiles)
        throw PlanError("give 1 to " + std::to_string(max_quantiles) + " quantiles");
    for (std::size_t i = 0; i < control.quantiles.size(); ++i) {
        const double q = control.quantiles[i];
        if (!(q >= 0 && q <= 1)) throw PlanError("quantile " + format_value(q) + " is not a probability between 0 and 1");
        if (i > 0 && !(q > control.quantiles[i - 1])) throw PlanError("quantiles must be given in increasing order");
    }
}

// Hands the runs an interrupted study finished to the sink again; returns how many.
std::uint64_t replay_finished_runs(RunStore& store, RunSink& sink) {
    auto cannot_resume = [](const BadInput& e) { return PlanError(std::string("cannot resume: ") + e.what()); };
    std::unique_ptr<FinishedRuns> old;
    try {
        old = store.finished_runs();
    } catch (const BadInput& e) {
        throw cannot_resume(e);
    }
    const std::uint64_t finished = old->completed_jobs();
    for (std::uint64_t j = 0; j < finished; ++j) {
        RunRecord run;
        try {
            run = old->read_run(j);
        } catch (const BadInput& e) {
            throw cannot_resume(e);
        }
        sink.accept(run);
    }
    return finished;
}

// Runs the plan's jobs into `sink` (the store, or a check in front of it), after the finished
// runs of an interrupted study when resuming.
StudyOutcome execute(const EnsemblePlan& plan, RunStore& store, RunSink& sink, const StudyControl& control) {
    StudyOutcome out;
    out.total_runs = plan.jobs();
    std::uint64_t first = 0;
    if (control.resume) {
        first = replay_finished_runs(store, sink);
        out.resumed_runs = first;
        if (control.progress && first > 0) control.progress(first, out.total_runs);
    }
    EnsembleOptions options;
    options.threads = control.threads;
    options.executor = control.executor;
    options.first_job = first;
    options.max_jobs = control.max_runs;
    options.progress = control.progress;
    options.cancel = control.cancel;
    const EnsembleOutcome r = run_ensemble(plan, sink, options);
    out.completed_runs = r.completed_jobs;
    out.complete = r.complete;
    out.cancelled = r.cancelled;
    return out;
}

std::uint64_t noise_for(std::uint64_t replicates, std::uint64_t requested, bool uncertain) {
    if (requested > 0) return requested;
    return uncertain ? default_noise_replicates(replicates) : replicates;
}

std::vector<std::string> uncertain_paths(const std::vector<UncertainParameter>& uncertain) {
    std::vector<std::string> paths;
    for (const auto& u : uncertain) paths.push_back(u.key_path);
    return paths;
}

std::vector<std::string> names_of(const std::vector<SweepParameter>& parameters) {
    std::vector<std::string> names;
    for (const auto& p : parameters) names.push_back(p.key_path);
    return names;
}

// Every point of the plan in one group with a point axis (sweeps and sensitivity analyses).
std::vector<RunGroup> one_group_per_plan(const EnsemblePlan& plan) {
    std::vector<std::size_t> all(plan.points.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return {{"", all, true}};
}

void write_points_table(RunStore& store, const std::vector<std::string>& names, const Design& design) {
    store.write_labels("axes/sweep_parameter", names);
    const SampleMatrix& v = design.values;
    store.write_table("points/values", {v.rows, v.cols}, v.data, "point,sweep_parameter", "per parameter",
                      "Value of each swept parameter (axes/sweep_parameter) at each point");
    if (design.unit.rows > 0)
        store.write_table("points/unit", {design.unit.rows, design.unit.cols}, design.unit.data,
                          "point,sweep_parameter", "unit interval",
                          "Coordinate of each point in the unit hypercube of the design");
}

// The comparison's plan: one point per scenario, all with the reference's seed (common random
// numbers), replicate-major so that an interruption keeps complete pairs.
void plan_comparison(const ComparisonStudy& study, ComparisonReport& report, const StudyControl& control) {
    EnsemblePlan& plan = report.plan;
    if (study.scenarios.size() < 2) throw PlanError("a comparison needs at least two scenarios");
    const std::uint64_t seed = study.scenarios.front().scenario.seed;
    std::set<std::string> seen;
    bool uncertain = false;
    for (const auto& s : study.scenarios) {
        const std::string& name = s.scenario.name;
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
            throw PlanError("scenario name '" + name + "' cannot name a group; set a name without '/'");
        if (!seen.insert(name).second)
            throw PlanError("two compared scenarios are named '" + name + "'; give them distinct names");
        report.names.push_back(name);
        Scenario common = s.scenario;
        common.seed = seed;
        plan.points.push_back(EnsemblePoint::of(std::move(common), s.uncertain));
        uncertain = uncertain || !s.uncertain.empty();
        for (const auto& u : s.uncertain)
            if (std::find(plan.recorded_parameters.begin(), plan.recorded_parameters.end(), u.key_path) ==
                plan.recorded_parameters.end())
                plan.recorded_parameters.push_back(u.key_path);
    }
    plan.replicates = study.replicates;
    plan.noise_replicates = noise_for(study.replicates, study.noise_replicates, uncertain);
    plan.order = JobOrder::replicate_major;
    check_limits(plan, control);
    check_plan(plan, false);
}

// The sweep's design, and a point per design row with the swept fields set; the other
// uncertain fields stay uncertain.
void plan_sweep(const SweepStudy& study, SweepReport& report, const StudyControl& control) {
    EnsemblePlan& plan = report.plan;
    const Scenario& base = study.scenario.scenario;
    report.parameters = names_of(study.parameters);
    if (study.design != SweepDesign::grid) check_at_most(study.points, max_points, "points:");
    if (study.points < 1) throw PlanError("points: a sweep needs at least 1 point, got 0");
    try {
        report.design = make_design(study.parameters, study.design, study.points, base.seed);
    } catch (const std::invalid_argument& e) {
        throw PlanError(e.what());
    }
    std::vector<UncertainParameter> uncertain;
    for (const auto& u : study.scenario.uncertain)
        if (std::find(report.parameters.begin(), report.parameters.end(), u.key_path) == report.parameters.end())
            uncertain.push_back(u);
    const auto shared = std::make_shared<const Scenario>(base);
    for (std::size_t row = 0; row < report.design.values.rows; ++row) {
        EnsemblePoint point{shared, {}, uncertain};
        for (std::size_t c = 0; c < report.parameters.size(); ++c)
            point.settings.emplace_back(report.parameters[c], report.design.values(row, c));
        plan.points.push_back(std::move(point));
    }
    plan.replicates = study.replicates;
    plan.noise_replicates = noise_for(study.replicates, study.noise_replicates, !uncertain.empty());
    plan.recorded_parameters = report.parameters;
    for (const auto& u : uncertain) plan.recorded_parameters.push_back(u.key_path);
    check_limits(plan, control);
    check_plan(plan, true);
}

SensitivityDesign sensitivity_design(const SensitivityStudy& study) {
    SensitivityDesign design;
    design.method = study.method;
    const bool sobol = study.method == SensitivityMethod::sobol;
    const std::uint64_t k = study.parameters.size(), per_sample = sobol ? k + 2 : k + 1;
    if (study.samples > max_points / std::max<std::uint64_t>(per_sample, 1))
        throw PlanError(std::string(sobol ? "a Sobol' analysis of " : "a Morris analysis of ") + std::to_string(k) +
                        " parameters with " + count_text(study.samples) + (sobol ? " samples" : " trajectories") +
                        " has more than the limit of " + count_text(max_points) + " rows; use at most " +
                        count_text(max_points / std::max<std::uint64_t>(per_sample, 1)));
    if (!sobol) check_at_most(study.levels, max_morris_levels, "Morris levels:");
    try {
        if (study.method == SensitivityMethod::sobol)
            design.saltelli = saltelli_design(study.samples, study.parameters.size());
        else
            design.morris = morris_design(study.parameters.size(), study.samples, study.levels, study.scenario.scenario.seed);
    } catch (const std::invalid_argument& e) {
        throw PlanError(e.what());
    }
    return design;
}

// A point per design row. Fields not analysed stay at their central values: uncertainty
// elsewhere would only add noise to the indices.
Design plan_sensitivity(const SensitivityStudy& study, const SensitivityDesign& sd, SensitivityReport& report,
                        const StudyControl& control) {
    EnsemblePlan& plan = report.plan;
    report.parameters = names_of(study.parameters);
    const std::size_t k = study.parameters.size();
    Design design;
    design.unit = sd.unit();
    design.values = SampleMatrix(design.unit.rows, k);
    const auto shared = std::make_shared<const Scenario>(study.scenario.scenario);
    for (std::size_t row = 0; row < design.unit.rows; ++row) {
        EnsemblePoint point{shared, {}, {}};
        for (std::size_t c = 0; c < k; ++c) {
            const double u = design.unit(row, c);
            design.values(row, c) = study.method == SensitivityMethod::morris ? study.parameters[c].at_level(u, study.levels)
                                                                              : study.parameters[c].at(u);
            point.settings.emplace_back(report.parameters[c], design.values(row, c));
        }
        plan.points.push_back(std::move(point));
    }
    plan.replicates = study.replicates;
    plan.noise_replicates = study.replicates;
    plan.recorded_parameters = report.parameters;
    check_limits(plan, control);
    check_plan(plan, true);
    return design;
}

void write_sensitivity_plan(RunStore& store, const SensitivityStudy& study, const StudyControl& control) {
    store.write_attribute("plan", "method", std::string(enum_name(study.method)));
    store.write_attribute("plan", "samples", static_cast<double>(study.samples));
    store.write_attribute("plan", "bootstrap", static_cast<double>(control.bootstrap));
    store.write_attribute("plan", "confidence", control.confidence);
    if (study.method == SensitivityMethod::morris)
        store.write_attribute("plan", "levels", static_cast<double>(study.levels));
}

}  // namespace

std::uint64_t default_noise_replicates(std::uint64_t replicates) {
    const auto limit = std::min<std::uint64_t>(10, static_cast<std::uint64_t>(std::sqrt(static_cast<double>(replicates))));
    for (std::uint64_t m = std::max<std::uint64_t>(limit, 1); m > 1; --m)
        if (replicates % m == 0) return m;
    return 1;
}

EnsembleReport run_ensemble_study(const EnsembleStudy& study, RunStore& store, const StudyControl& control) {
    EnsembleReport report;
    EnsemblePlan& plan = report.plan;
    const StudyScenario& s = study.scenario;
    plan.points.push_back(EnsemblePoint::of(s.scenario, s.uncertain));
    plan.replicates = study.replicates;
    plan.noise_replicates = noise_for(study.replicates, study.noise_replicates, !s.uncertain.empty());
    plan.recorded_parameters = uncertain_paths(s.uncertain);
    check_limits(plan, control);
    check_plan(plan, true);

    store.open({StudyKind::ensemble, &plan, {{"", {0}, false}}, control.keep_replicates, true, control.resume});
    report.outcome = execute(plan, store, store, control);
    report.scalars = write_point_reductions(store, report.outcome.completed_runs, control.quantiles, control.threads).front();
    store.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

ComparisonReport run_comparison_study(const ComparisonStudy& study, RunStore& store, const StudyControl& control) {
    ComparisonReport report;
    plan_comparison(study, report, control);
    const EnsemblePlan& plan = report.plan;

    std::vector<RunGroup> groups;
    for (std::size_t i = 0; i < report.names.size(); ++i) groups.push_back({"scenarios/" + report.names[i], {i}, false});
    store.open({StudyKind::comparison, &plan, std::move(groups), control.keep_replicates, true, control.resume});
    store.write_labels("axes/scenario", report.names);
    for (std::size_t i = 0; i < study.scenarios.size(); ++i) {
        const std::string group = "scenarios/" + report.names[i];
        store.write_scenario(group + "/scenario", {plan.points[i].scenario(), study.scenarios[i].uncertain});
        store.write_attribute(group, "scenario_file", i < study.files.size() ? study.files[i] : "");
    }
    report.outcome = execute(plan, store, store, control);
    report.scenarios = write_point_reductions(store, report.outcome.completed_runs, control.quantiles, control.threads);
    report.deltas = write_comparison_deltas(store, report.outcome.completed_runs, control.quantiles, control.bootstrap,
                                            control.confidence, control.threads);
    // The level of the deltas' bootstrap intervals, so that readers (the briefing) can name it.
    store.write_attribute("plan", "bootstrap", static_cast<double>(control.bootstrap));
    store.write_attribute("plan", "confidence", control.confidence);
    store.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

SweepReport run_sweep_study(const SweepStudy& study, RunStore& store, const StudyControl& control) {
    SweepReport report;
    plan_sweep(study, report, control);
    const EnsemblePlan& plan = report.plan;

    store.open({StudyKind::sweep, &plan, one_group_per_plan(plan), control.keep_replicates, true, control.resume});
    write_points_table(store, report.parameters, report.design);
    store.write_attribute("plan", "design", std::string(enum_name(study.design)));
    report.outcome = execute(plan, store, store, control);
    report.points = write_point_reductions(store, report.outcome.completed_runs, control.quantiles, control.threads);
    store.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

SensitivityReport run_sensitivity_study(const SensitivityStudy& study, RunStore& store, const StudyControl& control) {
    SensitivityReport report;
    if (study.outputs.empty()) throw PlanError("name at least one output (a summary scalar, e.g. churn_at_horizon)");
    const SensitivityDesign sd = sensitivity_design(study);
    const Design design = plan_sensitivity(study, sd, report, control);
    const EnsemblePlan& plan = report.plan;

    // Per-sample distributions would add little (a sample's replicates are averaged) and cost
    // much for large designs: the store keeps every run's scalars and the indices.
    store.open({StudyKind::sensitivity, &plan, one_group_per_plan(plan), control.keep_replicates,
                control.keep_replicates, control.resume});
    write_points_table(store, report.parameters, design);
    write_sensitivity_plan(store, study, control);
    OutputCheck checked(store, study.outputs);
    report.outcome = execute(plan, store, checked, control);
    // Indices need every row; an incomplete store keeps the runs for --resume.
    if (report.outcome.complete)
        report.outputs = write_sensitivity_indices(store, sd, study.outputs, study.replicates, control.bootstrap,
                                                   control.confidence);
    store.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

std::vector<SweepParameter> sensitivity_parameters(const std::vector<std::string>& names,
                                                   const std::vector<SweepParameter>& section,
                                                   const StudyScenario& scenario) {
    auto from_uncertain = [&](const UncertainParameter& u) {
        SweepParameter p;
        p.key_path = u.key_path;
        p.kind = SweepParameter::Kind::distribution;
        p.distribution = u.distribution;
        return p;
    };
    std::vector<SweepParameter> out;
    if (names.empty()) {
        if (!section.empty()) return section;
        for (const auto& u : scenario.uncertain) out.push_back(from_uncertain(u));
        if (out.empty())
            throw PlanError("no parameters to analyse: give --parameters with their ranges in a sensitivity: or sweep: "
                            "section, or give the fields distributions in the scenario");
        return out;
    }
    std::set<std::string> seen;
    for (const auto& name : names) {
        if (!seen.insert(name).second) throw PlanError("parameter '" + name + "' is named twice");
        bool found = false;
        for (const auto& p : section)
            if (p.key_path == name) out.push_back(p), found = true;
        if (!found)
            for (const auto& u : scenario.uncertain)
                if (u.key_path == name) out.push_back(from_uncertain(u)), found = true;
        if (!found) {
            Scenario copy = scenario.scenario;
            numeric_field(copy, name);  // a precise message when the key path names no number
            throw PlanError("parameter '" + name + "' has no range: give it one in a sensitivity: or sweep: section, " +
                            "or a distribution in the scenario");
        }
    }
    return out;
}

}  // namespace gatesim

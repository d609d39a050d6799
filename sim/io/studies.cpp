// Ensembles, comparisons, sweeps and sensitivity analyses: plan, run, reduce, commit.
#include "io/studies.hpp"

#include <cmath>
#include <set>

#include "model/rng.hpp"

namespace gatesim {
namespace {

namespace fs = std::filesystem;

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

private:
    RunSink& inner_;
    std::vector<std::string> outputs_;
    bool checked_ = false;
};

StudyOutcome execute(const EnsemblePlan& plan, RunSink& sink, const fs::path& output, StudyKind kind,
                     const std::vector<RunGroup>& groups, const StudyControl& control) {
    StudyOutcome out;
    out.total_runs = plan.jobs();
    std::uint64_t first = 0;
    if (control.resume) {
        // The old file is read completely before the new one replaces it at commit.
        try {
            StudyResume old(output, kind, plan, groups);
            first = old.completed_jobs();
            for (std::uint64_t j = 0; j < first; ++j) sink.accept(old.read_run(j));
        } catch (const ResultsFileError& e) {
            throw PlanError(std::string("cannot resume: ") + e.what());
        }
        out.resumed_runs = first;
        if (control.progress && first > 0) control.progress(first, out.total_runs);
    }
    EnsembleOptions options;
    options.threads = control.threads;
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

void write_points_table(StudyFile& file, const std::vector<std::string>& names, const Design& design) {
    file.write_labels("axes/sweep_parameter", names);
    const SampleMatrix& v = design.values;
    file.write_table("points/values", {v.rows, v.cols}, v.data, "point,sweep_parameter", "per parameter",
                     "Value of each swept parameter (axes/sweep_parameter) at each point");
    if (design.unit.rows > 0)
        file.write_table("points/unit", {design.unit.rows, design.unit.cols}, design.unit.data, "point,sweep_parameter",
                         "unit interval", "Coordinate of each point in the unit hypercube of the design");
}

std::vector<std::string> names_of(const std::vector<SweepParameter>& parameters) {
    std::vector<std::string> names;
    for (const auto& p : parameters) names.push_back(p.key_path);
    return names;
}

}  // namespace

std::uint64_t default_noise_replicates(std::uint64_t replicates) {
    const auto limit = std::min<std::uint64_t>(10, static_cast<std::uint64_t>(std::sqrt(static_cast<double>(replicates))));
    for (std::uint64_t m = std::max<std::uint64_t>(limit, 1); m > 1; --m)
        if (replicates % m == 0) return m;
    return 1;
}

EnsembleReport run_ensemble_study(const EnsembleStudy& study, const fs::path& output, const Provenance& provenance,
                                  const StudyControl& control) {
    EnsembleReport report;
    EnsemblePlan& plan = report.plan;
    plan.points.push_back(EnsemblePoint::of(study.scenario.scenario, study.scenario.uncertain));
    plan.replicates = study.replicates;
    plan.noise_replicates = noise_for(study.replicates, study.noise_replicates, !study.scenario.uncertain.empty());
    plan.recorded_parameters = uncertain_paths(study.scenario.uncertain);
    check_plan(plan, true);

    const std::vector<RunGroup> groups{{"", {0}, false}};
    StudyFile file(output, StudyKind::ensemble, provenance, plan, groups, {control.keep_replicates, true});
    report.outcome = execute(plan, file, output, StudyKind::ensemble, groups, control);
    report.scalars = write_point_reductions(file, plan, report.outcome.completed_runs, control.quantiles).front();
    file.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

ComparisonReport run_comparison_study(const ComparisonStudy& study, const fs::path& output, const Provenance& provenance,
                                      const StudyControl& control) {
    ComparisonReport report;
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
        common.seed = seed;  // common random numbers: one seed for all
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
    check_plan(plan, false);

    std::vector<RunGroup> groups;
    for (std::size_t i = 0; i < report.names.size(); ++i) groups.push_back({"scenarios/" + report.names[i], {i}, false});
    StudyFile file(output, StudyKind::comparison, provenance, plan, groups, {control.keep_replicates, true});
    file.write_labels("axes/scenario", report.names);
    for (std::size_t i = 0; i < study.scenarios.size(); ++i) {
        LoadedScenario shown = study.scenarios[i];
        shown.scenario.seed = seed;
        file.write_text("scenarios/" + report.names[i] + "/scenario", to_yaml(shown));
        file.write_attribute("scenarios/" + report.names[i], "scenario_file", i < study.files.size() ? study.files[i] : "");
    }
    report.outcome = execute(plan, file, output, StudyKind::comparison, groups, control);
    report.scenarios = write_point_reductions(file, plan, report.outcome.completed_runs, control.quantiles);
    report.deltas = write_comparison_deltas(file, plan, report.outcome.completed_runs, control.quantiles, control.bootstrap,
                                            control.confidence);
    file.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

SweepReport run_sweep_study(const SweepStudy& study, const fs::path& output, const Provenance& provenance,
                            const StudyControl& control) {
    SweepReport report;
    EnsemblePlan& plan = report.plan;
    const Scenario& base = study.scenario.scenario;
    report.parameters = names_of(study.parameters);
    try {
        report.design = make_design(study.parameters, study.design, study.points, base.seed);
    } catch (const std::invalid_argument& e) {
        throw PlanError(e.what());
    }
    // Swept fields are set by the design; the other uncertain fields stay uncertain.
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
    check_plan(plan, true);

    std::vector<std::size_t> all(plan.points.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const std::vector<RunGroup> groups{{"", all, true}};
    StudyFile file(output, StudyKind::sweep, provenance, plan, groups, {control.keep_replicates, true});
    write_points_table(file, report.parameters, report.design);
    file.write_attribute("plan", "design", std::string(enum_name(study.design)));
    report.outcome = execute(plan, file, output, StudyKind::sweep, groups, control);
    report.points = write_point_reductions(file, plan, report.outcome.completed_runs, control.quantiles);
    file.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

SensitivityReport run_sensitivity_study(const SensitivityStudy& study, const fs::path& output,
                                        const Provenance& provenance, const StudyControl& control) {
    SensitivityReport report;
    EnsemblePlan& plan = report.plan;
    const Scenario& base = study.scenario.scenario;
    report.parameters = names_of(study.parameters);
    const std::size_t k = study.parameters.size();
    if (study.outputs.empty()) throw PlanError("name at least one output (a summary scalar, e.g. churn_at_horizon)");
    SaltelliDesign saltelli;
    MorrisDesign morris;
    Design design;
    try {
        if (study.method == SensitivityMethod::sobol) {
            saltelli = saltelli_design(study.samples, k);
            design.unit = saltelli.unit;
        } else {
            morris = morris_design(k, study.samples, study.levels, base.seed);
            design.unit = morris.unit;
        }
    } catch (const std::invalid_argument& e) {
        throw PlanError(e.what());
    }
    design.values = SampleMatrix(design.unit.rows, k);
    // Fields not analysed stay at their central values: uncertainty elsewhere would only add
    // noise to the indices.
    const auto shared = std::make_shared<const Scenario>(base);
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
    check_plan(plan, true);

    std::vector<std::size_t> all(plan.points.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const std::vector<RunGroup> groups{{"", all, true}};
    StudyFile file(output, StudyKind::sensitivity, provenance, plan, groups,
                   {control.keep_replicates, control.keep_replicates});
    write_points_table(file, report.parameters, design);
    file.write_attribute("plan", "method", std::string(enum_name(study.method)));
    file.write_attribute("plan", "samples", static_cast<double>(study.samples));
    file.write_attribute("plan", "bootstrap", static_cast<double>(control.bootstrap));
    file.write_attribute("plan", "confidence", control.confidence);
    if (study.method == SensitivityMethod::morris) file.write_attribute("plan", "levels", static_cast<double>(study.levels));
    OutputCheck checked(file, study.outputs);
    // Per-sample distributions would add little (a sample's replicates are averaged) and cost
    // much for large designs: the file keeps every run's scalars and the indices.
    report.outcome = execute(plan, checked, output, StudyKind::sensitivity, groups, control);

    // Indices need every row; an incomplete file keeps the runs for --resume.
    if (report.outcome.complete) {
        const std::vector<std::string> sobol_labels{"first_order", "first_order_low", "first_order_high",
                                                    "total",       "total_low",       "total_high"};
        const std::vector<std::string> morris_labels{"mu", "mu_star", "mu_star_low", "mu_star_high", "sigma"};
        file.write_labels("axes/index", study.method == SensitivityMethod::sobol ? sobol_labels : morris_labels);
        const std::uint64_t seed = base.seed;
        for (std::size_t o = 0; o < study.outputs.size(); ++o) {
            OutputSensitivity out;
            out.output = study.outputs[o];
            const auto y = row_outputs(file, out.output, design.unit.rows, study.replicates);
            for (const auto& s : file.scalars(0))
                if (s.name == out.output) out.unit = s.unit;
            std::vector<double> table;
            if (study.method == SensitivityMethod::sobol) {
                out.sobol = sobol_indices(saltelli, y, control.bootstrap, control.confidence, combine(seed, o));
                for (std::size_t i = 0; i < k; ++i)
                    table.insert(table.end(), {out.sobol.first[i], out.sobol.first_low[i], out.sobol.first_high[i],
                                               out.sobol.total[i], out.sobol.total_low[i], out.sobol.total_high[i]});
                file.write_table("sensitivity/" + out.output, {k, sobol_labels.size()}, table, "sweep_parameter,index",
                                 "fraction of variance",
                                 "Sobol' indices of " + out.output +
                                     ": first order (Saltelli 2010) and total (Jansen), with bootstrap intervals");
                file.write_attribute("sensitivity/" + out.output, "variance", out.sobol.variance);
            } else {
                out.morris = morris_indices(morris, y, control.bootstrap, control.confidence, combine(seed, o));
                for (std::size_t i = 0; i < k; ++i)
                    table.insert(table.end(), {out.morris.mu[i], out.morris.mu_star[i], out.morris.mu_star_low[i],
                                               out.morris.mu_star_high[i], out.morris.sigma[i]});
                file.write_table("sensitivity/" + out.output, {k, morris_labels.size()}, table, "sweep_parameter,index",
                                 out.unit + " per unit of the parameter's normalised range",
                                 "Morris elementary effects of " + out.output + ": mu, mu* (with bootstrap interval), sigma");
            }
            report.outputs.push_back(std::move(out));
        }
    }
    file.commit(report.outcome.completed_runs, report.outcome.complete);
    return report;
}

std::vector<SweepParameter> sensitivity_parameters(const std::vector<std::string>& names,
                                                   const std::vector<SweepParameter>& section,
                                                   const LoadedScenario& scenario) {
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

// Runs from Python: one run (simulate), an ensemble held in memory (run_ensemble), and the
// comparison, sweep and sensitivity studies of sim/study (the CLI's, writing a study file);
// each may compute its runs on a pool of processes (executor=, pool_executor.hpp).
// Each runs on a background thread with the GIL released; between polls the calling thread
// takes the GIL briefly to deliver signals (Ctrl-C cancels and raises KeyboardInterrupt) and
// report progress.
#include "runs.hpp"

#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "background.hpp"
#include "pool_executor.hpp"
#include "model/engine.hpp"
#include "study/ensemble.hpp"
#include "study/studies.hpp"
#include "study/wire.hpp"
#include "io/provenance.hpp"
#include "io/scenario_yaml.hpp"
#include "io/study_h5.hpp"
#include "yaml_python.hpp"

namespace py = pybind11;

namespace gatesim::python {
namespace {

// Waits for `work` with the GIL released, polling for signals and reporting progress to an
// optional callable(done, total). Whatever leaves early first stops the work.
void run_polled(BackgroundTask::Work work, std::int64_t total, const py::object& progress, double poll_seconds) {
    if (!(poll_seconds > 0)) throw py::value_error("poll_seconds must be positive");
    const auto poll = std::chrono::milliseconds(std::max<long long>(1, std::llround(poll_seconds * 1000)));
    BackgroundTask task(std::move(work), total);
    try {
        for (bool ended = false; !ended;) {
            {
                py::gil_scoped_release release;
                ended = task.wait_for(poll);
            }
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (!progress.is_none()) progress(task.done(), task.total());
        }
    } catch (...) {
        task.cancel();
        {
            py::gil_scoped_release release;
            task.wait();
        }
        throw;
    }
    py::gil_scoped_release release;
    task.rethrow();
}

void check_threads(int threads) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
}

// A count given from Python: any int, so that a negative or huge one is a ValueError with its
// name rather than pybind11's TypeError; the studies then check it against their limits.
std::uint64_t count_of(const py::int_& number, const char* name) {
    const std::string text = py::repr(number).cast<std::string>();
    if (number < py::int_(0)) throw py::value_error(std::string(name) + " must not be negative, got " + text);
    if (number > py::int_(std::numeric_limits<std::int64_t>::max()))
        throw py::value_error(std::string(name) + " = " + text + " is far beyond any limit");
    return number.cast<std::uint64_t>();
}

// Keeps every run of an in-memory ensemble (the caller asked for them all as arrays).
struct MemorySink : RunSink {
    std::vector<RunRecord> runs;
    void accept(const RunRecord& run) override { runs.push_back(run); }
};

std::vector<std::string> uncertain_paths(const std::vector<UncertainParameter>& uncertain) {
    std::vector<std::string> paths;
    for (const auto& u : uncertain) paths.push_back(u.key_path);
    return paths;
}

py::dict scalar_report(const ScalarReport& r, const std::vector<double>& probabilities) {
    const ScalarDistribution& d = r.distribution;
    py::dict out;
    out["metric"] = r.info.name;
    out["unit"] = r.info.unit;
    out["count"] = d.count;
    out["not_reached"] = d.not_reached;
    out["mean"] = d.mean;
    out["sd"] = d.sd;
    out["min"] = d.min;
    out["max"] = d.max;
    for (std::size_t i = 0; i < probabilities.size() && i < d.quantiles.size(); ++i)
        out[py::str(quantile_label(probabilities[i]))] = d.quantiles[i];
    out["variance_between_share"] = r.variance.between_share;
    out["variance_within_share"] = r.variance.within_share;
    return out;
}

py::list scalar_reports(const std::vector<ScalarReport>& reports, const std::vector<double>& probabilities) {
    py::list out;
    for (const auto& r : reports) out.append(scalar_report(r, probabilities));
    return out;
}

py::dict outcome_dict(const StudyOutcome& o) {
    py::dict out;
    out["completed_runs"] = o.completed_runs;
    out["total_runs"] = o.total_runs;
    out["resumed_runs"] = o.resumed_runs;
    out["complete"] = o.complete;
    out["cancelled"] = o.cancelled;
    return out;
}

// A pool the runs go to (executor=, a concurrent.futures executor), or none: this process's
// threads.
std::unique_ptr<FuturesExecutor> pool_of(const py::object& executor, std::size_t in_flight) {
    if (executor.is_none()) return nullptr;
    return std::make_unique<FuturesExecutor>(executor, in_flight);
}

// The study options shared by every kind, from keyword arguments.
struct StudyArguments {
    std::string output;
    Provenance provenance;
    StudyControl control;
    std::unique_ptr<FuturesExecutor> pool;
};

StudyArguments study_arguments(const std::string& output, const py::dict& provenance, int threads, bool resume,
                               bool keep_replicates, const std::vector<double>& quantiles, std::size_t bootstrap,
                               double confidence, const py::object& executor, std::size_t in_flight) {
    check_threads(threads);
    StudyArguments a;
    a.pool = pool_of(executor, in_flight);
    a.control.executor = a.pool.get();
    a.output = output;
    auto text = [&](const char* key) { return provenance.contains(key) ? provenance[key].cast<std::string>() : ""; };
    a.provenance = make_provenance(text("scenario_yaml"), text("scenario_file"), text("command_line"), threads,
                                   text("start_time"));
    a.control.threads = threads;
    a.control.resume = resume;
    a.control.keep_replicates = keep_replicates;
    if (!quantiles.empty()) a.control.quantiles = quantiles;
    a.control.bootstrap = bootstrap;
    a.control.confidence = confidence;
    return a;
}

// Runs a study in the background into a study file at a.output; `plan_runs` is the number of
// runs, for progress.
template <class Report, class Study>
Report run_study(StudyArguments& a, std::uint64_t plan_runs, const py::object& progress, double poll,
                 Report (*run)(const Study&, RunStore&, const StudyControl&), const Study& study) {
    Report report;
    run_polled(
        [&](const std::atomic<bool>& cancel, std::atomic<std::int64_t>& done, std::atomic<std::int64_t>& total) {
            StudyControl control = a.control;
            control.cancel = &cancel;
            control.progress = [&done, &total](std::uint64_t runs, std::uint64_t all) {
                total = static_cast<std::int64_t>(all);
                done = static_cast<std::int64_t>(runs);
            };
            StudyFile file(a.output, a.provenance);
            report = run(study, file, control);
        },
        static_cast<std::int64_t>(plan_runs), progress, poll);
    return report;
}

std::vector<SweepParameter> sweep_parameters(const py::list& specs) {
    // Each spec is a dict made by gatesim.running: key_path, kind, and values / low, high /
    // distribution (a dict as in scenario files), optional levels.
    std::vector<SweepParameter> out;
    for (auto item : specs) {
        const auto spec = py::reinterpret_borrow<py::dict>(item);
        SweepParameter p;
        p.key_path = spec["key_path"].cast<std::string>();
        const auto kind = spec["kind"].cast<std::string>();
        if (spec.contains("levels")) p.levels = spec["levels"].cast<int>();
        if (kind == "values") {
            p.kind = SweepParameter::Kind::values;
            p.values = spec["values"].cast<std::vector<double>>();
        } else if (kind == "range") {
            p.kind = SweepParameter::Kind::range;
            p.low = spec["low"].cast<double>();
            p.high = spec["high"].cast<double>();
        } else if (kind == "distribution") {
            p.kind = SweepParameter::Kind::distribution;
            std::vector<ScenarioProblem> problems;
            const auto d = read_distribution(to_yaml_node(spec["distribution"]), "<python>", p.key_path,
                                             -std::numeric_limits<double>::infinity(),
                                             std::numeric_limits<double>::infinity(), problems);
            if (!d) throw ScenarioError(problems);
            p.distribution = *d;
        } else {
            throw py::value_error("unknown parameter kind '" + kind + "'");
        }
        out.push_back(std::move(p));
    }
    return out;
}

template <class E>
E enum_argument(const std::string& text, const char* what) {
    if (auto e = enum_from_name<E>(text)) return *e;
    std::string names;
    for (auto n : EnumNames<E>::names) names += (names.empty() ? "" : ", ") + std::string(n);
    throw py::value_error(std::string(what) + " must be one of " + names + ", got '" + text + "'");
}

std::shared_ptr<Results> single_run(const LoadedScenario& loaded, std::uint64_t replicate, int threads,
                                    const py::object& progress, double poll) {
    check_threads(threads);
    const Scenario scenario = loaded.scenario;
    auto result = std::make_shared<Results>();
    run_polled(
        [&](const std::atomic<bool>& cancel, std::atomic<std::int64_t>& done, std::atomic<std::int64_t>&) {
            RunOptions options;
            options.threads = threads;
            options.replicate = replicate;
            options.progress = [&done](int, int) { done.fetch_add(1, std::memory_order_relaxed); };
            options.cancel = &cancel;
            *result = simulate(scenario, options);
        },
        scenario.days, progress, poll);
    return result;
}

py::tuple memory_ensemble(const LoadedScenario& loaded, const py::int_& replicates_arg, const py::int_& first_arg,
                          const py::int_& noise_arg, int threads, const py::object& progress, double poll,
                          const py::object& executor, std::size_t in_flight) {
    check_threads(threads);
    const std::uint64_t replicates = count_of(replicates_arg, "replicates"), first_replicate = count_of(first_arg, "first_replicate"),
                        noise_replicates = count_of(noise_arg, "noise_replicates");
    const auto pool = pool_of(executor, in_flight);
    if (replicates < 1) throw py::value_error("replicates must be at least 1");
    if (first_replicate + replicates > max_replicates)
        throw py::value_error("replicates " + std::to_string(first_replicate) + " .. " +
                              std::to_string(first_replicate + replicates - 1) + " exceed the limit of " +
                              std::to_string(max_replicates) + " replicates");
    EnsemblePlan plan;
    plan.points.push_back({loaded.scenario, loaded.uncertain});
    plan.replicates = first_replicate + replicates;
    plan.noise_replicates = noise_replicates ? noise_replicates
                            : loaded.uncertain.empty() ? plan.replicates
                                                       : default_noise_replicates(plan.replicates);
    plan.recorded_parameters = uncertain_paths(loaded.uncertain);
    check_plan(plan, true);
    MemorySink sink;
    run_polled(
        [&](const std::atomic<bool>& cancel, std::atomic<std::int64_t>& done, std::atomic<std::int64_t>&) {
            EnsembleOptions options;
            options.threads = threads;
            options.executor = pool.get();
            options.first_job = first_replicate;
            options.cancel = &cancel;
            options.progress = [&done, first_replicate](std::uint64_t jobs, std::uint64_t) {
                done = static_cast<std::int64_t>(jobs - first_replicate);
            };
            run_ensemble(plan, sink, options);
        },
        static_cast<std::int64_t>(replicates), progress, poll);
    py::list runs;
    for (auto& record : sink.runs)
        runs.append(py::make_tuple(std::make_shared<Results>(std::move(record.results)), record.draw, record.parameters));
    return py::make_tuple(runs, plan.recorded_parameters, plan.noise_replicates);
}

py::dict delta_row(const std::string& scenario, const DeltaReport& d, const PairedDelta& p,
                   const std::vector<double>& quantiles) {
    py::dict row;
    row["scenario"] = scenario;
    row["metric"] = d.scalar;
    row["unit"] = d.unit;
    row["count"] = p.count;
    row["mean"] = p.mean;
    row["mean_low"] = p.mean_low;
    row["mean_high"] = p.mean_high;
    row["sd"] = p.sd;
    row["unpaired_sd"] = p.unpaired_sd;
    for (std::size_t q = 0; q < quantiles.size() && q < p.quantiles.size(); ++q)
        row[py::str(quantile_label(quantiles[q]))] = p.quantiles[q];
    return row;
}

py::dict comparison_dict(const ComparisonReport& report, const std::vector<double>& quantiles) {
    py::dict out;
    out["outcome"] = outcome_dict(report.outcome);
    out["names"] = report.names;
    py::list per_scenario;
    for (const auto& s : report.scenarios) per_scenario.append(scalar_reports(s, quantiles));
    out["scenarios"] = per_scenario;
    py::list deltas;
    for (const auto& d : report.deltas)
        for (std::size_t i = 0; i < d.versus_reference.size(); ++i)
            deltas.append(delta_row(report.names.at(i + 1), d, d.versus_reference[i], quantiles));
    out["deltas"] = deltas;
    return out;
}

py::dict sweep_dict(const SweepReport& report, const std::vector<double>& quantiles) {
    py::dict out;
    out["outcome"] = outcome_dict(report.outcome);
    out["parameters"] = report.parameters;
    py::list rows;
    for (std::size_t r = 0; r < report.design.values.rows; ++r) {
        std::vector<double> row;
        for (std::size_t c = 0; c < report.design.values.cols; ++c) row.push_back(report.design.values(r, c));
        rows.append(py::cast(row));
    }
    out["values"] = rows;
    py::list per_point;
    for (const auto& p : report.points) per_point.append(scalar_reports(p, quantiles));
    out["points"] = per_point;
    return out;
}

py::dict index_row(const OutputSensitivity& o, const std::string& parameter, std::size_t i, bool sobol) {
    py::dict row;
    row["output"] = o.output;
    row["unit"] = o.unit;
    row["parameter"] = parameter;
    if (sobol && i < o.sobol.first.size()) {
        row["first_order"] = o.sobol.first[i];
        row["first_order_low"] = o.sobol.first_low[i];
        row["first_order_high"] = o.sobol.first_high[i];
        row["total"] = o.sobol.total[i];
        row["total_low"] = o.sobol.total_low[i];
        row["total_high"] = o.sobol.total_high[i];
    } else if (i < o.morris.mu.size()) {
        row["mu"] = o.morris.mu[i];
        row["mu_star"] = o.morris.mu_star[i];
        row["mu_star_low"] = o.morris.mu_star_low[i];
        row["mu_star_high"] = o.morris.mu_star_high[i];
        row["sigma"] = o.morris.sigma[i];
    }
    return row;
}

py::dict sensitivity_dict(const SensitivityReport& report, bool sobol) {
    py::dict out;
    out["outcome"] = outcome_dict(report.outcome);
    out["parameters"] = report.parameters;
    py::list rows;
    for (const auto& o : report.outputs)
        for (std::size_t i = 0; i < report.parameters.size(); ++i) rows.append(index_row(o, report.parameters[i], i, sobol));
    out["indices"] = rows;
    return out;
}

void bind_studies(py::module_& m) {
    m.def(
        "compare_study",
        [](const std::vector<LoadedScenario>& scenarios, const std::vector<std::string>& files, const py::int_& replicates_arg,
           const py::int_& noise_arg, const std::string& output, const py::dict& provenance, int threads,
           bool resume, bool keep_replicates, const std::vector<double>& quantiles, const py::int_& bootstrap,
           double confidence, const py::object& progress, double poll, const py::object& executor,
           std::size_t in_flight) {
            const std::uint64_t replicates = count_of(replicates_arg, "replicates");
            auto a = study_arguments(output, provenance, threads, resume, keep_replicates, quantiles,
                                     count_of(bootstrap, "bootstrap"), confidence, executor, in_flight);
            ComparisonStudy study{{}, files, replicates, count_of(noise_arg, "noise_replicates")};
            for (const auto& s : scenarios) study.scenarios.push_back(study_scenario(s));
            const auto report = run_study(a, scenarios.size() * replicates, progress, poll, &run_comparison_study, study);
            return comparison_dict(report, a.control.quantiles);
        },
        py::arg("scenarios"), py::arg("files"), py::arg("replicates"), py::arg("noise_replicates"), py::arg("output"),
        py::arg("provenance"), py::arg("threads"), py::arg("resume") = false, py::arg("keep_replicates") = false,
        py::arg("quantiles") = std::vector<double>{}, py::arg("bootstrap") = 1000, py::arg("confidence") = 0.95,
        py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1, py::arg("executor") = py::none(),
        py::arg("in_flight") = 0);

    m.def(
        "sweep_study",
        [](const LoadedScenario& scenario, const py::list& parameters, const std::string& design, const py::int_& points,
           const py::int_& replicates, const py::int_& noise_replicates, const std::string& output,
           const py::dict& provenance, int threads, bool resume, bool keep_replicates,
           const std::vector<double>& quantiles, const py::object& progress, double poll, const py::object& executor,
           std::size_t in_flight) {
            auto a = study_arguments(output, provenance, threads, resume, keep_replicates, quantiles, 1000, 0.95,
                                     executor, in_flight);
            const SweepStudy study{study_scenario(scenario), sweep_parameters(parameters),
                                   enum_argument<SweepDesign>(design, "design"), count_of(points, "points"),
                                   count_of(replicates, "replicates"), count_of(noise_replicates, "noise_replicates")};
            // The number of points is known once the design is made; count runs as they come.
            const auto report = run_study(a, 0, progress, poll, &run_sweep_study, study);
            return sweep_dict(report, a.control.quantiles);
        },
        py::arg("scenario"), py::arg("parameters"), py::arg("design"), py::arg("points"), py::arg("replicates"),
        py::arg("noise_replicates"), py::arg("output"), py::arg("provenance"), py::arg("threads"),
        py::arg("resume") = false, py::arg("keep_replicates") = false, py::arg("quantiles") = std::vector<double>{},
        py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1, py::arg("executor") = py::none(),
        py::arg("in_flight") = 0);

    m.def(
        "sensitivity_study",
        [](const LoadedScenario& scenario, const py::list& parameters, const std::string& method,
           const std::vector<std::string>& outputs, const py::int_& samples, const py::int_& levels,
           const py::int_& replicates, const std::string& output, const py::dict& provenance, int threads, bool resume,
           const py::int_& bootstrap, double confidence, const py::object& progress, double poll,
           const py::object& executor, std::size_t in_flight) {
            auto a = study_arguments(output, provenance, threads, resume, false, {}, count_of(bootstrap, "bootstrap"),
                                     confidence, executor, in_flight);
            SensitivityStudy study;
            study.scenario = study_scenario(scenario);
            study.method = enum_argument<SensitivityMethod>(method, "method");
            study.parameters = sweep_parameters(parameters);
            study.outputs = outputs;
            study.samples = count_of(samples, "samples");
            study.levels = count_of(levels, "levels");
            study.replicates = count_of(replicates, "replicates");
            const auto report = run_study(a, 0, progress, poll, &run_sensitivity_study, study);
            return sensitivity_dict(report, study.method == SensitivityMethod::sobol);
        },
        py::arg("scenario"), py::arg("parameters"), py::arg("method"), py::arg("outputs"), py::arg("samples"),
        py::arg("levels"), py::arg("replicates"), py::arg("output"), py::arg("provenance"), py::arg("threads"),
        py::arg("resume") = false, py::arg("bootstrap") = 1000, py::arg("confidence") = 0.95,
        py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1, py::arg("executor") = py::none(),
        py::arg("in_flight") = 0);
}

}  // namespace

void bind_runs(py::module_& m) {
    m.def("run_single", &single_run, py::arg("scenario"), py::arg("replicate"), py::arg("threads"),
          py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1,
          "One run (what `gatesim run` does); progress counts days");
    m.def("run_ensemble", &memory_ensemble, py::arg("scenario"), py::arg("replicates"), py::arg("first_replicate") = 0,
          py::arg("noise_replicates") = 0, py::arg("threads") = 1, py::arg("progress") = py::none(),
          py::arg("poll_seconds") = 0.1, py::arg("executor") = py::none(), py::arg("in_flight") = 0,
          "Replicates of one scenario through the ensemble runner, kept in memory: ([(run, draw, parameter "
          "values)], recorded parameter paths, noise replicates); progress counts runs");
    m.def(
        "run_encoded_job",
        [](const py::bytes& job, int threads) {
            std::string text = job;
            std::string answer;
            {
                py::gil_scoped_release release;
                answer = run_encoded_job(text, threads);
            }
            return py::bytes(answer);
        },
        py::arg("job"), py::arg("threads") = 1,
        "One job of a study, encoded by a pool executor; returns its run (or its failure) encoded. What "
        "gatesim.parallel.run_job calls in a pool's worker processes");
    bind_studies(m);
}

}  // namespace gatesim::python

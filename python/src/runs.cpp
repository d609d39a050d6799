// Runs from Python: one run (simulate), and the ensemble, comparison, sweep and sensitivity
// studies of sim/study (the CLI's), into a MemoryStore or, given an output path, a study file.
// Either way the result comes back as the study's data (study_data.hpp): the tables the C++
// reductions wrote, so Python computes no statistic of its own. Runs may be computed on a pool
// of processes (executor=, pool_executor.hpp). Each runs on a background
// thread with the GIL released; between polls the calling thread takes the GIL briefly to
// deliver signals (Ctrl-C cancels and raises KeyboardInterrupt) and report progress.
#include "runs.hpp"

#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "background.hpp"
#include "pool_executor.hpp"
#include "model/engine.hpp"
#include "study/ensemble.hpp"
#include "study/memory_store.hpp"
#include "study/studies.hpp"
#include "study/wire.hpp"
#include "study/limits.hpp"
#include "io/provenance.hpp"
#include "io/scenario_yaml.hpp"
#include "io/study_export.hpp"
#include "io/study_h5.hpp"
#include "io/study_reader.hpp"
#include "study_data.hpp"
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

// The study options shared by every kind, from keyword arguments; `pool` is where the runs are
// computed (executor=, a concurrent.futures executor), or none: this process's threads.
struct StudyArguments {
    std::string output;
    Provenance provenance;
    StudyControl control;
    std::unique_ptr<FuturesExecutor> pool;
};

StudyArguments study_arguments(const std::string& output, const py::dict& provenance, int threads, bool resume,
                               bool keep_replicates, const std::vector<double>& quantiles, const py::int_& bootstrap,
                               double confidence, const py::object& executor, std::size_t in_flight) {
    check_threads(threads);
    StudyArguments a;
    if (!executor.is_none()) a.pool = std::make_unique<FuturesExecutor>(executor, in_flight);
    a.control.executor = a.pool.get();
    a.output = output;
    auto text = [&](const char* key) { return provenance.contains(key) ? provenance[key].cast<std::string>() : ""; };
    a.provenance = make_provenance(text("scenario_yaml"), text("scenario_file"), text("command_line"), threads,
                                   text("start_time"));
    a.control.threads = threads;
    a.control.resume = resume;
    a.control.keep_replicates = keep_replicates;
    if (!quantiles.empty()) a.control.quantiles = quantiles;
    a.control.bootstrap = count_of(bootstrap, "bootstrap");
    a.control.confidence = confidence;
    return a;
}

// Runs a study in the background into a MemoryStore (no output path) or a study file at
// a.output, and returns its data: exported from memory, or read back from the file.
template <class Report, class Study>
py::dict run_study(StudyArguments& a, std::uint64_t plan_runs, const py::object& progress, double poll,
                   Report (*run)(const Study&, RunStore&, const StudyControl&), const Study& study) {
    Report report;
    StudyFileContents contents;
    run_polled(
        [&](const std::atomic<bool>& cancel, std::atomic<std::int64_t>& done, std::atomic<std::int64_t>& total) {
            StudyControl control = a.control;
            control.cancel = &cancel;
            control.progress = [&done, &total](std::uint64_t runs, std::uint64_t all) {
                total = static_cast<std::int64_t>(all);
                done = static_cast<std::int64_t>(runs);
            };
            if (a.output.empty()) {
                MemoryStore memory;
                report = run(study, memory, control);
                contents.data = export_memory_study(memory, report.plan, report.outcome);
                contents.provenance = a.provenance;
                contents.seed = report.plan.points.empty() ? 0 : report.plan.points.front().scenario().seed;
                contents.schema_version = study_schema_version;
            } else {
                {
                    StudyFile file(a.output, a.provenance);
                    report = run(study, file, control);
                }
                contents = read_study(a.output);
            }
        },
        static_cast<std::int64_t>(plan_runs), progress, poll);
    return study_dict(std::move(contents.data), contents.provenance, contents.seed, contents.schema_version,
                      &report.outcome);
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

// The arguments every study binding takes after its own.
#define GATESIM_STUDY_ARGS                                                                                 \
    py::arg("output") = "", py::arg("provenance") = py::dict(), py::arg("threads") = 1,                    \
        py::arg("resume") = false, py::arg("keep_replicates") = false,                                     \
        py::arg("quantiles") = std::vector<double>{}, py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1, \
        py::arg("executor") = py::none(), py::arg("in_flight") = 0

using Quantiles = std::vector<double>;

void bind_ensemble_and_comparison(py::module_& m) {
    m.def(
        "ensemble_study",
        [](const LoadedScenario& scenario, const py::int_& replicates, const py::int_& noise_replicates,
           const std::string& output, const py::dict& provenance, int threads, bool resume, bool keep_replicates,
           const Quantiles& quantiles, const py::object& progress, double poll, const py::object& executor,
           std::size_t in_flight) {
            auto a = study_arguments(output, provenance, threads, resume, keep_replicates, quantiles, py::int_(1000),
                                     0.95, executor, in_flight);
            const EnsembleStudy study{study_scenario(scenario), count_of(replicates, "replicates"),
                                      count_of(noise_replicates, "noise_replicates")};
            return run_study(a, study.replicates, progress, poll, &run_ensemble_study, study);
        },
        py::arg("scenario"), py::arg("replicates"), py::arg("noise_replicates"), GATESIM_STUDY_ARGS,
        "Replicates of one scenario with bands and distributions (gatesim run --replicates); progress counts runs");
    m.def(
        "compare_study",
        [](const std::vector<LoadedScenario>& scenarios, const std::vector<std::string>& files,
           const py::int_& replicates, const py::int_& noise_replicates, const py::int_& bootstrap,
           double confidence, const std::string& output, const py::dict& provenance, int threads, bool resume,
           bool keep_replicates, const Quantiles& quantiles, const py::object& progress, double poll,
           const py::object& executor, std::size_t in_flight) {
            auto a = study_arguments(output, provenance, threads, resume, keep_replicates, quantiles, bootstrap,
                                     confidence, executor, in_flight);
            ComparisonStudy study{{}, files, count_of(replicates, "replicates"),
                                  count_of(noise_replicates, "noise_replicates")};
            for (const auto& s : scenarios) study.scenarios.push_back(study_scenario(s));
            return run_study(a, scenarios.size() * study.replicates, progress, poll, &run_comparison_study, study);
        },
        py::arg("scenarios"), py::arg("files"), py::arg("replicates"), py::arg("noise_replicates"),
        py::arg("bootstrap") = 1000, py::arg("confidence") = 0.95, GATESIM_STUDY_ARGS,
        "Scenarios under common random numbers with paired deltas (gatesim compare)");
}

void bind_sweep_and_sensitivity(py::module_& m) {
    m.def(
        "sweep_study",
        [](const LoadedScenario& scenario, const py::list& parameters, const std::string& design,
           const py::int_& points, const py::int_& replicates, const py::int_& noise_replicates,
           const std::string& output, const py::dict& provenance, int threads, bool resume, bool keep_replicates,
           const Quantiles& quantiles, const py::object& progress, double poll, const py::object& executor,
           std::size_t in_flight) {
            auto a = study_arguments(output, provenance, threads, resume, keep_replicates, quantiles, py::int_(1000),
                                     0.95, executor, in_flight);
            const SweepStudy study{study_scenario(scenario), sweep_parameters(parameters),
                                   enum_argument<SweepDesign>(design, "design"), count_of(points, "points"),
                                   count_of(replicates, "replicates"), count_of(noise_replicates, "noise_replicates")};
            // The number of points is known once the design is made; count runs as they come.
            return run_study(a, 0, progress, poll, &run_sweep_study, study);
        },
        py::arg("scenario"), py::arg("parameters"), py::arg("design"), py::arg("points"), py::arg("replicates"),
        py::arg("noise_replicates"), GATESIM_STUDY_ARGS, "A design over parameters (gatesim sweep)");
    m.def(
        "sensitivity_study",
        [](const LoadedScenario& scenario, const py::list& parameters, const std::string& method,
           const std::vector<std::string>& outputs, const py::int_& samples, const py::int_& levels,
           const py::int_& replicates, const py::int_& bootstrap, double confidence, const std::string& output,
           const py::dict& provenance, int threads, bool resume, bool keep_replicates, const Quantiles& quantiles,
           const py::object& progress, double poll, const py::object& executor, std::size_t in_flight) {
            auto a = study_arguments(output, provenance, threads, resume, keep_replicates, quantiles, bootstrap,
                                     confidence, executor, in_flight);
            SensitivityStudy study;
            study.scenario = study_scenario(scenario);
            study.method = enum_argument<SensitivityMethod>(method, "method");
            study.parameters = sweep_parameters(parameters);
            study.outputs = outputs;
            study.samples = count_of(samples, "samples");
            study.levels = count_of(levels, "levels");
            study.replicates = count_of(replicates, "replicates");
            return run_study(a, 0, progress, poll, &run_sensitivity_study, study);
        },
        py::arg("scenario"), py::arg("parameters"), py::arg("method"), py::arg("outputs"), py::arg("samples"),
        py::arg("levels"), py::arg("replicates"), py::arg("bootstrap") = 1000, py::arg("confidence") = 0.95,
        GATESIM_STUDY_ARGS, "Morris or Sobol' indices (gatesim sensitivity)");
}

#undef GATESIM_STUDY_ARGS

}  // namespace

void bind_runs(py::module_& m) {
    m.def("run_single", &single_run, py::arg("scenario"), py::arg("replicate"), py::arg("threads"),
          py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1,
          "One run (what `gatesim run` does); progress counts days");
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
    bind_ensemble_and_comparison(m);
    bind_sweep_and_sensitivity(m);
}

}  // namespace gatesim::python

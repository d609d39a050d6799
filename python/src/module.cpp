// gatesim._core: the Python extension. A thin layer over the API the CLI uses: scenarios are
// loaded, overridden and validated by sim/io, runs go through simulate() and the studies of
// sim/study (runs.cpp), results files through read_results/write_results, study files through
// read_study (study_data.cpp), statistics through sim/study/statistics (statistics.cpp).
// It owns only what Python needs on top: zero-copy arrays, the GIL, Ctrl-C, and the
// translation of every C++ exception into a Python one.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <sstream>

#include "model/engine.hpp"
#include "model/errors.hpp"
#include "io/parameter_sample.hpp"
#include "io/provenance.hpp"
#include "io/results_h5.hpp"
#include "io/scenario_yaml.hpp"
#include "runs.hpp"
#include "statistics.hpp"
#include "study_data.hpp"
#include "yaml_python.hpp"

namespace py = pybind11;
using namespace gatesim;

namespace {

std::vector<std::string> split_key_path(const std::string& key_path) {
    std::vector<std::string> keys;
    std::stringstream in(key_path);
    for (std::string key; std::getline(in, key, '.');) keys.push_back(key);
    return keys;
}

// The value at a key path of the fully resolved scenario, read back from its YAML so that any
// field the schema gains is readable without changes here.
py::object get_value(const LoadedScenario& loaded, const std::string& key_path) {
    const YAML::Node root = YAML::Load(to_yaml(loaded));
    if (key_path.empty()) return python::to_python(root);
    YAML::Node node = root;
    std::string walked;
    for (const auto& key : split_key_path(key_path)) {
        const YAML::Node& parent = node;
        YAML::Node child;
        bool found = false;
        if (parent.IsMap())
            for (auto it = parent.begin(); it != parent.end() && !found; ++it) {
                if (it->first.Scalar() != key) continue;
                child.reset(it->second);
                found = true;
            }
        if (!found) {
            std::string fields;
            if (parent.IsMap())
                for (auto it = parent.begin(); it != parent.end(); ++it)
                    fields += (fields.empty() ? "" : ", ") + it->first.Scalar();
            std::string where = walked.empty() ? "the scenario" : "'" + walked + "'";
            throw py::key_error(key_path + ": " + where + (fields.empty() ? " has no fields" : " has no field '" + key + "'; fields there: " + fields));
        }
        walked += (walked.empty() ? "" : ".") + key;
        node.reset(child);
    }
    return python::to_python(node);
}

// key.path = value exactly as the CLI's --set, so validation and messages are the CLI's.
void set_value(LoadedScenario& loaded, const std::string& key_path, py::handle value) {
    apply_override(loaded, key_path + "=" + python::flow_text(python::to_yaml_node(value)));
}

py::object location(const LoadedScenario& loaded, const std::string& key_path) {
    const auto it = loaded.locations.find(key_path);
    if (it == loaded.locations.end()) return py::none();
    return py::make_tuple(it->second.file, it->second.line, it->second.column);
}

std::vector<std::string> as_strings(const py::object& overrides) {
    if (overrides.is_none()) return {};
    return overrides.cast<std::vector<std::string>>();
}

const Series& find_series(const Results& results, const std::string& name) {
    for (const auto& s : results.series)
        if (s.name == name) return s;
    throw py::key_error("no series named '" + name + "'");
}

// A read-only numpy view of a series' values, shaped (day, axis...), whose base is the Python
// object owning the Results, so the memory lives as long as any view of it.
py::array series_view(const py::object& owner, const Series& series) {
    std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(series.days())};
    for (const auto& axis : series.axes) shape.push_back(static_cast<py::ssize_t>(axis.labels.size()));
    py::array view(py::dtype::of<double>(), shape, {}, series.values.data(), owner);
    // The values are shared by every view and by the results object: nobody may change them.
    view.attr("flags").attr("writeable") = false;
    return view;
}

template <class T>
T item_or(const py::dict& d, const char* key, T fallback) {
    return d.contains(key) ? d[key].cast<T>() : fallback;
}

// Every C++ bad-input error (BadInput, model/errors.hpp) becomes a Python exception of the
// gatesim.errors hierarchy or a ValueError: ScenarioError with the problems as Python objects;
// files that cannot be read or written ResultsFileError (an OSError); bad parameters and
// plans ValueError. If gatesim.errors cannot be imported, plain ValueError / OSError.
void raise_typed(const char* type_name, py::handle fallback, const std::string& message, const py::object& argument) {
    try {
        py::object type = py::module_::import("gatesim.errors").attr(type_name);
        PyErr_SetObject(type.ptr(), type(argument).ptr());
    } catch (py::error_already_set&) {
        PyErr_SetString(fallback.ptr(), message.c_str());
    }
}

void translate(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const ScenarioError& e) {
        py::list problems;
        try {
            py::object problem = py::module_::import("gatesim.errors").attr("Problem");
            for (const auto& p : e.problems())
                problems.append(problem(p.where.file, p.where.line, p.where.column, p.key_path, p.message));
        } catch (py::error_already_set&) {
            PyErr_SetString(PyExc_ValueError, e.what());
            return;
        }
        raise_typed("ScenarioError", PyExc_ValueError, e.what(), problems);
    } catch (const ResultsFileError& e) {
        raise_typed("ResultsFileError", PyExc_OSError, e.what(), py::str(e.what()));
    } catch (const OutputPathError& e) {  // a file that cannot be written, as when writing fails
        raise_typed("ResultsFileError", PyExc_OSError, e.what(), py::str(e.what()));
    } catch (const ResultsWriteError& e) {
        raise_typed("ResultsFileError", PyExc_OSError, e.what(), py::str(e.what()));
    } catch (const BadInput& e) {  // bad parameters and plans
        PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Cancelled& e) {
        PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const YAML::Exception& e) {
        PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        PyErr_SetString(PyExc_OSError, e.what());
    }
    // Anything else falls through to pybind11's own translators (std::exception -> RuntimeError,
    // unknown -> RuntimeError): nothing reaches std::terminate.
}

// The Scenario class: loading, reading and setting fields, YAML.
void bind_scenario(py::module_& m) {
    py::class_<LoadedScenario>(m, "Scenario", "A validated scenario and where each field was set")
        .def_static(
            "load",
            [](const std::string& path, const py::object& overrides) { return load_scenario(path, as_strings(overrides)); },
            py::arg("path"), py::arg("overrides") = py::none())
        .def_static(
            "from_text",
            [](const std::string& yaml, const std::string& origin, const std::string& base_dir, const py::object& overrides) {
                return load_scenario_text(yaml, origin, base_dir, as_strings(overrides));
            },
            py::arg("yaml"), py::arg("origin"), py::arg("base_dir"), py::arg("overrides") = py::none())
        .def_static(
            "from_object",
            [](const py::object& document, const std::string& origin, const std::string& base_dir) {
                return load_scenario_text(python::block_text(python::to_yaml_node(document)), origin, base_dir);
            },
            py::arg("document"), py::arg("origin"), py::arg("base_dir"))
        .def("get", &get_value, py::arg("key_path"))
        .def("set", &set_value, py::arg("key_path"), py::arg("value"))
        .def("apply", &apply_override, py::arg("assignment"))
        .def("location", &location, py::arg("key_path"))
        .def("to_yaml", [](const LoadedScenario& s) { return to_yaml(s); })
        .def_property_readonly("uncertain",
                               [](const LoadedScenario& s) {
                                   py::dict out;  // key path -> distribution as in scenario files
                                   for (const auto& u : s.uncertain)
                                       out[py::str(u.key_path)] = python::to_python(YAML::Load(to_yaml(u.distribution)));
                                   return out;
                               })
        .def("copy", [](const LoadedScenario& s) { return LoadedScenario(s); })
        .def(
            "use_sample",
            [](LoadedScenario& s, const std::string& path) {
                StudyScenario study{s.scenario, s.uncertain};
                use_sample(study, read_parameter_sample(path));
                s.uncertain = std::move(study.uncertain);
            },
            py::arg("path"), "Draws the fields of a calibration file's sample jointly, a row per parameter draw")
        .def_property_readonly("days", [](const LoadedScenario& s) { return s.scenario.days; })
        .def_property_readonly("seed", [](const LoadedScenario& s) { return s.scenario.seed; });
}

// The Run class (one replicate's results, zero-copy arrays) and results files.
void bind_results(py::module_& m) {
    py::class_<Results, std::shared_ptr<Results>>(m, "Run", "The results of one replicate")
        .def_readonly("seed", &Results::seed)
        .def_readonly("replicate", &Results::replicate)
        .def_readonly("days", &Results::days)
        .def_readonly("start_date", &Results::start_date)
        .def("series_info",
             [](const Results& r) {
                 py::list out;
                 for (const auto& s : r.series) {
                     py::list axes;
                     for (const auto& a : s.axes) axes.append(py::make_tuple(a.name, a.labels));
                     out.append(py::make_tuple(s.name, s.unit, s.description, axes));
                 }
                 return out;
             })
        .def("values",
             [](const py::object& self, const std::string& name) {
                 return series_view(self, find_series(self.cast<const Results&>(), name));
             },
             py::arg("name"))
        .def("scalars", [](const Results& r) {
            py::list out;
            for (const auto& s : r.scalars) out.append(py::make_tuple(s.name, s.unit, s.description, s.value));
            return out;
        })
        .def("warnings", [](const Results& r) {
            py::list out;
            for (const auto& w : r.warnings) out.append(w);
            return out;
        });

    m.def(
        "read_results",
        [](const std::string& path) {
            ResultsFile file;
            {
                py::gil_scoped_release release;
                file = read_results(path);
            }
            auto results = std::make_shared<Results>(std::move(file.results));
            return py::make_tuple(results, python::provenance_dict(file.provenance), file.schema_version);
        },
        py::arg("path"));

    m.def(
        "write_results",
        [](const std::string& path, const Results& results, const py::dict& provenance) {
            const Provenance p = make_provenance(item_or<std::string>(provenance, "scenario_yaml", ""),
                                                 item_or<std::string>(provenance, "scenario_file", ""),
                                                 item_or<std::string>(provenance, "command_line", ""),
                                                 item_or<int>(provenance, "threads", 1),
                                                 item_or<std::string>(provenance, "start_time", ""));
            py::gil_scoped_release release;
            write_results(path, results, p);
        },
        py::arg("path"), py::arg("run"), py::arg("provenance"));
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "gatesim C++ core: scenarios, runs and results files (use the gatesim package instead)";
    m.attr("__version__") = GATESIM_VERSION;
    m.attr("git_commit") = GATESIM_GIT_COMMIT;
    m.attr("results_schema_version") = results_schema_version;

    py::register_local_exception_translator(translate);

    bind_scenario(m);
    bind_results(m);
    m.def(
        "yaml_flow", [](const py::object& value) { return python::flow_text(python::to_yaml_node(value)); },
        py::arg("value"), "A Python value as YAML flow text, as written after --set key.path=");
    python::bind_runs(m);
    python::bind_statistics(m);
    python::bind_study_data(m);
}

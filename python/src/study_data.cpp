// StudyData <-> Python dicts, and reading study files (study_data.hpp).
#include "study_data.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>

#include "io/study_h5.hpp"
#include "io/study_reader.hpp"

namespace py = pybind11;

namespace gatesim::python {
namespace {

// The values move into a heap vector that the array's capsule owns.
py::array array_of(StudyTable& t) {
    auto* values = new std::vector<double>(std::move(t.values));
    py::capsule owner(values, [](void* p) { delete static_cast<std::vector<double>*>(p); });
    std::vector<py::ssize_t> shape(t.dims.begin(), t.dims.end());
    return py::array(py::dtype::of<double>(), shape, {}, values->data(), owner);
}

py::object attribute_object(const StudyAttributeValue& v) {
    return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
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

}  // namespace

py::dict provenance_dict(const Provenance& p) {
    py::dict d;
    d["gatesim_version"] = p.gatesim_version;
    d["git_commit"] = p.git_commit;
    d["scenario_yaml"] = p.scenario_yaml;
    d["scenario_file"] = p.scenario_file;
    d["command_line"] = p.command_line;
    d["start_time"] = p.start_time;
    d["threads"] = p.threads;
    return d;
}

py::dict study_dict(StudyData data, const Provenance& provenance, std::uint64_t seed, int schema_version,
                    const StudyOutcome* outcome) {
    py::dict out;
    out["file_type"] = file_type_of(data.kind);
    out["schema_version"] = schema_version;
    out["complete"] = data.complete;
    if (outcome) out["outcome"] = outcome_dict(*outcome);
    py::dict p = provenance_dict(provenance);
    p["seed"] = seed;
    out["provenance"] = p;
    py::dict tables;
    for (auto& t : data.tables) {
        py::dict table;
        table["axes"] = py::tuple(py::cast(t.axes));
        table["unit"] = t.unit;
        table["description"] = t.description;
        table["values"] = array_of(t);
        tables[py::str(t.path)] = table;
    }
    out["tables"] = tables;
    py::dict labels;
    for (const auto& l : data.labels) labels[py::str(l.path)] = py::cast(l.labels);
    out["labels"] = labels;
    py::dict texts;
    for (const auto& t : data.texts) texts[py::str(t.path)] = t.text;
    out["texts"] = texts;
    py::dict attributes;
    for (const auto& a : data.attributes) {
        if (!attributes.contains(a.object)) attributes[py::str(a.object)] = py::dict();
        attributes[py::str(a.object)][py::str(a.name)] = attribute_object(a.value);
    }
    out["attributes"] = attributes;
    return out;
}

void bind_study_data(py::module_& m) {
    m.def(
        "read_study",
        [](const std::string& path) {
            StudyFileContents contents;
            {
                py::gil_scoped_release release;
                contents = read_study(path);
            }
            return study_dict(std::move(contents.data), contents.provenance, contents.seed, contents.schema_version);
        },
        py::arg("path"), "A study file as a dict of tables, labels, texts and attributes");
    m.def(
        "file_type",
        [](const std::string& path) {
            py::gil_scoped_release release;
            return gatesim_file_type(path);
        },
        py::arg("path"), "The file_type of a gatesim file, e.g. 'gatesim-comparison'");
    m.attr("study_schema_version") = study_schema_version;
}

}  // namespace gatesim::python

// StudyData <-> Python dicts, and reading study files (study_data.hpp).
#include "study_data.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "io/study_h5.hpp"
#include "io/study_reader.hpp"
#include "io/study_writer.hpp"

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

StudyAttributeValue attribute_value(const py::handle& v) {
    if (py::isinstance<py::str>(v)) return v.cast<std::string>();
    if (py::isinstance<py::bool_>(v)) return static_cast<std::uint64_t>(v.cast<bool>());
    if (py::isinstance<py::int_>(v)) {
        const auto i = v.cast<long long>();
        if (i < 0) return static_cast<std::int64_t>(i);
        return v.cast<std::uint64_t>();
    }
    return v.cast<double>();
}

template <class T>
T item(const py::dict& d, const char* key, T fallback) {
    return d.contains(key) ? d[key].cast<T>() : fallback;
}

// The dict study_dict made (or one shaped like it) back into StudyData, for writing.
StudyData study_of(const py::dict& d) {
    StudyData data;
    const auto file_type = d["file_type"].cast<std::string>();
    bool known = false;
    for (StudyKind k : {StudyKind::ensemble, StudyKind::comparison, StudyKind::sweep, StudyKind::sensitivity})
        if (file_type_of(k) == file_type) data.kind = k, known = true;
    if (!known) throw py::value_error("not the data of a study: file_type is '" + file_type + "'");
    data.complete = d["complete"].cast<bool>();
    for (auto [path, value] : d["tables"].cast<py::dict>()) {
        const auto t = value.cast<py::dict>();
        const auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(t["values"]);
        if (!array) throw py::value_error("table " + path.cast<std::string>() + " is not numeric");
        StudyTable table{path.cast<std::string>(), {}, {}, t["axes"].cast<std::vector<std::string>>(),
                         t["unit"].cast<std::string>(), t["description"].cast<std::string>()};
        for (py::ssize_t i = 0; i < array.ndim(); ++i) table.dims.push_back(static_cast<std::size_t>(array.shape(i)));
        table.values.assign(array.data(), array.data() + array.size());
        data.tables.push_back(std::move(table));
    }
    for (auto [path, labels] : d["labels"].cast<py::dict>())
        data.labels.push_back({path.cast<std::string>(), labels.cast<std::vector<std::string>>()});
    for (auto [path, text] : d["texts"].cast<py::dict>()) data.texts.push_back({path.cast<std::string>(), text.cast<std::string>()});
    for (auto [object, names] : d["attributes"].cast<py::dict>())
        for (auto [name, value] : names.cast<py::dict>())
            data.attributes.push_back({object.cast<std::string>(), name.cast<std::string>(), attribute_value(value)});
    return data;
}

// The provenance a study recorded, kept as it was (a saved study still says who made it).
Provenance provenance_of(const py::dict& p) {
    Provenance out;
    out.gatesim_version = item<std::string>(p, "gatesim_version", GATESIM_VERSION);
    out.git_commit = item<std::string>(p, "git_commit", GATESIM_GIT_COMMIT);
    out.scenario_yaml = item<std::string>(p, "scenario_yaml", "");
    out.scenario_file = item<std::string>(p, "scenario_file", "");
    out.command_line = item<std::string>(p, "command_line", "");
    out.start_time = item<std::string>(p, "start_time", "");
    out.threads = item<int>(p, "threads", 1);
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
    // One order whether the data come from memory or a file: by group, and within a group as
    // written (the engine's order of series and scalars).
    auto group_of = [](const std::string& path) { return path.substr(0, path.rfind('/') + 1); };
    std::stable_sort(data.tables.begin(), data.tables.end(),
                     [&](const StudyTable& a, const StudyTable& b) { return group_of(a.path) < group_of(b.path); });
    auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    std::sort(data.labels.begin(), data.labels.end(), by_path);
    std::sort(data.texts.begin(), data.texts.end(), by_path);
    std::sort(data.attributes.begin(), data.attributes.end(), [](const StudyAttribute& a, const StudyAttribute& b) {
        return std::tie(a.object, a.name) < std::tie(b.object, b.name);
    });
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
    m.def(
        "write_study",
        [](const std::string& path, const py::dict& study) {
            const StudyData data = study_of(study);
            const auto provenance = study["provenance"].cast<py::dict>();
            const Provenance p = provenance_of(provenance);
            const auto seed = item<std::uint64_t>(provenance, "seed", 0);
            py::gil_scoped_release release;
            write_study(path, data, p, seed);
        },
        py::arg("path"), py::arg("study"), "Writes a study's data (as read_study gives it) as a study file");
    m.attr("study_schema_version") = study_schema_version;
}

}  // namespace gatesim::python

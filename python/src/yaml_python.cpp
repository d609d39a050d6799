// YAML <-> Python value conversion (see yaml_python.hpp).
#include "yaml_python.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <vector>

#include "io/yaml_input.hpp"

namespace py = pybind11;

namespace gatesim::python {
namespace {

bool is_int_text(const std::string& s) {
    static const std::regex pattern("[-+]?[0-9]+");
    return std::regex_match(s, pattern);
}

py::object scalar_to_python(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (node.Tag() == "!") return py::str(text);  // quoted: the author meant text
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return py::none();
    if (text == "true" || text == "True" || text == "TRUE") return py::bool_(true);
    if (text == "false" || text == "False" || text == "FALSE") return py::bool_(false);
    // Python ints are unbounded, so let Python parse them; floats follow the C++ loader.
    if (is_int_text(text)) return py::reinterpret_steal<py::object>(PyLong_FromString(text.c_str(), nullptr, 10));
    if (text == ".nan" || text == ".NaN" || text == ".NAN") return py::float_(std::nan(""));
    if (text == ".inf" || text == "+.inf" || text == ".Inf") return py::float_(HUGE_VAL);
    if (text == "-.inf" || text == "-.Inf") return py::float_(-HUGE_VAL);
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && !std::isnan(value) && !std::isinf(value))
        return py::float_(value);
    return py::str(text);
}

void emit(YAML::Emitter& out, const YAML::Node& node) { out << node; }

}  // namespace

py::object to_python(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return py::none();
        case YAML::NodeType::Scalar:
            return scalar_to_python(node);
        case YAML::NodeType::Sequence: {
            py::list items;
            for (const auto& item : node) items.append(to_python(item));
            return items;
        }
        case YAML::NodeType::Map: {
            py::dict entries;
            for (auto it = node.begin(); it != node.end(); ++it) entries[to_python(it->first)] = to_python(it->second);
            return entries;
        }
    }
    return py::none();
}

namespace {

// Python objects to YAML, refusing what no YAML document can be: an object that contains itself,
// and nesting deeper than a scenario file may have (max_nesting_depth), which would otherwise
// exhaust the C stack. Errors are ScenarioErrors naming the key path.
class ObjectConverter {
public:
    YAML::Node convert(py::handle value, const std::string& path, int depth) {
        if (value.is_none()) return YAML::Node(YAML::NodeType::Null);
        if (PyBool_Check(value.ptr())) return YAML::Node(value.ptr() == Py_True ? "true" : "false");
        if (PyLong_Check(value.ptr())) return YAML::Node(py::str(value).cast<std::string>());
        if (PyFloat_Check(value.ptr())) {
            // repr of a plain float is the shortest text that reads back as the same double.
            return YAML::Node(py::repr(py::float_(PyFloat_AsDouble(value.ptr()))).cast<std::string>());
        }
        if (PyUnicode_Check(value.ptr())) return YAML::Node(value.cast<std::string>());
        const bool mapping = py::isinstance<py::dict>(value) || py::hasattr(value, "items");
        const bool sequence = py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value);
        // numpy scalars and arrays, and anything else that knows its plain Python form.
        if (!mapping && !sequence && py::hasattr(value, "tolist")) return convert(value.attr("tolist")(), path, depth);
        if (!mapping && !sequence)
            throw py::type_error("cannot write a value of type " +
                                 py::str(value.get_type().attr("__name__")).cast<std::string>() +
                                 " into a scenario; use None, bool, int, float, str, list or dict");
        if (depth > max_nesting_depth)
            fail(path, "maps and lists nested more than " + std::to_string(max_nesting_depth) + " levels deep (the limit)");
        if (std::find(open_.begin(), open_.end(), value.ptr()) != open_.end())
            fail(path, "the object refers to itself (a cycle), which a scenario cannot hold");
        open_.push_back(value.ptr());
        YAML::Node node = mapping ? convert_mapping(value, path, depth) : convert_sequence(value, path, depth);
        open_.pop_back();
        return node;
    }

private:
    YAML::Node convert_mapping(py::handle value, const std::string& path, int depth) {
        YAML::Node map(YAML::NodeType::Map);
        for (auto item : py::reinterpret_borrow<py::object>(value).attr("items")()) {
            auto pair = py::reinterpret_borrow<py::tuple>(item);
            const std::string key = py::str(pair[0]).cast<std::string>();
            map[key] = convert(pair[1], path.empty() ? key : path + "." + key, depth + 1);
        }
        return map;
    }

    YAML::Node convert_sequence(py::handle value, const std::string& path, int depth) {
        YAML::Node seq(YAML::NodeType::Sequence);
        std::size_t index = 0;
        for (auto item : value) {
            const std::string at = std::to_string(index++);
            seq.push_back(convert(item, path.empty() ? at : path + "." + at, depth + 1));
        }
        return seq;
    }

    [[noreturn]] static void fail(const std::string& path, const std::string& message) {
        ScenarioProblem problem;
        problem.where.file = "<python object>";
        problem.key_path = path;
        problem.message = message;
        ProblemList problems;
        problems.add(std::move(problem));
        problems.raise();
    }

    std::vector<PyObject*> open_;  // the containers being converted, outermost first
};

}  // namespace

YAML::Node to_yaml_node(py::handle value) {
    return ObjectConverter().convert(value, "", 1);
}

std::string flow_text(const YAML::Node& node) {
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    emit(out, node);
    return out.c_str();
}

std::string block_text(const YAML::Node& node) {
    YAML::Emitter out;
    emit(out, node);
    return std::string(out.c_str()) + "\n";
}

}  // namespace gatesim::python

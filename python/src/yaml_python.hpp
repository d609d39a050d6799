// Conversions between YAML documents and Python objects, so that scenario fields can be read
// and written from Python without a Python YAML library and without knowing the schema: the
// C++ loader stays the only place that interprets and validates a scenario.
#pragma once

#include <pybind11/pybind11.h>
#include <yaml-cpp/yaml.h>

#include <string>

namespace gatesim::python {

// Plain scalars are typed as YAML's core schema would (null, bool, int, float, else str);
// quoted scalars stay str. Maps become dicts in document order, sequences lists.
pybind11::object to_python(const YAML::Node& node);

// None, bool, int, float, str, mappings and sequences (and anything with tolist(), such as
// numpy values). Throws pybind11::type_error for anything else, and ScenarioError for an object
// that contains itself or nests deeper than max_nesting_depth (io/yaml_input.hpp).
YAML::Node to_yaml_node(pybind11::handle value);

// One value in flow style, e.g. {dist: lognormal, median: 45, sigma: 0.6}, for `key=value`.
std::string flow_text(const YAML::Node& node);

// A whole document in block style, for building a scenario from a dict.
std::string block_text(const YAML::Node& node);

}  // namespace gatesim::python

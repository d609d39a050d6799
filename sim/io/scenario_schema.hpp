// The JSON Schema of scenario files, generated from the scenario types' describe() (the same
// field descriptions the reader validates against), so editors can complete keys and flag
// unknown keys, wrong types, out-of-range numbers and unknown enumeration values as one types.
// `gatesim schema` prints it.
//
// What it cannot express stays with `gatesim validate`: shares that must sum to one, references
// between entities, the horizon, extends chains, and which fields a file inherits (a file that
// extends another needs none; one that does not must give every required field).
#pragma once

#include <string>

namespace gatesim {

std::string scenario_json_schema();

}  // namespace gatesim

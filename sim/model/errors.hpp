// The one base of every bad-input error, so each edge maps them in one place: the CLI exits 2,
// the Python bindings raise a typed exception. Derived types say which input was bad
// (ScenarioError, ParameterError, PlanError, ResultsFileError, OutputPathError); anything not
// derived from BadInput is a fault of gatesim or its machine (exit 1).
#pragma once

#include <stdexcept>

namespace gatesim {

// Input the user can correct: a scenario, a parameter, a study plan, an input file, an output path.
struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace gatesim

// Python bindings of runs and studies (runs.cpp).
#pragma once

#include <pybind11/pybind11.h>

namespace gatesim::python {

void bind_runs(pybind11::module_& m);

}  // namespace gatesim::python

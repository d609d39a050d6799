// Python bindings of the statistics and number formatting (statistics.cpp).
#pragma once

#include <pybind11/pybind11.h>

namespace gatesim::python {

void bind_statistics(pybind11::module_& m);

}  // namespace gatesim::python

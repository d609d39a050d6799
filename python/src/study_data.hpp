// Study data between C++ and Python: a StudyData (with its provenance) as the plain dict the
// gatesim package builds its objects from, and back, for saving (study_data.cpp).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>

#include "io/provenance.hpp"
#include "study/studies.hpp"
#include "study/study_data.hpp"

namespace gatesim::python {

// {"file_type", "schema_version", "complete", "outcome" (when given), "provenance" (with seed),
//  "tables": {path: {"values": ndarray, "axes": (..), "unit", "description"}},
//  "labels": {path: [..]}, "texts": {path: str}, "attributes": {object: {name: value}}}.
// Tables are moved into the arrays, without a copy.
pybind11::dict study_dict(StudyData data, const Provenance& provenance, std::uint64_t seed, int schema_version,
                          const StudyOutcome* outcome = nullptr);

pybind11::dict provenance_dict(const Provenance& p);

void bind_study_data(pybind11::module_& m);

}  // namespace gatesim::python

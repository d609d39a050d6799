// Reading study files (ensembles, comparisons, sweeps, sensitivity analyses) back into
// StudyData: every table, label list, text and attribute the file holds, by path, for Python's
// gs.load and the exports (layouts: docs/results-format.md). Reads the current schema and the
// previous one (1: attribute `unit` instead of `units`, no coordinates); refuses others.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "io/provenance.hpp"
#include "io/results_h5.hpp"
#include "study/study_data.hpp"

namespace gatesim {

struct StudyFileContents {
    int schema_version = 0;
    Provenance provenance;
    std::uint64_t seed = 0;
    StudyData data;
};

// Throws ResultsFileError when the file is missing, not a gatesim study file, or of a schema
// version this gatesim does not read.
StudyFileContents read_study(const std::filesystem::path& path);

// The file_type attribute of any gatesim file ("gatesim-results", "gatesim-ensemble", ...), so a
// reader can dispatch. Throws ResultsFileError when the file is not a gatesim file.
std::string gatesim_file_type(const std::filesystem::path& path);

}  // namespace gatesim

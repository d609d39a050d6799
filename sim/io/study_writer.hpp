// Writing StudyData as a study file: what save() does for a study Python ran in memory or read
// from a file. The file has the layout StudyFile writes (tested: it reads back as the same
// data), at the current schema version, so saving a file of the previous version upgrades it.
#pragma once

#include <cstdint>
#include <filesystem>

#include "io/provenance.hpp"
#include "study/study_data.hpp"

namespace gatesim {

// Atomically (a temporary file renamed into place), after checking the path (OutputPathError).
// Throws ResultsWriteError when writing fails.
void write_study(const std::filesystem::path& path, const StudyData& data, const Provenance& provenance,
                 std::uint64_t seed);

}  // namespace gatesim

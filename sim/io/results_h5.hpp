// HDF5 results files of single runs: atomic writer and validating reader (layout:
// docs/results-format.md).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "model/errors.hpp"
#include "model/results.hpp"
#include "io/output_path.hpp"
#include "io/provenance.hpp"

namespace gatesim {

// 2: dimension scales on every axis (netCDF-4), `units` attributes, calendar dates. Readers
// also read files of version 1.
inline constexpr int results_schema_version = 2;

// A results or study file that cannot be read as asked: missing, not HDF5, of another kind or
// schema version, damaged, or (for --resume) complete already or made by another plan.
struct ResultsFileError : BadInput {
    using BadInput::BadInput;
};

// Writing a file failed after its path was accepted (a full disk, an I/O error, results that
// cannot be stored): not the user's input.
struct ResultsWriteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Writes to a temporary file beside `path` and renames it into place only when complete, so a
// failed or interrupted write never leaves a partial file at `path` nor replaces a good one.
// Throws OutputPathError before writing anything when `path` cannot be written or another
// process is writing it (output_lock.hpp), else ResultsWriteError (e.g. a full disk).
void write_results(const std::filesystem::path& path, const Results& results, const Provenance& provenance);

struct ResultsFile {
    int schema_version = 0;
    Provenance provenance;
    Results results;
};

// Reads a file written by write_results. Throws ResultsFileError on a missing or foreign file.
ResultsFile read_results(const std::filesystem::path& path);

}  // namespace gatesim

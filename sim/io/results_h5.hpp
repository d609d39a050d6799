// HDF5 results files: the layout is documented in docs/results-format.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "model/results.hpp"

namespace gatesim {

inline constexpr int results_schema_version = 1;

// Who made a results file, from what, and when.
struct Provenance {
    std::string gatesim_version;
    std::string git_commit;
    std::string scenario_yaml;  // the fully resolved scenario
    std::string scenario_file;  // path as given, may be empty
    std::string command_line;
    std::string start_time;  // ISO 8601 UTC
    int threads = 1;
};

struct ResultsFileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Writes to a temporary file beside `path` and renames it into place only when complete, so a
// failed or interrupted write never leaves a partial file at `path` nor replaces a good one.
void write_results(const std::filesystem::path& path, const Results& results,
                   const Provenance& provenance);

struct ResultsFile {
    int schema_version = 0;
    Provenance provenance;
    Results results;
};

// Reads a file written by write_results. Throws ResultsFileError on a missing or foreign file.
ResultsFile read_results(const std::filesystem::path& path);

}  // namespace gatesim

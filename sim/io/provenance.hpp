// Provenance: who made a results or study file, from what, and when. Built in one place
// (make_provenance), written into every file by one writer and read back by one reader
// (provenance.cpp; the HDF5 side is declared in provenance_h5.hpp).
#pragma once

#include <string>

namespace gatesim {

struct Provenance {
    std::string gatesim_version;
    std::string git_commit;
    std::string scenario_yaml;  // the fully resolved scenario
    std::string scenario_file;  // path as given, may be empty
    std::string command_line;
    std::string start_time;  // ISO 8601 UTC
    int threads = 1;
};

// This build's version and commit, with what the caller knows of the run.
Provenance make_provenance(std::string scenario_yaml, std::string scenario_file, std::string command_line, int threads,
                           std::string start_time);

// Now, as ISO 8601 UTC (2026-01-01T00:00:00Z): a run's start time.
std::string utc_now();

}  // namespace gatesim

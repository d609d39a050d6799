// The parameter table: every scenario field with its meaning, unit, range, default and source.
//
// The table is generated from the scenario types' describe() functions, so it cannot drift
// from what the reader accepts. Sources live in a small YAML file keyed by key-path pattern
// (`regions.*.user_share`, with `*` for any entity id), checked for completeness in the tests.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "study/parameters.hpp"
#include "model/scenario.hpp"

namespace gatesim {

// A sources file that cannot be read, located as file:line:column where known.
struct ParameterSourcesError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reads a map from key-path pattern to source text. Throws ParameterSourcesError on a missing
// or malformed file, a value that is not text, an empty text or a pattern given twice.
std::map<std::string, std::string> read_parameter_sources(const std::filesystem::path& file);

// The key-path pattern of every field a scenario can set, in describe() order (entity ids as
// `*`). It depends only on the scenario types, not on which entities the scenario has.
std::vector<std::string> parameter_patterns();

// Patterns with no source, and source entries that name no field (stale or misspelt).
struct SourceCoverage {
    std::vector<std::string> missing;
    std::vector<std::string> unknown;
};
SourceCoverage check_parameter_sources(const std::map<std::string, std::string>& sources);

// The markdown document: one section per top-level group, one table row per field with its
// key path, meaning, unit, valid range, default (the value in `defaults`; per entity for
// entity fields) and source (from `sources`, else "assumption"). Fields listed in `uncertain`
// show their distribution instead of its central value.
std::string parameter_table_markdown(const Scenario& defaults, const std::map<std::string, std::string>& sources,
                                     const std::vector<UncertainParameter>& uncertain = {});

}  // namespace gatesim

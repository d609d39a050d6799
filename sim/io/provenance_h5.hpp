// The /provenance group of results and study files: one writer, one reader. Internal to sim/io.
#pragma once

#include <cstdint>
#include <optional>

#include "io/h5_support.hpp"
#include "io/provenance.hpp"

namespace gatesim::h5 {

struct StoredProvenance {
    Provenance provenance;
    std::uint64_t seed = 0;
    std::optional<std::uint64_t> replicate;
};

// Writes /provenance: who, from what and when, the base seed and (results files) the replicate.
void write_provenance(const Where& w, hid_t file, const Provenance& provenance, std::uint64_t seed,
                      std::optional<std::uint64_t> replicate);
// Reads /provenance as written above; `with_replicate` requires the replicate attribute.
StoredProvenance read_provenance(const Where& w, hid_t file, bool with_replicate);

}  // namespace gatesim::h5

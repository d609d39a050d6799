// Scopes: subsets of users named by the breakdown dimensions (region, nationality, segment,
// channel kind), over which every summary scalar can be recomputed from the tallies by cell.
// Written `region=india,brazil;segment=consumer`: values of one key are a union, keys intersect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/scenario.hpp"

namespace gatesim {

struct Scope {
    std::string label;  // canonical form: keys in the order region, nationality, segment, channel
    // Selected indices per dimension; empty = every value.
    std::vector<std::size_t> regions, nationalities, segments, channels;

    bool everyone() const { return regions.empty() && nationalities.empty() && segments.empty() && channels.empty(); }
};

// Parses a scope against the scenario's ids. On a bad spec returns nothing and says why.
std::optional<Scope> parse_scope(const Scenario& s, std::string_view spec, std::string& why);

// The whole population (label empty).
Scope everyone();

}  // namespace gatesim

// "Did you mean ...?" for mistyped names: scenario keys and enumeration values, subcommands.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gatesim {

// " (did you mean 'x'?)" for the closest candidate within a small edit distance, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace gatesim

// Numbers for people: the CLI's tables and Python's readable summaries format values the same
// way. Tables are for reading; the files have the exact values.
#pragma once

#include <string>

namespace gatesim {

// A fraction as a percentage with three significant digits: 0.000065 -> "0.0065%", 0.942 -> "94.2%".
std::string percent(double fraction, bool sign = false);
// 12345678 -> "12,345,678 users"; fractions as percentages; NaN "not reached".
std::string readable(double v, const std::string& unit);
// Three significant digits with k/M/B/T suffixes (12.3M), fractions as percentages, NaN "n/a".
std::string compact(double v, const std::string& unit, bool sign = false);
// The unit as a column shows it: "" for fractions (shown as %).
std::string unit_label(const std::string& unit);

}  // namespace gatesim

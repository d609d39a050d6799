// Helpers shared by the gatesim subcommands: exit codes, provenance strings, number formatting.
#pragma once

#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

namespace gatesim::cli {

constexpr int exit_ok = 0;
constexpr int exit_bad_input = 2;
constexpr int exit_internal = 1;
constexpr int exit_interrupted = 130;

inline std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

inline std::string quoted_command_line(int argc, char** argv) {
    std::string line;
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        const bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$`") == std::string::npos;
        line += (i ? " " : "") + (plain ? arg : "'" + arg + "'");
    }
    return line;
}

// 12345678 -> "12,345,678"; fractions keep three significant decimals.
inline std::string readable(double v, const std::string& unit) {
    if (std::isnan(v)) return "not reached";
    char buffer[64];
    if (unit == "fraction") {
        std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * v);
        return buffer;
    }
    if (std::abs(v) < 1000 && v != std::floor(v)) {
        std::snprintf(buffer, sizeof buffer, "%.3g", v);
        return std::string(buffer) + " " + unit;
    }
    std::snprintf(buffer, sizeof buffer, "%.0f", std::abs(v));
    std::string digits = buffer, grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
    }
    return (v < 0 ? "-" : "") + grouped + " " + unit;
}

}  // namespace gatesim::cli

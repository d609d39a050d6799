// Number formatting shared by the CLI and Python (number_format.hpp).
#include "io/number_format.hpp"

#include <cmath>
#include <cstdio>

namespace gatesim {

std::string percent(double fraction, bool sign) {
    // Three significant digits, so that a small share (6.5e-5) never reads as 0.0%; 0 only when exactly 0.
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%s%.3g%%", sign && fraction > 0 ? "+" : "", 100 * fraction);
    return buffer;
}

std::string readable(double v, const std::string& unit) {
    if (std::isnan(v)) return "not reached";
    char buffer[64];
    if (unit == "fraction") return percent(v, false);
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

std::string compact(double v, const std::string& unit, bool sign) {
    if (std::isnan(v)) return "n/a";
    char buffer[48];
    const char* plus = sign && v > 0 ? "+" : "";
    if (unit == "fraction") return percent(v, sign);
    const double a = std::abs(v);
    const char* suffix = "";
    double scaled = v;
    if (a >= 1e12) scaled = v / 1e12, suffix = "T";
    else if (a >= 1e9) scaled = v / 1e9, suffix = "B";
    else if (a >= 1e6) scaled = v / 1e6, suffix = "M";
    else if (a >= 1e4) scaled = v / 1e3, suffix = "k";
    if (std::abs(scaled) >= 1000) std::snprintf(buffer, sizeof buffer, "%s%.0f%s", plus, scaled, suffix);
    else std::snprintf(buffer, sizeof buffer, "%s%.3g%s", plus, scaled, suffix);
    return buffer;
}

std::string unit_label(const std::string& unit) { return unit == "fraction" ? "" : unit; }

}  // namespace gatesim

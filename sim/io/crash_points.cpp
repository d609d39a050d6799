// Crash points for the fault tests (crash_points.hpp).
#include "io/crash_points.hpp"

#include <csignal>
#include <cstdlib>
#include <string>

namespace gatesim {
namespace {

struct Target {
    std::string name;
    long count = 0;  // the N-th arrival signals; 0: no crash point set
    int signal = SIGKILL;
};

Target target_from_environment() {
    const char* value = std::getenv("GATESIM_CRASH_AT");
    if (value == nullptr || *value == '\0') return {};
    const std::string text = value;
    const auto colon = text.find(':');
    Target t{text.substr(0, colon), 1, SIGKILL};
    if (colon == std::string::npos) return t;
    const auto second = text.find(':', colon + 1);
    t.count = std::strtol(text.substr(colon + 1, second - colon - 1).c_str(), nullptr, 10);
    const std::string signal = second == std::string::npos ? "KILL" : text.substr(second + 1);
    t.signal = signal == "INT" ? SIGINT : signal == "TERM" ? SIGTERM : SIGKILL;
    return t;
}

Target& target() {
    static Target t = target_from_environment();
    return t;
}

}  // namespace

bool crash_due(const char* name) {
    Target& t = target();
    return t.count > 0 && t.name == name && --t.count == 0;
}

void crash_now() { std::raise(target().signal); }

void crash_point(const char* name) {
    if (crash_due(name)) crash_now();
}

}  // namespace gatesim

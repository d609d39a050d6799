// Shared by the gatesim subcommands (common.hpp): exit-code mapping, Ctrl-C, scenario loading,
// provenance, output checks, formatting.
#include "cli/common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "model/engine.hpp"
#include "model/errors.hpp"
#include "io/output_path.hpp"

namespace gatesim::cli {
namespace {

std::atomic<bool> interrupt_flag{false};

extern "C" void on_interrupt(int) { interrupt_flag = true; }

}  // namespace

std::string Invocation::command_line() const {
    std::string line;
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        const bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$`") == std::string::npos;
        line += (i ? " " : "") + (plain ? arg : "'" + arg + "'");
    }
    return line;
}

int guarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const ScenarioError& e) {
        std::cerr << e.what() << "\n";  // located problems, one per line: file:line:column: key: message
        return exit_bad_input;
    } catch (const BadInput& e) {
        std::cerr << "gatesim: " << e.what() << "\n";
        return exit_bad_input;
    } catch (const Cancelled&) {
        std::cerr << "\ngatesim: interrupted; no results were written\n";
        return exit_interrupted;
    } catch (const std::exception& e) {
        std::cerr << "gatesim: internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

void catch_interrupts() {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
}

const std::atomic<bool>& interrupted() { return interrupt_flag; }

void ScenarioOptions::add(CLI::App* cmd) {
    cmd->add_option("scenario", file, "Scenario file (YAML)")->required();
    cmd->add_option("--set", overrides, "Override a field: key.path=value (repeatable)");
}

LoadedScenario load(const std::string& file, std::vector<std::string> overrides, const std::optional<std::uint64_t>& seed,
                    const std::vector<std::string>& scope) {
    if (seed) overrides.push_back("seed=" + std::to_string(*seed));
    LoadedScenario loaded = load_scenario(file, overrides);
    if (scope.empty()) return loaded;
    // The terms make one scope, appended to the scenario's own (validated like any --set).
    std::string spec, list;
    for (const auto& term : scope) spec += (spec.empty() ? "" : ";") + term;
    for (const auto& existing : loaded.scenario.reporting.scopes) list += "'" + existing + "', ";
    apply_override(loaded, "reporting.scopes=[" + list + "'" + spec + "']");
    return loaded;
}

void add_scope_option(CLI::App* cmd, std::vector<std::string>& scope) {
    cmd->add_option("--scope", scope,
                    "Also compute every summary scalar for a subset of users: key=ids with key region, nationality, "
                    "segment or channel (repeatable: the conditions intersect; ids of one key, comma-separated, are a union)");
}

void add_seed_and_threads(CLI::App* cmd, std::optional<std::uint64_t>& seed, int& threads) {
    cmd->add_option("--seed", seed, "Base seed (overrides the scenario's seed)");
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    cmd->add_option("--threads", threads, "Worker threads (results do not depend on it)")->check(CLI::Range(1, 1024));
}

Provenance provenance_of(const std::string& scenario_yaml, const std::string& scenario_file, int threads,
                         const Invocation& invocation) {
    return make_provenance(scenario_yaml, scenario_file, invocation.command_line(), threads, utc_now());
}

void require_output(const std::string& output, const std::string& needed_by) {
    if (output.empty()) {
        if (needed_by.empty()) return;
        throw BadInput(needed_by + " needs -o/--output: its runs stream into that file");
    }
    check_output_path(output);
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

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

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s += std::string(width - s.size(), ' ');
    return s;
}

std::string rpad(const std::string& s, std::size_t width) {
    return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

std::string duration(double seconds) {
    char buffer[32];
    const long s = std::lround(std::max(0.0, seconds));
    if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60) std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buffer, sizeof buffer, "%lds", s);
    return buffer;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

}  // namespace gatesim::cli

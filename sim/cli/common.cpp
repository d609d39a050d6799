// Shared by the gatesim subcommands (common.hpp): exit-code mapping, Ctrl-C, scenario loading,
// provenance, output checks, formatting.
#include "cli/common.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>
#include <thread>

#include "model/engine.hpp"
#include "model/errors.hpp"
#include "io/results_h5.hpp"
#include "io/output_path.hpp"
#include "io/suggestion.hpp"
#include "study/limits.hpp"

namespace gatesim::cli {
namespace {

std::atomic<bool> interrupt_flag{false};
Executor* executor_of_studies = nullptr;

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
    } catch (const ResultsWriteError& e) {  // a full disk, an I/O error: not gatesim's fault, still exit 1
        std::cerr << "gatesim: " << e.what() << "\n";
        return exit_internal;
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

void use_executor(Executor* executor) { executor_of_studies = executor; }
Executor* study_executor() { return executor_of_studies; }

int default_threads() {
    cpu_set_t cores;
    if (sched_getaffinity(0, sizeof cores, &cores) == 0 && CPU_COUNT(&cores) > 0) return CPU_COUNT(&cores);
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

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

namespace {

// A seed is a whole number of 64 bits, written in decimal: "-1" would otherwise wrap around to
// 18446744073709551615, and "1e3" or "0x10" would mean something other than they seem.
const CLI::Validator seed_value(
    [](std::string& text) -> std::string {
        static const std::string largest = std::to_string(std::numeric_limits<std::uint64_t>::max());
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        const std::string trimmed = digits ? text.substr(std::min(text.find_first_not_of('0'), text.size() - 1)) : text;
        if (!digits || trimmed.size() > largest.size() || (trimmed.size() == largest.size() && trimmed > largest))
            return "the seed must be a whole number from 0 to " + largest + ", not '" + text + "'";
        return "";
    },
    "0 to 18446744073709551615");

}  // namespace

void add_seed_and_threads(CLI::App* cmd, std::optional<std::uint64_t>& seed, int& threads) {
    cmd->add_option("--seed", seed, "Base seed (overrides the scenario's seed)")->check(seed_value);
    threads = default_threads();
    cmd->add_option("--threads", threads, "Worker threads (results do not depend on it; default: all cores)")
        ->check(between(1, 1024));
}

std::string unknown_command(const CLI::App& app, int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') return "";
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() == argv[1]) return "";
        names.push_back(sub->get_name());
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return "gatesim: unknown command '" + std::string(argv[1]) + "'" + did_you_mean(argv[1], names) +
           "; the commands are " + list + " (gatesim --help)";
}

CLI::Validator count_between(std::uint64_t min, std::uint64_t max) {
    return CLI::Range(min, max).description(count_text(min) + " to " + count_text(max));
}

CLI::Validator between(double min, double max) {
    auto text = [](double v) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", v);
        return std::string(buffer);
    };
    return CLI::Range(min, max).description(text(min) + " to " + text(max));
}

void add_format(CLI::App* cmd, std::string& format) {
    cmd->add_option("--format", format, "text (default) or json: what is printed on stdout")
        ->check(CLI::IsMember({"text", "json"}));
}

Provenance provenance_of(const std::string& scenario_yaml, const std::string& scenario_file, int threads,
                         const Invocation& invocation) {
    return make_provenance(scenario_yaml, scenario_file, invocation.command_line(), threads, utc_now());
}

OutputLock require_output(const std::string& output, const std::string& needed_by) {
    if (output.empty()) {
        if (needed_by.empty()) return {};
        throw BadInput(needed_by + " needs -o/--output: its runs stream into that file");
    }
    return OutputLock::acquire(output);
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

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

// YAML text as untrusted input. Every document gatesim reads (scenario files, the files they
// extend, --set values, study files, scenarios built in Python) passes through here first, so
// that no input can exhaust memory or the stack, smuggle in bytes that are not text, or say one
// thing twice. The limits are documented in docs/RELIABILITY.md, "Input limits".
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "io/scenario_yaml.hpp"

namespace YAML {
class Node;
struct Mark;
}

namespace gatesim {

// A scenario file, or a scenario file together with every file it extends.
inline constexpr std::size_t max_scenario_bytes = std::size_t{16} << 20;
// Files in one chain of extends: (the scenario's own file not counted).
inline constexpr int max_extends_depth = 64;
// Levels of maps and lists inside one another (a document's top-level map is level 1). Python
// objects passed to Scenario.from_dict have the same limit.
inline constexpr int max_nesting_depth = 64;
// Values in one document, counting every use of an alias: a few lines of anchors and aliases can
// otherwise stand for billions of values.
inline constexpr std::size_t max_document_nodes = 1'000'000;
// Problems reported for one load; the rest are counted ("... and N more problems").
inline constexpr std::size_t max_listed_problems = 100;

// Problems in the order found. Only the first max_listed_problems are kept, so a file with a
// million mistakes costs no more memory than one with a hundred.
class ProblemList {
public:
    void add(ScenarioProblem problem);
    // Every problem found, listed or not.
    std::size_t size() const { return listed_.size() + unlisted_; }
    bool empty() const { return size() == 0; }
    const std::vector<ScenarioProblem>& listed() const { return listed_; }
    // Throws ScenarioError with the listed problems and, if some were not kept, a last line
    // saying how many more there were.
    [[noreturn]] void raise() const;
    void raise_if_any() const {
        if (!empty()) raise();
    }

private:
    std::vector<ScenarioProblem> listed_;
    std::size_t unlisted_ = 0;
};

// The bytes of a file of at most `limit` bytes (less than max_scenario_bytes: what a chain of
// extends has left of it). A missing, unreadable or oversized file, a
// directory or an unusable name is a ScenarioError located at `referenced_at` (where an
// extends: names the file) with `key_path`, or at the file itself when referenced_at.file is empty.
std::string read_input_file(const std::filesystem::path& file, const SourceLocation& referenced_at = {},
                            const std::string& key_path = "", std::size_t limit = max_scenario_bytes);

// Parses one YAML document named `origin` in messages. Before anything interprets it: the text
// must be UTF-8 without control characters (tab, line feed and carriage return aside) and at
// most max_scenario_bytes; maps and lists may nest max_nesting_depth levels; no map may have a
// key twice, and keys must be text; the document may hold max_document_nodes values. An empty
// document is a null node. Throws ScenarioError naming every problem (up to the listed limit);
// key paths in them start with `key_path` (the place of a --set value).
YAML::Node parse_document(std::string_view text, const std::string& origin, const std::string& key_path = "");

// The 1-based location of a mark in `file` (line and column 0 when the mark is unknown).
SourceLocation locate(const std::string& file, const YAML::Mark& mark);

// `text` with every byte that is not part of valid UTF-8 written as \xHH, so that messages quoting
// bad input stay text (Python decodes them strictly).
std::string escape_invalid_utf8(std::string_view text);

}  // namespace gatesim

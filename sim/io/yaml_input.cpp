// Checks on YAML text before anything interprets it (see yaml_input.hpp).
#include "io/yaml_input.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unordered_map>

namespace gatesim {
namespace {

[[noreturn]] void fail(SourceLocation where, std::string key_path, std::string message) {
    ProblemList problems;
    problems.add({std::move(where), std::move(key_path), std::move(message)});
    problems.raise();
}

std::string mebibytes(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Length (1-4) of the well-formed UTF-8 sequence at text[i], storing its code point; 0 for a
// stray continuation byte, an overlong form, a surrogate, a code point beyond U+10FFFF or a
// truncated sequence (RFC 3629, table 3-7 of the Unicode standard).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& code) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
        code = b0;
        return 1;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) length = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF) length = 3, low = b0 == 0xE0 ? 0xA0 : 0x80, high = b0 == 0xED ? 0x9F : 0xBF;
    else if (b0 >= 0xF0 && b0 <= 0xF4) length = 4, low = b0 == 0xF0 ? 0x90 : 0x80, high = b0 == 0xF4 ? 0x8F : 0xBF;
    else return 0;
    if (i + length > text.size()) return 0;
    if (byte(i + 1) < low || byte(i + 1) > high) return 0;
    code = b0 & (0xFF >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) {
        if (k > 1 && (byte(i + k) < 0x80 || byte(i + k) > 0xBF)) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    return length;
}

// Characters YAML does not allow in a document (YAML 1.2, c-printable): C0 controls other than
// tab, line feed and carriage return; DEL; C1 controls other than next-line.
bool is_forbidden_control(char32_t c) {
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F || (c >= 0x80 && c <= 0x9F && c != 0x85);
}

std::string hex(unsigned value, int digits) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%0*X", digits, value);
    return buffer;
}

// Why a decoded scalar is not text a scenario can hold, or empty. Escapes in quoted scalars
// ("\0", "\r", "\ud800") can produce what the raw text may not contain, and line breaks other
// than line feed do not survive being written out again.
std::string scalar_problem(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        char32_t code = 0;
        const std::size_t length = utf8_sequence(text, i, code);
        if (length == 0) return "the text is not UTF-8 (an escape for a surrogate?)";
        if (is_forbidden_control(code) || code == '\r' || code == 0x85 || code == 0x2028 || code == 0x2029)
            return "control character or line break U+" + hex(static_cast<unsigned>(code), 4) +
                   " in text (only tab and line feed are allowed)";
        i += length;
    }
    return {};
}

// The first byte that is not UTF-8 text, or a forbidden control character, as a located problem.
void check_text(std::string_view text, const std::string& origin) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < text.size();) {
        char32_t code = 0;
        const std::size_t length = utf8_sequence(text, i, code);
        if (length == 0)
            fail({origin, line, column}, "",
                 "byte 0x" + hex(static_cast<unsigned char>(text[i]), 2) + " is not UTF-8; scenario input must be UTF-8 text");
        if (is_forbidden_control(code))
            fail({origin, line, column}, "",
                 "control character U+" + hex(static_cast<unsigned>(code), 4) +
                     " is not allowed in YAML text (only tab, line feed and carriage return are)");
        i += length;
        if (code == '\n') ++line, column = 1;
        else ++column;
    }
}

std::string describe_key(const YAML::Node& node) {
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a map";
    return "nothing";
}

// One walk over a parsed document: nesting depth, number of values, keys.
class StructureCheck {
public:
    StructureCheck(const std::string& origin, ProblemList& problems) : origin_(origin), problems_(problems) {}

    void visit(const YAML::Node& node, const std::string& path, int depth) {
        if (++nodes_ > max_document_nodes)
            fail({origin_, 0, 0}, "",
                 "the document holds more than " + std::to_string(max_document_nodes) +
                     " values (counting every use of an alias), the limit");
        if (node.IsScalar()) {
            if (auto why = scalar_problem(node.Scalar()); !why.empty()) problems_.add({locate(origin_, node.Mark()), path, why});
            return;
        }
        if (!node.IsMap() && !node.IsSequence()) return;
        if (depth > max_nesting_depth) {
            problems_.add({locate(origin_, node.Mark()), path,
                           "maps and lists nested more than " + std::to_string(max_nesting_depth) + " levels deep (the limit)"});
            return;
        }
        if (node.IsSequence()) {
            std::size_t index = 0;
            for (const auto& item : node) visit(item, child_path(path, std::to_string(index++)), depth + 1);
            return;
        }
        std::unordered_map<std::string, int> first_line;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const YAML::Node key = it->first;
            if (!key.IsScalar()) {
                problems_.add({locate(origin_, key.Mark()), path, "a key must be text, got " + describe_key(key)});
                continue;
            }
            if (auto why = scalar_problem(key.Scalar()); !why.empty()) {
                problems_.add({locate(origin_, key.Mark()), path, why});
                continue;
            }
            const std::string child = child_path(path, key.Scalar());
            const auto [seen, fresh] = first_line.emplace(key.Scalar(), key.Mark().line + 1);
            if (!fresh)
                problems_.add({locate(origin_, key.Mark()), child,
                               "key appears twice in the same map (first at line " + std::to_string(seen->second) + ")"});
            visit(it->second, child, depth + 1);
        }
    }

private:
    static std::string child_path(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    const std::string& origin_;
    ProblemList& problems_;
    std::size_t nodes_ = 0;
};

}  // namespace

SourceLocation locate(const std::string& file, const YAML::Mark& mark) {
    if (mark.is_null()) return {file, 0, 0};
    return {file, mark.line + 1, mark.column + 1};
}

void ProblemList::add(ScenarioProblem problem) {
    if (listed_.size() < max_listed_problems) listed_.push_back(std::move(problem));
    else ++unlisted_;
}

void ProblemList::raise() const {
    std::vector<ScenarioProblem> problems = listed_;
    if (unlisted_ > 0) {
        ScenarioProblem more;
        more.where.file = listed_.empty() ? "" : listed_.back().where.file;
        more.message = "... and " + std::to_string(unlisted_) + " more problems (the first " +
                       std::to_string(max_listed_problems) + " are listed)";
        problems.push_back(std::move(more));
    }
    throw ScenarioError(std::move(problems));
}

std::string read_input_file(const std::filesystem::path& file, const SourceLocation& referenced_at,
                            const std::string& key_path, std::size_t limit) {
    const std::string name = file.string();
    const bool referenced = !referenced_at.file.empty();
    const SourceLocation where = referenced ? referenced_at : SourceLocation{name, 0, 0};
    const std::string what = referenced ? "'" + name + "'" : "the file";
    if (name.find('\0') != std::string::npos) fail(where, key_path, "a file name cannot contain a NUL character");
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec) fail(where, key_path, "cannot open " + what + ": " + ec.message());
    if (std::filesystem::is_directory(status)) fail(where, key_path, what + " is a directory, not a scenario file");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(where, key_path, "cannot open " + what + ": " + std::strerror(errno));
    // Read at most one block past the limit: enough to know the file is too large.
    std::string text;
    char buffer[1 << 16];
    while (text.size() <= limit && in.read(buffer, sizeof buffer).gcount() > 0)
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (in.bad()) fail(where, key_path, "cannot read " + what);
    if (text.size() > limit)
        fail(where, key_path,
             limit >= max_scenario_bytes
                 ? what + " is larger than " + mebibytes(max_scenario_bytes) + ", the limit for scenario input"
                 : what + " takes the scenario and the files it extends past " + mebibytes(max_scenario_bytes) +
                       " together, the limit for scenario input");
    return text;
}

YAML::Node parse_document(std::string_view text, const std::string& origin, const std::string& key_path) {
    if (text.size() > max_scenario_bytes)
        fail({origin, 0, 0}, "", "larger than " + mebibytes(max_scenario_bytes) + ", the limit for scenario input");
    check_text(text, origin);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::DeepRecursion& e) {
        fail(locate(origin, e.mark), "",
             "maps and lists nested more than " + std::to_string(max_nesting_depth) + " levels deep (the limit)");
    } catch (const YAML::Exception& e) {
        fail(locate(origin, e.mark), "", "malformed YAML: " + e.msg);
    }
    if (!root.IsDefined()) root = YAML::Node(YAML::NodeType::Null);
    ProblemList problems;
    StructureCheck(origin, problems).visit(root, key_path, 1);
    problems.raise_if_any();
    return root;
}

std::string escape_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t code = 0;
        const std::size_t length = utf8_sequence(text, i, code);
        if (length == 0) {
            out += "\\x" + hex(static_cast<unsigned char>(text[i]), 2);
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

}  // namespace gatesim

// Reading and writing scenario files (YAML), with located, explained errors.
#include "scenario_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "io/yaml_input.hpp"
#include "io/suggestion.hpp"

namespace gatesim {

std::string ScenarioProblem::to_string() const {
    std::ostringstream out;
    out << where.file;
    if (where.line > 0) out << ':' << where.line << ':' << where.column;
    out << ": ";
    if (!key_path.empty()) out << key_path << ": ";
    out << message;
    return out.str();
}

namespace {

std::string join_problems(const std::vector<ScenarioProblem>& problems) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p.to_string();
    return text;
}

// Messages quote input, which may not be text (a file name, a --set argument): they are made
// valid UTF-8 here, so that they survive strict decoding (Python).
std::vector<ScenarioProblem> printable(std::vector<ScenarioProblem> problems) {
    for (auto& p : problems) {
        p.where.file = escape_invalid_utf8(p.where.file);
        p.key_path = escape_invalid_utf8(p.key_path);
        p.message = escape_invalid_utf8(p.message);
    }
    return problems;
}

}  // namespace

ScenarioError::ScenarioError(std::vector<ScenarioProblem> problems)
    : BadInput(join_problems(printable(problems))), problems_(printable(std::move(problems))) {}

namespace {

using Problems = ProblemList;
using Locations = std::map<std::string, SourceLocation>;
using Uncertain = std::vector<UncertainParameter>;

[[noreturn]] void fail(SourceLocation where, std::string key_path, std::string message) {
    Problems problems;
    problems.add({std::move(where), std::move(key_path), std::move(message)});
    problems.raise();
}

std::string join_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string list_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string format_number(double v) {
    if (std::isnan(v)) return ".nan";
    if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, end);
}

std::string describe_node(const YAML::Node& node) {
    if (node.IsScalar()) return "'" + node.Scalar() + "'";
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a map";
    return "nothing";
}

bool is_null_like(const YAML::Node& node) {
    return node.IsNull() || (node.IsScalar() && (node.Scalar() == "never" || node.Scalar() == "none"));
}

std::optional<double> parse_double(const YAML::Node& node) {
    if (!node.IsScalar()) return std::nullopt;
    const std::string& text = node.Scalar();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

template <class Entity>
std::vector<std::string> ids_of(const std::vector<Entity>& items) {
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(item.id);
    return ids;
}

bool valid_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

// Applies one YAML layer to a typed value through its describe() function, recording where
// each field was set and every problem found.
class Patcher {
public:
    Patcher(const YAML::Node& map, std::string path, const std::string& file, Locations& locations, Uncertain& uncertain,
            Problems& problems)
        : map_(map), path_(std::move(path)), file_(file), locations_(locations), uncertain_(uncertain), problems_(problems) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta& meta) {
        known_.emplace_back(key);
        const YAML::Node node = map_[std::string(key)];
        if (!node.IsDefined()) return;
        const std::string path = join_path(path_, key);
        locations_[path] = locate(file_, key_mark(key));
        read(node, path, value, meta);
    }

    // Keys present in the layer but not described: each is an error with a suggestion. (Keys
    // are text and unique within a map: parse_document checked.)
    void reject_unknown_keys(const std::set<std::string>& also_allowed = {}) {
        for (auto it = map_.begin(); it != map_.end(); ++it) {
            const std::string& key = it->first.Scalar();
            if (also_allowed.count(key) || std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
            problem(it->first, join_path(path_, key), "unknown key" + did_you_mean(key, known_) +
                                                         (known_.empty() ? "" : "; expected one of: " + list_names(known_)));
        }
    }

private:
    // Where a key is written: for a nested map the value starts on a later line, and the
    // analyst looks for the key.
    YAML::Mark key_mark(std::string_view key) const {
        for (auto it = map_.begin(); it != map_.end(); ++it)
            if (it->first.IsScalar() && it->first.Scalar() == key) return it->first.Mark();
        return map_.Mark();
    }

    void problem(const YAML::Node& at, const std::string& path, const std::string& message) {
        problems_.add({locate(file_, at.Mark()), path, message});
    }

    void check_range(const YAML::Node& node, const std::string& path, double v, const Meta& meta) {
        if (std::isnan(v) || v < meta.min || v > meta.max)
            problem(node, path, "expected a value in [" + format_number(meta.min) + ", " + format_number(meta.max) +
                                    "], got " + node.Scalar());
    }

    void read(const YAML::Node& node, const std::string& path, std::string& value, const Meta&) {
        if (!node.IsScalar()) return problem(node, path, "expected text, got " + describe_node(node));
        value = node.Scalar();
    }

    void read(const YAML::Node& node, const std::string& path, bool& value, const Meta&) {
        const std::string text = node.IsScalar() ? node.Scalar() : "";
        if (text == "true") value = true;
        else if (text == "false") value = false;
        else problem(node, path, "expected true or false, got " + describe_node(node));
    }

    void read(const YAML::Node& node, const std::string& path, double& value, const Meta& meta) {
        if (node.IsMap()) return read_uncertain(node, path, value, meta);
        const auto v = parse_double(node);
        if (!v) return problem(node, path, "expected a number, got " + describe_node(node));
        check_range(node, path, *v, meta);
        value = *v;
        forget_uncertain(path);
    }

    // A distribution where a number is expected: an uncertain parameter. Its support must lie in
    // the field's range; the field holds its central value until an ensemble draws it.
    template <class T>
    void read_uncertain(const YAML::Node& node, const std::string& path, T& value, const Meta& meta) {
        double lo = meta.min, hi = meta.max;
        if constexpr (std::integral<T>) {
            lo = std::max(lo, whole_number_lowest<T>());
            hi = std::min(hi, whole_number_highest<T>());
        }
        Distribution d;
        const std::size_t before = problems_.size();
        read(node, path, d, Meta{.doc = meta.doc, .unit = meta.unit, .min = lo, .max = hi});
        if (problems_.size() != before) return;
        if (auto why = check_support(d, lo, hi, std::integral<T>); !why.empty()) return problem(node, path, why);
        const double central = std::integral<T> ? std::round(d.central()) : d.central();
        value = static_cast<T>(central);
        if (d.kind == DistributionKind::fixed) return forget_uncertain(path);
        for (auto& u : uncertain_)
            if (u.key_path == path) return void(u.distribution = d);
        uncertain_.push_back({path, d});
    }

    void forget_uncertain(const std::string& path) {
        std::erase_if(uncertain_, [&](const UncertainParameter& u) { return u.key_path == path; });
    }

    template <std::integral I>
    void read(const YAML::Node& node, const std::string& path, I& value, const Meta& meta) {
        if (node.IsMap()) return read_uncertain(node, path, value, meta);
        forget_uncertain(path);
        const std::string text = node.IsScalar() ? node.Scalar() : "";
        const std::string range = "expected a whole number in " + whole_number_range<I>(meta) + ", got " + text;
        // Written as an integer: parsed exactly, so 2^64 is out of range rather than rounded.
        I exact{};
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), exact);
        if (ec == std::errc() && end == text.data() + text.size()) {
            const auto v = static_cast<double>(exact);
            if (v < meta.min || v > meta.max) return problem(node, path, range);
            value = exact;
            return;
        }
        if (ec == std::errc::result_out_of_range && end == text.data() + text.size()) return problem(node, path, range);
        // Written otherwise (1e6): a whole number that converts to I without overflow.
        const auto v = parse_double(node);
        if (!v || !std::isfinite(*v) || *v != std::floor(*v))
            return problem(node, path, "expected a whole number, got " + describe_node(node));
        const double lo = std::max(meta.min, whole_number_lowest<I>());
        const double hi = std::min(meta.max, whole_number_highest<I>());
        if (!(*v >= lo && *v <= hi)) return problem(node, path, range);
        value = static_cast<I>(*v);
    }

    // "[min, max]" of a whole-number field, its type's limits written exactly.
    template <std::integral I>
    static std::string whole_number_range(const Meta& meta) {
        const std::string lo = meta.min > whole_number_lowest<I>() ? format_number(meta.min)
                                                                   : std::to_string(std::numeric_limits<I>::min());
        const std::string hi = meta.max < whole_number_highest<I>() ? format_number(meta.max)
                                                                    : std::to_string(std::numeric_limits<I>::max());
        return "[" + lo + ", " + hi + "]";
    }

    template <NamedEnum E>
    void read(const YAML::Node& node, const std::string& path, E& value, const Meta&) {
        std::vector<std::string> names(EnumNames<E>::names.begin(), EnumNames<E>::names.end());
        const std::string text = node.IsScalar() ? node.Scalar() : "";
        if (auto e = enum_from_name<E>(text)) value = *e;
        else
            problem(node, path, "expected one of " + list_names(names) + ", got " + describe_node(node) +
                                    did_you_mean(text, names));
    }

    void read(const YAML::Node& node, const std::string& path, std::vector<std::string>& value, const Meta&) {
        if (!node.IsSequence()) return problem(node, path, "expected a list, got " + describe_node(node));
        std::vector<std::string> items;
        for (const auto& item : node) {
            if (!item.IsScalar()) return problem(item, path, "expected a list of names, got " + describe_node(item));
            items.push_back(item.Scalar());
        }
        value = std::move(items);
    }

    void read(const YAML::Node& node, const std::string& path, std::vector<double>& value, const Meta& meta) {
        if (!node.IsSequence()) return problem(node, path, "expected a list of numbers, got " + describe_node(node));
        std::vector<double> items;
        const std::size_t before = problems_.size();
        for (const auto& item : node) {
            const auto v = parse_double(item);
            if (!v) {
                problem(item, path, "expected a number, got " + describe_node(item));
                continue;
            }
            check_range(item, path, *v, meta);
            items.push_back(*v);
        }
        if (problems_.size() == before) value = std::move(items);
    }

    // A map of numbers by id, patched key by key; `id: null` removes an entry.
    void read(const YAML::Node& node, const std::string& path, NumberMap& map, const Meta& meta) {
        if (!node.IsMap()) return problem(node, path, "expected a map of numbers keyed by id, got " + describe_node(node));
        std::set<std::string> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const std::string id = it->first.as<std::string>("");
            const std::string entry = join_path(path, id);
            if (!valid_id(id)) {
                problem(it->first, entry, "an id may contain only letters, digits, '_' and '-'");
                continue;
            }
            if (!seen.insert(id).second) {
                problem(it->first, entry, "key appears twice in the same map");
                continue;
            }
            if (is_null_like(it->second)) {
                map.erase(id);
                forget_uncertain(entry);
                locations_.erase(entry);
                continue;
            }
            locations_[entry] = locate(file_, it->first.Mark());
            double value = map.count(id) ? map[id] : 0.0;
            const std::size_t before = problems_.size();
            read(it->second, entry, value, meta);
            if (problems_.size() == before) map[id] = value;
        }
    }

    void read(const YAML::Node& node, const std::string& path, Distribution& value, const Meta& meta) {
        if (node.IsScalar()) {
            const auto v = parse_double(node);
            if (!v) return problem(node, path, "expected a number or a distribution map, got " + describe_node(node));
            check_range(node, path, *v, meta);
            value = Distribution::fixed_at(*v);
            return;
        }
        if (!node.IsMap()) return problem(node, path, "expected a number or a distribution map, got " + describe_node(node));
        Distribution d;
        const std::size_t before = problems_.size();
        Patcher inner(node, path, file_, locations_, uncertain_, problems_);
        inner("dist", d.kind, {.doc = "kind"});
        if (!node["dist"].IsDefined()) problem(node, path, "a distribution map needs 'dist' (one of fixed, uniform, lognormal, triangular, choice)");
        // Only the parameters of the chosen kind are allowed; each must lie in the field's range.
        auto param = [&](const char* key, double& slot, bool needed, Meta range) {
            if (!needed) return;
            if (!node[key].IsDefined()) return problem(node, path, std::string("distribution '") + std::string(enum_name(d.kind)) + "' needs '" + key + "'");
            inner(key, slot, range);
        };
        const Meta positive{.doc = "", .min = 0};
        param("value", d.value, d.kind == DistributionKind::fixed, meta);
        param("low", d.low, d.kind == DistributionKind::uniform || d.kind == DistributionKind::triangular, meta);
        param("high", d.high, d.kind == DistributionKind::uniform || d.kind == DistributionKind::triangular, meta);
        param("mode", d.mode, d.kind == DistributionKind::triangular, meta);
        param("median", d.median, d.kind == DistributionKind::lognormal, meta);
        param("sigma", d.sigma, d.kind == DistributionKind::lognormal, positive);
        if (d.kind == DistributionKind::choice) {
            if (!node["values"].IsDefined()) problem(node, path, "distribution 'choice' needs 'values'");
            else inner("values", d.values, meta);
            if (node["weights"].IsDefined()) inner("weights", d.weights, positive);
        }
        inner.reject_unknown_keys();
        if (problems_.size() != before) return;
        // The engine clamps draws to the field's range; the tails must mostly lie inside it.
        if (auto why = d.check_sampled_range(meta.min, meta.max); !why.empty()) return problem(node, path, why);
        value = d;
    }

    template <class T>
    void read(const YAML::Node& node, const std::string& path, std::optional<T>& value, const Meta& meta) {
        if (is_null_like(node)) {
            value.reset();
            forget_uncertain(path);  // "never" is certain
            return;
        }
        T inner = value.value_or(T{});
        const std::size_t before = problems_.size();
        read(node, path, inner, meta);
        if (problems_.size() == before) value = std::move(inner);
    }

    template <Described T>
    void read(const YAML::Node& node, const std::string& path, T& value, const Meta&) {
        if (!node.IsMap()) return problem(node, path, "expected a map, got " + describe_node(node));
        Patcher inner(node, path, file_, locations_, uncertain_, problems_);
        describe(inner, value);
        inner.reject_unknown_keys();
    }

    template <NamedEntity T>
    void read(const YAML::Node& node, const std::string& path, std::vector<T>& items, const Meta&) {
        if (!node.IsMap()) return problem(node, path, "expected a map of entries keyed by id, got " + describe_node(node));
        for (auto it = node.begin(); it != node.end(); ++it) {
            const std::string& id = it->first.Scalar();
            const std::string entry_path = join_path(path, id);
            if (!valid_id(id)) {
                problem(it->first, entry_path, "an id may contain only letters, digits, '_' and '-'");
                continue;
            }
            const int found = index_of(items, id);
            if (is_null_like(it->second)) {  // `id: null` removes an inherited entry
                if (found >= 0) items.erase(items.begin() + found);
                std::erase_if(locations_, [&](const auto& kv) { return kv.first.starts_with(entry_path + "."); });
                std::erase_if(uncertain_, [&](const auto& u) { return u.key_path.starts_with(entry_path + "."); });
                locations_.erase(entry_path);
                continue;
            }
            if (found < 0) {
                items.emplace_back();
                items.back().id = id;
            }
            T& item = found < 0 ? items.back() : items[static_cast<std::size_t>(found)];
            locations_[entry_path] = locate(file_, it->first.Mark());
            read(it->second, entry_path, item, Meta{});
        }
    }

    const YAML::Node& map_;
    std::string path_;
    const std::string& file_;
    Locations& locations_;
    Uncertain& uncertain_;
    Problems& problems_;
    std::vector<std::string> known_;
};

// Collects required fields that no layer set.
class RequiredCheck {
public:
    RequiredCheck(std::string path, const Locations& locations, Problems& problems)
        : path_(std::move(path)), locations_(locations), problems_(problems) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta& meta) {
        const std::string path = join_path(path_, key);
        if (meta.required && !locations_.count(path)) {
            problems_.add({nearest_location(path_), path, "missing required field" +
                                                                    (meta.doc.empty() ? "" : " (" + std::string(meta.doc) + ")")});
            return;
        }
        descend(path, value);
    }

    SourceLocation nearest_location(std::string path) const {
        while (true) {
            if (auto it = locations_.find(path); it != locations_.end()) return it->second;
            if (path.empty()) return {};
            const auto dot = path.rfind('.');
            path = dot == std::string::npos ? "" : path.substr(0, dot);
        }
    }

private:
    template <class T>
    void descend(const std::string&, T&) {}
    template <Described T>
    void descend(const std::string& path, T& value) {
        RequiredCheck inner(path, locations_, problems_);
        describe(inner, value);
    }
    template <NamedEntity T>
    void descend(const std::string& path, std::vector<T>& items) {
        for (auto& item : items) descend(join_path(path, item.id), item);
    }

    std::string path_;
    const Locations& locations_;
    Problems& problems_;
};

// Builds a YAML node from a typed value, in describe() order.
class NodeWriter {
public:
    explicit NodeWriter(YAML::Node& map) : map_(map) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta&) {
        map_[std::string(key)] = write(value);
    }

    template <class T>
    static YAML::Node write(T& value) {
        YAML::Node node;
        if constexpr (std::is_same_v<T, std::string>) node = value;
        else if constexpr (std::is_same_v<T, bool>) node = value ? "true" : "false";
        else if constexpr (std::is_floating_point_v<T>) node = format_number(value);
        else if constexpr (std::is_integral_v<T>) node = std::to_string(value);
        else if constexpr (NamedEnum<T>) node = std::string(enum_name(value));
        else if constexpr (std::is_same_v<T, std::vector<double>>) {
            node = YAML::Node(YAML::NodeType::Sequence);
            for (double v : value) node.push_back(format_number(v));
            node.SetStyle(YAML::EmitterStyle::Flow);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            node = YAML::Node(YAML::NodeType::Sequence);
            for (const auto& s : value) node.push_back(s);
            node.SetStyle(YAML::EmitterStyle::Flow);
        } else if constexpr (std::is_same_v<T, NumberMap>) {
            node = YAML::Node(YAML::NodeType::Map);
            for (const auto& [id, v] : value) node[id] = format_number(v);
            node.SetStyle(YAML::EmitterStyle::Flow);
        } else if constexpr (std::is_same_v<T, Distribution>) {
            if (value.kind == DistributionKind::fixed) return write(value.value);
            node["dist"] = std::string(enum_name(value.kind));
            if (value.kind == DistributionKind::choice) {
                node["values"] = write(value.values);
                if (!value.weights.empty()) node["weights"] = write(value.weights);
            } else if (value.kind == DistributionKind::lognormal) {
                node["median"] = format_number(value.median);
                node["sigma"] = format_number(value.sigma);
            } else {
                node["low"] = format_number(value.low);
                if (value.kind == DistributionKind::triangular) node["mode"] = format_number(value.mode);
                node["high"] = format_number(value.high);
            }
            node.SetStyle(YAML::EmitterStyle::Flow);
        } else if constexpr (is_optional<T>::value) {
            if (!value) return YAML::Node("never");
            return write(*value);
        } else if constexpr (Described<T>) {
            node = YAML::Node(YAML::NodeType::Map);
            NodeWriter inner(node);
            describe(inner, value);
        } else if constexpr (is_vector<T>::value) {
            node = YAML::Node(YAML::NodeType::Map);
            for (auto& item : value) node[item.id] = write(item);
        }
        return node;
    }

private:
    YAML::Node& map_;
};

struct Layer {
    YAML::Node root;
    std::string file;
};

// A scenario document: a map of keys (an empty document is an empty map).
YAML::Node parse_scenario(std::string_view text, const std::string& file) {
    YAML::Node root = parse_document(text, file);
    if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap()) fail(locate(file, root.Mark()), "", "a scenario must be a map of keys, got " + describe_node(root));
    return root;
}

// Where a chain of extends has got to: the files on it (to reject cycles) and the bytes they
// hold (a scenario and every file it extends share one size limit).
struct ExtendsChain {
    std::vector<std::string> files;
    std::size_t bytes = 0;
};

std::string canonical_name(const std::filesystem::path& file) {
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(file, ec);
    return (ec ? file.lexically_normal() : canonical).string();
}

// Layers of a scenario, base first, following `extends:`, rejecting cycles and chains longer
// than max_extends_depth.
void collect_layers(YAML::Node root, const std::string& file, const std::filesystem::path& base_dir,
                    ExtendsChain& chain, std::vector<Layer>& layers) {
    const YAML::Node extends = root["extends"];
    if (extends.IsDefined()) {
        const SourceLocation at = locate(file, extends.Mark());
        if (!extends.IsScalar() || extends.Scalar().empty())
            fail(at, "extends", "expected a file path, got " + describe_node(extends));
        if (chain.files.size() > static_cast<std::size_t>(max_extends_depth))
            fail(at, "extends", "more than " + std::to_string(max_extends_depth) + " files extend one another (the limit)");
        const std::filesystem::path target = base_dir / extends.Scalar();
        const std::string canonical = canonical_name(target);
        if (std::find(chain.files.begin(), chain.files.end(), canonical) != chain.files.end()) {
            std::string cycle;
            for (const auto& c : chain.files) cycle += c + " -> ";
            fail(at, "extends", "cycle of extends: " + cycle + canonical);
        }
        const std::string text = read_input_file(target, at, "extends", max_scenario_bytes - chain.bytes);
        chain.bytes += text.size();
        chain.files.push_back(canonical);
        const std::string base_file = target.lexically_normal().string();
        collect_layers(parse_scenario(text, base_file), base_file, target.parent_path(), chain, layers);
        chain.files.pop_back();
    }
    layers.push_back({root, file});
}

// A `--set a.b.c=value` assignment as a one-layer document {a: {b: {c: value}}}.
Layer override_layer(const std::string& assignment) {
    const std::string origin = "--set " + assignment;
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        fail({origin, 0, 0}, "", "expected key.path=value");
    const std::string path = assignment.substr(0, eq);
    YAML::Node value = parse_document(std::string_view(assignment).substr(eq + 1), origin, path);
    std::vector<std::string> keys;
    std::stringstream in(path);
    for (std::string key; std::getline(in, key, '.');) {
        if (key.empty()) fail({origin, 0, 0}, path, "empty key in key path");
        keys.push_back(key);
    }
    if (keys.empty()) fail({origin, 0, 0}, "", "expected key.path=value");
    if (keys.size() > static_cast<std::size_t>(max_nesting_depth))
        fail({origin, 0, 0}, "", "a key path of more than " + std::to_string(max_nesting_depth) + " keys (the nesting limit)");
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
        YAML::Node parent(YAML::NodeType::Map);
        parent[*it] = value;
        value = parent;
    }
    return {value, origin};
}

LoadedScenario resolve(const std::vector<Layer>& layers, LoadedScenario loaded) {
    Problems problems;
    for (const auto& layer : layers) {
        Patcher patcher(layer.root, "", layer.file, loaded.locations, loaded.uncertain, problems);
        describe(patcher, loaded.scenario);
        // sweep: and sensitivity: describe studies of the scenario (io/study_yaml.hpp).
        patcher.reject_unknown_keys({"extends", "sweep", "sensitivity"});
        problems.raise_if_any();  // later layers would only add noise
    }
    RequiredCheck required("", loaded.locations, problems);
    describe(required, loaded.scenario);
    problems.raise_if_any();

    for (auto& issue : check_consistency(loaded.scenario))
        problems.add({required.nearest_location(issue.key_path), issue.key_path, issue.message});
    problems.raise_if_any();
    return loaded;
}

LoadedScenario load_layers(std::string_view text, const std::string& file, const std::filesystem::path& base_dir,
                           const std::vector<std::string>& overrides) {
    ExtendsChain chain{{canonical_name(file)}, text.size()};
    const YAML::Node root = parse_scenario(text, file);
    std::vector<Layer> layers;
    collect_layers(root, file, base_dir, chain, layers);
    for (const auto& o : overrides) layers.push_back(override_layer(o));
    // The document itself is the location of last resort for missing fields.
    LoadedScenario empty;
    empty.locations[""] = {file, 1, 1};
    return resolve(layers, std::move(empty));
}

}  // namespace

LoadedScenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
    return load_layers(read_input_file(file), file.string(), file.parent_path(), overrides);
}

LoadedScenario load_scenario_text(const std::string& yaml, const std::string& origin,
                                  const std::filesystem::path& base_dir, const std::vector<std::string>& overrides) {
    return load_layers(yaml, origin, base_dir, overrides);
}

void apply_override(LoadedScenario& loaded, const std::string& assignment) {
    loaded = resolve({override_layer(assignment)}, loaded);
}

std::string to_yaml(const Scenario& scenario) {
    Scenario copy = scenario;
    YAML::Node root = NodeWriter::write(copy);
    YAML::Emitter out;
    out << root;
    return std::string(out.c_str()) + "\n";
}

std::string to_yaml(const LoadedScenario& loaded) { return to_yaml(loaded.scenario, loaded.uncertain); }

std::string to_yaml(const Scenario& scenario, const std::vector<UncertainParameter>& uncertain) {
    Scenario copy = scenario;
    YAML::Node root = NodeWriter::write(copy);
    // Uncertain fields print as their distributions, so `show` output loads back the same.
    for (const auto& u : uncertain) {
        std::vector<std::string> keys;
        std::stringstream in(u.key_path);
        for (std::string key; std::getline(in, key, '.');) keys.push_back(key);
        YAML::Node node = root;
        bool found = !keys.empty();
        for (std::size_t i = 0; found && i + 1 < keys.size(); ++i) {
            const YAML::Node& parent = node;  // const lookup: never adds a missing key
            const YAML::Node next = parent[keys[i]];
            found = next.IsDefined() && next.IsMap();
            if (found) node.reset(next);
        }
        if (!found) continue;
        Distribution d = u.distribution;
        node[keys.back()] = NodeWriter::write(d);
    }
    YAML::Emitter out;
    out << root;
    return std::string(out.c_str()) + "\n";
}

std::string to_yaml(const Distribution& distribution) {
    Distribution d = distribution;
    YAML::Emitter out;
    out << YAML::Flow << NodeWriter::write(d);
    return out.c_str();
}

std::optional<Distribution> read_distribution(const YAML::Node& node, const std::string& file, const std::string& key_path,
                                              double min, double max, std::vector<ScenarioProblem>& problems) {
    Locations locations;
    Uncertain uncertain;
    YAML::Node holder(YAML::NodeType::Map);
    holder["value"] = node;
    Problems found;
    Patcher patcher(holder, key_path, file, locations, uncertain, found);
    // Through the path of a Distribution-typed field: plain numbers and maps alike.
    std::optional<Distribution> slot;
    patcher("value", slot, Meta{.doc = "", .min = min, .max = max});
    for (ScenarioProblem p : found.listed()) {  // name the key path, not the holder
        if (p.key_path == key_path + ".value") p.key_path = key_path;
        else if (p.key_path.starts_with(key_path + ".value."))
            p.key_path = key_path + p.key_path.substr(key_path.size() + 6);
        problems.push_back(std::move(p));
    }
    if (!found.empty() || !slot) return std::nullopt;
    return slot;
}

}  // namespace gatesim

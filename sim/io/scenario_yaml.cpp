// Reading and writing scenario files (YAML), with located, explained errors.
#include "scenario_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

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

}  // namespace

ScenarioError::ScenarioError(std::vector<ScenarioProblem> problems)
    : BadInput(join_problems(problems)), problems_(std::move(problems)) {}

namespace {

using Problems = std::vector<ScenarioProblem>;
using Locations = std::map<std::string, SourceLocation>;
using Uncertain = std::vector<UncertainParameter>;

[[noreturn]] void fail(SourceLocation where, std::string key_path, std::string message) {
    std::vector<ScenarioProblem> problems;
    problems.push_back({std::move(where), std::move(key_path), std::move(message)});
    throw ScenarioError(std::move(problems));
}

SourceLocation locate(const std::string& file, const YAML::Mark& mark) {
    if (mark.is_null()) return {file, 0, 0};
    return {file, mark.line + 1, mark.column + 1};
}

std::string join_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// " (did you mean 'x'?)" for the closest candidate within a small edit distance.
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance) best_distance = d, best = c;
    }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
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

    // Keys present in the layer but not described: each is an error with a suggestion.
    void reject_unknown_keys(const std::set<std::string>& also_allowed = {}) {
        std::set<std::string> seen;
        for (auto it = map_.begin(); it != map_.end(); ++it) {
            const std::string key = it->first.as<std::string>("");
            if (!seen.insert(key).second) {
                problem(it->first, join_path(path_, key), "key appears twice in the same map");
                continue;
            }
            if (also_allowed.count(key) || std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
            problem(it->first, join_path(path_, key), "unknown key" + suggestion(key, known_) +
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
        problems_.push_back({locate(file_, at.Mark()), path, message});
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
            lo = std::max(lo, static_cast<double>(std::numeric_limits<T>::min()));
            hi = std::min(hi, static_cast<double>(std::numeric_limits<T>::max()));
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
        // Integers may be written as 1e6; they must still be whole numbers in range.
        const auto v = parse_double(node);
        if (!v || *v != std::floor(*v))
            return problem(node, path, "expected a whole number, got " + describe_node(node));
        I exact{};
        const std::string& text = node.Scalar();
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), exact);
        const bool parsed_exactly = ec == std::errc() && end == text.data() + text.size();
        const double lo = std::max(meta.min, static_cast<double>(std::numeric_limits<I>::min()));
        const double hi = std::min(meta.max, static_cast<double>(std::numeric_limits<I>::max()));
        if (*v < lo || *v > hi)
            return problem(node, path, "expected a whole number in [" + format_number(lo) + ", " + format_number(hi) +
                                           "], got " + text);
        value = parsed_exactly ? exact : static_cast<I>(*v);
    }

    template <NamedEnum E>
    void read(const YAML::Node& node, const std::string& path, E& value, const Meta&) {
        std::vector<std::string> names(EnumNames<E>::names.begin(), EnumNames<E>::names.end());
        const std::string text = node.IsScalar() ? node.Scalar() : "";
        if (auto e = enum_from_name<E>(text)) value = *e;
        else
            problem(node, path, "expected one of " + list_names(names) + ", got " + describe_node(node) +
                                    suggestion(text, names));
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
        if (auto why = d.check(); !why.empty()) return problem(node, path, why);
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
            const std::string id = it->first.as<std::string>("");
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
            problems_.push_back({nearest_location(path_), path, "missing required field" +
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

YAML::Node parse_yaml(const std::function<YAML::Node()>& parse, const std::string& file) {
    try {
        YAML::Node root = parse();
        if (root.IsNull() || !root.IsDefined()) root = YAML::Node(YAML::NodeType::Map);
        if (!root.IsMap())
            fail(locate(file, root.Mark()), "", "a scenario must be a map of keys, got " + describe_node(root));
        return root;
    } catch (const YAML::BadFile&) {
        fail({file, 0, 0}, "", "cannot open the file");
    } catch (const YAML::ParserException& e) {
        fail(locate(file, e.mark), "", "malformed YAML: " + e.msg);
    }
}

// Layers of a scenario, base first, following `extends:` and rejecting cycles.
void collect_layers(YAML::Node root, const std::string& file, const std::filesystem::path& base_dir,
                    std::vector<std::string>& chain, std::vector<Layer>& layers) {
    const YAML::Node extends = root["extends"];
    if (extends.IsDefined()) {
        if (!extends.IsScalar())
            fail(locate(file, extends.Mark()), "extends", "expected a file path, got " + describe_node(extends));
        const std::filesystem::path target = base_dir / extends.Scalar();
        std::error_code ec;
        const auto canonical = std::filesystem::weakly_canonical(target, ec).string();
        if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
            std::string cycle;
            for (const auto& c : chain) cycle += c + " -> ";
            fail(locate(file, extends.Mark()), "extends", "cycle of extends: " + cycle + canonical);
        }
        if (!std::filesystem::is_regular_file(target))
            fail(locate(file, extends.Mark()), "extends", "cannot open '" + target.string() + "'");
        chain.push_back(canonical);
        const std::string base_file = target.lexically_normal().string();
        YAML::Node base = parse_yaml([&] { return YAML::LoadFile(target.string()); }, base_file);
        collect_layers(base, base_file, target.parent_path(), chain, layers);
        chain.pop_back();
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
    YAML::Node value;
    try {
        value = YAML::Load(assignment.substr(eq + 1));
    } catch (const YAML::ParserException& e) {
        fail({origin, 0, 0}, path, "malformed value: " + e.msg);
    }
    if (!value.IsDefined()) value = YAML::Node(YAML::NodeType::Null);
    std::vector<std::string> keys;
    std::stringstream in(path);
    for (std::string key; std::getline(in, key, '.');) {
        if (key.empty()) fail({origin, 0, 0}, path, "empty key in key path");
        keys.push_back(key);
    }
    if (keys.empty()) fail({origin, 0, 0}, "", "expected key.path=value");
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
        if (!problems.empty()) throw ScenarioError(problems);  // later layers would only add noise
    }
    RequiredCheck required("", loaded.locations, problems);
    describe(required, loaded.scenario);
    if (!problems.empty()) throw ScenarioError(problems);

    for (auto& issue : check_consistency(loaded.scenario))
        problems.push_back({required.nearest_location(issue.key_path), issue.key_path, issue.message});
    if (!problems.empty()) throw ScenarioError(problems);
    return loaded;
}

LoadedScenario load_layers(YAML::Node root, const std::string& file, const std::filesystem::path& base_dir,
                           const std::vector<std::string>& overrides) {
    std::vector<std::string> chain;
    std::error_code ec;
    chain.push_back(std::filesystem::weakly_canonical(file, ec).string());
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
    const std::string name = file.string();
    YAML::Node root = parse_yaml([&] { return YAML::LoadFile(name); }, name);
    return load_layers(root, name, file.parent_path(), overrides);
}

LoadedScenario load_scenario_text(const std::string& yaml, const std::string& origin,
                                  const std::filesystem::path& base_dir, const std::vector<std::string>& overrides) {
    YAML::Node root = parse_yaml([&] { return YAML::Load(yaml); }, origin);
    return load_layers(root, origin, base_dir, overrides);
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
    Patcher patcher(holder, key_path, file, locations, uncertain, problems);
    const std::size_t before = problems.size();
    // Through the path of a Distribution-typed field: plain numbers and maps alike.
    std::optional<Distribution> slot;
    patcher("value", slot, Meta{.doc = "", .min = min, .max = max});
    for (std::size_t i = before; i < problems.size(); ++i)  // name the key path, not the holder
        if (problems[i].key_path == key_path + ".value") problems[i].key_path = key_path;
        else if (problems[i].key_path.starts_with(key_path + ".value."))
            problems[i].key_path = key_path + problems[i].key_path.substr(key_path.size() + 6);
    if (problems.size() != before || !slot) return std::nullopt;
    return slot;
}

}  // namespace gatesim

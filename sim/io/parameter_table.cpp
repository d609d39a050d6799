// The parameter table (markdown) generated through describe(), and the parameter sources file.
#include "parameter_table.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <optional>
#include <set>
#include <sstream>

#include "io/scenario_yaml.hpp"

namespace gatesim {
namespace {

// A list of named entities (regions, models, ...) and an optional sub-struct (a promotion).
template <class T>
concept EntityList = is_vector<T>::value && NamedEntity<typename is_vector<T>::value_type>;
template <class T>
concept OptionalStruct = is_optional<T>::value && Described<typename is_optional<T>::value_type>;

std::string join_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Numbers as an analyst writes them: 0.216, 1500, 5000000, 1e9; whole numbers under eight
// digits in full, long ones in short scientific form.
std::string number(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "∞" : "-∞";
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed);
    std::string fixed(buffer, end);
    if (fixed.size() <= 7) return fixed;
    auto [send, sec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific);
    std::string sci(buffer, send);
    // "1e+09" -> "1e9", "1.5e-05" -> "1.5e-5": the form scenario files accept too.
    const auto e = sci.find('e');
    std::string exponent = sci.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent = exponent.substr(1);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    return sci.substr(0, e + 1) + (negative ? "-" : "") + exponent;
}

std::string interval(double min, double max) {
    const bool low = std::isfinite(min), high = std::isfinite(max);
    if (low && high) return "[" + number(min) + ", " + number(max) + "]";
    if (low) return "≥ " + number(min);
    if (high) return "≤ " + number(max);
    return "any number";
}

template <NamedEnum E>
std::string enum_choices() {
    std::string out;
    for (auto name : EnumNames<E>::names) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

// What a field accepts, from its type and its Meta range.
template <class T>
std::string valid_range(const Meta& meta) {
    if constexpr (std::same_as<T, bool>) return "true or false";
    else if constexpr (NamedEnum<T>) return "one of: " + enum_choices<T>();
    else if constexpr (std::same_as<T, std::string>) return meta.format == "date" ? "a date, YYYY-MM-DD" : "text";
    else if constexpr (std::same_as<T, std::vector<std::string>>) return "list of ids";
    else if constexpr (std::same_as<T, NumberMap>) return "map of id: number, each in " + interval(meta.min, meta.max);
    else if constexpr (std::same_as<T, Distribution>) return interval(meta.min, meta.max) + "; a number or a distribution";
    else if constexpr (std::integral<T>) return interval(meta.min, meta.max) + ", whole number";
    else if constexpr (std::floating_point<T>) return interval(meta.min, meta.max);
    else if constexpr (OptionalStruct<T>) return "the fields below, or never";
    else if constexpr (is_optional<T>::value) return valid_range<typename is_optional<T>::value_type>(meta) + ", or never";
    else return "";
}

template <class T>
std::string render(const T& value) {
    if constexpr (std::same_as<T, bool>) return value ? "true" : "false";
    else if constexpr (NamedEnum<T>) return std::string(enum_name(value));
    else if constexpr (std::same_as<T, std::string>) return value.empty() ? "(empty)" : value;
    else if constexpr (std::same_as<T, std::vector<std::string>>) {
        std::string out;
        for (const auto& s : value) out += (out.empty() ? "" : ", ") + s;
        return "[" + out + "]";
    } else if constexpr (std::same_as<T, NumberMap>) {
        std::string out;
        for (const auto& [id, v] : value) out += (out.empty() ? "" : ", ") + id + ": " + number(v);
        return "{" + out + "}";
    } else if constexpr (std::same_as<T, Distribution>) {
        return value.kind == DistributionKind::fixed ? number(value.value) : to_yaml(value);
    } else if constexpr (std::integral<T>) return std::to_string(value);
    else if constexpr (std::floating_point<T>) return number(static_cast<double>(value));
    else if constexpr (OptionalStruct<T>) return value ? "set" : "never";
    else if constexpr (is_optional<T>::value) return value ? render(*value) : "never";
    else return "";
}

// One field: its pattern (entity ids as *), what describe() says of it, and its value in the
// defaults, one per entity for fields of entities.
struct Row {
    std::string pattern;
    std::string doc, unit, range;
    std::vector<std::pair<std::string, std::string>> values;  // (entity label, value)
};

// A section: the top-level fields (pattern ""), a struct, or a list of entities.
struct Group {
    std::string pattern;
    std::string doc;
    bool entity_list = false;
    std::vector<std::string> entries;  // entity labels present in the defaults
    std::vector<std::size_t> rows;
};

struct Catalogue {
    std::vector<Group> groups;
    std::vector<Row> rows;

    Group& group(const std::string& pattern, std::string_view doc, bool entity_list) {
        for (auto& g : groups)
            if (g.pattern == pattern) return g;
        groups.push_back({pattern, std::string(doc), entity_list, {}, {}});
        return groups.back();
    }

    template <class T>
    Row& row(const std::string& pattern, const std::string& group_pattern, const Meta& meta) {
        for (auto& r : rows)
            if (r.pattern == pattern) return r;
        rows.push_back({pattern, std::string(meta.doc), std::string(meta.unit),
                        valid_range<T>(meta) + (meta.required ? "; required" : ""), {}});
        group(group_pattern, "", false).rows.push_back(rows.size() - 1);
        return rows.back();
    }
};

// Walks a scenario through describe(), registering every field once (entities and absent
// optional structs through a default-constructed prototype, so empty lists still list their
// fields) and recording each present value with the entity it belongs to.
class TableWalker {
public:
    struct Context {
        std::string pattern;  // key-path pattern of the struct being walked
        std::string group;    // pattern of the section its fields belong to
        std::string path;     // actual key path (entity ids), to find uncertain fields
        std::string label;    // entity label ("us", "lab_b"), empty outside entities
        bool prototype;       // walking a stand-in: register fields, record no values
    };

    TableWalker(Catalogue& catalogue, Context context, const std::vector<UncertainParameter>& uncertain)
        : catalogue_(catalogue), c_(std::move(context)), uncertain_(uncertain) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta& meta) {
        const std::string pattern = join_path(c_.pattern, key);
        const std::string path = join_path(c_.path, key);
        if constexpr (EntityList<T>) {
            using Entity = typename is_vector<T>::value_type;
            catalogue_.group(pattern, meta.doc, true);  // before its nested sections
            Entity prototype{};
            walk(prototype, {pattern + ".*", pattern, "", "", true});
            if (c_.prototype) return;
            for (auto& item : value) {
                const std::string label = c_.label.empty() ? item.id : c_.label + "." + item.id;
                catalogue_.group(pattern, meta.doc, true).entries.push_back(label);
                walk(item, {pattern + ".*", pattern, join_path(path, item.id), label, false});
            }
        } else if constexpr (OptionalStruct<T>) {
            using Inner = typename is_optional<T>::value_type;
            Row& r = catalogue_.row<T>(pattern, c_.group, meta);
            if (!c_.prototype) r.values.emplace_back(c_.label, render(value));
            if (value) {
                walk(*value, {pattern, c_.group, path, c_.label, c_.prototype});
            } else {
                Inner prototype{};
                walk(prototype, {pattern, c_.group, path, c_.label, true});
            }
        } else if constexpr (Described<T>) {
            catalogue_.group(pattern, meta.doc, false);
            walk(value, {pattern, pattern, path, c_.label, c_.prototype});
        } else {
            Row& r = catalogue_.row<T>(pattern, c_.group, meta);
            if (c_.prototype) return;
            r.values.emplace_back(c_.label, uncertain_value(path).value_or(render(value)));
        }
    }

private:
    template <class T>
    void walk(T& value, Context context) {
        TableWalker inner(catalogue_, std::move(context), uncertain_);
        describe(inner, value);
    }

    std::optional<std::string> uncertain_value(const std::string& path) const {
        for (const auto& u : uncertain_)
            if (u.key_path == path) return to_yaml(u.distribution);
        return std::nullopt;
    }

    Catalogue& catalogue_;
    Context c_;
    const std::vector<UncertainParameter>& uncertain_;
};

Catalogue catalogue_of(const Scenario& scenario, const std::vector<UncertainParameter>& uncertain) {
    Catalogue catalogue;
    catalogue.group("", "Top-level fields of a scenario file.", false);
    Scenario copy = scenario;  // describe() takes its value by non-const reference
    TableWalker walker(catalogue, {"", "", "", "", false}, uncertain);
    describe(walker, copy);
    return catalogue;
}

// Markdown table cells hold one line and no unescaped pipes.
std::string cell(std::string text) {
    std::string out;
    for (char ch : text) {
        if (ch == '|') out += "\\|";
        else if (ch == '\n' || ch == '\r') out += ' ';
        else out += ch;
    }
    return out.empty() ? "—" : out;
}

std::string display_path(const std::string& pattern) {
    std::string out;
    std::stringstream in(pattern);
    for (std::string key; std::getline(in, key, '.');) {
        if (!out.empty()) out += '.';
        out += key == "*" ? "<id>" : key;
    }
    return out;
}

// "us 0.216; india 0.072; ...", or "all 3" when every entity has the same value.
std::string default_cell(const Row& row, const Group& group) {
    if (row.values.empty()) return group.entity_list && group.entries.empty() ? "none (no entries)" : "—";
    if (row.values.size() == 1 && row.values[0].first.empty()) return row.values[0].second;
    const bool same = std::all_of(row.values.begin(), row.values.end(), [&](const auto& v) { return v.second == row.values[0].second; });
    if (same && row.values.size() == group.entries.size() && row.values.size() > 1) return "all " + row.values[0].second;
    std::string out;
    for (const auto& [label, value] : row.values) out += (out.empty() ? "" : "; ") + label + " " + value;
    return out;
}

std::string source_of(const Row& row, const std::map<std::string, std::string>& sources) {
    if (auto it = sources.find(row.pattern); it != sources.end()) return it->second;
    return "assumption";
}

std::size_t depth(const std::string& pattern) {
    return pattern.empty() ? 0 : static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), '.')) + 1 -
                                     static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), '*'));
}

void write_group(std::ostream& out, const Catalogue& catalogue, const Group& g,
                 const std::map<std::string, std::string>& sources) {
    const std::size_t level = std::min<std::size_t>(4, std::max<std::size_t>(2, depth(g.pattern) + 1));
    out << "\n" << std::string(level, '#') << ' ' << (g.pattern.empty() ? "Scenario" : display_path(g.pattern)) << "\n\n";
    out << g.doc;
    if (g.entity_list) {
        out << " Entries keyed by id";
        if (g.entries.empty()) {
            out << "; none in the defaults.";
        } else {
            out << "; in the defaults: ";
            for (std::size_t i = 0; i < g.entries.size(); ++i) out << (i ? ", " : "") << g.entries[i];
            out << '.';
        }
    }
    out << "\n";
    if (g.rows.empty()) return;
    out << "\n| Key path | Meaning | Unit | Valid range | Default | Source |\n";
    out << "|---|---|---|---|---|---|\n";
    for (std::size_t index : g.rows) {
        const Row& r = catalogue.rows[index];
        out << "| `" << display_path(r.pattern) << "` | " << cell(r.doc) << " | " << cell(r.unit) << " | " << cell(r.range)
            << " | " << cell(default_cell(r, g)) << " | " << cell(source_of(r, sources)) << " |\n";
    }
}

// The section a nested section belongs to: enterprises.sectors -> enterprises, a.*.b -> a.
std::string parent_of(const std::string& pattern) {
    auto dot = pattern.rfind('.');
    if (dot == std::string::npos) return "";
    std::string parent = pattern.substr(0, dot);
    if (parent.ends_with(".*")) parent.resize(parent.size() - 2);
    return parent;
}

// Nested sections follow their parent's table, in describe() order.
void write_tree(std::ostream& out, const Catalogue& catalogue, const Group& g, const std::map<std::string, std::string>& sources) {
    write_group(out, catalogue, g, sources);
    for (const auto& child : catalogue.groups)
        if (!child.pattern.empty() && child.pattern != g.pattern && parent_of(child.pattern) == g.pattern)
            write_tree(out, catalogue, child, sources);
}

}  // namespace

std::map<std::string, std::string> read_parameter_sources(const std::filesystem::path& file) {
    const std::string name = file.string();
    auto where = [&](const YAML::Mark& mark) {
        return mark.is_null() ? name : name + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    };
    YAML::Node root;
    try {
        root = YAML::LoadFile(name);
    } catch (const YAML::BadFile&) {
        throw ParameterSourcesError(name + ": cannot open the file");
    } catch (const YAML::ParserException& e) {
        throw ParameterSourcesError(where(e.mark) + ": malformed YAML: " + e.msg);
    }
    std::map<std::string, std::string> sources;
    if (root.IsNull() || !root.IsDefined()) return sources;
    if (!root.IsMap()) throw ParameterSourcesError(where(root.Mark()) + ": expected a map from key-path pattern to source text");
    for (auto it = root.begin(); it != root.end(); ++it) {
        const YAML::Node key = it->first, value = it->second;
        if (!key.IsScalar() || key.Scalar().empty()) throw ParameterSourcesError(where(key.Mark()) + ": expected a key-path pattern");
        if (!value.IsScalar() || value.Scalar().find_first_not_of(" \t\n") == std::string::npos)
            throw ParameterSourcesError(where(value.Mark()) + ": " + key.Scalar() + ": expected the source as text");
        if (!sources.emplace(key.Scalar(), value.Scalar()).second)
            throw ParameterSourcesError(where(key.Mark()) + ": " + key.Scalar() + ": pattern given twice");
    }
    return sources;
}

std::vector<std::string> parameter_patterns() {
    const Catalogue catalogue = catalogue_of(Scenario{}, {});
    std::vector<std::string> patterns;
    for (const auto& r : catalogue.rows) patterns.push_back(r.pattern);
    return patterns;
}

SourceCoverage check_parameter_sources(const std::map<std::string, std::string>& sources) {
    const Catalogue catalogue = catalogue_of(Scenario{}, {});
    SourceCoverage coverage;
    std::set<std::string> known;
    for (const auto& r : catalogue.rows) {
        known.insert(r.pattern);
        if (!sources.count(r.pattern)) coverage.missing.push_back(r.pattern);
    }
    for (const auto& [pattern, text] : sources)
        if (!known.count(pattern)) coverage.unknown.push_back(pattern);
    return coverage;
}

std::string parameter_table_markdown(const Scenario& defaults, const std::map<std::string, std::string>& sources,
                                     const std::vector<UncertainParameter>& uncertain) {
    const Catalogue catalogue = catalogue_of(defaults, uncertain);
    std::ostringstream out;
    out << "# Scenario parameters\n\n"
        << "Every field a scenario file can set, generated from the scenario types' `describe()` functions "
           "(`sim/model/scenario.hpp`), so the list matches what the reader accepts. For each field: its key path, "
           "meaning, unit, valid range, its value in the scenario `"
        << defaults.name << "`, and the source of that value.\n\n"
        << "- `<id>` stands for an entry's id: `regions.<id>.user_share` is set as `regions.us.user_share`. "
           "Defaults of such fields are listed entry by entry (`us 0.216; india 0.072`), or as `all x` when every "
           "entry has the same value.\n"
        << "- *never* means absent (no promotion, no capacity limit, no decision within the horizon).\n"
        << "- A field whose range says *a number or a distribution* is sampled by the engine (per user, per "
           "enterprise, or once per run); write a distribution as `{dist: lognormal, median: 3, sigma: 0.8}`, "
           "`{dist: uniform, low: 0, high: 1}`, `{dist: triangular, low: 1, mode: 2, high: 4}` or "
           "`{dist: choice, values: [7, 14], weights: [1, 2]}`. Any other number field may also be given as a "
           "distribution: it is then an uncertain parameter, fixed at its median in single runs and drawn once per "
           "parameter draw in ensembles.\n"
        << "- Sources: *assumption* marks a judgement (an input to vary in sensitivity analysis, not a finding); "
           "*[2nd]* marks a figure seen only in a secondary report of the original; *scenario lever* marks a "
           "policy choice a scenario sets; *derived* marks a value computed from cited figures (docs/calibration-of-defaults.md). Other sources are the ids of docs/sources.md.\n";
    write_tree(out, catalogue, catalogue.groups.front(), sources);
    return out.str();
}

}  // namespace gatesim

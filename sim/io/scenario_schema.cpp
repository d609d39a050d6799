// The scenario JSON Schema through describe() (scenario_schema.hpp).
#include "io/scenario_schema.hpp"

#include <cmath>
#include <concepts>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "io/json_writer.hpp"
#include "model/scenario.hpp"

namespace gatesim {
namespace {

std::string number_text(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

// What a hover in an editor shows: the meaning, the unit and the valid range.
// `exact_max` is a whole-number maximum beyond what a double holds exactly (a seed's 2^64 - 1).
std::string description(const Meta& meta, double min, double max, std::optional<std::uint64_t> exact_max = {}) {
    std::string text(meta.doc);
    if (!meta.unit.empty()) text += " Unit: " + std::string(meta.unit) + ".";
    const bool low = std::isfinite(min), high = std::isfinite(max);
    if (low && exact_max) text += " Range: " + number_text(min) + " to " + std::to_string(*exact_max) + ".";
    else if (low && high) text += " Range: " + number_text(min) + " to " + number_text(max) + ".";
    else if (low) text += " At least " + number_text(min) + ".";
    else if (high) text += " At most " + number_text(max) + ".";
    return text;
}

template <class T>
concept EntityList = is_vector<T>::value && NamedEntity<typename is_vector<T>::value_type>;

class SchemaWriter {
public:
    SchemaWriter(JsonWriter& json, bool complete) : j_(json), complete_(complete) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta& meta) {
        j_.key(key);
        field(value, meta);
        if (complete_ && meta.required) required_.emplace_back(key);
    }

    // An object whose properties are the fields describe() names; `extra` writes more first.
    template <class S, class Extra>
    void object(S& s, std::string_view doc, Extra extra) {
        j_.begin_object().field("type", "object");
        if (!doc.empty()) j_.field("description", doc);
        j_.key("properties").begin_object();
        extra();
        SchemaWriter inner(j_, complete_);
        describe(inner, s);
        j_.end_object().field("additionalProperties", false);
        if (!inner.required_.empty()) j_.key("required").strings(inner.required_);
        j_.end_object();
    }
    template <class S>
    void object(S& s, std::string_view doc) {
        object(s, doc, [] {});
    }

private:
    // A number in range, or a map: a distribution (if/then/else, so that an editor reports
    // which rule a value breaks rather than "matches none of").
    void number(const Meta& meta, const char* type, double min, double max,
                std::optional<std::uint64_t> exact_max = {}) {
        j_.begin_object().field("description", description(meta, min, max, exact_max));
        j_.key("if").begin_object().field("type", "object").end_object();
        j_.key("then").begin_object().field("$ref", "#/definitions/distribution").end_object();
        j_.key("else").begin_object().field("type", type);
        if (std::isfinite(min)) j_.field("minimum", min);
        if (exact_max) j_.field("maximum", *exact_max);
        else if (std::isfinite(max)) j_.field("maximum", max);
        j_.end_object().end_object();
    }

    // null, "never" or "none": an optional value that is absent, or an entity to remove.
    void absent() { j_.key("enum").begin_array().null().value("never").value("none").end_array(); }

    // The schema of `value` unless the value is absent.
    template <class T>
    void unless_absent(T& value, const Meta& meta, std::string_view doc) {
        j_.begin_object();
        if (!doc.empty()) j_.field("description", doc);
        j_.key("if").begin_object();
        absent();
        j_.end_object().key("then").value(true).key("else");
        field(value, meta);
        j_.end_object();
    }

    template <class T>
    void field(T& value, const Meta& meta) {
        if constexpr (std::same_as<T, bool>) {
            j_.begin_object().field("type", "boolean").field("description", description(meta, NAN, NAN)).end_object();
        } else if constexpr (NamedEnum<T>) {
            std::vector<std::string> names(EnumNames<T>::names.begin(), EnumNames<T>::names.end());
            j_.begin_object().field("type", "string").key("enum").strings(names);
            j_.field("description", description(meta, NAN, NAN)).end_object();
        } else if constexpr (std::same_as<T, std::string>) {
            j_.begin_object().field("type", "string");
            if (meta.format == "date") j_.field("pattern", "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$").field("format", "date");
            j_.field("description", description(meta, NAN, NAN)).end_object();
        } else if constexpr (std::same_as<T, std::vector<std::string>>) {
            j_.begin_object().field("type", "array").key("items").begin_object().field("type", "string").end_object();
            j_.field("description", description(meta, NAN, NAN)).end_object();
        } else if constexpr (std::same_as<T, std::vector<double>>) {
            j_.begin_object().field("type", "array").key("items").begin_object().field("type", "number").end_object();
            j_.field("description", description(meta, meta.min, meta.max)).end_object();
        } else if constexpr (std::same_as<T, Distribution> || std::floating_point<T>) {
            number(meta, "number", meta.min, meta.max);
        } else if constexpr (std::integral<T>) {
            constexpr T largest = std::numeric_limits<T>::max();
            const bool type_limit = meta.max >= static_cast<double>(largest);
            std::optional<std::uint64_t> exact;
            if (type_limit && static_cast<std::uint64_t>(largest) > (std::uint64_t{1} << 53)) exact = static_cast<std::uint64_t>(largest);
            number(meta, "integer", std::max(meta.min, static_cast<double>(std::numeric_limits<T>::min())),
                   std::min(meta.max, static_cast<double>(largest)), exact);
        } else if constexpr (is_optional<T>::value) {
            typename is_optional<T>::value_type inner{};
            unless_absent(inner, meta, description(meta, meta.min, meta.max) + " never: none.");
        } else if constexpr (EntityList<T>) {
            typename is_vector<T>::value_type entity{};
            j_.begin_object().field("type", "object");
            j_.field("description", std::string(meta.doc) + " Keyed by id; an entry set to null removes it.");
            j_.key("propertyNames").begin_object().field("pattern", "^[A-Za-z0-9_-]+$").end_object();
            j_.key("additionalProperties");
            unless_absent(entity, Meta{}, "");
            j_.end_object();
        } else if constexpr (std::same_as<T, std::map<std::string, double>>) {
            // A number map: {id: number}, each number in the field's range.
            j_.begin_object().field("type", "object").field("description", description(meta, meta.min, meta.max));
            j_.key("propertyNames").begin_object().field("pattern", "^[A-Za-z0-9_-]+$").end_object();
            j_.key("additionalProperties").begin_object().field("type", "number");
            if (std::isfinite(meta.min)) j_.field("minimum", meta.min);
            if (std::isfinite(meta.max)) j_.field("maximum", meta.max);
            j_.end_object().end_object();
        } else if constexpr (Described<T>) {
            object(value, meta.doc);
        } else {
            static_assert(!sizeof(T), "a scenario field of a type the schema does not know");
        }
    }

    JsonWriter& j_;
    bool complete_;
    std::vector<std::string> required_;
};

void distribution_definition(JsonWriter& j) {
    struct Kind {
        const char* name;
        std::vector<std::string> parameters;
    };
    const Kind kinds[] = {{"fixed", {"value"}},
                          {"uniform", {"low", "high"}},
                          {"lognormal", {"median", "sigma"}},
                          {"triangular", {"low", "mode", "high"}},
                          {"choice", {"values"}}};
    std::vector<std::string> names;
    for (const Kind& k : kinds) names.push_back(k.name);
    j.begin_object().field("type", "object");
    j.field("description", "An uncertain value: drawn once per parameter draw in ensembles, its central value in single "
                           "runs (docs/uncertainty.md). Its values must lie in the field's range.");
    j.key("properties").begin_object();
    j.key("dist").begin_object().field("type", "string").key("enum").strings(names).end_object();
    for (const char* p : {"value", "low", "high", "mode", "median"}) j.key(p).begin_object().field("type", "number").end_object();
    j.key("sigma").begin_object().field("type", "number").field("minimum", 0.0).end_object();
    for (const char* p : {"values", "weights"}) {
        j.key(p).begin_object().field("type", "array").key("items").begin_object().field("type", "number");
        if (std::string(p) == "weights") j.field("minimum", 0.0);
        j.end_object().end_object();
    }
    j.end_object().field("additionalProperties", false).key("required").strings({"dist"});
    // Each kind needs its parameters and takes no others (choice may add weights).
    j.key("allOf").begin_array();
    for (const Kind& k : kinds) {
        std::vector<std::string> allowed{"dist"};
        allowed.insert(allowed.end(), k.parameters.begin(), k.parameters.end());
        if (std::string(k.name) == "choice") allowed.push_back("weights");
        j.begin_object().key("if").begin_object().key("properties").begin_object();
        j.key("dist").begin_object().field("const", k.name).end_object().end_object().end_object();
        j.key("then").begin_object().key("required").strings(k.parameters);
        j.key("propertyNames").begin_object().key("enum").strings(allowed).end_object().end_object().end_object();
    }
    j.end_array().end_object();
}

// The keys a scenario file may hold beside the scenario's fields.
void file_keys(JsonWriter& j) {
    j.key("extends").begin_object().field("type", "string")
        .field("description", "Another scenario file this one patches (path relative to this file).").end_object();
    for (const char* section : {"sweep", "sensitivity"})
        j.key(section).begin_object().field("type", "object")
            .field("description", std::string("A ") + section + ": section for `gatesim " + section +
                                      "` (docs/uncertainty.md).").end_object();
}

}  // namespace

std::string scenario_json_schema() {
    std::ostringstream out;
    JsonWriter j(out);
    Scenario scenario;
    j.begin_object();
    j.field("$schema", "http://json-schema.org/draft-07/schema#");
    j.field("title", "gatesim scenario");
    j.field("description", "A gatesim scenario file (YAML). Generated by `gatesim schema` from the scenario types; "
                           "`gatesim validate` checks what a schema cannot (sums, references, extends).");
    j.field("type", "object");
    SchemaWriter patch(j, false);
    // The root's own object, with the file keys among its properties.
    j.key("properties").begin_object();
    file_keys(j);
    describe(patch, scenario);
    j.end_object().field("additionalProperties", false);
    // A file that extends nothing must give every required field itself.
    j.key("if").begin_object().key("not").begin_object().key("required").strings({"extends"}).end_object().end_object();
    j.key("then").begin_object().field("$ref", "#/definitions/complete").end_object();
    j.key("definitions").begin_object();
    j.key("distribution");
    distribution_definition(j);
    j.key("complete");
    SchemaWriter complete(j, true);
    complete.object(scenario, "A scenario that extends nothing: every required field is given.",
                    [&] { file_keys(j); });
    j.end_object();
    j.end_object();
    return out.str();
}

}  // namespace gatesim

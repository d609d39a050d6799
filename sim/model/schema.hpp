// Field metadata for self-describing scenario types.
//
// Every scenario struct has one `describe(visitor, value)` function that names its fields with
// their unit, valid range and meaning. Readers, writers, the parameter table and parameter
// sweeps are visitors over that single description, so a field is declared once. Sources of
// default values are kept in docs/parameter-sources.yaml.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gatesim {

struct Meta {
    std::string_view doc;
    std::string_view unit = "";
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool required = false;
    // For text with a fixed form: "date" (YYYY-MM-DD). Checked by the scenario's consistency
    // checks and stated in the JSON Schema.
    std::string_view format = "";
};

// Enumerations are read and written by name. Each enum specialises EnumNames with the
// names in declaration order.
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires { EnumNames<E>::names; };

template <NamedEnum E>
constexpr std::string_view enum_name(E e) {
    return EnumNames<E>::names[static_cast<std::size_t>(e)];
}

template <NamedEnum E>
constexpr std::optional<E> enum_from_name(std::string_view s) {
    const auto& names = EnumNames<E>::names;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == s) return static_cast<E>(i);
    return std::nullopt;
}

// A struct is "described" when a describe(V&, T&) overload exists for it.
struct DescribeProbe {
    template <class T>
    void operator()(std::string_view, T&, const Meta&) {}
};

template <class T>
concept Described = requires(DescribeProbe& v, T& t) { describe(v, t); };

// Collections of named entities (regions, models, ...) are vectors of described structs
// that carry a string `id`; files write them as maps keyed by id, so `extends:` can patch a
// single entry and key paths read naturally (models.frontier.capability).
template <class T>
concept NamedEntity = Described<T> && requires(T& t) {
    { t.id } -> std::convertible_to<std::string>;
};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {
    using value_type = T;
};

// A map from entity ids to numbers (`provider_weights: {lab_a: 1.2, lab_f: 0}`): files write it
// as a map, a key path names one entry (regions.china.provider_weights.lab_f), and `extends:`
// patches it key by key. Meta's range applies to every value.
using NumberMap = std::map<std::string, double>;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {
    using value_type = T;
};

}  // namespace gatesim

// Parsing scopes and their canonical labels.
#include "model/scope.hpp"

#include <algorithm>
#include <array>

namespace gatesim {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = s.find(separator);
        parts.push_back(trim(s.substr(0, at)));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

template <class T>
std::vector<std::string> ids(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.id);
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

Scope everyone() { return {}; }

std::optional<Scope> parse_scope(const Scenario& s, std::string_view spec, std::string& why) {
    struct Dimension {
        const char* key;
        std::vector<std::string> values;
        std::vector<std::size_t> Scope::* selected;
    };
    std::array<Dimension, 4> dimensions{{{"region", ids(s.regions), &Scope::regions},
                                         {"nationality", {"us_person", "foreign_national"}, &Scope::nationalities},
                                         {"segment", ids(s.segments), &Scope::segments},
                                         {"channel", {"consumer", "api", "cloud"}, &Scope::channels}}};
    Scope scope;
    if (trim(spec).empty()) {
        why = "a scope needs at least one key=value, e.g. region=india";
        return std::nullopt;
    }
    for (std::string_view term : split(spec, ';')) {
        const auto eq = term.find('=');
        const std::string key(trim(term.substr(0, eq)));
        auto d = std::find_if(dimensions.begin(), dimensions.end(), [&](const Dimension& x) { return key == x.key; });
        if (eq == std::string_view::npos || d == dimensions.end()) {
            why = "'" + std::string(term) + "' is not key=ids with key region, nationality, segment or channel"
                  " (in a YAML list, quote a scope with commas: 'region=india,brazil')";
            return std::nullopt;
        }
        auto& selected = scope.*(d->selected);
        for (std::string_view value : split(term.substr(eq + 1), ',')) {
            const auto it = std::find(d->values.begin(), d->values.end(), value);
            if (it == d->values.end()) {
                why = "unknown " + key + " '" + std::string(value) + "'; expected one of: " + joined(d->values);
                return std::nullopt;
            }
            const auto index = static_cast<std::size_t>(it - d->values.begin());
            if (std::find(selected.begin(), selected.end(), index) == selected.end()) selected.push_back(index);
        }
    }
    for (const auto& d : dimensions) {
        const auto& selected = scope.*(d.selected);
        if (selected.empty()) continue;
        std::string term = std::string(d.key) + "=";
        for (std::size_t k = 0; k < selected.size(); ++k) term += (k ? "," : "") + d.values[selected[k]];
        scope.label += (scope.label.empty() ? "" : ";") + term;
    }
    return scope;
}

}  // namespace gatesim

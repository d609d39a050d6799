// Key-path access to numeric scenario fields through describe(), and uncertain-parameter draws.
#include "study/parameters.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdio>
#include <limits>

#include "model/rng.hpp"

namespace gatesim {
namespace {

using Keys = std::vector<std::string>;

template <class T>
concept PlainNumber = (std::floating_point<T> || std::integral<T>) && !std::same_as<T, bool>;

Keys split_path(std::string_view path) {
    Keys keys;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        keys.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return keys;
}

std::string join(const Keys& keys, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count && i < keys.size(); ++i) out += (i ? "." : "") + keys[i];
    return out;
}

std::string list_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "(none)" : out;
}

[[noreturn]] void fail(const Keys& keys, const std::string& why) {
    throw ParameterError("key path '" + join(keys, keys.size()) + "': " + why);
}

template <class T>
double as_double(const T& v) {
    return static_cast<double>(v);
}

// Rounds and stores a value in a whole-number field; the caller has range-checked it.
template <class T>
void store(T& slot, double v) {
    if constexpr (std::integral<T>) {
        slot = static_cast<T>(std::clamp(std::round(v), whole_number_lowest<T>(), whole_number_highest<T>()));
    } else {
        slot = static_cast<T>(v);
    }
}

template <PlainNumber T>
void describe_number(NumericField& out, const Meta& meta) {
    out.unit = std::string(meta.unit);
    out.doc = std::string(meta.doc);
    out.min = meta.min;
    out.max = meta.max;
    if constexpr (std::integral<T>) {
        out.whole_number = true;
        out.min = std::max(out.min, whole_number_lowest<T>());
        out.max = std::min(out.max, whole_number_highest<T>());
    }
}

template <class T>
void locate(T& value, const Meta& meta, const Keys& keys, std::size_t depth, NumericField& out);

// Visits one level of a described struct and descends into the field named keys[depth].
class Child {
public:
    Child(const Keys& keys, std::size_t depth, NumericField& out) : keys_(keys), depth_(depth), out_(out) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta& meta) {
        names_.emplace_back(key);
        if (found_ || key != keys_[depth_]) return;
        found_ = true;
        locate(value, meta, keys_, depth_ + 1, out_);
    }

    void require_found() const {
        if (found_) return;
        const std::string where = depth_ == 0 ? "the scenario" : "'" + join(keys_, depth_) + "'";
        fail(keys_, "'" + keys_[depth_] + "' is not a field of " + where + "; expected one of: " + list_names(names_));
    }

private:
    const Keys& keys_;
    std::size_t depth_;
    NumericField& out_;
    bool found_ = false;
    std::vector<std::string> names_;
};

template <class T>
void locate(T& value, const Meta& meta, const Keys& keys, std::size_t depth, NumericField& out) {
    const bool last = depth == keys.size();
    if constexpr (PlainNumber<T>) {
        if (!last) fail(keys, "'" + join(keys, depth) + "' is a number and has no field '" + keys[depth] + "'");
        describe_number<T>(out, meta);
        out.get = [p = &value] { return as_double(*p); };
        out.set = [p = &value](double v) { store(*p, v); };
    } else if constexpr (std::same_as<T, Distribution>) {
        if (!last) fail(keys, "'" + join(keys, depth) + "' is a number and has no field '" + keys[depth] + "'");
        describe_number<double>(out, meta);
        out.get = [p = &value] { return p->central(); };
        out.set = [p = &value](double v) { *p = Distribution::fixed_at(v); };
    } else if constexpr (is_optional<T>::value) {
        using Inner = typename is_optional<T>::value_type;
        if constexpr (PlainNumber<Inner> || std::same_as<Inner, Distribution>) {
            if (!last) fail(keys, "'" + join(keys, depth) + "' is a number and has no field '" + keys[depth] + "'");
            // An unset optional number ("never") reads as NaN; setting it engages it.
            if constexpr (std::same_as<Inner, Distribution>) {
                describe_number<double>(out, meta);
                out.get = [p = &value] { return *p ? (*p)->central() : std::numeric_limits<double>::quiet_NaN(); };
                out.set = [p = &value](double v) { *p = Distribution::fixed_at(v); };
            } else {
                describe_number<Inner>(out, meta);
                out.get = [p = &value] { return *p ? as_double(**p) : std::numeric_limits<double>::quiet_NaN(); };
                out.set = [p = &value](double v) {
                    Inner x{};
                    store(x, v);
                    *p = x;
                };
            }
        } else if constexpr (Described<Inner>) {
            if (last) fail(keys, "is a section, not a number");
            if (!value) fail(keys, "'" + join(keys, depth) + "' is not set in this scenario (never)");
            locate(*value, meta, keys, depth, out);
        } else {
            fail(keys, "is not a number");
        }
    } else if constexpr (Described<T>) {
        if (last) fail(keys, "is a section, not a number");
        Child child(keys, depth, out);
        describe(child, value);
        child.require_found();
    } else if constexpr (std::same_as<T, NumberMap>) {
        if (last) fail(keys, "is a map of numbers by id, not a number; name one entry");
        const std::string& id = keys[depth];
        const auto it = value.find(id);
        if (it == value.end()) {
            std::vector<std::string> ids;
            for (const auto& [k, v] : value) ids.push_back(k);
            fail(keys, "no entry '" + id + "' under '" + join(keys, depth) + "'; entries: " + list_names(ids));
        }
        if (depth + 1 != keys.size()) fail(keys, "'" + join(keys, depth + 1) + "' is a number and has no field '" + keys[depth + 1] + "'");
        describe_number<double>(out, meta);
        out.get = [p = &it->second] { return *p; };
        out.set = [p = &it->second](double v) { *p = v; };
    } else if constexpr (is_vector<T>::value && Described<typename is_vector<T>::value_type>) {
        using Item = typename is_vector<T>::value_type;
        if (last) fail(keys, "is a list of entries, not a number; name one entry and a field");
        const std::string& id = keys[depth];
        if constexpr (NamedEntity<Item>) {
            const int i = index_of(value, id);
            if (i < 0) {
                std::vector<std::string> ids;
                for (const auto& item : value) ids.push_back(item.id);
                fail(keys, "no entry '" + id + "' under '" + join(keys, depth) + "'; entries: " + list_names(ids));
            }
            if (depth + 1 == keys.size()) fail(keys, "is an entry, not a number; name one of its fields");
            Child child(keys, depth + 1, out);
            describe(child, value[static_cast<std::size_t>(i)]);
            child.require_found();
        } else {
            std::size_t index = 0;
            auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), index);
            if (ec != std::errc() || end != id.data() + id.size() || index >= value.size())
                fail(keys, "'" + join(keys, depth) + "' has " + std::to_string(value.size()) +
                               " entries, addressed by position 0.." + std::to_string(value.size()) + "-1; got '" + id + "'");
            if (depth + 1 == keys.size()) fail(keys, "is an entry, not a number; name one of its fields");
            Child child(keys, depth + 1, out);
            describe(child, value[index]);
            child.require_found();
        }
    } else {
        fail(keys, last ? "is not a number" : "'" + join(keys, depth) + "' is not a section");
    }
}

// Collects the key path of every numeric field.
class Lister {
public:
    Lister(std::string prefix, std::vector<std::string>& out) : prefix_(std::move(prefix)), out_(out) {}

    template <class T>
    void operator()(std::string_view key, T& value, const Meta&) {
        visit(prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key), value);
    }

private:
    template <class T>
    void visit(const std::string& path, T& value) {
        if constexpr (PlainNumber<T> || std::same_as<T, Distribution>) {
            out_.push_back(path);
        } else if constexpr (std::same_as<T, NumberMap>) {
            for (const auto& [id, v] : value) out_.push_back(path + "." + id);
        } else if constexpr (is_optional<T>::value) {
            using Inner = typename is_optional<T>::value_type;
            if constexpr (PlainNumber<Inner> || std::same_as<Inner, Distribution>) out_.push_back(path);
            else if constexpr (Described<Inner>) {
                if (value) visit(path, *value);
            }
        } else if constexpr (Described<T>) {
            Lister inner(path, out_);
            describe(inner, value);
        } else if constexpr (is_vector<T>::value && Described<typename is_vector<T>::value_type>) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                std::string item_path = path + ".";
                if constexpr (NamedEntity<typename is_vector<T>::value_type>) item_path += value[i].id;
                else item_path += std::to_string(i);
                Lister inner(item_path, out_);
                describe(inner, value[i]);
            }
        }
    }

    std::string prefix_;
    std::vector<std::string>& out_;
};

// A uniform number in (0, 1): quantile functions are infinite at the ends.
double open_unit(RandomEngine& rng) {
    return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

// FNV-1a: a stable number per key path, independent of the standard library.
std::uint64_t path_hash(std::string_view path) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : path) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

// Four significant digits, for messages about computed values.
std::string rounded(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

}  // namespace

std::string format_value(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, end);
}

NumericField numeric_field(Scenario& scenario, std::string_view key_path) {
    const Keys keys = split_path(key_path);
    for (const auto& k : keys)
        if (k.empty()) throw ParameterError("key path '" + std::string(key_path) + "': empty key");
    NumericField out;
    out.key_path = std::string(key_path);
    Child root(keys, 0, out);
    describe(root, scenario);
    root.require_found();
    return out;
}

std::vector<std::string> numeric_field_paths(Scenario& scenario) {
    std::vector<std::string> paths;
    Lister lister("", paths);
    describe(lister, scenario);
    return paths;
}

double parameter_value(const Scenario& scenario, std::string_view key_path) {
    // The finder needs a mutable object to hand out setters; reading does not use them.
    return numeric_field(const_cast<Scenario&>(scenario), key_path).get();
}

void set_parameter(Scenario& scenario, std::string_view key_path, double value) {
    NumericField field = numeric_field(scenario, key_path);
    const double stored = field.whole_number ? std::round(value) : value;
    if (std::isnan(value) || stored < field.min || stored > field.max)
        throw ParameterError("key path '" + field.key_path + "': " + format_value(value) + " is outside the field's range [" +
                             format_value(field.min) + ", " + format_value(field.max) + "]");
    field.set(value);
}

std::string check_support(const Distribution& d, double min, double max, bool whole_number) {
    if (auto why = d.check(); !why.empty()) return why;
    const std::string range = "[" + format_value(min) + ", " + format_value(max) + "]";
    if (d.kind == DistributionKind::lognormal) {
        const double lo = d.quantile(0.001), hi = d.quantile(0.999);
        if (lo < min || hi > max || !std::isfinite(hi))
            return "more than 0.1% of this lognormal's draws fall outside the field's range " + range +
                   " (its 0.1% and 99.9% quantiles are " + rounded(lo) + " and " + rounded(hi) +
                   "); narrow it or use a bounded distribution";
        return {};
    }
    if (whole_number && d.kind == DistributionKind::choice)
        for (double v : d.values)
            if (v != std::floor(v)) return "choice values must be whole numbers for this field, got " + format_value(v);
    auto [lo, hi] = d.support();
    if (whole_number) lo = std::round(lo), hi = std::round(hi);
    if (lo < min || hi > max)
        return "the distribution can produce values from " + format_value(lo) + " to " + format_value(hi) +
               ", outside the field's range " + range;
    return {};
}

std::size_t sample_row(std::string_view joint, std::size_t rows, std::uint64_t seed, std::uint64_t draw) {
    // "sample:" keeps the stream apart from a field's even if a sample were named like a key path.
    RandomEngine rng(StreamKey::of(seed, draw, Purpose::parameters, 0), path_hash("sample:" + std::string(joint)), 0);
    return std::min(rows - 1, static_cast<std::size_t>(open_unit(rng) * static_cast<double>(rows)));
}

namespace {

void check_sample(Scenario& scenario, const ParameterSample& sample) {
    const std::string what = "parameter sample '" + sample.name + "'";
    if (sample.key_paths.empty() || sample.rows.empty())
        throw ParameterError(what + " has no " + (sample.key_paths.empty() ? "parameters" : "rows"));
    for (std::size_t j = 0; j < sample.key_paths.size(); ++j) {
        for (std::size_t k = 0; k < j; ++k)
            if (sample.key_paths[k] == sample.key_paths[j]) throw ParameterError(what + " names '" + sample.key_paths[j] + "' twice");
        const NumericField field = numeric_field(scenario, sample.key_paths[j]);
        for (std::size_t i = 0; i < sample.rows.size(); ++i) {
            const auto& row = sample.rows[i];
            if (row.size() != sample.key_paths.size())
                throw ParameterError(what + ": row " + std::to_string(i) + " has " + std::to_string(row.size()) +
                                     " values for " + std::to_string(sample.key_paths.size()) + " parameters");
            const double v = row[j];
            if (!std::isfinite(v) || v < field.min || v > field.max)
                throw ParameterError(what + ": row " + std::to_string(i) + ": " + sample.key_paths[j] + " = " +
                                     format_value(v) + " is outside the field's range [" + format_value(field.min) +
                                     ", " + format_value(field.max) + "]");
        }
    }
}

}  // namespace

void use_sample(StudyScenario& scenario, const ParameterSample& sample) {
    check_sample(scenario.scenario, sample);
    auto& uncertain = scenario.uncertain;
    for (std::size_t j = 0; j < sample.key_paths.size(); ++j) {
        UncertainParameter p{sample.key_paths[j], Distribution{}, sample.name};
        p.distribution.kind = DistributionKind::choice;  // the column's marginal, equal weights, in row order
        for (const auto& row : sample.rows) p.distribution.values.push_back(row[j]);
        std::erase_if(uncertain, [&](const UncertainParameter& u) { return u.key_path == p.key_path; });
        uncertain.push_back(std::move(p));
    }
}

double parameter_draw(const UncertainParameter& parameter, std::uint64_t seed, std::uint64_t draw) {
    if (!parameter.joint.empty()) {
        const auto& column = parameter.distribution.values;
        return column[sample_row(parameter.joint, column.size(), seed, draw)];
    }
    RandomEngine rng(StreamKey::of(seed, draw, Purpose::parameters, 0), path_hash(parameter.key_path), 0);
    return parameter.distribution.quantile(open_unit(rng));
}

void apply_parameter_draw(Scenario& scenario, const std::vector<UncertainParameter>& uncertain, std::uint64_t draw) {
    const std::uint64_t seed = scenario.seed;
    for (const auto& p : uncertain) {
        NumericField field = numeric_field(scenario, p.key_path);
        field.set(std::clamp(parameter_draw(p, seed, draw), field.min, field.max));
    }
}

}  // namespace gatesim

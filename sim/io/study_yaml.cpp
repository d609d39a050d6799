// Reading the sweep: and sensitivity: sections of scenario files, with located errors.
#include "io/study_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <set>

#include "study/parameters.hpp"
#include "io/scenario_yaml.hpp"
#include "io/yaml_input.hpp"

namespace gatesim {
namespace {

class SectionReader {
public:
    SectionReader(std::string file, Scenario& scenario) : file_(std::move(file)), scenario_(scenario) {}

    const ProblemList& problems() const { return problems_; }

    void problem(const YAML::Node& at, const std::string& path, const std::string& message) {
        problems_.add({locate(file_, at.Mark()), path, message});
    }

    // Keys of a map other than `allowed` are errors.
    void only_keys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string& key = it->first.Scalar();
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            std::string expected;
            for (const auto& a : allowed) expected += (expected.empty() ? "" : ", ") + a;
            problem(it->first, path.empty() ? key : path + "." + key, "unknown key; expected one of: " + expected);
        }
    }

    std::optional<double> number(const YAML::Node& node, const std::string& path) {
        if (node.IsScalar()) {
            const std::string& text = node.Scalar();
            double v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(v)) return v;
        }
        problem(node, path, "expected a number, got " + (node.IsScalar() ? "'" + node.Scalar() + "'" : std::string("a ") + (node.IsMap() ? "map" : "list")));
        return std::nullopt;
    }

    std::optional<std::uint64_t> count(const YAML::Node& map, const char* key, const std::string& path) {
        const YAML::Node node = map[key];
        if (!node.IsDefined()) return std::nullopt;
        const auto v = number(node, path + "." + key);
        if (!v) return std::nullopt;
        if (*v < 1 || *v != std::floor(*v) || *v > 1e9) {
            problem(node, path + "." + key, "expected a whole number of at least 1");
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(*v);
    }

    std::optional<std::string> word(const YAML::Node& map, const char* key, const std::string& path,
                                    const std::vector<std::string>& allowed) {
        const YAML::Node node = map[key];
        if (!node.IsDefined()) return std::nullopt;
        const std::string text = node.IsScalar() ? node.Scalar() : "";
        if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
            std::string expected;
            for (const auto& a : allowed) expected += (expected.empty() ? "" : ", ") + a;
            problem(node, path + "." + key, "expected one of " + expected);
            return std::nullopt;
        }
        return text;
    }

    std::vector<SweepParameter> parameters(const YAML::Node& node, const std::string& path) {
        std::vector<SweepParameter> out;
        if (!node.IsMap()) {
            problem(node, path, "expected a map of key paths to values, ranges or distributions");
            return out;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {  // keys are unique (parse_document)
            const std::string& key_path = it->first.Scalar();
            const std::string where = path + "." + key_path;
            NumericField field;
            try {
                field = numeric_field(scenario_, key_path);
            } catch (const ParameterError& e) {
                problem(it->first, where, e.what());
                continue;
            }
            if (auto p = parameter(it->second, where, field)) out.push_back(std::move(*p));
        }
        if (out.empty() && problems_.empty()) problem(node, path, "name at least one parameter");
        return out;
    }

private:
    void check_in_range(const YAML::Node& at, const std::string& path, double v, const NumericField& f) {
        const double stored = f.whole_number ? std::round(v) : v;
        if (stored < f.min || stored > f.max)
            problem(at, path, format_value(v) + " is outside the field's range [" + format_value(f.min) + ", " +
                                  format_value(f.max) + "]");
    }

    std::optional<SweepParameter> parameter(const YAML::Node& node, const std::string& path, const NumericField& f) {
        SweepParameter p;
        p.key_path = f.key_path;
        const std::size_t before = problems_.size();
        if (node.IsSequence() || node.IsScalar()) {
            p.kind = SweepParameter::Kind::values;
            if (node.IsScalar()) {
                if (auto v = number(node, path)) p.values.push_back(*v);
            } else {
                for (const auto& item : node)
                    if (auto v = number(item, path)) {
                        check_in_range(item, path, *v, f);
                        p.values.push_back(*v);
                    }
            }
            if (problems_.size() == before && p.values.empty()) problem(node, path, "expected at least one value");
            if (node.IsScalar() && !p.values.empty()) check_in_range(node, path, p.values.front(), f);
        } else if (node.IsMap() && node["dist"].IsDefined()) {
            p.kind = SweepParameter::Kind::distribution;
            std::vector<ScenarioProblem> found;
            auto d = read_distribution(node, file_, path, f.min, f.max, found);
            for (auto& q : found) problems_.add(std::move(q));
            if (d) {
                if (auto why = check_support(*d, f.min, f.max, f.whole_number); !why.empty()) problem(node, path, why);
                p.distribution = *d;
            }
        } else if (node.IsMap()) {
            p.kind = SweepParameter::Kind::range;
            only_keys(node, path, {"low", "high", "levels"});
            if (!node["low"].IsDefined() || !node["high"].IsDefined()) {
                problem(node, path, "a range needs low and high (or give a list of values, or a distribution with dist:)");
            } else {
                const auto low = number(node["low"], path + ".low");
                const auto high = number(node["high"], path + ".high");
                if (low && high) {
                    check_in_range(node["low"], path + ".low", *low, f);
                    check_in_range(node["high"], path + ".high", *high, f);
                    if (*low > *high) problem(node, path, "a range needs low <= high");
                    p.low = *low;
                    p.high = *high;
                }
                if (auto levels = count(node, "levels", path)) p.levels = static_cast<int>(*levels);
            }
        } else {
            problem(node, path, "expected values, a range {low, high} or a distribution {dist: ...}");
        }
        if (problems_.size() != before) return std::nullopt;
        return p;
    }

    std::string file_;
    Scenario& scenario_;
    ProblemList problems_;
};

}  // namespace

StudySections load_study_sections(const std::filesystem::path& file, Scenario& scenario, bool sections_only) {
    const std::string name = file.string();
    const YAML::Node root = parse_document(read_input_file(file), name);
    StudySections out;
    SectionReader reader(name, scenario);
    if (!root.IsMap()) {
        if (sections_only) reader.problem(root, "", "expected a map with a sweep: or sensitivity: section");
        reader.problems().raise_if_any();
        return out;
    }
    if (sections_only) reader.only_keys(root, "", {"sweep", "sensitivity"});

    if (const YAML::Node sweep = root["sweep"]; sweep.IsDefined()) {
        out.sweep.present = true;
        if (!sweep.IsMap()) {
            reader.problem(sweep, "sweep", "expected a map with parameters (and design, points, replicates)");
        } else {
            reader.only_keys(sweep, "sweep", {"design", "points", "replicates", "parameters"});
            if (auto d = reader.word(sweep, "design", "sweep", {"grid", "lhs", "sobol"}))
                out.sweep.design = enum_from_name<SweepDesign>(*d);
            out.sweep.points = reader.count(sweep, "points", "sweep");
            out.sweep.replicates = reader.count(sweep, "replicates", "sweep");
            if (!sweep["parameters"].IsDefined()) reader.problem(sweep, "sweep.parameters", "missing: name the parameters to vary");
            else out.sweep.parameters = reader.parameters(sweep["parameters"], "sweep.parameters");
        }
    }
    if (const YAML::Node gsa = root["sensitivity"]; gsa.IsDefined()) {
        SensitivitySection& s = out.sensitivity;
        s.present = true;
        if (!gsa.IsMap()) {
            reader.problem(gsa, "sensitivity", "expected a map with method, parameters and outputs");
        } else {
            reader.only_keys(gsa, "sensitivity",
                             {"method", "samples", "bootstrap", "levels", "replicates", "outputs", "parameters"});
            s.method = reader.word(gsa, "method", "sensitivity", {"morris", "sobol"});
            s.samples = reader.count(gsa, "samples", "sensitivity");
            s.bootstrap = reader.count(gsa, "bootstrap", "sensitivity");
            s.levels = reader.count(gsa, "levels", "sensitivity");
            s.replicates = reader.count(gsa, "replicates", "sensitivity");
            if (const YAML::Node outputs = gsa["outputs"]; outputs.IsDefined()) {
                if (!outputs.IsSequence()) reader.problem(outputs, "sensitivity.outputs", "expected a list of summary scalar names");
                else
                    for (const auto& o : outputs) s.outputs.push_back(o.as<std::string>(""));
            }
            if (gsa["parameters"].IsDefined()) s.parameters = reader.parameters(gsa["parameters"], "sensitivity.parameters");
        }
    }
    reader.problems().raise_if_any();
    return out;
}

}  // namespace gatesim

// Numeric scenario fields addressed by key path (models.a_frontier.capability): finding, reading
// and setting them through describe(), and drawing uncertain ones once per parameter draw.
//
// Ensembles, sweeps and sensitivity analyses all vary a scenario through this one door, so any
// numeric field a scenario type describes can be varied without naming it anywhere else.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/distribution.hpp"
#include "model/errors.hpp"
#include "model/scenario.hpp"

namespace gatesim {

// The doubles that convert to the whole-number type I without overflow: [lowest, highest].
// double(max) is not one of them for 64-bit types (it rounds up to 2^64), so the top is the
// largest double below 2^digits.
template <std::integral I>
constexpr double whole_number_lowest() {
    return static_cast<double>(std::numeric_limits<I>::min());
}
template <std::integral I>
double whole_number_highest() {
    constexpr int digits = std::numeric_limits<I>::digits;
    return digits <= std::numeric_limits<double>::digits ? static_cast<double>(std::numeric_limits<I>::max())
                                                         : std::nextafter(std::ldexp(1.0, digits), 0.0);
}

// A numeric field whose value is uncertain: sampled once per parameter draw (see
// apply_parameter_draw), unlike a Distribution-typed field, which the engine samples itself.
// A field of a joint sample (`joint` names the sample) has a choice among its column, in row
// order, and is drawn with the sample's other fields: one row per draw.
struct UncertainParameter {
    std::string key_path;
    Distribution distribution;
    std::string joint{};

    bool operator==(const UncertainParameter&) const = default;
};

// A scenario with its uncertain fields: what studies take (sim/io's LoadedScenario adds where
// each field was set, which studies do not need).
struct StudyScenario {
    Scenario scenario;
    std::vector<UncertainParameter> uncertain;
};

// A key path that names no numeric field, or a value a field cannot take.
struct ParameterError : BadInput {
    using BadInput::BadInput;
};

// One numeric field of one Scenario object; get and set act on that object, so it must outlive
// the NumericField and keep its entities (set never adds or removes any).
struct NumericField {
    std::string key_path;
    std::string unit;
    std::string doc;
    double min = 0;  // valid range from the field's Meta (and, for whole numbers, its type)
    double max = 0;
    bool whole_number = false;
    std::function<double()> get;      // a Distribution-typed field reports its central value
    std::function<void(double)> set;  // rounds whole-number fields; a Distribution becomes fixed
};

// Finds a field: sections by key, named entities by id (models.a_frontier.capability), other
// lists by position (stages.0.day). Plain numbers, whole numbers, optional numbers and
// Distribution-typed fields qualify. Throws ParameterError naming what was expected.
NumericField numeric_field(Scenario& scenario, std::string_view key_path);

// Every numeric key path of a scenario, in describe() order.
std::vector<std::string> numeric_field_paths(Scenario& scenario);

double parameter_value(const Scenario& scenario, std::string_view key_path);

// Sets a field, checking the value against its range. Throws ParameterError.
void set_parameter(Scenario& scenario, std::string_view key_path, double value);

// Empty when every value the distribution can produce lies within [min, max] (after rounding,
// for whole-number fields), else why not. A lognormal's support is unbounded above, so it is
// accepted when its 0.1% and 99.9% quantiles lie in range; the rare draws beyond are clamped.
std::string check_support(const Distribution& distribution, double min, double max, bool whole_number);

// The value of an uncertain parameter in parameter draw `draw`: the distribution's quantile at
// a uniform number from the parameters stream keyed by (seed, draw) and the key path, so a
// parameter's draws do not depend on which other parameters are uncertain.
double parameter_draw(const UncertainParameter& parameter, std::uint64_t seed, std::uint64_t draw);

// Sets every uncertain parameter to its value in parameter draw `draw` (seed: scenario.seed),
// clamped to the field's range.
void apply_parameter_draw(Scenario& scenario, const std::vector<UncertainParameter>& uncertain,
                          std::uint64_t draw);

// Rows of parameter values that belong together (a calibration's sample of the values
// consistent with the data, docs/calibration.md): rows[i][j] is field key_paths[j] in row i.
// Drawn as a whole row per parameter draw, the fields keep their dependence.
struct ParameterSample {
    std::string name;  // where it came from, for messages and the draw stream
    std::vector<std::string> key_paths;
    std::vector<std::vector<double>> rows;
};

// The row of a joint sample of `rows` rows in parameter draw `draw`: uniform, from the
// parameters stream keyed by (seed, draw) and the sample's name.
std::size_t sample_row(std::string_view joint, std::size_t rows, std::uint64_t seed, std::uint64_t draw);

// Makes the sample's fields uncertain in a study scenario (replacing their distributions, if
// any; other uncertain fields stay independent). Throws ParameterError for a sample without rows,
// a row of another width, a value that is not finite, a path named twice or one that names no
// numeric field, or a value outside its field's range.
void use_sample(StudyScenario& scenario, const ParameterSample& sample);

// Shortest text that reads back as the same double (for messages and labels).
std::string format_value(double value);

}  // namespace gatesim

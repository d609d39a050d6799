// Results of a run: daily series and summary scalars in real-world units.
//
// Results are plain named tables so that writers and bindings handle every metric the same
// way; the engine decides what is measured, the edges decide how it is stored.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gatesim {

// A labelled dimension of a series besides the day (e.g. model).
struct Axis {
    std::string name;
    std::vector<std::string> labels;
};

// A daily time series. values are row-major: values[day * width() + column], where column
// enumerates the cartesian product of axes (last axis fastest).
struct Series {
    std::string name;
    std::string unit;
    std::string description;
    std::vector<Axis> axes;
    std::vector<double> values;

    std::size_t width() const {
        std::size_t w = 1;
        for (const auto& a : axes) w *= a.labels.size();
        return w;
    }
    std::size_t days() const { return width() == 0 ? 0 : values.size() / width(); }
    double at(std::size_t day, std::size_t column = 0) const { return values[day * width() + column]; }
};

struct Scalar {
    std::string name;
    std::string unit;
    std::string description;
    double value = 0;
};

struct Results {
    std::uint64_t seed = 0;
    std::uint64_t replicate = 0;
    int days = 0;
    std::string start_date;  // calendar date of day 0 (YYYY-MM-DD), or empty: the scenario's
    std::vector<Series> series;
    std::vector<Scalar> scalars;
    // Outputs that contradict the world's own scale (penalties above revenue, more users blocked
    // than exist, ...): each one sentence, for stderr, the results file and Python.
    std::vector<std::string> warnings;

    const Series& series_named(std::string_view name) const {
        for (const auto& s : series)
            if (s.name == name) return s;
        throw std::out_of_range("no series named " + std::string(name));
    }
    double scalar(std::string_view name) const {
        for (const auto& s : scalars)
            if (s.name == name) return s.value;
        throw std::out_of_range("no scalar named " + std::string(name));
    }
};

}  // namespace gatesim

// The statistics of sim/study/statistics for Python: quantiles across replicates, distributions
// of scalars, labels, and the CLI's number formatting. The gatesim package computes no
// statistic of its own, so Python, the CLI and the files agree.
#include "statistics.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>

#include "io/number_format.hpp"
#include "study/reductions.hpp"
#include "study/statistics.hpp"

namespace py = pybind11;

namespace gatesim::python {
namespace {

using Stack = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Quantiles over the first axis of (replicate, ...) values: (quantile, ...); NaN values are
// left out, as in study bands.
py::array stack_quantiles(const Stack& stack, const std::vector<double>& probabilities) {
    if (stack.ndim() < 1) throw py::value_error("quantiles need values with a leading replicate axis");
    const std::size_t replicates = static_cast<std::size_t>(stack.shape(0));
    const std::size_t days = stack.ndim() > 1 ? static_cast<std::size_t>(stack.shape(1)) : 1;
    std::size_t width = 1;
    for (py::ssize_t i = 2; i < stack.ndim(); ++i) width *= static_cast<std::size_t>(stack.shape(i));
    const double* data = stack.data();
    std::vector<double> bands;
    {
        py::gil_scoped_release release;
        bands = quantile_bands(
            [&](std::size_t day_begin, std::size_t day_end, double* out) {
                const std::size_t block = (day_end - day_begin) * width;
                for (std::size_t r = 0; r < replicates; ++r)
                    std::copy_n(data + (r * days + day_begin) * width, block, out + r * block);
            },
            replicates, days, width, probabilities);
    }
    std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(probabilities.size())};
    for (py::ssize_t i = 1; i < stack.ndim(); ++i) shape.push_back(stack.shape(i));
    py::array_t<double> out(shape);
    std::copy(bands.begin(), bands.end(), out.mutable_data());
    return out;
}

py::dict distribution(const std::vector<double>& values, const std::vector<double>& probabilities) {
    const ScalarDistribution d = distribution_of(values, probabilities);
    py::dict out;
    const auto labels = statistic_labels(probabilities);
    const auto numbers = statistics_vector(d);
    for (std::size_t i = 0; i < labels.size() && i < numbers.size(); ++i) out[py::str(labels[i])] = numbers[i];
    return out;
}

}  // namespace

void bind_statistics(py::module_& m) {
    m.attr("default_quantiles") = py::tuple(py::cast(default_quantiles));
    m.attr("band_description_prefix") = std::string(band_description_prefix);
    m.attr("summary_description_prefix") = std::string(summary_description_prefix);
    m.attr("delta_band_description_prefix") = std::string(delta_band_description_prefix);
    m.def("quantile_label", &quantile_label, py::arg("probability"), "0.05 -> 'p5'");
    m.def("statistic_labels", &statistic_labels, py::arg("probabilities"));
    m.def("variance_labels", &variance_labels);
    m.def("quantiles", &stack_quantiles, py::arg("stack"), py::arg("probabilities"),
          "Quantiles over the first (replicate) axis, NaN left out: (quantile, ...)");
    m.def("distribution", &distribution, py::arg("values"), py::arg("probabilities"),
          "count, not_reached, mean, sd, min, pN..., max of values over replicates, as in study files");
    m.def("readable", &readable, py::arg("value"), py::arg("unit"), "12,345,678 users; 12.5%; not reached");
    m.def("compact", &compact, py::arg("value"), py::arg("unit"), py::arg("sign") = false,
          "Three significant digits with k/M/B/T: 12.3M; 12.5%; n/a");
}

}  // namespace gatesim::python

// Reading a calibration file's sample of parameter values (gatesim calibrate, written by the
// Python package; docs/calibration.md) as a ParameterSample, for --parameters-from.
#pragma once

#include <filesystem>

#include "study/parameters.hpp"

namespace gatesim {

// /posterior/key_path (strings) and /posterior/sample (rows x parameters, float64) of a file
// whose file_type is gatesim-calibration. Throws ResultsFileError naming the file and what is
// missing or malformed.
ParameterSample read_parameter_sample(const std::filesystem::path& path);

}  // namespace gatesim

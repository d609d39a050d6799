// Output paths: whether gatesim can write a file at a path, checked before any simulation work,
// so a run never simulates for hours into a path it cannot write. Files are written under a
// temporary name beside the target and renamed into place (h5_support.hpp: PendingFile).
#pragma once

#include <filesystem>
#include <string_view>

#include "model/errors.hpp"

namespace gatesim {

// An output path that cannot be written: bad input ("cannot write PATH: reason").
struct OutputPathError : BadInput {
    using BadInput::BadInput;
};

// Throws OutputPathError unless a file can be written at `path`: it names a file in an existing
// directory where gatesim may create its temporary files (tried: this also catches read-only
// folders and names too long once the temporary suffix is added), and nothing but a regular file
// (which is replaced) is already there.
void check_output_path(const std::filesystem::path& path);

// A fresh temporary name beside `path` (same directory, so the final rename is atomic); pid and
// a counter keep concurrent writers apart.
std::filesystem::path temporary_path(const std::filesystem::path& path, std::string_view tag = "tmp");

}  // namespace gatesim

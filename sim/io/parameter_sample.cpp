// A calibration file's parameter sample (parameter_sample.hpp).
#include "io/parameter_sample.hpp"

#include "io/h5_support.hpp"

namespace gatesim {

using namespace h5;

ParameterSample read_parameter_sample(const std::filesystem::path& path) {
    QuietHdf5 quiet;
    const Where w{"read the parameter sample of", path.string()};
    Handle file = open_existing(w, path);
    const std::string type = read_string_attr(w, file.get(), "/", "file_type", "not a gatesim file");
    if (type != "gatesim-calibration")
        fail(w, "not a calibration file (file_type is \"" + type + "\"); --parameters-from takes what gatesim calibrate writes");
    ParameterSample sample;
    sample.name = path.filename().string();
    Handle paths = open_dataset(w, file.get(), "/posterior/key_path");
    sample.key_paths = read_strings(w, Source{paths.get(), false, "/posterior/key_path"});
    Handle values = open_dataset(w, file.get(), "/posterior/sample");
    const std::vector<hsize_t> dims = dataset_dims(w, values.get(), "/posterior/sample");
    if (dims.size() != 2 || dims[1] != sample.key_paths.size())
        fail(w, "/posterior/sample must have one column per entry of /posterior/key_path (" +
                    std::to_string(sample.key_paths.size()) + ")");
    if (dims[0] == 0) fail(w, "/posterior/sample has no rows: no trial was consistent with the observations");
    std::vector<double> flat(dims[0] * dims[1]);
    check(w, H5Dread(values.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data()), "cannot read /posterior/sample");
    for (hsize_t i = 0; i < dims[0]; ++i)
        sample.rows.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(i * dims[1]),
                                 flat.begin() + static_cast<std::ptrdiff_t>((i + 1) * dims[1]));
    return sample;
}

}  // namespace gatesim

// Test helpers that read HDF5 study and results files directly, with the HDF5 C API rather than
// sim/io's readers, so the tests compare what is really in the files.
#pragma once

#include <catch2/catch.hpp>

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace gatesim::test {

namespace fs = std::filesystem;

// Every dataset of a file outside /provenance, as raw values: numbers as float64 bits,
// strings as text. Two files with equal contents are the same results bit for bit.
inline std::map<std::string, std::vector<std::string>> contents(const fs::path& file) {
    std::map<std::string, std::vector<std::string>> out;
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    auto visit = [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
        auto& out = *static_cast<std::map<std::string, std::vector<std::string>>*>(data);
        const std::string path = name;
        if (path.rfind("provenance", 0) == 0) return 0;
        const hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
        if (H5Iget_type(obj) == H5I_DATASET) {
            const hid_t type = H5Dget_type(obj);
            const hid_t space = H5Dget_space(obj);
            const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
            std::vector<std::string>& values = out[path];
            if (H5Tget_class(type) == H5T_STRING) {
                const hid_t mem = H5Tcopy(H5T_C_S1);
                H5Tset_size(mem, H5T_VARIABLE);
                H5Tset_cset(mem, H5Tget_cset(type));
                std::vector<char*> ptrs(n);
                if (n > 0 && H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0) {
                    for (char* p : ptrs) values.emplace_back(p ? p : "");
                    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
                }
                H5Tclose(mem);
            } else {
                std::vector<double> v(n);
                if (n > 0) H5Dread(obj, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
                for (double x : v) values.emplace_back(reinterpret_cast<const char*>(&x), sizeof x);
            }
            H5Sclose(space);
            H5Tclose(type);
        }
        H5Oclose(obj);
        return 0;
    };
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, &out);
    H5Fclose(f);
    return out;
}

inline std::vector<double> read_doubles(const fs::path& file, const std::string& path) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    REQUIRE(ds >= 0);
    const hid_t space = H5Dget_space(ds);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
    return v;
}

template <class T>
T read_attr(const fs::path& file, const std::string& object, const std::string& name, hid_t mem) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    T v{};
    H5Aread(a, mem, &v);
    H5Aclose(a);
    H5Fclose(f);
    return v;
}

inline bool exists(const fs::path& file, const std::string& path) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const bool e = H5Lexists(f, path.c_str(), H5P_DEFAULT) > 0;
    H5Fclose(f);
    return e;
}

// One dataset as stored: its shape, numbers (float64) or strings, and string attributes.
struct StoredDataset {
    std::vector<std::size_t> dims;
    bool text = false;
    bool coordinate = false;  // a dimension scale or a date: written for netCDF readers
    std::vector<double> numbers;
    std::vector<std::string> strings;
    std::map<std::string, std::string> attributes;
};

inline std::vector<std::string> read_vlen_strings(hid_t obj, bool attribute) {
    const hid_t type = attribute ? H5Aget_type(obj) : H5Dget_type(obj);
    const hid_t space = attribute ? H5Aget_space(obj) : H5Dget_space(obj);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    const hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    std::vector<char*> ptrs(n, nullptr);
    std::vector<std::string> out;
    const herr_t rc = n == 0 ? 0
                      : attribute ? H5Aread(obj, mem, ptrs.data())
                                  : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
    if (rc >= 0 && n > 0) {
        for (char* p : ptrs) out.emplace_back(p ? p : "");
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data());
    }
    H5Tclose(mem);
    H5Sclose(space);
    H5Tclose(type);
    return out;
}

// Every dataset of a file, by path without the leading '/'.
inline std::map<std::string, StoredDataset> stored_datasets(const std::filesystem::path& file) {
    std::map<std::string, StoredDataset> out;
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    auto visit = [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
        const hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
        if (H5Iget_type(obj) == H5I_DATASET) {
            StoredDataset& d = (*static_cast<std::map<std::string, StoredDataset>*>(data))[name];
            const hid_t type = H5Dget_type(obj);
            const hid_t space = H5Dget_space(obj);
            const int rank = H5Sget_simple_extent_ndims(space);
            std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
            if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
            d.dims.assign(dims.begin(), dims.end());
            d.text = H5Tget_class(type) == H5T_STRING;
            if (d.text) {
                d.strings = read_vlen_strings(obj, false);
            } else {
                d.numbers.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
                if (!d.numbers.empty()) H5Dread(obj, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.numbers.data());
            }
            d.coordinate = H5Aexists(obj, "CLASS") > 0 || H5Aexists(obj, "calendar") > 0;
            for (const char* attr : {"units", "description", "axes"}) {
                if (H5Aexists(obj, attr) <= 0) continue;
                const hid_t a = H5Aopen(obj, attr, H5P_DEFAULT);
                const auto values = read_vlen_strings(a, true);
                d.attributes[attr] = values.empty() ? "" : values.front();
                H5Aclose(a);
            }
            H5Sclose(space);
            H5Tclose(type);
        }
        H5Oclose(obj);
        return 0;
    };
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, &out);
    H5Fclose(f);
    return out;
}

// A string attribute of an object ("" when absent).
inline std::string read_string_attr(const fs::path& file, const std::string& object, const std::string& name) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    std::string value;
    if (H5Aexists_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT) > 0) {
        const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
        const auto values = read_vlen_strings(a, true);
        if (!values.empty()) value = values.front();
        H5Aclose(a);
    }
    H5Fclose(f);
    return value;
}

}  // namespace gatesim::test

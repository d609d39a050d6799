// Results and study files as netCDF-4: HDF5 dimension scales on every axis, so xarray
// (engine="h5netcdf"), netCDF tools and other HDF5 readers see labelled coordinates.
//
// Writers name each dataset's dimensions in its `axes` attribute. attach_coordinates then gives
// every group the coordinate variables its datasets use, as netCDF requires them in the group:
// a copy of the axis' labels (from the nearest axes/<name> above), the day, replicate or point
// index, and a `date` beside `day` (CF "days since <start_date>") where a group or one above it
// has a start_date attribute. Label lists without an `axes` attribute become their own
// coordinate. Readers skip coordinates by the same rule: data have an `axes` attribute.
// Internal to sim/io.
#pragma once

#include "io/h5_support.hpp"

namespace gatesim::h5 {

// Whether a dataset holds data (has an `axes` attribute) rather than being a coordinate.
bool holds_data(const Where& w, hid_t dataset);

// Attaches coordinates to every dataset of an open, writable file; safe to run again.
void attach_coordinates(const Where& w, hid_t file);

}  // namespace gatesim::h5

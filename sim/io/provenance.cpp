// Provenance: built, written and read in one place (provenance.hpp, provenance_h5.hpp).
#include "io/provenance_h5.hpp"

#include <ctime>
#include <utility>

namespace gatesim {

Provenance make_provenance(std::string scenario_yaml, std::string scenario_file, std::string command_line, int threads,
                           std::string start_time) {
    return Provenance{GATESIM_VERSION,          GATESIM_GIT_COMMIT,     std::move(scenario_yaml),
                      std::move(scenario_file), std::move(command_line), std::move(start_time),
                      threads};
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

namespace h5 {

namespace {
const std::string group_path = "/provenance";
}

void write_provenance(const Where& w, hid_t file, const Provenance& p, std::uint64_t seed,
                      std::optional<std::uint64_t> replicate) {
    Handle g = create_group(w, file, "provenance");
    write_string_attr(w, g.get(), group_path, "gatesim_version", p.gatesim_version);
    write_string_attr(w, g.get(), group_path, "git_commit", p.git_commit);
    write_string_attr(w, g.get(), group_path, "scenario_file", p.scenario_file);
    write_string_attr(w, g.get(), group_path, "command_line", p.command_line);
    write_string_attr(w, g.get(), group_path, "start_time", p.start_time);
    write_number_attr(w, g.get(), group_path, "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &p.threads);
    write_number_attr(w, g.get(), group_path, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    if (replicate)
        write_number_attr(w, g.get(), group_path, "replicate", H5T_STD_U64LE, H5T_NATIVE_UINT64, &*replicate);
    write_string_dataset(w, g.get(), group_path + "/scenario", "scenario", {p.scenario_yaml}, true);
}

StoredProvenance read_provenance(const Where& w, hid_t file, bool with_replicate) {
    Handle g = open_group(w, file, group_path);
    StoredProvenance out;
    Provenance& p = out.provenance;
    p.gatesim_version = read_string_attr(w, g.get(), group_path, "gatesim_version");
    p.git_commit = read_string_attr(w, g.get(), group_path, "git_commit");
    p.scenario_file = read_string_attr(w, g.get(), group_path, "scenario_file");
    p.command_line = read_string_attr(w, g.get(), group_path, "command_line");
    p.start_time = read_string_attr(w, g.get(), group_path, "start_time");
    read_number_attr(w, g.get(), group_path, "threads", H5T_NATIVE_INT, &p.threads);
    read_number_attr(w, g.get(), group_path, "seed", H5T_NATIVE_UINT64, &out.seed);
    if (with_replicate) {
        std::uint64_t replicate = 0;
        read_number_attr(w, g.get(), group_path, "replicate", H5T_NATIVE_UINT64, &replicate);
        out.replicate = replicate;
    }
    Handle ds = open_dataset(w, g.get(), "scenario");
    auto text = read_strings(w, Source{ds.get(), false, "dataset /provenance/scenario"});
    if (text.size() != 1) fail(w, "dataset /provenance/scenario does not hold exactly one string");
    p.scenario_yaml = std::move(text.front());
    return out;
}

}  // namespace h5
}  // namespace gatesim

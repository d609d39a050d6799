// How large a study may be: the limits up to which every part of a study (its plan and design,
// the run store and study file, the reductions) has been checked to work on a workstation, so
// that a study within them runs and one beyond them is refused at once (PlanError: exit 2 on
// the CLI, ValueError in Python) instead of failing hours later on a chunk size or an
// allocation. The CLI advertises them on its options; tests/cli/studies.sh runs each limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gatesim {

// Replicates of one point (and noise replicates per parameter draw). Reductions hold one day of
// a series for every replicate at once: 100,000 x a few hundred columns is a few hundred MB.
inline constexpr std::uint64_t max_replicates = 100'000;
// Points of a plan: sweep points, sensitivity rows, compared scenarios. The plan holds each
// point, and a sweep keeps a report per point and scalar in memory (about 1.4 GB at this limit).
inline constexpr std::uint64_t max_points = 100'000;
// Runs of a study (points x replicates).
inline constexpr std::uint64_t max_runs = 100'000'000;
// Bootstrap resamples of an interval (0: no intervals). Each resamples every replicate.
inline constexpr std::uint64_t max_bootstrap = 100'000;
// Grid levels of a Morris analysis.
inline constexpr std::uint64_t max_morris_levels = 1'000;
// Quantile bands of a study.
inline constexpr std::size_t max_quantiles = 100;

// A count as limits are written in messages and help: 100000 -> "100,000".
inline std::string count_text(std::uint64_t n) {
    std::string digits = std::to_string(n), grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
    }
    return grouped;
}

}  // namespace gatesim

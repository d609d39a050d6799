// Quantiles, bands, scalar distributions, variance decomposition and paired deltas.
#include "study/statistics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "model/parallel.hpp"
#include "model/rng.hpp"

namespace gatesim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double mean_of(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? nan : sum / static_cast<double>(v.size());
}

// Sample variance (n - 1); NaN for fewer than two values.
double variance_of(const std::vector<double>& v) {
    if (v.size() < 2) return nan;
    const double m = mean_of(v);
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return ss / static_cast<double>(v.size() - 1);
}

std::vector<double> finite_only(const std::vector<double>& v) {
    std::vector<double> out;
    out.reserve(v.size());
    for (double x : v)
        if (!std::isnan(x)) out.push_back(x);
    return out;
}

}  // namespace

double quantile_of_sorted(const std::vector<double>& sorted, double probability) {
    if (sorted.empty()) return nan;
    const double h = (static_cast<double>(sorted.size()) - 1) * std::clamp(probability, 0.0, 1.0);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double frac = h - static_cast<double>(lo);
    // Written so that equal neighbours give exactly their value (no rounding drift).
    return frac == 0 ? sorted[lo] : sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

std::vector<double> quantiles(std::vector<double> values, const std::vector<double>& probabilities) {
    std::erase_if(values, [](double x) { return std::isnan(x); });
    std::sort(values.begin(), values.end());
    std::vector<double> out;
    out.reserve(probabilities.size());
    for (double p : probabilities) out.push_back(quantile_of_sorted(values, p));
    return out;
}

std::string quantile_label(double probability) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, std::round(probability * 1e6) / 1e4);
    std::string label = "p";  // appended, not operator+: GCC 12 warns falsely on the latter
    label.append(buffer, end);
    return label;
}

ScalarDistribution distribution_of(const std::vector<double>& values, const std::vector<double>& probabilities) {
    ScalarDistribution d;
    std::vector<double> finite = finite_only(values);
    d.count = finite.size();
    d.not_reached = values.size() - finite.size();
    std::sort(finite.begin(), finite.end());
    d.mean = mean_of(finite);
    d.sd = std::sqrt(variance_of(finite));
    d.min = finite.empty() ? nan : finite.front();
    d.max = finite.empty() ? nan : finite.back();
    for (double p : probabilities) d.quantiles.push_back(quantile_of_sorted(finite, p));
    return d;
}

std::vector<std::string> statistic_labels(const std::vector<double>& probabilities) {
    std::vector<std::string> labels{"count", "not_reached", "mean", "sd", "min"};
    for (double p : probabilities) labels.push_back(quantile_label(p));
    labels.push_back("max");
    return labels;
}

std::vector<double> statistics_vector(const ScalarDistribution& d) {
    std::vector<double> v{static_cast<double>(d.count), static_cast<double>(d.not_reached), d.mean, d.sd, d.min};
    v.insert(v.end(), d.quantiles.begin(), d.quantiles.end());
    v.push_back(d.max);
    return v;
}

VarianceDecomposition decompose_variance(const std::vector<double>& values, std::size_t noise_replicates) {
    VarianceDecomposition v;
    const std::size_t m = std::max<std::size_t>(noise_replicates, 1);
    v.noise_replicates = m;
    v.draws = values.size() / m;
    const std::size_t k = v.draws;
    auto unidentified = [&] {
        v.total = v.between = v.within = v.between_share = v.within_share = nan;
        return v;
    };
    if (k == 0) return unidentified();
    for (std::size_t i = 0; i < k * m; ++i)
        if (std::isnan(values[i])) return unidentified();

    double grand = 0;
    std::vector<double> draw_means(k, 0.0);
    for (std::size_t d = 0; d < k; ++d) {
        for (std::size_t r = 0; r < m; ++r) draw_means[d] += values[d * m + r];
        draw_means[d] /= static_cast<double>(m);
        grand += draw_means[d];
    }
    grand /= static_cast<double>(k);
    double ss_between = 0, ss_within = 0;
    for (std::size_t d = 0; d < k; ++d) {
        ss_between += static_cast<double>(m) * (draw_means[d] - grand) * (draw_means[d] - grand);
        for (std::size_t r = 0; r < m; ++r) {
            const double e = values[d * m + r] - draw_means[d];
            ss_within += e * e;
        }
    }
    if (m < 2) {
        // Each draw ran once: the spread mixes both sources and cannot be split.
        v.total = k >= 2 ? ss_between / static_cast<double>(k - 1) : nan;
        v.between = v.within = v.between_share = v.within_share = nan;
        return v;
    }
    v.within = ss_within / static_cast<double>(k * (m - 1));
    if (k >= 2) {
        const double ms_between = ss_between / static_cast<double>(k - 1);
        // E[MS_between] = within + m * between; a negative estimate means "none detectable".
        v.between = std::max(0.0, (ms_between - v.within) / static_cast<double>(m));
    } else {
        v.between = 0;
    }
    v.total = v.between + v.within;
    v.between_share = v.total > 0 ? v.between / v.total : 0;
    v.within_share = v.total > 0 ? v.within / v.total : 0;
    return v;
}

std::vector<std::string> variance_labels() {
    return {"total_variance", "between_parameter_variance", "within_noise_variance", "between_parameter_share",
            "within_noise_share", "parameter_draws", "noise_replicates"};
}

std::vector<double> variance_vector(const VarianceDecomposition& v) {
    return {v.total, v.between, v.within, v.between_share, v.within_share, static_cast<double>(v.draws),
            static_cast<double>(v.noise_replicates)};
}

std::vector<double> quantile_bands(const SeriesBlockReader& read, std::size_t replicates, std::size_t days,
                                   std::size_t width, const std::vector<double>& probabilities,
                                   std::size_t budget_values, int threads) {
    const std::size_t q = probabilities.size();
    std::vector<double> bands(q * days * width, nan);
    if (replicates == 0 || days == 0 || width == 0) return bands;
    const std::size_t per_day = replicates * width;
    const std::size_t block_days = std::clamp<std::size_t>(budget_values / per_day, 1, days);
    std::vector<double> block(replicates * block_days * width);
    for (std::size_t begin = 0; begin < days; begin += block_days) {
        const std::size_t end = std::min(days, begin + block_days);
        const std::size_t span = end - begin;
        read(begin, end, block.data());
        for_each_block(span, threads, [&](std::size_t day) {
            thread_local std::vector<std::vector<double>> columns;  // of one day: each entry's values over the replicates
            if (columns.size() < width) columns.resize(width);
            for (auto& column : columns) column.clear();
            // A replicate's day is one contiguous row: read rows, not columns, and deal them out.
            for (std::size_t r = 0; r < replicates; ++r) {
                const double* row = &block[(r * span + day) * width];
                for (std::size_t c = 0; c < width; ++c)
                    if (!std::isnan(row[c])) columns[c].push_back(row[c]);
            }
            for (std::size_t c = 0; c < width; ++c) {
                // Many entries are the same in every replicate (a cell the scenario leaves alone).
                const auto [low, high] = std::minmax_element(columns[c].begin(), columns[c].end());
                if (low != columns[c].end() && *low == *high) {
                    for (std::size_t i = 0; i < q; ++i) bands[(i * days + begin + day) * width + c] = *low;
                    continue;
                }
                std::sort(columns[c].begin(), columns[c].end());
                for (std::size_t i = 0; i < q; ++i)
                    bands[(i * days + begin + day) * width + c] = quantile_of_sorted(columns[c], probabilities[i]);
            }
        });
    }
    return bands;
}

std::pair<double, double> bootstrap_interval(std::size_t n, std::size_t resamples, double confidence,
                                             std::uint64_t seed,
                                             const std::function<double(const std::vector<std::size_t>&)>& statistic) {
    if (n == 0 || resamples == 0) return {nan, nan};
    const StreamKey key = StreamKey::of(seed, 0, Purpose::resampling, 0);
    std::vector<double> stats;
    stats.reserve(resamples);
    std::vector<std::size_t> picks(n);
    for (std::size_t b = 0; b < resamples; ++b) {
        RandomEngine rng(key, b, 0);
        for (auto& i : picks) i = std::min(n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)));
        stats.push_back(statistic(picks));
    }
    const double tail = (1 - confidence) / 2;
    const auto q = quantiles(std::move(stats), {tail, 1 - tail});
    return {q[0], q[1]};
}

PairedDelta paired_delta(const std::vector<double>& reference, const std::vector<double>& other,
                         const std::vector<double>& probabilities, std::size_t bootstrap, double confidence,
                         std::uint64_t seed) {
    PairedDelta d;
    std::vector<double> diffs;
    const std::size_t n = std::min(reference.size(), other.size());
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isnan(reference[i]) && !std::isnan(other[i])) diffs.push_back(other[i] - reference[i]);
    d.count = diffs.size();
    d.mean = mean_of(diffs);
    d.sd = std::sqrt(variance_of(diffs));
    d.unpaired_sd = std::sqrt(variance_of(finite_only(reference)) + variance_of(finite_only(other)));
    d.quantiles = quantiles(diffs, probabilities);
    std::tie(d.mean_low, d.mean_high) =
        bootstrap_interval(diffs.size(), bootstrap, confidence, seed, [&](const std::vector<std::size_t>& picks) {
            double sum = 0;
            for (std::size_t i : picks) sum += diffs[i];
            return sum / static_cast<double>(picks.size());
        });
    return d;
}

std::vector<std::string> delta_labels(const std::vector<double>& probabilities) {
    std::vector<std::string> labels{"count", "mean", "mean_low", "mean_high", "sd", "unpaired_sd"};
    for (double p : probabilities) labels.push_back(quantile_label(p));
    return labels;
}

std::vector<double> delta_vector(const PairedDelta& d) {
    std::vector<double> v{static_cast<double>(d.count), d.mean, d.mean_low, d.mean_high, d.sd, d.unpaired_sd};
    v.insert(v.end(), d.quantiles.begin(), d.quantiles.end());
    return v;
}

}  // namespace gatesim

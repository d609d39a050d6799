// Saltelli and Morris designs; Sobol' (Saltelli 2010 / Jansen) and Morris estimators.
#include "study/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "model/rng.hpp"
#include "study/statistics.hpp"

namespace gatesim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Bootstrap picks of resample b: the same stream bootstrap_interval uses.
void resample(std::size_t n, std::uint64_t seed, std::size_t b, std::vector<std::size_t>& picks) {
    RandomEngine rng(StreamKey::of(seed, 0, Purpose::resampling, 0), b, 0);
    picks.resize(n);
    for (auto& i : picks) i = std::min(n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)));
}

std::pair<double, double> percentile_interval(std::vector<double> values, double confidence) {
    const double tail = (1 - confidence) / 2;
    const auto q = quantiles(std::move(values), {tail, 1 - tail});
    return {q[0], q[1]};
}

// First-order and total indices from the rows `picks` of the base samples.
void estimate_sobol(const SaltelliDesign& d, const std::vector<double>& y, const std::vector<std::size_t>& picks,
                    std::vector<double>& first, std::vector<double>& total, double& variance) {
    const std::size_t n = picks.size();
    double sum = 0, sum_sq = 0;
    for (std::size_t j : picks) {
        const double a = y[d.row_a(j)], b = y[d.row_b(j)];
        sum += a + b;
        sum_sq += a * a + b * b;
    }
    const double count = 2.0 * static_cast<double>(n);
    const double mean = sum / count;
    variance = (sum_sq - count * mean * mean) / (count - 1);
    first.assign(d.parameters, nan);
    total.assign(d.parameters, nan);
    if (!(variance > 0)) return;
    for (std::size_t i = 0; i < d.parameters; ++i) {
        double v_first = 0, v_total = 0;
        for (std::size_t j : picks) {
            const double a = y[d.row_a(j)], b = y[d.row_b(j)], ab = y[d.row_ab(i, j)];
            v_first += b * (ab - a);         // Saltelli et al. 2010, table 2 (b)
            v_total += (a - ab) * (a - ab);  // Jansen 1999, table 2 (f)
        }
        first[i] = v_first / static_cast<double>(n) / variance;
        total[i] = v_total / (2.0 * static_cast<double>(n)) / variance;
    }
}

}  // namespace

SaltelliDesign saltelli_design(std::size_t base_samples, std::size_t parameters) {
    if (parameters == 0) throw std::invalid_argument("a Sobol' analysis needs at least one parameter");
    if (2 * parameters > SobolSequence::max_dimensions)
        throw std::invalid_argument("a Sobol' analysis supports at most " +
                                    std::to_string(SobolSequence::max_dimensions / 2) + " parameters, not " +
                                    std::to_string(parameters));
    if (base_samples < 2) throw std::invalid_argument("a Sobol' analysis needs at least 2 samples");
    SaltelliDesign d;
    d.base_samples = base_samples;
    d.parameters = parameters;
    const std::size_t k = parameters, n = base_samples;
    const SampleMatrix ab = sobol_points(n, 2 * k);
    d.unit = SampleMatrix(n * (k + 2), k);
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t c = 0; c < k; ++c) {
            d.unit(d.row_a(j), c) = ab(j, c);
            d.unit(d.row_b(j), c) = ab(j, k + c);
            for (std::size_t i = 0; i < k; ++i) d.unit(d.row_ab(i, j), c) = c == i ? ab(j, k + c) : ab(j, c);
        }
    return d;
}

SobolIndices sobol_indices(const SaltelliDesign& design, const std::vector<double>& outputs, std::size_t bootstrap,
                           double confidence, std::uint64_t seed) {
    const std::size_t n = design.base_samples, k = design.parameters;
    if (outputs.size() != n * (k + 2))
        throw std::invalid_argument("expected " + std::to_string(n * (k + 2)) + " outputs, got " +
                                    std::to_string(outputs.size()));
    SobolIndices s;
    const std::vector<double> none(k, nan);
    if (std::any_of(outputs.begin(), outputs.end(), [](double y) { return std::isnan(y); })) {
        s.variance = nan;
        s.first = s.total = s.first_low = s.first_high = s.total_low = s.total_high = none;
        return s;
    }
    std::vector<std::size_t> picks(n);
    std::iota(picks.begin(), picks.end(), 0);
    estimate_sobol(design, outputs, picks, s.first, s.total, s.variance);

    std::vector<std::vector<double>> boot_first(k), boot_total(k);
    std::vector<double> first, total;
    double variance = 0;
    for (std::size_t b = 0; b < bootstrap; ++b) {
        resample(n, seed, b, picks);
        estimate_sobol(design, outputs, picks, first, total, variance);
        for (std::size_t i = 0; i < k; ++i) {
            boot_first[i].push_back(first[i]);
            boot_total[i].push_back(total[i]);
        }
    }
    for (std::size_t i = 0; i < k; ++i) {
        auto [fl, fh] = bootstrap ? percentile_interval(boot_first[i], confidence) : std::pair{nan, nan};
        auto [tl, th] = bootstrap ? percentile_interval(boot_total[i], confidence) : std::pair{nan, nan};
        s.first_low.push_back(fl);
        s.first_high.push_back(fh);
        s.total_low.push_back(tl);
        s.total_high.push_back(th);
    }
    return s;
}

MorrisDesign morris_design(std::size_t parameters, std::size_t trajectories, std::size_t levels, std::uint64_t seed) {
    if (parameters == 0) throw std::invalid_argument("a Morris analysis needs at least one parameter");
    if (trajectories < 2) throw std::invalid_argument("a Morris analysis needs at least 2 trajectories");
    if (levels < 2 || levels % 2 != 0) throw std::invalid_argument("Morris levels must be even and at least 2");
    MorrisDesign d;
    d.trajectories = trajectories;
    d.parameters = parameters;
    d.levels = levels;
    const std::size_t k = parameters;
    d.unit = SampleMatrix(trajectories * (k + 1), k);
    const StreamKey key = StreamKey::of(seed, 0, Purpose::parameters, 2);
    const std::size_t jump = levels / 2;
    auto u_of = [&](std::size_t level) { return static_cast<double>(level) / static_cast<double>(levels - 1); };
    std::vector<std::size_t> level(k), order(k);
    for (std::size_t t = 0; t < trajectories; ++t) {
        RandomEngine rng(key, t, 0);
        for (auto& l : level) l = std::min(levels - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(levels)));
        std::iota(order.begin(), order.end(), 0);
        for (std::size_t i = k; i > 1; --i)
            std::swap(order[i - 1], order[std::min(i - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(i)))]);
        const std::size_t base = t * (k + 1);
        for (std::size_t c = 0; c < k; ++c) d.unit(base, c) = u_of(level[c]);
        for (std::size_t s = 0; s < k; ++s) {
            const std::size_t i = order[s];
            level[i] = level[i] < jump ? level[i] + jump : level[i] - jump;
            for (std::size_t c = 0; c < k; ++c) d.unit(base + s + 1, c) = u_of(level[c]);
            d.moved.push_back(i);
        }
    }
    return d;
}

MorrisIndices morris_indices(const MorrisDesign& d, const std::vector<double>& outputs, std::size_t bootstrap,
                             double confidence, std::uint64_t seed) {
    const std::size_t k = d.parameters, r = d.trajectories;
    if (outputs.size() != r * (k + 1))
        throw std::invalid_argument("expected " + std::to_string(r * (k + 1)) + " outputs, got " +
                                    std::to_string(outputs.size()));
    // effects[i][t]: the elementary effect of factor i in trajectory t.
    std::vector<std::vector<double>> effects(k, std::vector<double>(r, nan));
    for (std::size_t t = 0; t < r; ++t) {
        const std::size_t base = t * (k + 1);
        for (std::size_t s = 0; s < k; ++s) {
            const std::size_t i = d.moved[t * k + s];
            const double du = d.unit(base + s + 1, i) - d.unit(base + s, i);
            effects[i][t] = (outputs[base + s + 1] - outputs[base + s]) / du;
        }
    }
    MorrisIndices m;
    auto mean_abs = [](const std::vector<double>& e, const std::vector<std::size_t>& picks) {
        double sum = 0;
        for (std::size_t t : picks) sum += std::abs(e[t]);
        return sum / static_cast<double>(picks.size());
    };
    std::vector<std::size_t> all(r);
    std::iota(all.begin(), all.end(), 0);
    for (std::size_t i = 0; i < k; ++i) {
        const auto dist = distribution_of(effects[i], {});
        const bool defined = dist.not_reached == 0;
        m.mu.push_back(defined ? dist.mean : nan);
        m.sigma.push_back(defined ? dist.sd : nan);
        m.mu_star.push_back(defined ? mean_abs(effects[i], all) : nan);
        std::pair<double, double> interval{nan, nan};
        if (defined && bootstrap > 0)
            interval = bootstrap_interval(r, bootstrap, confidence, seed,
                                          [&](const std::vector<std::size_t>& picks) { return mean_abs(effects[i], picks); });
        m.mu_star_low.push_back(interval.first);
        m.mu_star_high.push_back(interval.second);
    }
    return m;
}

}  // namespace gatesim

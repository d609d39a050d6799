// Choice: the utility of each alternative model for a (segment, home model, channel, region),
// with promotions and other jurisdictions' responses, and the multinomial logit pick among the
// alternatives a chooser may use. Users and enterprises both choose through it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "model/scenario.hpp"
#include "model/world.hpp"

namespace gatesim {

// Choice utilities of each alternative, excluding access (checked per chooser when it chooses):
// capability, log price, loyalty to the home provider, switching cost, promotions and other
// jurisdictions' responses. Indexed by (segment, home, channel, region) then alternative.
class ChoiceUtilities {
public:
    ChoiceUtilities(const Scenario& s, const World& w);

    // Recomputes when promotions or responses change; returns whether they did.
    bool update(int day);

    const double* row(std::size_t g, std::size_t h, std::size_t c, std::size_t r) const { return &utility_[offset(g, h, c, r)]; }

private:
    std::size_t offset(std::size_t g, std::size_t h, std::size_t c, std::size_t r) const {
        return (((g * models_ + h) * channels_ + c) * regions_ + r) * models_;
    }
    std::vector<double> boosts(int day) const;  // [provider * regions + region]

    const Scenario& s_;
    const World& w_;
    std::size_t models_, channels_, regions_;
    std::vector<double> utility_;
    std::vector<double> boost_;
    bool computed_ = false;
};

// Picks one of `models` alternatives by multinomial logit over those `allowed` admits, from one
// uniform draw; no_model when none is allowed.
template <class Allowed>
std::uint8_t pick(const double* utility, std::size_t models, Allowed allowed, double uniform) {
    double weights[max_models + 1];
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < models; ++j) {
        weights[j] = allowed(j) ? utility[j] : -std::numeric_limits<double>::infinity();
        top = std::max(top, weights[j]);
    }
    if (top == -std::numeric_limits<double>::infinity()) return no_model;
    double total = 0;
    for (std::size_t j = 0; j < models; ++j) total += (weights[j] = std::isinf(weights[j]) ? 0.0 : std::exp(weights[j] - top));
    double acc = 0;
    std::uint8_t last = no_model;
    for (std::size_t j = 0; j < models; ++j) {
        if (weights[j] == 0) continue;
        last = static_cast<std::uint8_t>(j);
        acc += weights[j] / total;
        if (uniform < acc) return last;
    }
    return last;
}

}  // namespace gatesim

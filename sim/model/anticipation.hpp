// Anticipation: news on the regulator's timeline (a warning of a coming rule, talks, crisis
// news) moves beliefs about losing access to models, whether or not access changes. A user
// still served by a model at risk leaves it ahead of a block with a daily hazard that grows
// with that belief and with its dependency (users.cpp). See docs/MODEL.md, "Anticipation".
#pragma once

#include <cstdint>
#include <vector>

#include "model/scenario.hpp"

namespace gatesim {

class Anticipation {
public:
    // `enforce` false (the counterfactual): no news, no belief.
    Anticipation(const Scenario& s, bool enforce);

    // Belief on `day` that access to the models at risk will be lost:
    // min(1, sum over news k broken by then of risk_k x 2^(-(day - day_k) / belief_half_life_days_k)).
    double belief(int day) const;
    // Whether any news ever moves a belief: otherwise the mechanism is off.
    bool any() const { return !items_.empty(); }
    // [model]: 1 when a news item puts the model at risk.
    const std::vector<std::uint8_t>& at_risk() const { return at_risk_; }

    // The settled-home table of the user step ([model * channels + channel]) with the models at
    // risk taken out, so that their users decide individually on a day of non-zero belief.
    void unsettle(const std::vector<std::uint8_t>& settled_home, std::size_t channels, std::vector<std::uint8_t>& out) const;

private:
    struct Item {
        int day;
        double risk, half_life;
    };
    std::vector<Item> items_;
    std::vector<std::uint8_t> at_risk_;
};

}  // namespace gatesim

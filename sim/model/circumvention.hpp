// Circumvention as an adoption process. With `circumvention.adoption` on, a user with a VPN
// propensity (flag_vpn, drawn at synthesis) does not pass a location gate from the first day:
// once blocked by the fence it takes circumvention up with a daily hazard built from awareness,
// which rises and fades after the fence first applies, and contagion from the share of its
// region and segment already circumventing; the provider's IP and payment signals then catch a
// share of circumventors each day (users.cpp applies both). Off, flagged users circumvent from
// the first day, as before. See docs/MODEL.md, "Circumvention".
#pragma once

#include <cstdint>
#include <vector>

#include "model/regulation.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/world.hpp"

namespace gatesim {

class CircumventionUptake {
public:
    // `enforce` false (the counterfactual) or adoption off: inactive.
    CircumventionUptake(const Scenario& s, const Users& users, bool enforce, int threads);

    bool active() const { return active_; }
    // Notes the first day a fence applies to any region (awareness starts there).
    void on_rules(const DayPolicy& policy, int day);
    // Today's share of each region's and segment's users circumventing, read tomorrow.
    void record(const TallyLayout& layout, const double* today);
    // Awareness on `day`: awareness_peak x (t / T) x exp(1 - t / T), t days since the first fence, T the peak day.
    double awareness(int day) const;
    // The daily uptake rate of a user of (region, segment):
    // (awareness + contagion x share circumventing yesterday) x exp(-the region's circumvention_cost).
    double rate(std::size_t region, std::size_t segment, int day) const {
        return (awareness(day) + contagion_ * share_[region * segments_ + segment]) * affordable_[region];
    }

private:
    bool active_;
    double peak_, peak_days_, contagion_;
    std::size_t segments_;
    int fence_start_ = -1;
    std::vector<double> users_;  // [cell]: real users
    std::vector<double> share_;  // [region * segments + segment]
    std::vector<double> affordable_;  // [region]: exp(-circumvention_cost)
};

}  // namespace gatesim

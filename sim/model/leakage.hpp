// Leakage routes around a nationality gate, besides false attestation (verification.cpp): a
// blocked foreign national may use a verified US person's account (account sharing), and a
// blocked foreign user of the direct API may buy access through a reseller of a verified account
// (API resale). Each route has its uptake hazard and its daily detection; a caught user loses
// that route for good. The user step (users.cpp) asks reach() for every foreign national a gate
// denies; this module owns which users hold which route. See docs/MODEL.md, "Leakage routes".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/rng.hpp"
#include "model/rules.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"

namespace gatesim {

class LeakageRoutes {
public:
    // `enforce` false (the counterfactual) or no segment with an uptake: inactive.
    LeakageRoutes(const Scenario& s, std::size_t users, bool enforce);

    bool active() const { return active_; }
    // Yesterday's verification coverage of affected US persons: the accounts there are to share.
    void record(double coverage) { coverage_ = coverage; }

    // The daily uptake hazards of a blocked foreign national of `segment` (reseller: on the API).
    double sharing_hazard(std::size_t segment) const;
    double reseller_hazard(std::size_t segment) const { return reseller_[segment]; }

    // The route of foreign national i, whom a nationality gate denies its preferred model today:
    // a route it holds, unless detection catches it today; else, if `deciding` (not settled on an
    // alternative), a route taken up today; else denied. `cell_tally` is the user's cell row,
    // where catches are counted; `key` the leakage stream of the user's block.
    Route reach(std::size_t i, std::size_t local, std::size_t segment, bool api, bool deciding, int day, StreamKey key,
                double* cell_tally, double weight);

private:
    enum Held : std::uint8_t { sharing = 1, reseller = 2, sharing_lost = 4, reseller_lost = 8 };
    bool active_;
    double coverage_ = 0;
    double sharing_share_, sharing_detection_, kyc_;
    std::vector<double> sharing_;   // [segment]: account_sharing_uptake
    std::vector<double> reseller_;  // [segment]: 1 - exp(-reseller_uptake x (1 + markup)^-price_weight)
    std::vector<std::uint8_t> held_;  // [user]: Held bits
};

}  // namespace gatesim

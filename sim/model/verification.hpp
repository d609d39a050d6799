// Verification: the programme that checks who is a US person. Who applies, the queue and its
// daily capacity with a ramp, abandonment, checks, human review, retries, outcomes and cost.
#pragma once

#include <cstdint>
#include <vector>

#include "model/regulation.hpp"
#include "model/rng.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"
#include "model/world.hpp"

namespace gatesim {

// The programme's state from day to day: which models take applicants, when the first gate
// opened (its capacity ramps up from then), and today's chance of service.
class VerificationService {
public:
    explicit VerificationService(std::size_t models) : open_(models, 0) {}

    // On a change of rules. One programme serves every channel: while a verification gate
    // governs a model on any channel, its blocked users may apply (e.g. consumers while only the
    // API has reopened).
    void on_rules(const DayPolicy& policy, int day);
    // Today's chance that a queued applicant is served, from the capacity and yesterday's queue.
    void plan(const Verification& v, int day);
    // The queue at the end of the day, which tomorrow's service drains.
    void record_queue(double queue) { queue_ = queue; }

    bool takes_applicants(std::size_t model) const { return open_[model] != 0; }
    double serve_probability() const { return serve_probability_; }

private:
    std::vector<std::uint8_t> open_;  // [model]
    int gate_start_ = -1;
    double queue_ = 0.0;
    double serve_probability_ = 0.0;
};

// What the per-user steps read on one day, for one block of users.
struct VerificationStep {
    const Verification& spec;
    const TallyLayout& layout;
    const VerificationService& service;
    int day;
    StreamKey key;  // Purpose::verification, the block's
};

// A user blocked from its preferred model applies once, if that model takes applicants: a US
// person with the segment's `uptake` probability, a foreign national if it would attest falsely.
void consider_applying(const VerificationStep& step, Users& u, double* t, std::size_t i, std::size_t local, double uptake);

// One day of a pending or in-review application: abandonment, service, check, human review and
// outcome (with retries). Its outcome governs the user's access the same day.
void progress_verification(const VerificationStep& step, Users& u, double* t, std::size_t i, std::size_t local);

// Share of affected US persons verified, from a day's reduced tally (a stage trigger).
double verification_coverage(const TallyLayout& layout, const double* row);

}  // namespace gatesim

// The verification programme and each applicant's path through it.
#include "model/verification.hpp"

#include <algorithm>

namespace gatesim {

void VerificationService::on_rules(const DayPolicy& policy, int day) {
    const std::size_t models = open_.size(), channels = policy.channels;
    std::fill(open_.begin(), open_.end(), 0);
    for (std::size_t j = 0; j < models; ++j)
        for (std::size_t c = 0; c < channels; ++c)
            if (applicants_may_verify(policy.rule_for(j, c))) open_[j] = 1;
    // The capacity ramp starts with the first verification gate.
    if (gate_start_ < 0 && std::any_of(policy.rule.begin(), policy.rule.end(), applicants_may_verify)) gate_start_ = day;
}

void VerificationService::plan(const Verification& v, int day) {
    double capacity = 0;
    if (gate_start_ >= 0) {
        const double ramp = v.ramp_days > 0 ? std::min(1.0, (day - gate_start_ + 1) / static_cast<double>(v.ramp_days)) : 1.0;
        capacity = v.capacity_per_day * ramp;
    }
    // Every queued applicant has the same chance to be served today: the queue drains at the
    // day's capacity, in random order.
    serve_probability_ = queue_ > 0 ? std::min(1.0, capacity / queue_) : (capacity > 0 ? 1.0 : 0.0);
}

void consider_applying(const VerificationStep& step, Users& u, double* t, std::size_t i, std::size_t local, double uptake) {
    if ((u.flags[i] & flag_applied) || !step.service.takes_applicants(u.home[i])) return;
    u.flags[i] |= flag_applied;
    const bool us = u.nationality[i] == Nationality::us_person;
    // Foreign nationals apply only if they would attest falsely; the draw for that was made once.
    const bool wants = us ? RandomEngine(step.key, local, Draw::verification_applying, step.day).uniform() < uptake
                          : (u.flags[i] & flag_false_attester) != 0;
    if (!wants) return;
    u.verification[i] = VerificationStatus::pending;
    u.verification_since[i] = static_cast<std::int16_t>(step.day);
    t[step.layout.verification(u.cell[i], v_applied)] += u.weight[i];
    t[step.layout.verification(u.cell[i], v_queue)] += u.weight[i];
}

void progress_verification(const VerificationStep& step, Users& u, double* t, std::size_t i, std::size_t local) {
    const TallyLayout& L = step.layout;
    const Verification& v = step.spec;
    const int day = step.day;
    const double w = u.weight[i];
    const std::size_t cell = u.cell[i];
    const bool us = u.nationality[i] == Nationality::us_person;
    RandomEngine rng(step.key, local, Draw::verification_progress, day);
    auto decide = [&](double false_reject, double false_accept) {
        const bool pass = us ? rng.uniform() >= false_reject : rng.uniform() < false_accept;
        if (pass) {
            u.verification[i] = VerificationStatus::verified;
            t[L.verification(cell, us ? v_verified_us : v_false_accept)] += w;
            return;
        }
        t[L.verification(cell, us ? v_false_reject : v_rejected_foreign)] += w;
        u.tries[i] = static_cast<std::uint8_t>(std::min(255, u.tries[i] + 1));
        u.verification[i] = u.tries[i] <= v.retries ? VerificationStatus::pending : VerificationStatus::rejected;
        u.verification_since[i] = static_cast<std::int16_t>(day);
    };
    if (u.verification[i] == VerificationStatus::pending) {
        if (u.verification_since[i] == day) {  // applied today: queued from tomorrow
            t[L.verification(cell, v_queue)] += w;
            return;
        }
        if (rng.uniform() < v.abandon_daily) {
            u.verification[i] = VerificationStatus::abandoned;
            t[L.verification(cell, v_abandoned)] += w;
            return;
        }
        if (rng.uniform() < step.service.serve_probability()) {
            t[L.verification(cell, v_checks)] += w;
            if (rng.uniform() < v.abandon_at_check) {
                u.verification[i] = VerificationStatus::abandoned;
                t[L.verification(cell, v_abandoned)] += w;
                return;
            }
            if (rng.uniform() < v.human_review_share) {
                u.verification[i] = VerificationStatus::in_review;
                u.verification_since[i] = static_cast<std::int16_t>(day);
                t[L.verification(cell, v_reviews)] += w;
            } else {
                decide(v.false_reject, v.false_accept);
            }
        }
    } else if (day - u.verification_since[i] >= v.human_review_days) {
        decide(v.human_false_reject, v.human_false_accept);
    }
    if (u.verification[i] == VerificationStatus::pending) t[L.verification(cell, v_queue)] += w;
    if (u.verification[i] == VerificationStatus::in_review) t[L.verification(cell, v_in_review)] += w;
}

double verification_coverage(const TallyLayout& layout, const double* row) {
    return row[layout.affected_us()] > 0 ? row[layout.verified_affected_us()] / row[layout.affected_us()] : 0.0;
}


}  // namespace gatesim

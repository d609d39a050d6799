// Repeated return: the daily hazard with which a user on an alternative, whose preferred model
// is open to it again, goes back. The decision is made again every day (no state is absorbing):
// the hazard rises with the quality gap between the home model and the alternative, and falls
// with the cost of switching back and with the habit the user formed on the alternative, which
// builds up with time away. See docs/MODEL.md, "Return".
#pragma once

#include <cmath>

namespace gatesim {

// A segment's terms of return, fixed for the run.
struct ReturnTerms {
    double base_rate = 0;      // -ln(1 - return_hazard): the daily rate when every term below is 0
    double gap_weight = 0;     // per capability point of (home - alternative)
    double switch_back_cost = 0;
    double habit_weight = 0;   // habit at saturation, in the same utility units
    double habit_days = 0;     // time constant of habit formation (0: formed at once)

    static ReturnTerms of(double hazard, double gap_weight, double switch_back_cost, double habit_weight, double habit_days) {
        return {hazard >= 1 ? INFINITY : -std::log1p(-hazard), gap_weight, switch_back_cost, habit_weight, habit_days};
    }
    bool reconsiders() const { return base_rate > 0; }
};

// The habit a user has formed after `days_away` on an alternative: saturating, 0 on the day it left.
inline double habit(const ReturnTerms& r, double days_away) {
    if (r.habit_weight == 0) return 0;
    return r.habit_days <= 0 ? r.habit_weight : r.habit_weight * -std::expm1(-days_away / r.habit_days);
}

// Probability of returning today, a complementary log-log hazard:
//   p = 1 - exp(-base_rate x exp(gap_weight x gap - switch_back_cost - habit(days away))),
// so that with every term 0 it is return_hazard itself, and over t days 1 - (1 - h)^t.
inline double return_hazard(const ReturnTerms& r, double capability_gap, double days_away) {
    if (!r.reconsiders()) return 0;
    const double pull = r.gap_weight * capability_gap - r.switch_back_cost - habit(r, days_away);
    if (std::isinf(r.base_rate)) return 1;
    return -std::expm1(-r.base_rate * std::exp(pull));
}

}  // namespace gatesim

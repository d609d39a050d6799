// Flags on a fenced model and appeals against them (see appeals.hpp).
#include "model/appeals.hpp"

namespace gatesim {

Appeals::Appeals(const Scenario& s, std::size_t users, bool enforce)
    : active_(enforce && (s.circumvention.false_flag_daily > 0 ||
                          (s.circumvention.appeal_probability > 0 && s.circumvention.adoption && s.circumvention.detection_daily > 0))),
      false_flag_(s.circumvention.false_flag_daily),
      appeal_(s.circumvention.appeal_probability),
      success_(s.circumvention.appeal_success),
      success_caught_(s.circumvention.appeal_success_caught),
      review_days_(s.circumvention.appeal_review_days) {
    if (!active_) return;
    status_.assign(users, clear);
    model_.assign(users, 0);
    circumventor_.assign(users, 0);
    review_day_.assign(users, 0);
}

// One engine on the flag day decides whether the user appeals and how the review ends.
void Appeals::flag(std::size_t i, std::size_t local, std::uint8_t home, bool wrongly, int day, StreamKey key, double* cell_tally,
                   double weight) {
    RandomEngine engine(key, local, Draw::appeal, day);
    const bool appeals = engine.uniform() < appeal_;
    const bool granted = engine.uniform() < (wrongly ? success_ : success_caught_);
    status_[i] = !appeals ? blocked : granted ? reviewing_granted : reviewing_rejected;
    model_[i] = home;
    circumventor_[i] = wrongly ? 0 : 1;
    review_day_[i] = day + review_days_;
    cell_tally[m_flagged] += weight;
    if (wrongly) cell_tally[m_wrongly_flagged] += weight;
}

void Appeals::caught(std::size_t i, std::size_t local, std::uint8_t home, int day, StreamKey key, double* cell_tally, double weight) {
    flag(i, local, home, false, day, key, cell_tally, weight);
}

Appeals::Outcome Appeals::screen(std::size_t i, std::size_t local, std::uint8_t home, bool fenced, bool legitimate, int day, StreamKey key,
                                 double* cell_tally, double weight) {
    if (!fenced) return Outcome::unchanged;  // a flag is on access from a fenced region: moot without a fence
    std::uint8_t& status = status_[i];
    if (status == clear) {
        if (!legitimate || false_flag_ <= 0 || RandomEngine(key, local, Draw::false_flag, day).uniform() >= false_flag_)
            return Outcome::unchanged;
        flag(i, local, home, true, day, key, cell_tally, weight);
    }
    // A flag blocks only the model it was raised on (a successor adopted since is a new account).
    if (status == reinstated || model_[i] != home) return Outcome::unchanged;
    if (status == reviewing_rejected && day >= review_day_[i]) status = blocked;
    if (status != reviewing_granted || day < review_day_[i]) return Outcome::blocked;
    status = reinstated;
    cell_tally[m_reinstated] += weight;
    if (!circumventor_[i]) return Outcome::unchanged;
    // A reinstated circumventor gets its circumvention back; it may be caught again.
    status = clear;
    return Outcome::reinstated_circumventor;
}

}  // namespace gatesim

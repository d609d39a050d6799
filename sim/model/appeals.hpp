// Flags on a fenced model and appeals against them. The provider's IP and payment signals flag
// accounts of a model a location gate governs: each day a share `false_flag_daily` of its
// legitimate users (passing the gate as permitted, on the model today) is flagged wrongly, and
// circumventors are caught (circumvention.detection_daily, users.cpp). A flagged user loses its
// route to that model; on the day it is flagged it appeals with `appeal_probability`, and the
// review, `appeal_review_days` later, reinstates it with `appeal_success` (wrongly flagged) or
// `appeal_success_caught` (a real circumventor, who gets its circumvention back). One appeal per
// flag: a user not appealing or rejected stays blocked from the model for the rest of the run; a
// reinstated legitimate user is cleared and not flagged again. See docs/MODEL.md, "Appeals".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/rng.hpp"
#include "model/scenario.hpp"
#include "model/tallies.hpp"

namespace gatesim {

class Appeals {
public:
    // `enforce` false (the counterfactual), or nobody can be flagged wrongly and no caught
    // circumventor appeals: inactive.
    Appeals(const Scenario& s, std::size_t users, bool enforce);

    bool active() const { return active_; }
    // User i has an appeal under review: it must be screened every day.
    bool reviewing(std::size_t i) const { return status_[i] == reviewing_granted || status_[i] == reviewing_rejected; }

    // What becomes of user i's route to its preferred model `home` today.
    enum class Outcome : std::uint8_t { unchanged, blocked, reinstated_circumventor };
    // `fenced`: a location gate governs `home` on the user's channel today (a flag blocks only
    // then); `legitimate`: besides, the user passes it as permitted and is on the model today,
    // so it can be flagged wrongly. `cell_tally` is the user's cell row, where flags and
    // reinstatements are counted; `key` the appeals stream of the user's block.
    Outcome screen(std::size_t i, std::size_t local, std::uint8_t home, bool fenced, bool legitimate, int day, StreamKey key, double* cell_tally,
                   double weight);
    // Circumventor i was caught today on `home`: counts the flag and files its appeal.
    void caught(std::size_t i, std::size_t local, std::uint8_t home, int day, StreamKey key, double* cell_tally, double weight);

private:
    enum Status : std::uint8_t { clear, blocked, reviewing_granted, reviewing_rejected, reinstated };
    void flag(std::size_t i, std::size_t local, std::uint8_t home, bool wrongly, int day, StreamKey key, double* cell_tally, double weight);

    bool active_;
    double false_flag_, appeal_, success_, success_caught_;
    int review_days_;
    std::vector<std::uint8_t> status_;   // [user]: Status
    std::vector<std::uint8_t> model_;    // [user]: the flagged model
    std::vector<std::uint8_t> circumventor_;  // [user]: the flag caught a real circumventor
    std::vector<std::int32_t> review_day_;    // [user]: the day its appeal is decided
};

}  // namespace gatesim

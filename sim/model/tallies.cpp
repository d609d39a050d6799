// Block reduction, the empty trajectory, and reading a trajectory as daily quantities.
#include "model/tallies.hpp"

namespace gatesim {

void BlockTallies::reduce_into(double* row) const {
    for (std::size_t b = 0; b < blocks(); ++b) {
        const double* t = block(b);
        for (std::size_t k = 0; k < width_; ++k) row[k] += t[k];
    }
}

Trajectory start_trajectory(const Scenario& s, const TallyLayout& layout, const Users& users) {
    const auto days = static_cast<std::size_t>(s.days);
    const std::size_t models = s.models.size();
    Trajectory t;
    t.daily.assign(days * layout.width(), 0.0);
    t.enterprises_by_state.assign(days * enterprise_state_count, 0.0);
    t.migration_cost.assign(days, 0.0);
    t.verification_cost.assign(days, 0.0);
    t.controlled.assign(days * models, 0);
    t.initial_home_users.assign(models, 0.0);
    for (std::size_t i = 0; i < users.size(); ++i) t.initial_home_users[users.home[i]] += users.weight[i];
    return t;
}

double TrajectoryView::cells_total(int day, CellMetric k) const {
    double total = 0;
    for (std::size_t c = 0; c < L_.cells; ++c) total += at(day, L_.cell(c, k));
    return total;
}

double TrajectoryView::users_of(int day, std::size_t m) const {
    return at(day, L_.users_by_model(m, Nationality::us_person)) + at(day, L_.users_by_model(m, Nationality::foreign_national));
}

double TrajectoryView::users_on(int day, const std::vector<std::string>& models) const {
    double total = 0;
    for (const auto& id : models) total += users_of(day, static_cast<std::size_t>(index_of(s_.models, id)));
    return total;
}

double TrajectoryView::model_revenue(int day, std::size_t m, std::size_t channel) const {
    return at(day, L_.tokens(m, channel)) * s_.models[m].price / 1e6;
}

double TrajectoryView::provider_revenue(int day, std::size_t provider) const {
    double total = 0;
    for (std::size_t m = 0; m < s_.models.size(); ++m) {
        if (static_cast<std::size_t>(w_.model_provider[m]) != provider) continue;
        for (std::size_t c = 0; c < L_.channels; ++c) {
            const double keep = c >= channel_cloud_first ? 1.0 - s_.cloud_partners[c - channel_cloud_first].revenue_share : 1.0;
            total += model_revenue(day, m, c) * keep;
        }
    }
    return total;
}

double TrajectoryView::partner_revenue(int day, std::size_t partner) const {
    double total = 0;
    for (std::size_t m = 0; m < s_.models.size(); ++m)
        total += model_revenue(day, m, channel_cloud_first + partner) * s_.cloud_partners[partner].revenue_share;
    return total;
}

double TrajectoryView::foreign_access(int day) const {
    double total = 0;
    for (auto r : {Route::permitted, Route::false_accept, Route::circumvention, Route::exemption}) total += at(day, L_.foreign_route(r));
    return total;
}

}  // namespace gatesim

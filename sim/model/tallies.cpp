// Group reduction, the empty trajectory, cell selections, and reading a trajectory as daily
// quantities.
#include "model/tallies.hpp"

#include <algorithm>

#include "model/market.hpp"
#include "model/parallel.hpp"
#include "model/rng.hpp"

namespace gatesim {

double TallyLayout::verification_total(const double* row, VerificationMetric v) const {
    double total = 0;
    for (std::size_t c = 0; c < cells; ++c) total += row[verification(c, v)];
    return total;
}

void GroupTallies::reduce_into(double* row, int threads) const {
    constexpr std::size_t chunk = 2048;
    for_each_block((width_ + chunk - 1) / chunk, groups() > 1 ? threads : 1, [&](std::size_t c) {
        const std::size_t begin = c * chunk, end = std::min(width_, begin + chunk);
        for (std::size_t g = 0; g < groups(); ++g) {
            const double* t = group(g);
            for (std::size_t k = begin; k < end; ++k) row[k] += t[k];
        }
    });
}

Trajectory start_trajectory(const Scenario& s, const TallyLayout& layout, const Users& users, int threads) {
    const auto days = static_cast<std::size_t>(s.days);
    const std::size_t models = s.models.size();
    Trajectory t;
    t.enterprise_cells = s.regions.size() * channel_kinds;
    t.daily.assign(days * layout.width(), 0.0);
    t.enterprises_by_state.assign(days * t.enterprise_cells * enterprise_state_count, 0.0);
    t.migration_cost.assign(days * t.enterprise_cells, 0.0);
    t.load_shifted.assign(days * t.enterprise_cells, 0.0);
    t.controlled.assign(days * models, 0);
    // Agents by preferred model, counted per block in parallel (counts add up the same in any order).
    const std::size_t blocks = (users.size() + agent_block_size - 1) / agent_block_size;
    std::vector<std::size_t> counts(blocks * models, 0);
    for_each_block(blocks, threads, [&](std::size_t b) {
        for (std::size_t i = b * agent_block_size; i < std::min(users.size(), (b + 1) * agent_block_size); ++i) ++counts[b * models + users.home[i]];
    });
    t.initial_home_users.assign(models, 0.0);
    for (std::size_t m = 0; m < models; ++m) {
        std::size_t agents = 0;
        for (std::size_t b = 0; b < blocks; ++b) agents += counts[b * models + m];
        t.initial_home_users[m] = static_cast<double>(agents) * users.weight.value();
    }
    return t;
}

CellSelection CellSelection::of(const Scenario& s, const Scope& scope) {
    auto admits = [](const std::vector<std::size_t>& selected, std::size_t value) {
        return selected.empty() || std::find(selected.begin(), selected.end(), value) != selected.end();
    };
    const std::size_t regions = s.regions.size(), segments = s.segments.size();
    CellSelection out;
    out.cell.assign(regions * 2 * segments * channel_kinds, 0);
    for (std::size_t r = 0; r < regions; ++r)
        for (std::size_t n = 0; n < 2; ++n)
            for (std::size_t g = 0; g < segments; ++g)
                for (std::size_t k = 0; k < channel_kinds; ++k)
                    out.cell[breakdown_cell(r, static_cast<Nationality>(n), g, segments, static_cast<ChannelKind>(k))] =
                        admits(scope.regions, r) && admits(scope.nationalities, n) && admits(scope.segments, g) && admits(scope.channels, k);
    const int employees = index_of(s.segments, s.enterprises.employee_segment);
    out.enterprises = scope.nationalities.empty() && (employees < 0 || admits(scope.segments, static_cast<std::size_t>(employees)));
    out.ecell.assign(regions * channel_kinds, 0);
    for (std::size_t r = 0; r < regions; ++r)
        for (std::size_t k = 0; k < channel_kinds; ++k) out.ecell[r * channel_kinds + k] = out.enterprises && admits(scope.regions, r) && admits(scope.channels, k);
    return out;
}

TrajectoryView::TrajectoryView(const Scenario& s, const TallyLayout& L, const Trajectory& t, const CellSelection& cells)
    : s_(s), L_(L), t_(t), cells_(cells) {
    for (std::size_t k = 0; k < s.cloud_partners.size(); ++k)
        for (std::size_t p = 0; p < s.providers.size(); ++p) share_.push_back(partner_share(s, k, p));
    sum_selected_cells();
}

void TrajectoryView::sum_selected_cells() {
    const auto days = static_cast<std::size_t>(s_.days);
    const std::size_t P = L_.providers, C = L_.channels;
    metric_.assign(days * 2 * cell_metric_count, 0.0);
    verification_.assign(days * verification_metric_count, 0.0);
    money_.assign(days * P * C * money_metric_count, 0.0);
    // Nationality is the second-slowest index of a cell: (region x 2 + nationality) x segments x kinds.
    const std::size_t per_nationality = L_.cells / (s_.regions.size() * 2);
    for (std::size_t d = 0; d < days; ++d) {
        const double* row = &t_.daily[d * L_.width()];
        for (std::size_t c = 0; c < L_.cells; ++c) {
            if (!cells_.cell[c]) continue;
            double* metric = &metric_[(d * 2 + (c / per_nationality) % 2) * cell_metric_count];
            for (std::size_t k = 0; k < cell_metric_count; ++k) metric[k] += row[L_.cell(c, static_cast<CellMetric>(k))];
            for (std::size_t v = 0; v < verification_metric_count; ++v)
                verification_[d * verification_metric_count + v] += row[L_.verification(c, static_cast<VerificationMetric>(v))];
            for (std::size_t channel = 0; channel < C; ++channel) {
                if (static_cast<std::size_t>(channel_kind(static_cast<std::uint8_t>(channel))) != c % channel_kinds) continue;
                for (std::size_t p = 0; p < P; ++p)
                    for (std::size_t k = 0; k < money_metric_count; ++k)
                        money_[((d * P + p) * C + channel) * money_metric_count + k] += row[L_.money(c, channel, p) + k];
            }
        }
    }
}

double TrajectoryView::cells_total(int day, CellMetric k) const {
    const std::size_t base = static_cast<std::size_t>(day) * 2 * cell_metric_count;
    return metric_[base + k] + metric_[base + cell_metric_count + k];
}

double TrajectoryView::cells_total(int day, CellMetric k, Nationality n) const {
    return metric_[(static_cast<std::size_t>(day) * 2 + static_cast<std::size_t>(n)) * cell_metric_count + k];
}

double TrajectoryView::verification(int day, VerificationMetric v) const {
    return verification_[static_cast<std::size_t>(day) * verification_metric_count + v];
}

double TrajectoryView::users_of(int day, std::size_t m) const {
    double total = 0;
    for (std::size_t c = 0; c < L_.cells; ++c) total += at(day, L_.users_by_model(m, c));
    return total;
}

double TrajectoryView::users_of(int day, std::size_t m, Nationality n) const {
    double total = 0;
    const std::size_t per_nationality = L_.cells / (s_.regions.size() * 2);
    for (std::size_t c = 0; c < L_.cells; ++c)
        if ((c / per_nationality) % 2 == static_cast<std::size_t>(n)) total += at(day, L_.users_by_model(m, c));
    return total;
}

double TrajectoryView::usage_sales(int day, std::size_t provider, std::size_t channel) const {
    return money_[((static_cast<std::size_t>(day) * L_.providers + provider) * L_.channels + channel) * money_metric_count + money_usage];
}

double TrajectoryView::mrr(int day, std::size_t provider) const {
    double total = 0;
    for (std::size_t channel = 0; channel < L_.channels; ++channel)
        total += money_[((static_cast<std::size_t>(day) * L_.providers + provider) * L_.channels + channel) * money_metric_count + money_mrr];
    return total;
}

double TrajectoryView::provider_revenue(int day, std::size_t provider) const {
    double total = subscription_revenue(day, provider) + usage_sales(day, provider, channel_api);
    for (std::size_t k = 0; k < s_.cloud_partners.size(); ++k)
        total += usage_sales(day, provider, channel_cloud_first + k) * (1.0 - share_[k * L_.providers + provider]);
    return total;
}

double TrajectoryView::booked_usage(int day, std::size_t provider) const {
    double total = usage_sales(day, provider, channel_api);
    for (std::size_t k = 0; k < s_.cloud_partners.size(); ++k)
        if (share_[k * L_.providers + provider] < 1.0) total += usage_sales(day, provider, channel_cloud_first + k);
    return total;
}

double TrajectoryView::partner_revenue(int day, std::size_t partner, std::size_t provider) const {
    return usage_sales(day, provider, channel_cloud_first + partner) * share_[partner * L_.providers + provider];
}

double TrajectoryView::partner_revenue(int day, std::size_t partner) const {
    double total = 0;
    for (std::size_t p = 0; p < L_.providers; ++p) total += partner_revenue(day, partner, p);
    return total;
}

namespace {

// 13 x the sum of the last 28 days of `daily` (days before 0 repeat day 0), + 12 x `monthly`.
template <class Daily, class Monthly>
std::vector<double> run_rate(int days, Daily daily, Monthly monthly) {
    constexpr int window = 28;
    std::vector<double> usage(static_cast<std::size_t>(days)), out(static_cast<std::size_t>(days));
    for (int d = 0; d < days; ++d) usage[static_cast<std::size_t>(d)] = daily(d);
    for (int d = 0; d < days; ++d) {
        double sum = 0;
        for (int j = d - window + 1; j <= d; ++j) sum += usage[static_cast<std::size_t>(std::max(j, 0))];
        out[static_cast<std::size_t>(d)] = 13.0 * sum + 12.0 * monthly(d);
    }
    return out;
}

}  // namespace

std::vector<double> TrajectoryView::run_rate_path(std::size_t provider) const {
    return run_rate(days(), [&](int d) { return booked_usage(d, provider); }, [&](int d) { return mrr(d, provider); });
}

std::vector<double> TrajectoryView::partner_run_rate_path(std::size_t partner) const {
    return run_rate(days(), [&](int d) { return partner_revenue(d, partner); }, [](int) { return 0.0; });
}

double TrajectoryView::foreign_access(int day) const {
    double total = 0;
    for (std::size_t k = m_access_unrestricted; k <= m_access_reseller; ++k) total += cells_total(day, static_cast<CellMetric>(k));
    return total;
}

double TrajectoryView::enterprises_in(int day, EnterpriseState state) const {
    double total = 0;
    const std::size_t base = static_cast<std::size_t>(day) * t_.enterprise_cells;
    for (std::size_t e = 0; e < t_.enterprise_cells; ++e)
        if (cells_.ecell[e]) total += t_.enterprises_by_state[(base + e) * enterprise_state_count + static_cast<std::size_t>(state)];
    return total;
}

double TrajectoryView::enterprises_disrupted(int day) const {
    double total = 0;
    for (std::size_t st = 1; st < enterprise_state_count; ++st) total += enterprises_in(day, static_cast<EnterpriseState>(st));
    return total;
}

double TrajectoryView::enterprise_cells_total(const std::vector<double>& by_day_and_cell, int day) const {
    double total = 0;
    const std::size_t base = static_cast<std::size_t>(day) * t_.enterprise_cells;
    for (std::size_t e = 0; e < t_.enterprise_cells; ++e)
        if (cells_.ecell[e]) total += by_day_and_cell[base + e];
    return total;
}

double TrajectoryView::migration_cost(int day) const { return enterprise_cells_total(t_.migration_cost, day); }
double TrajectoryView::load_shifted(int day) const { return enterprise_cells_total(t_.load_shifted, day); }

double TrajectoryView::verification_cost(int day) const {
    return verification(day, v_checks) * s_.verification.cost_per_check + verification(day, v_reviews) * s_.verification.human_review_cost;
}

}  // namespace gatesim

// User decisions for one block and day: two fast paths for users with nothing to decide, then
// verification, following the employer, adoption, returning, and waiting or switching.
#include "model/users.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/market.hpp"
#include "model/rng.hpp"

namespace gatesim {

namespace {

// The product of the hazard multipliers of the regulator's news items so far.
double news_multiplier(const Scenario& s, int day) {
    double multiplier = 1.0;
    for (const auto& n : s.regulator.news)
        if (!s.directive.stages.empty() && day >= n.day) multiplier *= n.hazard_multiplier;
    return multiplier;
}

}  // namespace

UserParameters::UserParameters(const Scenario& s, const World& w)
    : plans(plan_terms(s)), lapse_days(s.subscriptions.lapse_days), days(s.days) {
    for (int day = 0; day < days; ++day) news.push_back(news_multiplier(s, day));
    for (const auto& g : s.segments)
        rates.push_back({g.patience_days > 0 ? 1.0 / g.patience_days : 0.0, g.patience_days <= 0, g.impatience_growth,
                         std::max(1e-12, g.tasks_per_day.central() * g.value_per_task), g.return_probability,
                         1.0 / g.return_half_life_days, g.quality_gap_weight, g.verification_uptake,
                         ReturnTerms::of(g.return_hazard, g.quality_gap_weight, g.switch_back_cost, g.habit_weight, g.habit_days),
                         g.anticipation_rate});
    for (const auto& rate : rates) {
        double sum = 0;
        for (int t = 0; t < days; ++t) habit_sums.push_back(sum += std::exp(-habit(rate.reconsider, t)));
    }
    const std::size_t m = s.models.size();
    value_ratio.resize(m * m);
    for (const auto& model : s.models) price_per_token.push_back(model.price / 1e6);
    for (std::size_t h = 0; h < m; ++h)
        for (std::size_t j = 0; j < m; ++j)
            value_ratio[h * m + j] = s.models[h].capability > 0 ? std::min(1.0, s.models[j].capability / s.models[h].capability) : 1.0;
    successor.assign(m, no_model);
    for (std::size_t j = 0; j < m; ++j)
        if (!s.models[j].successor_of.empty())
            successor[static_cast<std::size_t>(index_of(s.models, s.models[j].successor_of))] = static_cast<std::uint8_t>(j);
    for (int p : w.model_provider) provider.push_back(static_cast<std::uint8_t>(p));

    const std::size_t segments = s.segments.size(), providers = s.providers.size();
    const std::size_t cells = s.regions.size() * 2 * segments * channel_kinds;
    home_plan_price.resize(cells * m);
    for (std::size_t c = 0; c < cells; ++c)
        for (std::size_t j = 0; j < m; ++j) home_plan_price[c * m + j] = plans[(c / channel_kinds) % segments * providers + provider[j]].price_per_month;

    in_reference.assign(m, 0);
    for (const auto& id : s.directive.models) {
        // A successor of a named model carries the same capability forward: it is counted too.
        for (auto j = static_cast<std::size_t>(index_of(s.models, id)); j != no_model && !in_reference[j]; j = successor[j]) in_reference[j] = 1;
    }
    // Equivalence is to the capability the order controls: without one, no model is equivalent.
    equivalent.assign(m, 0);
    for (std::size_t j = 0; j < m && !s.directive.models.empty(); ++j)
        equivalent[j] = !in_reference[j] && s.models[j].cyber_capability >= s.reporting.equivalent_cyber_capability;
}

bool UserParameters::any_successor() const {
    return std::any_of(successor.begin(), successor.end(), [](std::uint8_t j) { return j != no_model; });
}

void UserRuleCache::refresh(const Scenario& s, const DayPolicy& policy, const UserParameters& params) {
    const std::size_t channels = policy.channels, regions = s.regions.size(), models = s.models.size();
    best_capability.assign(channels * regions * 2 * 2, 0.0);
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t r = 0; r < regions; ++r)
            for (int vpn = 0; vpn < 2; ++vpn) {
                double best = 0, best_cyber = 0;
                for (std::size_t j = 0; j < models; ++j) {
                    if (!policy.is_offered(j, c) || provider_weight(s, r, j) <= 0) continue;
                    if (!reachable_without_credentials(policy.rule_for(j, c), policy.fenced[r] != 0, vpn != 0)) continue;
                    best = std::max(best, s.models[j].capability);
                    best_cyber = std::max(best_cyber, s.models[j].cyber_capability);
                }
                const std::size_t k = ((c * regions + r) * 2 + static_cast<std::size_t>(vpn)) * 2;
                best_capability[k] = best;
                best_capability[k + 1] = best_cyber;
            }
    settled_home.assign(models * channels, 0);
    for (std::size_t j = 0; j < models; ++j)
        for (std::size_t c = 0; c < channels; ++c)
            settled_home[j * channels + c] =
                policy.is_offered(j, c) && admits_everyone(policy.rule_for(j, c)) && params.successor[j] == no_model;
    settled_access.assign(models, 0);
    for (std::size_t j = 0; j < models; ++j)
        settled_access[j] = static_cast<std::uint8_t>(params.in_reference[j] ? (policy.controlled[j] ? m_access_permitted : m_access_unrestricted)
                                                      : params.equivalent[j] ? m_access_equivalent
                                                                             : std::size_t{0});
}

SettledBlocks::SettledBlocks(std::size_t agents, std::size_t enterprises)
    : blocks_((agents + agent_block_size - 1) / agent_block_size),
      employers_(enterprises, EmployerSignature{EnterpriseState::normal, no_model, 0, 1, 0.0f}),
      status_changed_(enterprises, -1) {}

void SettledBlocks::employers_today(const EnterpriseTable& enterprises, const EmployerStatus& status, int day, int threads) {
    const std::size_t n = enterprises.size(), blocks = (n + agent_block_size - 1) / agent_block_size;
    std::vector<std::uint8_t> changed(blocks, 0);
    for_each_block(blocks, threads, [&](std::size_t b) {
        for (std::size_t e = b * agent_block_size, end = std::min(n, e + agent_block_size); e < end; ++e) {
            const EmployerSignature today{enterprises.state[e], enterprises.current[e], status.disrupted[e], status.normal[e], enterprises.shifted[e]};
            if (!(today == employers_[e])) employers_[e] = today, status_changed_[e] = day, changed[b] = 1;
        }
    });
    if (std::find(changed.begin(), changed.end(), 1) != changed.end()) any_status_changed_ = day;
}

bool SettledBlocks::employees_hold(const Block& b) const {
    return any_status_changed_ <= b.employees_day || std::all_of(b.employers.begin(), b.employers.end(), [&](std::int32_t e) {
               return status_changed_[static_cast<std::size_t>(e)] <= b.employees_day;
           });
}

void SettledBlocks::Sums::merge(std::uint32_t k, double value) {
    const auto at = std::lower_bound(slot.begin(), slot.end(), k);
    const auto n = at - slot.begin();
    if (at != slot.end() && *at == k) {
        total[static_cast<std::size_t>(n)] += value;
        return;
    }
    slot.insert(at, k);
    total.insert(total.begin() + n, value);
}

void SettledBlocks::Block::add_employer(std::int32_t e) {
    const auto at = std::lower_bound(employers.begin(), employers.end(), e);
    if (at == employers.end() || *at != e) employers.insert(at, e);
}

namespace {

// Event clocks. A coin each day with hazard 1 - exp(-rate(day)) and a clock that fires on the
// first day the rate summed from its start exceeds E = -ln(1 - U), U uniform (E exponential),
// give the event on day k with the same probability: exp(-(the rates before k)) x (1 - exp(-rate(k))).
// So a user draws the day of its next event once, when the state it waits in begins, instead of
// a coin every day, and is not visited in between (SettledStep). A clock is drawn from a start day
// (its key) and holds while that state lasts and its rate is known ahead: since_today() clears it,
// and so does a change no schedule foresees (the user is visited, and draws again).
constexpr std::int16_t never_day = std::numeric_limits<std::int16_t>::max();

// The first day from `start` (before `horizon`) whose cumulative rate exceeds the draw's E.
template <class Rate>
std::int16_t clock_day(double uniform, int start, int horizon, Rate&& rate) {
    const double threshold = -std::log1p(-uniform);
    double cumulative = 0;
    for (int day = start; day < horizon; ++day)
        if ((cumulative += rate(day)) > threshold) return static_cast<std::int16_t>(day);
    return never_day;
}

// One block of users on one day: what their decisions read, and the tallies they write. The
// quantities read for every tally are copied here, one indirection away.
struct BlockStep {
    const UserDay& d;
    Users& u;
    double* t;
    const TallyLayout L;
    const Model* models;
    std::size_t model_count, regions;
    const double* price_per_token;
    const double* value_ratio;
    const double* best_capability;
    const std::uint8_t* controlled;
    const std::uint8_t* provider;
    std::size_t begin;
    std::vector<Intent>* intents;  // where choosers of a capacity-limited model wait
    StreamKey switch_key, choice_key, return_key, adoption_key, reconsider_key, anticipation_key, circumvention_key;
    VerificationStep verification;

    BlockStep(const UserDay& day, Users& users, std::size_t block, double* tally, std::vector<Intent>* intents_out)
        : d(day),
          u(users),
          t(tally),
          L(day.layout),
          models(day.s.models.data()),
          model_count(day.s.models.size()),
          regions(day.s.regions.size()),
          price_per_token(day.params.price_per_token.data()),
          value_ratio(day.params.value_ratio.data()),
          best_capability(day.rules.best_capability.data()),
          controlled(day.policy.controlled.data()),
          provider(day.params.provider.data()),
          begin(block * agent_block_size),
          intents(intents_out),
          switch_key(key(Draw::switch_hazard, block)),
          choice_key(key(Draw::switch_choice, block)),
          return_key(key(Draw::return_home, block)),
          adoption_key(key(Draw::adoption, block)),
          reconsider_key(key(Draw::return_reconsider, block)),
          anticipation_key(key(Draw::anticipation, block)),
          circumvention_key(key(Draw::circumvention_uptake, block)),
          verification{day.s.verification, day.layout, day.verification, day.day, key(Draw::verification_progress, block)} {}

    StreamKey key(Draw draw, std::size_t block) const { return StreamKey::of(d.s.seed, d.replicate, purpose_of(draw), block); }
    Route access_to(std::size_t i, std::size_t model) const { return access(d.policy, u, i, model, d.enterprises); }
    double ratio(std::size_t home, std::size_t model) const { return value_ratio[home * model_count + model]; }
    const SegmentRates& rates(std::size_t i) const { return d.params.rates[u.segment[i]]; }

    void use(std::size_t i, std::size_t model, Route route, double share, bool home_blocked);
    double pay(std::size_t i, std::size_t model);
    void blocked(std::size_t i, std::size_t home);
    void wait(std::size_t i);
    void switch_to(std::size_t i, std::uint8_t j);
    void count_affected_us(std::size_t i);
    // A new state from today: no clock drawn for it yet.
    void since_today(std::size_t i) { u.since[i] = static_cast<std::int16_t>(d.day), u.next_event[i] = -1; }
    std::int16_t switch_day(std::size_t i, std::size_t local, int start) const;
    std::int16_t return_day(std::size_t i, std::size_t local, double gap, int start) const;

    bool settled_elsewhere(std::size_t i) const;
    bool steady_elsewhere(std::size_t i) const;
    bool steady_follower(std::size_t i) const;
    int steady_until(std::size_t i) const;
    void stay_waiting(std::size_t i);
    void stay_elsewhere(std::size_t i);
    void decide(std::size_t i);
    void follow_employer(std::size_t i, std::size_t e);
    void decide_individually(std::size_t i, std::size_t local);
    bool adopt(std::size_t i, std::size_t local) const;
    bool on_alternative(std::size_t i, std::size_t local, Route home_route, UserState& state);
    bool first_return(std::size_t i, std::size_t local, Route home_route, UserState& state);
    bool reconsider(std::size_t i, std::size_t local, Route home_route);
    void go_home(std::size_t i, Route home_route);
    double dependency(std::size_t i) const { return std::clamp(u.daily_value[i] / rates(i).central_value, 0.1, 10.0); }
    bool leave_ahead(std::size_t i, std::size_t local);
    void leave_for(std::size_t i, std::uint8_t j);
    void stay_home(std::size_t i, Route home_route);
    Route circumvent(std::size_t i, std::size_t local, Route home_route);
    Route leak(std::size_t i, std::size_t local);
    Route appeal(std::size_t i, std::size_t local, Route home_route);
    bool enter(std::size_t i);
    void wait_or_switch(std::size_t i, std::size_t local, Route home_route);
};

// Uses `model` today, getting `share` of the home model's value; `home_blocked` when its
// preferred model is closed to it today (it is on an alternative because of a rule).
void BlockStep::use(std::size_t i, std::size_t model, Route route, double share, bool home_blocked) {
    const double w = u.weight[i];
    const std::size_t cell = u.cell[i];
    const double full = w * u.daily_value[i], value = full * share;
    if (model == u.home[i]) {
        t[L.cell(cell, m_active)] += w;
    } else {
        t[L.cell(cell, m_switched)] += w;
        t[L.cell(cell, home_blocked ? m_value_lost_blocked : m_churned)] += home_blocked ? full - value : w;
    }
    t[L.cell(cell, m_value_delivered)] += value;
    t[L.cell(cell, m_value_lost)] += full - value;
    t[L.users_by_model(model, cell)] += w;
    if (route == Route::circumvention) t[L.cell(cell, m_circumventing)] += w;
    const double paid = pay(i, model);
    if (u.nationality[i] != Nationality::foreign_national) return;
    if (d.params.in_reference[model]) {
        if (!controlled[model]) {
            t[L.cell(cell, m_access_unrestricted)] += w;
            return;
        }
        const Route r = route == Route::denied ? Route::permitted : route;  // an employer's arrangement covers its staff
        t[L.cell(cell, access_metric(r))] += w;
        t[L.cell(cell, paid_metric(r))] += paid;
    } else if (d.params.equivalent[model]) {
        t[L.cell(cell, m_access_equivalent)] += w;
    }
}

// What user i pays today for using `model`: its plan with the model's provider if it pays for
// one (one draw, compared with each provider's paying share), else the tokens it is billed on
// the API and cloud channels. Returns USD for today.
double BlockStep::pay(std::size_t i, std::size_t model) {
    const std::size_t p = provider[model];
    const PlanTerms& plan = d.params.plans[u.segment[i] * L.providers + p];
    const bool pays = p == provider[u.home[i]] ? (u.flags[i] & flag_pays_home) != 0
                                               : plan.paying_share > 0 && paying_draw(d.s.seed, d.replicate, i) < plan.paying_share;
    double* money = t + L.money(u.cell[i], u.channel[i], p);
    if (pays) {
        money[money_mrr] += u.weight[i] * plan.price_per_month;
        return u.weight[i] * plan.price_per_month * 12.0 / 365.0;
    }
    if (u.channel[i] == channel_consumer) return 0.0;  // the app bills no tokens
    const double sales = u.weight[i] * u.daily_tokens[i] * price_per_token[model];
    money[money_usage] += sales;
    return sales;
}

// Blocked from its home model today; a blocked foreign national's capability gap.
void BlockStep::blocked(std::size_t i, std::size_t home) {
    const double w = u.weight[i];
    t[L.cell(u.cell[i], m_blocked)] += w;
    if (!(u.flags[i] & flag_ever_blocked)) {
        u.flags[i] |= flag_ever_blocked;
        t[L.cell(u.cell[i], m_newly_blocked)] += w;
    }
    if (u.nationality[i] == Nationality::foreign_national && controlled[home]) {
        const std::size_t k = ((u.channel[i] * regions + u.region[i]) * 2 + ((u.flags[i] & d.policy.circumvention_flag()) ? 1 : 0)) * 2;
        t[L.gap_sum()] += w * std::max(0.0, models[home].capability - best_capability[k]);
        t[L.cyber_gap_sum()] += w * std::max(0.0, models[home].cyber_capability - best_capability[k + 1]);
        t[L.gap_weight()] += w;
    }
}

// Uses no model today (it is blocked). A paying user keeps its plan for lapse_days of waiting.
inline void BlockStep::wait(std::size_t i) {
    const double w = u.weight[i], lost = w * u.daily_value[i];
    t[L.cell(u.cell[i], m_waiting)] += w;
    t[L.cell(u.cell[i], m_value_lost)] += lost;
    t[L.cell(u.cell[i], m_value_lost_blocked)] += lost;
    if ((u.flags[i] & flag_pays_home) && d.day - u.since[i] < d.params.lapse_days) {
        const std::size_t p = provider[u.home[i]];
        t[L.money(u.cell[i], u.channel[i], p) + money_mrr] += w * d.params.plans[u.segment[i] * L.providers + p].price_per_month;
    }
}

void BlockStep::switch_to(std::size_t i, std::uint8_t j) {
    const double w = u.weight[i];
    t[L.flow(u.home[i], j)] += w;
    u.current[i] = j;
    u.state[i] = UserState::switched;
    since_today(i);
    u.left_home[i] = static_cast<std::int16_t>(d.day);
    use(i, j, access_to(i, j), ratio(u.home[i], j), true);
}

// Verification coverage is measured over individual US persons whose preferred model is controlled.
inline void BlockStep::count_affected_us(std::size_t i) {
    if (u.nationality[i] != Nationality::us_person || u.employer[i] != no_employer || !controlled[u.home[i]]) return;
    t[L.affected_us()] += u.weight[i];
    if (u.verification[i] == VerificationStatus::verified) t[L.verified_affected_us()] += u.weight[i];
}

// Second fast path: a user settled on an alternative, on a day the rules did not change. Being
// switched means its preferred model is closed to it and being churned means it is open;
// neither can change without a new rule or a verification outcome, unless a churned user
// reconsiders its return every day.
bool BlockStep::settled_elsewhere(std::size_t i) const {
    const UserState settled = u.state[i];
    if (settled == UserState::churned && rates(i).reconsider.reconsiders()) return false;
    if (d.appeals && d.appeals->reviewing(i)) return false;  // the review may reinstate it today
    return !d.policy_changed && (settled == UserState::switched || settled == UserState::churned) && u.employer[i] == no_employer &&
           u.verification[i] != VerificationStatus::pending && u.verification[i] != VerificationStatus::in_review;
}

// Settled elsewhere, and its day changes nothing of it (a switched user has been counted as
// newly blocked already): it adds the same every day while the rules do not change.
bool BlockStep::steady_elsewhere(std::size_t i) const {
    return settled_elsewhere(i) && (u.state[i] == UserState::churned || (u.flags[i] & flag_ever_blocked));
}

// An employee where follow_employer leaves it, as yesterday: on its preferred model, which the
// rule lets it use, behind an employer that works on it (attesting for it, if attesting); or on
// the model its moved employer uses. It adds the same every day while its employer's status and
// the rules do not change.
bool BlockStep::steady_follower(std::size_t i) const {
    if (d.enterprises.size() == 0 || u.verification[i] == VerificationStatus::pending || u.verification[i] == VerificationStatus::in_review)
        return false;
    const auto e = static_cast<std::size_t>(u.employer[i]);
    switch (d.enterprises.state[e]) {
        case EnterpriseState::attesting:
            if (!(u.flags[i] & flag_attested)) return false;  // it decides for itself
            [[fallthrough]];
        case EnterpriseState::normal:
        case EnterpriseState::migrating_ahead:
            return (u.state[i] == UserState::active || u.state[i] == UserState::returned) && u.current[i] == u.home[i] &&
                   access_to(i, u.home[i]) != Route::denied;
        case EnterpriseState::failed_over:
        case EnterpriseState::migrated:
        case EnterpriseState::migrating_back: {
            const bool still_blocked = d.employers.disrupted[e];
            return u.state[i] == (still_blocked ? UserState::switched : UserState::churned) && u.current[i] == d.enterprises.current[e] &&
                   (!still_blocked || (u.flags[i] & flag_ever_blocked));
        }
        default: return false;
    }
}

// A user without an employer whose next event is a clock's, later than today, and whose day
// until then changes nothing of it: waiting to switch (counted as newly blocked already, nothing
// to apply for, no route around the rule to take up), or churned and weighing its return while
// no belief moves its hazard. It adds the same every day while the rules do not change, until
// the day returned: its clock's, or the day a waiting user's plan lapses. 0: not such a user.
int BlockStep::steady_until(std::size_t i) const {
    const UserState state = u.state[i];
    const int next = u.next_event[i];
    if (next <= d.day || d.policy_changed || u.employer[i] != no_employer || d.appeals || u.verification[i] == VerificationStatus::pending ||
        u.verification[i] == VerificationStatus::in_review)
        return 0;
    const std::uint8_t flags = u.flags[i];
    if (d.circumvention && (flags & flag_circumventing)) return 0;  // it may be caught any day
    if (state == UserState::churned)
        return u.since[i] < d.day && rates(i).reconsider.reconsiders() && !(d.at_risk[u.home[i]] && d.belief > 0) ? next : 0;
    if (state != UserState::waiting || !(flags & flag_ever_blocked) || (d.entry && d.entry->outside(i))) return 0;
    if (!(flags & flag_applied) && d.verification.takes_applicants(u.home[i])) return 0;
    if ((d.circumvention && (flags & (flag_vpn | flag_circumventing)) == flag_vpn) || (d.leakage && u.nationality[i] == Nationality::foreign_national))
        return 0;
    const int lapses = u.since[i] + d.params.lapse_days;
    return (flags & flag_pays_home) && lapses > d.day ? std::min(next, lapses) : next;
}

// What a steady waiting user's day adds: wait_or_switch() on a day its clock does not fire.
void BlockStep::stay_waiting(std::size_t i) {
    count_affected_us(i);
    blocked(i, u.home[i]);
    wait(i);
}

void BlockStep::stay_elsewhere(std::size_t i) {
    const std::uint8_t home = u.home[i], alt = u.current[i];
    count_affected_us(i);
    const bool home_blocked = u.state[i] == UserState::switched;
    if (home_blocked) blocked(i, home);
    const Route route = controlled[alt] ? access_to(i, alt) : Route::permitted;
    use(i, alt, route, ratio(home, alt), home_blocked);
}

// Everything but the first fast path.
void BlockStep::decide(std::size_t i) {
    if (d.entry && d.entry->outside(i) && !enter(i)) return;
    if (settled_elsewhere(i)) {
        stay_elsewhere(i);
        return;
    }
    const std::size_t local = i - begin;
    // Verification already under way progresses first; its outcome governs today's access.
    if (u.verification[i] == VerificationStatus::pending || u.verification[i] == VerificationStatus::in_review)
        progress_verification(verification, u, t, i, local);
    const std::int32_t employer = d.enterprises.size() > 0 ? u.employer[i] : no_employer;
    if (employer != no_employer) {
        const auto e = static_cast<std::size_t>(employer);
        // An employee its attesting employer does not attest decides for itself.
        const bool individually = d.enterprises.state[e] == EnterpriseState::attesting && !(u.flags[i] & flag_attested);
        if (!individually) {
            follow_employer(i, e);
            return;
        }
    }
    decide_individually(i, local);
}

// Employees use what their employer uses for work.
void BlockStep::follow_employer(std::size_t i, std::size_t e) {
    const EnterpriseTable& ent = d.enterprises;
    const double w = u.weight[i];
    const std::uint8_t home = u.home[i];
    const UserState before = u.state[i];
    const std::uint8_t before_model = before == UserState::waiting ? home : u.current[i];
    auto move_to = [&](std::uint8_t model, UserState state) {
        if (model != before_model) t[L.flow(before_model, model)] += w;
        if (model != home && before_model == home) u.left_home[i] = static_cast<std::int16_t>(d.day);
        u.current[i] = model;
        if (state != before) since_today(i);
        u.state[i] = state;
    };
    auto wait_for_employer = [&] {
        if (before != UserState::waiting) since_today(i);
        u.next_event[i] = -1;  // its own switching clock does not run while it waits for its employer
        u.state[i] = UserState::waiting;
        blocked(i, home);
        wait(i);
    };
    switch (ent.state[e]) {
        case EnterpriseState::normal:
        case EnterpriseState::migrating_ahead:  // still on the primary while it serves them
        case EnterpriseState::attesting: {  // attesting: this employee is attested
            const bool was_away = before == UserState::switched || before == UserState::churned || before == UserState::returned;
            const Route route = access_to(i, home);
            if (route == Route::denied) {  // e.g. a foreign employee of a vetted firm under another rule
                wait_for_employer();
                return;
            }
            move_to(home, was_away ? UserState::returned : UserState::active);
            use(i, home, route, 1.0, false);
            if (was_away) t[L.cell(u.cell[i], m_returned)] += w;
            return;
        }
        case EnterpriseState::waiting:
        case EnterpriseState::migrating:
        case EnterpriseState::attestation_setup: wait_for_employer(); return;
        case EnterpriseState::failed_over:
        case EnterpriseState::migrated:
        case EnterpriseState::migrating_back: {  // on the current model until the move back is done
            const std::uint8_t model = ent.current[e];
            const bool still_blocked = d.employers.disrupted[e];
            move_to(model, still_blocked ? UserState::switched : UserState::churned);
            if (still_blocked) blocked(i, home);
            double share = ratio(home, model);
            if (ent.state[e] == EnterpriseState::failed_over && models[home].capability > 0)
                // The share shifted onto the fallback ahead of the block runs tuned there (anticipation).
                share = std::clamp((models[model].capability - d.s.enterprises.failover_capability_loss * (1 - ent.shifted[e])) / models[home].capability,
                                         0.0, 1.0);
            // The employer moved only to a model it can use, so the rule lets its staff through.
            use(i, model, access_to(i, model), share, still_blocked);
            return;
        }
    }
}

// A settled user adopts a released successor of its preferred model with a daily hazard of
// innovation and, with imitation, of the share already adopted around it (Bass).
bool BlockStep::adopt(std::size_t i, std::size_t local) const {
    const std::uint8_t next = d.params.successor[u.home[i]];
    if (access_to(i, next) == Route::denied) return false;
    const Segment& g = d.s.segments[u.segment[i]];
    const double days = g.adoption_days;
    double rate = 1.0 / days;  // innovation; with imitation, Bass (diffusion.hpp)
    if (d.diffusion) rate += g.imitation * d.diffusion->adopted_share(next, u.region[i], u.segment[i]);
    const double hazard = days <= 0 ? 1.0 : -std::expm1(-rate);
    return RandomEngine(adoption_key, local, Draw::adoption, d.day).uniform() < hazard;
}

void BlockStep::decide_individually(std::size_t i, std::size_t local) {
    const double w = u.weight[i];
    const std::uint8_t home = u.home[i];
    count_affected_us(i);
    Route home_route = d.circumvention ? circumvent(i, local, access_to(i, home)) : access_to(i, home);
    if (d.leakage && home_route == Route::denied) home_route = leak(i, local);
    if (d.appeals) home_route = appeal(i, local, home_route);
    // A blocked user may apply for verification whenever a gate it could pass governs its
    // preferred model, including after a shutdown turns into a gate.
    if (home_route == Route::denied && !(u.flags[i] & flag_applied)) consider_applying(verification, u, t, i, local, rates(i).uptake);
    UserState state = u.state[i];
    const std::uint8_t next = d.params.successor[home];
    if (state == UserState::active && next != no_model && adopt(i, local)) {
        // Adopted the successor: it is the user's preferred model from now on.
        t[L.flow(home, next)] += w;
        u.home[i] = u.current[i] = next;
        // Its plan follows the model's provider (a successor by the same provider keeps it).
        if (provider[next] != provider[home]) {
            const PlanTerms& plan = d.params.plans[u.segment[i] * L.providers + provider[next]];
            u.flags[i] = static_cast<std::uint8_t>(u.flags[i] & ~flag_pays_home);
            if (paying_draw(d.s.seed, d.replicate, i) < plan.paying_share) u.flags[i] |= flag_pays_home;
        }
        use(i, next, access_to(i, next), 1.0, false);
        return;
    }
    if (state == UserState::active || state == UserState::returned) {
        if (home_route != Route::denied) {
            if (!leave_ahead(i, local)) stay_home(i, home_route);
            return;
        }
        state = UserState::waiting;
        since_today(i);
    }
    if ((state == UserState::churned || state == UserState::switched) && on_alternative(i, local, home_route, state)) return;
    wait_or_switch(i, local, home_route);
}

// A user on an alternative: returns home when it reopens (a first decision per absence, then,
// if the segment reconsiders, a daily hazard), stays, or, when the alternative closed too, goes
// home or waits. Returns whether the day is settled; otherwise `state` is waiting.
bool BlockStep::on_alternative(std::size_t i, std::size_t local, Route home_route, UserState& state) {
    const std::uint8_t home = u.home[i];
    // A user that left ahead of a block (churned on the day it left) and is now blocked is
    // switched: on an alternative while its model is closed, and decides when it reopens.
    if (home_route == Route::denied && state == UserState::churned && u.since[i] == u.left_home[i]) state = UserState::switched;
    if (home_route == Route::denied) u.next_event[i] = -1;  // a return clock runs only while its model is open
    if (home_route != Route::denied && state == UserState::switched && first_return(i, local, home_route, state)) return true;
    // Churned on an earlier day: the decision is made again every day.
    if (home_route != Route::denied && state == UserState::churned && u.since[i] < d.day && reconsider(i, local, home_route)) return true;
    const Route alt_route = access_to(i, u.current[i]);
    if (alt_route != Route::denied) {
        u.state[i] = state;
        const bool home_blocked = home_route == Route::denied;
        if (home_blocked) blocked(i, home);
        use(i, u.current[i], alt_route, ratio(home, u.current[i]), home_blocked);
        return true;
    }
    // The alternative closed too (e.g. escalation): go home if possible, else wait.
    if (home_route != Route::denied) {
        t[L.flow(u.current[i], home)] += u.weight[i];
        u.current[i] = home;
        u.state[i] = UserState::active;
        use(i, home, home_route, 1.0, false);
        return true;
    }
    state = UserState::waiting;
    since_today(i);
    return false;
}

// The decision on the day the preferred model reopens: return with a probability that decays
// with time away and rises with the quality gap, or stay (churned). Returns whether it went home.
bool BlockStep::first_return(std::size_t i, std::size_t local, Route home_route, UserState& state) {
    // The draw is keyed by the switch day so that a later reopening changes only the probability.
    const SegmentRates& rate = rates(i);
    const double away = d.day - u.since[i];
    const double p0 = rate.return_probability * std::exp2(-away * rate.return_decay);
    const double gap = models[u.home[i]].capability - models[u.current[i]].capability;
    const double odds = p0 * std::exp(rate.quality_gap_weight * gap);
    const double prob = p0 >= 1 ? 1.0 : odds / (1 - p0 + odds);
    if (RandomEngine(return_key, local, Draw::return_home, u.since[i]).uniform() < prob) {
        go_home(i, home_route);
        return true;
    }
    state = UserState::churned;
    since_today(i);
    return false;
}

// A churned user whose preferred model is open weighs going back again today (returns.hpp).
bool BlockStep::reconsider(std::size_t i, std::size_t local, Route home_route) {
    const ReturnTerms& terms = rates(i).reconsider;
    if (!terms.reconsiders()) return false;
    const double gap = models[u.home[i]].capability - models[u.current[i]].capability;
    bool back;
    if (d.at_risk[u.home[i]] && d.belief > 0) {
        // Nobody goes back to a model it fears losing. The belief moves from day to day: a coin
        // today, and a clock drawn afresh once it is gone.
        const double p = return_hazard(terms, gap, d.day - u.left_home[i]) * (1 - d.belief);
        back = RandomEngine(reconsider_key, local, Draw::return_reconsider, d.day).uniform() < p;
        u.next_event[i] = -1;
    } else {
        if (u.next_event[i] < d.day) u.next_event[i] = return_day(i, local, gap, d.day);
        back = u.next_event[i] == d.day;
    }
    if (!back) return false;
    go_home(i, home_route);
    return true;
}

// The day a churned user goes back, drawn on `start`: its rate on a day t days away is
// base_rate x exp(gap_weight x gap - switch_back_cost) x exp(-habit(t)) (returns.hpp), so the
// rate summed over days is read from the segment's running sums of exp(-habit), by bisection.
std::int16_t BlockStep::return_day(std::size_t i, std::size_t local, double gap, int start) const {
    const ReturnTerms& terms = rates(i).reconsider;
    if (std::isinf(terms.base_rate)) return static_cast<std::int16_t>(start);
    const double scale = terms.base_rate * std::exp(terms.gap_weight * gap - terms.switch_back_cost);
    const double threshold = -std::log1p(-RandomEngine(reconsider_key, local, Draw::return_reconsider, start).uniform());
    const int days = d.params.days, left = u.left_home[i];
    const double* sums = d.params.habit_sums.data() + static_cast<std::size_t>(u.segment[i]) * static_cast<std::size_t>(days);
    const double before = start - left > 0 ? sums[start - left - 1] : 0.0;
    auto exceeds = [&](int day) { return scale * (sums[day - left] - before) > threshold; };
    if (start >= days || !exceeds(days - 1)) return never_day;
    int low = start, high = days - 1;  // exceeds(high); the answer is the first such day
    while (low < high) {
        const int mid = low + (high - low) / 2;
        if (exceeds(mid)) high = mid;
        else low = mid + 1;
    }
    return static_cast<std::int16_t>(low);
}

void BlockStep::go_home(std::size_t i, Route home_route) {
    const double w = u.weight[i];
    const std::uint8_t home = u.home[i];
    t[L.flow(u.current[i], home)] += w;
    u.current[i] = home;
    u.state[i] = UserState::returned;
    since_today(i);
    use(i, home, home_route, 1.0, false);
    t[L.cell(u.cell[i], m_returned)] += w;
}

// A user on its preferred model today.
void BlockStep::stay_home(std::size_t i, Route home_route) {
    use(i, u.home[i], home_route, 1.0, false);
    if (u.state[i] == UserState::returned) t[L.cell(u.cell[i], m_returned)] += u.weight[i];
}

// A served user whose preferred model is at risk leaves it ahead of a feared block, with a
// hazard that grows with the belief and its dependency, for the best alternative not at risk
// (anticipation.hpp). Returns whether it left (or asked a full model for room).
bool BlockStep::leave_ahead(std::size_t i, std::size_t local) {
    const std::uint8_t home = u.home[i];
    const double rate = rates(i).anticipation_rate;
    if (d.belief <= 0 || rate <= 0 || !d.at_risk[home]) return false;
    const double hazard = -std::expm1(-rate * d.belief * dependency(i));
    if (RandomEngine(anticipation_key, local, Draw::anticipation, d.day).uniform() >= hazard) return false;
    const double* utility = d.choices.row(u.segment[i], home, u.channel[i], u.region[i]);
    const std::uint8_t j = pick(utility, model_count, [&](std::size_t m) { return !d.at_risk[m] && access_to(i, m) != Route::denied; },
                                RandomEngine(anticipation_key, local, Draw::anticipation_choice, d.day).uniform());
    if (j == no_model) return false;
    if (models[j].capacity_users) {
        intents->push_back({static_cast<std::uint32_t>(i), j, true, true});
        return true;
    }
    leave_for(i, j);
    return true;
}

// Left its open preferred model for j: on an alternative while its model is open, as a churned
// user is, and free to come back (returns.hpp).
void BlockStep::leave_for(std::size_t i, std::uint8_t j) {
    t[L.flow(u.home[i], j)] += u.weight[i];
    u.current[i] = j;
    u.state[i] = UserState::churned;
    since_today(i);
    u.left_home[i] = static_cast<std::int16_t>(d.day);
    use(i, j, access_to(i, j), ratio(u.home[i], j), false);
}

// Circumvention as adoption (circumvention.hpp): a circumventor may be caught today and lose
// the route for good; a user with a VPN propensity whom a location gate blocks from its home
// model may take circumvention up today. Returns the route to the home model after both.
Route BlockStep::circumvent(std::size_t i, std::size_t local, Route home_route) {
    const std::uint8_t home = u.home[i];
    if (home_route == Route::circumvention) {
        const double caught = d.s.circumvention.detection_daily;
        if (caught <= 0 || RandomEngine(circumvention_key, local, Draw::circumvention_detection, d.day).uniform() >= caught) return home_route;
        u.flags[i] = static_cast<std::uint8_t>(u.flags[i] & ~(flag_circumventing | flag_vpn));
        t[L.cell(u.cell[i], m_circumvention_detected)] += u.weight[i];
        if (d.appeals) d.appeals->caught(i, local, home, d.day, key(Draw::appeal, begin / agent_block_size), t + L.cell(u.cell[i], m_active), u.weight[i]);
        return access_to(i, home);
    }
    const UserState state = u.state[i];
    const bool deciding = state == UserState::active || state == UserState::returned || state == UserState::waiting;
    if (home_route != Route::denied || !deciding || (u.flags[i] & (flag_vpn | flag_circumventing)) != flag_vpn) return home_route;
    const std::size_t k = home * d.policy.channels + u.channel[i];
    if (!d.policy.offered[k] || !rule_semantics(d.policy.rule[k]).location_based || !d.policy.fenced[u.region[i]]) return home_route;
    const double uptake = -std::expm1(-d.circumvention->rate(u.region[i], u.segment[i], d.day));
    if (RandomEngine(circumvention_key, local, Draw::circumvention_uptake, d.day).uniform() >= uptake) return home_route;
    u.flags[i] |= flag_circumventing;
    return access_to(i, home);
}

// Market entry (market_entry.hpp): a user outside the market counts in nothing but
// outside_market until it enters; on the day it enters it decides as an active user.
bool BlockStep::enter(std::size_t i) {
    if (!d.entry->enters(i, i - begin, u.region[i], u.segment[i], d.day, key(Draw::market_entry, begin / agent_block_size))) {
        t[L.cell(u.cell[i], m_outside_market)] += u.weight[i];
        return false;
    }
    u.state[i] = UserState::active;
    since_today(i);
    return true;
}

// Leakage routes around a nationality gate (leakage.hpp): a foreign national the gate denies its
// home model may hold, lose or take up account sharing or a reseller. Returns its route home.
Route BlockStep::leak(std::size_t i, std::size_t local) {
    const std::size_t k = u.home[i] * d.policy.channels + u.channel[i];
    if (u.nationality[i] != Nationality::foreign_national || !d.policy.offered[k] || !rule_semantics(d.policy.rule[k]).verified_pass)
        return Route::denied;
    const UserState state = u.state[i];
    const bool deciding = state == UserState::active || state == UserState::returned || state == UserState::waiting;
    return d.leakage->reach(i, local, u.segment[i], channel_kind(u.channel[i]) == ChannelKind::api, deciding, d.day,
                            key(Draw::leakage_uptake, begin / agent_block_size), t + L.cell(u.cell[i], m_active), u.weight[i]);
}

// Flags and appeals on a fenced model (appeals.hpp): a flagged user is blocked from its home
// model until an appeal reinstates it. Returns its route home.
Route BlockStep::appeal(std::size_t i, std::size_t local, Route home_route) {
    const std::uint8_t home = u.home[i];
    const std::size_t k = home * d.policy.channels + u.channel[i];
    const bool fenced = d.policy.offered[k] && rule_semantics(d.policy.rule[k]).location_based;
    const bool on_home = u.state[i] == UserState::active || u.state[i] == UserState::returned;
    switch (d.appeals->screen(i, local, home, fenced, fenced && on_home && home_route == Route::permitted, d.day,
                              key(Draw::false_flag, begin / agent_block_size), t + L.cell(u.cell[i], m_active), u.weight[i])) {
        case Appeals::Outcome::unchanged: return home_route;
        case Appeals::Outcome::blocked: return Route::denied;
        case Appeals::Outcome::reinstated_circumventor: break;
    }
    u.flags[i] |= flag_vpn | flag_circumventing;
    return access_to(i, home);
}

// A waiting user: back home if it reopened; else blocked, and switches today with a hazard
// that grows with its dependency, the days blocked and the news.
void BlockStep::wait_or_switch(std::size_t i, std::size_t local, Route home_route) {
    const std::uint8_t home = u.home[i];
    if (home_route != Route::denied) {
        u.state[i] = UserState::active;
        use(i, home, home_route, 1.0, false);
        return;
    }
    u.state[i] = UserState::waiting;
    blocked(i, home);
    if (u.next_event[i] < d.day) u.next_event[i] = switch_day(i, local, d.day);
    if (u.next_event[i] == d.day) {
        const double* utility = d.choices.row(u.segment[i], home, u.channel[i], u.region[i]);
        const std::uint8_t j = pick(utility, model_count, [&](std::size_t m) { return m != home && access_to(i, m) != Route::denied; },
                                    RandomEngine(choice_key, local, Draw::switch_choice, d.day).uniform());
        if (j != no_model) {
            if (models[j].capacity_users) {
                intents->push_back({static_cast<std::uint32_t>(i), j});
                return;
            }
            switch_to(i, j);
            return;
        }
        u.next_event[i] = switch_day(i, local, d.day + 1);  // nowhere to go today: it tries again
    }
    wait(i);
}

// The day a waiting user switches, drawn on `start`: its rate on a day is base_rate x dependency
// x (1 + growth x days blocked) x the news multiplier, all known ahead.
std::int16_t BlockStep::switch_day(std::size_t i, std::size_t local, int start) const {
    const SegmentRates& rate = rates(i);
    if (rate.immediate) return static_cast<std::int16_t>(start);
    const double base = rate.base_rate * dependency(i), growth = rate.growth;
    const int since = u.since[i];
    const double* news = d.params.news.data();
    return clock_day(RandomEngine(switch_key, local, Draw::switch_hazard, start).uniform(), start, d.params.days,
                     [&](int day) { return base * (1 + growth * (day - since)) * news[day]; });
}

// The first fast path, taken by most users on most days: settled on a preferred model that is
// open to everyone on the user's channel (active there, or returned to it), with nothing
// pending. It records what stay_home() would, for a user on its preferred model. Columns and offsets are read through local pointers, so
// the compiler keeps them in registers instead of reloading them after every tally update.
struct FastPath {
    const UserState* state_col;
    const std::uint8_t* home_col;
    const std::uint8_t* channel_col;
    const VerificationStatus* verification_col;
    const std::int32_t* employer_col;
    const std::uint16_t* cell_col;
    const Nationality* nationality_col;
    const std::uint8_t* flags_col;
    const float* value_col;
    const float* tokens_col;
    const std::uint8_t* settled;
    const std::uint8_t* settled_access;
    const double* price_col;
    const double* plan_price;
    const std::uint8_t* provider_col;
    const std::uint8_t* normal;
    const std::uint8_t* controlled;
    double weight;
    std::size_t channels, models, providers, by_model_base, cells, money_base, affected_us_slot, verified_us_slot;

    FastPath(const UserDay& day, const Users& u)
        : state_col(u.state.data()),
          home_col(u.home.data()),
          channel_col(u.channel.data()),
          verification_col(u.verification.data()),
          employer_col(u.employer.data()),
          cell_col(u.cell.data()),
          nationality_col(u.nationality.data()),
          flags_col(u.flags.data()),
          value_col(u.daily_value.data()),
          tokens_col(u.daily_tokens.data()),
          settled(day.settled_home),
          settled_access(day.rules.settled_access.data()),
          price_col(day.params.price_per_token.data()),
          plan_price(day.params.home_plan_price.data()),
          provider_col(day.params.provider.data()),
          normal(day.employers.normal.data()),
          controlled(day.policy.controlled.data()),
          weight(u.weight.value()),
          channels(day.layout.channels),
          models(day.layout.models),
          providers(day.layout.providers),
          by_model_base(day.layout.users_by_model(0, 0)),
          cells(day.layout.cells),
          money_base(day.layout.money(0, 0, 0)),
          affected_us_slot(day.layout.affected_us()),
          verified_us_slot(day.layout.verified_affected_us()) {}

    // Takes user i's day into t if it is on the fast path; else adds nothing and returns false.
    bool operator()(std::size_t i, double* t) const {
        const std::uint8_t h = home_col[i], c = channel_col[i];
        const VerificationStatus v = verification_col[i];
        const std::int32_t employer = employer_col[i];
        const UserState state = state_col[i];
        if ((state != UserState::active && state != UserState::returned) || !settled[h * channels + c] || v == VerificationStatus::pending ||
            v == VerificationStatus::in_review || (employer != no_employer && !normal[employer]))
            return false;
        const Nationality n = nationality_col[i];
        const std::size_t cell = cell_col[i];
        double* tally = t + cell * cell_metric_count;
        tally[m_active] += weight;
        if (state == UserState::returned) tally[m_returned] += weight;  // as stay_home() counts it
        tally[m_value_delivered] += weight * value_col[i];
        double* money = t + money_base + (((cell / channel_kinds) * channels + c) * providers + provider_col[h]) * money_metric_count;
        double paid = 0;
        if (flags_col[i] & flag_pays_home) {
            const double monthly = weight * plan_price[cell * models + h];
            money[money_mrr] += monthly;
            paid = monthly * (12.0 / 365.0);
        } else if (c != channel_consumer) {
            paid = weight * tokens_col[i] * price_col[h];
            money[money_usage] += paid;
        }
        t[by_model_base + h * cells + cell] += weight;
        if (n == Nationality::foreign_national) {
            if (const std::uint8_t k = settled_access[h]) {
                tally[k] += weight;
                if (k == m_access_permitted) tally[m_paid_permitted] += paid;
            }
        } else if (controlled[h] && employer == no_employer) {
            t[affected_us_slot] += weight;
            if (v == VerificationStatus::verified) t[verified_us_slot] += weight;
        }
        return true;
    }
};

// One block's day with settled sums. On an epoch's first day every member is looked at: the
// settled ones add into scratch rows whose entries become the block's sums, the others are
// visited and marked. On the days after the sums are added and the marked members visited, in
// agent order; a marked member found settled joins the sums (its day goes into a row kept all
// zero between users, and from there into the tally and the sums). When the employees' sums no
// longer hold, every employee is looked at again and they are made anew.
class SettledStep {
public:
    SettledStep(const UserDay& day, const Users& u, std::size_t b, double* t, SettledBlocks::Block& block, const FastPath& fast, BlockStep& step)
        : day_(day), u_(u), begin_(b * agent_block_size), end_(std::min(u.size(), begin_ + agent_block_size)), t_(t), block_(block), fast_(fast), step_(step) {
        if (joining_.size() != day.layout.width()) joining_.assign(day.layout.width(), 0.0);
    }

    template <class Visit>
    void run(Visit&& visit) {
        if (!day_.settled_blocks->holds(block_)) {
            start_epoch(visit);
        } else {
            const bool employees_again = !day_.settled_blocks->employees_hold(block_);
            add(block_.individuals);
            if (!employees_again) add(block_.employees);
            wake_timed();
            visit_marked(employees_again, visit);
        }
    }

private:
    template <class Visit>
    void start_epoch(Visit&& visit) {
        const std::size_t width = day_.layout.width(), words = (agent_block_size + 63) / 64;
        thread_local std::vector<double> individuals, employees;
        individuals.assign(width, 0.0);
        employees.assign(width, 0.0);
        block_.visited.assign(words, 0);
        block_.employed.assign(words, 0);
        block_.employers.clear();
        block_.timed.clear();
        for (std::size_t i = begin_; i < end_; ++i) {
            const bool employee = u_.employer[i] != no_employer;
            if (employee) block_.employed[(i - begin_) / 64] |= std::uint64_t{1} << ((i - begin_) % 64);
            if (settled_day(i, employee ? employees.data() : individuals.data())) {
                if (employee) block_.employers.push_back(u_.employer[i]);
                continue;
            }
            if (!employee && join_timed(i)) continue;
            block_.visited[(i - begin_) / 64] |= std::uint64_t{1} << ((i - begin_) % 64);
            visit(i);
        }
        std::sort(block_.employers.begin(), block_.employers.end());
        block_.employers.erase(std::unique(block_.employers.begin(), block_.employers.end()), block_.employers.end());
        compact(individuals, block_.individuals);
        compact(employees, block_.employees);
        add(block_.individuals);
        add(block_.employees);
        block_.epoch = day_.settled_blocks->epoch();
        block_.employees_day = day_.day;
    }

    // The marked members, and every employee when their sums are made again, in agent order.
    template <class Visit>
    void visit_marked(bool employees_again, Visit&& visit) {
        thread_local std::vector<double> employees;  // all zero between blocks
        if (employees_again) {
            if (employees.size() != joining_.size()) employees.assign(joining_.size(), 0.0);
            block_.employers.clear();
        }
        std::vector<std::pair<std::uint16_t, std::uint8_t>> employee_cells;  // (cell, channel) of the settled employees
        for (std::size_t w = 0; w < block_.visited.size(); ++w) {
            const std::uint64_t employed = employees_again ? block_.employed[w] : 0;
            for (std::uint64_t bits = block_.visited[w] | employed; bits; bits &= bits - 1) {
                const std::size_t bit = static_cast<std::size_t>(__builtin_ctzll(bits)), i = begin_ + w * 64 + bit;
                const std::uint64_t mask = std::uint64_t{1} << bit;
                const bool settled = (employed & mask) ? settled_day(i, employees.data()) : join(i) || join_timed(i);
                if (settled) {
                    block_.visited[w] &= ~mask;
                    if (employed & mask) employee_cells.emplace_back(u_.cell[i], u_.channel[i]), block_.employers.push_back(u_.employer[i]);
                    continue;
                }
                block_.visited[w] |= mask;
                visit(i);
            }
        }
        if (employees_again) make_employee_sums(employees, employee_cells);
    }

    // The employees' sums from the row their settled days went into, read (and cleared) at the
    // offsets their cells and channels can add to.
    void make_employee_sums(std::vector<double>& row, std::vector<std::pair<std::uint16_t, std::uint8_t>>& cells) {
        std::sort(cells.begin(), cells.end());
        cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
        std::vector<std::pair<std::uint32_t, double>> entries;
        for (const auto& [cell, channel] : cells)
            for_each_settled_slot(cell, channel, [&](std::size_t k) {
                if (row[k] != 0) entries.emplace_back(static_cast<std::uint32_t>(k), row[k]), row[k] = 0;
            });
        std::sort(entries.begin(), entries.end());
        block_.employees.clear();
        for (const auto& [k, v] : entries) block_.employees.slot.push_back(k), block_.employees.total.push_back(v);
        std::sort(block_.employers.begin(), block_.employers.end());
        block_.employers.erase(std::unique(block_.employers.begin(), block_.employers.end()), block_.employers.end());
        block_.employees_day = day_.day;
        add(block_.employees);
    }

    static void compact(const std::vector<double>& row, SettledBlocks::Sums& sums) {
        sums.clear();
        for (std::size_t k = 0; k < row.size(); ++k)
            if (row[k] != 0) sums.slot.push_back(static_cast<std::uint32_t>(k)), sums.total.push_back(row[k]);
    }

    void add(const SettledBlocks::Sums& sums) {
        for (std::size_t k = 0; k < sums.slot.size(); ++k) t_[sums.slot[k]] += sums.total[k];
    }

    // Whether user i is settled today; if so its day is added to the tally and merged into the sums.
    bool join(std::size_t i) {
        if (!settled_day(i, joining_.data())) return false;
        const bool employee = u_.employer[i] != no_employer;
        take_joining(i, employee ? block_.employees : block_.individuals);
        if (employee) block_.add_employer(u_.employer[i]);
        return true;
    }

    // Whether user i (without an employer) is settled until a later day; if so its day is added
    // to the tally and merged into the sums of that day's members.
    bool join_timed(std::size_t i) {
        const int until = step_.steady_until(i);
        if (!until) return false;
        double* tally = step_.t;
        step_.t = joining_.data();
        if (u_.state[i] == UserState::waiting) step_.stay_waiting(i);
        else step_.stay_elsewhere(i);
        step_.t = tally;
        auto& timed = block_.timed;
        auto at = std::find_if(timed.begin(), timed.end(), [&](const auto& group) { return group.until == until; });
        if (at == timed.end()) at = timed.insert(timed.end(), {until, {}, {}});
        take_joining(i, at->sums);
        at->members.push_back(static_cast<std::uint16_t>(i - begin_));
        return true;
    }

    // Moves user i's day from the joining row into the tally and `sums`, leaving the row all zero.
    void take_joining(std::size_t i, SettledBlocks::Sums& sums) {
        for_each_settled_slot(u_.cell[i], u_.channel[i], [&](std::size_t k) {
            if (joining_[k] == 0) return;
            t_[k] += joining_[k];
            sums.merge(static_cast<std::uint32_t>(k), joining_[k]);
            joining_[k] = 0;
        });
    }

    // Adds the sums of the members settled until a later day, and marks those whose day is today.
    void wake_timed() {
        auto& timed = block_.timed;
        for (std::size_t k = 0; k < timed.size();) {
            if (timed[k].until > day_.day) {
                add(timed[k].sums);
                ++k;
                continue;
            }
            for (const std::uint16_t local : timed[k].members) block_.visited[local / 64] |= std::uint64_t{1} << (local % 64);
            timed[k] = std::move(timed.back());
            timed.pop_back();
        }
    }

    // Adds user i's day into `row` if it is settled: on the fast path, steady on an alternative,
    // or an employee steady behind its moved employer. Returns whether it was.
    bool settled_day(std::size_t i, double* row) {
        if (fast_(i, row)) return true;
        const std::int32_t employer = u_.employer[i];
        if (employer == no_employer ? !step_.steady_elsewhere(i) : !step_.steady_follower(i)) return false;
        double* tally = step_.t;
        step_.t = row;
        if (employer == no_employer) step_.stay_elsewhere(i);
        else step_.follow_employer(i, static_cast<std::size_t>(employer));
        step_.t = tally;
        return true;
    }

    // Calls f on every tally offset a settled user's day can add to: its cell's metrics, the
    // money of its cell and channel, the users of each model in its cell, and the capability-gap
    // and verification-coverage sums.
    template <class F>
    void for_each_settled_slot(std::size_t cell, std::size_t channel, F&& f) const {
        const TallyLayout& L = day_.layout;
        for (std::size_t k = 0; k < cell_metric_count; ++k) f(L.cell(cell, static_cast<CellMetric>(k)));
        for (std::size_t p = 0; p < L.providers; ++p)
            for (std::size_t k = 0; k < money_metric_count; ++k) f(L.money(cell, channel, p) + k);
        for (std::size_t m = 0; m < L.models; ++m) f(L.users_by_model(m, cell));
        for (std::size_t k = L.gap_sum(); k < L.width(); ++k) f(k);
    }

    const UserDay& day_;
    const Users& u_;
    const std::size_t begin_, end_;
    double* t_;
    SettledBlocks::Block& block_;
    const FastPath& fast_;
    BlockStep& step_;
    static thread_local std::vector<double> joining_;  // all zero between users
};

thread_local std::vector<double> SettledStep::joining_;

}  // namespace

void step_users(const UserDay& day, Users& u, std::size_t b, double* t, std::vector<Intent>& intents) {
    BlockStep step(day, u, b, t, &intents);
    const FastPath fast(day, u);
    const std::size_t begin = b * agent_block_size, end = std::min(u.size(), begin + agent_block_size);
    auto visit = [&](std::size_t i) {
        if (fast(i, t)) return;
        if (day.touched) day.touched->keep(u, b);
        step.decide(i);
    };
    if (!day.settled_blocks) {  // the reference: every user decides, none takes a fast path
        for (std::size_t i = begin; i < end; ++i) {
            if (day.touched) day.touched->keep(u, b);
            step.decide(i);
        }
        return;
    }
    SettledStep(day, u, b, t, day.settled_blocks->block(b), fast, step).run(visit);
}

void settle_intents(const UserDay& day, Users& u, double* t, const std::vector<Intent>& intents) {
    // Intents are in agent order; each is settled by a step of its own block (settling defers nobody).
    for (std::size_t k = 0; k < intents.size();) {
        const std::size_t block = intents[k].agent / agent_block_size;
        BlockStep step(day, u, block, t, nullptr);
        for (; k < intents.size() && intents[k].agent / agent_block_size == block; ++k) {
            const Intent& intent = intents[k];
            if (intent.admitted) {
                if (intent.ahead) step.leave_for(intent.agent, intent.model);
                else step.switch_to(intent.agent, intent.model);
            } else {
                t[day.layout.turned_away(intent.model)] += u.weight[intent.agent];
                if (intent.ahead) {
                    step.stay_home(intent.agent, step.access_to(intent.agent, u.home[intent.agent]));
                } else {
                    u.next_event[intent.agent] = step.switch_day(intent.agent, intent.agent - block * agent_block_size, day.day + 1);
                    step.wait(intent.agent);
                }
            }
        }
    }
}

}  // namespace gatesim

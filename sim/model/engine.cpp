// Daily dynamics: the regulator and access rules, enterprises' decisions, identity
// verification, and each user's wait / switch / return choices. Every run also simulates its
// counterfactual (the same world, every rule open) with the same draws.
#include "model/engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/regulation.hpp"
#include "model/metrics.hpp"
#include "model/parallel.hpp"
#include "model/rng.hpp"
#include "model/world.hpp"

namespace gatesim {
namespace {

// Choice utilities of each alternative, excluding access (checked per user when it chooses):
// capability, log price, loyalty to the home provider, switching cost, promotions and other
// jurisdictions' responses. Indexed by (segment, home, channel, region) then alternative.
class ChoiceUtilities {
public:
    ChoiceUtilities(const Scenario& s, const World& w)
        : s_(s), w_(w), models_(s.models.size()), channels_(w.channels), regions_(s.regions.size()) {
        utility_.resize(s.segments.size() * models_ * channels_ * regions_ * models_);
    }

    // Recomputes when promotions or responses change; returns whether they did.
    bool update(int day) {
        std::vector<double> boost(s_.providers.size() * regions_, 0.0);
        for (std::size_t p = 0; p < s_.providers.size(); ++p) {
            const auto& promo = s_.providers[p].promotion;
            const int start = s_.directive.stages.empty() ? -1 : s_.directive.day + (promo ? promo->start_after_directive_days : 0);
            if (promo && start >= 0 && day >= start && day < start + promo->duration_days)
                for (std::size_t r = 0; r < regions_; ++r) boost[p * regions_ + r] += promo->utility;
        }
        for (const auto& response : s_.regulator.responses) {
            if (s_.directive.stages.empty() || day < s_.directive.day + response.after_days) continue;
            for (std::size_t p = 0; p < s_.providers.size(); ++p) {
                if (s_.providers[p].jurisdiction != response.boosts) continue;
                for (std::size_t r = 0; r < regions_; ++r)
                    if (response.regions.empty() ||
                        std::find(response.regions.begin(), response.regions.end(), s_.regions[r].id) != response.regions.end())
                        boost[p * regions_ + r] += response.utility;
            }
        }
        if (computed_ && boost == boost_) return false;
        boost_ = boost;
        computed_ = true;
        for (std::size_t g = 0; g < s_.segments.size(); ++g) {
            const Segment& seg = s_.segments[g];
            for (std::size_t h = 0; h < models_; ++h)
                for (std::size_t c = 0; c < channels_; ++c)
                    for (std::size_t r = 0; r < regions_; ++r) {
                        double* u = mutable_row(g, h, c, r);
                        for (std::size_t j = 0; j < models_; ++j) {
                            const Model& m = s_.models[j];
                            const auto pj = static_cast<std::size_t>(w_.model_provider[j]);
                            const bool same = w_.model_provider[j] == w_.model_provider[h];
                            const double cost = seg.switching_cost * (c >= channel_cloud_first ? 0.5 : 1.0) * (m.open_weight ? 2.0 : 1.0);
                            u[j] = seg.capability_weight * m.capability - seg.price_weight * std::log1p(m.price) +
                                   (same ? seg.provider_loyalty : -cost) + boost_[pj * regions_ + r];
                        }
                    }
        }
        return true;
    }

    const double* row(std::size_t g, std::size_t h, std::size_t c, std::size_t r) const {
        return &utility_[(((g * models_ + h) * channels_ + c) * regions_ + r) * models_];
    }

private:
    double* mutable_row(std::size_t g, std::size_t h, std::size_t c, std::size_t r) {
        return &utility_[(((g * models_ + h) * channels_ + c) * regions_ + r) * models_];
    }

    const Scenario& s_;
    const World& w_;
    std::size_t models_, channels_, regions_;
    std::vector<double> utility_;
    std::vector<double> boost_;
    bool computed_ = false;
};

struct SegmentRates {
    double base_rate;         // daily switching rate at the start of a block (1/patience)
    bool immediate;           // patience 0: switch on the day of the block
    double growth;            // impatience growth per day blocked
    double central_value;     // a typical user's daily value, to scale dependency
    double return_probability;
    double return_decay;      // per day away, log2 units
    double quality_gap_weight;
    double uptake;
};

// A user who chose a capacity-limited model today and waits for admission.
struct Intent {
    std::uint32_t agent;
    std::uint8_t model;
    bool admitted = true;
};

// One trajectory: the scenario with its rules, or the counterfactual with every rule open.
class Simulation {
public:
    Simulation(const Scenario& s, World world, const RunOptions& options, bool enforce,
               const std::vector<std::uint8_t>* controlled_mask)
        : s_(s),
          w_(std::move(world)),
          options_(options),
          layout_(s, w_),
          regulation_(s, w_, options.replicate, enforce),
          choices_(s, w_),
          controlled_mask_(controlled_mask),
          blocks_((w_.users.size() + agent_block_size - 1) / agent_block_size) {
        for (const auto& g : s.segments)
            rates_.push_back({g.patience_days > 0 ? 1.0 / g.patience_days : 0.0, g.patience_days <= 0, g.impatience_growth,
                              std::max(1e-12, g.tasks_per_day.central() * g.value_per_task), g.return_probability,
                              1.0 / g.return_half_life_days, g.quality_gap_weight, g.verification_uptake});
        const std::size_t m = s.models.size();
        value_ratio_.resize(m * m);
        for (const auto& model : s.models) price_per_token_.push_back(model.price / 1e6);
        for (std::size_t h = 0; h < m; ++h)
            for (std::size_t j = 0; j < m; ++j)
                value_ratio_[h * m + j] = s.models[h].capability > 0 ? std::min(1.0, s.models[j].capability / s.models[h].capability) : 1.0;
        tallies_.resize(blocks_ * layout_.width());
        intents_.resize(blocks_);
        disrupted_.resize(w_.enterprises.size());
        enterprise_normal_.assign(w_.enterprises.size(), 1);
        successor_.assign(m, no_model);
        for (std::size_t j = 0; j < m; ++j)
            if (!s.models[j].successor_of.empty()) successor_[static_cast<std::size_t>(index_of(s.models, s.models[j].successor_of))] = static_cast<std::uint8_t>(j);
        stationary_ = (!enforce || s.directive.stages.empty()) &&
                      std::all_of(successor_.begin(), successor_.end(), [](std::uint8_t j) { return j == no_model; });
        trajectory_.daily.assign(static_cast<std::size_t>(s.days) * layout_.width(), 0.0);
        trajectory_.enterprises_by_state.assign(static_cast<std::size_t>(s.days) * enterprise_state_count, 0.0);
        trajectory_.migration_cost.assign(static_cast<std::size_t>(s.days), 0.0);
        trajectory_.verification_cost.assign(static_cast<std::size_t>(s.days), 0.0);
        trajectory_.controlled.assign(static_cast<std::size_t>(s.days) * m, 0);
        trajectory_.initial_home_users.assign(m, 0.0);
        for (std::size_t i = 0; i < w_.users.size(); ++i) trajectory_.initial_home_users[w_.users.home[i]] += w_.users.weight[i];
    }

    Trajectory run() {
        double coverage = 0;
        for (int day = 0; day < s_.days; ++day) {
            if (options_.cancel && options_.cancel->load()) throw Cancelled();
            if (stationary_ && day > 0) {
                repeat_yesterday(day);
                continue;
            }
            current_day_ = day;
            policy_ = &regulation_.advance(day, coverage);
            policy_changed_today_ = day == 0 || regulation_.policy_changed();
            if (policy_changed_today_) refresh_policy_caches();
            choices_.update(day);
            std::copy(policy_->controlled.begin(), policy_->controlled.end(),
                      trajectory_.controlled.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(day) * s_.models.size()));
            step_enterprises(day);
            plan_verification_service(day);
            news_multiplier_ = 1.0;
            for (const auto& n : s_.regulator.news)
                if (!s_.directive.stages.empty() && day >= n.day) news_multiplier_ *= n.hazard_multiplier;

            for_each_block(blocks_, options_.threads, [&](std::size_t b) { step_users(b, day); });
            admit_surge(day);
            for_each_block(blocks_, options_.threads, [&](std::size_t b) { settle_intents(b, day); });
            reduce(day);

            const double* today = &trajectory_.daily[static_cast<std::size_t>(day) * layout_.width()];
            coverage = today[layout_.affected_us()] > 0 ? today[layout_.verified_affected_us()] / today[layout_.affected_us()] : 0.0;
            queue_ = today[layout_.verification(v_queue)];
            if (options_.progress) options_.progress(day + 1, s_.days);
        }
        trajectory_.first_stage_day = regulation_.first_stage_day();
        trajectory_.decision_day = regulation_.decision_day();
        trajectory_.escalation_day = regulation_.escalation_day();
        return std::move(trajectory_);
    }

    const World& world() const { return w_; }

    // With every rule open and no successor to adopt, nobody ever leaves its preferred model:
    // each day records what day 0 did, so the counterfactual computes one day. Only foreign
    // access depends on the day, through the scenario's controlled models.
    void repeat_yesterday(int day) {
        const std::size_t width = layout_.width(), d = static_cast<std::size_t>(day);
        auto& daily = trajectory_.daily;
        std::copy_n(daily.begin() + static_cast<std::ptrdiff_t>((d - 1) * width), width, daily.begin() + static_cast<std::ptrdiff_t>(d * width));
        // Foreign access counts against the scenario's controlled models of the day.
        if (controlled_mask_) {
            double* row = &daily[d * width];
            const std::uint8_t* mask = &(*controlled_mask_)[d * s_.models.size()];
            double foreign = 0;
            for (std::size_t m = 0; m < s_.models.size(); ++m)
                if (mask[m]) foreign += row[layout_.users_by_model(m, Nationality::foreign_national)];
            row[layout_.foreign_route(Route::permitted)] = foreign;
        }
        auto& states = trajectory_.enterprises_by_state;
        std::copy_n(states.begin() + static_cast<std::ptrdiff_t>((d - 1) * enterprise_state_count), enterprise_state_count,
                    states.begin() + static_cast<std::ptrdiff_t>(d * enterprise_state_count));
        if (options_.progress) options_.progress(day + 1, s_.days);
    }
    const TallyLayout& layout() const { return layout_; }

private:
    // The best capability a blocked foreign national can still reach, per channel, region and
    // VPN use; it changes only with the rules.
    void refresh_policy_caches() {
        const std::size_t channels = w_.channels, regions = s_.regions.size();
        best_capability_.assign(channels * regions * 2 * 2, 0.0);
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t r = 0; r < regions; ++r)
                for (int vpn = 0; vpn < 2; ++vpn) {
                    double best = 0, best_cyber = 0;
                    for (std::size_t j = 0; j < s_.models.size(); ++j) {
                        if (!policy_->is_offered(j, c)) continue;
                        if (!reachable_without_credentials(policy_->rule_for(j, c), policy_->fenced[r] != 0, vpn != 0)) continue;
                        best = std::max(best, s_.models[j].capability);
                        best_cyber = std::max(best_cyber, s_.models[j].cyber_capability);
                    }
                    const std::size_t k = ((c * regions + r) * 2 + static_cast<std::size_t>(vpn)) * 2;
                    best_capability_[k] = best;
                    best_capability_[k + 1] = best_cyber;
                }
        // Where a settled user needs no per-user decision: its preferred model is offered on its
        // channel under a rule that admits everyone and has no successor to adopt.
        settled_home_.assign(s_.models.size() * channels, 0);
        for (std::size_t j = 0; j < s_.models.size(); ++j)
            for (std::size_t c = 0; c < channels; ++c)
                settled_home_[j * channels + c] =
                    policy_->is_offered(j, c) && admits_everyone(policy_->rule_for(j, c)) && successor_[j] == no_model;
        // One verification programme serves every channel: while a verification gate governs a model
        // on any channel, its blocked users may apply (e.g. consumers while only the API has reopened).
        verification_open_.assign(s_.models.size(), 0);
        for (std::size_t j = 0; j < s_.models.size(); ++j)
            for (std::size_t c = 0; c < channels; ++c)
                if (applicants_may_verify(policy_->rule_for(j, c))) verification_open_[j] = 1;
        // The verification capacity ramp starts with the first verification gate.
        if (gate_start_ < 0 && std::any_of(policy_->rule.begin(), policy_->rule.end(), applicants_may_verify))
            gate_start_ = current_day_;
    }

    void plan_verification_service(int day) {
        const Verification& v = s_.verification;
        double capacity = 0;
        if (gate_start_ >= 0) {
            const double ramp = v.ramp_days > 0 ? std::min(1.0, (day - gate_start_ + 1) / static_cast<double>(v.ramp_days)) : 1.0;
            capacity = v.capacity_per_day * ramp;
        }
        // Every queued applicant has the same chance to be served today: the queue drains at
        // the day's capacity, in random order.
        serve_probability_ = queue_ > 0 ? std::min(1.0, capacity / queue_) : (capacity > 0 ? 1.0 : 0.0);
    }

    bool enterprise_disrupted(std::size_t e) const { return !enterprise_can_use(e, w_.enterprises.primary[e]); }
    bool enterprise_can_use(std::size_t e, std::size_t model) const { return gatesim::enterprise_can_use(*policy_, w_.enterprises, e, model); }

    // A migration target by logit over what the enterprise can use on its channel.
    std::uint8_t migration_target(std::size_t e, int day) {
        const EnterpriseTable& t = w_.enterprises;
        const int segment = std::max(0, index_of(s_.segments, s_.enterprises.employee_segment));
        const double* u = choices_.row(static_cast<std::size_t>(segment), t.primary[e], t.channel[e], t.region[e]);
        RandomEngine rng(StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::migration_target), e / agent_block_size),
                         e % agent_block_size, Draw::migration_target, day);
        return pick(u, [&](std::size_t j) { return j != t.primary[e] && enterprise_can_use(e, j); }, rng.uniform());
    }

    template <class Allowed>
    std::uint8_t pick(const double* utility, Allowed allowed, double uniform) const {
        const std::size_t m = s_.models.size();
        double weights[max_models + 1];
        double top = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < m; ++j) {
            weights[j] = allowed(j) ? utility[j] : -std::numeric_limits<double>::infinity();
            top = std::max(top, weights[j]);
        }
        if (top == -std::numeric_limits<double>::infinity()) return no_model;
        double total = 0;
        for (std::size_t j = 0; j < m; ++j) total += (weights[j] = std::isinf(weights[j]) ? 0.0 : std::exp(weights[j] - top));
        double acc = 0;
        std::uint8_t last = no_model;
        for (std::size_t j = 0; j < m; ++j) {
            if (weights[j] == 0) continue;
            last = static_cast<std::uint8_t>(j);
            acc += weights[j] / total;
            if (uniform < acc) return last;
        }
        return last;
    }

    void step_enterprises(int day) {
        EnterpriseTable& t = w_.enterprises;
        const Enterprises& spec = s_.enterprises;
        double* by_state = &trajectory_.enterprises_by_state[static_cast<std::size_t>(day) * enterprise_state_count];
        for (std::size_t e = 0; e < t.size(); ++e) {
            const bool disrupted = enterprise_disrupted(e);
            disrupted_[e] = disrupted;
            const auto rule = policy_->rule_for(t.primary[e], t.channel[e]);
            auto set = [&](EnterpriseState st) {
                t.state[e] = st;
                t.since[e] = static_cast<std::int16_t>(day);
            };
            const bool may_attest = enterprise_may_attest(rule) &&
                                    t.foreign_share[e] * (1 + t.risk_aversion[e]) <= spec.attest_max_foreign_share;
            auto attest = [&] { set(spec.attestation_setup_days > 0 ? EnterpriseState::attestation_setup : EnterpriseState::attesting); };
            auto react = [&] {  // first day of a disruption
                if (may_attest) {
                    attest();
                } else if (t.fallback[e] != no_model && enterprise_can_use(e, t.fallback[e])) {
                    set(EnterpriseState::failed_over);
                    t.current[e] = t.fallback[e];
                } else {
                    set(EnterpriseState::waiting);
                }
            };
            const int elapsed = day - t.since[e];
            switch (t.state[e]) {
                case EnterpriseState::normal:
                    if (disrupted) react();
                    break;
                case EnterpriseState::waiting: {
                    if (!disrupted) {
                        set(EnterpriseState::normal);
                        break;
                    }
                    if (may_attest) {  // e.g. a shutdown became a nationality gate
                        attest();
                        break;
                    }
                    // Migrate once the outage it expects to sit through, weighted by its aversion to
                    // risk, exceeds the engineering time a migration takes.
                    const double expected = spec.outage_belief_days + spec.belief_growth * elapsed;
                    if (expected * (1 + t.risk_aversion[e]) >= t.integration_days[e]) {
                        const std::uint8_t target = migration_target(e, day);
                        if (target != no_model) {
                            t.target[e] = target;
                            set(EnterpriseState::migrating);
                        }
                    }
                    break;
                }
                case EnterpriseState::failed_over:
                    if (disrupted && !enterprise_can_use(e, t.current[e])) {  // the fallback was restricted too
                        t.current[e] = t.primary[e];
                        set(EnterpriseState::waiting);
                    } else if (!disrupted) {
                        RandomEngine rng(StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::failover_return), e / agent_block_size),
                                         e % agent_block_size, Draw::failover_return, t.since[e]);
                        if (rng.uniform() < spec.failover_return_probability) {
                            set(EnterpriseState::normal);
                            t.current[e] = t.primary[e];
                        } else {
                            set(EnterpriseState::migrated);
                            t.target[e] = t.current[e];
                        }
                    }
                    break;
                case EnterpriseState::migrating:
                    if (!disrupted) {
                        set(EnterpriseState::normal);
                    } else if (elapsed >= t.integration_days[e]) {
                        set(EnterpriseState::migrated);
                        t.current[e] = t.target[e];
                        trajectory_.migration_cost[static_cast<std::size_t>(day)] +=
                            t.weight[e] * t.integration_days[e] * spec.migration_cost_per_day;
                    }
                    break;
                case EnterpriseState::migrated:
                    // A later rule (e.g. escalation) can close the new model: decide afresh.
                    if (!enterprise_can_use(e, t.current[e])) {
                        t.current[e] = t.primary[e];
                        set(EnterpriseState::waiting);
                    }
                    break;
                case EnterpriseState::attestation_setup:
                case EnterpriseState::attesting:
                    if (!disrupted) set(EnterpriseState::normal);
                    else if (!enterprise_may_attest(rule)) react();
                    else if (t.state[e] == EnterpriseState::attestation_setup && elapsed >= spec.attestation_setup_days)
                        set(EnterpriseState::attesting);
                    break;
            }
            by_state[static_cast<std::size_t>(t.state[e])] += t.weight[e];
            enterprise_normal_[e] = t.state[e] == EnterpriseState::normal;
        }
    }

    // One block of users for one day. Users choosing a capacity-limited model are deferred to
    // settle_intents, once the day's total demand is known.
    void step_users(std::size_t b, int day) {
        Users& u = w_.users;
        const EnterpriseTable& ent = w_.enterprises;
        const TallyLayout& L = layout_;
        const DayPolicy& p = *policy_;
        const std::size_t models = s_.models.size();
        double* t = &tallies_[b * L.width()];
        std::fill(t, t + L.width(), 0.0);
        intents_[b].clear();
        const auto switch_key = StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::switch_hazard), b);
        const auto choice_key = StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::switch_choice), b);
        const auto return_key = StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::return_home), b);
        const auto verify_key = StreamKey::of(s_.seed, options_.replicate, Purpose::verification, b);  // applying and progress
        const std::uint8_t* mask = controlled_mask_ ? &(*controlled_mask_)[static_cast<std::size_t>(day) * models] : p.controlled.data();
        const bool enterprises_on = ent.size() > 0;
        const std::size_t begin = b * agent_block_size, end = std::min(u.size(), begin + agent_block_size);

        // The fast path reads columns and offsets through local pointers, so the compiler keeps
        // them in registers instead of reloading them after every tally update.
        const UserState* state_col = u.state.data();
        const std::uint8_t* home_col = u.home.data();
        const std::uint8_t* channel_col = u.channel.data();
        const VerificationStatus* verification_col = u.verification.data();
        const std::int32_t* employer_col = u.employer.data();
        const std::uint16_t* cell_col = u.cell.data();
        const Nationality* nationality_col = u.nationality.data();
        const double* weight_col = u.weight.data();
        const float* value_col = u.daily_value.data();
        const float* tokens_col = u.daily_tokens.data();
        const std::uint8_t* settled = settled_home_.data();
        const double* price_col = price_per_token_.data();
        const std::uint8_t* normal = enterprise_normal_.data();
        const std::size_t channels = w_.channels;
        const std::size_t by_model_base = L.users_by_model(0, Nationality::us_person);
        const std::size_t tokens_base = L.tokens(0, 0);
        const std::size_t permitted_slot = L.foreign_route(Route::permitted);
        const std::size_t affected_us_slot = L.affected_us();
        const std::size_t verified_us_slot = L.verified_affected_us();
        const std::uint8_t* controlled = p.controlled.data();

        for (std::size_t i = begin; i < end; ++i) {
            // Fast path, taken by most users on most days: settled on a preferred model that is
            // open to everyone on the user's channel, with nothing pending. It records what
            // use() would, for a user on its preferred model.
            {
                const std::uint8_t h = home_col[i], c = channel_col[i];
                const VerificationStatus v = verification_col[i];
                const std::int32_t employer = employer_col[i];
                if (state_col[i] == UserState::active && settled[h * channels + c] && v != VerificationStatus::pending &&
                    v != VerificationStatus::in_review && (employer == no_employer || normal[employer])) {
                    const double weight = weight_col[i];
                    const Nationality n = nationality_col[i];
                    double* tally = t + static_cast<std::size_t>(cell_col[i]) * cell_metric_count;
                    tally[m_active] += weight;
                    tally[m_value_delivered] += weight * value_col[i];
                    const double tokens = weight * tokens_col[i];
                    tally[m_spend] += tokens * price_col[h];
                    t[by_model_base + h * 2 + static_cast<std::size_t>(n)] += weight;
                    t[tokens_base + h * channels + c] += tokens;
                    if (n == Nationality::foreign_national) {
                        if (mask[h]) t[permitted_slot] += weight;
                    } else if (controlled[h] && employer == no_employer) {
                        t[affected_us_slot] += weight;
                        if (v == VerificationStatus::verified) t[verified_us_slot] += weight;
                    }
                    continue;
                }
            }

            const double w = u.weight[i];
            const std::uint8_t home = u.home[i];
            const std::size_t cell = u.cell[i];
            const std::size_t local = i - begin;

            // Second fast path: a user settled on an alternative, on a day the rules did not
            // change. Being switched means its preferred model is closed to it and being churned
            // means it is open; neither can change without a new rule or a verification outcome.
            const UserState settled = u.state[i];
            if (!policy_changed_today_ && (settled == UserState::switched || settled == UserState::churned) &&
                u.employer[i] == no_employer && u.verification[i] != VerificationStatus::pending &&
                u.verification[i] != VerificationStatus::in_review) {
                const std::uint8_t alt = u.current[i];
                count_affected_us(t, i);
                if (settled == UserState::switched) blocked(t, i, home);
                const Route route = mask[alt] ? access(p, u, i, alt, ent) : Route::permitted;
                use(t, i, alt, route, value_ratio_[home * models + alt], mask);
                t[L.cell(cell, m_switched)] += w;
                continue;
            }

            // Verification already under way progresses first; its outcome governs today's access.
            if (u.verification[i] == VerificationStatus::pending || u.verification[i] == VerificationStatus::in_review)
                progress_verification(t, i, local, day, verify_key);

            const std::int32_t employer = enterprises_on ? u.employer[i] : no_employer;
            if (employer != no_employer) {
                const auto e = static_cast<std::size_t>(employer);
                const EnterpriseState es = ent.state[e];
                const bool individually = es == EnterpriseState::attesting && !(u.flags[i] & flag_attested);
                if (!individually) {
                    follow_employer(t, i, e, day, mask);
                    continue;
                }
            }

            count_affected_us(t, i);
            Route home_route = access(p, u, i, home, ent);
            // A blocked user may apply for verification whenever a gate it could pass governs its
            // preferred model, including after a shutdown turns into a gate.
            if (home_route == Route::denied && !(u.flags[i] & flag_applied)) consider_applying(t, i, local, day, verify_key);
            UserState state = u.state[i];
            if (state == UserState::active && successor_[home] != no_model && adopt(i, local, day, ent)) {
                // Adopted the successor: it is the user's preferred model from now on.
                t[L.flow(home, successor_[home])] += w;
                u.home[i] = u.current[i] = successor_[home];
                use(t, i, u.home[i], access(p, u, i, u.home[i], ent), 1.0, mask);
                continue;
            }
            if (state == UserState::active || state == UserState::returned) {
                if (home_route != Route::denied) {
                    use(t, i, home, home_route, 1.0, mask);
                    if (state == UserState::returned) t[L.cell(cell, m_returned)] += w;
                    continue;
                }
                state = UserState::waiting;
                u.since[i] = static_cast<std::int16_t>(day);
            }
            if (state == UserState::churned || state == UserState::switched) {
                if (home_route != Route::denied && state == UserState::switched) {
                    // Return decision, once, when the home model opens again. The draw is keyed by
                    // the switch day so that a later reopening changes only the probability.
                    const double away = day - u.since[i];
                    const double p0 = rates_[u.segment[i]].return_probability * std::exp2(-away * rates_[u.segment[i]].return_decay);
                    const double gap = s_.models[home].capability - s_.models[u.current[i]].capability;
                    const double odds = p0 * std::exp(rates_[u.segment[i]].quality_gap_weight * gap);
                    const double prob = p0 >= 1 ? 1.0 : odds / (1 - p0 + odds);
                    if (RandomEngine(return_key, local, Draw::return_home, u.since[i]).uniform() < prob) {
                        t[L.flow(u.current[i], home)] += w;
                        u.current[i] = home;
                        u.state[i] = UserState::returned;
                        u.since[i] = static_cast<std::int16_t>(day);
                        use(t, i, home, home_route, 1.0, mask);
                        t[L.cell(cell, m_returned)] += w;
                        continue;
                    }
                    state = UserState::churned;
                    u.since[i] = static_cast<std::int16_t>(day);
                }
                const Route alt_route = access(p, u, i, u.current[i], ent);
                if (alt_route != Route::denied) {
                    u.state[i] = state;
                    if (home_route == Route::denied) blocked(t, i, home);
                    use(t, i, u.current[i], alt_route, value_ratio_[home * models + u.current[i]], mask);
                    t[L.cell(cell, m_switched)] += w;
                    continue;
                }
                // The alternative closed too (e.g. escalation): go home if possible, else wait.
                if (home_route != Route::denied) {
                    t[L.flow(u.current[i], home)] += w;
                    u.current[i] = home;
                    u.state[i] = UserState::active;
                    use(t, i, home, home_route, 1.0, mask);
                    continue;
                }
                state = UserState::waiting;
                u.since[i] = static_cast<std::int16_t>(day);
            }
            // Waiting.
            if (home_route != Route::denied) {
                u.state[i] = UserState::active;
                use(t, i, home, home_route, 1.0, mask);
                continue;
            }
            u.state[i] = UserState::waiting;
            blocked(t, i, home);
            const SegmentRates& rate = rates_[u.segment[i]];
            const double dependency = std::clamp(u.daily_value[i] / rate.central_value, 0.1, 10.0);
            const double hazard = rate.immediate ? 1.0
                                                 : -std::expm1(-rate.base_rate * dependency * (1 + rate.growth * (day - u.since[i])) * news_multiplier_);
            if (RandomEngine(switch_key, local, Draw::switch_hazard, day).uniform() < hazard) {
                const double* utility = choices_.row(u.segment[i], home, u.channel[i], u.region[i]);
                const std::uint8_t j = pick(utility, [&](std::size_t m) { return m != home && access(p, u, i, m, ent) != Route::denied; },
                                            RandomEngine(choice_key, local, Draw::switch_choice, day).uniform());
                if (j != no_model) {
                    if (s_.models[j].capacity_users) {
                        intents_[b].push_back({static_cast<std::uint32_t>(i), j});
                        continue;
                    }
                    switch_to(t, i, j, day, mask);
                    continue;
                }
            }
            wait(t, i);
        }
    }

    // A settled user adopts a released successor of its preferred model with a daily hazard.
    bool adopt(std::size_t i, std::size_t local, int day, const EnterpriseTable& ent) const {
        const Users& u = w_.users;
        const std::uint8_t next = successor_[u.home[i]];
        if (access(*policy_, u, i, next, ent) == Route::denied) return false;
        const double days = s_.segments[u.segment[i]].adoption_days;
        const double hazard = days <= 0 ? 1.0 : -std::expm1(-1.0 / days);
        const auto key = StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::adoption), i / agent_block_size);
        return RandomEngine(key, local, Draw::adoption, day).uniform() < hazard;
    }

    // Employees use what their employer uses for work.
    void follow_employer(double* t, std::size_t i, std::size_t e, int day, const std::uint8_t* mask) {
        Users& u = w_.users;
        const EnterpriseTable& ent = w_.enterprises;
        const TallyLayout& L = layout_;
        const std::size_t models = s_.models.size();
        const double w = u.weight[i];
        const std::uint8_t home = u.home[i];
        const std::size_t cell = u.cell[i];
        const UserState before = u.state[i];
        const std::uint8_t before_model = before == UserState::waiting ? home : u.current[i];
        auto move_to = [&](std::uint8_t model, UserState state) {
            if (model != before_model) t[L.flow(before_model, model)] += w;
            u.current[i] = model;
            if (state != before) u.since[i] = static_cast<std::int16_t>(day);
            u.state[i] = state;
        };
        switch (ent.state[e]) {
            case EnterpriseState::normal:
            case EnterpriseState::attesting: {  // attesting: this employee is attested
                const bool was_away = before == UserState::switched || before == UserState::churned || before == UserState::returned;
                const Route route = access(*policy_, u, i, home, ent);
                if (route == Route::denied) {  // e.g. a foreign employee of a vetted firm under another rule
                    if (before != UserState::waiting) u.since[i] = static_cast<std::int16_t>(day);
                    u.state[i] = UserState::waiting;
                    blocked(t, i, home);
                    wait(t, i);
                    return;
                }
                move_to(home, was_away ? UserState::returned : UserState::active);
                use(t, i, home, route, 1.0, mask);
                if (was_away) t[L.cell(cell, m_returned)] += w;
                return;
            }
            case EnterpriseState::waiting:
            case EnterpriseState::migrating:
            case EnterpriseState::attestation_setup:
                if (before != UserState::waiting) u.since[i] = static_cast<std::int16_t>(day);
                u.state[i] = UserState::waiting;
                blocked(t, i, home);
                wait(t, i);
                return;
            case EnterpriseState::failed_over:
            case EnterpriseState::migrated: {
                const std::uint8_t model = ent.current[e];
                const bool still_blocked = disrupted_[e];
                move_to(model, still_blocked ? UserState::switched : UserState::churned);
                if (still_blocked) blocked(t, i, home);
                double ratio = value_ratio_[home * models + model];
                if (ent.state[e] == EnterpriseState::failed_over && s_.models[home].capability > 0)
                    ratio = std::clamp((s_.models[model].capability - s_.enterprises.failover_capability_loss) / s_.models[home].capability, 0.0, 1.0);
                // The employer moved only to a model it can use, so the rule lets its staff through.
                use(t, i, model, access(*policy_, u, i, model, ent), ratio, mask);
                t[L.cell(cell, m_switched)] += w;
                return;
            }
        }
    }

    // Verification coverage is measured over individual US persons whose preferred model is controlled.
    void count_affected_us(double* t, std::size_t i) const {
        const Users& u = w_.users;
        if (u.nationality[i] != Nationality::us_person || u.employer[i] != no_employer || !policy_->controlled[u.home[i]]) return;
        t[layout_.affected_us()] += u.weight[i];
        if (u.verification[i] == VerificationStatus::verified) t[layout_.verified_affected_us()] += u.weight[i];
    }

    void consider_applying(double* t, std::size_t i, std::size_t local, int day, StreamKey key) {
        Users& u = w_.users;
        if ((u.flags[i] & flag_applied) || !verification_open_[u.home[i]]) return;
        u.flags[i] |= flag_applied;
        const bool us = u.nationality[i] == Nationality::us_person;
        // Foreign nationals apply only if they would attest falsely; the draw for that was made once.
        const bool wants = us ? RandomEngine(key, local, Draw::verification_applying, day).uniform() < rates_[u.segment[i]].uptake
                              : (u.flags[i] & flag_false_attester) != 0;
        if (!wants) return;
        u.verification[i] = VerificationStatus::pending;
        u.verification_since[i] = static_cast<std::int16_t>(day);
        t[layout_.verification(v_applied)] += u.weight[i];
        t[layout_.verification(v_queue)] += u.weight[i];
    }

    void progress_verification(double* t, std::size_t i, std::size_t local, int day, StreamKey key) {
        Users& u = w_.users;
        const TallyLayout& L = layout_;
        const Verification& v = s_.verification;
        const double w = u.weight[i];
        const bool us = u.nationality[i] == Nationality::us_person;
        RandomEngine rng(key, local, Draw::verification_progress, day);
        auto decide = [&](double false_reject, double false_accept) {
            const bool pass = us ? rng.uniform() >= false_reject : rng.uniform() < false_accept;
            if (pass) {
                u.verification[i] = VerificationStatus::verified;
                t[L.verification(us ? v_verified_us : v_false_accept)] += w;
                return;
            }
            t[L.verification(us ? v_false_reject : v_rejected_foreign)] += w;
            u.tries[i] = static_cast<std::uint8_t>(std::min(255, u.tries[i] + 1));
            u.verification[i] = u.tries[i] <= v.retries ? VerificationStatus::pending : VerificationStatus::rejected;
            u.verification_since[i] = static_cast<std::int16_t>(day);
        };
        if (u.verification[i] == VerificationStatus::pending) {
            if (u.verification_since[i] == day) {  // applied today: queued from tomorrow
                t[L.verification(v_queue)] += w;
                return;
            }
            if (rng.uniform() < v.abandon_daily) {
                u.verification[i] = VerificationStatus::abandoned;
                t[L.verification(v_abandoned)] += w;
                return;
            }
            if (rng.uniform() < serve_probability_) {
                t[L.verification(v_checks)] += w;
                if (rng.uniform() < v.abandon_at_check) {
                    u.verification[i] = VerificationStatus::abandoned;
                    t[L.verification(v_abandoned)] += w;
                    return;
                }
                if (rng.uniform() < v.human_review_share) {
                    u.verification[i] = VerificationStatus::in_review;
                    u.verification_since[i] = static_cast<std::int16_t>(day);
                    t[L.verification(v_reviews)] += w;
                } else {
                    decide(v.false_reject, v.false_accept);
                }
            }
        } else if (day - u.verification_since[i] >= v.human_review_days) {
            decide(v.human_false_reject, v.human_false_accept);
        }
        if (u.verification[i] == VerificationStatus::pending) t[L.verification(v_queue)] += w;
        if (u.verification[i] == VerificationStatus::in_review) t[L.verification(v_in_review)] += w;
    }

    void use(double* t, std::size_t i, std::size_t model, Route route, double ratio, const std::uint8_t* mask) {
        const Users& u = w_.users;
        const TallyLayout& L = layout_;
        const double w = u.weight[i];
        const std::size_t cell = u.cell[i];
        const double value = w * u.daily_value[i] * ratio;
        if (model == u.home[i]) t[L.cell(cell, m_active)] += w;
        t[L.cell(cell, m_value_delivered)] += value;
        t[L.cell(cell, m_value_lost)] += w * u.daily_value[i] - value;
        t[L.users_by_model(model, u.nationality[i])] += w;
        t[L.tokens(model, u.channel[i])] += w * u.daily_tokens[i];
        t[L.cell(cell, m_spend)] += w * u.daily_tokens[i] * price_per_token_[model];
        if (u.nationality[i] == Nationality::foreign_national && mask[model])
            t[L.foreign_route(route == Route::denied ? Route::permitted : route)] += w;
    }

    void blocked(double* t, std::size_t i, std::size_t home) {
        const Users& u = w_.users;
        const TallyLayout& L = layout_;
        const double w = u.weight[i];
        t[L.cell(u.cell[i], m_blocked)] += w;
        if (u.nationality[i] == Nationality::us_person) {
            t[L.us_blocked()] += w;
        } else if (policy_->controlled[home]) {
            const std::size_t k = ((u.channel[i] * s_.regions.size() + u.region[i]) * 2 + ((u.flags[i] & flag_vpn) ? 1 : 0)) * 2;
            t[L.gap_sum()] += w * std::max(0.0, s_.models[home].capability - best_capability_[k]);
            t[L.cyber_gap_sum()] += w * std::max(0.0, s_.models[home].cyber_capability - best_capability_[k + 1]);
            t[L.gap_weight()] += w;
        }
    }

    void wait(double* t, std::size_t i) {
        const Users& u = w_.users;
        const double w = u.weight[i];
        t[layout_.cell(u.cell[i], m_waiting)] += w;
        t[layout_.cell(u.cell[i], m_value_lost)] += w * u.daily_value[i];
    }

    void switch_to(double* t, std::size_t i, std::uint8_t j, int day, const std::uint8_t* mask) {
        Users& u = w_.users;
        const double w = u.weight[i];
        t[layout_.flow(u.home[i], j)] += w;
        u.current[i] = j;
        u.state[i] = UserState::switched;
        u.since[i] = static_cast<std::int16_t>(day);
        use(t, i, j, access(*policy_, u, i, j, w_.enterprises), value_ratio_[u.home[i] * s_.models.size() + j], mask);
        t[layout_.cell(u.cell[i], m_switched)] += w;
    }

    // A model with a serving capacity admits a surge only up to its spare capacity. Who gets in
    // is decided by a random priority per user and day, so the result does not depend on how
    // the work was split.
    void admit_surge(int day) {
        const std::size_t m = s_.models.size();
        std::vector<double> in_use(m, 0.0);
        for (std::size_t b = 0; b < blocks_; ++b)
            for (std::size_t j = 0; j < m; ++j)
                for (auto n : {Nationality::us_person, Nationality::foreign_national})
                    in_use[j] += tallies_[b * layout_.width() + layout_.users_by_model(j, n)];
        struct Candidate {
            double priority;
            Intent* intent;
        };
        std::vector<std::vector<Candidate>> queue(m);
        for (std::size_t b = 0; b < blocks_; ++b) {
            const auto key = StreamKey::of(s_.seed, options_.replicate, purpose_of(Draw::surge_priority), b);
            for (auto& intent : intents_[b])
                queue[intent.model].push_back({RandomEngine(key, intent.agent - b * agent_block_size, Draw::surge_priority, day).uniform(), &intent});
        }
        for (std::size_t j = 0; j < m; ++j) {
            auto& candidates = queue[j];
            std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
                return x.priority < y.priority || (x.priority == y.priority && x.intent->agent < y.intent->agent);
            });
            double spare = *s_.models[j].capacity_users - in_use[j];
            for (auto& c : candidates) {
                const double w = w_.users.weight[c.intent->agent];
                c.intent->admitted = w <= spare;
                if (c.intent->admitted) spare -= w;
            }
        }
    }

    void settle_intents(std::size_t b, int day) {
        if (intents_[b].empty()) return;
        double* t = &tallies_[b * layout_.width()];
        const std::uint8_t* mask = controlled_mask_ ? &(*controlled_mask_)[static_cast<std::size_t>(day) * s_.models.size()]
                                                    : policy_->controlled.data();
        for (const auto& intent : intents_[b]) {
            if (intent.admitted) {
                switch_to(t, intent.agent, intent.model, day, mask);
            } else {
                t[layout_.turned_away(intent.model)] += w_.users.weight[intent.agent];
                wait(t, intent.agent);
            }
        }
    }

    // Block tallies add up in block order, so sums are identical for any thread count.
    void reduce(int day) {
        const std::size_t width = layout_.width();
        double* row = &trajectory_.daily[static_cast<std::size_t>(day) * width];
        for (std::size_t b = 0; b < blocks_; ++b) {
            const double* t = &tallies_[b * width];
            for (std::size_t k = 0; k < width; ++k) row[k] += t[k];
        }
        const Verification& v = s_.verification;
        trajectory_.verification_cost[static_cast<std::size_t>(day)] =
            row[layout_.verification(v_checks)] * v.cost_per_check + row[layout_.verification(v_reviews)] * v.human_review_cost;
    }

    const Scenario& s_;
    World w_;
    RunOptions options_;
    TallyLayout layout_;
    Regulation regulation_;
    ChoiceUtilities choices_;
    const std::vector<std::uint8_t>* controlled_mask_;
    std::size_t blocks_;
    std::vector<SegmentRates> rates_;
    std::vector<double> value_ratio_;
    std::vector<double> price_per_token_;  // USD per token, by model
    std::vector<double> tallies_;
    std::vector<std::vector<Intent>> intents_;
    std::vector<std::uint8_t> disrupted_;
    std::vector<std::uint8_t> successor_;  // model -> its successor, or no_model
    std::vector<double> best_capability_;
    std::vector<std::uint8_t> verification_open_;  // [model]: a nationality gate governs it somewhere
    std::vector<std::uint8_t> settled_home_;       // [model * channels + channel]: see refresh_policy_caches
    std::vector<std::uint8_t> enterprise_normal_;  // [enterprise]: employees work as usual today
    const DayPolicy* policy_ = nullptr;
    double news_multiplier_ = 1.0;
    bool policy_changed_today_ = true;
    bool stationary_ = false;  // see repeat_yesterday
    double serve_probability_ = 0.0;
    double queue_ = 0.0;
    int gate_start_ = -1;
    int current_day_ = 0;
    Trajectory trajectory_;
};

}  // namespace

Results simulate(const Scenario& s, const RunOptions& options) {
    World world = synthesise_world(s, s.seed, options.replicate, options.threads);
    World counterfactual_world = world;
    Simulation scenario(s, std::move(world), options, true, nullptr);
    Trajectory with_directive = scenario.run();

    RunOptions quiet = options;
    quiet.progress = nullptr;
    Simulation counterfactual(s, std::move(counterfactual_world), quiet, false, &with_directive.controlled);
    const Trajectory without = counterfactual.run();
    return assemble_results(s, scenario.world(), scenario.layout(), with_directive, without, options.replicate);
}

}  // namespace gatesim

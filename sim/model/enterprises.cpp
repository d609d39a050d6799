// Enterprises' workload decisions: the state machine of one enterprise on one day.
#include "model/enterprises.hpp"

#include <algorithm>
#include <limits>

#include "model/parallel.hpp"
#include "model/returns.hpp"
#include "model/rng.hpp"

namespace gatesim {
namespace {

// One enterprise's decisions on one day.
struct Decision {
    const EnterpriseStep& step;
    EnterpriseTable& t;
    std::size_t e;
    bool disrupted;
    bool may_attest;
    double& migration_cost;

    bool can_use(std::size_t model) const { return enterprise_can_use(step.policy, t, e, model); }
    // Whether `model` has room for its staff today (taking it); the rest wait. Enterprises are
    // admitted in index order.
    bool admitted(std::size_t model) const {
        if (!step.spare) return true;
        if (step.staff[e] > step.spare[model]) return false;
        step.spare[model] -= step.staff[e];
        return true;
    }
    bool may_fail_over() const { return t.fallback[e] != no_model && can_use(t.fallback[e]) && admitted(t.fallback[e]); }
    void set(EnterpriseState st) {
        t.state[e] = st;
        t.since[e] = static_cast<std::int16_t>(step.day);
    }
    void attest() { set(step.s.enterprises.attestation_setup_days > 0 ? EnterpriseState::attestation_setup : EnterpriseState::attesting); }
    RandomEngine engine(Draw draw, std::int64_t day) const {
        return RandomEngine(StreamKey::of(step.s.seed, step.replicate, purpose_of(draw), e / agent_block_size), e % agent_block_size, draw, day);
    }

    // Access is back after a disruption: home again and, once shaken, perhaps a fallback
    // provider for next time (multi-homing as hysteresis; Draw::fallback_adoption).
    void recover() {
        set(EnterpriseState::normal);
        const Enterprises& spec = step.s.enterprises;
        if (spec.fallback_adoption_probability <= 0 || t.fallback[e] != no_model) return;
        RandomEngine rng = engine(Draw::fallback_adoption, step.day);
        if (rng.uniform() >= spec.fallback_adoption_probability) return;
        const std::string& provider = step.s.models[t.primary[e]].provider;
        t.fallback[e] = migration_target(rng.uniform(), [&](std::size_t j) { return step.s.models[j].provider != provider; });
    }

    // First day of a disruption.
    void react() {
        if (may_attest) {
            attest();
        } else if (may_fail_over()) {
            set(EnterpriseState::failed_over);
            t.current[e] = t.fallback[e];
        } else {
            set(EnterpriseState::waiting);
        }
    }

    // A migration target by logit over what the enterprise can use on its channel (and `also` admits).
    template <class Also>
    std::uint8_t migration_target(double uniform, Also also) const {
        const Scenario& s = step.s;
        const int segment = std::max(0, index_of(s.segments, s.enterprises.employee_segment));
        const double* u = step.choices.row(static_cast<std::size_t>(segment), t.primary[e], t.channel[e], t.region[e]);
        return pick(u, s.models.size(), [&](std::size_t j) { return j != t.primary[e] && can_use(j) && also(j); }, uniform);
    }
    std::uint8_t migration_target() const {
        return migration_target(engine(Draw::migration_target, step.day).uniform(), [](std::size_t) { return true; });
    }

    // Anticipation, while the primary model is served but at risk (anticipation.hpp): a
    // multi-homed enterprise shifts a share of its workload onto its fallback, tuned there
    // before the block; any enterprise may start migrating away pre-emptively, with the daily
    // hazard 1 - exp(-anticipation_rate x belief x (1 + risk aversion)).
    void anticipate() {
        const Enterprises& spec = step.s.enterprises;
        if (t.fallback[e] != no_model)
            t.shifted[e] = std::max(t.shifted[e], static_cast<float>(spec.load_shift_share * step.belief));
        if (spec.anticipation_rate <= 0) return;
        const double hazard = -std::expm1(-spec.anticipation_rate * step.belief * (1 + t.risk_aversion[e]));
        RandomEngine rng = engine(Draw::enterprise_anticipation, step.day);
        if (rng.uniform() >= hazard) return;
        const std::uint8_t target = migration_target(rng.uniform(), [&](std::size_t j) { return !step.at_risk[j]; });
        if (target == no_model) return;
        t.target[e] = target;
        set(EnterpriseState::migrating_ahead);
    }

    void waiting(int elapsed) {
        if (!disrupted) {
            recover();
            return;
        }
        if (may_attest) {  // e.g. a shutdown became a nationality gate
            attest();
            return;
        }
        if (step.spare && may_fail_over()) {  // turned away by a full fallback, or it reopened
            set(EnterpriseState::failed_over);
            t.current[e] = t.fallback[e];
            return;
        }
        // Migrate once the outage it expects to sit through, weighted by its aversion to risk,
        // exceeds the engineering time a migration takes.
        const Enterprises& spec = step.s.enterprises;
        const double expected = spec.outage_belief_days + spec.belief_growth * elapsed;
        if (expected * (1 + t.risk_aversion[e]) >= t.integration_days[e]) {
            const std::uint8_t target = migration_target();
            if (target != no_model) {
                t.target[e] = target;
                set(EnterpriseState::migrating);
            }
        }
    }

    void failed_over() {
        if (disrupted && !can_use(t.current[e])) {  // the fallback was restricted too
            t.current[e] = t.primary[e];
            set(EnterpriseState::waiting);
        } else if (!disrupted) {
            // Back on the primary, or stay on the fallback for good: one draw per fail-over.
            if (engine(Draw::failover_return, t.since[e]).uniform() < step.s.enterprises.failover_return_probability) {
                set(EnterpriseState::normal);
                t.current[e] = t.primary[e];
            } else {
                set(EnterpriseState::migrated);
                t.target[e] = t.current[e];
            }
        }
    }

    // Repeated return: while the primary is open again, weigh migrating back every day against
    // the engineering months already sunk and the habit formed since. A migration back is
    // engineering work too: it takes the enterprise's integration days (migrating_back, its
    // employees still on the current model), each charged in the migration cost as it is spent.
    void migrate_back(int days_since_migration) {
        const Enterprises& spec = step.s.enterprises;
        if (spec.return_hazard <= 0 || t.current[e] == t.primary[e]) return;
        const double sunk_months = t.integration_days[e] / 30.0;
        const ReturnTerms terms = ReturnTerms::of(spec.return_hazard, spec.return_capability_weight,
                                                  spec.sunk_cost_weight * sunk_months, spec.return_habit_weight, spec.return_habit_days);
        const double gap = step.s.models[t.primary[e]].capability - step.s.models[t.current[e]].capability;
        if (engine(Draw::enterprise_return, step.day).uniform() < return_hazard(terms, gap, days_since_migration)) {
            t.target[e] = t.primary[e];
            set(EnterpriseState::migrating_back);
            migrating_back(0);
        }
    }

    // A day of migrating back: home once the integration days are spent; back to `migrated` if
    // the primary closes meanwhile; like `migrated` if the current model closes.
    void migrating_back(int elapsed) {
        if (!can_use(t.current[e])) {
            t.current[e] = t.primary[e];
            set(EnterpriseState::waiting);
        } else if (disrupted) {
            set(EnterpriseState::migrated);
        } else if (elapsed >= t.integration_days[e]) {
            t.current[e] = t.primary[e];
            set(EnterpriseState::normal);
        } else {
            migration_cost += t.weight[e] * std::min(1.0, static_cast<double>(t.integration_days[e]) - elapsed) * step.s.enterprises.migration_cost_per_day;
        }
    }

    // A day of a pre-emptive migration: the employees stay on the primary while it serves them;
    // once blocked it is an ordinary migration, already under way.
    void migrating_ahead(int elapsed) {
        if (disrupted) {
            t.state[e] = EnterpriseState::migrating;  // `since` kept: the days spent count
            migrating(elapsed);
        } else if (elapsed >= t.integration_days[e]) {
            complete_migration();
        }
    }

    void complete_migration() {
        if (!can_use(t.target[e])) {  // the target was restricted meanwhile: start over
            set(disrupted ? EnterpriseState::waiting : EnterpriseState::normal);
            return;
        }
        if (!admitted(t.target[e])) return;  // full: it waits, ready
        set(EnterpriseState::migrated);
        t.current[e] = t.target[e];
        migration_cost += t.weight[e] * t.integration_days[e] * step.s.enterprises.migration_cost_per_day;
    }

    void migrating(int elapsed) {
        if (!disrupted) {
            recover();
        } else if (elapsed >= t.integration_days[e] && admitted(t.target[e])) {  // full: it waits, ready
            set(EnterpriseState::migrated);
            t.current[e] = t.target[e];
            migration_cost += t.weight[e] * t.integration_days[e] * step.s.enterprises.migration_cost_per_day;
        }
    }

    void advance() {
        const int elapsed = step.day - t.since[e];
        switch (t.state[e]) {
            case EnterpriseState::normal:
                if (disrupted) react();
                else if (step.belief > 0 && step.at_risk[t.primary[e]]) anticipate();
                break;
            case EnterpriseState::waiting: waiting(elapsed); break;
            case EnterpriseState::failed_over: failed_over(); break;
            case EnterpriseState::migrating: migrating(elapsed); break;
            case EnterpriseState::migrating_ahead: migrating_ahead(elapsed); break;
            case EnterpriseState::migrating_back: migrating_back(elapsed); break;
            case EnterpriseState::migrated:
                // A later rule (e.g. escalation) can close the new model: decide afresh.
                if (!can_use(t.current[e])) {
                    t.current[e] = t.primary[e];
                    set(EnterpriseState::waiting);
                } else if (!disrupted) {
                    migrate_back(elapsed);
                }
                break;
            case EnterpriseState::attestation_setup:
            case EnterpriseState::attesting:
                if (!disrupted) recover();
                else if (!enterprise_may_attest(step.policy.rule_for(t.primary[e], t.channel[e]))) react();
                else if (t.state[e] == EnterpriseState::attestation_setup && elapsed >= step.s.enterprises.attestation_setup_days)
                    set(EnterpriseState::attesting);
                break;
        }
    }
};

}  // namespace

std::vector<double> enterprise_staff(const Users& users, std::size_t enterprises, int threads) {
    return users_by(users, enterprises, threads, [&](std::size_t i) {
        return users.employer[i] == no_employer ? enterprises : static_cast<std::size_t>(users.employer[i]);
    });
}

std::vector<double> enterprise_spare_capacity(const Scenario& s, const TallyLayout& layout, const double* yesterday,
                                              const std::vector<double>& initial_home_users) {
    const std::size_t m = s.models.size();
    if (std::none_of(s.models.begin(), s.models.end(), [](const Model& x) { return x.capacity_users.has_value(); })) return {};
    std::vector<double> spare(m, std::numeric_limits<double>::infinity());
    for (std::size_t j = 0; j < m; ++j) {
        if (!s.models[j].capacity_users) continue;
        double in_use = 0;
        if (yesterday)
            for (std::size_t c = 0; c < layout.cells; ++c) in_use += yesterday[layout.users_by_model(j, c)];
        else
            in_use = initial_home_users[j];
        spare[j] = *s.models[j].capacity_users - in_use;
    }
    return spare;
}

namespace {

// Enterprises begin .. end - 1 for one day.
void step_range(const EnterpriseStep& step, EnterpriseTable& t, EmployerStatus& status, const EnterpriseDay& out, std::size_t begin,
                std::size_t end) {
    const Enterprises& spec = step.s.enterprises;
    const DayPolicy& policy = step.policy;
    for (std::size_t e = begin; e < end; ++e) {
        const std::size_t ecell = enterprise_cell(t.region[e], t.channel[e]);
        // Fast path, most enterprises on most days: working as usual on a model open to everyone.
        const std::size_t k = t.primary[e] * policy.channels + t.channel[e];
        const bool fears = step.belief > 0 && step.at_risk[t.primary[e]];
        if (t.state[e] == EnterpriseState::normal && policy.offered[k] && admits_everyone(policy.rule[k]) && !fears) {
            status.disrupted[e] = 0;
            status.normal[e] = 1;
            out.by_state[ecell * enterprise_state_count] += t.weight[e];
            out.load_shifted[ecell] += t.weight[e] * t.shifted[e];
            continue;
        }
        const bool disrupted = !enterprise_can_use(step.policy, t, e, t.primary[e]);
        status.disrupted[e] = disrupted;
        // Attesting keeps the model for US-person employees, if few enough of them are foreign.
        const bool may_attest = enterprise_may_attest(step.policy.rule_for(t.primary[e], t.channel[e])) &&
                                t.foreign_share[e] * (1 + t.risk_aversion[e]) <= spec.attest_max_foreign_share;
        Decision{step, t, e, disrupted, may_attest, out.migration_cost[ecell]}.advance();
        out.by_state[ecell * enterprise_state_count + static_cast<std::size_t>(t.state[e])] += t.weight[e];
        out.load_shifted[ecell] += t.weight[e] * t.shifted[e];
        status.normal[e] = t.state[e] == EnterpriseState::normal;
    }
}

}  // namespace

void step_enterprises(const EnterpriseStep& step, EnterpriseTable& t, EmployerStatus& status, const EnterpriseDay& out) {
    const std::size_t n = t.size(), blocks = (n + agent_block_size - 1) / agent_block_size;
    if (step.spare || blocks < 2) {
        step_range(step, t, status, out, 0, n);
        return;
    }
    const std::size_t cells = out.cells, width = cells * (enterprise_state_count + 2);
    std::vector<double> rows(blocks * width, 0.0);
    for_each_block(blocks, step.threads, [&](std::size_t b) {
        double* row = &rows[b * width];
        const EnterpriseDay mine{row, row + cells * enterprise_state_count, row + cells * (enterprise_state_count + 1), cells};
        step_range(step, t, status, mine, b * agent_block_size, std::min(n, (b + 1) * agent_block_size));
    });
    for (std::size_t b = 0; b < blocks; ++b) {
        const double* row = &rows[b * width];
        for (std::size_t k = 0; k < cells * enterprise_state_count; ++k) out.by_state[k] += row[k];
        for (std::size_t c = 0; c < cells; ++c) {
            out.migration_cost[c] += row[cells * enterprise_state_count + c];
            out.load_shifted[c] += row[cells * (enterprise_state_count + 1) + c];
        }
    }
}

}  // namespace gatesim

// Enterprises' workload decisions: the state machine of one enterprise on one day.
#include "model/enterprises.hpp"

#include <algorithm>

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
    void set(EnterpriseState st) {
        t.state[e] = st;
        t.since[e] = static_cast<std::int16_t>(step.day);
    }
    void attest() { set(step.s.enterprises.attestation_setup_days > 0 ? EnterpriseState::attestation_setup : EnterpriseState::attesting); }
    RandomEngine engine(Draw draw, std::int64_t day) const {
        return RandomEngine(StreamKey::of(step.s.seed, step.replicate, purpose_of(draw), e / agent_block_size), e % agent_block_size, draw, day);
    }

    // First day of a disruption.
    void react() {
        if (may_attest) {
            attest();
        } else if (t.fallback[e] != no_model && can_use(t.fallback[e])) {
            set(EnterpriseState::failed_over);
            t.current[e] = t.fallback[e];
        } else {
            set(EnterpriseState::waiting);
        }
    }

    // A migration target by logit over what the enterprise can use on its channel.
    std::uint8_t migration_target() const {
        const Scenario& s = step.s;
        const int segment = std::max(0, index_of(s.segments, s.enterprises.employee_segment));
        const double* u = step.choices.row(static_cast<std::size_t>(segment), t.primary[e], t.channel[e], t.region[e]);
        return pick(u, s.models.size(), [&](std::size_t j) { return j != t.primary[e] && can_use(j); },
                    engine(Draw::migration_target, step.day).uniform());
    }

    void waiting(int elapsed) {
        if (!disrupted) {
            set(EnterpriseState::normal);
            return;
        }
        if (may_attest) {  // e.g. a shutdown became a nationality gate
            attest();
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
    // engineering work too, counted in the migration cost; it takes effect on the day it is chosen.
    void migrate_back(int days_since_migration) {
        const Enterprises& spec = step.s.enterprises;
        if (spec.return_hazard <= 0 || t.current[e] == t.primary[e]) return;
        const double sunk_months = t.integration_days[e] / 30.0;
        const ReturnTerms terms = ReturnTerms::of(spec.return_hazard, spec.return_capability_weight,
                                                  spec.sunk_cost_weight * sunk_months, spec.return_habit_weight, spec.return_habit_days);
        const double gap = step.s.models[t.primary[e]].capability - step.s.models[t.current[e]].capability;
        if (engine(Draw::enterprise_return, step.day).uniform() < return_hazard(terms, gap, days_since_migration)) {
            migration_cost += t.weight[e] * t.integration_days[e] * spec.migration_cost_per_day;
            t.current[e] = t.primary[e];
            set(EnterpriseState::normal);
        }
    }

    void advance() {
        const int elapsed = step.day - t.since[e];
        switch (t.state[e]) {
            case EnterpriseState::normal:
                if (disrupted) react();
                break;
            case EnterpriseState::waiting: waiting(elapsed); break;
            case EnterpriseState::failed_over: failed_over(); break;
            case EnterpriseState::migrating:
                if (!disrupted) {
                    set(EnterpriseState::normal);
                } else if (elapsed >= t.integration_days[e]) {
                    set(EnterpriseState::migrated);
                    t.current[e] = t.target[e];
                    migration_cost += t.weight[e] * t.integration_days[e] * step.s.enterprises.migration_cost_per_day;
                }
                break;
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
                if (!disrupted) set(EnterpriseState::normal);
                else if (!enterprise_may_attest(step.policy.rule_for(t.primary[e], t.channel[e]))) react();
                else if (t.state[e] == EnterpriseState::attestation_setup && elapsed >= step.s.enterprises.attestation_setup_days)
                    set(EnterpriseState::attesting);
                break;
        }
    }
};

}  // namespace

void step_enterprises(const EnterpriseStep& step, EnterpriseTable& t, EmployerStatus& status, double* by_state, double* migration_cost) {
    const Enterprises& spec = step.s.enterprises;
    const DayPolicy& policy = step.policy;
    for (std::size_t e = 0; e < t.size(); ++e) {
        const std::size_t ecell = enterprise_cell(t.region[e], t.channel[e]);
        // Fast path, most enterprises on most days: working as usual on a model open to everyone.
        const std::size_t k = t.primary[e] * policy.channels + t.channel[e];
        if (t.state[e] == EnterpriseState::normal && policy.offered[k] && admits_everyone(policy.rule[k])) {
            status.disrupted[e] = 0;
            status.normal[e] = 1;
            by_state[ecell * enterprise_state_count] += t.weight[e];
            continue;
        }
        const bool disrupted = !enterprise_can_use(step.policy, t, e, t.primary[e]);
        status.disrupted[e] = disrupted;
        // Attesting keeps the model for US-person employees, if few enough of them are foreign.
        const bool may_attest = enterprise_may_attest(step.policy.rule_for(t.primary[e], t.channel[e])) &&
                                t.foreign_share[e] * (1 + t.risk_aversion[e]) <= spec.attest_max_foreign_share;
        Decision{step, t, e, disrupted, may_attest, migration_cost[ecell]}.advance();
        by_state[ecell * enterprise_state_count + static_cast<std::size_t>(t.state[e])] += t.weight[e];
        status.normal[e] = t.state[e] == EnterpriseState::normal;
    }
}

}  // namespace gatesim

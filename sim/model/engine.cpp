// The engine: a run simulates the scenario and its counterfactual (the same world with every
// rule open, under the same draws), each a trajectory of days. The day loop is a short list of
// named steps; each submodel owns its step (regulation.cpp, choice.cpp, enterprises.cpp,
// verification.cpp, users.cpp, capacity.cpp, tallies.cpp), and Results are assembled from both
// trajectories (series.cpp, scalars.cpp).
#include "model/engine.hpp"

#include <algorithm>

#include "model/assembly.hpp"
#include "model/capacity.hpp"
#include "model/choice.hpp"
#include "model/enterprises.hpp"
#include "model/parallel.hpp"
#include "model/regulation.hpp"
#include "model/tallies.hpp"
#include "model/users.hpp"
#include "model/verification.hpp"
#include "model/world.hpp"

namespace gatesim {
namespace {

// Everything one trajectory carries from day to day. A plain record: the behaviour is in the
// steps below and in the submodels they call.
struct Run {
    Run(const Scenario& scenario, World world, const RunOptions& run_options, bool enforce,
        const std::vector<std::uint8_t>* scenario_controlled)
        : s(scenario),
          w(std::move(world)),
          options(run_options),
          layout(s, w),
          regulation(s, w, options.replicate, enforce),
          choices(s, w),
          users(s),
          verification(s.models.size()),
          employers(w.enterprises.size()),
          tallies((w.users.size() + agent_block_size - 1) / agent_block_size, layout.width()),
          intents(tallies.blocks()),
          controlled_mask(scenario_controlled),
          stationary((!enforce || s.directive.stages.empty()) && !users.any_successor()),
          trajectory(start_trajectory(s, layout, w.users)) {}

    const Scenario& s;
    World w;
    RunOptions options;
    TallyLayout layout;
    Regulation regulation;
    ChoiceUtilities choices;
    UserParameters users;
    UserRuleCache user_rules;
    VerificationService verification;
    EmployerStatus employers;
    BlockTallies tallies;
    std::vector<std::vector<Intent>> intents;  // [block]
    // For the counterfactual, the scenario's controlled models by day ([day * models + model]):
    // foreign access is counted against them. Null for the scenario, which uses its own.
    const std::vector<std::uint8_t>* controlled_mask;
    bool stationary;  // see step::repeat_yesterday
    Trajectory trajectory;

    const DayPolicy* policy = nullptr;  // today's rules
    bool policy_changed = true;         // today's rules differ from yesterday's (or it is day 0)
    double coverage = 0.0;              // yesterday's verification coverage of affected US persons
};

namespace step {

// The regulator's timeline moves; what depends on the rules follows when they change.
void advance_regulation(Run& run, int day) {
    run.policy = &run.regulation.advance(day, run.coverage);
    run.policy_changed = day == 0 || run.regulation.policy_changed();
    if (run.policy_changed) {
        run.user_rules.refresh(run.s, *run.policy, run.users);
        run.verification.on_rules(*run.policy, day);
    }
    const std::size_t models = run.s.models.size();
    std::copy(run.policy->controlled.begin(), run.policy->controlled.end(),
              run.trajectory.controlled.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(day) * models));
}

// Promotions and other jurisdictions' responses start or end.
void update_choices(Run& run, int day) { run.choices.update(day); }

void step_enterprises(Run& run, int day) {
    const auto d = static_cast<std::size_t>(day);
    double* by_state = &run.trajectory.enterprises_by_state[d * enterprise_state_count];
    run.trajectory.migration_cost[d] = gatesim::step_enterprises(EnterpriseStep{run.s, run.options.replicate, *run.policy, run.choices, day},
                                                                 run.w.enterprises, run.employers, by_state);
}

void plan_verification_service(Run& run, int day) { run.verification.plan(run.s.verification, day); }

UserDay user_day(const Run& run, int day) {
    const std::uint8_t* mask = run.controlled_mask ? &(*run.controlled_mask)[static_cast<std::size_t>(day) * run.s.models.size()]
                                                   : run.policy->controlled.data();
    return UserDay{day,        run.s,         run.options.replicate, run.layout,       run.users,
                   run.user_rules, *run.policy, run.policy_changed,  run.choices,      run.w.enterprises,
                   run.employers,  run.verification, mask,           news_multiplier(run.s, day)};
}

// Blocks in parallel: each writes only its own tally and intents.
void step_users(Run& run, const UserDay& today) {
    for_each_block(run.tallies.blocks(), run.options.threads,
                   [&](std::size_t b) { gatesim::step_users(today, run.w.users, b, run.tallies.block(b), run.intents[b]); });
}

void admit_surge(Run& run, int day) {
    gatesim::admit_surge(run.s, run.options.replicate, run.w.users, run.layout, run.tallies, run.intents, day);
}

void settle_intents(Run& run, const UserDay& today) {
    for_each_block(run.tallies.blocks(), run.options.threads,
                   [&](std::size_t b) { gatesim::settle_intents(today, run.w.users, b, run.tallies.block(b), run.intents[b]); });
}

void reduce(Run& run, int day) {
    const auto d = static_cast<std::size_t>(day);
    double* row = &run.trajectory.daily[d * run.layout.width()];
    run.tallies.reduce_into(row);
    run.trajectory.verification_cost[d] = verification_cost(run.s.verification, run.layout, row);
}

// What tomorrow's steps read of today: verification coverage (a stage trigger) and the queue.
void record(Run& run, int day) {
    const double* today = &run.trajectory.daily[static_cast<std::size_t>(day) * run.layout.width()];
    run.coverage = verification_coverage(run.layout, today);
    run.verification.record_queue(today[run.layout.verification(v_queue)]);
}

// With every rule open and no successor to adopt, nobody ever leaves its preferred model: each
// day records what day 0 did, so the counterfactual computes one day. Only foreign access
// depends on the day, through the scenario's controlled models.
void repeat_yesterday(Run& run, int day) {
    const std::size_t width = run.layout.width(), d = static_cast<std::size_t>(day), models = run.s.models.size();
    auto& daily = run.trajectory.daily;
    std::copy_n(daily.begin() + static_cast<std::ptrdiff_t>((d - 1) * width), width, daily.begin() + static_cast<std::ptrdiff_t>(d * width));
    if (run.controlled_mask) {
        double* row = &daily[d * width];
        const std::uint8_t* mask = &(*run.controlled_mask)[d * models];
        double foreign = 0;
        for (std::size_t m = 0; m < models; ++m)
            if (mask[m]) foreign += row[run.layout.users_by_model(m, Nationality::foreign_national)];
        row[run.layout.foreign_route(Route::permitted)] = foreign;
    }
    auto& states = run.trajectory.enterprises_by_state;
    std::copy_n(states.begin() + static_cast<std::ptrdiff_t>((d - 1) * enterprise_state_count), enterprise_state_count,
                states.begin() + static_cast<std::ptrdiff_t>(d * enterprise_state_count));
}

}  // namespace step

// One day, in order.
void one_day(Run& run, int day) {
    if (run.stationary && day > 0) {
        step::repeat_yesterday(run, day);
        return;
    }
    step::advance_regulation(run, day);
    step::update_choices(run, day);
    step::step_enterprises(run, day);
    step::plan_verification_service(run, day);
    const UserDay today = step::user_day(run, day);
    step::step_users(run, today);
    step::admit_surge(run, day);
    step::settle_intents(run, today);
    step::reduce(run, day);
    step::record(run, day);
}

Trajectory simulate_trajectory(Run& run) {
    for (int day = 0; day < run.s.days; ++day) {
        if (run.options.cancel && run.options.cancel->load()) throw Cancelled();
        one_day(run, day);
        if (run.options.progress) run.options.progress(day + 1, run.s.days);
    }
    run.trajectory.first_stage_day = run.regulation.first_stage_day();
    run.trajectory.decision_day = run.regulation.decision_day();
    run.trajectory.escalation_day = run.regulation.escalation_day();
    return std::move(run.trajectory);
}

}  // namespace

Results simulate(const Scenario& s, const RunOptions& options) {
    World world = synthesise_world(s, s.seed, options.replicate, options.threads);
    World counterfactual_world = world;
    Run scenario(s, std::move(world), options, true, nullptr);
    const Trajectory with_directive = simulate_trajectory(scenario);

    RunOptions quiet = options;
    quiet.progress = nullptr;
    Run counterfactual(s, std::move(counterfactual_world), quiet, false, &with_directive.controlled);
    const Trajectory without = simulate_trajectory(counterfactual);

    const TrajectoryView run(s, scenario.w, scenario.layout, with_directive), cf(s, scenario.w, scenario.layout, without);
    Results r;
    r.seed = s.seed;
    r.replicate = options.replicate;
    r.days = s.days;
    r.start_date = s.start_date;
    r.series = daily_series(s, run, cf);
    r.scalars = summary_scalars(s, scenario.w, run, cf);
    return r;
}

}  // namespace gatesim

// The engine: a run simulates the scenario and its counterfactual (the same world with every
// rule open, under the same draws), each a trajectory of days. The day loop is a short list of
// named steps; each submodel owns its step (regulation.cpp, choice.cpp, enterprises.cpp,
// verification.cpp, users.cpp, capacity.cpp, tallies.cpp), and Results are assembled from both
// trajectories (series.cpp, scalars.cpp).
#include "model/engine.hpp"

#include <algorithm>

#include "model/anticipation.hpp"
#include "model/assembly.hpp"
#include "model/capacity.hpp"
#include "model/choice.hpp"
#include "model/circumvention.hpp"
#include "model/diffusion.hpp"
#include "model/appeals.hpp"
#include "model/leakage.hpp"
#include "model/market_entry.hpp"
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
    Run(const Scenario& scenario, World& world, const RunOptions& run_options, bool enforce, TouchedBlocks* touched_blocks)
        : s(scenario),
          w(world),
          options(run_options),
          layout(s, w),
          regulation(s, w, options.replicate, enforce),
          choices(s, w),
          users(s, w),
          verification(s.models.size()),
          employers(w.enterprises.size()),
          enterprise_staff(gatesim::enterprise_staff(w.users, w.enterprises.size(), options.threads)),
          tallies(agent_blocks(), layout.width()),
          intents(tallies.groups()),
          anticipation(s, enforce),
          circumvention(s, w.users, enforce, options.threads),
          diffusion(s, users.successor),
          leakage(s, w.users.size(), enforce),
          entry(s, options.replicate, w.users, options.threads),
          appeals(s, w.users.size(), enforce),
          stationary((!enforce || s.directive.stages.empty()) && !users.any_successor() && !anticipation.any() && !entry.active() && !appeals.active()),
          trajectory(start_trajectory(s, layout, w.users, options.threads)),
          touched(touched_blocks),
          settled_blocks(w.users.size(), w.enterprises.size()) {}

    const Scenario& s;
    World& w;
    RunOptions options;
    TallyLayout layout;
    Regulation regulation;
    ChoiceUtilities choices;
    UserParameters users;
    UserRuleCache user_rules;
    VerificationService verification;
    EmployerStatus employers;
    std::vector<double> enterprise_staff;  // [enterprise]: real users employed
    GroupTallies tallies;
    std::vector<std::vector<Intent>> intents;  // [tally group]
    Anticipation anticipation;
    CircumventionUptake circumvention;
    Diffusion diffusion;
    LeakageRoutes leakage;
    MarketEntry entry;
    Appeals appeals;
    std::vector<std::uint8_t> settled_anticipating;  // see user_day
    bool stationary;  // see step::repeat_yesterday
    Trajectory trajectory;
    TouchedBlocks* touched;  // the counterfactual keeps what it changes of the world, to put it back
    SettledBlocks settled_blocks;
    std::vector<std::uint8_t> settled_yesterday;  // the settled table the blocks' sums were made under
    bool new_epoch_tomorrow = false;

    const DayPolicy* policy = nullptr;  // today's rules
    bool policy_changed = true;         // today's rules differ from yesterday's (or it is day 0)
    double coverage = 0.0;              // yesterday's verification coverage of affected US persons

    std::size_t agent_blocks() const { return (w.users.size() + agent_block_size - 1) / agent_block_size; }
};

namespace step {

// The regulator's timeline moves; what depends on the rules follows when they change.
void advance_regulation(Run& run, int day) {
    run.policy = &run.regulation.advance(day, run.coverage);
    run.policy_changed = day == 0 || run.regulation.policy_changed();
    if (run.policy_changed) {
        run.user_rules.refresh(run.s, *run.policy, run.users);
        run.verification.on_rules(*run.policy, day);
        run.circumvention.on_rules(*run.policy, day);
    }
    const std::size_t models = run.s.models.size();
    std::copy(run.policy->controlled.begin(), run.policy->controlled.end(),
              run.trajectory.controlled.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(day) * models));
}

// Promotions and other jurisdictions' responses start or end.
void update_choices(Run& run, int day) { run.choices.update(day); }

void step_enterprises(Run& run, int day) {
    const std::size_t d = static_cast<std::size_t>(day) * run.trajectory.enterprise_cells;
    Trajectory& t = run.trajectory;
    const double* yesterday = day > 0 ? &t.daily[static_cast<std::size_t>(day - 1) * run.layout.width()] : nullptr;
    std::vector<double> spare = enterprise_spare_capacity(run.s, run.layout, yesterday, t.initial_home_users);
    gatesim::step_enterprises(
        EnterpriseStep{run.s, run.options.replicate, *run.policy, run.choices, day, run.anticipation.belief(day), run.anticipation.at_risk().data(),
                       spare.empty() ? nullptr : spare.data(), run.enterprise_staff.data(), run.options.threads},
        run.w.enterprises, run.employers,
        EnterpriseDay{&t.enterprises_by_state[d * enterprise_state_count], &t.migration_cost[d], &t.load_shifted[d], t.enterprise_cells});
    run.settled_blocks.employers_today(run.w.enterprises, run.employers, day, run.options.threads);
}

void plan_verification_service(Run& run, int day) { run.verification.plan(run.s.verification, day); }

// On a day when news makes users fear losing models, their users are taken off the fast path.
UserDay user_day(Run& run, int day) {
    const double belief = run.anticipation.belief(day);
    const std::uint8_t* settled = run.user_rules.settled_home.data();
    if (belief > 0) {
        run.anticipation.unsettle(run.user_rules.settled_home, run.policy->channels, run.settled_anticipating);
        settled = run.settled_anticipating.data();
    }
    // Settled users add the same as yesterday unless the rules or the settled table changed; the
    // day after a change starts another epoch, as users settled elsewhere are steady only on a
    // day the rules did not change.
    const std::size_t entries = run.user_rules.settled_home.size();
    if (run.policy_changed || !std::equal(settled, settled + entries, run.settled_yesterday.begin(), run.settled_yesterday.end())) {
        run.settled_blocks.new_epoch();
        run.settled_yesterday.assign(settled, settled + entries);
        run.new_epoch_tomorrow = true;
    } else if (run.new_epoch_tomorrow) {
        run.settled_blocks.new_epoch();
        run.new_epoch_tomorrow = false;
    }
    return UserDay{day,        run.s,         run.options.replicate, run.layout,       run.users,
                   run.user_rules, *run.policy, run.policy_changed,  run.choices,      run.w.enterprises,
                   run.employers,  run.verification, belief, run.anticipation.at_risk().data(), settled,
                   run.circumvention.active() ? &run.circumvention : nullptr, run.diffusion.active() ? &run.diffusion : nullptr,
                   run.leakage.active() ? &run.leakage : nullptr, run.entry.active() ? &run.entry : nullptr,
                   run.appeals.active() ? &run.appeals : nullptr,
                   run.touched, run.options.visit_every_user ? nullptr : &run.settled_blocks};
}

// Tally groups in parallel, each writing only its own tally and intents; a group's blocks in order.
void step_users(Run& run, const UserDay& today) {
    const std::size_t blocks = run.agent_blocks(), width = run.layout.width();
    for_each_block(run.tallies.groups(), run.options.threads, [&](std::size_t g) {
        double* tally = run.tallies.group(g);
        std::fill(tally, tally + width, 0.0);
        run.intents[g].clear();
        for (std::size_t b = g * tally_group_blocks; b < std::min(blocks, (g + 1) * tally_group_blocks); ++b)
            gatesim::step_users(today, run.w.users, b, tally, run.intents[g]);
    });
}

void admit_surge(Run& run, int day) {
    gatesim::admit_surge(run.s, run.options.replicate, run.w.users, run.layout, run.tallies, run.intents, day);
}

void settle_intents(Run& run, const UserDay& today) {
    if (std::all_of(run.intents.begin(), run.intents.end(), [](const std::vector<Intent>& v) { return v.empty(); })) return;
    for_each_block(run.tallies.groups(), run.options.threads,
                   [&](std::size_t g) { gatesim::settle_intents(today, run.w.users, run.tallies.group(g), run.intents[g]); });
}

void reduce(Run& run, int day) {
    run.tallies.reduce_into(&run.trajectory.daily[static_cast<std::size_t>(day) * run.layout.width()], run.options.threads);
}

// What tomorrow's steps read of today: verification coverage (a stage trigger) and the queue.
void record(Run& run, int day) {
    const double* today = &run.trajectory.daily[static_cast<std::size_t>(day) * run.layout.width()];
    run.coverage = verification_coverage(run.layout, today);
    run.verification.record_queue(run.layout.verification_total(today, v_queue));
    run.circumvention.record(run.layout, today);
    run.diffusion.record(run.layout, today);
    run.leakage.record(run.coverage);
    run.entry.record(run.layout, today);
}

// With every rule open and no successor to adopt, nobody ever leaves its preferred model: each
// day records what day 0 did, so the counterfactual computes one day. (Foreign access to the
// order's models is counted on every day alike, so it repeats too.)
void repeat_yesterday(Run& run, int day) {
    const auto d = static_cast<std::size_t>(day);
    auto repeat = [d](std::vector<double>& v, std::size_t per_day) {
        std::copy_n(v.begin() + static_cast<std::ptrdiff_t>((d - 1) * per_day), per_day, v.begin() + static_cast<std::ptrdiff_t>(d * per_day));
    };
    Trajectory& t = run.trajectory;
    repeat(t.daily, run.layout.width());
    repeat(t.enterprises_by_state, t.enterprise_cells * enterprise_state_count);
    repeat(t.migration_cost, t.enterprise_cells);
    repeat(t.load_shifted, t.enterprise_cells);
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

// The counterfactual runs first, on the world itself, and puts back what it changed, so that a
// run holds one world, not two; the scenario then runs on the world as synthesised.
Trajectory simulate_counterfactual(const Scenario& s, World& world, const RunOptions& options, std::size_t* kept_blocks = nullptr) {
    RunOptions quiet = options;
    quiet.progress = nullptr;
    const EnterpriseTable enterprises = world.enterprises;
    TouchedBlocks touched(world.users.size());
    Trajectory without;
    {
        Run counterfactual(s, world, quiet, false, &touched);
        without = simulate_trajectory(counterfactual);
    }
    touched.restore(world.users);
    world.enterprises = enterprises;
    if (kept_blocks) *kept_blocks = touched.kept();
    return without;
}

}  // namespace

std::size_t run_counterfactual_in_place(const Scenario& s, World& world, const RunOptions& options) {
    std::size_t kept = 0;
    simulate_counterfactual(s, world, options, &kept);
    return kept;
}

Results simulate(const Scenario& s, const RunOptions& options) {
    World world = synthesise_world(s, s.seed, options.replicate, options.threads);
    const Trajectory without = simulate_counterfactual(s, world, options);
    Run scenario(s, world, options, true, nullptr);
    const Trajectory with_directive = simulate_trajectory(scenario);

    const CellSelection all = CellSelection::of(s, everyone());
    const TrajectoryView run(s, scenario.layout, with_directive, all), cf(s, scenario.layout, without, all);
    Results r;
    r.seed = s.seed;
    r.replicate = options.replicate;
    r.days = s.days;
    r.start_date = s.start_date;
    r.series = daily_series(s, run, cf);
    r.scalars = summary_scalars(s, scenario.w, run, cf);
    r.warnings = sanity_warnings(s, scenario.w, run, cf, r.scalars);
    // Scoped summaries: the same scalars over the scope's cells, named scalar[scope].
    for (const auto& spec : s.reporting.scopes) {
        std::string why;
        const Scope scope = *parse_scope(s, spec, why);  // check_consistency parsed it
        const CellSelection cells = CellSelection::of(s, scope);
        const TrajectoryView scoped_run(s, scenario.layout, with_directive, cells), scoped_cf(s, scenario.layout, without, cells);
        for (Scalar& scalar : summary_scalars(s, scenario.w, scoped_run, scoped_cf, false)) {
            scalar.name += "[" + scope.label + "]";
            r.scalars.push_back(std::move(scalar));
        }
    }
    return r;
}

}  // namespace gatesim

// Daily simulation: the directive closes and reopens models, blocked users wait or switch,
// and switched users decide whether to come back once access is restored.
#include "engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "parallel.hpp"
#include "rng.hpp"
#include "world.hpp"

namespace gatesim {
namespace {

constexpr double not_reached = std::numeric_limits<double>::quiet_NaN();

// Which models are open on each day, after the directive and its restore.
struct AccessTimeline {
    std::size_t models = 0;
    std::vector<std::uint8_t> open;  // [day * models + model]
    int restore_day = -1;            // -1: no restore within the horizon

    bool is_open(int day, std::size_t model) const { return open[static_cast<std::size_t>(day) * models + model]; }
    const std::uint8_t* day_row(int day) const { return open.data() + static_cast<std::size_t>(day) * models; }
};

AccessTimeline plan_access(const Scenario& s, std::uint64_t replicate) {
    AccessTimeline t;
    t.models = s.models.size();
    t.open.assign(static_cast<std::size_t>(s.days) * t.models, 1);
    const Directive& d = s.directive;
    if (d.rule == AccessRuleKind::open) return t;

    int end = s.days;
    if (d.restore_after_days) {
        RandomEngine rng(StreamKey::of(s.seed, replicate, Purpose::directive, 0), 0, 0);
        const double after = std::max(0.0, std::round(d.restore_after_days->sample(rng)));
        if (d.day + after < s.days) end = d.day + static_cast<int>(after);
    }
    if (end < s.days) t.restore_day = end;
    for (const auto& id : d.models) {
        const auto m = static_cast<std::size_t>(index_of(s.models, id));
        for (int day = d.day; day < end; ++day) t.open[static_cast<std::size_t>(day) * t.models + m] = 0;
    }
    return t;
}

// Multinomial-logit choice among the open alternatives, per segment and preferred model.
// Rebuilt only on days when the set of open models changes.
class ChoiceTable {
public:
    ChoiceTable(const Scenario& s, const World& w, const std::uint8_t* open) : models_(s.models.size()) {
        const std::size_t segments = s.segments.size();
        cdf_.assign(segments * models_ * models_, 0.0);
        any_.assign(segments * models_, 0);
        last_.assign(segments * models_, 0);
        std::vector<double> expu(models_);
        for (std::size_t g = 0; g < segments; ++g) {
            const Segment& seg = s.segments[g];
            for (std::size_t p = 0; p < models_; ++p) {
                double umax = -std::numeric_limits<double>::infinity();
                std::vector<double> u(models_, -std::numeric_limits<double>::infinity());
                for (std::size_t j = 0; j < models_; ++j) {
                    if (j == p || !open[j]) continue;
                    const Model& m = s.models[j];
                    u[j] = seg.capability_weight * m.capability - seg.price_weight * std::log1p(m.price) +
                           (w.model_provider[j] == w.model_provider[p] ? seg.provider_loyalty : 0.0);
                    umax = std::max(umax, u[j]);
                }
                if (umax == -std::numeric_limits<double>::infinity()) continue;
                double total = 0;
                for (std::size_t j = 0; j < models_; ++j) {
                    expu[j] = std::isinf(u[j]) ? 0.0 : std::exp(u[j] - umax);
                    total += expu[j];
                    if (expu[j] > 0) last_[g * models_ + p] = static_cast<std::uint8_t>(j);
                }
                double* cdf = &cdf_[(g * models_ + p) * models_];
                double acc = 0;
                for (std::size_t j = 0; j < models_; ++j) cdf[j] = (acc += expu[j] / total);
                any_[g * models_ + p] = 1;
            }
        }
    }

    bool has_alternative(std::size_t segment, std::size_t preferred) const {
        return any_[segment * models_ + preferred];
    }
    // The first alternative whose cumulative probability exceeds the draw; rounding can leave
    // the total a hair below one, so the last reachable alternative takes the remainder.
    std::uint8_t pick(std::size_t segment, std::size_t preferred, double uniform) const {
        const double* cdf = &cdf_[(segment * models_ + preferred) * models_];
        for (std::size_t j = 0; j < models_; ++j)
            if (uniform < cdf[j]) return static_cast<std::uint8_t>(j);
        return last_[segment * models_ + preferred];
    }

private:
    std::size_t models_;
    std::vector<double> cdf_;
    std::vector<std::uint8_t> any_;
    std::vector<std::uint8_t> last_;
};

// Per-block daily totals, laid out as [users_by_model..., blocked, waiting, switched, returned].
struct TallyLayout {
    std::size_t models;
    std::size_t width() const { return models + 4; }
    std::size_t blocked() const { return models; }
    std::size_t waiting() const { return models + 1; }
    std::size_t switched() const { return models + 2; }
    std::size_t returned() const { return models + 3; }
};

struct SegmentRates {
    double switch_hazard;       // daily probability a waiting user switches
    double return_probability;  // at zero days away
    double return_decay;        // per day away, in log2 units
};

Series make_series(std::string name, std::string unit, std::string description, int days, std::vector<Axis> axes = {}) {
    Series s{std::move(name), std::move(unit), std::move(description), std::move(axes), {}};
    s.values.assign(static_cast<std::size_t>(days) * s.width(), 0.0);
    return s;
}

void summarise(const Scenario& s, const AccessTimeline& access, const World& world, const Series& by_model,
               const Series& blocked, const Series& switched, Results& r) {
    const Directive& d = s.directive;
    const bool active = d.rule != AccessRuleKind::open;
    std::vector<std::size_t> scope;
    for (const auto& id : d.models) scope.push_back(static_cast<std::size_t>(index_of(s.models, id)));

    double affected = 0;
    if (active)
        for (std::size_t i = 0; i < world.users.size(); ++i)
            for (auto m : scope) affected += world.users.preferred[i] == m ? world.users.weight[i] : 0.0;

    auto scope_users = [&](int day) {
        double total = 0;
        for (auto m : scope) total += by_model.at(static_cast<std::size_t>(day), m);
        return total;
    };
    double recovery = not_reached;
    if (active) {
        const double before = d.day > 0 ? scope_users(d.day - 1) : affected;
        for (int day = d.day; day < s.days; ++day)
            if (scope_users(day) >= 0.9 * before && before > 0) {
                recovery = day - d.day;
                break;
            }
    }
    double peak = 0;
    for (double v : blocked.values) peak = std::max(peak, v);
    const double churn = switched.values.back();

    r.scalars = {
        {"directive_day", "day", "Day the directive takes effect (NaN without a directive)", active ? d.day : not_reached},
        {"restore_day", "day", "Day access is restored (NaN when not within the horizon)",
         active && access.restore_day >= 0 ? access.restore_day : not_reached},
        {"affected_users", "users", "Users whose preferred model is in the directive's scope", affected},
        {"peak_blocked", "users", "Largest number of users blocked from their preferred model on one day", peak},
        {"churn_at_horizon", "users", "Users still on an alternative model on the last day", churn},
        {"churn_share", "fraction", "churn_at_horizon as a share of affected users (NaN when none are affected)",
         affected > 0 ? churn / affected : not_reached},
        {"days_to_90pct_recovery", "days",
         "Days from the directive until the models in scope serve 90% of their pre-directive users (NaN when not "
         "reached within the horizon)",
         recovery},
    };
}

}  // namespace

Results simulate(const Scenario& s, const RunOptions& options) {
    World world = synthesise_world(s, s.seed, options.replicate, options.threads);
    Users& u = world.users;
    const std::size_t n = u.size();
    const std::size_t blocks = (n + agent_block_size - 1) / agent_block_size;
    const AccessTimeline access = plan_access(s, options.replicate);
    const TallyLayout layout{s.models.size()};

    std::vector<SegmentRates> rates;
    for (const auto& g : s.segments)
        rates.push_back({g.patience_days <= 0 ? 1.0 : -std::expm1(-1.0 / g.patience_days), g.return_probability,
                         1.0 / g.return_half_life_days});

    std::vector<std::string> model_ids;
    for (const auto& m : s.models) model_ids.push_back(m.id);
    Results r;
    r.seed = s.seed;
    r.replicate = options.replicate;
    r.days = s.days;
    Series by_model = make_series("users_by_model", "users",
                                  "Users able to use each model who are using it (waiting users use none)", s.days,
                                  {Axis{"model", model_ids}});
    Series blocked = make_series("blocked", "users", "Users whose preferred model is closed to them", s.days);
    Series waiting = make_series("waiting", "users", "Blocked users who have not switched and use no model", s.days);
    Series switched = make_series("switched", "users",
                                  "Users on an alternative model because their preferred model was closed", s.days);
    Series returned = make_series("returned", "users", "Users back on their preferred model after switching", s.days);

    std::vector<double> tallies(blocks * layout.width());
    std::unique_ptr<ChoiceTable> choices;
    for (int day = 0; day < s.days; ++day) {
        if (options.cancel && options.cancel->load()) throw Cancelled();
        const std::uint8_t* open = access.day_row(day);
        if (!choices || (day > 0 && !std::equal(open, open + layout.models, access.day_row(day - 1))))
            choices = std::make_unique<ChoiceTable>(s, world, open);
        const ChoiceTable& table = *choices;

        for_each_block(blocks, options.threads, [&](std::size_t b) {
            double* t = &tallies[b * layout.width()];
            std::fill(t, t + layout.width(), 0.0);
            const auto switch_key = StreamKey::of(s.seed, options.replicate, Purpose::wait_or_switch, b);
            const auto choice_key = StreamKey::of(s.seed, options.replicate, Purpose::choice, b);
            const auto return_key = StreamKey::of(s.seed, options.replicate, Purpose::return_home, b);
            const std::size_t begin = b * agent_block_size;
            const std::size_t end = std::min(n, begin + agent_block_size);
            for (std::size_t i = begin; i < end; ++i) {
                const double w = u.weight[i];
                const std::uint8_t p = u.preferred[i];
                const bool home_open = open[p];
                UserState state = u.state[i];

                if ((state == UserState::active || state == UserState::returned) && home_open) {
                    t[p] += w;
                    if (state == UserState::returned) t[layout.returned()] += w;
                    continue;
                }
                if (state == UserState::switched && !open[u.current[i]]) state = UserState::waiting;  // alternative closed too
                if (state == UserState::churned) {
                    if (open[u.current[i]]) t[u.current[i]] += w;
                    t[layout.switched()] += w;
                    continue;
                }
                if (state == UserState::active || state == UserState::returned) {
                    state = UserState::waiting;
                    u.since[i] = static_cast<std::int16_t>(day);
                }
                const std::size_t local = i - begin;
                const SegmentRates& rate = rates[u.segment[i]];
                if (state == UserState::waiting) {
                    if (home_open) {  // waited it out
                        state = UserState::active;
                        t[p] += w;
                    } else if (table.has_alternative(u.segment[i], p) &&
                               RandomEngine(switch_key, local, static_cast<std::uint64_t>(day)).uniform() < rate.switch_hazard) {
                        const std::uint8_t j =
                            table.pick(u.segment[i], p, RandomEngine(choice_key, local, static_cast<std::uint64_t>(day)).uniform());
                        state = UserState::switched;
                        u.current[i] = j;
                        u.since[i] = static_cast<std::int16_t>(day);
                        t[j] += w;
                        t[layout.blocked()] += w;
                        t[layout.switched()] += w;
                    } else {
                        t[layout.blocked()] += w;
                        t[layout.waiting()] += w;
                    }
                } else if (state == UserState::switched) {
                    if (home_open) {
                        // The return draw is keyed by the switch day, not today, so a later
                        // restore changes only the probability, never the draw it is compared with.
                        const double away = day - u.since[i];
                        const double prob = rate.return_probability * std::exp2(-away * rate.return_decay);
                        if (RandomEngine(return_key, local, static_cast<std::uint64_t>(u.since[i])).uniform() < prob) {
                            state = UserState::returned;
                            u.current[i] = p;
                            t[p] += w;
                            t[layout.returned()] += w;
                        } else {
                            state = UserState::churned;
                            t[u.current[i]] += w;
                            t[layout.switched()] += w;
                        }
                        u.since[i] = static_cast<std::int16_t>(day);
                    } else {
                        t[u.current[i]] += w;
                        t[layout.blocked()] += w;
                        t[layout.switched()] += w;
                    }
                }
                u.state[i] = state;
            }
        });

        // Reduce in block order so that sums are identical for any thread count.
        for (std::size_t b = 0; b < blocks; ++b) {
            const double* t = &tallies[b * layout.width()];
            double* row = &by_model.values[static_cast<std::size_t>(day) * layout.models];
            for (std::size_t m = 0; m < layout.models; ++m) row[m] += t[m];
            blocked.values[day] += t[layout.blocked()];
            waiting.values[day] += t[layout.waiting()];
            switched.values[day] += t[layout.switched()];
            returned.values[day] += t[layout.returned()];
        }
        if (options.progress) options.progress(day + 1, s.days);
    }

    summarise(s, access, world, by_model, blocked, switched, r);
    for (auto* series : {&by_model, &blocked, &waiting, &switched, &returned}) r.series.push_back(std::move(*series));
    return r;
}

}  // namespace gatesim

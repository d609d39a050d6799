// Synthesis of enterprises and users from a scenario and a seed.
#include "model/world.hpp"

#include <algorithm>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/discrete_distribution.hpp>

#include <stdexcept>

#include "model/parallel.hpp"
#include "model/rng.hpp"

namespace gatesim {

void Users::resize(std::size_t n) {
    weight.resize(n);
    daily_value.resize(n);
    daily_tokens.resize(n);
    region.resize(n);
    nationality.resize(n);
    segment.resize(n);
    channel.resize(n);
    cell.resize(n);
    employer.resize(n);
    home.resize(n);
    current.resize(n);
    state.resize(n);
    since.resize(n);
    verification.resize(n);
    verification_since.resize(n);
    tries.resize(n);
    flags.resize(n);
}

void EnterpriseTable::resize(std::size_t n) {
    weight.resize(n);
    region.resize(n);
    sector.resize(n);
    channel.resize(n);
    primary.resize(n);
    fallback.resize(n);
    current.resize(n);
    target.resize(n);
    risk_aversion.resize(n);
    integration_days.resize(n);
    foreign_share.resize(n);
    vetted.resize(n);
    state.resize(n);
    since.resize(n);
}

namespace {

using Categorical = boost::random::discrete_distribution<int, double>;

// The range describe() gives a field of T, e.g. field_range<Segment>("tasks_per_day").
struct FieldRange {
    double min = 0, max = 0;
};
struct FieldRangeFinder {
    std::string_view key;
    FieldRange range{};
    bool found = false;
    template <class F>
    void operator()(std::string_view k, F&, const Meta& meta) {
        if (k == key) range = {meta.min, meta.max}, found = true;
    }
};
template <Described T>
FieldRange field_range(std::string_view key) {
    FieldRangeFinder finder{key};
    T probe{};
    describe(finder, probe);
    if (!finder.found) throw std::logic_error("field_range: no field " + std::string(key));
    return finder.range;
}

// A draw of a distribution-typed field, clamped to the field's range: the loader keeps nearly
// every draw inside it (Distribution::check_sampled_range); the clamp keeps the rare tail draw,
// and scenarios built in code, from reaching the engine as a number the field cannot hold.
double draw(const Distribution& d, RandomEngine& rng, const FieldRange& range) {
    return d.sample_within(rng, range.min, range.max);
}

template <class T, class Weight>
Categorical categorical(const std::vector<T>& items, Weight weight) {
    std::vector<double> w;
    w.reserve(items.size());
    for (const auto& item : items) w.push_back(weight(item));
    return Categorical(w.begin(), w.end());
}

bool bernoulli(RandomEngine& rng, double p) {
    return boost::random::bernoulli_distribution<double>(std::clamp(p, 0.0, 1.0))(rng);
}

// Whether a model is offered on a channel from day 0.
bool offered_at_start(const Scenario& s, std::size_t model, std::uint8_t channel) {
    const Model& m = s.models[model];
    if (m.release_day > 0) return false;
    if (channel == channel_consumer) return m.consumer;
    if (channel == channel_api) return m.api;
    const auto& hosted = s.cloud_partners[channel - channel_cloud_first].models;
    return std::find(hosted.begin(), hosted.end(), m.id) != hosted.end();
}

// Home-model distributions per channel, following the models' user shares among what is offered.
std::vector<Categorical> home_model_choices(const Scenario& s, std::size_t channels) {
    std::vector<Categorical> out;
    for (std::size_t c = 0; c < channels; ++c) {
        std::vector<double> w(s.models.size());
        for (std::size_t m = 0; m < s.models.size(); ++m)
            w[m] = offered_at_start(s, m, static_cast<std::uint8_t>(c)) ? s.models[m].user_share : 0.0;
        // check_consistency guarantees a positive weight on every channel in use; an unused
        // channel gets any model (it is never drawn from).
        if (std::all_of(w.begin(), w.end(), [](double x) { return x == 0; })) w.assign(s.models.size(), 1.0);
        out.emplace_back(w.begin(), w.end());
    }
    return out;
}

void synthesise_enterprises(const Scenario& s, World& world, std::uint64_t seed, std::uint64_t replicate,
                            const std::vector<Categorical>& home_choices, std::vector<double>& sizes) {
    const Enterprises& spec = s.enterprises;
    const auto n = static_cast<std::size_t>(spec.agents);
    EnterpriseTable& e = world.enterprises;
    e.resize(n);
    sizes.assign(n, 0.0);
    if (n == 0) return;
    const auto region_dist = categorical(s.regions, [](const Region& r) { return r.enterprise_share; });
    const auto sector_dist = categorical(spec.sectors, [](const Sector& x) { return x.enterprise_share; });
    const auto risk_aversion = field_range<Enterprises>("risk_aversion");
    const auto integration_days = field_range<Enterprises>("integration_days");
    const auto employees = field_range<Enterprises>("employees");
    std::vector<double> channel_weights{0.0, 1.0};
    for (const auto& p : s.cloud_partners) {
        channel_weights.push_back(p.enterprise_share);
        channel_weights[channel_api] -= p.enterprise_share;
    }
    channel_weights[channel_api] = std::max(0.0, channel_weights[channel_api]);
    const Categorical channel_dist(channel_weights.begin(), channel_weights.end());
    const int us = index_of(s.regions, "us");

    for (std::size_t i = 0; i < n; ++i) {
        RandomEngine rng(StreamKey::of(seed, replicate, purpose_of(Draw::enterprise_synthesis), i / agent_block_size), i % agent_block_size,
                         Draw::enterprise_synthesis, 0);
        e.weight[i] = spec.count / static_cast<double>(n);
        e.region[i] = static_cast<std::uint8_t>(region_dist(rng));
        e.sector[i] = static_cast<std::uint8_t>(sector_dist(rng));
        e.vetted[i] = spec.sectors[e.sector[i]].vetted;
        e.channel[i] = static_cast<std::uint8_t>(channel_dist(rng));
        e.primary[i] = static_cast<std::uint8_t>(home_choices[e.channel[i]](rng));
        e.current[i] = e.primary[i];
        e.target[i] = no_model;
        e.fallback[i] = no_model;
        if (bernoulli(rng, spec.multi_homed_share)) {
            // The fallback is another provider's model on the same channel, by market share.
            std::vector<double> w(s.models.size());
            for (std::size_t m = 0; m < s.models.size(); ++m)
                w[m] = offered_at_start(s, m, e.channel[i]) && world.model_provider[m] != world.model_provider[e.primary[i]]
                           ? std::max(s.models[m].user_share, 1e-6)
                           : 0.0;
            if (std::any_of(w.begin(), w.end(), [](double x) { return x > 0; }))
                e.fallback[i] = static_cast<std::uint8_t>(Categorical(w.begin(), w.end())(rng));
        }
        e.risk_aversion[i] = static_cast<float>(draw(spec.risk_aversion, rng, risk_aversion));
        e.integration_days[i] = static_cast<float>(draw(spec.integration_days, rng, integration_days));
        e.foreign_share[i] = static_cast<float>(e.region[i] == us ? spec.us_hq_foreign_share
                                                                  : 1.0 - s.regions[e.region[i]].us_person_share);
        e.state[i] = EnterpriseState::normal;
        e.since[i] = 0;
        sizes[i] = draw(spec.employees, rng, employees);
    }
}

}  // namespace

World synthesise_world(const Scenario& s, std::uint64_t seed, std::uint64_t replicate, int threads) {
    World world;
    for (const auto& m : s.models) world.model_provider.push_back(index_of(s.providers, m.provider));
    world.channels = channel_cloud_first + s.cloud_partners.size();
    const auto home_choices = home_model_choices(s, world.channels);

    std::vector<double> sizes;
    synthesise_enterprises(s, world, seed, replicate, home_choices, sizes);
    const EnterpriseTable& e = world.enterprises;
    const int employee_segment = e.size() > 0 ? index_of(s.segments, s.enterprises.employee_segment) : -1;
    const Categorical employer_dist = e.size() > 0 ? Categorical(sizes.begin(), sizes.end()) : Categorical();

    const auto n = static_cast<std::size_t>(s.population.agents);
    Users& u = world.users;
    u.resize(n);
    const double weight = s.population.users / static_cast<double>(n);
    const auto region_dist = categorical(s.regions, [](const Region& r) { return r.user_share; });
    const auto segment_dist = categorical(s.segments, [](const Segment& g) { return g.user_share; });
    const auto tasks_per_day = field_range<Segment>("tasks_per_day");

    const std::size_t blocks = (n + agent_block_size - 1) / agent_block_size;
    for_each_block(blocks, threads, [&](std::size_t b) {
        const auto key = StreamKey::of(seed, replicate, purpose_of(Draw::user_synthesis), b);
        const std::size_t begin = b * agent_block_size;
        const std::size_t end = std::min(n, begin + agent_block_size);
        for (std::size_t i = begin; i < end; ++i) {
            RandomEngine rng(key, i - begin, Draw::user_synthesis, 0);
            const auto segment = static_cast<std::size_t>(segment_dist(rng));
            const Segment& g = s.segments[segment];
            std::size_t region;
            bool us_person;
            if (static_cast<int>(segment) == employee_segment) {
                const auto employer = static_cast<std::size_t>(employer_dist(rng));
                region = e.region[employer];
                us_person = !bernoulli(rng, e.foreign_share[employer]);
                u.employer[i] = static_cast<std::int32_t>(employer);
                u.channel[i] = e.channel[employer];
                u.home[i] = e.primary[employer];
            } else {
                region = static_cast<std::size_t>(region_dist(rng));
                us_person = bernoulli(rng, s.regions[region].us_person_share);
                u.employer[i] = no_employer;
                u.channel[i] = g.channel == ChannelKind::consumer ? channel_consumer : channel_api;
                u.home[i] = static_cast<std::uint8_t>(home_choices[u.channel[i]](rng));
            }
            const double tasks = draw(g.tasks_per_day, rng, tasks_per_day);
            std::uint8_t flags = 0;
            if (bernoulli(rng, s.regions[region].vpn_propensity * g.vpn_multiplier)) flags |= flag_vpn;
            const bool claims = bernoulli(rng, g.false_attestation);
            const bool attested = bernoulli(rng, s.enterprises.attestation_error);
            if (!us_person && claims) flags |= flag_false_attester;
            if (u.employer[i] != no_employer && (us_person || attested)) flags |= flag_attested;

            u.weight[i] = weight;
            u.daily_value[i] = static_cast<float>(tasks * g.value_per_task);
            u.daily_tokens[i] = static_cast<float>(tasks * g.tokens_per_task);
            u.region[i] = static_cast<std::uint8_t>(region);
            u.nationality[i] = us_person ? Nationality::us_person : Nationality::foreign_national;
            u.segment[i] = static_cast<std::uint8_t>(segment);
            u.cell[i] = breakdown_cell(region, u.nationality[i], segment, s.segments.size(), channel_kind(u.channel[i]));
            u.current[i] = u.home[i];
            u.state[i] = UserState::active;
            u.since[i] = 0;
            u.verification[i] = VerificationStatus::none;
            u.verification_since[i] = 0;
            u.tries[i] = 0;
            u.flags[i] = flags;
        }
    });
    return world;
}

}  // namespace gatesim

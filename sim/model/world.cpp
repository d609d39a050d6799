// Synthesis of enterprises and users from a scenario and a seed.
#include "model/world.hpp"

#include <algorithm>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/discrete_distribution.hpp>

#include <cstring>
#include <functional>
#include <stdexcept>

#include "model/market.hpp"
#include "model/parallel.hpp"
#include "model/rng.hpp"

namespace gatesim {

void Users::resize(std::size_t n, int threads) {
    weight.resize(n);
    std::vector<std::function<void()>> columns;
    for_each_column(*this, [&](auto& column) { columns.emplace_back([&column, n] { column.resize(n); }); });
    for_each_block(columns.size(), threads, [&](std::size_t k) { columns[k](); });
}

TouchedBlocks::TouchedBlocks(std::size_t agents) : saved_((agents + agent_block_size - 1) / agent_block_size) {}

void TouchedBlocks::keep(const Users& u, std::size_t block) {
    std::vector<unsigned char>& saved = saved_[block];
    if (!saved.empty()) return;
    const std::size_t begin = block * agent_block_size, end = std::min(u.size(), begin + agent_block_size);
    Users::for_each_changing_column(u, [&](const auto& column) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(column.data() + begin);
        saved.insert(saved.end(), bytes, bytes + (end - begin) * sizeof(column[0]));
    });
}

void TouchedBlocks::restore(Users& u) const {
    for (std::size_t block = 0; block < saved_.size(); ++block) {
        const unsigned char* from = saved_[block].data();
        if (!from) continue;
        const std::size_t begin = block * agent_block_size, end = std::min(u.size(), begin + agent_block_size);
        Users::for_each_changing_column(u, [&](auto& column) {
            const std::size_t bytes = (end - begin) * sizeof(column[0]);
            std::memcpy(static_cast<void*>(column.data() + begin), from, bytes);
            from += bytes;
        });
    }
}

std::size_t TouchedBlocks::kept() const {
    return static_cast<std::size_t>(std::count_if(saved_.begin(), saved_.end(), [](const auto& s) { return !s.empty(); }));
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
    shifted.resize(n);
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

// A draw of an index with the given weights, over the indices of positive weight only, so that
// adding an entry of weight 0 (a model released later, with no users yet) changes no draw.
class WeightedPick {
public:
    explicit WeightedPick(const std::vector<double>& weights) {
        std::vector<double> positive;
        for (std::size_t k = 0; k < weights.size(); ++k)
            if (weights[k] > 0) index_.push_back(static_cast<std::uint8_t>(k)), positive.push_back(weights[k]);
        // check_consistency rules out drawing where nothing has weight; an empty pick gives 0.
        if (positive.empty()) index_.push_back(0), positive.push_back(1.0);
        dist_ = Categorical(positive.begin(), positive.end());
    }
    std::uint8_t operator()(RandomEngine& rng) const { return index_[static_cast<std::size_t>(dist_(rng))]; }

private:
    std::vector<std::uint8_t> index_;
    Categorical dist_;
};

bool bernoulli(RandomEngine& rng, double p) {
    return boost::random::bernoulli_distribution<double>(std::clamp(p, 0.0, 1.0))(rng);
}

// The draws a world is made from, computed once from the market structure (market.hpp).
struct MarketDraws {
    std::vector<WeightedPick> home;     // [region * 3 + BuyerKind]: preferred model
    std::vector<WeightedPick> channel;  // [model * 2 + (0 api, 1 enterprise)]: channel of an API buyer

    explicit MarketDraws(const Scenario& s) {
        for (std::size_t r = 0; r < s.regions.size(); ++r)
            for (auto kind : {BuyerKind::consumer, BuyerKind::api, BuyerKind::enterprise}) home.emplace_back(home_shares(s, r, kind));
        for (std::size_t m = 0; m < s.models.size(); ++m)
            for (auto kind : {BuyerKind::api, BuyerKind::enterprise}) channel.emplace_back(channel_weights(s, m, kind));
    }
    std::uint8_t home_model(RandomEngine& rng, std::size_t region, BuyerKind kind) const {
        return home[region * 3 + static_cast<std::size_t>(kind)](rng);
    }
    std::uint8_t channel_of(RandomEngine& rng, std::size_t model, BuyerKind kind) const {
        return channel[model * 2 + (kind == BuyerKind::enterprise ? 1 : 0)](rng);
    }
};

// A multi-homed enterprise's fallback: another provider's model on its channel, by its region's
// enterprise shares (a provider that serves the region but has no share there gets a sliver).
std::uint8_t draw_fallback(const Scenario& s, const World& world, RandomEngine& rng, std::size_t region, std::uint8_t channel,
                           std::uint8_t primary) {
    const auto shares = home_shares(s, region, BuyerKind::enterprise);
    std::vector<double> w(s.models.size(), 0.0);
    for (std::size_t m = 0; m < s.models.size(); ++m)
        if (offered_at_start(s, m, channel) && world.model_provider[m] != world.model_provider[primary] && provider_weight(s, region, m) > 0)
            w[m] = std::max(shares[m], 1e-6);
    if (std::none_of(w.begin(), w.end(), [](double x) { return x > 0; })) return no_model;
    return WeightedPick(w)(rng);
}

void synthesise_enterprises(const Scenario& s, World& world, std::uint64_t seed, std::uint64_t replicate, const MarketDraws& market,
                            std::vector<double>& sizes) {
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
    const int us = index_of(s.regions, "us");

    for (std::size_t i = 0; i < n; ++i) {
        RandomEngine rng(StreamKey::of(seed, replicate, purpose_of(Draw::enterprise_synthesis), i / agent_block_size), i % agent_block_size,
                         Draw::enterprise_synthesis, 0);
        e.weight[i] = spec.count / static_cast<double>(n);
        e.region[i] = static_cast<std::uint8_t>(region_dist(rng));
        e.sector[i] = static_cast<std::uint8_t>(sector_dist(rng));
        e.vetted[i] = spec.sectors[e.sector[i]].vetted;
        // The primary model first, by the region's shares; then the channel its provider sells it on.
        e.primary[i] = market.home_model(rng, e.region[i], BuyerKind::enterprise);
        e.channel[i] = market.channel_of(rng, e.primary[i], BuyerKind::enterprise);
        e.current[i] = e.primary[i];
        e.target[i] = no_model;
        e.fallback[i] = bernoulli(rng, spec.multi_homed_share) ? draw_fallback(s, world, rng, e.region[i], e.channel[i], e.primary[i]) : no_model;
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

double paying_draw(std::uint64_t seed, std::uint64_t replicate, std::size_t agent) {
    const auto key = StreamKey::of(seed, replicate, purpose_of(Draw::paying), agent / agent_block_size);
    return RandomEngine(key, agent % agent_block_size, Draw::paying, 0).uniform();
}

std::vector<PlanTerms> plan_terms(const Scenario& s) {
    const std::size_t providers = s.providers.size();
    std::vector<PlanTerms> terms(s.segments.size() * providers);
    for (std::size_t p = 0; p < providers; ++p)
        for (const auto& plan : s.providers[p].plans)
            terms[static_cast<std::size_t>(index_of(s.segments, plan.id)) * providers + p] = {plan.price_per_month, plan.paying_share};
    return terms;
}

World synthesise_world(const Scenario& s, std::uint64_t seed, std::uint64_t replicate, int threads) {
    World world;
    for (const auto& m : s.models) world.model_provider.push_back(index_of(s.providers, m.provider));
    world.channels = channel_cloud_first + s.cloud_partners.size();
    const MarketDraws market(s);

    std::vector<double> sizes;
    synthesise_enterprises(s, world, seed, replicate, market, sizes);
    const EnterpriseTable& e = world.enterprises;
    const int employee_segment = e.size() > 0 ? index_of(s.segments, s.enterprises.employee_segment) : -1;
    const Categorical employer_dist = e.size() > 0 ? Categorical(sizes.begin(), sizes.end()) : Categorical();
    const auto plans = plan_terms(s);

    const auto n = static_cast<std::size_t>(s.population.agents);
    Users& u = world.users;
    u.resize(n, threads);
    u.weight.assign(n, s.population.users / static_cast<double>(n));
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
                const BuyerKind kind = g.channel == ChannelKind::consumer ? BuyerKind::consumer : BuyerKind::api;
                u.home[i] = market.home_model(rng, region, kind);
                u.channel[i] = kind == BuyerKind::consumer ? channel_consumer : market.channel_of(rng, u.home[i], kind);
            }
            const double tasks = draw(g.tasks_per_day, rng, tasks_per_day);
            std::uint8_t flags = 0;
            if (bernoulli(rng, s.regions[region].vpn_propensity * g.vpn_multiplier)) flags |= flag_vpn;
            const bool claims = bernoulli(rng, g.false_attestation);
            const bool attested = bernoulli(rng, s.enterprises.attestation_error);
            if (!us_person && claims) flags |= flag_false_attester;
            if (u.employer[i] != no_employer && (us_person || attested)) flags |= flag_attested;
            const std::size_t provider = static_cast<std::size_t>(world.model_provider[u.home[i]]);
            if (paying_draw(seed, replicate, i) < plans[segment * s.providers.size() + provider].paying_share) flags |= flag_pays_home;

            u.daily_value[i] = static_cast<float>(tasks * g.value_per_task);
            u.daily_tokens[i] = static_cast<float>(tasks * g.tokens_per_task * s.models[u.home[i]].token_intensity);
            u.region[i] = static_cast<std::uint8_t>(region);
            u.nationality[i] = us_person ? Nationality::us_person : Nationality::foreign_national;
            u.segment[i] = static_cast<std::uint8_t>(segment);
            u.cell[i] = breakdown_cell(region, u.nationality[i], segment, s.segments.size(), channel_kind(u.channel[i]));
            u.current[i] = u.home[i];
            u.state[i] = UserState::active;
            u.since[i] = 0;
            u.left_home[i] = 0;
            u.next_event[i] = -1;
            u.verification[i] = VerificationStatus::none;
            u.verification_since[i] = 0;
            u.tries[i] = 0;
            u.flags[i] = flags;
        }
    });
    return world;
}

}  // namespace gatesim

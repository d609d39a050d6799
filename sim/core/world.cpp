// Synthesis of the user population from a scenario and a seed.
#include "world.hpp"

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/discrete_distribution.hpp>

#include "parallel.hpp"
#include "rng.hpp"

namespace gatesim {

void Users::resize(std::size_t n) {
    weight.resize(n);
    region.resize(n);
    nationality.resize(n);
    segment.resize(n);
    preferred.resize(n);
    current.resize(n);
    state.resize(n);
    since.resize(n);
}

std::size_t Users::bytes_per_agent() const {
    return sizeof(double) + 4 * sizeof(std::uint8_t) + sizeof(Nationality) + sizeof(UserState) +
           sizeof(std::int16_t);
}

namespace {

template <class T, class Share>
boost::random::discrete_distribution<int, double> categorical(const std::vector<T>& items, Share share) {
    std::vector<double> w;
    w.reserve(items.size());
    for (const auto& item : items) w.push_back(share(item));
    return boost::random::discrete_distribution<int, double>(w.begin(), w.end());
}

}  // namespace

World synthesise_world(const Scenario& s, std::uint64_t seed, std::uint64_t replicate, int threads) {
    World world;
    for (const auto& m : s.models) world.model_provider.push_back(index_of(s.providers, m.provider));

    const auto n = static_cast<std::size_t>(s.population.agents);
    Users& u = world.users;
    u.resize(n);
    const double weight = s.population.users / static_cast<double>(n);

    const auto region_dist = categorical(s.regions, [](const Region& r) { return r.user_share; });
    const auto segment_dist = categorical(s.segments, [](const Segment& g) { return g.user_share; });
    const auto model_dist = categorical(s.models, [](const Model& m) { return m.user_share; });

    const std::size_t blocks = (n + agent_block_size - 1) / agent_block_size;
    for_each_block(blocks, threads, [&](std::size_t b) {
        const auto key = StreamKey::of(seed, replicate, Purpose::population, b);
        const std::size_t begin = b * agent_block_size;
        const std::size_t end = std::min(n, begin + agent_block_size);
        for (std::size_t i = begin; i < end; ++i) {
            RandomEngine rng(key, i - begin, 0);
            const int region = region_dist(rng);
            const bool us_person =
                boost::random::bernoulli_distribution<double>(s.regions[region].us_person_share)(rng);
            u.weight[i] = weight;
            u.region[i] = static_cast<std::uint8_t>(region);
            u.nationality[i] = us_person ? Nationality::us_person : Nationality::foreign_national;
            u.segment[i] = static_cast<std::uint8_t>(segment_dist(rng));
            u.preferred[i] = static_cast<std::uint8_t>(model_dist(rng));
            u.current[i] = u.preferred[i];
            u.state[i] = UserState::active;
            u.since[i] = 0;
        }
    });
    return world;
}

}  // namespace gatesim

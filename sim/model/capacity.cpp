// Surge admission to capacity-limited models.
#include "model/capacity.hpp"

#include <algorithm>

#include "model/rng.hpp"

namespace gatesim {

void admit_surge(const Scenario& s, std::uint64_t replicate, const Users& users, const TallyLayout& layout,
                 const GroupTallies& tallies, std::vector<std::vector<Intent>>& intents, int day) {
    const std::size_t m = s.models.size();
    std::vector<double> in_use(m, 0.0);
    for (std::size_t g = 0; g < tallies.groups(); ++g)
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t c = 0; c < layout.cells; ++c) in_use[j] += tallies.group(g)[layout.users_by_model(j, c)];
    struct Candidate {
        double priority;
        Intent* intent;
    };
    std::vector<std::vector<Candidate>> queue(m);
    for (auto& group : intents)
        for (auto& intent : group) {
            const std::size_t block = intent.agent / agent_block_size;
            const auto key = StreamKey::of(s.seed, replicate, purpose_of(Draw::surge_priority), block);
            queue[intent.model].push_back({RandomEngine(key, intent.agent - block * agent_block_size, Draw::surge_priority, day).uniform(), &intent});
        }
    for (std::size_t j = 0; j < m; ++j) {
        auto& candidates = queue[j];
        if (candidates.empty()) continue;  // e.g. a model without a capacity
        std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
            return x.priority < y.priority || (x.priority == y.priority && x.intent->agent < y.intent->agent);
        });
        double spare = *s.models[j].capacity_users - in_use[j];
        for (auto& c : candidates) {
            const double w = users.weight[c.intent->agent];
            c.intent->admitted = w <= spare;
            if (c.intent->admitted) spare -= w;
        }
    }
}

}  // namespace gatesim

// Home-model shares by region and kind of user, channels given a model, partner shares.
#include "model/market.hpp"

#include <algorithm>

namespace gatesim {

bool offered_at_start(const Scenario& s, std::size_t model, std::uint8_t channel) {
    const Model& m = s.models[model];
    if (m.release_day > 0) return false;
    if (channel == 0) return m.consumer;
    if (channel == 1) return m.api;
    const auto& hosted = s.cloud_partners[channel - 2u].models;
    return std::find(hosted.begin(), hosted.end(), m.id) != hosted.end();
}

double provider_weight(const Scenario& s, std::size_t region, std::size_t model) {
    const auto& weights = s.regions[region].provider_weights;
    const auto it = weights.find(s.models[model].provider);
    return it == weights.end() ? 1.0 : it->second;
}

namespace {

bool on_some_api_channel(const Scenario& s, std::size_t model) {
    for (std::size_t c = 1; c < 2 + s.cloud_partners.size(); ++c)
        if (offered_at_start(s, model, static_cast<std::uint8_t>(c))) return true;
    return false;
}

double base_share(const Model& m, BuyerKind kind) {
    switch (kind) {
        case BuyerKind::consumer: return m.shares.consumer;
        case BuyerKind::api: return m.shares.api;
        case BuyerKind::enterprise: return m.shares.enterprise;
    }
    return 0;
}

}  // namespace

std::vector<double> home_shares(const Scenario& s, std::size_t region, BuyerKind kind) {
    std::vector<double> w(s.models.size(), 0.0);
    double total = 0;
    for (std::size_t m = 0; m < s.models.size(); ++m) {
        const bool available = kind == BuyerKind::consumer ? offered_at_start(s, m, 0) : on_some_api_channel(s, m);
        if (!available) continue;
        w[m] = base_share(s.models[m], kind) * provider_weight(s, region, m);
        total += w[m];
    }
    for (double& x : w) x = total > 0 ? x / total : 0.0;
    return w;
}

std::vector<double> channel_weights(const Scenario& s, std::size_t model, BuyerKind kind) {
    const std::size_t channels = 2 + s.cloud_partners.size();
    std::vector<double> w(channels, 0.0);
    const int provider = index_of(s.providers, s.models[model].provider);
    const CloudMix& mix = s.providers[static_cast<std::size_t>(provider)].cloud_mix;
    const NumberMap& shares = kind == BuyerKind::enterprise ? mix.enterprise : mix.api;
    double hosted = 0;
    for (std::size_t k = 0; k < s.cloud_partners.size(); ++k) {
        const auto it = shares.find(s.cloud_partners[k].id);
        if (it == shares.end() || !offered_at_start(s, model, static_cast<std::uint8_t>(2 + k))) continue;
        w[2 + k] = it->second;
        hosted += it->second;
    }
    if (offered_at_start(s, model, 1)) w[1] = std::max(0.0, 1.0 - hosted);
    double total = 0;
    for (double x : w) total += x;
    if (total == 0)  // only on partners the mix gives no share: spread over them evenly
        for (std::size_t c = 1; c < channels; ++c)
            if (offered_at_start(s, model, static_cast<std::uint8_t>(c))) w[c] = 1.0, total += 1.0;
    for (double& x : w) x = total > 0 ? x / total : 0.0;
    return w;
}

double partner_share(const Scenario& s, std::size_t partner, std::size_t provider) {
    const CloudPartner& p = s.cloud_partners[partner];
    const auto it = p.revenue_share_by_provider.find(s.providers[provider].id);
    return it == p.revenue_share_by_provider.end() ? p.revenue_share : it->second;
}

}  // namespace gatesim

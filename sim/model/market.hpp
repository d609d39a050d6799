// The market structure a world starts from: which model each kind of user prefers in each region
// (base shares by channel kind x the provider's weight in the region), through which channel an
// API buyer reaches its model (the provider's cloud mix), and what a cloud partner keeps of a
// provider's sales. World synthesis, the consistency checks and revenue all read it from here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/scenario.hpp"

namespace gatesim {

// Whose preferences a home-model share describes: consumer-app users, individual API users
// (developers, researchers), or enterprises choosing a primary model.
enum class BuyerKind { consumer, api, enterprise };

// Whether a model is offered on a channel (0 consumer app, 1 direct API, 2 + k cloud partner k)
// from day 0.
bool offered_at_start(const Scenario& s, std::size_t model, std::uint8_t channel);

// regions.<r>.provider_weights of the model's provider (1 when unlisted).
double provider_weight(const Scenario& s, std::size_t region, std::size_t model);

// Shares of the models among `kind` users in `region` before any directive: base share x
// provider weight, over models available to that kind from day 0, normalised. All zero when no
// model serves the kind there.
std::vector<double> home_shares(const Scenario& s, std::size_t region, BuyerKind kind);

// Weights of the channels ([channel]) through which an API buyer of `kind` (api or enterprise)
// whose preferred model is `model` reaches it: cloud partner k with the provider's cloud_mix
// share if k hosts the model, the direct API with the rest if the model is on it. Normalised;
// all zero when the model is on no channel.
std::vector<double> channel_weights(const Scenario& s, std::size_t model, BuyerKind kind);

// Share of a provider's usage-billed sales on partner k that the partner keeps.
double partner_share(const Scenario& s, std::size_t partner, std::size_t provider);

}  // namespace gatesim

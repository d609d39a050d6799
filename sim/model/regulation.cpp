// The regulator's timeline: stage triggers, the negotiated decision, escalation, and review.
#include "model/regulation.hpp"

#include <algorithm>
#include <cmath>

#include "model/rng.hpp"

namespace gatesim {

Regulation::Regulation(const Scenario& s, const World& w, std::uint64_t replicate, bool enforce)
    : s_(s), w_(w), replicate_(replicate), enforce_(enforce && !s.directive.stages.empty()) {
    const std::size_t models = s.models.size();
    stage_start_.assign(s.directive.stages.size(), -1);
    scope_.assign(models, 0);
    for (const auto& id : s.directive.models) scope_[static_cast<std::size_t>(index_of(s.models, id))] = 1;

    // The regulator's decision day is drawn even for the counterfactual, so that both runs
    // consume the same draws.
    RandomEngine rng(StreamKey::of(s.seed, replicate, purpose_of(Draw::decision_day), 0), 0, Draw::decision_day, 0);
    if (s.regulator.decision_after_days) {
        const double after = std::max(0.0, std::round(s.regulator.decision_after_days->sample(rng)));
        if (s.directive.day + after < s.days) decision_day_ = s.directive.day + static_cast<int>(after);
    }

    // Pre-release review delays models of the controlled providers released after the order.
    release_day_.resize(models);
    std::vector<std::uint8_t> controlled_provider(s.providers.size(), 0);
    for (std::size_t m = 0; m < models; ++m)
        if (scope_[m]) controlled_provider[static_cast<std::size_t>(w.model_provider[m])] = 1;
    for (std::size_t m = 0; m < models; ++m) {
        release_day_[m] = s.models[m].release_day;
        if (enforce_ && controlled_provider[static_cast<std::size_t>(w.model_provider[m])] && release_day_[m] >= s.directive.day)
            release_day_[m] += s.directive.prerelease_review_days;
    }

    policy_.channels = w.channels;
    policy_.adopted_circumvention = s.circumvention.adoption;
    policy_.rule.assign(models * w.channels, AccessRuleKind::open);
    policy_.offered.assign(models * w.channels, 0);
    policy_.controlled.assign(models, 0);
    policy_.fenced.assign(s.regions.size(), 0);
}

const DayPolicy& Regulation::advance(int day, double coverage) {
    if (!enforce_) {
        if (day == 0 || std::any_of(release_day_.begin(), release_day_.end(), [&](int r) { return r == day; })) rebuild(day);
        else changed_ = false;
        return policy_;
    }
    consider_relief(day, coverage);
    const auto& stages = s_.directive.stages;
    bool moved = false;
    // Stages start in order; several may start on one day.
    while (active_ + 1 < static_cast<int>(stages.size())) {
        const Stage& next = stages[static_cast<std::size_t>(active_ + 1)];
        bool fire = day >= next.day;
        if (next.trigger == TriggerKind::verification_coverage) fire = fire && coverage >= next.coverage;
        if (next.trigger == TriggerKind::regulator_decision) fire = fire && decision_day_ >= 0 && day >= decision_day_;
        if (!fire) break;
        ++active_;
        stage_start_[static_cast<std::size_t>(active_)] = day;
        moved = true;
    }
    const Escalation& esc = s_.regulator.escalation;
    if (escalation_day_ < 0 && esc.after_days && active_ >= 0 && day >= s_.directive.day + *esc.after_days) {
        escalation_day_ = day;
        for (std::size_t m = 0; m < s_.models.size(); ++m) {
            const Model& model = s_.models[m];
            const auto provider = static_cast<std::size_t>(w_.model_provider[m]);
            if (s_.providers[provider].jurisdiction == Jurisdiction::us && !model.open_weight &&
                model.capability >= esc.capability_threshold)
                scope_[m] = 1;
        }
        moved = true;
    }
    // A decision that withdraws the order opens every rule from its day, whatever the stages.
    if (!lifted_ && s_.regulator.decision_lifts_order && decision_day_ >= 0 && day >= decision_day_) {
        lifted_ = true;
        moved = true;
    }
    const bool released = std::any_of(release_day_.begin(), release_day_.end(), [&](int r) { return r == day; });
    if (day == 0 || moved || released) rebuild(day);
    else changed_ = false;
    return policy_;
}

// The regulator responds to compliance (regulator.compliance_relief): while a response is in
// force and no decision has come, the decision comes today with a hazard that grows with a
// nationality gate in force and with verification coverage.
void Regulation::consider_relief(int day, double coverage) {
    const ComplianceRelief& relief = s_.regulator.compliance_relief;
    if (relief.gate_rate <= 0 && relief.coverage_rate <= 0) return;
    if (active_ < 0 || lifted_ || (decision_day_ >= 0 && decision_day_ <= day)) return;
    const Stage& stage = s_.directive.stages[static_cast<std::size_t>(active_)];
    bool gate = false;
    for (const auto& rule : {std::optional<AccessRuleKind>(stage.rule), stage.consumer_rule, stage.api_rule, stage.cloud_rule})
        gate = gate || (rule && rule_semantics(*rule).verified_pass);
    const double rate = (gate ? relief.gate_rate : 0.0) + relief.coverage_rate * coverage;
    RandomEngine rng(StreamKey::of(s_.seed, replicate_, purpose_of(Draw::compliance_relief), 0), 1, Draw::compliance_relief, day);
    if (rng.uniform() < -std::expm1(-rate)) decision_day_ = day;
}

void Regulation::rebuild(int day) {
    const DayPolicy before = policy_;
    const std::size_t models = s_.models.size(), channels = w_.channels;
    const Stage* stage = enforce_ && active_ >= 0 && !lifted_ ? &s_.directive.stages[static_cast<std::size_t>(active_)] : nullptr;
    std::fill(policy_.fenced.begin(), policy_.fenced.end(), 0);
    if (stage)
        for (const auto& id : stage->fenced_regions) policy_.fenced[static_cast<std::size_t>(index_of(s_.regions, id))] = 1;
    for (std::size_t m = 0; m < models; ++m) {
        const Model& model = s_.models[m];
        // Open weights cannot be recalled: no rule reaches them.
        const bool governed = stage && scope_[m] && !model.open_weight;
        bool restricted = false;
        for (std::size_t c = 0; c < channels; ++c) {
            bool offered = day >= release_day_[m];
            if (c == channel_consumer) offered = offered && model.consumer;
            else if (c == channel_api) offered = offered && model.api;
            else {
                const auto& hosted = s_.cloud_partners[c - channel_cloud_first].models;
                offered = offered && std::find(hosted.begin(), hosted.end(), model.id) != hosted.end();
            }
            AccessRuleKind rule = AccessRuleKind::open;
            if (governed) {
                const auto kind = channel_kind(static_cast<std::uint8_t>(c));
                const auto& override = kind == ChannelKind::consumer ? stage->consumer_rule
                                       : kind == ChannelKind::api    ? stage->api_rule
                                                                     : stage->cloud_rule;
                rule = override.value_or(stage->rule);
                // A stricter partner shuts gated models off rather than run the gate.
                if (kind == ChannelKind::cloud && !admits_everyone(rule) &&
                    s_.cloud_partners[c - channel_cloud_first].compliance == ComplianceMode::stricter)
                    rule = AccessRuleKind::global_shutdown;
            }
            policy_.offered[m * channels + c] = offered;
            policy_.rule[m * channels + c] = rule;
            restricted = restricted || !admits_everyone(rule);
        }
        // A model counts as controlled while some rule that does not admit everyone governs it.
        policy_.controlled[m] = restricted;
    }
    changed_ = !(before == policy_);
}

}  // namespace gatesim

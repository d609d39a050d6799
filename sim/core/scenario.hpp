// The scenario: everything a run needs, typed and validated, with no knowledge of files.
//
// Each struct's describe() is the one place that names its fields, units, ranges, meaning and
// default source; see schema.hpp. Defaults for the world (regions, providers, models,
// segments) live in scenarios/defaults.yaml next to their sources.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "distribution.hpp"
#include "schema.hpp"

namespace gatesim {

enum class Jurisdiction { us, foreign, open };
template <>
struct EnumNames<Jurisdiction> {
    static constexpr std::array<std::string_view, 3> names = {"us", "foreign", "open"};
};

// The rule a directive imposes on the models in its scope.
enum class AccessRuleKind { open, global_shutdown };
template <>
struct EnumNames<AccessRuleKind> {
    static constexpr std::array<std::string_view, 2> names = {"open", "global_shutdown"};
};

struct Population {
    std::int64_t agents = 0;
    double users = 0;
};
template <class V>
void describe(V& v, Population& p) {
    v("agents", p.agents,
      {.doc = "Number of simulated user agents; each stands for users/agents real users.",
       .unit = "agents", .min = 1, .max = 1e8, .required = true});
    v("users", p.users,
      {.doc = "Real users the population represents.", .unit = "users", .min = 1, .max = 1e11,
       .required = true});
}

struct Region {
    std::string id;
    double user_share = 0;
    double us_person_share = 0;
};
template <class V>
void describe(V& v, Region& r) {
    v("user_share", r.user_share,
      {.doc = "Share of users resident in the region.", .unit = "fraction", .min = 0, .max = 1,
       .required = true});
    v("us_person_share", r.us_person_share,
      {.doc = "Share of the region's users who are US persons (citizens or permanent residents).",
       .unit = "fraction", .min = 0, .max = 1, .required = true});
}

struct Provider {
    std::string id;
    Jurisdiction jurisdiction = Jurisdiction::us;
};
template <class V>
void describe(V& v, Provider& p) {
    v("jurisdiction", p.jurisdiction,
      {.doc = "Where the provider is regulated: us, foreign, or open (open-weight community).",
       .required = true});
}

struct Model {
    std::string id;
    std::string provider;
    double capability = 0;
    double price = 0;
    double user_share = 0;
};
template <class V>
void describe(V& v, Model& m) {
    v("provider", m.provider, {.doc = "Id of the provider that serves the model.", .required = true});
    v("capability", m.capability,
      {.doc = "General capability on a common index (the strongest frontier model = 1).",
       .unit = "index", .min = 0, .max = 10, .required = true});
    v("price", m.price,
      {.doc = "Blended list price.", .unit = "USD per million tokens", .min = 0, .max = 1e4,
       .required = true});
    v("user_share", m.user_share,
      {.doc = "Share of users whose preferred model this is before any directive.",
       .unit = "fraction", .min = 0, .max = 1, .required = true});
}

struct Segment {
    std::string id;
    double user_share = 0;
    double patience_days = 0;
    double capability_weight = 0;
    double price_weight = 0;
    double provider_loyalty = 0;
    double return_probability = 0;
    double return_half_life_days = 0;
};
template <class V>
void describe(V& v, Segment& s) {
    v("user_share", s.user_share,
      {.doc = "Share of users in the segment.", .unit = "fraction", .min = 0, .max = 1,
       .required = true});
    v("patience_days", s.patience_days,
      {.doc = "Mean days a blocked user waits before switching (daily hazard 1/patience); 0 "
              "switches on the day of the block.",
       .unit = "days", .min = 0, .max = 3650, .required = true});
    v("capability_weight", s.capability_weight,
      {.doc = "Logit utility per unit of capability.", .unit = "utility per index point",
       .min = 0, .max = 100, .required = true});
    v("price_weight", s.price_weight,
      {.doc = "Logit disutility per unit of log price.", .unit = "utility per log(USD/Mtok)",
       .min = 0, .max = 100, .required = true});
    v("provider_loyalty", s.provider_loyalty,
      {.doc = "Logit utility of staying with the preferred model's provider.", .unit = "utility",
       .min = -100, .max = 100, .required = true});
    v("return_probability", s.return_probability,
      {.doc = "Probability that a switched user returns when access is restored right away.",
       .unit = "probability", .min = 0, .max = 1, .required = true});
    v("return_half_life_days", s.return_half_life_days,
      {.doc = "Days away after which the return probability has halved.", .unit = "days",
       .min = 1e-9, .max = 1e5, .required = true});
}

struct Directive {
    AccessRuleKind rule = AccessRuleKind::open;
    int day = 0;
    std::vector<std::string> models;
    std::optional<Distribution> restore_after_days;
};
template <class V>
void describe(V& v, Directive& d) {
    v("rule", d.rule,
      {.doc = "Access rule imposed on the models in scope: open (no effect) or global_shutdown."});
    v("day", d.day, {.doc = "Day the directive takes effect.", .unit = "day", .min = 0, .max = 3650});
    v("models", d.models, {.doc = "Ids of the models in scope."});
    v("restore_after_days", d.restore_after_days,
      {.doc = "Days from the directive until access is restored, as a distribution drawn once per "
              "replicate; never = no restore within the horizon.",
       .unit = "days", .min = 0, .max = 3650});
}

struct Scenario {
    std::string name;
    std::string description;
    int days = 0;
    std::uint64_t seed = 1;
    Population population;
    std::vector<Region> regions;
    std::vector<Provider> providers;
    std::vector<Model> models;
    std::vector<Segment> segments;
    Directive directive;
};
template <class V>
void describe(V& v, Scenario& s) {
    v("name", s.name, {.doc = "Short name of the scenario."});
    v("description", s.description, {.doc = "The question the scenario answers."});
    v("days", s.days, {.doc = "Simulated horizon.", .unit = "days", .min = 1, .max = 3650, .required = true});
    v("seed", s.seed, {.doc = "Base seed of every random stream.", .min = 0});
    v("population", s.population, {.doc = "Size of the simulated population.", .required = true});
    v("regions", s.regions, {.doc = "Regions of residence.", .required = true});
    v("providers", s.providers, {.doc = "Model providers.", .required = true});
    v("models", s.models, {.doc = "Models users can choose from.", .required = true});
    v("segments", s.segments, {.doc = "User segments and their behaviour.", .required = true});
    v("directive", s.directive, {.doc = "The regulator's directive and the provider's response."});
}

// A consistency problem that no single field's range can express, located by key path.
struct ScenarioIssue {
    std::string key_path;
    std::string message;
};

// Cross-field checks (shares sum to one, references resolve, ...). Empty when consistent.
std::vector<ScenarioIssue> check_consistency(const Scenario& s);

// Index of an entity by id, or -1.
template <class T>
int index_of(const std::vector<T>& items, std::string_view id) {
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i].id == id) return static_cast<int>(i);
    return -1;
}

}  // namespace gatesim

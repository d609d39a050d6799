// Cross-field consistency checks of a scenario.
#include "scenario.hpp"

#include <cmath>
#include <set>
#include <sstream>

#include "world.hpp"

namespace gatesim {
namespace {

// Shares are inputs read from published figures, so allow rounding in the last digit.
constexpr double share_tolerance = 1e-3;

template <class T, class Share>
void check_shares(const std::vector<T>& items, Share share, const std::string& path,
                  std::vector<ScenarioIssue>& issues) {
    double total = 0;
    for (const auto& item : items) total += share(item);
    if (std::abs(total - 1.0) > share_tolerance) {
        std::ostringstream msg;
        msg << "user_share values must sum to 1, but sum to " << total;
        issues.push_back({path, msg.str()});
    }
}

template <class T>
void check_count(const std::vector<T>& items, std::size_t limit, const std::string& path,
                 std::vector<ScenarioIssue>& issues) {
    if (items.empty()) issues.push_back({path, "must list at least one entry"});
    if (items.size() > limit)
        issues.push_back({path, "at most " + std::to_string(limit) + " entries are supported"});
}

}  // namespace

std::vector<ScenarioIssue> check_consistency(const Scenario& s) {
    std::vector<ScenarioIssue> issues;
    check_count(s.regions, max_regions, "regions", issues);
    check_count(s.providers, 1000, "providers", issues);
    check_count(s.models, max_models, "models", issues);
    check_count(s.segments, max_segments, "segments", issues);
    if (!s.regions.empty()) check_shares(s.regions, [](const Region& r) { return r.user_share; }, "regions", issues);
    if (!s.models.empty()) check_shares(s.models, [](const Model& m) { return m.user_share; }, "models", issues);
    if (!s.segments.empty()) check_shares(s.segments, [](const Segment& g) { return g.user_share; }, "segments", issues);

    for (const auto& m : s.models)
        if (index_of(s.providers, m.provider) < 0)
            issues.push_back({"models." + m.id + ".provider",
                              "unknown provider '" + m.provider + "'; it must be one of the ids under providers"});

    std::set<std::string> seen;
    for (const auto& id : s.directive.models) {
        if (index_of(s.models, id) < 0)
            issues.push_back({"directive.models", "unknown model '" + id + "'; it must be one of the ids under models"});
        if (!seen.insert(id).second)
            issues.push_back({"directive.models", "model '" + id + "' is listed twice"});
    }
    if (s.directive.rule != AccessRuleKind::open && s.directive.models.empty())
        issues.push_back({"directive.models", "a directive with a rule other than open needs at least one model"});
    if (s.directive.day >= s.days)
        issues.push_back({"directive.day", "must be before the horizon (days = " + std::to_string(s.days) + ")"});
    if (s.directive.restore_after_days) {
        if (auto why = s.directive.restore_after_days->check(); !why.empty())
            issues.push_back({"directive.restore_after_days", why});
    }
    if (static_cast<double>(s.population.agents) > s.population.users)
        issues.push_back({"population.agents", "cannot exceed population.users (an agent stands for at least one user)"});
    return issues;
}

}  // namespace gatesim

// Cross-field consistency checks of a scenario.
#include "model/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "model/market.hpp"
#include "model/rules.hpp"
#include "model/scope.hpp"
#include "model/world.hpp"

namespace gatesim {
namespace {

// Shares are inputs read from published figures, so allow rounding in the last digit.
constexpr double share_tolerance = 1e-3;

class Checker {
public:
    std::vector<ScenarioIssue> issues;

    void add(std::string path, std::string message) { issues.push_back({std::move(path), std::move(message)}); }

    template <class T, class Share>
    void shares_sum_to_one(const std::vector<T>& items, Share share, const std::string& path, const char* field) {
        double total = 0;
        for (const auto& item : items) total += share(item);
        if (!items.empty() && std::abs(total - 1.0) > share_tolerance) {
            std::ostringstream msg;
            msg << field << " values must sum to 1, but sum to " << total;
            add(path, msg.str());
        }
    }

    template <class T>
    void count(const std::vector<T>& items, std::size_t limit, const std::string& path, bool required = true) {
        if (required && items.empty()) add(path, "must list at least one entry");
        if (items.size() > limit) add(path, "at most " + std::to_string(limit) + " entries are supported");
    }

    template <class T>
    void references(const std::vector<std::string>& refs, const std::vector<T>& items, const std::string& path, const char* what) {
        std::set<std::string> seen;
        for (const auto& id : refs) {
            if (index_of(items, id) < 0) add(path, "unknown " + std::string(what) + " '" + id + "'; it must be one of the ids under " + what + "s");
            if (!seen.insert(id).second) add(path, std::string(what) + " '" + id + "' is listed twice");
        }
    }

    void distribution(const Distribution& d, const std::string& path) {
        if (auto why = d.check(); !why.empty()) add(path, why);
    }

    // Keys of a NumberMap that must be ids of `items`.
    template <class T>
    void keys(const NumberMap& map, const std::vector<T>& items, const std::string& path, const char* what) {
        for (const auto& [id, value] : map)
            if (index_of(items, id) < 0) add(path + "." + id, "unknown " + std::string(what) + " '" + id + "'; it must be one of the ids under " + what + "s");
    }
};

// Which kinds of buyer the world has: consumer-app users, individual API users, enterprises.
struct KindsInUse {
    bool consumer = false, api = false, enterprise = false;
};

KindsInUse kinds_in_use(const Scenario& s) {
    KindsInUse k;
    const bool enterprises = s.enterprises.agents > 0;
    for (const auto& g : s.segments) {
        if (g.user_share <= 0) continue;
        if (enterprises && g.id == s.enterprises.employee_segment) k.enterprise = true;
        else if (g.channel == ChannelKind::consumer) k.consumer = true;
        else k.api = true;
    }
    return k;
}

// Base shares by kind, and that every region has a model for every kind in use.
void check_market(Checker& c, const Scenario& s) {
    const KindsInUse used = kinds_in_use(s);
    struct Kind { const char* name; BuyerKind kind; bool used; double ChannelShares::* share; };
    for (const Kind& k : {Kind{"consumer", BuyerKind::consumer, used.consumer, &ChannelShares::consumer},
                          Kind{"api", BuyerKind::api, used.api, &ChannelShares::api},
                          Kind{"enterprise", BuyerKind::enterprise, used.enterprise, &ChannelShares::enterprise}}) {
        double total = 0;
        for (const auto& m : s.models) total += m.shares.*(k.share);
        if (k.used && std::abs(total - 1.0) > share_tolerance) {
            std::ostringstream msg;
            msg << "shares." << k.name << " values must sum to 1, but sum to " << total;
            c.add("models", msg.str());
        }
        if (!k.used) continue;
        for (std::size_t r = 0; r < s.regions.size(); ++r) {
            if (s.regions[r].user_share <= 0 && k.kind != BuyerKind::enterprise) continue;
            if (s.regions[r].enterprise_share <= 0 && k.kind == BuyerKind::enterprise) continue;
            const auto shares = home_shares(s, r, k.kind);
            if (std::all_of(shares.begin(), shares.end(), [](double x) { return x == 0; }))
                c.add("regions." + s.regions[r].id + ".provider_weights",
                      std::string("no model serves ") + k.name + " users in this region from day 0: every share or provider weight is 0");
        }
    }
    for (const auto& m : s.models) {
        const std::string path = "models." + m.id + ".shares";
        const double any = m.shares.consumer + m.shares.api + m.shares.enterprise;
        if (m.release_day > 0 && any > 0) c.add(path, "a model released after day 0 starts with no users; its shares must be 0");
        if (!m.consumer && m.shares.consumer > 0) c.add(path + ".consumer", "the model has no consumer app (consumer: false)");
    }
    for (const auto& r : s.regions) c.keys(r.provider_weights, s.providers, "regions." + r.id + ".provider_weights", "provider");
}

// Plans, cloud mixes and partner shares refer to segments, partners and providers that exist.
void check_channels(Checker& c, const Scenario& s) {
    for (const auto& p : s.providers) {
        const std::string path = "providers." + p.id;
        for (const auto& plan : p.plans)
            if (index_of(s.segments, plan.id) < 0)
                c.add(path + ".plans." + plan.id, "unknown segment '" + plan.id + "'; it must be one of the ids under segments");
        for (const auto& [kind, mix] : {std::pair{"enterprise", &p.cloud_mix.enterprise}, std::pair{"api", &p.cloud_mix.api}}) {
            const std::string mix_path = path + ".cloud_mix." + kind;
            c.keys(*mix, s.cloud_partners, mix_path, "cloud_partner");
            double total = 0;
            for (const auto& [partner, share] : *mix) {
                total += share;
                const int k = index_of(s.cloud_partners, partner);
                if (k < 0 || share <= 0) continue;
                const auto& hosted = s.cloud_partners[static_cast<std::size_t>(k)].models;
                const bool hosts_one = std::any_of(hosted.begin(), hosted.end(), [&](const std::string& id) {
                    const int m = index_of(s.models, id);
                    return m >= 0 && s.models[static_cast<std::size_t>(m)].provider == p.id;
                });
                if (!hosts_one) c.add(mix_path + "." + partner, partner + " hosts no model of " + p.id);
            }
            if (total > 1 + share_tolerance) c.add(mix_path, "shares must not sum to more than 1 (the rest buy directly)");
        }
    }
    for (const auto& k : s.cloud_partners)
        c.keys(k.revenue_share_by_provider, s.providers, "cloud_partners." + k.id + ".revenue_share_by_provider", "provider");
}

}  // namespace

bool is_calendar_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (text[i] < '0' || text[i] > '9') return false;
    auto number = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = 10 * v + (text[i] - '0');
        return v;
    };
    const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
    if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int days_in[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return day <= days_in[month - 1];
}

std::vector<ScenarioIssue> check_consistency(const Scenario& s) {
    Checker c;
    if (!s.start_date.empty() && !is_calendar_date(s.start_date))
        c.add("start_date", "expected a calendar date YYYY-MM-DD (e.g. 2026-06-15), got '" + s.start_date + "'");
    c.count(s.regions, max_regions, "regions");
    c.count(s.providers, 1000, "providers");
    c.count(s.models, max_models, "models");
    c.count(s.segments, max_segments, "segments");
    c.count(s.cloud_partners, max_cloud_partners, "cloud_partners", false);
    c.shares_sum_to_one(s.regions, [](const Region& r) { return r.user_share; }, "regions", "user_share");
    c.shares_sum_to_one(s.segments, [](const Segment& g) { return g.user_share; }, "segments", "user_share");

    for (const auto& m : s.models) {
        if (!m.successor_of.empty() && index_of(s.models, m.successor_of) < 0)
            c.add("models." + m.id + ".successor_of", "unknown model '" + m.successor_of + "'; it must be one of the ids under models");
        if (!m.successor_of.empty() && m.successor_of == m.id) c.add("models." + m.id + ".successor_of", "a model cannot succeed itself");
    }
    for (const auto& m : s.models)
        if (index_of(s.providers, m.provider) < 0)
            c.add("models." + m.id + ".provider", "unknown provider '" + m.provider + "'; it must be one of the ids under providers");
    for (const auto& g : s.segments) {
        if (g.channel == ChannelKind::cloud)
            c.add("segments." + g.id + ".channel", "individual users reach models by consumer or api; the cloud partners come from providers.<id>.cloud_mix");
        c.distribution(g.tasks_per_day, "segments." + g.id + ".tasks_per_day");
    }
    for (const auto& p : s.cloud_partners) c.references(p.models, s.models, "cloud_partners." + p.id + ".models", "model");
    if (!c.issues.empty()) return c.issues;  // the market checks below look models and providers up by id
    check_market(c, s);
    check_channels(c, s);

    const Enterprises& e = s.enterprises;
    if (e.agents > 0) {
        c.count(e.sectors, 255, "enterprises.sectors");
        c.shares_sum_to_one(s.regions, [](const Region& r) { return r.enterprise_share; }, "regions", "enterprise_share");
        c.shares_sum_to_one(e.sectors, [](const Sector& x) { return x.enterprise_share; }, "enterprises.sectors", "enterprise_share");
        if (index_of(s.segments, e.employee_segment) < 0)
            c.add("enterprises.employee_segment", "unknown segment '" + e.employee_segment + "'; it must be one of the ids under segments");
        if (index_of(s.regions, "us") < 0) c.add("regions", "a region with id 'us' is needed to place US-headquartered enterprises");
    }
    c.distribution(e.employees, "enterprises.employees");
    c.distribution(e.integration_days, "enterprises.integration_days");
    c.distribution(e.risk_aversion, "enterprises.risk_aversion");

    const Directive& d = s.directive;
    c.references(d.models, s.models, "directive.models", "model");
    if (!d.stages.empty() && d.models.empty()) c.add("directive.models", "a directive with stages needs at least one model");
    if (d.day >= s.days) c.add("directive.day", "must be before the horizon (days = " + std::to_string(s.days) + ")");
    for (const auto& st : d.stages) {
        const std::string path = "directive.stages." + st.id;
        if (st.trigger == TriggerKind::day && st.day < d.day)
            c.add(path + ".day", "a stage cannot start before the order is issued (directive.day = " + std::to_string(d.day) + ")");
        c.references(st.fenced_regions, s.regions, path + ".fenced_regions", "region");
        auto located = [](std::optional<AccessRuleKind> r) { return r && rule_semantics(*r).location_based; };
        const bool fence = located(st.rule) || located(st.consumer_rule) || located(st.api_rule) || located(st.cloud_rule);
        if (fence && st.fenced_regions.empty()) c.add(path + ".fenced_regions", "a geo_fence needs at least one fenced region");
        if (st.trigger == TriggerKind::verification_coverage && st.coverage <= 0)
            c.add(path + ".coverage", "a verification_coverage trigger needs a coverage above 0");
    }
    if (s.regulator.decision_after_days) c.distribution(*s.regulator.decision_after_days, "regulator.decision_after_days");
    for (const auto& n : s.regulator.news) {
        c.references(n.models, s.models, "regulator.news." + n.id + ".models", "model");
        if (n.risk > 0 && n.models.empty() && d.models.empty())
            c.add("regulator.news." + n.id + ".models", "news with a risk needs the models it puts at risk (or directive.models)");
    }
    for (const auto& r : s.regulator.responses) c.references(r.regions, s.regions, "regulator.responses." + r.id + ".regions", "region");
    for (const auto& p : s.providers)
        if (p.promotion && p.jurisdiction == Jurisdiction::open)
            c.add("providers." + p.id + ".promotion", "the open community runs no promotions");
    for (const auto& spec : s.reporting.scopes) {
        std::string why;
        if (!parse_scope(s, spec, why)) c.add("reporting.scopes", "'" + spec + "': " + why);
    }
    if (static_cast<double>(s.population.agents) > s.population.users)
        c.add("population.agents", "cannot exceed population.users (an agent stands for at least one user)");
    return c.issues;
}

}  // namespace gatesim

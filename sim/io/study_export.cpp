// MemoryStore -> StudyData, mirroring the study file's layout (study_export.hpp).
#include "io/study_export.hpp"

#include <limits>
#include <set>

#include "io/h5_support.hpp"
#include "io/scenario_yaml.hpp"
#include "io/study_h5.hpp"

namespace gatesim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string in_group(const std::string& group, const std::string& rel) { return group.empty() ? rel : group + "/" + rel; }


// What a study file stores of one group's runs: runs/summary, runs/parameters, runs/timeseries
// (kept, or of an incomplete study) and the labels of their axes.
class GroupRuns {
public:
    GroupRuns(const MemoryStore& store, const EnsemblePlan& plan, std::size_t g, StudyData& out)
        : store_(store), plan_(plan), g_(g), group_(store.group(g)), out_(out) {
        lead_ = group_.point_axis ? std::vector<std::size_t>{group_.points.size(), plan.replicates}
                                  : std::vector<std::size_t>{plan.replicates};
        lead_axes_ = group_.point_axis ? std::vector<std::string>{"point", "replicate"}
                                       : std::vector<std::string>{"replicate"};
    }

    void scalars() {
        const auto& infos = store_.scalars(g_);
        for (std::size_t s = 0; s < infos.size(); ++s)
            table("runs/summary/" + infos[s].name, {}, lead_axes_, infos[s].unit, infos[s].description,
                  [&](const RunRecord& r, double* to) { *to = r.results.scalars.at(s).value; });
    }

    void parameters() {
        const std::size_t n = plan_.recorded_parameters.size();
        if (n == 0) return;
        auto axes = lead_axes_;
        axes.push_back("parameter");
        table("runs/parameters", {n}, axes, "per parameter", "Value of each recorded parameter (axes/parameter) in each run",
              [&](const RunRecord& r, double* to) {
                  for (std::size_t i = 0; i < n; ++i) to[i] = i < r.parameters.size() ? r.parameters[i] : nan;
              });
        out_.labels.push_back({in_group(group_.path, "axes/parameter"), plan_.recorded_parameters});
    }

    void series(bool with_values) {
        std::set<std::string> written;
        for (std::size_t s = 0; s < store_.series(g_).size(); ++s) {
            const SeriesInfo& info = store_.series(g_)[s];
            std::vector<std::size_t> inner{info.days};
            std::vector<std::string> axes = lead_axes_;
            axes.push_back("day");
            for (const Axis& a : info.axes) {
                inner.push_back(a.labels.size());
                axes.push_back(a.name);
                if (written.insert(a.name).second) out_.labels.push_back({in_group(group_.path, "axes/" + a.name), a.labels});
            }
            if (!with_values) continue;
            table("runs/timeseries/" + info.name, inner, axes, info.unit, info.description,
                  [&](const RunRecord& r, double* to) {
                      const auto& v = r.results.series.at(s).values;
                      std::copy(v.begin(), v.end(), to);
                  });
        }
    }

private:
    // A table with the leading (point,) replicate dimensions, NaN where no run finished.
    template <class Fill>
    void table(const std::string& rel, const std::vector<std::size_t>& inner, const std::vector<std::string>& axes,
               const std::string& unit, const std::string& description, Fill fill) {
        StudyTable t{in_group(group_.path, rel), lead_, {}, axes, unit, description};
        t.dims.insert(t.dims.end(), inner.begin(), inner.end());
        std::size_t width = 1;
        for (std::size_t d : inner) width *= d;
        t.values.assign(group_.points.size() * plan_.replicates * width, nan);
        for (std::size_t local = 0; local < group_.points.size(); ++local) {
            const auto& runs = store_.runs(g_, local);
            for (std::size_t r = 0; r < runs.size() && r < plan_.replicates; ++r)
                fill(runs[r], t.values.data() + (local * plan_.replicates + r) * width);
        }
        out_.tables.push_back(std::move(t));
    }

    const MemoryStore& store_;
    const EnsemblePlan& plan_;
    std::size_t g_;
    const RunGroup& group_;
    StudyData& out_;
    std::vector<std::size_t> lead_;
    std::vector<std::string> lead_axes_;
};

// /plan as StudyFile writes it, and the uncertain fields of each group.
void add_plan(const MemoryStore& store, const EnsemblePlan& plan, const StudyOutcome& outcome, StudyData& out) {
    const std::pair<const char*, std::uint64_t> counts[] = {
        {"points", plan.points.size()}, {"replicates", plan.replicates}, {"noise_replicates", plan.noise_replicates},
        {"parameter_draws", plan.draws()}, {"runs", plan.jobs()}, {"completed_runs", outcome.completed_runs},
        {"keep_replicates", store.layout().keep_series ? 1u : 0u}};
    for (const auto& [name, value] : counts) out.attributes.push_back({"plan", name, value});
    out.attributes.push_back({"plan", "plan_digest", plan_digest(plan)});
    out.attributes.push_back(
        {"plan", "job_order", std::string(plan.order == JobOrder::point_major ? "point_major" : "replicate_major")});
    for (const RunGroup& g : store.layout().groups) {
        if (g.points.empty() || plan.points[g.points.front()].uncertain.empty()) continue;
        std::vector<std::string> paths, distributions;
        for (const auto& u : plan.points[g.points.front()].uncertain)
            paths.push_back(u.key_path), distributions.push_back(to_yaml(u.distribution));
        out.labels.push_back({in_group(g.path, "uncertain/key_path"), paths});
        out.labels.push_back({in_group(g.path, "uncertain/distribution"), distributions});
    }
}

}  // namespace

StudyData export_memory_study(const MemoryStore& store, const EnsemblePlan& plan, const StudyOutcome& outcome) {
    StudyData out;
    out.kind = store.layout().kind;
    out.complete = outcome.complete;
    add_plan(store, plan, outcome, out);
    const bool series_in_file = store.layout().store_series && (store.layout().keep_series || !outcome.complete);
    for (std::size_t g = 0; g < store.groups(); ++g) {
        if (!store.has_runs(g)) continue;
        GroupRuns runs(store, plan, g, out);
        runs.scalars();
        runs.parameters();
        if (store.layout().store_series) runs.series(series_in_file);
    }
    for (const auto& path : store.table_order()) {
        const auto& t = store.table(path);
        out.tables.push_back({path, t.dims, t.values, h5::split_commas(t.axes), t.unit, t.description});
    }
    for (const auto& path : store.label_order()) out.labels.push_back({path, store.labels().at(path)});
    for (const auto& [path, s] : store.scenarios()) out.texts.push_back({path, to_yaml(s.scenario, s.uncertain)});
    for (const auto& [key, value] : store.attributes()) {
        StudyAttributeValue v;
        if (const auto* text = std::get_if<std::string>(&value)) v = *text;
        else v = std::get<double>(value);
        out.attributes.push_back({key.first, key.second, v});
    }
    return out;
}

}  // namespace gatesim

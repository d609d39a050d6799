// Lookups in StudyData (study_data.hpp).
#include "study/study_data.hpp"

#include <algorithm>

namespace gatesim {
namespace {

template <class Item>
const Item* by_path(const std::vector<Item>& items, const std::string& path) {
    const auto it = std::find_if(items.begin(), items.end(), [&](const Item& i) { return i.path == path; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

const StudyTable* StudyData::table(const std::string& path) const { return by_path(tables, path); }

const StudyLabels* StudyData::labels_at(const std::string& path) const { return by_path(labels, path); }

const StudyAttribute* StudyData::attribute(const std::string& object, const std::string& name) const {
    const auto it = std::find_if(attributes.begin(), attributes.end(),
                                 [&](const StudyAttribute& a) { return a.object == object && a.name == name; });
    return it == attributes.end() ? nullptr : &*it;
}

}  // namespace gatesim

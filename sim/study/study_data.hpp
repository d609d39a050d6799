// StudyData: everything a study produced, as named tables, labels, texts and attributes keyed
// by the paths a study file uses ("bands/blocked", "runs/summary/peak_blocked",
// "scenarios/baseline/summary/churn_share"). It is what Python and the exports read, and it is
// the same whether the study ran in memory (sim/io/study_export) or was read back from a file
// (sim/io/study_reader); layouts are in docs/results-format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "study/run_store.hpp"

namespace gatesim {

struct StudyTable {
    std::string path;
    std::vector<std::size_t> dims;
    std::vector<double> values;     // row-major
    std::vector<std::string> axes;  // one name per dimension
    std::string unit, description;
};

struct StudyLabels {
    std::string path;  // "axes/model", "uncertain/key_path"
    std::vector<std::string> labels;
};

// A text such as a scenario's resolved YAML ("scenarios/baseline/scenario").
struct StudyText {
    std::string path;
    std::string text;
};

// Attribute values keep their kind: integers are counts (uint64) or versions (int64).
using StudyAttributeValue = std::variant<std::string, double, std::int64_t, std::uint64_t>;
struct StudyAttribute {
    std::string object;  // "" for the root, "plan", "scenarios/baseline", "sensitivity/churn_share"
    std::string name;
    StudyAttributeValue value;
};

struct StudyData {
    StudyKind kind = StudyKind::ensemble;
    bool complete = false;
    std::vector<StudyTable> tables;
    std::vector<StudyLabels> labels;
    std::vector<StudyText> texts;
    std::vector<StudyAttribute> attributes;

    const StudyTable* table(const std::string& path) const;
    const StudyLabels* labels_at(const std::string& path) const;
    const StudyAttribute* attribute(const std::string& object, const std::string& name) const;
};

}  // namespace gatesim

// A study that ran in a MemoryStore, as the StudyData its study file would hold (the same
// paths, shapes, units and attributes as sim/io/study_h5's StudyFile writes; tested to read back
// equal), so Python gets one kind of object whether a study ran in memory or in a file.
#pragma once

#include "study/ensemble.hpp"
#include "study/memory_store.hpp"
#include "study/studies.hpp"
#include "study/study_data.hpp"

namespace gatesim {

// `plan` is the plan the study ran (its report's; the store's layout no longer points to it
// once the study has returned).
StudyData export_memory_study(const MemoryStore& store, const EnsemblePlan& plan, const StudyOutcome& outcome);

}  // namespace gatesim

// Byte encodings of plans, jobs, finished runs and failures, for executors whose runs happen in
// other processes: the ranks of an MPI job (sim/mpi) and Python process pools (python/src).
//
// A run computed elsewhere must be, bit for bit, the run computed here. So numbers travel as
// their bytes, never as text, and a run record travels whole: series and scalars with their
// names, units, descriptions, axes and labels. Scenarios travel field by field through
// describe(), keys included, so a field added to a scenario type travels without being named
// here, and two builds that describe scenarios differently refuse each other's plans.
//
// Both ends run the same build on machines of the same byte order: every message starts with a
// magic number, the format version and a byte-order mark, and a plan carries its fingerprint,
// which the receiver recomputes. Anything else is a WireError.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "study/ensemble.hpp"

namespace gatesim {

// Bytes that are not a message of this build: a fault of the installation (exit 1), not input.
struct WireError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string encode_plan(const EnsemblePlan& plan);
EnsemblePlan decode_plan(std::string_view bytes);

std::string encode_run(const RunRecord& run);
RunRecord decode_run(std::string_view bytes);

// A failure as its kind (bad input, interrupted, internal error) and message.
std::string encode_failure(std::exception_ptr failure);
// Throws it again as BadInput, Cancelled or std::runtime_error, so that a failure in another
// process ends the study with the exit code (or Python exception) of the same failure here.
[[noreturn]] void rethrow_failure(std::string_view bytes);

// One job as a plan of its own: the job's point alone (its scenario, settings and uncertain
// fields) with the plan's counts and recorded fields, for pools that hand any job to any worker
// without sending the whole plan each time.
std::string encode_job(const EnsemblePlan& plan, std::uint64_t job);
// Runs an encoded job: its run encoded, or its failure encoded (a failing run does not throw,
// so that a pool returns it as a value).
std::string run_encoded_job(std::string_view job, int threads, const std::atomic<bool>* cancel = nullptr);
// run_encoded_job's answer: the run, or the failure thrown again (rethrow_failure).
RunRecord decode_job_outcome(std::string_view bytes);

}  // namespace gatesim

// Crash points for the fault tests: named moments in the writers (a run journaled, a table
// reduced, a file about to be renamed into place, ...) at which the process signals itself when
// the environment variable GATESIM_CRASH_AT names that moment, so that a test can kill -9 a study,
// or interrupt it as Ctrl-C does, deterministically at each stage of its life
// (tests/cli/faults.sh). Without the variable a crash point costs one comparison. Internal to
// sim/io.
//
// GATESIM_CRASH_AT=NAME[:N[:SIGNAL]]: at the N-th arrival at NAME (default the first), raise
// SIGKILL, or SIGINT or SIGTERM when SIGNAL is INT or TERM.
#pragma once

namespace gatesim {

void crash_point(const char* name);
// Whether this arrival at `name` is the one to crash at, for points that first do half of
// something (a torn write) and then call crash_now().
bool crash_due(const char* name);
void crash_now();

}  // namespace gatesim

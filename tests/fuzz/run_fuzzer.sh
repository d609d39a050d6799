#!/usr/bin/env bash
# Runs a libFuzzer harness for a bounded time from fresh seeds; any finding fails the test.
#   run_fuzzer.sh HARNESS WORK_DIR SEED_DIR...
# GATESIM_FUZZ_SECONDS sets the time (default 60). A finding is saved as WORK_DIR/crash-*,
# timeout-* or oom-*: add it to tests/scenarios/broken with its expected message, and fix it.
set -u
harness=$1 work=$2; shift 2
seconds=${GATESIM_FUZZ_SECONDS:-60}
rm -rf "$work/corpus" && mkdir -p "$work/corpus"
# The corpus grows in WORK_DIR/corpus; the seed directories are only read.
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$@"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "FINDING: $(basename "$harness") exited $rc; input saved in $work/ (crash-*, timeout-*, oom-*, leak-*)"
  echo "replay: $harness $work/<file>"
fi
exit "$rc"

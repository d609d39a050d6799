#!/usr/bin/env bash
# End-to-end CLI checks: a good run's HDF5 content, determinism across thread counts, seeds,
# atomic writes, interruption, and the other subcommands.
set -u
gatesim=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$root/scenarios/global_shutdown.yaml"
small=(--set population.agents=9000 --set enterprises.agents=750)
passed=0 failed=0
check() {  # check NAME COMMAND...: counts a pass when the command succeeds
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "FAIL: $name"; failed=$((failed + 1)); fi
}

"$gatesim" run "$scenario" "${small[@]}" --threads 1 -o "$work/t1.h5" > "$work/t1.txt" 2> "$work/t1.err"
check "run exits 0" test $? -eq 0
check "summary names peak_blocked" grep -q "peak_blocked" "$work/t1.txt"
check "progress stays off a non-terminal stderr" test ! -s "$work/t1.err"
check "results content" /usr/bin/python3 "$root/tests/cli/check_results.py" "$work/t1.h5" 9000

"$gatesim" run "$scenario" "${small[@]}" --threads 2 -o "$work/t2.h5" > /dev/null
check "1 thread equals 2 threads" h5diff -q "$work/t1.h5" "$work/t2.h5" /timeseries /timeseries
check "1 thread equals 2 threads (summary)" h5diff -q "$work/t1.h5" "$work/t2.h5" /summary /summary

"$gatesim" run "$scenario" "${small[@]}" --seed 7 -o "$work/s7.h5" > /dev/null
check "seed is recorded" /usr/bin/python3 -c "import h5py,sys; sys.exit(0 if h5py.File('$work/s7.h5')['provenance'].attrs['seed'] == 7 else 1)"
check "another seed gives other draws" test "$(h5diff -q "$work/t1.h5" "$work/s7.h5" /timeseries /timeseries; echo $?)" -ne 0

# A failed run keeps an existing good file byte for byte.
cp "$work/t1.h5" "$work/keep.h5"
"$gatesim" run "$scenario" --set directive.day=oops -o "$work/keep.h5" > /dev/null 2>&1
check "bad --set exits 2" test $? -eq 2
check "bad run leaves the old file intact" cmp -s "$work/t1.h5" "$work/keep.h5"
"$gatesim" run "$scenario" "${small[@]}" -o "$work/no/such/dir/out.h5" > /dev/null 2>&1
check "missing output directory exits 2" test $? -eq 2

# An interrupted run exits 130 and writes nothing.
"$gatesim" run "$scenario" --set population.agents=3000000 --set days=3000 --threads 1 -o "$work/int.h5" > /dev/null 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
check "interrupt exits 130" test $? -eq 130
check "interrupt leaves no file" test ! -e "$work/int.h5"
check "interrupt leaves no temporary file" test -z "$(ls "$work" | grep tmp)"

# validate, show, --version, --help and usage errors.
check "validate accepts a library file" "$gatesim" validate "$scenario"
"$gatesim" show "$scenario" --set directive.stages.shutdown.day=21 > "$work/shown.yaml"
check "show prints the override" grep -q "day: 21" "$work/shown.yaml"
check "show output validates" "$gatesim" validate "$work/shown.yaml"
check "--version" "$gatesim" --version
check "--help" "$gatesim" --help
"$gatesim" frobnicate > /dev/null 2>&1
check "unknown subcommand exits 2" test $? -eq 2
"$gatesim" run > /dev/null 2>&1
check "missing scenario exits 2" test $? -eq 2
"$gatesim" run "$work/absent.yaml" > /dev/null 2>&1
check "missing file exits 2" test $? -eq 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

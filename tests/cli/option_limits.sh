#!/usr/bin/env bash
# Numeric options: every one has a range, a value outside it is bad input (exit 2, a message
# naming the option or limit) before any work, and the advertised largest value works (each
# study is started at its limit and stopped after a run or two with --stop-after, then resumed).
set -u
gatesim=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$root/scenarios/global_shutdown.yaml"
other="$root/scenarios/nationality_gate.yaml"
study="$root/tests/scenarios/studies/uncertain.yaml"
small=(--set population.agents=1000 --set days=20 --threads 2)
passed=0 failed=0
exits() {  # exits CODE NAME MESSAGE COMMAND...: exits with CODE, MESSAGE (if any) on stderr
  local code=$1 name=$2 message=$3; shift 3
  # Generous: the sanitizer build runs the largest plans several times slower.
  timeout 600 "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "FAIL: $name (exit $rc, expected $code): $(head -c 300 "$work/err.txt")"; failed=$((failed + 1))
  elif [ -n "$message" ] && ! grep -qF -- "$message" "$work/err.txt"; then
    echo "FAIL: $name: no '$message' in: $(head -c 300 "$work/err.txt")"; failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

# --seed: a whole number of 64 bits; -1 used to wrap around to 2^64-1.
for bad in -1 18446744073709551616 1e3 0x10 ""; do
  exits 2 "--seed '$bad'" "the seed must be a whole number from 0 to 18446744073709551615" \
    "$gatesim" run "$scenario" "${small[@]}" --seed "$bad"
done
exits 0 "--seed at its largest" "" "$gatesim" run "$scenario" "${small[@]}" --seed 18446744073709551615
grep -q "seed 18446744073709551615" "$work/out.txt" && passed=$((passed + 1)) || { echo "FAIL: the largest seed is used"; failed=$((failed + 1)); }

# --bootstrap: 0 (no intervals) to 100,000; -1 and 1e11 used to end in vector::reserve or bad_alloc.
cmp=(compare "$scenario" "$other" "${small[@]}")
compare=("${cmp[@]}" --replicates 2)
for bad in -1 1e11 100001 10000000000; do
  exits 2 "compare --bootstrap $bad" "--bootstrap: Value $bad not in range 0 to 100000" "$gatesim" "${compare[@]}" --bootstrap "$bad" -o "$work/c.h5"
  exits 2 "sensitivity --bootstrap $bad" "--bootstrap" "$gatesim" sensitivity "$study" --bootstrap "$bad" -o "$work/s.h5"
done
exits 0 "--bootstrap at its largest" "" "$gatesim" "${compare[@]}" --bootstrap 100000 -o "$work/c.h5"
exits 0 "--bootstrap 0: no intervals" "" "$gatesim" "${compare[@]}" --bootstrap 0 -o "$work/c0.h5"

# --replicates and --noise-replicates: 1 to 100,000; 2^40 used to fail on an HDF5 chunk limit.
for bad in 0 -1 100001 1099511627776; do
  exits 2 "run --replicates $bad" "--replicates" "$gatesim" run "$scenario" "${small[@]}" --replicates "$bad" -o "$work/r.h5"
  exits 2 "compare --replicates $bad" "--replicates" "$gatesim" "${cmp[@]}" --replicates "$bad" -o "$work/r.h5"
  exits 2 "sweep --replicates $bad" "--replicates" "$gatesim" sweep "$study" --replicates "$bad" -o "$work/r.h5"
  exits 2 "sensitivity --replicates $bad" "--replicates" "$gatesim" sensitivity "$study" --replicates "$bad" -o "$work/r.h5"
  exits 2 "--noise-replicates $bad" "--noise-replicates" "$gatesim" run "$study" --replicates 4 --noise-replicates "$bad" -o "$work/r.h5"
done
largest=(run "$study" --replicates 100000 --noise-replicates 100000 --threads 2)
exits 0 "--replicates at its largest" "" "$gatesim" "${largest[@]}" --stop-after 2 -o "$work/max.h5"
exits 0 "... and resumed" "" "$gatesim" "${largest[@]}" --stop-after 1 --resume -o "$work/max.h5"
grep -q "stopped   after 3 of 100000 runs" "$work/out.txt" && passed=$((passed + 1)) || { echo "FAIL: resumed at the largest replicates"; failed=$((failed + 1)); }
exits 0 "compare at the largest replicates" "" "$gatesim" "${cmp[@]}" --replicates 100000 --stop-after 2 -o "$work/cmax.h5"

# Points of a plan: 1 to 100,000 (sweep points, sensitivity rows).
for bad in 0 -1 100001 1073741824; do
  exits 2 "sweep --points $bad" "--points" "$gatesim" sweep "$study" --points "$bad" -o "$work/p.h5"
done
exits 2 "a grid beyond the limit" "the grid has more than 100000 points" "$gatesim" sweep "$study" --design grid --points 1000 \
  --sweep "$root/tests/scenarios/studies/three_ranges.yaml" -o "$work/p.h5"
exits 0 "sweep at the largest points" "" "$gatesim" sweep "$study" --points 100000 --replicates 1 --stop-after 1 -o "$work/pmax.h5"
exits 2 "sensitivity beyond the largest rows" "has more than the limit of 100,000 rows; use at most 33,333" \
  "$gatesim" sensitivity "$study" --samples 33334 -o "$work/p.h5"
exits 0 "sensitivity at the largest rows" "" "$gatesim" sensitivity "$study" --samples 33333 --stop-after 1 -o "$work/smax.h5"
for bad in -1 0 1073741825; do
  exits 2 "sensitivity --samples $bad" "--samples" "$gatesim" sensitivity "$study" --samples "$bad" -o "$work/p.h5"
done
for bad in -1 1 1002; do
  exits 2 "sensitivity --levels $bad" "--levels" "$gatesim" sensitivity "$study" --levels "$bad" -o "$work/p.h5"
done
exits 0 "sensitivity at the largest levels" "" "$gatesim" sensitivity "$study" --levels 1000 --stop-after 1 -o "$work/lmax.h5"
for bad in 0 -1; do
  exits 2 "--stop-after $bad" "--stop-after" "$gatesim" run "$study" --replicates 4 --stop-after "$bad" -o "$work/x.h5"
done
exits 2 "--threads 0" "--threads" "$gatesim" run "$scenario" "${small[@]}" --threads 0
exits 2 "--confidence 1" "--confidence" "$gatesim" "${compare[@]}" --confidence 1 -o "$work/x.h5"
test ! -e "$work/x.h5" -a ! -e "$work/p.h5" -a ! -e "$work/r.h5" && passed=$((passed + 1)) || { echo "FAIL: a refused study wrote a file"; failed=$((failed + 1)); }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

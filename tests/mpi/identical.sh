#!/usr/bin/env bash
# Every study kind under mpirun (--oversubscribe: 3 ranks on a 2-core machine) writes the same
# file, every dataset and attribute outside /provenance, on 1, 2 and 3 ranks as one process.
set -u
mpirun=$1 gatesim=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
study="$root/tests/scenarios/studies/uncertain.yaml"
scenario="$root/scenarios/global_shutdown.yaml"
small=(--set population.agents=2000 --set days=40)
passed=0 failed=0
ok() {  # ok NAME COMMAND...: counts a pass when the command succeeds
  local name=$1; shift
  if "$@" > "$work/out.txt" 2> "$work/err.txt"; then passed=$((passed + 1)); else
    echo "FAIL: $name: $(head -c 600 "$work/err.txt")"; failed=$((failed + 1)); fi
}
same() {  # same A B: every dataset and attribute outside /provenance is identical
  h5diff -q --exclude-path /provenance "$1" "$2"
}

kinds=(ensemble compare sweep sensitivity)
args_ensemble=(run "$study" --replicates 8 --noise-replicates 2 --keep-replicates)
args_compare=(compare "$scenario" "$root/scenarios/nationality_gate.yaml" "${small[@]}" --replicates 4 --bootstrap 50)
args_sweep=(sweep "$study" --keep-replicates)
args_sensitivity=(sensitivity "$study" --method sobol --samples 4 --outputs churn_at_horizon --bootstrap 50)
for kind in "${kinds[@]}"; do
  declare -n args="args_$kind"
  ok "$kind, one process" "$gatesim" "${args[@]}" --threads 2 -o "$work/$kind-alone.h5"
  # Ranks x threads: one rank with two, two ranks with two each, three with one each.
  for ranks_threads in 1:2 2:2 3:1; do
    ranks=${ranks_threads%:*} threads=${ranks_threads#*:}
    out="$work/$kind-$ranks.h5"
    ok "$kind on $ranks ranks" "$mpirun" -q --oversubscribe -n "$ranks" "$gatesim" "${args[@]}" --threads "$threads" -o "$out"
    ok "$kind on $ranks ranks equals one process" same "$work/$kind-alone.h5" "$out"
  done
done
ok "no temporary files" test -z "$(ls "$work" | grep -e '\.tmp-' -e '\.runs-')"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

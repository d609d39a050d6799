#!/usr/bin/env bash
# Every study kind under mpirun (--oversubscribe: 3 ranks on a 2-core machine) writes the same
# file, every dataset and attribute outside /provenance, on 1, 2 and 3 ranks as one process.
set -u
mpirun=$1 gatesim=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
study="$root/tests/scenarios/studies/uncertain.yaml"
scenario="$root/scenarios/global_shutdown.yaml"
small=(--set population.agents=2000 --set days=40)
source "$(dirname "$0")/checks.sh"

kinds=(ensemble compare sweep sensitivity)
args_ensemble=(run "$study" --replicates 8 --noise-replicates 2 --keep-replicates)
args_compare=(compare "$scenario" "$root/scenarios/nationality_gate.yaml" "${small[@]}" --replicates 4 --bootstrap 50)
args_sweep=(sweep "$study" --keep-replicates)
args_sensitivity=(sensitivity "$study" --method sobol --samples 4 --outputs churn_at_horizon --bootstrap 50)
for kind in "${kinds[@]}"; do
  declare -n args="args_$kind"
  exits 0 "$kind, one process" "$gatesim" "${args[@]}" --threads 2 -o "$work/$kind-alone.h5"
  # Ranks x threads: one rank with two, two ranks with two each, three with one each.
  for ranks_threads in 1:2 2:2 3:1; do
    ranks=${ranks_threads%:*} threads=${ranks_threads#*:}
    out="$work/$kind-$ranks.h5"
    exits 0 "$kind on $ranks ranks" "$mpirun" -q --oversubscribe -n "$ranks" "$gatesim" "${args[@]}" --threads "$threads" -o "$out"
    check "$kind on $ranks ranks equals one process" same "$work/$kind-alone.h5" "$out"
  done
done
check "no temporary files" no_temporary_files
finish

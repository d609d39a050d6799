#!/usr/bin/env bash
# Efficiency of an ensemble (default 60 runs) on 1, 2 and 4 MPI ranks, one thread each, and its
# projected scaling from the measured per-run compute time and rank 0's serial work per run
# (gather: receiving and decoding a record; store: writing it). Ranks beyond the machine's cores
# are oversubscribed, and the table says so.
# Usage: sim/bench/bench_mpi.sh [BIN_DIR] [gatesim_bench_mpi options: SCENARIO --replicates N
#        --agents N --days N]. As root, set OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.
set -euo pipefail
bin=${1:-build/bin}
[ $# -gt 0 ] && shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ranks in 1 2 4; do
  echo "== $ranks rank(s)"
  mpirun --oversubscribe -n "$ranks" "$bin/gatesim_bench_mpi" "$@" | tee -a "$log"
done
awk '
/^BENCH/ {
  for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
  n = v["ranks"]; wall[n] = v["wall"]; cpu[n] = v["cpu"]; cores = v["cores"]; runs = v["runs"]
  if (n == 1) run = v["run"]
  if (n == 2) { gather = v["gather"]; store = v["store"]; bytes = v["bytes"] }  # 2 ranks: not oversubscribed
}
END {
  printf "\nmeasured: %d runs, 1 thread per rank, %d cores\n", runs, cores
  printf "  ranks   wall s   speed-up   efficiency   processor s\n"
  for (n = 1; n <= 4; n *= 2)
    printf "  %5d   %6.2f   %8.2f   %9.0f%%   %11.1f%s\n", n, wall[n], wall[1] / wall[n], 100 * wall[1] / (n * wall[n]),
           cpu[n], (n > cores ? "   oversubscribed: " n " ranks on " cores " cores" : "")
  serial = gather + store
  printf "\nprojected, one core per rank: compute %.3f s per run; rank 0 per run: gather %.2f ms + store %.2f ms (%.2f MB)\n",
         run, 1e3 * gather, 1e3 * store, bytes / 1e6
  printf "  T(N) = max(ceil(R / N) * compute, R * (gather + store)); rank 0 saturates near N = %.0f ranks\n", run / serial
  printf "  ranks   %d runs: efficiency   10,000 runs: efficiency\n", runs
  for (n = 1; n <= 1024; n *= 4) {
    split(runs " 10000", r, " ")
    for (k = 1; k <= 2; ++k) {
      rounds = int((r[k] + n - 1) / n); t = rounds * run; s = r[k] * serial
      e[k] = 100 * r[k] * run / (n * (t > s ? t : s))
    }
    printf "  %5d   %18.0f%%   %21.0f%%\n", n, e[1], e[2]
  }
}' "$log"
